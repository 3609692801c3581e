// Bench process running the auth proxy alone, sampling its RSS every 50 ms so the bench can report the
// proxy's own peak memory growth during a large upload. run.ts bundles it (bundleProxy.ts) and runs the
// bundle with plain Node, as the product ships; for `--compare REF` the bundle is built from REF's sources.
//
// Config (argv[2], JSON): { upstream, adminKey, auth?, authArg? }; `upstream` may list several (SPEC §10).
// - Without auth: the product's composition (main/compose/proxyStack.ts: key store, rate limiter, usage,
//   login sessions, job ledger) on a fresh data dir, with one access key created for the bench, so the
//   admin key and an access key (quotas, ledger and usage on) hit exactly what a user runs.
// - auth: 'keyStore': keyStoreAuth.ts supplies the authenticator for a bare startProxy (the key-store-size scenario).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveParent } from './childProcess';
import { gcCommands } from './gcWatch';
import keyStoreAuth from './keyStoreAuth';
import { startProxyStack } from '../main/compose/proxyStack';
import { startProxy } from '../main/proxy/server';

interface Config {
  upstream: string | string[];
  adminKey: string;
  auth?: 'keyStore';
  authArg?: unknown;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;

let url: string;
let port: number;
let accessKey: string | null = null;
let presentKey = config.adminKey;
if (config.auth === 'keyStore') {
  const auth = await keyStoreAuth(config.authArg);
  presentKey = auth.presentKey;
  const proxy = await startProxy({ upstream: config.upstream, listenHost: '127.0.0.1', listenPort: 0, keys: auth.keys, rateLimiter: auth.rateLimiter, version: 'bench' });
  ({ url, port } = proxy);
} else {
  const stack = await startProxyStack({
    dataDir: mkdtempSync(join(tmpdir(), 'cac-bench-proxy-')),
    adminKey: config.adminKey,
    upstream: config.upstream,
    listenHost: '127.0.0.1',
    listenPort: 0,
    upstreamKey: () => null,
    cloudKey: () => null,
    version: 'bench',
  });
  // Quotas on, set high enough that the bench's load is never refused (1 000 000 a minute is the maximum).
  const created = await stack.keys.store.create({ name: 'bench', scopes: ['generate'], requests_per_minute: 1_000_000, rate_limit: 1_000_000 });
  accessKey = created.secret;
  ({ url, port } = stack.proxy);
}

// The RSS sampler runs only inside an rssReset … rssPeak window, so it costs nothing in the CPU figures.
let peak = process.memoryUsage.rss();
let sampler: NodeJS.Timeout | null = null;

serveParent({
  ready: () => ({ url, port, presentKey, accessKey, pid: process.pid }),
  ...gcCommands,
  /** Starts a new peak window; returns the RSS now (the baseline). */
  rssReset: () => {
    peak = process.memoryUsage.rss();
    sampler ??= setInterval(() => {
      const rss = process.memoryUsage.rss();
      if (rss > peak) peak = rss;
    }, 50);
    return peak;
  },
  rssPeak: () => {
    if (sampler) clearInterval(sampler);
    sampler = null;
    return Math.max(peak, process.memoryUsage.rss());
  },
});
