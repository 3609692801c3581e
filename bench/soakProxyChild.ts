// The soak's proxy process (bench/soak.ts): the product's proxy stack (main/compose/proxyStack.ts: key store,
// rate limiter, usage, login sessions, job ledger with its journal) on a fresh data dir, bundled and run by plain
// Node as shipped (bundleProxy.ts), with ten access keys made for the load. Its debug hook is this process's
// IPC channel, which only the bench has: memory, open file descriptors (/proc/self/fd), event-loop delay and the
// sizes of the maps that grow with input (main/common/sizeGauges.ts), every 5 s; the ledger's jobs at the end.
// No route, flag or environment variable of the product exposes any of it.
//
// Config (argv[2], JSON): { upstream, adminKey, keys }.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { serveParent } from './childProcess';
import { gaugeSizes } from '../main/common/sizeGauges';
import { startProxyStack } from '../main/compose/proxyStack';

const config = JSON.parse(process.argv[2] ?? '{}') as { upstream: string; adminKey: string; keys: number };
const dataDir = mkdtempSync(join(tmpdir(), 'cac-soak-'));
const logLines: string[] = [];
const stack = await startProxyStack({
  dataDir,
  adminKey: config.adminKey,
  upstream: config.upstream,
  listenHost: '127.0.0.1',
  listenPort: 0,
  upstreamKey: () => null,
  cloudKey: () => null,
  version: 'soak',
  onError: (err) => logLines.push(`error: ${err.message}`),
  slowClients: { log: (m) => logLines.push(`clients: ${m}`) },
});
const keys: { id: string; name: string; secret: string }[] = [];
for (let i = 0; i < config.keys; i++) {
  // Quotas on (as users have them), above what the load asks, so a refusal would be a finding.
  const { record, secret } = await stack.keys.store.create({ name: `key-${i}`, requests_per_minute: 6_000, rate_limit: 10_000, max_queued: 200 });
  keys.push({ id: record.key_id, name: record.name, secret });
}

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

serveParent({
  ready: () => ({ url: stack.proxy.url, pid: process.pid, keys, dataDir }),
  /** One sample; the event-loop delay histogram restarts with each. */
  sample: () => {
    const m = process.memoryUsage();
    const loop = { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 };
    delay.reset();
    // V8's spaces as committed (what they hold in RSS), to tell the JS heap apart from native memory.
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((sp) => [sp.space_name, sp.physical_space_size]));
    // RSS split by the kernel: anonymous memory (heaps, malloc) and file pages (the node binary's code as it runs).
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return {
      rss: m.rss,
      rssAnon: kib('RssAnon'),
      rssFile: kib('RssFile'),
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      spaces,
      fds: readdirSync('/proc/self/fd').length,
      loop,
      sizes: gaugeSizes(),
      slowClientsClosed: stack.proxy.slowClientsClosed(),
      inFlight: stack.proxy.inFlight(),
    };
  },
  /** Every job in the ledger: owner, state and times (GPU seconds = finished − started, when both are known). */
  jobs: () =>
    stack.proxy.ledger.list({ limit: Number.MAX_SAFE_INTEGER }).map((j) => ({
      id: j.promptId,
      owner: j.owner,
      ownerName: j.ownerName,
      clientId: j.clientId,
      state: j.state,
      queuedAt: j.queuedAt,
      startedAt: j.startedAt,
      finishedAt: j.finishedAt,
      outputs: j.outputs.length,
    })),
  /** What the proxy logged (slow clients, storage errors). */
  log: () => logLines.slice(),
});
