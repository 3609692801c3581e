// Bench process hosting one fake ComfyUI that runs its queued jobs by itself, one at a time, each taking a
// fixed time (config.jobMs): the upstream of the several-upstreams scenario.
import { serveParent } from './childProcess';
import { startFakeComfy } from '../test/fixtures/fakeComfy';

const config = JSON.parse(process.argv[2] ?? '{}') as { jobMs?: number };
const fake = await startFakeComfy({ autoRun: true, jobMs: config.jobMs ?? 200, steps: 4 });

serveParent({
  ready: () => ({ url: fake.url, port: fake.port }),
  /** Jobs this upstream has finished. */
  ran: () => fake.state.history.size,
});
