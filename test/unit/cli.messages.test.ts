// Every usage error of the headless CLI and its `keys` commands: exit code 2, one prefix, a sentence,
// no parseArgs or zod wording, and a --help hint spelled the way the user ran the CLI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/cli';
import { formatDuration } from '../../main/cli/duration';
import { invocationOf } from '../../main/cli/invocation';
import { runKeysCommand } from '../../main/cli/keysCli';

const dir = mkdtempSync(join(tmpdir(), 'cli-messages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NPM = 'npm run headless --';

async function top(argv: string[], invocation = NPM) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), invocation }, { XDG_CONFIG_HOME: dir });
  return { code, out, err };
}

async function keys(argv: string[], invocation = NPM) {
  let out = '';
  let err = '';
  const code = await runKeysCommand(argv, { dataDir: dir, stdout: (s) => (out += s), stderr: (s) => (err += s), invocation });
  return { code, out, err };
}

/** What every usage error looks like: two lines, prefix + sentence, then the exact help command. */
function expectUsageError(r: { code: number; out: string; err: string }, message: RegExp, help: string): void {
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  const lines = r.err.split('\n');
  expect(lines).toHaveLength(3); // two lines and the final newline
  expect(lines[0]).toMatch(/^comfy-auth-companion: [A-Z-]/);
  expect(lines[0]).toMatch(/[.?]$/);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toBe(`Run "${help}" for usage.`);
  // No wording of the libraries underneath.
  expect(r.err).not.toMatch(/Invalid option: expected|as in '--|ERR_PARSE_ARGS|TypeError|\n\s+at |Unknown option '/);
}

describe('headless options', () => {
  it.each<[string[], RegExp]>([
    [['--bogus'], /^comfy-auth-companion: Unknown option --bogus\.$/],
    [['--upstrem', 'http://x'], /Unknown option --upstrem \(did you mean --upstream\?\)/],
    [['-x'], /Unknown option -x\./],
    [['--listen'], /--listen needs a value/],
    [['--listen', '--data-dir', dir], /--listen needs a value/],
    [['--version=2'], /--version takes no value/],
    [['serve'], /Unexpected argument "serve"/],
    [['--listen', '0.0.0.0:8189'], /Refusing to listen on "0\.0\.0\.0": only loopback addresses are allowed/],
    [['--listen', '127.0.0.1:99999'], /Invalid listen port/],
    [['--api-key', 'k'.repeat(20), '--api-key-file', 'x'], /Give either --api-key or --api-key-file, not both/],
    [['--api-key', 'short'], /The admin key must be at least 16 characters/],
    [['--upstream-timeout', 'soon'], /--upstream-timeout takes a number of seconds above 0 and up to 1 day, e\.g\. 60 \(got "soon"\)/],
    [['--allowed-host', 'http://x/'], /--allowed-host "http:\/\/x\/" is not a host name/],
  ])('%j', async (argv, message) => {
    expectUsageError(await top(argv), message, `${NPM} --help`);
  });

  it('hints match how the CLI was run', async () => {
    expect((await top(['--bogus'], 'comfy-auth-companion')).err).toContain('Run "comfy-auth-companion --help" for usage.');
    expect((await top(['--bogus'], 'node dist/cli.mjs')).err).toContain('Run "node dist/cli.mjs --help" for usage.');
    const help = await top(['--help'], 'node dist/cli.mjs');
    expect(help.code).toBe(0);
    expect(help.out).toContain('node dist/cli.mjs keys <command>');
  });
});

