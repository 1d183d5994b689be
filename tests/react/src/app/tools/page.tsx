import { useToolTracking } from '@/lib/tracking-hooks';
import { report } from '../../results';

/** The seed's tools page: one run of a tool tracked, with a property in the last argument. */
export default function ToolsPage() {
  const { trackTool } = useToolTracking();
  const run = async () => {
    try {
      report('tool', await trackTool('json-formatter', 'dev', { size: 1200 }, { ok: true }, true, null, 12.5,
        { properties: { source: 'toolbar' } }));
    } catch (error) {
      report('error', String(error));
    }
  };
  return <section><h1>Tools</h1><button id="run-tool" onClick={run}>Format JSON</button></section>;
}
