// A scripted day on the real companion (the app's composition root, proxy, key store, sessions, files):
// keys created, edited, disabled, revoked and rotated through the HTTP API, the CLI and the app's IPC;
// logins good and bad, logouts; settings and cloud logins; jobs of different lengths through the fake
// ComfyUI. Then the audit log holds exactly those events in order with the right actors and no secret,
// GPU seconds per key match the job lengths, and the CSV export parses and matches the JSON.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../main/audit/auditLog';
import { startDay, type Day } from '../helpers/accountabilityDay';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const OUT = fileURLToPath(new URL('../../test-results/accountability-day/', import.meta.url));
const CLOUD_KEY = `comfyui-${'Zz9Yy8Xx7Ww6Vv5U'.repeat(2)}`;
const GUESS = `comfy_${'G'.repeat(43)}_abcdef`;

let day: Day;
const secrets: string[] = [CLOUD_KEY, GUESS];
const expected: [actor: string, event: string, target: string | null][] = [];
const ids: Record<string, string> = {};

beforeAll(async () => {
  day = await startDay(T0);
  day.cloud.accounts.set(CLOUD_KEY, { id: 'acct_1', email: 'gpu-owner@example.com', name: 'GPU Owner' });
}, 60_000);
afterAll(async () => {
  await day?.close();
  if (day) rmSync(day.dataDir, { recursive: true, force: true });
});

async function login(secret: string, remember = false): Promise<{ status: number; cookie: string }> {
  const res = await day.http('/auth/login', { method: 'POST', body: { api_key: secret, remember } });
  return { status: res.status, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! };
}

