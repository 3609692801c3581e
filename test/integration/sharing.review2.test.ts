// Second review of the sharing rules, from the attacker's side and the owner's: a mask form whose
// `original_ref` hides from the proxy (unquoted, RFC 2231, "/"-prefixed, duplicated, another charset) and a
// mask that writes into the output folder or overwrites another key's file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { getJson, postJson, workflow } from '../fixtures/fakeComfyClient';
import { request } from '../helpers/http';
import type { Harness } from '../helpers/proxyHarness';
import { outputOf, startTwoKeys } from './sharing.twoKeys.helpers';
import { createKey, startMulti } from './upstreams.helpers';

let h: Harness;
let alice: Record<string, string>;
let bob: Record<string, string>;
let aliceOutput = '';

beforeAll(async () => {
  ({ h, alice, bob } = await startTwoKeys());
  aliceOutput = await outputOf(h, alice, 'alice-output');
});
afterAll(() => h.close());

const B = '----review2-boundary';
/** A form of [Content-Disposition params (+ extra header lines), value] parts, with a mask image first. */
function form(parts: [string, string][]): Buffer {
  const all: [string, string][] = [['name="image"; filename="clipspace-mask.png"\r\nContent-Type: image/png', 'mask-bytes'], ...parts];
  return Buffer.from(all.map(([d, v]) => `--${B}\r\nContent-Disposition: form-data; ${d}\r\n\r\n${v}\r\n`).join('') + `--${B}--\r\n`, 'latin1');
}
const sendMask = (who: Record<string, string>, body: Buffer, type = `multipart/form-data; boundary=${B}`) =>
  request(`${h.url}/upload/mask`, { method: 'POST', headers: { ...who, 'content-type': type }, body });
const masksReached = () => h.fake.received.filter((r) => /^(\/api)?\/upload\/mask$/.test(r.url)).length;
const ref = (filename: string, type = 'output') => JSON.stringify({ filename, subfolder: '', type });

