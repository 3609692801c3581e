// Scenario: a fair share of the GPU (SPEC §12). Keys queue jobs through the proxy in front of a fake ComfyUI that
// runs them one at a time, lowest `number` first (a heap on (number, prompt_id), as ComfyUI does), each for its
// own fixed time. Every case runs twice on fresh processes: "before" = the same proxy numbering nothing (ComfyUI
// first come, first served), "after" = fair order. What is measured comes from ComfyUI's own start/end times:
//   (a) one key queues 12 jobs, then another 1: how many of the 12 start before the single one;
//   (b) three keys (shares 1, 1, 2), each with one job run before, queue a burst of 10 each, one burst after the
//       other: the longest run of one key's jobs while another key still waits, and Jain's fairness index of mean
//       waiting time × share; once more on a fresh install, where no job has been measured yet;
//   (c) the makespan of (b), first POST to last end, against the ideal (the GPU never idle);
//   (d) a key with 300 ms jobs and one with 100 ms jobs queue 10 each after two warm-up jobs: the GPU-time split
//       while both wait (fair: each gets half; a turn each would give the long jobs three quarters).
import { WebSocket } from 'ws';
import { BenchChild } from './childProcess';
import type { BenchContext, Scenario, ScenarioResult } from './scenario';

type Mode = 'fifo' | 'fair';
interface Run {
  id: string;
  start: number;
  end: number;
}
interface KeySpec {
  name: string;
  share: number;
  /** Length of each of its jobs on the fake GPU. */
  ms: number;
}
interface Outcome {
  runs: Run[];
  ownerOf: Map<string, string>;
  queuedAt: Map<string, number>;
  firstPost: number;
}

/** A key's web UI: one socket, on which it waits for its own jobs' ends. */
class KeyClient {
  private readonly done = new Set<string>();
  private waiters: (() => void)[] = [];
  private constructor(private readonly ws: WebSocket, readonly clientId: string) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const msg = JSON.parse(data.toString('utf8')) as { type: string; data: { prompt_id?: string } };
      if (msg.type === 'execution_success' && msg.data.prompt_id) {
        this.done.add(msg.data.prompt_id);
        for (const w of this.waiters.splice(0)) w();
      }
    });
  }

  static async open(url: string, key: string, clientId: string): Promise<KeyClient> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?clientId=${clientId}`, { headers: { authorization: `Bearer ${key}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    return new KeyClient(ws, clientId);
  }

  async finished(ids: readonly string[]): Promise<void> {
    while (!ids.every((id) => this.done.has(id))) await new Promise<void>((r) => this.waiters.push(r));
  }

  close(): void {
    this.ws.close();
  }
}

let seed = 0;

