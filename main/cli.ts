// Headless entry: `npm run headless -- [options]` runs the auth proxy in plain Node (no Electron),
// and `… keys <command>` scripts the key store. Exit code 2 for bad usage, unreadable key files
// and non-loopback listen addresses.
import { parseArgs } from 'node:util';
import pkg from '../package.json' with { type: 'json' };
import { KeyFileError, loadOrCreateAdminKey, readKeyFile } from './adminKeyFile';
import { defaultDataDir } from './dataDir';
import { ListenAddressError, parseListenAddress } from './proxy/listenAddress';
import { startProxyStack } from './proxyStack';

const HELP = `ComfyUI Auth Companion ${pkg.version} — loopback auth proxy for ComfyUI (headless)

Usage:
  comfy-auth-companion [options]            run the proxy
  comfy-auth-companion keys <command> ...   manage access keys (see: keys --help)

Options:
  --upstream URL           ComfyUI to protect (default http://127.0.0.1:8188); repeat for several
  --allowed-host NAME      a host name besides localhost that may reach the proxy (a tunnel); repeatable
  --listen HOST:PORT       loopback address to listen on (default 127.0.0.1:8189)
  --data-dir DIR           key store and state (default: the desktop app's folder,
                           ${defaultDataDir()})
  --api-key KEY            admin key (prefer --api-key-file: arguments are visible to other users)
  --api-key-file FILE      admin key from a file; with neither, one is generated into
                           <data-dir>/admin.key (mode 0600) and reused
  --upstream-key-file FILE key the upstream ComfyUI itself demands (sent as Authorization: Bearer)
  --upstream-timeout SECS  wait this long for ComfyUI to start answering a request (default 60)
  --cloud-key-env VAR      environment variable holding the Comfy Cloud key (default COMFY_API_KEY)
  --cloud-base-url URL     Comfy Cloud API base URL (default https://cloud.comfy.org/developer/api/v1)
  -h, --help               show this help
  -v, --version            print the version
`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

function fail(io: Io, message: string): number {
  io.err(`comfy-auth-companion: ${message}\n`);
  return 2;
}

export async function main(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv[0] === 'keys') {
    const dataDirAt = argv.indexOf('--data-dir');
    const dataDir = dataDirAt > 0 ? argv[dataDirAt + 1] : undefined;
    const rest = argv.slice(1).filter((_, i, a) => a[i] !== '--data-dir' && a[i - 1] !== '--data-dir');
    if (dataDirAt > 0 && !dataDir) return fail(io, '--data-dir needs a folder');
    const { runKeysCommand } = await import('./keys/keysCli');
    return runKeysCommand(rest, { dataDir: dataDir ?? defaultDataDir(env), stdout: io.out, stderr: io.err });
  }

  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        upstream: { type: 'string', multiple: true },
        'allowed-host': { type: 'string', multiple: true },
        listen: { type: 'string', default: '127.0.0.1:8189' },
        'data-dir': { type: 'string' },
        'api-key': { type: 'string' },
        'api-key-file': { type: 'string' },
        'upstream-key-file': { type: 'string' },
        'upstream-timeout': { type: 'string', default: '60' },
        'cloud-key-env': { type: 'string', default: 'COMFY_API_KEY' },
        'cloud-base-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (err) {
    return fail(io, `${(err as Error).message}\nRun with --help for usage.`);
  }
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (values.version) {
    io.out(`${pkg.version}\n`);
    return 0;
  }

  let listen;
  try {
    listen = parseListenAddress(values.listen);
  } catch (err) {
    if (err instanceof ListenAddressError) return fail(io, err.message);
    throw err;
  }
  if (values['api-key'] && values['api-key-file']) return fail(io, 'give either --api-key or --api-key-file, not both');
  const dataDir = values['data-dir'] ?? defaultDataDir(env);
  const upstreamTimeoutS = Number(values['upstream-timeout']);
  if (!/^\d+(\.\d+)?$/.test(values['upstream-timeout']) || !(upstreamTimeoutS > 0 && upstreamTimeoutS <= 86_400)) {
    return fail(io, '--upstream-timeout must be a number of seconds between 0 and 86400, e.g. 60');
  }

  let adminKey: string;
  let upstreamKey: string | null = null;
  try {
    if (values['api-key']) adminKey = values['api-key'];
    else if (values['api-key-file']) adminKey = readKeyFile(values['api-key-file'], 'admin key');
    else {
      const stored = loadOrCreateAdminKey(dataDir);
      adminKey = stored.key;
      io.out(`${stored.created ? 'generated an admin key in' : 'using the admin key in'} ${stored.path}\n`);
    }
    if (values['upstream-key-file']) upstreamKey = readKeyFile(values['upstream-key-file'], 'upstream key');
  } catch (err) {
    if (err instanceof KeyFileError) return fail(io, err.message);
    throw err;
  }
  if (adminKey.length < 16) return fail(io, 'the admin key must be at least 16 characters');
  const upstreams = values.upstream && values.upstream.length > 0 ? values.upstream : ['http://127.0.0.1:8188'];
  const allowedHosts = (values['allowed-host'] ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean);
  const badHost = allowedHosts.find((h) => !/^[a-z0-9.-]+(?::\d{1,5})?$/.test(h));
  if (badHost) return fail(io, `--allowed-host "${badHost}" is not a host name (e.g. gpu-box.tailnet.ts.net or gpu-box:9000)`);
  const cloudVar = values['cloud-key-env'];
  const cloudKey = env[cloudVar]?.trim() || null;

  let stack;
  try {
    stack = await startProxyStack({
      upstream: upstreams,
      allowedHosts: () => allowedHosts,
      listenHost: listen.host,
      listenPort: listen.port,
      dataDir,
      adminKey,
      upstreamKey: () => upstreamKey,
      cloudKey: () => cloudKey,
      version: pkg.version,
      upstreamTimeoutMs: upstreamTimeoutS * 1000,
      onError: (err) => io.err(`warning: ${err.message}\n`),
      onUpstreamEvent: (message) => io.err(`upstream: ${message}\n`),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') return fail(io, `${values.listen} is already in use (is the companion already running?)`);
    return fail(io, e.message);
  }
  if (cloudKey) io.out(`Comfy Cloud key from $${cloudVar} will be added to queued prompts\n`);
  io.out(`listening on ${stack.proxy.url} -> ${upstreams.join(', ')}\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      io.out(`received ${signal}, shutting down\n`);
      stack.close(5_000).then(
        () => resolve(0),
        (err: Error) => {
          io.err(`error while shutting down: ${err.message}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

const isEntry = process.argv[1] !== undefined && /(?:^|[/\\])(?:cli\.(?:ts|mjs|js)|comfy-auth-companion(?:\.mjs)?)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`comfy-auth-companion: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
