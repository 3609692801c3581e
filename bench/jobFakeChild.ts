// Bench process hosting one fake ComfyUI that runs its queued jobs by itself, one at a time, each taking a
// fixed time (config.jobMs, or a prompt's own `fake_ms`): the upstream of the several-upstreams and fair-queue scenarios.
import { serveParent } from './childProcess';
import { startFakeComfy } from '../test/fixtures/fakeComfy';

const config = JSON.parse(process.argv[2] ?? '{}') as { jobMs?: number };
const fake = await startFakeComfy({ autoRun: true, jobMs: config.jobMs ?? 200, steps: 4 });

serveParent({
  ready: () => ({ url: fake.url, port: fake.port }),
  /** Jobs this upstream has finished. */
  ran: () => fake.state.history.size,
  /** Each finished job in the order it ran, with ComfyUI's own start and end times (epoch ms, from its status messages). */
  runs: () =>
    [...fake.state.history].map(([id, h]) => {
      const at = (type: string) => h.status?.messages.find((m) => m[0] === type)?.[1].timestamp as number | undefined;
      return { id, start: at('execution_start') ?? 0, end: at('execution_success') ?? at('execution_error') ?? at('execution_interrupted') ?? 0 };
    }),
});
