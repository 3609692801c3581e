// Headless entry: `npm run headless -- [options]` runs the auth proxy in plain Node (no Electron),
// and `… keys <command>` scripts the key store. Exit code 2 for bad usage, unreadable key files
// and non-loopback listen addresses. Messages: main/cli/messages.ts; the launcher: bin/.
import pkg from '../../package.json' with { type: 'json' };
import { KeyFileError, loadOrCreateAdminKey, readKeyFile } from '../auth/adminKeyFile';
import { formatDuration } from './duration';
import { BIN_NAME, invocationOf } from './invocation';
import { errorLine, usageErrorText, warningLine } from './messages';
import { parseOptions } from './parseOptions';
import { watchForShutdown } from './shutdownSignals';
import { UsageError } from './usageError';
import { DATA_DIR_ENV, chooseDataDir, defaultDataDir } from '../common/dataDir';
import { normalizeSharedFolder, sharedFolderProblem } from '../common/inputFolders';
import { ListenAddressError, parseListenAddress } from '../http/listenAddress';
import { startProxyStack } from '../compose/proxyStack';

const help = (invocation: string) => `ComfyUI Auth Companion ${pkg.version} — loopback auth proxy for ComfyUI (headless)

Usage:
  ${invocation} [options]            run the proxy
  ${invocation} keys <command> ...   manage access keys (see: ${invocation} keys --help)

Options:
  --upstream URL           ComfyUI to protect (default http://127.0.0.1:8188); repeat for several
  --allowed-host NAME      a host name besides localhost that may reach the proxy (a tunnel); repeatable
  --shared-input-folder D  a folder of ComfyUI's input folder every key may read (uploads are private to
                           their key; the top level and 3d/ are shared); repeatable
  --listen HOST:PORT       loopback address to listen on (default 127.0.0.1:8189)
  --data-dir DIR           key store and state (default: $${DATA_DIR_ENV} when set, else
                           the desktop app's folder, ${defaultDataDir()})
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

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** How the user ran us, for hints (see invocationOf). */
  invocation?: string;
}

/** Exit code 2, with a --help hint for usage errors. */
function fail(io: Io, message: string, usage = false): number {
  io.err(usage ? usageErrorText(new UsageError(message), io.invocation ?? BIN_NAME) : errorLine(message));
  return 2;
}

export async function main(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const invocation = io.invocation ?? BIN_NAME;
  if (argv[0] === 'keys') {
    const { runKeysCommand } = await import('./keysCli');
    const chosen = chooseDataDir(undefined, env);
    const from = chosen.from === 'env' ? 'env' : 'default';
    return runKeysCommand(argv.slice(1), { dataDir: chosen.dir, dataDirFrom: from, stdout: io.out, stderr: io.err, invocation });
  }

  let values;
  try {
    ({ values } = parseOptions(argv, {
      topic: '',
      options: {
        upstream: { type: 'string', multiple: true },
        'allowed-host': { type: 'string', multiple: true },
        'shared-input-folder': { type: 'string', multiple: true },
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
    if (err instanceof UsageError) return fail(io, err.message, true);
    throw err;
  }
  if (values.help) {
    io.out(help(invocation));
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
    if (err instanceof ListenAddressError) return fail(io, err.message, true);
    throw err;
  }
  if (values['api-key'] && values['api-key-file']) return fail(io, 'Give either --api-key or --api-key-file, not both', true);
  const dataDir = chooseDataDir(values['data-dir'], env).dir;
  const upstreamTimeoutS = Number(values['upstream-timeout']);
  if (!/^\d+(\.\d+)?$/.test(values['upstream-timeout']) || !(upstreamTimeoutS > 0 && upstreamTimeoutS <= 86_400)) {
    return fail(io, `--upstream-timeout takes a number of seconds above 0 and up to ${formatDuration(86_400_000)}, e.g. 60 (got "${values['upstream-timeout']}")`, true);
  }

  // Every option is checked before anything is written (the admin key file).
  const upstreams = values.upstream && values.upstream.length > 0 ? values.upstream : ['http://127.0.0.1:8188'];
  const allowedHosts = (values['allowed-host'] ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean);
  const badHost = allowedHosts.find((h) => !/^[a-z0-9.-]+(?::\d{1,5})?$/.test(h));
  if (badHost) return fail(io, `--allowed-host "${badHost}" is not a host name (e.g. gpu-box.tailnet.ts.net or gpu-box:9000)`, true);
  const sharedInputFolders = (values['shared-input-folder'] ?? []).map(normalizeSharedFolder);
  const folderProblem = sharedInputFolders.map(sharedFolderProblem).find((p) => p !== null);
  if (folderProblem) return fail(io, `--shared-input-folder: ${folderProblem}`, true);

  let adminKey: string;
  let upstreamKey: string | null = null;
  try {
    if (values['api-key']) adminKey = values['api-key'];
    else if (values['api-key-file']) adminKey = readKeyFile(values['api-key-file'], 'admin key');
    else {
      const stored = loadOrCreateAdminKey(dataDir);
      adminKey = stored.key;
      io.out(`${stored.created ? 'Generated an admin key in' : 'Using the admin key in'} ${stored.path}\n`);
    }
    if (values['upstream-key-file']) upstreamKey = readKeyFile(values['upstream-key-file'], 'upstream key');
  } catch (err) {
    if (err instanceof KeyFileError) return fail(io, err.message);
    throw err;
  }
  if (adminKey.length < 16) return fail(io, 'The admin key must be at least 16 characters', true);
  const cloudVar = values['cloud-key-env'];
  const cloudKey = env[cloudVar]?.trim() || null;

  let stack;
  try {
    stack = await startProxyStack({
      upstream: upstreams,
      allowedHosts: () => allowedHosts,
      sharedInputFolders: () => sharedInputFolders,
      listenHost: listen.host,
      listenPort: listen.port,
      dataDir,
      adminKey,
      headless: true,
      upstreamKey: () => upstreamKey,
      cloudKey: () => cloudKey,
      version: pkg.version,
      upstreamTimeoutMs: upstreamTimeoutS * 1000,
      onError: (err) => io.err(warningLine(err.message)),
      onUpstreamEvent: (message) => io.err(`upstream: ${message}\n`),
      slowClients: { log: (message) => io.err(`clients: ${message}\n`) },
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') return fail(io, `${values.listen} is already in use (is the companion already running?). Pick another port with --listen 127.0.0.1:PORT`);
    return fail(io, e.message);
  }
  // Signals are watched before the ready line: whoever waits for it (a service manager, a test, Ctrl-C) may
  // signal at once, and until a listener is installed Node's default for SIGINT/SIGTERM kills without a close.
  const shutdown = watchForShutdown();
  if (cloudKey) io.out(`The Comfy Cloud key from $${cloudVar} will be added to queued prompts.\n`);
  io.out(`listening on ${stack.proxy.url} -> ${upstreams.join(', ')}\n`);
  const signal = await shutdown.signal;
  io.out(`Received ${signal}, shutting down.\n`);
  try {
    await stack.close(5_000);
    return 0;
  } catch (err) {
    io.err(errorLine(`Error while shutting down: ${(err as Error).message}`));
    return 1;
  } finally {
    shutdown.dispose();
  }
}

/** Runs the CLI as this process (the launcher in bin/ and `node dist/cli.mjs` call this) and exits with its code. */
export async function run(argv: string[] = process.argv.slice(2)): Promise<never> {
  const io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), invocation: invocationOf() };
  let code: number;
  try {
    code = await main(argv, io);
  } catch (err) {
    io.err(errorLine((err as Error).message));
    code = 1;
  }
  // Let piped stdout drain before exiting (a `keys list | head` reader must get every line).
  await new Promise<void>((r) => process.stdout.write('', () => r()));
  process.exit(code);
}

const isEntry = process.argv[1] !== undefined && /(?:^|[/\\])cli\.(?:ts|mjs|js)$/.test(process.argv[1]);
if (isEntry) void run();
