// Bench process running the proxy stack (key store on a temp data dir) in front of one upstream, with access
// keys of the given shares, ordering ComfyUI's queue fairly or first come first served (config.queueOrder):
// the proxy of the fair-queue scenario, "before" (fifo) and "after" (fair) from the same code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveParent } from './childProcess';
import { startProxyStack } from '../main/compose/proxyStack';
import type { QueueOrderMode } from '../main/proxy/sharing/fairOrder';

const config = JSON.parse(process.argv[2] ?? '{}') as { upstream: string; adminKey: string; queueOrder: QueueOrderMode; keys: { name: string; share: number }[] };
const dataDir = mkdtempSync(join(tmpdir(), 'cac-bench-fair-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const stack = await startProxyStack({
  upstream: config.upstream,
  listenHost: '127.0.0.1',
  listenPort: 0,
  dataDir,
  adminKey: config.adminKey,
  upstreamKey: () => null,
  cloudKey: () => null,
  version: 'bench',
  queueOrder: config.queueOrder,
});
const secrets: Record<string, string> = {};
for (const k of config.keys) {
  // Quotas out of the way: the scenario measures order, not limits.
  secrets[k.name] = (await stack.keys.store.create({ name: k.name, share: k.share, rate_limit: 1_000_000, requests_per_minute: 1_000_000, max_queued: 10_000 })).secret;
}

serveParent({
  ready: () => ({ url: stack.proxy.url, secrets }),
});
