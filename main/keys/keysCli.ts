// `keys` subcommands of the headless CLI: create, list, revoke, rotate on a data dir, without a
// running server (a running server on the same dir picks the change up within a second).
import { parseArgs } from 'node:util';
import { CompanionError } from '../errors';
import type { Scope } from '../proxy/types';
import { KeyStore, KeyStoreCorruptError } from './keyStore';
import type { KeyRecord } from './keyRecord';
import { UsageRecorder } from './usageRecorder';
import { runReportCommand, recordCliChanges } from '../audit/cliHooks';

export interface KeysCliIo {
  dataDir: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Epoch ms. */
  now?: () => number;
}

export const KEYS_HELP = `Usage: keys <command> [options]   (each command also takes --data-dir DIR)

Commands:
  create --name NAME [--rate-limit JOBS_PER_HOUR] [--requests-per-minute N] [--max-queued N] [--comfy-user USER]
         [--expires-in 30d|12h|90m] [--scope read|generate|admin ...] [--json]
                        Create an access key. The key is printed once: save it then.
  list [--json]         Show all keys (never the secrets).
  revoke ID             Deactivate a key at once.
  rotate ID [--grace 10m] [--json]
                        Give a key a new secret; the old one stops (after the grace period).
  audit [--since 7d] [--json|--csv]
                        Who changed which key, logins, logouts, settings (see: keys audit --help).
  usage [ID] [--days N] [--csv|--json]
                        Requests, jobs and GPU seconds per key and day.
  --help                Show this help.

Exit codes: 0 done, 1 failed (unknown id, unreadable store), 2 bad usage.
`;

class UsageError extends Error {}

/** `argv` is what follows the word `keys` (a leading "keys" is tolerated). Resolves to the exit code. */
export async function runKeysCommand(argv: string[], io: KeysCliIo): Promise<number> {
  const args = argv[0] === 'keys' ? argv.slice(1) : argv;
  const [command, ...rest] = args;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(KEYS_HELP);
      return command === undefined ? 2 : 0;
    }
    switch (command) {
      case 'create':
        return await create(rest, io);
      case 'list':
        return list(rest, io);
      case 'revoke':
        return await revoke(rest, io);
      case 'rotate':
        return await rotate(rest, io);
      case 'audit':
      case 'usage':
        return runReportCommand(command, rest, io);
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`keys: ${err.message}\nRun "keys --help" for usage.\n`);
      return 2;
    }
    if (err instanceof CompanionError) {
      io.stderr(`keys: ${err.code === 'invalid_request' ? asFlags(err.message) : err.message}\n`);
      return err.code === 'invalid_request' ? 2 : 1;
    }
    if (err instanceof KeyStoreCorruptError) {
      io.stderr(`keys: ${err.message}\n`);
      return 1;
    }
    io.stderr(`keys: ${(err as Error).message}\n`);
    return 1;
  }
}

const COMMON = { 'data-dir': { type: 'string' }, help: { type: 'boolean' } } as const;

function expectPositionals(positionals: string[], n: 0 | 1): void {
  if (positionals.length === n) return;
  throw new UsageError(n === 0 ? `Unexpected argument "${positionals[0]}"` : 'Expected exactly one key id');
}

function openStore(values: Record<string, unknown>, io: KeysCliIo): KeyStore {
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : io.dataDir;
  // Read-only usage: the CLI shows last_used but only the server writes usage.json.
  const usage = new UsageRecorder({ dataDir, readOnly: true, now: io.now });
  return recordCliChanges(new KeyStore({ dataDir, now: io.now, lastUsed: (id) => usage.lastUsed(id) }), dataDir, io.now);
}

