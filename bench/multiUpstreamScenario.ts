// Scenario: several upstreams (SPEC §10). 40 jobs of a fixed length queued at once by one client through the
// proxy in front of 1, 2 and 3 fake ComfyUIs (each its own process, running one job at a time); the wall
// time from the first POST /prompt to the last execution_success on the client's WebSocket. Ideal scaling
// is 1/N: the proxy spreads jobs by queue length, so the gap to it is the proxy's routing and relay cost.
import { WebSocket } from 'ws';
import { BenchChild } from './childProcess';
import type { BenchContext, Scenario, ScenarioResult } from './scenario';

const JOBS = 40;
const JOB_MS = 150;
const COUNTS = [1, 2, 3];

async function runJobs(proxyUrl: string, key: string, clientId: string): Promise<number> {
  const ws = new WebSocket(`${proxyUrl.replace(/^http/, 'ws')}/ws?clientId=${clientId}`, { headers: { authorization: `Bearer ${key}` } });
  const finished = new Set<string>();
  let done: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (done = resolve));
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve()); // the greeting status: every upstream's socket is open
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`/ws answered ${res.statusCode}`)));
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) return;
    const msg = JSON.parse(data.toString('utf8')) as { type: string; data: { prompt_id?: string } };
    if (msg.type === 'execution_success' && msg.data.prompt_id) {
      finished.add(msg.data.prompt_id);
      if (finished.size === JOBS) done();
    }
  });
  const started = process.hrtime.bigint();
  // A fresh seed per job: ComfyUI (and the fake) would answer a repeated prompt from its cache at once.
  const body = (seed: number) =>
    JSON.stringify({
      prompt: {
        '3': { class_type: 'KSampler', inputs: { seed, steps: 4 } },
        '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'bench', images: ['3', 0] } },
      },
      client_id: clientId,
    });
  const answers = await Promise.all(
    Array.from({ length: JOBS }, (_, i) =>
      fetch(`${proxyUrl}/prompt`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body(i) }).then(
        (r) => r.json() as Promise<{ prompt_id?: string }>,
      ),
    ),
  );
  if (answers.some((a) => !a.prompt_id)) throw new Error('a job was refused');
  await allDone;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  ws.close();
  return seconds;
}

export const multiUpstreamScenario: Scenario = {
  title: `Several upstreams: ${JOBS} jobs of ${JOB_MS} ms queued at once by one client over 1, 2 and 3 fake ComfyUIs (wall time to the last execution_success)`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const rows: string[][] = [];
    let single = 0;
    for (const n of COUNTS) {
      const children: BenchChild[] = [];
      try {
        const fakes = await Promise.all(Array.from({ length: n }, () => BenchChild.start<{ url: string }>('./jobFakeChild.ts', { jobMs: JOB_MS })));
        children.push(...fakes.map((f) => f.child));
        const proxy = await BenchChild.start<{ url: string }>('./multiProxyChild.ts', { upstreams: fakes.map((f) => f.ready.url), adminKey: ctx.adminKey });
        children.push(proxy.child);
        const seconds = await runJobs(proxy.ready.url, ctx.adminKey, `bench-multi-${n}`);
        const perFake = (await Promise.all(fakes.map((f) => f.child.request('ran')))) as number[];
        if (n === 1) single = seconds;
        const ideal = (JOBS * JOB_MS) / 1000 / n;
        rows.push([String(n), seconds.toFixed(2), ideal.toFixed(2), single ? `${(single / seconds).toFixed(2)}×` : 'n/a', perFake.join(' / ')]);
      } finally {
        await Promise.all(children.map((c) => c.stop()));
      }
    }
    return {
      title: this.title,
      headers: ['upstreams', 'wall time (s)', 'ideal (s)', 'speed-up vs 1', 'jobs per upstream'],
      rows,
      notes: ['Ideal = jobs × job length ÷ upstreams; each fake runs one job at a time in its own process.'],
    };
  },
};
