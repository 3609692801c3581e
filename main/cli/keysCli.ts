// `keys` subcommands of the headless CLI: create, list, revoke, rotate on a data dir, without a
// running server (a running server on the same dir picks the change up within a second).
// Wording, option errors and durations come from main/cli/ so every command speaks alike.
import { formatDuration, parseDuration } from './duration';
import { BIN_NAME } from './invocation';
import { errorLine, usageErrorText } from './messages';
import { parseOptions } from './parseOptions';
import { UsageError } from './usageError';
import { CompanionError } from '../common/errors';
import { GRACE_MAX_S, QUEUE_MAX, RATE_LIMIT_MAX } from '../keys/keyInput';
import { checkScopes, COMMON_OPTIONS, shareNumber, shareText, statusOf, storeErrorAsFlag, wholeNumber } from './keysCliFlags';
import { KeyStore, KeyStoreCorruptError } from '../keys/keyStore';
import type { KeyRecord } from '../keys/keyRecord';
import { UsageRecorder } from '../keys/usageRecorder';
import { runReportCommand, recordCliChanges } from './cliHooks';
import { CLOUD_OPTIONS, cloudCell, cloudFields, cloudFootnote } from './keysBudgetFlags';
import { UPDATE_HELP, updateKey } from './keysUpdate';
import { resolveKeyRef } from './keyRef';
import { DATA_DIR_ENV, type ChosenDataDir } from '../common/dataDir';

export interface KeysCliIo {
  /** The data dir without --data-dir (from COMFY_COMPANION_DATA_DIR or the default: `dataDirFrom`). */
  dataDir: string;
  dataDirFrom?: Exclude<ChosenDataDir['from'], 'flag'>;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Epoch ms. */
  now?: () => number;
  /** How the user ran the CLI, for hints ("npm run headless --", "comfy-auth-companion"). */
  invocation?: string;
}

export function keysHelp(invocation = BIN_NAME): string {
  return `Usage: ${invocation} keys <command> [options]   (each command also takes --data-dir DIR)

Commands:
  create --name NAME [--rate-limit JOBS_PER_HOUR] [--requests-per-minute N] [--max-queued N] [--comfy-user USER]
         [--cloud [--cloud-jobs-per-day N]] [--gpu-seconds-per-day N] [--share N] [--expires-in 30d|12h|90m]
         [--scope read|generate|admin|metrics ...] [--json]
                        Create an access key. The key is printed once: save it then. --cloud lets its
                        jobs spend your Comfy account's credits (paid API nodes); without it they may not.
                        --share (default 1) weighs its turns on the GPU: while keys wait, share 2 gets
                        about twice the GPU time of share 1.
  list [--json]         Show all access keys (never the secrets).
${UPDATE_HELP}
  revoke KEY_ID|NAME    Revoke an access key: refused at once, for good.
  rotate KEY_ID|NAME [--grace 10m] [--json]
                        Give an access key a new secret; the old one stops (after the grace period).
  audit [--since 7d] [--json|--csv]
                        Who changed which key, logins, logouts, settings (see: keys audit --help).
  usage [ID] [--days N] [--csv|--json]
                        Requests, jobs and GPU seconds per key and day.
  --help                Show this help (also after a command: keys create --help).

Without --data-dir, commands use $${DATA_DIR_ENV} when it is set, else the desktop app's folder;
create and list say which store they used.

Exit codes: 0 done, 1 failed (unknown id, unreadable store), 2 bad usage.
`;
}

/** `argv` is what follows the word `keys` (a leading "keys" is tolerated). Resolves to the exit code. */
export async function runKeysCommand(argv: string[], io: KeysCliIo): Promise<number> {
  const args = argv[0] === 'keys' ? argv.slice(1) : [...argv];
  // `keys --data-dir DIR create …` works like `keys create --data-dir DIR …`.
  const lead = args[0] === '--data-dir' ? args.splice(0, 2) : args[0]?.startsWith('--data-dir=') ? args.splice(0, 1) : [];
  const [command, ...tail] = args;
  const rest = [...tail, ...lead];
  const invocation = io.invocation ?? BIN_NAME;
  try {
    if (command === '--help' || command === '-h' || command === 'help') {
      io.stdout(keysHelp(invocation));
      return 0;
    }
    if (command === undefined) {
      io.stderr(keysHelp(invocation));
      return 2;
    }
    switch (command) {
      case 'create':
        return await create(rest, io);
      case 'list':
        return list(rest, io);
      case 'revoke':
        return await revoke(rest, io);
      case 'update': {
        const done = await updateKey(rest, (values) => openStore(values, io), io.stdout);
        return done === 'help' ? help(io) : done;
      }
      case 'rotate':
        return await rotate(rest, io);
      case 'audit':
      case 'usage':
        return runReportCommand(command, rest, io);
      default:
        if (command.startsWith('-')) throw new UsageError(`Give a command before its options (create, list, update, revoke, rotate, audit or usage), not "${command}"`, 'keys');
        throw new UsageError(`Unknown command "${command}" (commands: create, list, update, revoke, rotate, audit, usage)`, 'keys');
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(usageErrorText(err, invocation));
      return 2;
    }
    if (err instanceof CompanionError && err.code === 'invalid_request') {
      io.stderr(usageErrorText(new UsageError(storeErrorAsFlag(err.message), `keys ${command}`), invocation));
      return 2;
    }
    if (err instanceof CompanionError && err.code === 'not_found') {
      io.stderr(errorLine(`${err.message}. The ID and NAME columns of "${invocation} keys list${dataDirSuffix(rest)}" show them`));
      return 1;
    }
    if (err instanceof CompanionError || err instanceof KeyStoreCorruptError) {
      io.stderr(errorLine(err.message));
      return 1;
    }
    io.stderr(errorLine((err as Error).message));
    return 1;
  }
}