async function post(url: string, key: string, clientId: string, ms: number): Promise<string> {
  const body = {
    // A fresh seed: ComfyUI (and the fake) would answer a repeated prompt from its cache at once.
    prompt: { '3': { class_type: 'KSampler', inputs: { seed: ++seed, steps: 1, fake_ms: ms } }, '9': { class_type: 'SaveImage', inputs: { images: ['3', 0] } } },
    client_id: clientId,
  };
  const res = await fetch(`${url}/prompt`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { prompt_id?: string };
  if (!json.prompt_id) throw new Error(`a job was refused (${res.status})`);
  return json.prompt_id;
}

/** Starts a fake and a proxy in `mode`, lets `plan` queue jobs, waits for all of them, and reads ComfyUI's run record. */
type Queue = (key: string, n: number) => Promise<string[]>;

/** `plan` queues jobs and answers the ones to measure (the rest warm the ledger up). */
async function measure(ctx: BenchContext, mode: Mode, keys: KeySpec[], plan: (queue: Queue, settle: () => Promise<void>) => Promise<string[]>): Promise<Outcome> {
  const children: BenchChild[] = [];
  const clients: KeyClient[] = [];
  try {
    const fake = await BenchChild.start<{ url: string }>('./jobFakeChild.ts', { jobMs: 100 });
    children.push(fake.child);
    const proxy = await BenchChild.start<{ url: string; secrets: Record<string, string> }>('./fairProxyChild.ts', {
      upstream: fake.ready.url,
      adminKey: ctx.adminKey,
      queueOrder: mode,
      keys: keys.map(({ name, share }) => ({ name, share })),
    });
    children.push(proxy.child);
    const byName = new Map<string, KeyClient>();
    for (const k of keys) {
      const c = await KeyClient.open(proxy.ready.url, proxy.ready.secrets[k.name] ?? '', `bench-fair-${k.name}`);
      clients.push(c);
      byName.set(k.name, c);
    }
    const ownerOf = new Map<string, string>();
    const queuedAt = new Map<string, number>();
    const mine = new Map<string, string[]>();
    const postedAt = new Map<string, number>();
    const queue = async (name: string, n: number): Promise<string[]> => {
      const spec = keys.find((k) => k.name === name) as KeySpec;
      const sent = Date.now();
      const ids = await Promise.all(
        Array.from({ length: n }, async () => {
          const id = await post(proxy.ready.url, proxy.ready.secrets[name] ?? '', `bench-fair-${name}`, spec.ms);
          ownerOf.set(id, name);
          queuedAt.set(id, Date.now());
          postedAt.set(id, sent);
          return id;
        }),
      );
      mine.set(name, [...(mine.get(name) ?? []), ...ids]);
      return ids;
    };
    const settle = async () => void (await Promise.all([...mine].map(([name, ids]) => byName.get(name)?.finished(ids))));
    const measured = new Set(await plan(queue, settle));
    await settle();
    const runs = ((await fake.child.request('runs')) as Run[]).filter((r) => measured.has(r.id));
    return { runs, ownerOf, queuedAt, firstPost: Math.min(...[...measured].map((id) => postedAt.get(id) ?? Infinity)) };
  } finally {
    for (const c of clients) c.close();
    await Promise.all(children.map((c) => c.stop()));
  }
}

/** Longest run of one owner's jobs in a row while another owner still had a job waiting. */
export function longestRun(owners: readonly string[]): number {
  let longest = 0;
  let run = 0;
  owners.forEach((o, i) => {
    run = i > 0 && owners[i - 1] === o ? run + 1 : 1;
    if (owners.slice(i + 1).some((x) => x !== o)) longest = Math.max(longest, run);
  });
  return longest;
}

/** Jain's fairness index: 1 when all values are equal, 1/n when one takes everything. */
export function jain(values: readonly number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  const squares = values.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

const MODES: Mode[] = ['fifo', 'fair'];
const label = (m: Mode) => (m === 'fifo' ? 'before (FIFO)' : 'after (fair order)');

async function singleAfterBatch(ctx: BenchContext): Promise<string[][]> {
  const rows: string[][] = [];
  for (const mode of MODES) {
    const o = await measure(ctx, mode, [{ name: 'batch', share: 1, ms: 100 }, { name: 'single', share: 1, ms: 100 }], async (queue) => {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push(...(await queue('batch', 1)));
      return [...ids, ...(await queue('single', 1))];
    });
    const order = o.runs.map((r) => o.ownerOf.get(r.id));
    const single = o.runs.find((r) => o.ownerOf.get(r.id) === 'single') as Run;
    rows.push([label(mode), `${order.indexOf('single')} of 12`, `${((single.start - (o.queuedAt.get(single.id) ?? 0)) / 1000).toFixed(2)} s`]);
  }
  return rows;
}

interface BurstRound {
  longest: number;
  jain: number;
  perKey: number[];
  firstEight: string;
  makespan: number;
  busy: number;
}

/**
 * `warm`: each key ran a job before (the usual case); else a fresh install where no job has been measured yet.
 * `rounds` runs per mode, interleaved (fifo, fair, fifo, …) so load from elsewhere on the machine hits both
 * alike: fairness is reported from the worst round, the makespan from the best (as the other scenarios do).
 */
async function bursts(ctx: BenchContext, warm: boolean, rounds: number): Promise<{ b: string[][]; c: string[][] }> {
  const keys = [{ name: 'a', share: 1, ms: 100 }, { name: 'b', share: 1, ms: 100 }, { name: 'c', share: 2, ms: 100 }];
  const results = new Map<Mode, BurstRound[]>(MODES.map((m) => [m, []]));
  for (let round = 0; round < rounds; round++) {
    for (const mode of MODES) {
      const o = await measure(ctx, mode, keys, async (queue, settle) => {
        if (warm) {
          for (const k of keys) await queue(k.name, 1);
          await settle();
        }
        const ids: string[] = [];
        for (const k of keys) ids.push(...(await queue(k.name, 10)));
        return ids;
      });
      const owners = o.runs.map((r) => o.ownerOf.get(r.id) as string);
      const perKey = keys.map((k) => {
        const waits = o.runs.filter((r) => o.ownerOf.get(r.id) === k.name).map((r) => r.start - (o.queuedAt.get(r.id) ?? r.start));
        return (waits.reduce((x, y) => x + y, 0) / waits.length) * k.share;
      });
      results.get(mode)?.push({
        longest: longestRun(owners),
        jain: jain(perKey),
        perKey,
        firstEight: owners.slice(0, 8).join(''),
        makespan: (Math.max(...o.runs.map((r) => r.end)) - o.firstPost) / 1000,
        busy: o.runs.reduce((x, r) => x + (r.end - r.start), 0) / 1000,
      });
    }
  }
  const b: string[][] = [];
  const c: string[][] = [];
  const bestMakespan = (m: Mode) => Math.min(...(results.get(m) ?? []).map((r) => r.makespan));
  for (const mode of MODES) {
    const all = results.get(mode) ?? [];
    const worst = all.reduce((w, r) => (r.jain < w.jain ? r : w));
    const best = all.reduce((x, r) => (r.makespan < x.makespan ? r : x));
    b.push([label(mode), String(Math.max(...all.map((r) => r.longest))), worst.jain.toFixed(3), worst.perKey.map((w) => (w / 1000).toFixed(2)).join(' / '), worst.firstEight]);
    const vsFifo = ((best.makespan - bestMakespan('fifo')) / bestMakespan('fifo')) * 100;
    c.push([label(mode), best.makespan.toFixed(2), best.busy.toFixed(2), `${((best.makespan / best.busy - 1) * 100).toFixed(1)} %`, `${vsFifo.toFixed(1)} %`]);
  }
  return { b, c };
}

async function costAware(ctx: BenchContext): Promise<string[][]> {
  const rows: string[][] = [];
  for (const mode of MODES) {
    const keys = [{ name: 'video', share: 1, ms: 300 }, { name: 'image', share: 1, ms: 100 }];
    const o = await measure(ctx, mode, keys, async (queue, settle) => {
      // Two jobs each first, so the ledger knows what each key's jobs cost.
      for (let i = 0; i < 2; i++) for (const k of keys) await queue(k.name, 1);
      await settle();
      return [...(await queue('video', 10)), ...(await queue('image', 10))];
    });
    const measured = o.runs;
    // While both still wait: up to the first end of either key's last job.
    const lastOf = (name: string) => Math.max(...measured.filter((r) => o.ownerOf.get(r.id) === name).map((r) => r.start));
    const until = Math.min(lastOf('video'), lastOf('image'));
    const gpu = (name: string) => measured.filter((r) => o.ownerOf.get(r.id) === name && r.start < until).reduce((x, r) => x + (r.end - r.start), 0) / 1000;
    const [v, i] = [gpu('video'), gpu('image')];
    rows.push([label(mode), v.toFixed(2), i.toFixed(2), `${((v / (v + i)) * 100).toFixed(0)} %`]);
  }
  return rows;
}

export const fairQueueScenario: Scenario = {
  title: 'A fair share of the GPU: ComfyUI run order with the proxy numbering nothing (FIFO) and with fair order, on a fake ComfyUI that runs the lowest number first',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const a = await singleAfterBatch(ctx);
    const { b, c } = await bursts(ctx, true, 3);
    const { b: cold } = await bursts(ctx, false, 1);
    const d = await costAware(ctx);
    const cells = (list: string[][], f: (r: string[]) => string) => list.map(f);
    const rows = [
      ['(a) 12 + 1: batch jobs started before the single one; its wait', ...cells(a, (r) => `${r[1]}; ${r[2]}`)],
      ['(b) bursts of 10 (shares 1/1/2): longest run of one key while others wait (worst of 3)', ...cells(b, (r) => r[1] ?? '')],
      ["(b) Jain's index of mean wait × share (1 = fair; worst of 3); mean wait × share per key", ...cells(b, (r) => `${r[2]} (${r[3]} s)`)],
      ['(b) first 8 turns (that round)', ...cells(b, (r) => r[4] ?? '')],
      ['(b) on a fresh install (no job measured yet): longest run; Jain', ...cells(cold, (r) => `${r[1]}; ${r[2]}`)],
      ['(c) makespan of (b), first POST to last end (best of 3); GPU busy; idle overhead', ...cells(c, (r) => `${r[1]} s; ${r[2]} s; ${r[3]}`)],
      ['(c) makespan vs FIFO', ...cells(c, (r) => r[4] ?? '')],
      ['(d) 300 ms vs 100 ms jobs: GPU s each while both wait; long jobs\' part', ...cells(d, (r) => `${r[1]} / ${r[2]} s; ${r[3]}`)],
    ];
    return {
      title: this.title,
      headers: ['measure', label('fifo'), label('fair')],
      rows,
      notes: [
        'Each line runs on fresh processes (fake ComfyUI, proxy with its key store); jobs of 100 ms unless said, one at a time, as ComfyUI runs them. Times are ComfyUI\'s own (its execution_start / execution_success timestamps).',
        '"before" is the same proxy with queueOrder "fifo" (it sends no number; ComfyUI counts), which is what the proxy did before issue 20.',
      ],
    };
  },
};
