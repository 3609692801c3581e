// The Comfy credentials older ComfyUI versions echo in /queue and /history (SPEC §8.8) are removed wherever they
// appear, for the admin and for keys. Since issue 27 the admin's view of one upstream is relayed as ComfyUI's
// own bytes when it cannot hold one (not parsed): these tests pin both ways — an upstream that writes JSON the way
// Python's json.dumps does (", " and ": ") shows which one answered — and that a queue read still settles a job
// deleted on ComfyUI directly.
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxyStack, type ProxyStack } from '../../main/compose/proxyStack';
import { mayHoldSecret } from '../../main/proxy/sharing/echoedSecrets';
import { request } from '../helpers/http';
import { testStackConfig } from '../helpers/proxyHarness';
import type { Harness } from '../helpers/proxyHarness';
import { ADMIN, finishRunning, get, openWs, runToEnd, startRunning, startSharing, submit, type TestKey, type TestSocket } from './sharing.helpers';

const KEY = 'comfyui-0123456789abcdef-echoed-key';
const TOKEN = 'firebase-token-echoed-secret';

describe('mayHoldSecret', () => {
  it('sees either field name, an escaped letter that could spell one, and the cloud key', () => {
    const has = (text: string, cloud: string | null = null) => mayHoldSecret(Buffer.from(text), cloud);
    expect(has('{"a": 1, "b": "api_key_comfy_org"}')).toBe(true);
    expect(has('[1, "x", {}, {"auth_token_comfy_org": "t"}]')).toBe(true);
    for (const spelled of ['api\\u005fkey_comfy_org', 'auth\\u005Ftoken_comfy_org', '\\u0061pi_key_comfy_org', 'api_key_comfy_or\\u0067', 'auth_token_comfy_\\u006frg']) {
      expect(has(`{"${spelled}": "s"}`), spelled).toBe(true);
      expect(JSON.parse(`{"${spelled}": "s"}`)).toHaveProperty(spelled.includes('auth') ? 'auth_token_comfy_org' : 'api_key_comfy_org');
    }
    expect(has('{"prompt": "my cloud key is ck-123"}', 'ck-123')).toBe(true);
    expect(has('{"queue_running": [], "queue_pending": [[0, "p", {"t": "caf\\u00e9 \\u2603"}, {"client_id": "c"}, []]]}', 'ck-123')).toBe(false);
  });
});

