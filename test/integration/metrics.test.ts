// GET /metrics (SPEC §11, issue 23): who may read it (the admin key in a header, or a key with only the
// `metrics` scope; never the browser session), the families and labels a Prometheus scraper sees, values that
// match `keys usage`, no secret anywhere, and the text parsed by a Prometheus text-format parser.
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_KEY, createKey, openWs, postJson, type TestKey } from './sharing.helpers';
import { startHarness, type Harness } from '../helpers/proxyHarness';
import { request } from '../helpers/http';
import { loginJson, sessionCookie } from './login.helpers';
import { usageRows } from '../../main/keys/usageReport';
import { readFileSync } from 'node:fs';

let h: Harness;
let scraper: TestKey;
let artist: TestKey;
let reader: TestKey;
beforeAll(async () => {
  h = await startHarness();
  scraper = await createKey(h, { name: 'prometheus', scopes: ['metrics'] });
  artist = await createKey(h, { name: 'artist', max_queued: 1 });
  reader = await createKey(h, { name: 'viewer', scopes: ['read'] });
});
afterAll(() => h.close());

const metrics = (headers: Record<string, string>) => request(`${h.url}/metrics`, { headers });
const family = (fams: PromFamily[], name: string) => fams.find((f) => f.name === name);
const sample = (f: PromFamily | undefined, labels: Record<string, string>) => f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

describe('who may read /metrics', () => {
  it('the admin key or a metrics-scoped key in a header; others 403, nobody 401, the browser session 403', async () => {
    expect((await metrics({})).status).toBe(401);
    expect((await metrics(ADMIN)).status).toBe(200);
    expect((await metrics(scraper.auth)).status).toBe(200);
    expect((await metrics(artist.auth)).status).toBe(403);
    expect((await metrics(reader.auth)).status).toBe(403);
    const login = await loginJson(h, { api_key: ADMIN_KEY });
    const cookie = sessionCookie(login);
    expect(cookie).toBeTruthy();
    const viaSession = await metrics({ cookie: `cac_session=${cookie}` });
    expect(viaSession.status).toBe(403);
    expect(viaSession.text).toContain('not served to a browser login session');
  });

  it('a metrics key can do nothing else', async () => {
    for (const path of ['/queue', '/system_stats', '/api/usage', '/api/keys', '/history', '/object_info']) {
      expect((await request(`${h.url}${path}`, { headers: scraper.auth })).status, path).toBe(403);
    }
    const job = await postJson(h, '/prompt', scraper.auth, { prompt: { '3': { class_type: 'KSampler', inputs: {} } } });
    expect(job.status).toBe(403);
  });
});

describe('what Prometheus sees', () => {
  it('families, labels and values that match keys usage; never a secret', async () => {
    // Traffic: a job that runs to its end, a 429 on the queue quota, a socket.
    const socket = await openWs(h, { headers: artist.auth });
    const first = await postJson(h, '/prompt', artist.auth, { prompt: { '3': { class_type: 'KSampler', inputs: { seed: 1 } }, '9': { class_type: 'SaveImage', inputs: { images: ['3', 0] } } }, client_id: socket.clientId });
    const id = first.json<{ prompt_id: string }>().prompt_id;
    const refused = await postJson(h, '/prompt', artist.auth, { prompt: { '3': { class_type: 'KSampler', inputs: { seed: 2 } } } });
    expect(refused.status).toBe(429);
    await h.fake.runFakeJob(id, socket.clientId, 2, { ms: 300 });
    await socket.waitFor((m) => m.type === 'execution_success' && m.data.prompt_id === id);

    const res = await metrics(scraper.auth);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const secret of [ADMIN_KEY, scraper.secret, artist.secret, reader.secret]) expect(res.text).not.toContain(secret);
    const fams = parsePrometheusTextFormat(res.text);
    const names = fams.map((f) => f.name);
    for (const n of ['requests_total', 'request_duration_seconds', 'jobs_total', 'gpu_seconds_total', 'cloud_jobs_total', 'refusals_total', 'upstream_up', 'upstream_queue', 'jobs_active', 'open_websockets', 'in_flight_requests']) {
      expect(names).toContain(`comfy_companion_${n}`);
    }
    const art = { key_id: artist.id, key_name: 'artist' };
    expect(Number(sample(family(fams, 'comfy_companion_refusals_total'), { ...art, policy: 'queue' })?.value)).toBe(1);
    expect(Number(sample(family(fams, 'comfy_companion_requests_total'), { ...art, status_class: '4xx' })?.value)).toBeGreaterThanOrEqual(1);
    expect(Number(sample(family(fams, 'comfy_companion_open_websockets'), {})?.value), res.text.split('\n').filter((l) => l.includes('websocket')).join(' ')).toBe(1);
    expect(Number(sample(family(fams, 'comfy_companion_upstream_up'), { upstream: new URL(h.fake.url).origin })?.value)).toBe(1);
    expect(family(fams, 'comfy_companion_request_duration_seconds')?.type).toBe('HISTOGRAM');

    // The same numbers `keys usage` prints (usageReport rows over the key store and usage of this data dir).
    const rows = usageRows(h.stack.keys.store.list(), h.stack.keys.usage, 1).filter((r) => r.key_id === artist.id);
    const sum = (f: 'jobs_success' | 'gpu_seconds') => rows.reduce((n, r) => n + r[f], 0);
    expect(Number(sample(family(fams, 'comfy_companion_jobs_total'), { ...art, outcome: 'success' })?.value)).toBe(sum('jobs_success'));
    expect(sum('jobs_success')).toBe(1);
    expect(Number(sample(family(fams, 'comfy_companion_gpu_seconds_total'), art)?.value)).toBeCloseTo(sum('gpu_seconds'), 3);
    await socket.close();
  });

  it('a revoked key\'s series are dropped at the next scrape', async () => {
    await request(`${h.url}/api/keys/${reader.id}`, { headers: ADMIN });
    const before = parsePrometheusTextFormat((await metrics(ADMIN)).text);
    expect(JSON.stringify(before)).toContain(reader.id);
    expect((await request(`${h.url}/api/keys/${reader.id}`, { method: 'DELETE', headers: ADMIN })).status).toBe(200);
    const after = await metrics(ADMIN);
    expect(after.text).not.toContain(reader.id);
  });
});

describe('the Grafana dashboard in docs/', () => {
  it('queries only metrics the proxy serves', async () => {
    const dashboard = JSON.parse(readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const served = new Set(parsePrometheusTextFormat((await metrics(ADMIN)).text).map((f) => f.name));
    const queried = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/comfy_companion_[a-z_]+/g) ?? []));
    expect(queried.length).toBeGreaterThan(10);
    const family = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
    expect(queried.map(family).filter((n) => !served.has(n))).toEqual([]);
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
  });
});
