// kill -9 at any moment (SPEC §9, "A day of real use"): the headless proxy, as users run it, under a mixed load
// (key changes, jobs with and without client ids, reads, remembered logins and logouts) is killed with SIGKILL
// at a random moment, 20 times, and started again on the same data dir. After every restart, everything it
// had acknowledged is served again: each key as it was last told (name, rotated secret, revoked), each job
// with its owner, each claimed client id, each remembered login (and each logout), and both quotas' use. At
// the end the data dir itself is read back after a last kill. The kill moments come from a seeded generator;
// a failure names the seed (KILL_SEED=<n> repeats the run).
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSessionId } from '../../main/auth/sessions/sessionStore';
import { JobLedger } from '../../main/jobs/jobLedger';
import { KeyRateLimiter } from '../../main/keys/rateLimiter';
import { KeyStore } from '../../main/keys/keyStore';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { request } from '../helpers/http';
import { startHeadless, type HeadlessProxy } from '../helpers/headlessProcess';
import { Acknowledged, startLoad, type KeyFacts, type LoadKeys, type Takes, type TestKey } from './crash.load';

const ROUNDS = 20;
const ADMIN = 'crash-test-admin-key-0123456789abcdef';
/** The reader's requests per minute (one every 100 ms) and the queuer's jobs per hour (one a second). */
const READER_RPM = 600;
const JOBS_PER_HOUR = 3_600;
const seed = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);

