// `npm run bench`: starts the fake ComfyUI, a bare Node server and the auth proxy in their own processes (and
// nginx when installed), runs the scenarios, prints a markdown report and writes bench/results.md.
//   npm run bench -- --compare REF   also measures the proxy and app of git REF (e.g. main) in the same run
//   npm run bench -- --only WORD     runs only the scenarios whose title contains WORD (results.md untouched)
//   npm run bench -- --cpu-prof DIR  writes a V8 CPU profile of each proxy process into DIR (open in Chrome DevTools)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleBenchChild } from './bundleProxy';
import { BenchChild } from './childProcess';
import { shippedNodeFlags } from './shippedNodeFlags';
import { startNginx, NGINX_BIN, type RunningNginx } from './nginx';
import { runScenarios, type BenchContext, type BenchRoot, type BenchTarget, type ProxyProcess, type Scenario } from './scenario';
import { httpGetsScenario } from './httpGetsScenario';
import { jsonReadsScenario } from './jsonReadsScenario';
import { downloadScenario, uploadScenario } from './uploadScenario';
import { wsFramesScenario } from './wsFramesScenario';
import { keyCountScenario } from './keyCountScenario';
import { idleScenario } from './idleScenario';
import { headlessStartScenario } from './headlessStartScenario';
import { multiUpstreamScenario } from './multiUpstreamScenario';
import { objectInfoScenario } from './objectInfoScenario';
import { fairQueueScenario } from './fairQueueScenario';

// ─── EXTENSION POINT ────────────────────────────────────────────────────────────────────────────────
// The scenarios, run in this order. A scenario may start extra proxy processes with another authenticator
// through ctx.startProxy({ name, auth, authArg, upstreams, root }) (see proxyChild.ts and keyStoreAuth.ts).
const SCENARIOS: Scenario[] = [httpGetsScenario, jsonReadsScenario, wsFramesScenario, uploadScenario, downloadScenario, idleScenario, keyCountScenario, headlessStartScenario, multiUpstreamScenario, objectInfoScenario, fairQueueScenario];
// ────────────────────────────────────────────────────────────────────────────────────────────────────

const HERE = fileURLToPath(new URL('..', import.meta.url));

interface ProxyReady {
  url: string;
  port: number;
  presentKey: string;
  accessKey: string | null;
  pid: number;
}

