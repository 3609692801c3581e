// Starts a fake ComfyUI and the proxy in front of it (admin key only, or with the key store of a temp
// data dir) on 127.0.0.1 port 0, and tears both down.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProxyStack, type ProxyStack, type ProxyStackConfig } from '../../main/compose/proxyStack';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

/** The proxy stack the tests start: loopback, port 0, the test admin key, no upstream or cloud key. */
export function testStackConfig(upstream: ProxyStackConfig['upstream'], dataDir: string, overrides: Partial<ProxyStackConfig> = {}): ProxyStackConfig {
  return {
    upstream,
    listenHost: '127.0.0.1',
    listenPort: 0,
    dataDir,
    adminKey: ADMIN_KEY,
    upstreamKey: () => null,
    cloudKey: () => null,
    version: 'test',
    ...overrides,
  };
}

export interface Harness {
  fake: FakeComfy;
  stack: ProxyStack;
  url: string;
  port: number;
  dataDir: string;
  auth: { authorization: string };
  close(): Promise<void>;
}

export async function startHarness(
  options: { requireKey?: string; upstreamKey?: string; cloudKey?: string } & Partial<Omit<ProxyStackConfig, 'upstreamKey' | 'cloudKey'>> = {},
): Promise<Harness> {
  const { requireKey, upstreamKey, cloudKey, ...overrides } = options;
  const fake = await startFakeComfy(requireKey ? { requireKey } : {});
  const dataDir = await mkdtemp(join(tmpdir(), 'cac-proxy-'));
  const stack = await startProxyStack(
    testStackConfig(fake.url, dataDir, { upstreamKey: () => upstreamKey ?? null, cloudKey: () => cloudKey ?? null, ...overrides }),
  );
  return {
    fake,
    stack,
    url: stack.proxy.url,
    port: stack.proxy.port,
    dataDir,
    auth: { authorization: `Bearer ${ADMIN_KEY}` },
    async close() {
      await stack.close(500);
      await fake.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
