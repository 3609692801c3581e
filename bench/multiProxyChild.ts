// Bench process running the auth proxy in front of several upstreams (config.upstreams), admin key only.
import { serveParent } from './childProcess';
import { adminKeyAuthenticator } from '../main/auth/adminKey';
import { startProxy } from '../main/proxy/server';

const config = JSON.parse(process.argv[2] ?? '{}') as { upstreams: string[]; adminKey: string };
const proxy = await startProxy({ upstream: config.upstreams, listenHost: '127.0.0.1', listenPort: 0, keys: adminKeyAuthenticator(config.adminKey), version: 'bench' });

serveParent({
  ready: () => ({ url: proxy.url, port: proxy.port }),
  upstreams: () => proxy.upstreamStatus().map((s) => ({ id: s.id, state: s.state })),
});