describe('keys commands', () => {
  it.each<[string[], RegExp, string]>([
    [['frobnicate'], /Unknown command "frobnicate" \(commands: create, list, update, revoke, rotate, audit, usage\)/, 'keys'],
    [['--bogus'], /Give a command before its options \(create, list, update, revoke, rotate, audit or usage\), not "--bogus"/, 'keys'],
    [['create'], /--name is required/, 'keys create'],
    [['create', '--name'], /--name needs a value/, 'keys create'],
    [['create', '--name', ''], /--name must not be empty/, 'keys create'],
    [['create', '--name', 'a', '--rate-limit', 'lots'], /--rate-limit takes a whole number from 1 to 1000000 \(got "lots"\)/, 'keys create'],
    [['create', '--name', 'a', '--rate-limit', '0'], /--rate-limit takes a whole number from 1/, 'keys create'],
    [['create', '--name', 'a', '--expires-in', 'soon'], /--expires-in takes a duration such as 30d, 12h, 90m or 45s \(got "soon"\)/, 'keys create'],
    [['create', '--name', 'a', '--expires-in', '1.5d'], /--expires-in takes a duration/, 'keys create'],
    [['create', '--name', 'a', '--scope', 'root'], /--scope "root" is not a scope: use read, generate, admin, metrics/, 'keys create'],
    [['create', '--name', 'a', '--bogus'], /Unknown option --bogus/, 'keys create'],
    [['create', '--name', 'a', '--jsno'], /Unknown option --jsno \(did you mean --json\?\)/, 'keys create'],
    [['create', '--name', 'a', 'extra'], /Unexpected argument "extra"/, 'keys create'],
    [['list', 'all'], /Unexpected argument "all"/, 'keys list'],
    [['list', '--json=1'], /--json takes no value/, 'keys list'],
    [['revoke'], /Give the key id or name \(the ID or NAME column of "keys list"\)/, 'keys revoke'],
    [['revoke', 'a', 'b'], /Give one key id or name, not 2 \("a", "b"\)/, 'keys revoke'],
    [['rotate'], /Give the key id/, 'keys rotate'],
    [['rotate', 'AAAAAAAAAAAAAAAAAAAAAA', '--grace', '30d'], /--grace can be at most 7 days/, 'keys rotate'],
    [['rotate', 'AAAAAAAAAAAAAAAAAAAAAA', '--grace', 'later'], /--grace takes a duration/, 'keys rotate'],
    [['create', '--name', 'a', '--requests-per-minute', '0'], /--requests-per-minute takes a whole number from 1/, 'keys create'],
    [['create', '--name', 'a', '--max-queued', 'many'], /--max-queued takes a whole number from 1 to 10000 \(got "many"\)/, 'keys create'],
    [['create', '--name', 'a', '--comfy-user', '../etc'], /--comfy-user must be 1-128 letters, digits/, 'keys create'],
    [['audit', '--bogus'], /Unknown option --bogus/, 'keys audit'],
    [['audit', '--json', '--csv'], /Give either --json or --csv, not both/, 'keys audit'],
    [['usage', '--days', 'x'], /--days must be a whole number from 1 to 3650/, 'keys usage'],
    [['usage', 'a', 'b'], /Give one key id, not 2/, 'keys usage'],
  ])('%j', async (argv, message, topic) => {
    expectUsageError(await keys(argv), message, `${NPM} ${topic} --help`);
  });

  it('no command prints the usage to stderr with exit 2; --help after a command shows it with exit 0', async () => {
    const none = await keys([]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^Usage: npm run headless -- keys <command>/);
    const help = await keys(['revoke', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/revoke KEY_ID/);
  });

  it('through the top-level entry, keys hints carry the same invocation', async () => {
    const r = await top(['keys', 'create'], 'comfy-auth-companion');
    expectUsageError(r, /--name is required/, 'comfy-auth-companion keys create --help');
  });
});

describe('words and units', () => {
  it('durations read as words', () => {
    expect(formatDuration(45_000)).toBe('45 seconds');
    expect(formatDuration(600_000)).toBe('10 minutes');
    expect(formatDuration(93_600_000)).toBe('1 day 2 hours');
    expect(formatDuration(30 * 86_400_000)).toBe('30 days');
    expect(formatDuration(3_660_000)).toBe('1 hour 1 minute');
    expect(formatDuration(500)).toBe('less than a second');
  });

  it('the invocation is taken from npm or the script name', () => {
    expect(invocationOf({ npm_lifecycle_event: 'headless' }, '/x/bin/comfy-auth-companion.mjs')).toBe('npm run headless --');
    expect(invocationOf({}, '/usr/local/bin/comfy-auth-companion')).toBe('comfy-auth-companion');
    expect(invocationOf({}, '/repo/dist/cli.mjs', '/repo')).toBe('node dist/cli.mjs');
  });
});