describe('H2: every spelling of original_ref is the one the proxy checks', () => {
  it('refuses forms where ComfyUI could read another key’s output as original_ref, forwarding nothing', async () => {
    const decoy = ref('example.png', 'input');
    const before = masksReached();
    const cases: [string, Buffer, string?][] = [
      ['unquoted first, decoy second', form([['name=original_ref', ref(aliceOutput)], ['name="original_ref"', decoy]])],
      [
        'a part whose data starts with the boundary (aiohttp: an empty part, then a real one)',
        Buffer.concat([Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="junk"\r\n\r\n`, 'latin1'), form([['name="original_ref"', ref(aliceOutput)], ['name="original_ref"', decoy]])]),
      ],
      ['RFC 2231 name*', form([["name*=utf-8''original_ref", ref(aliceOutput)], ['name="original_ref"', decoy]])],
      ['percent-encoded name*', form([["name*=UTF-8''original%5Fref", ref(aliceOutput)], ['name="original_ref"', decoy]])],
      ['"/"-prefixed name', form([['name="/original_ref"', ref(aliceOutput)], ['name="original_ref"', decoy]])],
      ['two quoted fields', form([['name="original_ref"', decoy], ['name="original_ref"', ref(aliceOutput)]])],
      ['name and name* disagree', form([['name="x"; name*=utf-8\'\'original_ref', ref(aliceOutput)]])],
      ['a continuation', form([['name*0="original_"; name*1="ref"', ref(aliceOutput)], ['name="original_ref"', decoy]])],
      ['another charset', form([['name="original_ref"\r\nContent-Type: text/plain; charset=utf-7', decoy]])],
      ['base64 encoded', form([['name="original_ref"\r\nContent-Transfer-Encoding: base64', Buffer.from(decoy).toString('base64')]])],
      ['a _charset_ field', form([['name="_charset_"', 'utf-7'], ['name="original_ref"', decoy]])],
      ['a bare LF in the part header', form([['name="x"\nContent-Disposition: form-data; name="original_ref"', ref(aliceOutput)], ['name="original_ref"', decoy]])],
      ['a URL-encoded form with a boundary', Buffer.from(`original_ref=${encodeURIComponent(ref(aliceOutput))}&x=1`), `application/x-www-form-urlencoded; boundary=${B}`],
    ];
    for (const [label, body, type] of cases) {
      const res = await sendMask(bob, body, type);
      expect(res.status, label).toBe(400);
      expect(res.json<{ error: { type: string } }>().error.type, label).toBe('invalid_request');
    }
    // Unquoted and alone: read, checked, refused like the quoted spelling.
    expect((await sendMask(bob, form([['name=original_ref', ref(aliceOutput)]]))).status).toBe(404);
    expect(masksReached()).toBe(before);
  });

  it('the owner’s mask still goes through, in the browser’s spelling and the unquoted one', async () => {
    const before = masksReached();
    expect((await sendMask(alice, form([['name="original_ref"', ref(aliceOutput)], ['name="type"', 'input']]))).status).toBe(200);
    expect((await sendMask(alice, form([['name=original_ref', ref(aliceOutput)]]))).status).toBe(200);
    expect(masksReached()).toBe(before + 2);
  });
});

describe('M1: a key’s mask may not write into the output folder or over another key’s file', () => {
  it('refuses type=output and an overwrite in temp of a file that is not the key’s, forwarding nothing', async () => {
    const before = masksReached();
    const target = `name="image"; filename="${aliceOutput}"\r\nContent-Type: image/png`;
    const own = ['name="original_ref"', ref('example.png', 'input')] as [string, string];
    const intoOutput = Buffer.from(form([own, ['name="type"', 'output'], ['name="overwrite"', 'true']]).toString('latin1').replace('name="image"; filename="clipspace-mask.png"\r\nContent-Type: image/png', target), 'latin1');
    const res = await sendMask(bob, intoOutput);
    expect(res.status).toBe(403);
    expect(res.json<{ error: { type: string } }>().error.type).toBe('forbidden');
    expect((await sendMask(bob, form([own, ['name="type"', 'temp'], ['name="overwrite"', '1']]))).status).toBe(403);
    expect((await sendMask(bob, form([own, ['name="type"', 'output'], ['name="type"', 'input']]))).status).toBe(400);
    expect(masksReached()).toBe(before);
    // A fresh name in temp (no overwrite) and the input folder stay open.
    expect((await sendMask(bob, form([own, ['name="type"', 'temp']]))).status).toBe(200);
    expect((await sendMask(bob, form([own, ['name="type"', 'input'], ['name="overwrite"', 'true']]))).status).toBe(200);
    expect(masksReached()).toBe(before + 2);
  });
});

describe('M6: the shared /object_info cache does not grow with the query', () => {
  it('answers /object_info?x=1…N from one upstream read, not one per query', async () => {
    const m = await startMulti(2);
    try {
      const key = await createKey(m, 'querier');
      for (let i = 0; i < 20; i++) {
        const res = await request(`${m.url}/object_info?x=${i}`, { headers: { authorization: `Bearer ${key}` } });
        expect(res.status).toBe(200);
      }
      // Upstream probes read /object_info too, never with this query; a cache miss per query would make 20.
      const reads = m.fakes.flatMap((f) => f.received).filter((r) => r.url.startsWith('/object_info?x=')).length;
      expect(reads).toBeGreaterThan(0);
      expect(reads).toBeLessThanOrEqual(2);
    } finally {
      await m.close();
    }
  });
});

describe('L7: a key’s /history?max_items is capped', () => {
  it('reads at most 256 of the key’s jobs from ComfyUI whatever max_items asks', async () => {
    const ledger = h.stack.proxy.ledger;
    const carol = await h.stack.keys.store.create({ name: 'carol' });
    const upstream = ledger.list({ limit: 1 })[0]?.upstream ?? '';
    for (let i = 0; i < 300; i++) {
      const promptId = `carol-old-${i}`;
      ledger.recordSubmitted({ promptId, owner: carol.record.key_id, ownerName: 'carol', clientId: 'carol-c', upstream, number: i, at: Date.now() });
      ledger.confirmSubmitted(promptId, promptId, i);
      ledger.observeHistory(upstream, { [promptId]: { status: { status_str: 'success', completed: true, messages: [] }, outputs: {} } }, Date.now());
    }
    const before = h.fake.received.filter((r) => r.url.startsWith('/history/carol-old-')).length;
    const res = await getJson(h.url, '/history?max_items=100000', { authorization: `Bearer ${carol.secret}` });
    expect(res.status).toBe(200);
    expect(h.fake.received.filter((r) => r.url.startsWith('/history/carol-old-')).length - before).toBe(256);
  });
});

describe('client ids and HEAD /api/jobs', () => {
  it('a client_id over 200 characters is a 400 saying so, not "in use"', async () => {
    const res = await postJson(h.url, '/prompt', { prompt: workflow('long-id'), client_id: 'c'.repeat(201) }, bob);
    expect(res.status).toBe(400);
    expect(res.text).toContain('too long');
  });

  it('a WebSocket clientId over 200 characters is a 400 saying so, not "in use"', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/ws?clientId=${'c'.repeat(201)}`, { headers: bob });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('the upgrade was accepted')));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(400);
  });

  it('HEAD /api/jobs/{id} of another key’s job is refused like GET, without asking ComfyUI', async () => {
    const id = h.stack.proxy.ledger.list({ limit: 1000 }).find((j) => j.ownerName === 'alice')?.promptId ?? '';
    expect(id).not.toBe('');
    const get = await request(`${h.url}/api/jobs/${id}`, { headers: bob });
    const before = h.fake.received.filter((r) => r.url.startsWith('/api/jobs')).length;
    const head = await request(`${h.url}/api/jobs/${id}`, { method: 'HEAD', headers: bob });
    expect(get.status).toBeGreaterThanOrEqual(400);
    expect(head.status).toBe(get.status);
    expect(h.fake.received.filter((r) => r.url.startsWith('/api/jobs')).length).toBe(before);
    expect((await request(`${h.url}/api/jobs/${id}`, { method: 'HEAD', headers: alice })).status).toBe(200);
  });
});
