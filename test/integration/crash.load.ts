// The load of the whole-data-dir kill -9 test, and a record of everything the proxy acknowledged to it (a 2xx
// that reached the client): keys created, renamed, rotated and revoked; jobs accepted, with their client ids;
// requests and jobs counted against two keys' quotas; remembered logins and logouts. A change whose answer
// was cut off by the kill is "unsure": either outcome is right.
import { request, type HttpResult } from '../helpers/http';

export interface TestKey {
  id: string;
  secret: string;
}

export interface KeyFacts {
  secret: string;
  name: string;
  revoked: boolean;
  /** A change sent without an answer: it may or may not have been made. */
  unsure: { name?: string; secret?: string; revoked?: boolean } | null;
}

/** Takes of one quota bucket: how many were acknowledged, and when the first was sent (client clock). */
export interface Takes {
  count: number;
  firstSentAt: number | null;
}

export class Acknowledged {
  readonly keys = new Map<string, KeyFacts>();
  /** prompt id → owner key id. */
  readonly jobs = new Map<string, string>();
  /** client id → owner key id. */
  readonly clientIds = new Map<string, string>();
  /** session cookie → its state. */
  readonly sessions = new Map<string, 'live' | 'ended' | 'unsure'>();
  readonly requests: Takes = { count: 0, firstSentAt: null };
  readonly jobTakes: Takes = { count: 0, firstSentAt: null };
  /** Ids acknowledged since the last check (checked one by one; older ones by sample). */
  fresh = { jobs: [] as string[], sessions: [] as string[] };
  /** Answers that were neither a success nor a quota refusal (none expected: a 5xx would be the proxy's own). */
  readonly unexpected: string[] = [];
}

export interface LoadKeys {
  admin: string;
  /** Queues jobs (its jobs quota is checked). */
  jobs: TestKey;
  /** Reads as fast as it can (its requests quota is checked). */
  reader: TestKey;
  /** Logs in and out. */
  login: TestKey;
}

export interface RunningLoad {
  stop(): Promise<void>;
}

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
const json = (h: Record<string, string>) => ({ ...h, 'content-type': 'application/json' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the load's loops against `url`; each ends at the first failed connection (the kill) or on stop(). */
export function startLoad(url: string, keys: LoadKeys, ack: Acknowledged, round: number): RunningLoad {
  let stopped = false;
  const loop = async (step: (i: number) => Promise<void>) => {
    for (let i = 0; !stopped; i++) {
      try {
        await step(i);
      } catch (err) {
        // A failed connection is the kill; anything else is worth a look.
        if (!(err as NodeJS.ErrnoException).code) ack.unexpected.push((err as Error).message);
        return;
      }
    }
  };
  const admin = bearer(keys.admin);

  const keyChanges = async () => {
    let current: { id: string; facts: KeyFacts } | null = null;
    await loop(async (i) => {
      const phase = i % 4;
      if (phase === 0 || !current) {
        const name = `r${round}-k${i}`;
        const res = await request(`${url}/api/keys`, { method: 'POST', headers: json(admin), body: JSON.stringify({ name }) });
        expectOk(res);
        const body = res.json<{ key_id: string; api_key: string }>();
        current = { id: body.key_id, facts: { secret: body.api_key, name, revoked: false, unsure: null } };
        ack.keys.set(current.id, current.facts);
        return;
      }
      const facts = current.facts;
      const path = `${url}/api/keys/${current.id}`;
      if (phase === 1) {
        facts.unsure = { name: `${facts.name}-renamed` };
        const res = await request(path, { method: 'PATCH', headers: json(admin), body: JSON.stringify({ name: facts.unsure.name }) });
        expectOk(res);
        facts.name = facts.unsure.name ?? facts.name;
      } else if (phase === 2) {
        facts.unsure = { secret: '(rotated)' };
        const res = await request(`${path}/rotate`, { method: 'POST', headers: json(admin), body: '{}' });
        expectOk(res);
        facts.secret = res.json<{ api_key: string }>().api_key;
      } else {
        facts.unsure = { revoked: true };
        expectOk(await request(path, { method: 'DELETE', headers: admin }));
        facts.revoked = true;
      }
      facts.unsure = null;
    });
  };

  const jobs = (lane: number) =>
    loop(async (i) => {
      const clientId = i % 2 === 0 ? `tab-r${round}-l${lane}-${i}` : undefined;
      const prompt = { '1': { class_type: 'KSampler', inputs: { seed: round * 100_000 + lane * 10_000 + i, steps: 1 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0] } } };
      ack.jobTakes.firstSentAt ??= Date.now();
      const res = await request(`${url}/prompt`, { method: 'POST', headers: json(bearer(keys.jobs.secret)), body: JSON.stringify({ prompt, client_id: clientId }) });
      if (res.status === 429) return void (await sleep(200));
      expectOk(res);
      const id = res.json<{ prompt_id: string }>().prompt_id;
      ack.jobs.set(id, keys.jobs.id);
      ack.fresh.jobs.push(id);
      ack.jobTakes.count++;
      if (clientId) ack.clientIds.set(clientId, keys.jobs.id);
      await sleep(15);
    });

  const reads = () =>
    loop(async () => {
      ack.requests.firstSentAt ??= Date.now();
      const res = await request(`${url}/system_stats`, { headers: bearer(keys.reader.secret) });
      if (res.status === 429) return void (await sleep(20));
      expectOk(res);
      ack.requests.count++;
    });

  const logins = () =>
    loop(async (i) => {
      const res = await request(`${url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', origin: url },
        body: JSON.stringify({ api_key: keys.login.secret, remember: true }),
      });
      expectOk(res);
      const cookie = /cac_session=([^;]+)/.exec(String(res.headers['set-cookie'] ?? ''))?.[1];
      if (!cookie) throw new Error('login without a session cookie');
      ack.sessions.set(cookie, 'live');
      ack.fresh.sessions.push(cookie);
      if (i % 2 === 1) {
        ack.sessions.set(cookie, 'unsure');
        expectOk(await request(`${url}/auth/logout`, { method: 'POST', headers: { cookie: `cac_session=${cookie}`, origin: url } }));
        ack.sessions.set(cookie, 'ended');
      }
      await sleep(10);
    });

  const all = Promise.all([keyChanges(), jobs(0), jobs(1), reads(), reads(), logins()]);
  return {
    async stop() {
      stopped = true;
      await all;
    },
  };
}

function expectOk(res: HttpResult): void {
  if (res.status < 200 || res.status > 299) throw new Error(`${res.status} ${res.text.slice(0, 200)}`);
}
