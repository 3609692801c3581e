// Bench process hosting one fake ComfyUI whose queued jobs run by themselves, one at a time, each taking a
// fixed time (config.jobMs): the upstream of the several-upstreams scenario. A job's messages go to its
// prompt's client_id, as ComfyUI sends them.
import { serveParent } from './childProcess';
import { startFakeComfy } from '../test/fixtures/fakeComfy';

const config = JSON.parse(process.argv[2] ?? '{}') as { jobMs?: number };
const jobMs = config.jobMs ?? 200;
const fake = await startFakeComfy();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let ran = 0;

// The worker: the oldest pending job runs for jobMs, then reports success; 2 ms between looks when idle.
void (async () => {
  for (;;) {
    const next = fake.state.pending[0];
    if (!next) {
      await sleep(2);
      continue;
    }
    await sleep(jobMs);
    await fake.runFakeJob(next[1], undefined, 1);
    ran += 1;
  }
})();

serveParent({
  ready: () => ({ url: fake.url, port: fake.port }),
  ran: () => ran,
});