/** mulberry32: a small seeded generator, so a failing run's kill moments can be replayed. */
function random(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

let fake: FakeComfy;
let proxy: HeadlessProxy | null = null;
let dataDir: string;
let adminKeyFile: string;
beforeAll(async () => {
  fake = await startFakeComfy({ autoRun: true, jobMs: 10, steps: 1 });
  dataDir = await mkdtemp(join(tmpdir(), 'cac-kill9-'));
  adminKeyFile = join(dataDir, 'admin-key.txt');
  writeFileSync(adminKeyFile, ADMIN, { mode: 0o600 });
});
afterAll(async () => {
  await proxy?.kill9();
  await fake.close();
  await rm(dataDir, { recursive: true, force: true });
});

const admin = { authorization: `Bearer ${ADMIN}` };

async function createKey(url: string, spec: Record<string, unknown>): Promise<TestKey> {
  const res = await request(`${url}/api/keys`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  expect(res.status).toBe(200);
  const body = res.json<{ key_id: string; api_key: string }>();
  return { id: body.key_id, secret: body.api_key };
}

/** A quota's use can only have grown: its remaining count is at most what the acknowledged takes leave, plus refill. */
function quotaBound(limit: number, windowMs: number, takes: Takes, at: number): number {
  if (takes.firstSentAt === null) return limit;
  return limit - takes.count + Math.floor((at - takes.firstSentAt) / (windowMs / limit)) + 1;
}

function keyAsTold(id: string, facts: KeyFacts, record: { name: string; status: string; prefix: string | null } | undefined, why: string): void {
  expect(record, `${why}: key ${id} is missing`).toBeDefined();
  if (!record) return;
  const names = [facts.name, facts.unsure?.name].filter(Boolean);
  expect(names, `${why}: key ${id}'s name`).toContain(record.name);
  if (facts.revoked) expect(record.status, `${why}: key ${id} was revoked`).toBe('revoked');
  else if (!facts.unsure?.revoked) expect(record.status, `${why}: key ${id}`).toBe('active');
  if (!facts.unsure?.secret) expect(record.prefix, `${why}: key ${id}'s secret (rotated?)`).toBe(facts.secret.slice(0, 10));
}

/** Everything acknowledged, asked of the restarted proxy (fresh ids one by one, older ones by sample). */
async function checkServed(url: string, ack: Acknowledged, keys: LoadKeys, pick: () => number, round: number): Promise<void> {
  const why = `round ${round} (KILL_SEED=${seed})`;
  const listed = (await request(`${url}/api/keys`, { headers: admin })).json<{ keys: { key_id: string; name: string; status: string; prefix: string | null }[] }>();
  const byId = new Map(listed.keys.map((k) => [k.key_id, k]));
  for (const [id, facts] of ack.keys) keyAsTold(id, facts, byId.get(id), why);

  const sample = <T>(all: T[], n: number) => Array.from({ length: Math.min(n, all.length) }, () => all[Math.floor(pick() * all.length)] as T);
  const jobKey = { authorization: `Bearer ${keys.jobs.secret}` };
  for (const id of [...ack.fresh.jobs, ...sample([...ack.jobs.keys()], 10)]) {
    expect((await request(`${url}/api/jobs/${id}`, { headers: jobKey })).status, `${why}: job ${id} of the queuing key`).toBe(200);
  }
  for (const clientId of sample([...ack.clientIds.keys()], 5)) {
    const res = await request(`${url}/prompt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.login.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: {}, client_id: clientId }),
    });
    expect(res.status, `${why}: client id ${clientId} stays the queuing key’s`).toBe(403);
  }
  for (const cookie of [...ack.fresh.sessions, ...sample([...ack.sessions.keys()], 10)]) {
    const state = ack.sessions.get(cookie);
    if (state === 'unsure') continue;
    const status = (await request(`${url}/queue`, { headers: { cookie: `cac_session=${cookie}` } })).status;
    expect(status, `${why}: a ${state} remembered login`).toBe(state === 'live' ? 200 : 401);
  }
  ack.fresh = { jobs: [], sessions: [] };

  const read = await request(`${url}/system_stats`, { headers: { authorization: `Bearer ${keys.reader.secret}` } });
  if (read.status !== 429) ack.requests.count++; // a refusal counts nothing
  const left = Number(/"requests";r=(\d+)/.exec(String(read.headers.ratelimit))?.[1]);
  expect(left, `${why}: requests quota (${ack.requests.count} counted)`).toBeLessThanOrEqual(quotaBound(READER_RPM, 60_000, ack.requests, Date.now()));
  const usage = (await request(`${url}/api/usage`, { headers: jobKey })).json<{ remaining: number }>();
  expect(usage.remaining, `${why}: jobs quota (${ack.jobTakes.count} counted)`).toBeLessThanOrEqual(quotaBound(JOBS_PER_HOUR, 3_600_000, ack.jobTakes, Date.now()));
}

/** The data dir read back in this process after the last kill: every acknowledged record, not a sample. */
function checkOnDisk(ack: Acknowledged, keys: LoadKeys): void {
  const why = `on disk (KILL_SEED=${seed})`;
  const store = new KeyStore({ dataDir });
  const byId = new Map(store.list().map((k) => [k.key_id, k]));
  for (const [id, facts] of ack.keys) keyAsTold(id, facts, byId.get(id), why);
  const ledger = new JobLedger({ dataDir, flushIntervalMs: 0 });
  const lost = [...ack.jobs].filter(([id, owner]) => ledger.ownerOfJob(id) !== owner);
  expect(lost, `${why}: jobs without their owner`).toEqual([]);
  // A key's client ids are bounded (its oldest forgotten past 1 000, clientIds.ts): its newest ones must be there.
  for (const clientId of [...ack.clientIds.keys()].slice(-900)) expect(ledger.clientIds.claim(clientId, 'another'), `${why}: ${clientId}`).toBe(false);
  const saved = new Set((JSON.parse(readFileSync(join(dataDir, 'sessions.json'), 'utf8')) as { sessions: { id_hash: string }[] }).sessions.map((s) => s.id_hash));
  for (const [cookie, state] of ack.sessions) {
    if (state !== 'unsure') expect(saved.has(hashSessionId(cookie)), `${why}: a ${state} remembered login`).toBe(state === 'live');
  }
  const limiter = new KeyRateLimiter({ dataDir, flushIntervalMs: 0 });
  const now = Date.now();
  expect(limiter.peek(`requests:${keys.reader.id}`, READER_RPM, 60_000, now).remaining).toBeLessThanOrEqual(quotaBound(READER_RPM, 60_000, ack.requests, now));
  expect(limiter.peek(`jobs:${keys.jobs.id}`, JOBS_PER_HOUR, 3_600_000, now).remaining).toBeLessThanOrEqual(quotaBound(JOBS_PER_HOUR, 3_600_000, ack.jobTakes, now));
}

describe('kill -9 at random moments under load', () => {
  it(`loses no acknowledged key, quota, remembered login or job over ${ROUNDS} kills`, { timeout: 600_000 }, async () => {
    const pick = random(seed);
    const start = () => startHeadless({ upstream: fake.url, dataDir, adminKeyFile });
    proxy = await start();
    const keys: LoadKeys = {
      admin: ADMIN,
      jobs: await createKey(proxy.url, { name: 'queuer', rate_limit: JOBS_PER_HOUR, max_queued: 10_000, requests_per_minute: 100_000 }),
      reader: await createKey(proxy.url, { name: 'reader', requests_per_minute: READER_RPM }),
      login: await createKey(proxy.url, { name: 'browser', requests_per_minute: 100_000 }),
    };
    const ack = new Acknowledged();
    const kills: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const load = startLoad(proxy.url, keys, ack, round);
      const after = Math.round(100 + pick() * 1_400);
      kills.push(after);
      await new Promise((r) => setTimeout(r, after));
      await proxy.kill9();
      await load.stop();
      proxy = await start();
      await checkServed(proxy.url, ack, keys, pick, round);
    }
    expect(ack.unexpected, `answers other than success or 429 (KILL_SEED=${seed})`).toEqual([]);
    // The load did what it is for: each kind of record was acknowledged, many times.
    expect(ack.jobs.size).toBeGreaterThan(ROUNDS * 2);
    expect(ack.keys.size).toBeGreaterThan(ROUNDS);
    expect([...ack.sessions.values()].filter((s) => s === 'live').length).toBeGreaterThan(ROUNDS);
    expect([...ack.sessions.values()].filter((s) => s === 'ended').length).toBeGreaterThan(ROUNDS);
    expect(ack.requests.count).toBeGreaterThan(ROUNDS * 5);
    await proxy.kill9();
    checkOnDisk(ack, keys);
    console.info(
      `kill -9 × ${ROUNDS} (KILL_SEED=${seed}, kills at ${kills.join(', ')} ms): ${ack.keys.size} keys, ${ack.jobs.size} jobs, ` +
        `${ack.clientIds.size} client ids, ${ack.sessions.size} logins, ${ack.requests.count} counted reads — all there after each restart`,
    );
  });
});
