import { useState } from 'react';
import { optIn, usePageTracking } from '@/lib/tracking-hooks';
import ChatPage from './chat/page';
import LabPage from './lab/page';
import SignupPage from './signup/page';
import ToolsPage from './tools/page';

const ROUTES: Record<string, () => JSX.Element> = { '/signup': SignupPage, '/chat': ChatPage, '/tools': ToolsPage, '/lab': LabPage };

/** The seed's root layout: page tracking, a consent banner, navigation between the pages. */
export default function RootLayout() {
  const [path, setPath] = useState(window.location.pathname);
  const [consented, setConsented] = useState(false);
  usePageTracking(path);
  const go = (to: string) => {
    window.history.pushState({}, '', to);
    setPath(to);
  };
  const Page = ROUTES[path];
  return (
    <div>
      {consented ? null : (
        <div id="banner">
          This site measures its use. <button id="accept" onClick={() => { optIn(); setConsented(true); }}>Accept</button>
        </div>
      )}
      <nav>
        {Object.keys(ROUTES).map((to) => (
          <button key={to} id={'nav' + to.replace('/', '-')} onClick={() => go(to)}>{to}</button>
        ))}
      </nav>
      <main id="page" data-path={path}>{Page ? <Page /> : <h1>Home</h1>}</main>
    </div>
  );
}
