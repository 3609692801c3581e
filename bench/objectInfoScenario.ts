// Scenario: GET /object_info of a large node set (~2 000 node classes, a few MB, like an install with many
// custom nodes), sequential requests: the fake ComfyUI direct, the proxy with the admin key (streamed as it
// comes), and with an access key (SPEC §8.3 private uploads: read whole, its upload inputs' file lists made the
// key's own; the first answer is built, the next ones come from the per-key cache while ComfyUI's bytes are
// the same). The fake's node set is put back afterwards.
import { request } from 'node:http';
import type { BenchContext, BenchTarget, Scenario, ScenarioResult } from './scenario';

const NODES = 2_000;
const RUNS = 20;

function once(target: BenchTarget): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(new URL('/object_info', target.url ?? ''), { headers: { authorization: `Bearer ${target.key}` }, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${target.name}: ${res.statusCode}`));
        else resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, bytes });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export const objectInfoScenario: Scenario = {
  title: `GET /object_info of ${NODES} node classes (sequential, ${RUNS} runs per target)`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const bytes = (await ctx.fake.request('bigObjectInfo', { nodes: NODES })) as number;
    const targets = ctx.getTargets.filter((t) => t.url && (t.role === 'direct' || t.role === 'proxy'));
    const rows: string[][] = [];
    try {
      for (const target of targets) {
        const first = await once(target);
        const rest: number[] = [];
        for (let i = 0; i < RUNS; i++) rest.push((await once(target)).ms);
        rows.push([target.name, first.ms.toFixed(1), median(rest).toFixed(1), Math.max(...rest).toFixed(1), (first.bytes / 1024 / 1024).toFixed(2)]);
      }
    } finally {
      await ctx.fake.request('bigObjectInfo', { nodes: 0 });
    }
    return {
      title: this.title,
      headers: ['target', 'first ms', 'median ms (next runs)', 'max ms', 'answer MiB'],
      rows,
      notes: [`ComfyUI's answer is ${(bytes / 1024 / 1024).toFixed(2)} MiB; a key's answer is rewritten and cached per key (main/proxy/sharing/keyObjectInfo.ts).`],
    };
  },
};