async function create(args: string[], io: KeysCliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
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
    },
  });
  expectPositionals(positionals, 0);
  if (values.help) return help(io);
  if (!values.name) throw new UsageError('--name is required');
  const rateText = values['rate-limit'];
  const whole = (text: string | undefined, flag: string, unit: string): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number of ${unit}`);
    return Number(text);
  };
  whole(rateText, '--rate-limit', 'jobs per hour');
  const now = (io.now ?? Date.now)();
  const expiresIn = values['expires-in'];
  const store = openStore(values, io);
  const { record, secret } = await store.create({
    name: values.name,
    rate_limit: whole(rateText, '--rate-limit', 'jobs per hour'),
    requests_per_minute: whole(values['requests-per-minute'], '--requests-per-minute', 'requests per minute'),
    max_queued: whole(values['max-queued'], '--max-queued', 'jobs'),
    comfy_user: values['comfy-user'],
    expires_at: expiresIn === undefined ? undefined : (now + parseDuration(expiresIn, '--expires-in')) / 1000,
    scopes: values.scope as Scope[] | undefined, // checked by the store's schema
  });
  await store.close();
  if (values.json) {
    io.stdout(`${JSON.stringify({ ...record, api_key: secret })}\n`);
  } else {
    io.stdout(`Created key "${record.name}" (id ${record.key_id}, ${record.rate_limit} jobs/hour, ${record.requests_per_minute} requests/min, ${record.max_queued} queued at most, scopes ${record.scopes.join(',')}${record.expires_at ? `, expires ${iso(record.expires_at)}` : ''})\n`);
    io.stdout(`${secret}\n`);
    io.stdout('Save this key now - it will not be shown again.\n');
  }
  return 0;
}

function list(args: string[], io: KeysCliIo): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COMMON, json: { type: 'boolean' } } });
  expectPositionals(positionals, 0);
  if (values.help) return help(io);
  const keys = openStore(values, io).list();
  if (values.json) {
    io.stdout(`${JSON.stringify({ keys })}\n`);
    return 0;
  }
  if (keys.length === 0) {
    io.stdout('No keys yet. Create one with: keys create --name NAME\n');
    return 0;
  }
  const now = (io.now ?? Date.now)() / 1000;
  const rows = [['ID', 'NAME', 'STATUS', 'RATE/H', 'LAST USED', 'EXPIRES', 'SCOPES'], ...keys.map((k) => row(k, now))];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) io.stdout(`${r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
  return 0;
}

async function revoke(args: string[], io: KeysCliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COMMON });
  if (!values.help) expectPositionals(positionals, 1);
  if (values.help) return help(io);
  const store = openStore(values, io);
  const record = await store.revoke(positionals[0]!);
  await store.close();
  io.stdout(`Revoked key "${record.name}" (id ${record.key_id}). Requests with it are refused from now on.\n`);
  return 0;
}

async function rotate(args: string[], io: KeysCliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COMMON, grace: { type: 'string' }, json: { type: 'boolean' } } });
  if (!values.help) expectPositionals(positionals, 1);
  if (values.help) return help(io);
  const graceSeconds = values.grace === undefined ? undefined : parseDuration(values.grace, '--grace') / 1000;
  const store = openStore(values, io);
  const { record, secret, previousValidUntil } = await store.rotate(positionals[0]!, { graceSeconds });
  await store.close();
  if (values.json) {
    io.stdout(`${JSON.stringify({ ...record, api_key: secret, previous_key_valid_until: previousValidUntil })}\n`);
    return 0;
  }
  io.stdout(`Rotated key "${record.name}" (id ${record.key_id}). New key:\n${secret}\n`);
  io.stdout('Save this key now - it will not be shown again.\n');
  io.stdout(previousValidUntil ? `The old key keeps working until ${iso(previousValidUntil)}.\n` : 'The old key no longer works.\n');
  return 0;
}

function help(io: KeysCliIo): number {
  io.stdout(KEYS_HELP);
  return 0;
}

function row(k: KeyRecord, nowS: number): string[] {
  const status = !k.is_active ? 'revoked' : k.expires_at !== null && k.expires_at <= nowS ? 'expired' : 'active';
  return [k.key_id, k.name, status, String(k.rate_limit), k.last_used ? iso(k.last_used) : 'never', k.expires_at ? iso(k.expires_at) : 'never', k.scopes.join(',')];
}

function iso(epochS: number): string {
  return new Date(epochS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Store validation names API fields; on the command line the user typed flags. */
function asFlags(message: string): string {
  return message
    .replace(/field "rate_limit"/, 'option --rate-limit')
    .replace(/field "requests_per_minute"/, 'option --requests-per-minute')
    .replace(/field "max_queued"/, 'option --max-queued')
    .replace(/field "comfy_user"/, 'option --comfy-user')
    .replace(/field "name"/, 'option --name')
    .replace(/field "expires_at"/, 'option --expires-in')
    .replace(/field "scopes(\.\d+)?"/, 'option --scope')
    .replace(/field "grace_seconds"/, 'option --grace');
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30d", "12h", "90m", "45s" -> milliseconds. */
function parseDuration(text: string, flag: string): number {
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m || Number(m[1]) <= 0) throw new UsageError(`${flag} must look like 30d, 12h, 90m or 45s`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}