const COMMON = COMMON_OPTIONS;

/** A pasteable ` --data-dir DIR` when the user gave one, so a hint's command opens the same store. */
function dataDirSuffix(args: readonly string[]): string {
  const at = args.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='));
  const dir = at < 0 ? undefined : args[at]!.startsWith('--data-dir=') ? args[at]!.slice('--data-dir='.length) : args[at + 1];
  if (!dir) return '';
  return ` --data-dir ${/^[\w@%+=:,./~-]+$/.test(dir) ? dir : `'${dir.replaceAll("'", "'\\''")}'`}`;
}

/** Which store a command used, on stderr (stdout stays the key, the table or the JSON). */
function storeLine(values: Record<string, unknown>, io: KeysCliIo): string {
  if (typeof values['data-dir'] === 'string') return `Key store: ${values['data-dir']}\n`;
  if (io.dataDirFrom === 'env') return `Key store: ${io.dataDir} (from ${DATA_DIR_ENV})\n`;
  if (io.dataDirFrom === 'default') return `Key store: ${io.dataDir} (the desktop app's folder; give --data-dir or set ${DATA_DIR_ENV} for another)\n`;
  return `Key store: ${io.dataDir}\n`;
}

function openStore(values: Record<string, unknown>, io: KeysCliIo): KeyStore {
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : io.dataDir;
  // Read-only usage: the CLI shows last_used but only the server writes usage.json.
  const usage = new UsageRecorder({ dataDir, readOnly: true, now: io.now });
  return recordCliChanges(new KeyStore({ dataDir, now: io.now, lastUsed: (id) => usage.lastUsed(id) }), dataDir, io.now);
}

async function create(args: string[], io: KeysCliIo): Promise<number> {
  const topic = 'keys create';
  const { values } = parseOptions(args, {
    topic,
    options: {
      ...COMMON,
      name: { type: 'string' },
      'rate-limit': { type: 'string' },
      'requests-per-minute': { type: 'string' },
      'max-queued': { type: 'string' },
      'comfy-user': { type: 'string' },
      'expires-in': { type: 'string' },
      scope: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      share: { type: 'string' },
      ...CLOUD_OPTIONS,
    },
  });
  if (values.help) return help(io);
  if (values.name === undefined) throw new UsageError('--name is required (a label for the person or script that will use the key)', topic);
  const rateLimit = values['rate-limit'] === undefined ? undefined : wholeNumber(values['rate-limit'], '--rate-limit', RATE_LIMIT_MAX, topic);
  const requestsPerMinute = values['requests-per-minute'] === undefined ? undefined : wholeNumber(values['requests-per-minute'], '--requests-per-minute', RATE_LIMIT_MAX, topic);
  const maxQueued = values['max-queued'] === undefined ? undefined : wholeNumber(values['max-queued'], '--max-queued', QUEUE_MAX, topic);
  const now = (io.now ?? Date.now)();
  const expiresIn = values['expires-in'] === undefined ? undefined : parseDuration(values['expires-in'], '--expires-in', topic);
  const scopes = values.scope === undefined ? undefined : checkScopes(values.scope, topic);
  const share = values.share === undefined ? undefined : shareNumber(values.share, topic);
  const store = openStore(values, io);
  const { record, secret } = await store.create({
    name: values.name,
    rate_limit: rateLimit,
    requests_per_minute: requestsPerMinute,
    max_queued: maxQueued,
    comfy_user: values['comfy-user'],
    ...cloudFields(values, topic),
    share,
    expires_at: expiresIn === undefined ? undefined : (now + expiresIn) / 1000,
    scopes,
  });
  await store.close();
  io.stderr(storeLine(values, io));
  if (values.json) {
    io.stdout(`${JSON.stringify({ ...record, api_key: secret })}\n`);
  } else {
    const expires = record.expires_at ? `, expires ${iso(record.expires_at)} (in ${formatDuration(record.expires_at * 1000 - now)})` : '';
    io.stdout(
      `Created access key "${record.name}" (id ${record.key_id}, ${record.rate_limit} jobs per hour, ${record.requests_per_minute} requests per minute, at most ${record.max_queued} queued, scopes ${record.scopes.join(', ')}, ${record.cloud ? `may spend your Comfy credits${record.cloud_jobs_per_day === null ? '' : ` (${record.cloud_jobs_per_day} jobs a day)`}` : 'may not spend your Comfy credits'}, GPU share ${shareText(record.share)}${record.comfy_user ? `, ComfyUI user ${record.comfy_user}` : ''}${expires}).\n`,
    );
    io.stdout(`${secret}\n`);
    io.stdout('Save this key now: it will not be shown again.\n');
  }
  return 0;
}