describe('an upstream that writes JSON like ComfyUI (json.dumps separators)', () => {
  const bodies = new Map<string, string>();
  let upstream: http.Server;
  let stack: ProxyStack;
  let dataDir: string;
  let url: string;
  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      const body = bodies.get(((req.url ?? '').split('?')[0] ?? '').replace(/^\/api\//, '/'));
      if (body === undefined) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    dataDir = await mkdtemp(join(tmpdir(), 'cac-echoed-'));
    stack = await startProxyStack(testStackConfig(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, dataDir));
    url = stack.proxy.url;
  });
  afterAll(async () => {
    await stack.close(500);
    await new Promise((r) => upstream.close(r));
    await rm(dataDir, { recursive: true, force: true });
  });
  const admin = (path: string) => request(`${url}${path}`, { headers: ADMIN });

  it('relays the admin ComfyUI’s own bytes when nothing is echoed', async () => {
    const queue = '{"queue_running": [[0, "run-1", {"3": {"class_type": "KSampler", "inputs": {"text": "caf\\u00e9"}}}, {"client_id": "c1"}, ["9"]]], "queue_pending": [], "extra": 1}';
    const history = '{"done-1": {"prompt": [1, "done-1", {}, {"client_id": "c1"}, ["9"]], "outputs": {}, "status": {"status_str": "success", "completed": true, "messages": []}}}';
    bodies.set('/queue', queue);
    bodies.set('/history', history);
    const q = await admin('/queue');
    expect(q.status).toBe(200);
    expect(q.text).toBe(queue);
    expect(q.headers['cache-control']).toBe('no-store');
    expect((await admin('/history?max_items=5')).text).toBe(history);
  });

  const item = (id: string, extra: string) => `[0, "${id}", {}, {"client_id": "c1", ${extra}}, []]`;
  const scrubbed = async (queue: string, history: string) => {
    bodies.set('/queue', queue);
    bodies.set('/history', history);
    for (const path of ['/queue', '/api/queue', '/history', '/api/history?max_items=3']) {
      const res = await admin(path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain(KEY);
      expect(res.text, path).not.toContain(TOKEN);
      expect(res.text, path).not.toMatch(/comfy_org|\\u00/);
      expect(() => JSON.parse(res.text), path).not.toThrow();
    }
  };

  it('parses and scrubs an answer that holds either field, in any item', async () => {
    await scrubbed(
      `{"queue_running": [${item('r', `"api_key_comfy_org": "${KEY}"`)}], "queue_pending": [${item('p1', `"auth_token_comfy_org": "${TOKEN}"`)}, ${item('p2', '"x": 1')}]}`,
      `{"h1": {"prompt": ${item('h1', `"auth_token_comfy_org": "${TOKEN}", "api_key_comfy_org": "${KEY}"`)}, "outputs": {}}}`,
    );
    const q = (await admin('/queue')).json<{ queue_pending: unknown[][] }>();
    expect(q.queue_pending.map((i) => i[1])).toEqual(['p1', 'p2']);
    expect(q.queue_pending[1]?.[3]).toEqual({ client_id: 'c1', x: 1 });
  });

  it('parses and scrubs an answer whose field name is spelled with an escaped letter', async () => {
    await scrubbed(
      `{"queue_running": [], "queue_pending": [${item('p', `"api\\u005fkey_comfy_org": "${KEY}"`)}]}`,
      `{"h1": {"prompt": ${item('h1', `"auth_t\\u006fken_comfy_org": "${TOKEN}"`)}, "outputs": {}}}`,
    );
  });
});

describe('queue and history reads that are relayed as they are', () => {
  let h: Harness;
  beforeAll(async () => {
    ({ h } = await startSharing({}));
  });
  afterAll(async () => {
    await h.close();
  });

  it('still settles a job deleted on ComfyUI directly (its id is no longer in the answer)', async () => {
    const kept = (await submit(h, ADMIN)).id;
    const gone = (await submit(h, ADMIN)).id;
    expect(h.stack.proxy.ledger.get(gone)?.state).toBe('pending');
    await request(`${h.fake.url}/queue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delete: [gone] }) });
    const res = await get(h, '/queue', ADMIN);
    expect(res.text).toContain(kept);
    expect(res.text).not.toContain(gone);
    // Settled before the answer (the settler's own first read comes 1 s after a job was queued).
    expect(h.stack.proxy.ledger.get(gone)?.state).toBe('deleted');
    expect(h.stack.proxy.ledger.get(kept)?.state).toBe('pending');
  });

  it('an admin /history read still settles a job it names that the ledger thinks active', async () => {
    h.stack.proxy.settler.stop(); // only the read can settle it now
    const { id } = await submit(h, ADMIN);
    await runToEnd(h, id, null); // no socket through the proxy saw it end
    expect(h.stack.proxy.ledger.get(id)?.state).not.toBe('success');
    const res = await get(h, '/history?max_items=10', ADMIN);
    expect(Object.keys(res.json<Record<string, unknown>>())).toContain(id);
    expect(h.stack.proxy.ledger.get(id)?.state).toBe('success');
  });
});

describe('with the fake ComfyUI (an older one, echoing credentials)', () => {
  let h: Harness;
  let keys: Record<'alice', TestKey>;
  let alice: TestSocket;
  const job = { running: '', pendingKey: '', pendingToken: '', admin: '', done: '' };
  beforeAll(async () => {
    ({ h, keys } = await startSharing({ alice: {} }));
    alice = await openWs(h, { headers: keys.alice.auth });
    job.done = (await submit(h, keys.alice.auth, { extra_data: { api_key_comfy_org: KEY, auth_token_comfy_org: TOKEN } })).id;
    await runToEnd(h, job.done, alice);
    job.running = (await submit(h, keys.alice.auth, { extra_data: { api_key_comfy_org: KEY } })).id;
    job.pendingKey = (await submit(h, ADMIN, { extra_data: { api_key_comfy_org: KEY } })).id;
    job.pendingToken = (await submit(h, keys.alice.auth, { extra_data: { auth_token_comfy_org: TOKEN } })).id;
    job.admin = (await submit(h, ADMIN)).id;
    await startRunning(h, job.running, alice);
  });
  afterAll(async () => {
    await finishRunning(h, job.running, alice);
    await alice.close();
    await h.close();
  });

  it('removes both fields from every queue item and history entry, for the admin and for the key', async () => {
    expect(JSON.stringify(h.fake.state.queue())).toContain(KEY); // the fake echoes them: the redaction is the proxy's
    const reads: [string, { authorization: string }][] = [];
    for (const who of [ADMIN, keys.alice.auth]) {
      for (const path of ['/queue', '/api/queue', '/history', '/api/history?max_items=10', `/history/${job.done}`, `/api/history/${job.done}`]) reads.push([path, who]);
    }
    for (const [path, who] of reads) {
      const res = await get(h, path, who);
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain(KEY);
      expect(res.text, path).not.toContain(TOKEN);
      if (path.includes('queue')) expect(res.text, path).toContain(job.pendingToken);
      else expect(res.text, path).toContain(job.done);
    }
    const q = (await get(h, '/queue', ADMIN)).json<{ queue_running: unknown[][]; queue_pending: unknown[][] }>();
    expect(q.queue_running.map((i) => i[1])).toEqual([job.running]);
    expect(q.queue_pending.map((i) => i[1]).sort()).toEqual([job.pendingKey, job.pendingToken, job.admin].sort());
  });
});
