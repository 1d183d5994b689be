import { createRoot } from 'react-dom/client';
import RootLayout from './app/layout';

createRoot(document.getElementById('root') as Element).render(<RootLayout />);
