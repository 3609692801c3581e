// Scenario: the JSON reads the sharing rules answer themselves (SPEC §8.3) — GET /queue and GET /history with a
// queue and a history of jobs the size the web UI sends (the UI workflow rides along in extra_data): CPU per
// request of the process in the middle, next to direct, nginx and the minimal undici proxy, which relay the same
// bytes without reading them. The proxy reads them to redact echoed credentials, filter a key's view and keep the
// job ledger true.
import { measureGets, warmUp, type GetMeasurement } from './httpGetsScenario';
import { bestOfInterleaved, ratio, type BenchContext, type BenchTarget, type Scenario, type ScenarioResult } from './scenario';

const PENDING = 8;
const FINISHED = 16;
const WORKFLOW_BYTES = 40_000;
const CONNECTIONS = 8;
const DURATION_S = 3;
const ROUNDS = 3;
const PATHS = ['/queue', '/history?max_items=64'];

export const jsonReadsScenario: Scenario = {
  title: `JSON reads the proxy answers itself (GET /queue with ${PENDING} queued jobs, GET /history?max_items=64 with ${FINISHED} finished ones, each carrying a ${WORKFLOW_BYTES / 1000} KB UI workflow; ${CONNECTIONS} connections, best of ${ROUNDS} interleaved ${DURATION_S} s runs)`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    await ctx.fake.request('fillJobs', { pending: PENDING, finished: FINISHED, workflowBytes: WORKFLOW_BYTES });
    try {
      const targets = ctx.getTargets.filter((t) => t.role !== 'bare');
      const rows: string[][] = [];
      for (const path of PATHS) {
        const shape = { path, connections: CONNECTIONS };
        const size = (await (await fetch(`${ctx.upstreamUrl}${path}`)).arrayBuffer()).byteLength;
        for (const t of targets) await warmUp(t, shape);
        const rounds = new Map<string, GetMeasurement[]>();
        await bestOfInterleaved(
          targets,
          ROUNDS,
          async (t: BenchTarget) => {
            const m = await measureGets(t, DURATION_S, undefined, shape);
            rounds.set(t.name, [...(rounds.get(t.name) ?? []), m]);
            return m;
          },
          () => false,
        );
        const cpu = (name: string | undefined) => Math.min(...(rounds.get(name ?? '') ?? []).map((m) => m.cpuUsPerReq).filter((v) => !Number.isNaN(v)));
        const minimal = targets.find((t) => t.role === 'minimal')?.name;
        const nginx = targets.find((t) => t.role === 'nginx')?.name;
        for (const t of targets) {
          const ms = rounds.get(t.name);
          if (!ms) {
            rows.push([`GET ${path}`, t.name, t.note ?? 'not available', '', '', '', '', '']);
            continue;
          }
          const best = ms.reduce((a, b) => (b.requestsPerSec > a.requestsPerSec ? b : a));
          const c = cpu(t.name);
          const middle = t.role !== 'direct';
          rows.push([
            `GET ${path}`,
            t.name,
            (size / 1024).toFixed(0),
            c.toFixed(0),
            middle && t.name !== nginx && rounds.has(nginx ?? '') ? ratio(c, cpu(nginx)) : '',
            middle && t.name !== minimal ? ratio(c, cpu(minimal)) : '',
            best.requestsPerSec.toFixed(0),
            String(best.non2xx + best.errors),
          ]);
        }
      }
      return {
        title: this.title,
        headers: ['request', 'target', "ComfyUI's answer KiB", 'CPU µs/req', 'vs nginx', 'vs minimal undici proxy', 'req/s', 'non-2xx + errors'],
        rows,
        notes: [
          'CPU µs/req: utime+stime of the process under test over the run, divided by the responses; lowest of the rounds (for direct: the fake ComfyUI, which serialises the answer itself).',
          'The access key owns none of these jobs: its answers are empty lists or objects, but the proxy still reads the whole answer to filter it.',
        ],
      };
    } finally {
      await ctx.fake.request('clearJobs');
    }
  },
};
