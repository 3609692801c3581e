// The soak's upstream (bench/soak.ts): one fake ComfyUI that runs its queue by itself, one job at a time, with
// progress steps and a preview frame at each step (the web UI's live previews), like a small GPU box.
import { serveParent } from './childProcess';
import { startFakeComfy } from '../test/fixtures/fakeComfy';

const config = JSON.parse(process.argv[2] ?? '{}') as { jobMs?: number; steps?: number };
const fake = await startFakeComfy({ autoRun: true, jobMs: config.jobMs ?? 400, steps: config.steps ?? 4, previews: true });

serveParent({
  ready: () => ({ url: fake.url, port: fake.port }),
  /** Jobs finished, and jobs still queued or running. */
  queue: () => ({ finished: fake.state.history.size, remaining: fake.state.queueRemaining() }),
});