describe('a scripted day', () => {
  it('runs: key changes from the API, the CLI and the app; logins; jobs; settings; cloud', async () => {
    // The app creates an admin-scoped key for a script, and a key for Alice.
    const ops = await day.ipc('keys:create', { name: 'ops-script', scopes: ['admin'] });
    ids.ops = ops.key.id;
    secrets.push(ops.secret);
    expected.push(['app', 'key.created', ids.ops]);
    day.tick();
    const alice = await day.ipc('keys:create', { name: 'alice', rateLimit: 200 });
    ids.alice = alice.key.id;
    secrets.push(alice.secret);
    expected.push(['app', 'key.created', ids.alice]);
    day.tick();

    // The script manages keys over HTTP with its key in a header: the actor is its key id.
    const created = await day.http('/api/keys', { method: 'POST', secret: ops.secret, body: { name: 'bob, the "renderer"', rate_limit: 50 } });
    expect(created.status).toBe(200);
    const bob = (await created.json()) as { key_id: string; api_key: string };
    ids.bob = bob.key_id;
    secrets.push(bob.api_key);
    expected.push([ids.ops, 'key.created', ids.bob]);
    day.tick();
    expect((await day.http(`/api/keys/${ids.bob}`, { method: 'PATCH', secret: ops.secret, body: { rate_limit: 80 } })).status).toBe(200);
    expected.push([ids.ops, 'key.edited', ids.bob]);
    day.tick();

    // The CLI on the same data dir.
    const carol = await day.cli('create', '--name', '=carol', '--json');
    expect(carol.code).toBe(0);
    const carolKey = JSON.parse(carol.out) as { key_id: string; api_key: string };
    ids.carol = carolKey.key_id;
    secrets.push(carolKey.api_key);
    expected.push(['cli', 'key.created', ids.carol]);
    day.tick();

    // Logins: Alice succeeds, a guess fails, the script's key logs in a browser too.
    const aliceLogin = await login(alice.secret);
    expect(aliceLogin.status).toBe(200);
    expected.push([ids.alice, 'login', ids.alice]);
    day.tick();
    expect((await login(GUESS)).status).toBe(401);
    expected.push(['anonymous', 'login.failed', null]);
    day.tick();
    const opsLogin = await login(ops.secret);
    expected.push([ids.ops, 'login', ids.ops]);
    // The control plane refuses the session cookie even for an admin-scoped key (SPEC §8.5).
    const viaCookie = await day.http('/api/audit', { cookie: opsLogin.cookie });
    expect(viaCookie.status).toBe(403);
    expect(await viaCookie.text()).toMatch(/browser login session/);
    expect((await day.http('/auth/logout', { method: 'POST', cookie: opsLogin.cookie })).status).toBe(200);
    expected.push([ids.ops, 'logout', ids.ops]);
    day.tick();

    // Jobs of different lengths (clock time between execution_start and its end, seen through /ws).
    await day.job(alice.secret, ids.alice, 12_500, 'execution_success');
    await day.job(alice.secret, ids.alice, 40_000, 'execution_success');
    await day.job(bob.api_key, ids.bob, 7_250, 'execution_success');
    await day.job(bob.api_key, ids.bob, 3_000, 'execution_error');
    await day.job(bob.api_key, ids.bob, 5_000, 'execution_interrupted');
    await day.job(carolKey.api_key, ids.carol, 0, 'cached');
    day.tick();

    expect((await day.http('/auth/logout', { method: 'POST', cookie: aliceLogin.cookie })).status).toBe(200);
    expected.push([ids.alice, 'logout', ids.alice]);
    day.tick();

    // The app disables and enables Alice; the script revokes Bob; the CLI rotates, then revokes Carol.
    await day.ipc('keys:update', { id: ids.alice, patch: { isActive: false } });
    expected.push(['app', 'key.disabled', ids.alice]);
    day.tick();
    await day.ipc('keys:update', { id: ids.alice, patch: { isActive: true, name: 'alice (studio)' } });
    expected.push(['app', 'key.edited', ids.alice], ['app', 'key.enabled', ids.alice]);
    day.tick();
    expect((await day.http(`/api/keys/${ids.bob}`, { method: 'DELETE', secret: ops.secret })).status).toBe(200);
    expected.push([ids.ops, 'key.revoked', ids.bob]);
    day.tick();
    const rotated = await day.cli('rotate', ids.carol, '--json');
    expect(rotated.code).toBe(0);
    secrets.push((JSON.parse(rotated.out) as { api_key: string }).api_key);
    expected.push(['cli', 'key.rotated', ids.carol]);
    day.tick();
    expect((await day.cli('revoke', ids.carol)).code).toBe(0);
    expected.push(['cli', 'key.revoked', ids.carol]);
    day.tick();

    // Settings and Comfy Cloud through the app.
    await day.ipc('settings:update', { theme: 'dark' });
    expected.push(['app', 'settings.changed', 'settings']);
    day.tick();
    await day.ipc('cloud:login', { key: CLOUD_KEY, environment: 'custom', customBaseUrl: day.cloud.baseUrl });
    expected.push(['app', 'settings.changed', 'settings'], ['app', 'cloud.login', 'cloud']);
    day.tick();
    await day.ipc('cloud:logout');
    expected.push(['app', 'cloud.logout', 'cloud']);
    day.tick();

    // Alice logs in again ("remember me"); the app logs every browser out.
    expect((await login(alice.secret, true)).status).toBe(200);
    expected.push([ids.alice, 'login', ids.alice]);
    day.tick();
    expect(await day.ipc('session:logoutBrowsers')).toEqual({ revoked: 1 });
    expected.push(['app', 'session.ended', 'sessions']);
    day.app.services.keys.usage.flush();
  }, 60_000);

  it('the audit log holds exactly those events, in order, with the right actors', async () => {
    const { entries, skipped } = readAuditLog(day.dataDir);
    expect(skipped).toBe(0);
    expect(entries.map((e) => [e.actor, e.event, e.target])).toEqual(expected);
    // Times come from the clock, never go backwards, and say what happened.
    const times = entries.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(entries.find((e) => e.event === 'login.failed')?.details).toEqual({ reason: 'malformed' }); // the guess fails the key's checksum; nothing of it is kept
    expect(entries.find((e) => e.event === 'key.edited' && e.target === ids.bob)?.details).toMatchObject({ rate_limit: 80, fields: ['rate_limit'] });
    expect(entries.find((e) => e.event === 'settings.changed')?.details).toMatchObject({ theme: 'dark', fields: ['theme'] });
    // GET /api/audit with the admin-scoped key in a header answers the same entries.
    const ops = secrets[2]!;
    const res = await day.http('/api/audit?limit=100', { secret: ops });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { entries: unknown[] }).entries).toEqual(entries);
    // A key without admin scope may not read it.
    expect((await day.http('/api/audit', { secret: secrets[3]! })).status).toBe(403);
  });

  it('no secret and no guessed key is anywhere in the data dir', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(day.dataDir);
    expect(files.some((f) => f.endsWith('audit.jsonl'))).toBe(true);
    for (const file of files) {
      const text = readFileSync(file, 'latin1');
      for (const secret of secrets) expect(text.includes(secret), `${secret.slice(0, 8)}… in ${file}`).toBe(false);
      // Not even a prefix of the guess beyond the public "comfy_" marker.
      expect(text.includes(GUESS.slice(0, 12)), `guess prefix in ${file}`).toBe(false);
    }
  });

  it('GPU seconds and jobs per key match the jobs; keys audit and keys usage --csv/--json agree', async () => {
    const json = await day.cli('usage', '--days', '7', '--json');
    const csv = await day.cli('usage', '--days', '7', '--csv');
    const table = await day.cli('usage', '--days', '7');
    const audit = await day.cli('audit');
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'keys-audit.txt'), audit.out);
    writeFileSync(join(OUT, 'keys-usage.csv'), csv.out);
    writeFileSync(join(OUT, 'keys-usage.txt'), table.out);
    const rows = (JSON.parse(json.out) as { rows: Record<string, string | number>[] }).rows;
    const byKey = Object.fromEntries(rows.map((r) => [r.key_id, r]));
    expect(byKey[ids.alice!]).toMatchObject({ key_name: 'alice (studio)', jobs: 2, jobs_success: 2, gpu_seconds: 52.5 });
    expect(byKey[ids.bob!]).toMatchObject({ key_name: 'bob, the "renderer"', jobs: 3, jobs_success: 1, jobs_failed: 1, jobs_interrupted: 1, gpu_seconds: 15.25 });
    expect(byKey[ids.carol!]).toMatchObject({ key_name: '=carol', jobs: 1, jobs_success: 1, gpu_seconds: 0 });
    // The CSV parses with a real parser and matches the JSON cell for cell (the formula guard aside).
    const parsed = parse(csv.out, { columns: true }) as Record<string, string>[];
    expect(parsed).toHaveLength(rows.length);
    parsed.forEach((row, i) => {
      for (const [col, value] of Object.entries(rows[i]!)) {
        const cell = typeof value === 'number' ? Number(row[col]) : row[col];
        expect(cell).toBe(col === 'key_name' && String(value).startsWith('=') ? `'${value}` : value);
      }
    });
    // /api/usage (admin) carries the same job and GPU figures.
    const api = (await (await day.http('/api/usage?days=7', { secret: secrets[2]! })).json()) as { keys: { key_id: string; usage_stats: { gpu_seconds: number; jobs: { total: number } } }[] };
    const alice = api.keys.find((k) => k.key_id === ids.alice);
    expect(alice?.usage_stats).toMatchObject({ gpu_seconds: 52.5, jobs: { total: 2 } });
    expect(audit.out.split('\n').filter((l) => l.trim()).length).toBe(expected.length + 1);
  });
});
