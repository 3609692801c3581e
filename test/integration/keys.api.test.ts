// The keys HTTP API's answers to bad input (400/413/404 naming the problem, nothing changed) and
// its refusal of non-admin principals, both behind the proxy and when mounted on a bare server.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../main/common/principal';
import { request } from '../helpers/http';
import { startHarness, type Harness } from '../helpers/proxyHarness';

let h: Harness;
let keyId = '';
let generateKey = '';
let readKey = '';
type Err = { error: { type: string; message: string } };

async function create(body: unknown): Promise<{ key_id: string; api_key: string }> {
  const res = await request(`${h.url}/api/keys`, { method: 'POST', headers: { ...h.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}

beforeAll(async () => {
  h = await startHarness();
  ({ key_id: keyId, api_key: generateKey } = await create({ name: 'existing' }));
  ({ api_key: readKey } = await create({ name: 'reader', scopes: ['read'] }));
});
afterAll(async () => {
  await h.close();
});

const keysFile = () => readFileSync(join(h.dataDir, 'keys.json'), 'utf8');
const big = 'x'.repeat(70 * 1024);

describe('bad input to the keys API', () => {
  const cases: { what: string; method: string; path: () => string; body: string; status: number; type: string; names: RegExp }[] = [
    { what: 'malformed JSON', method: 'POST', path: () => '/api/keys', body: '{"name": ', status: 400, type: 'invalid_request', names: /JSON/ },
    { what: 'a JSON array body', method: 'POST', path: () => '/api/keys', body: '[]', status: 400, type: 'invalid_request', names: /JSON object/ },
    { what: 'an empty body', method: 'POST', path: () => '/api/keys', body: '', status: 400, type: 'invalid_request', names: /JSON object/ },
    { what: 'a missing name', method: 'POST', path: () => '/api/keys', body: '{"rate_limit": 5}', status: 400, type: 'invalid_request', names: /Missing required field "name"/ },
    { what: 'an empty name', method: 'POST', path: () => '/api/keys', body: '{"name": "  "}', status: 400, type: 'invalid_request', names: /"name".*empty/ },
    { what: 'an over-long name', method: 'POST', path: () => '/api/keys', body: JSON.stringify({ name: 'n'.repeat(101) }), status: 400, type: 'invalid_request', names: /"name".*100/ },
    { what: 'a name with control characters', method: 'POST', path: () => '/api/keys', body: JSON.stringify({ name: 'a\u001b[31m' }), status: 400, type: 'invalid_request', names: /"name"/ },
    { what: 'a numeric name', method: 'POST', path: () => '/api/keys', body: '{"name": 5}', status: 400, type: 'invalid_request', names: /"name"/ },
    { what: 'a string rate limit', method: 'POST', path: () => '/api/keys', body: '{"name": "a", "rate_limit": "100"}', status: 400, type: 'invalid_request', names: /"rate_limit"/ },
    { what: 'a zero rate limit', method: 'POST', path: () => '/api/keys', body: '{"name": "a", "rate_limit": 0}', status: 400, type: 'invalid_request', names: /"rate_limit"/ },
    { what: 'a negative rate limit', method: 'POST', path: () => '/api/keys', body: '{"name": "a", "rate_limit": -1}', status: 400, type: 'invalid_request', names: /"rate_limit"/ },
    { what: 'a fractional rate limit', method: 'POST', path: () => '/api/keys', body: '{"name": "a", "rate_limit": 1.5}', status: 400, type: 'invalid_request', names: /"rate_limit"/ },
    { what: 'a huge rate limit', method: 'POST', path: () => '/api/keys', body: '{"name": "a", "rate_limit": 1e12}', status: 400, type: 'invalid_request', names: /"rate_limit"/ },
    { what: 'an unknown field', method: 'POST', path: () => '/api/keys', body: '{"name": "a", "admin": true}', status: 400, type: 'invalid_request', names: /Unknown field "admin"/ },
    { what: 'an unknown scope', method: 'POST', path: () => '/api/keys', body: '{"name": "a", "scopes": ["root"]}', status: 400, type: 'invalid_request', names: /"scopes/ },
    { what: 'empty scopes', method: 'POST', path: () => '/api/keys', body: '{"name": "a", "scopes": []}', status: 400, type: 'invalid_request', names: /"scopes"/ },
    { what: 'metadata that is not an object', method: 'POST', path: () => '/api/keys', body: '{"name": "a", "metadata": [1]}', status: 400, type: 'invalid_request', names: /"metadata"/ },
    { what: 'expires_at in the past', method: 'POST', path: () => '/api/keys', body: '{"name": "a", "expires_at": 1000}', status: 400, type: 'invalid_request', names: /"expires_at"/ },
    { what: 'a zero share', method: 'POST', path: () => '/api/keys', body: '{"name": "a", "share": 0}', status: 400, type: 'invalid_request', names: /"share": must be at least 0\.1/ },
    { what: 'a share with three decimals', method: 'POST', path: () => '/api/keys', body: '{"name": "a", "share": 1.234}', status: 400, type: 'invalid_request', names: /"share": must have at most two decimals/ },
    { what: 'a string share', method: 'PATCH', path: () => `/api/keys/${keyId}`, body: '{"share": "2"}', status: 400, type: 'invalid_request', names: /"share"/ },
    { what: 'a share over 100', method: 'PATCH', path: () => `/api/keys/${keyId}`, body: '{"share": 101}', status: 400, type: 'invalid_request', names: /"share": must be at most 100/ },
    { what: 'a body over 64 KiB', method: 'POST', path: () => '/api/keys', body: JSON.stringify({ name: 'a', metadata: { big } }), status: 413, type: 'payload_too_large', names: /larger than 65536 bytes/ },
    { what: 'a patch with an unknown field', method: 'PATCH', path: () => `/api/keys/${keyId}`, body: '{"hash": "x"}', status: 400, type: 'invalid_request', names: /Unknown field "hash"/ },
    { what: 'a patch with a wrong type', method: 'PATCH', path: () => `/api/keys/${keyId}`, body: '{"is_active": "no"}', status: 400, type: 'invalid_request', names: /"is_active"/ },
    { what: 'an empty patch', method: 'PATCH', path: () => `/api/keys/${keyId}`, body: '{}', status: 400, type: 'invalid_request', names: /at least one field/ },
    { what: 'a patch of an unknown id', method: 'PATCH', path: () => '/api/keys/AAAAAAAAAAAAAAAAAAAAAA', body: '{"name": "b"}', status: 404, type: 'not_found', names: /AAAAAAAAAAAAAAAAAAAAAA/ },
    { what: 'a get of an unknown id', method: 'GET', path: () => '/api/keys/nope', body: '', status: 404, type: 'not_found', names: /nope/ },
    { what: 'a delete of an unknown id', method: 'DELETE', path: () => '/api/keys/nope', body: '', status: 404, type: 'not_found', names: /nope/ },
    { what: 'a rotate of an unknown id', method: 'POST', path: () => '/api/keys/nope/rotate', body: '', status: 404, type: 'not_found', names: /nope/ },
    { what: 'a negative grace period', method: 'POST', path: () => `/api/keys/${keyId}/rotate`, body: '{"grace_seconds": -5}', status: 400, type: 'invalid_request', names: /"grace_seconds"/ },
    { what: 'a bad days parameter', method: 'GET', path: () => '/api/usage?days=abc', body: '', status: 400, type: 'invalid_request', names: /"days"/ },
  ];

  it.each(cases)('$what → $status $type naming the problem, store unchanged', async (c) => {
    const before = keysFile();
    const headers: Record<string, string> = { ...h.auth };
    if (c.body) headers['content-type'] = 'application/json';
    const res = await request(`${h.url}${c.path()}`, { method: c.method, headers, body: c.body || undefined });
    expect(res.status).toBe(c.status);
    const err = res.json<Err>().error;
    expect(err.type).toBe(c.type);
    expect(err.message).toMatch(c.names);
    expect(keysFile()).toBe(before);
  });
});

describe('oversized bodies without a Content-Length', () => {
  it('a chunked body past the cap is refused with 413 once the counted bytes pass it, store unchanged', async () => {
    const before = keysFile();
    const chunks = (function* () {
      yield Buffer.from('{"name":"a","metadata":{"big":"');
      for (let i = 0; i < 20; i++) yield Buffer.alloc(8 * 1024, 0x78);
      yield Buffer.from('"}}');
    })();
    const res = await request(`${h.url}/api/keys`, {
      method: 'POST',
      headers: { ...h.auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: Readable.from(chunks),
    });
    expect(res.status).toBe(413);
    expect(res.json<Err>().error.type).toBe('payload_too_large');
    expect(keysFile()).toBe(before);
  });
});

describe('who may use the keys API', () => {
  it('a generate-scope key cannot create, list or revoke keys', async () => {
    const headers = { 'x-api-key': generateKey, 'content-type': 'application/json' };
    const before = keysFile();
    const posted = await request(`${h.url}/api/keys`, { method: 'POST', headers, body: '{"name":"sneaky","scopes":["admin"]}' });
    expect(posted.status).toBe(403);
    expect((await request(`${h.url}/api/keys`, { headers })).status).toBe(403);
    expect((await request(`${h.url}/api/keys/${keyId}`, { method: 'DELETE', headers })).status).toBe(403);
    expect(keysFile()).toBe(before);
  });

  it('a read-scope key sees only its own usage, never the list', async () => {
    const res = await request(`${h.url}/api/usage`, { headers: { 'x-api-key': readKey } });
    expect(res.status).toBe(200);
    const body = res.json<{ key_name: string; keys?: unknown }>();
    expect(body.key_name).toBe('reader');
    expect(body.keys).toBeUndefined();
  });

  it('the admin lists keys without secrets or hashes, and sees one key with its usage', async () => {
    const list = await request(`${h.url}/api/keys`, { headers: h.auth });
    expect(list.text).not.toContain(generateKey);
    expect(list.text).not.toMatch(/hash/);
    const one = await request(`${h.url}/api/keys/${keyId}`, { headers: h.auth });
    expect(one.json()).toMatchObject({ key_id: keyId, name: 'existing', usage: { key_id: keyId, usage_stats: { total_requests: expect.any(Number) } } });
  });

  it('share: 1 unless given, set on create, changed by PATCH, shown by GET', async () => {
    expect((await request(`${h.url}/api/keys/${keyId}`, { headers: h.auth })).json()).toMatchObject({ share: 1 });
    const made = await create({ name: 'weighted', share: 2.5 });
    expect((await request(`${h.url}/api/keys/${made.key_id}`, { headers: h.auth })).json()).toMatchObject({ share: 2.5 });
    const res = await request(`${h.url}/api/keys/${made.key_id}`, { method: 'PATCH', headers: { ...h.auth, 'content-type': 'application/json' }, body: '{"share": 0.5}' });
    expect(res.json()).toMatchObject({ key_id: made.key_id, share: 0.5 });
    const listed = (await request(`${h.url}/api/keys`, { headers: h.auth })).json<{ keys: { key_id: string; share: number }[] }>();
    expect(listed.keys.find((k) => k.key_id === made.key_id)?.share).toBe(0.5);
  });

  it('PATCH changes the given fields; disabling a key makes it fail at once', async () => {
    const res = await request(`${h.url}/api/keys/${keyId}`, {
      method: 'PATCH',
      headers: { ...h.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'renamed', is_active: false }),
    });
    expect(res.json()).toMatchObject({ key_id: keyId, name: 'renamed', is_active: false });
    expect((await request(`${h.url}/queue`, { headers: { 'x-api-key': generateKey } })).status).toBe(401);
  });

  it('admin routes refuse a non-admin principal even when mounted without the proxy check', async () => {
    const route = h.stack.keys.routes.find((r) => r.path === '/api/keys' && r.methods.includes('GET'))!;
    const principal: Principal = { kind: 'access_key', keyId, keyName: 'x', scopes: ['generate'], quotas: { jobsPerHour: 100, requestsPerMinute: 600, maxQueued: 100, gpuSecondsPerDay: null }, comfyUser: null, cloud: { allowed: false, jobsPerDay: null }, share: 1, via: 'bearer' };
    const bare = http.createServer((req, res) => {
      void route.handle({ req, res, url: new URL(`http://x${req.url}`), principal, proxyOrigin: '', clientAddress: '' });
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    try {
      const res = await request(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/api/keys`);
      expect(res.status).toBe(403);
      expect(res.text).not.toContain('existing');
    } finally {
      await new Promise((r) => bare.close(r));
    }
  });
});
