// `npm run bench`: starts the fake ComfyUI and the auth proxy in their own processes (and nginx when installed),
// runs the scenarios against direct / proxy / nginx, prints a markdown report and writes bench/results.md.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BenchChild } from './childProcess';
import { startNginx, NGINX_BIN, type RunningNginx } from './nginx';
import { runScenarios, type BenchContext, type BenchTarget, type ProxyProcess, type Scenario } from './scenario';
import { httpGetsScenario } from './httpGetsScenario';
import { uploadScenario } from './uploadScenario';
import { wsFramesScenario } from './wsFramesScenario';
import { keyCountScenario } from './keyCountScenario';
import { headlessStartScenario } from './headlessStartScenario';

// ─── EXTENSION POINT ────────────────────────────────────────────────────────────────────────────────
// The scenarios, run in this order. A scenario may start extra proxy processes with another authenticator
// through ctx.startProxy({ name, authModule, authArg }) (see proxyChild.ts and keyStoreAuth.ts).
const SCENARIOS: Scenario[] = [httpGetsScenario, uploadScenario, wsFramesScenario, keyCountScenario, headlessStartScenario];
// ────────────────────────────────────────────────────────────────────────────────────────────────────

interface FakeReady {
  url: string;
  port: number;
}
interface ProxyReady {
  url: string;
  port: number;
  presentKey: string;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const log = (line: string): void => console.error(line);
  const adminKey = randomBytes(32).toString('base64url'); // throwaway, never printed
  const children: BenchChild[] = [];
  let nginx: RunningNginx | null = null;
  const notes: string[] = ['Everything on one machine: load generator (autocannon / ws client), proxy, fake upstream and nginx share the CPU, so ratios matter more than absolute numbers.'];
  try {
    const fake = await BenchChild.start<FakeReady>('./fakeChild.ts', {});
    children.push(fake.child);
    const startProxyProcess = async (name: string, authModule?: string, authArg?: unknown): Promise<ProxyProcess> => {
      const p = await BenchChild.start<ProxyReady>('./proxyChild.ts', { upstream: fake.ready.url, adminKey, authModule, authArg });
      children.push(p.child);
      return { child: p.child, target: { name, url: p.ready.url, key: p.ready.presentKey } };
    };
    const proxy = await startProxyProcess('proxy');
    let nginxTarget: BenchTarget;
    try {
      nginx = await startNginx(fake.ready.port);
      nginxTarget = nginx ? { name: 'nginx', url: nginx.url, key: adminKey } : { name: 'nginx', url: null, key: adminKey, note: 'nginx not installed' };
      if (nginx) notes.push(`nginx: ${NGINX_BIN}, one worker, upstream keepalive 64, request/response buffering off.`);
    } catch (err) {
      nginxTarget = { name: 'nginx', url: null, key: adminKey, note: `nginx failed to start: ${err instanceof Error ? err.message : String(err)}` };
    }
    const ctx: BenchContext = {
      targets: [{ name: 'direct', url: fake.ready.url, key: adminKey }, proxy.target, nginxTarget],
      proxy,
      fake: fake.child,
      upstreamUrl: fake.ready.url,
      adminKey,
      startProxy: ({ name, authModule, authArg }) => startProxyProcess(name, authModule, authArg),
    };
    const loadBefore = loadavg()[0] ?? 0;
    const results = await runScenarios(SCENARIOS, ctx, log);
    notes.push(`1-minute load average before / after: ${loadBefore.toFixed(2)} / ${(loadavg()[0] ?? 0).toFixed(2)} — other processes on the machine add noise; each target's best interleaved round is reported.`);
    const { renderReport } = await import('./report');
    const report = renderReport(results, { startedAt, seconds: (Date.now() - startedAt.getTime()) / 1000, notes });
    process.stdout.write(report);
    const out = fileURLToPath(new URL('./results.md', import.meta.url));
    await writeFile(out, report);
    log(`wrote ${out}`);
  } finally {
    await nginx?.stop();
    await Promise.all(children.map((c) => c.stop()));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
