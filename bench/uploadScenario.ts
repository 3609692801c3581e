// Scenario (b): a 100 MiB streamed upload per target: throughput, and the proxy process's peak RSS growth.
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { bestOfInterleaved, ratio, type BenchContext, type BenchTarget, type Scenario, type ScenarioResult } from './scenario';

const UPLOAD_MIB = 100;
const RUNS = 3;
const CHUNK = Buffer.alloc(64 * 1024, 0x42);

function body(): Readable {
  const chunks = (UPLOAD_MIB * 1024 * 1024) / CHUNK.length;
  return Readable.from(
    (function* () {
      for (let i = 0; i < chunks; i++) yield CHUNK;
    })(),
    { objectMode: false },
  );
}

/** POSTs the body to /__fake/echo?discard=1 (the upstream reads and hashes it) and returns seconds taken. */
export function uploadOnce(target: BenchTarget): Promise<number> {
  const total = UPLOAD_MIB * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const url = new URL('/__fake/echo?discard=1', target.url ?? '');
    const started = process.hrtime.bigint();
    const req = request(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/octet-stream', 'content-length': total }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const got = res.headers['x-fake-body-bytes'];
          if (res.statusCode !== 200 || got !== String(total)) {
            reject(new Error(`${target.name}: status ${res.statusCode}, upstream saw ${got ?? '?'} bytes: ${Buffer.concat(chunks).toString().slice(0, 200)}`));
          } else {
            resolve(seconds);
          }
        });
      },
    );
    req.on('error', reject);
    body().pipe(req);
  });
}

export const uploadScenario: Scenario = {
  title: `${UPLOAD_MIB} MiB streamed upload (POST /__fake/echo?discard=1, best of ${RUNS} interleaved runs)`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const baseline = (await ctx.proxy.child.request('rssReset')) as number;
    const best = await bestOfInterleaved(ctx.targets, RUNS, (target) => uploadOnce(target), (a, b) => a < b);
    const peakGrowth = ((await ctx.proxy.child.request('rssPeak')) as number) - baseline;
    const directS = best.get('direct');
    const rows = ctx.targets.map((target) => {
      const s = best.get(target.name);
      if (s === undefined) return [target.name, target.note ?? 'not available', '', '', ''];
      const mbs = UPLOAD_MIB / s;
      return [
        target.name,
        mbs.toFixed(0),
        s.toFixed(2),
        directS ? ratio(mbs, UPLOAD_MIB / directS) : 'n/a',
        target.name === ctx.proxy.target.name ? (peakGrowth / 1024 / 1024).toFixed(1) : '',
      ];
    });
    return {
      title: this.title,
      headers: ['target', 'MiB/s', 'best s', 'vs direct', 'proxy peak RSS growth MiB'],
      rows,
      notes: ['RSS is sampled every 50 ms in the proxy\'s own process; growth is the peak over all runs minus the RSS just before the first upload.'],
    };
  },
};