/** Unpacks git `ref` of this repository into a temp dir that shares this checkout's node_modules. */
function checkoutRef(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cac-bench-ref-'));
  const tar = execFileSync('git', ['archive', '--format=tar', ref], { cwd: HERE, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(join(HERE, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { compare: { type: 'string' }, only: { type: 'string' }, 'cpu-prof': { type: 'string' } } });
  const startedAt = new Date();
  const log = (line: string): void => console.error(line);
  const adminKey = randomBytes(32).toString('base64url'); // throwaway, never printed
  const children: BenchChild[] = [];
  let nginx: RunningNginx | null = null;
  const roots: BenchRoot[] = [{ label: 'this checkout', root: HERE, suffix: '' }];
  if (values.compare) roots.push({ label: values.compare, root: checkoutRef(values.compare), suffix: ` @${values.compare}` });
  const notes: string[] = [
    'Everything on one machine: load generator (autocannon / ws client), proxy, fake upstream and nginx share the CPU, so wall-clock figures (req/s, latency, frames/s) move with the machine\'s load; CPU time per request or frame, read from /proc, is the steady figure.',
  ];
  if (values.compare) notes.push(`Rows marked @${values.compare} run the proxy and app of git ${values.compare} (same machine, same run, interleaved with this checkout's).`);
  for (const r of roots) notes.push(`Proxy processes of ${r.label} run with the Node flags of its \`npm run headless\`: ${shippedNodeFlags(r.root).join(' ') || 'none'}.`);
  try {
    const fake = await BenchChild.start<{ url: string; port: number }>('./fakeChild.ts', {});
    children.push(fake.child);
    const statsBody = await (await fetch(`${fake.ready.url}/system_stats`)).text();
    const bare = await BenchChild.start<{ url: string; pid: number }>('./bareChild.ts', { body: statsBody });
    children.push(bare.child);
    const profileDir = values['cpu-prof'];
    const profileArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    // The proxy runs as shipped: an esbuild bundle (bundleProxy.ts), one per checkout measured.
    const bundles = new Map<string, string>();
    for (const r of roots) bundles.set(r.root, await bundleBenchChild('proxyChild', r.root));
    const startProxyProcess = async (name: string, auth?: 'keyStore', authArg?: unknown, root = HERE, upstream: string | string[] = fake.ready.url, nodeFlags = shippedNodeFlags(root)) => {
      const p = await BenchChild.start<ProxyReady>(bundles.get(root) ?? '', { upstream, adminKey, auth, authArg }, [...nodeFlags, ...profileArgs]);
      children.push(p.child);
      const target: BenchTarget = { name, url: p.ready.url, key: p.ready.presentKey, pid: p.ready.pid, role: 'proxy', behindFake: true, child: p.child };
      return { process: { child: p.child, target } satisfies ProxyProcess, accessKey: p.ready.accessKey };
    };
    const proxies = [];
    for (const r of roots) proxies.push({ root: r, ...(await startProxyProcess(`proxy${r.suffix}`, undefined, undefined, r.root)) });
    const proxy = (proxies[0] as (typeof proxies)[number]).process;
    let nginxTarget: BenchTarget;
    try {
      nginx = await startNginx(fake.ready.port);
      nginxTarget = nginx
        ? { name: 'nginx', url: nginx.url, key: adminKey, pid: nginx.pid, role: 'nginx', behindFake: true }
        : { name: 'nginx', url: null, key: adminKey, note: 'nginx not installed (apt-get install nginx-light)' };
      if (nginx) notes.push(`nginx: ${NGINX_BIN}, one process (master_process off), upstream keepalive 64, request/response buffering off, no auth.`);
    } catch (err) {
      nginxTarget = { name: 'nginx', url: null, key: adminKey, note: `nginx failed to start: ${err instanceof Error ? err.message : String(err)}` };
    }
    const direct: BenchTarget = { name: 'direct', url: fake.ready.url, key: adminKey, pid: fake.child.pid, role: 'direct', behindFake: true };
    const minimal = await BenchChild.start<{ url: string; pid: number }>(await bundleBenchChild('minimalProxyChild', HERE), { upstream: fake.ready.url, adminKey });
    children.push(minimal.child);
    const getTargets: BenchTarget[] = [
      { name: 'bare Node server', url: bare.ready.url, key: adminKey, pid: bare.ready.pid, role: 'bare' },
      direct,
      nginxTarget,
      { name: 'minimal Node proxy (undici, bearer check only)', url: minimal.ready.url, key: adminKey, pid: minimal.ready.pid, role: 'minimal', behindFake: true, child: minimal.child },
    ];
    for (const p of proxies) {
      getTargets.push({ ...p.process.target, name: `proxy${p.root.suffix}, admin key` });
      if (p.accessKey) getTargets.push({ ...p.process.target, name: `proxy${p.root.suffix}, access key`, key: p.accessKey });
    }
    const ctx: BenchContext = {
      targets: [direct, ...proxies.map((p) => p.process.target), nginxTarget],
      getTargets,
      roots,
      proxy,
      fake: fake.child,
      upstreamUrl: fake.ready.url,
      adminKey,
      startProxy: async ({ name, auth, authArg, upstreams, root, nodeFlags }) => {
        const p = await startProxyProcess(name, auth, authArg, root?.root ?? HERE, upstreams, nodeFlags);
        return { ...p.process, accessKey: p.accessKey };
      },
    };
    const only = values.only?.toLowerCase();
    const scenarios = only ? SCENARIOS.filter((s) => s.title.toLowerCase().includes(only)) : SCENARIOS;
    const loadBefore = loadavg()[0] ?? 0;
    const results = await runScenarios(scenarios, ctx, log);
    notes.push(`1-minute load average before / after: ${loadBefore.toFixed(2)} / ${(loadavg()[0] ?? 0).toFixed(2)} (2 cores shared with other work).`);
    const { renderReport } = await import('./report');
    const report = renderReport(results, { startedAt, seconds: (Date.now() - startedAt.getTime()) / 1000, notes });
    process.stdout.write(report);
    if (!only) {
      const out = fileURLToPath(new URL('./results.md', import.meta.url));
      await writeFile(out, report);
      log(`wrote ${out}`);
    }
  } finally {
    await nginx?.stop();
    await Promise.all(children.map((c) => c.stop()));
    for (const r of roots.slice(1)) rmSync(r.root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
