// Bench process: the desktop app's composition root (main/compose/companion.ts) in plain Node — settings, secrets
// (the file fallback, no keychain), account, key store, sessions, monitor and the proxy listener — with no
// window and so nobody watching the monitor. The idle scenario reads its CPU time and RSS from /proc.
// Config (argv[2], JSON): { upstream, root? } — root loads the app from another checkout (`--compare`).
import Conf from 'conf';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serveParent } from './childProcess';
import type { BackingStoreClass } from '../main/settings/settingsStore';

const config = JSON.parse(process.argv[2] ?? '{}') as { upstream: string; root?: string };
const root = config.root ?? fileURLToPath(new URL('..', import.meta.url));
const load = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(join(root, rel)).href)) as T;
// A `--compare` checkout from before the layout of issue 19 has the composition root at main/companion.ts.
const companionPath = existsSync(join(root, 'main/compose/companion.ts')) ? 'main/compose/companion.ts' : 'main/companion.ts';

const { createCompanion } = await load<typeof import('../main/compose/companion')>(companionPath);
const { createSettingsStore } = await load<typeof import('../main/settings/settingsStore')>('main/settings/settingsStore.ts');
const { basicTextSafeStorage } = await load<typeof import('../test/fixtures/fakeSafeStorage')>('test/fixtures/fakeSafeStorage.ts');

const dataDir = mkdtempSync(join(tmpdir(), 'cac-bench-app-'));
const StoreClass = Conf as unknown as BackingStoreClass;
// Saved settings point at the fake upstream, as the app's connection screen would leave them.
const settings = createSettingsStore({ cwd: dataDir, StoreClass });
try {
  settings.update({ upstreams: [config.upstream] });
} catch {
  // A `--compare` checkout from before settings v5 knows a single upstreamUrl.
  settings.update({ upstreamUrl: config.upstream } as unknown as Parameters<typeof settings.update>[0]);
}
const app = await createCompanion({
  dataDir,
  appVersion: 'bench',
  safeStorage: basicTextSafeStorage,
  StoreClass,
  openExternal: async () => {},
  keyring: null,
  listenPortOverride: 0,
});
await app.start();

serveParent({ ready: () => ({ url: app.proxyUrl(), pid: process.pid }) });
