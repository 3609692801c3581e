// What a bench scenario is, what it gets to work with, and the runner that runs a list of them in order.
// EXTENSION POINT: a scenario is any object with `title` and `run(ctx)`; add new ones to the list in run.ts.
// ctx.startProxy({ auth, authArg }) starts an extra proxy process with another authenticator (for example
// a key store holding 10 / 10 000 / 100 000 keys) and returns it as a target that measureGets() can load.
import type { BenchChild } from './childProcess';

export interface BenchTarget {
  /** 'direct', 'proxy', 'nginx', or a scenario's own label. */
  name: string;
  /** Base URL, or null when the target is unavailable (then `note` says why). */
  url: string | null;
  /** The key clients present (Authorization: Bearer); harmless to targets that do not check it. */
  key: string;
  note?: string;
  /** The process whose CPU time counts for this target (the server answering, or the proxy in front). */
  pid?: number;
  /** What the target is, for ratios: the bare Node floor, the fake upstream, nginx, or a proxy. */
  role?: 'bare' | 'direct' | 'nginx' | 'minimal' | 'proxy';
  /** The fake ComfyUI answers behind this target (its CPU per request is shown too). */
  behindFake?: boolean;
  /** The bench child running this target (a proxy): it samples its own RSS (rssReset / rssPeak). */
  child?: BenchChild;
}

/** A source tree whose proxy and app are measured: this checkout, and the `--compare REF` one. */
export interface BenchRoot {
  label: string;
  root: string;
  /** Added to row names: '' for this checkout, ' @REF' for the other. */
  suffix: string;
}

export interface ProxyProcess {
  target: BenchTarget;
  child: BenchChild;
}

export interface BenchContext {
  /** direct (the fake upstream), proxy (the auth proxy, admin key), nginx (plain reverse proxy), and the compared proxy. */
  targets: BenchTarget[];
  /** The small-GET targets: bare Node, direct, nginx, and each proxy with the admin key and with an access key. */
  getTargets: BenchTarget[];
  /** This checkout first, then the `--compare` one when given. */
  roots: BenchRoot[];
  proxy: ProxyProcess;
  fake: BenchChild;
  upstreamUrl: string;
  adminKey: string;
  /**
   * Starts another proxy process (of `root`, default this checkout) in front of the same upstream, or of
   * `upstreams`; stopped by the runner at the end. Without `auth` it is the product's composition with an access key.
   * `nodeFlags` replaces the Node flags the checkout ships with (shippedNodeFlags.ts).
   */
  startProxy(options: { name: string; auth?: 'keyStore'; authArg?: unknown; upstreams?: string[]; root?: BenchRoot; nodeFlags?: string[] }): Promise<ProxyProcess & { accessKey: string | null }>;
}

export interface ScenarioResult {
  title: string;
  headers: string[];
  rows: string[][];
  notes?: string[];
}

export interface Scenario {
  title: string;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}

/** Runs scenarios one after another (never in parallel: they share two CPU cores). A failing scenario becomes a note. */
export async function runScenarios(scenarios: readonly Scenario[], ctx: BenchContext, log: (line: string) => void): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const s of scenarios) {
    log(`• ${s.title}`);
    const started = Date.now();
    try {
      results.push(await s.run(ctx));
    } catch (err) {
      results.push({ title: s.title, headers: [], rows: [], notes: [`failed: ${err instanceof Error ? err.message : String(err)}`] });
    }
    log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return results;
}

export function ratio(value: number, base: number): string {
  return base > 0 ? `${(value / base).toFixed(2)}×` : 'n/a';
}

/**
 * Measures every available target `rounds` times, interleaved (A B C A B C …) so a burst of load from
 * elsewhere on the machine hits all targets alike, and keeps each target's best round.
 */
export async function bestOfInterleaved<T>(
  targets: readonly BenchTarget[],
  rounds: number,
  measure: (target: BenchTarget, round: number) => Promise<T>,
  better: (a: T, b: T) => boolean,
): Promise<Map<string, T>> {
  const best = new Map<string, T>();
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      if (!target.url) continue;
      const m = await measure(target, round);
      const prev = best.get(target.name);
      if (prev === undefined || better(m, prev)) best.set(target.name, m);
    }
  }
  return best;
}
