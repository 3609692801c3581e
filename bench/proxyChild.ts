// Bench process running the auth proxy alone, sampling its RSS every 50 ms so the bench can report the
// proxy's own peak memory growth during a large upload.
//
// Config (argv[2], JSON): { upstream, adminKey, authModule?, authArg? }. With authModule, that module's default
// export `(arg) => Promise<{ keys: KeyAuthenticator; presentKey: string }>` supplies the authenticator and the
// key clients should present (the extension point for key-store scenarios); otherwise the admin key alone.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { serveParent } from './childProcess';
import { startProxy } from '../main/proxy/server';
import { adminKeyAuthenticator } from '../main/proxy/adminKey';
import type { KeyAuthenticator, RateLimiter } from '../main/proxy/types';

interface Config {
  upstream: string;
  adminKey: string;
  authModule?: string;
  authArg?: unknown;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;

let keys: KeyAuthenticator = adminKeyAuthenticator(config.adminKey);
let presentKey = config.adminKey;
let rateLimiter: RateLimiter | undefined;
if (config.authModule) {
  const mod = (await import(pathToFileURL(resolve(config.authModule)).href)) as {
    default: (arg: unknown) => Promise<{ keys: KeyAuthenticator; presentKey: string; rateLimiter?: RateLimiter }>;
  };
  ({ keys, presentKey, rateLimiter } = await mod.default(config.authArg));
}

const proxy = await startProxy({ upstream: config.upstream, listenHost: '127.0.0.1', listenPort: 0, keys, rateLimiter, version: 'bench' });

let peak = process.memoryUsage.rss();
setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
}, 50).unref();

serveParent({
  ready: () => ({ url: proxy.url, port: proxy.port, presentKey }),
  /** Starts a new peak window; returns the RSS now (the baseline). */
  rssReset: () => {
    peak = process.memoryUsage.rss();
    return peak;
  },
  rssPeak: () => Math.max(peak, process.memoryUsage.rss()),
});
