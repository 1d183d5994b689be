import { useLabTracking } from '@/lib/tracking-hooks';
import { report } from '../../results';

/** The seed's lab page: a failed experiment tracked; tall, so the test can scroll it. */
export default function LabPage() {
  const { trackExperiment } = useLabTracking();
  const run = async () => {
    try {
      report('lab', await trackExperiment('caption-v2', 'vision', { image: 'cat.png' }, { caption: 'a cat' }, 'm2', false,
        'timeout', 30000));
    } catch (error) {
      report('error', String(error));
    }
  };
  return (
    <section>
      <h1>Lab</h1>
      <button id="run-lab" onClick={run}>Caption</button>
      <div style={{ height: '4000px' }} />
    </section>
  );
}