function list(args: string[], io: KeysCliIo): number {
  const { values } = parseOptions(args, { topic: 'keys list', options: { ...COMMON, json: { type: 'boolean' } } });
  if (values.help) return help(io);
  const keys = openStore(values, io).list();
  io.stderr(storeLine(values, io));
  if (values.json) {
    io.stdout(`${JSON.stringify({ keys })}\n`);
    return 0;
  }
  if (keys.length === 0) {
    io.stdout(`No access keys yet. Create one with: ${io.invocation ?? BIN_NAME} keys create${dataDirSuffix(args)} --name NAME\n`);
    return 0;
  }
  const now = (io.now ?? Date.now)() / 1000;
  const rows = [['ID', 'NAME', 'STATUS', 'RATE/H', 'CLOUD', 'SHARE', 'LAST USED', 'EXPIRES', 'SCOPES'], ...keys.map((k) => row(k, now))];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) io.stdout(`${r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
  const note = cloudFootnote(keys, io.invocation ?? BIN_NAME);
  if (note) io.stdout(`\n${note}`);
  return 0;
}

async function revoke(args: string[], io: KeysCliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { topic: 'keys revoke', options: COMMON, positional: { name: 'key id or name' } });
  if (values.help) return help(io);
  const store = openStore(values, io);
  const record = await store.revoke(resolveKeyRef(store.list(), positionals[0]!, (io.now ?? Date.now)() / 1000).key_id);
  await store.close();
  io.stdout(`Revoked access key "${record.name}" (id ${record.key_id}). Requests with it are refused from now on.\n`);
  return 0;
}

async function rotate(args: string[], io: KeysCliIo): Promise<number> {
  const topic = 'keys rotate';
  const { values, positionals } = parseOptions(args, { topic, options: { ...COMMON, grace: { type: 'string' }, json: { type: 'boolean' } }, positional: { name: 'key id or name' } });
  if (values.help) return help(io);
  const graceMs = values.grace === undefined ? undefined : parseDuration(values.grace, '--grace', topic);
  if (graceMs !== undefined && graceMs > GRACE_MAX_S * 1000) throw new UsageError(`--grace can be at most ${formatDuration(GRACE_MAX_S * 1000)}`, topic);
  const store = openStore(values, io);
  const ref = resolveKeyRef(store.list(), positionals[0]!, (io.now ?? Date.now)() / 1000).key_id;
  const { record, secret, previousValidUntil } = await store.rotate(ref, { graceSeconds: graceMs === undefined ? undefined : graceMs / 1000 });
  await store.close();
  if (values.json) {
    io.stdout(`${JSON.stringify({ ...record, api_key: secret, previous_key_valid_until: previousValidUntil })}\n`);
    return 0;
  }
  io.stdout(`Rotated access key "${record.name}" (id ${record.key_id}). New key:\n${secret}\n`);
  io.stdout('Save this key now: it will not be shown again.\n');
  io.stdout(
    previousValidUntil && graceMs !== undefined
      ? `The old key keeps working for ${formatDuration(graceMs)} (until ${iso(previousValidUntil)}).\n`
      : 'The old key no longer works.\n',
  );
  return 0;
}

function help(io: KeysCliIo): number {
  io.stdout(keysHelp(io.invocation));
  return 0;
}

function row(k: KeyRecord, nowS: number): string[] {
  return [k.key_id, k.name, statusOf(k, nowS), String(k.rate_limit), cloudCell(k), shareText(k.share), k.last_used ? iso(k.last_used) : 'never', k.expires_at ? iso(k.expires_at) : 'never', k.scopes.join(',')];
}

function iso(epochS: number): string {
  return new Date(epochS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
