// A key's POST /upload/image may not write into ComfyUI's output folder nor overwrite another key's temp file
// (SPEC §8.3): the form streams through the proxy's check, which refuses it before ComfyUI has the whole form —
// with one ComfyUI and with several (the upload tee). Input uploads and admin's go through as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http';
import { startHarness, type Harness } from '../helpers/proxyHarness';
import { createKey, startMulti, type Multi } from './upstreams.helpers';

const B = '----upload-target-boundary';
function form(filename: string, fields: Record<string, string>): Buffer {
  const parts = [`--${B}\r\nContent-Disposition: form-data; name="image"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n${'p'.repeat(70_000)}\r\n`];
  for (const [k, v] of Object.entries(fields)) parts.push(`--${B}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return Buffer.from(`${parts.join('')}--${B}--\r\n`, 'latin1');
}
const upload = (url: string, who: Record<string, string>, body: Buffer) =>
  request(`${url}/upload/image`, { method: 'POST', headers: { ...who, 'content-type': `multipart/form-data; boundary=${B}` }, body });

describe('one ComfyUI', () => {
  let h: Harness;
  let bob: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness();
    bob = { authorization: `Bearer ${(await h.stack.keys.store.create({ name: 'bob' })).secret}` };
  });
  afterAll(() => h.close());

  it('refuses a key’s upload into output (403) and an overwrite in temp of a file not its own; ComfyUI stores neither', async () => {
    const out = await upload(h.url, bob, form('ComfyUI_00001_.png', { type: 'output', overwrite: 'true' }));
    expect(out.status).toBe(403);
    expect(out.text).toContain('output folder');
    const temp = await upload(h.url, bob, form('someone-elses.png', { type: 'temp', overwrite: '1' }));
    expect(temp.status).toBe(403);
    expect(h.fake.uploads.map((u) => u.name)).not.toContain('ComfyUI_00001_.png');
    expect(h.fake.uploads.map((u) => u.name)).not.toContain('someone-elses.png');
  });

  it('a boundary ComfyUI could read differently (space or tab around it) is refused, and an empty upload is a 400', async () => {
    const smuggled = form('smuggled.png', { type: 'output', overwrite: 'true' });
    for (const type of [`multipart/form-data; boundary=" ${B}"`, `multipart/form-data; boundary=\t${B}`]) {
      const res = await request(`${h.url}/upload/image`, { method: 'POST', headers: { ...bob, 'content-type': type }, body: smuggled });
      expect(res.status).toBe(400);
    }
    expect(h.fake.uploads.map((u) => u.name)).not.toContain('smuggled.png');
    const empty = await request(`${h.url}/upload/image`, { method: 'POST', headers: { ...bob, 'content-type': `multipart/form-data; boundary=${B}`, 'content-length': '0' } });
    expect(empty.status).toBe(400);
    // The proxy is still there.
    expect((await request(`${h.url}/system_stats`, { headers: bob })).status).toBe(200);
  });

  it('forms aiohttp would read differently are refused or read its way (second review, shown against aiohttp 3.14)', async () => {
    const cd = (name: string, extra = '') => `Content-Disposition: form-data; name="${name}"${extra}\r\n`;
    const send = (body: string) =>
      request(`${h.url}/upload/image`, { method: 'POST', headers: { ...bob, 'content-type': `multipart/form-data; boundary=${B}` }, body: Buffer.from(body, 'latin1') });
    // A part whose data starts with the boundary line: for aiohttp an empty part, and the next part is real.
    const hidden = await send(`--${B}\r\n${cd('junk')}\r\n--${B}\r\n${cd('type')}\r\noutput\r\n--${B}\r\n${cd('image', '; filename="hidden.png"')}\r\nPNG\r\n--${B}--\r\n`);
    expect(hidden.status).toBe(403);
    // A first line that only looks like the end: aiohttp skips it as preamble.
    const preamble = await send(`--${B}--junk\r\n--${B}\r\n${cd('type')}\r\noutput\r\n--${B}\r\n${cd('image', '; filename="pre.png"')}\r\nPNG\r\n--${B}--\r\n`);
    expect(preamble.status).toBe(400);
    // A charset parameter behind a no-break space (Python's strip() removes it; a byte-wise reader does not).
    const charset = await send(`--${B}\r\n${cd('type')}\r\ntemp\r\n--${B}\r\n${cd('overwrite')}Content-Type: text/plain; \xc2\xa0charset=utf-16-le\r\n\r\n1\x00\r\n--${B}\r\n${cd('image', '; filename="cs.png"')}\r\nPNG\r\n--${B}--\r\n`);
    expect(charset.status).toBe(400);
    // A file name with a path in it, whatever the folder.
    expect((await upload(h.url, bob, form('../output/path.png', { type: 'input' }))).status).toBe(400);
    for (const name of ['hidden.png', 'pre.png', 'cs.png', 'path.png']) expect(h.fake.uploads.map((u) => u.name)).not.toContain(name);
  });

  it('a part header with non-ASCII bytes (here a file name) is refused: the proxy and aiohttp would decode it differently', async () => {
    const res = await upload(h.url, bob, form('\u00e9t\u00e9.png', { type: 'temp', overwrite: 'true' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('printable ASCII');
  });

  it('a key’s input upload, a body that is not a form (400), and admin’s output upload', async () => {
    const ok = await upload(h.url, bob, form('cat.png', { type: 'input' }));
    expect(ok.status).toBe(200);
    expect(h.fake.uploads.some((u) => u.name === 'cat.png' && u.type === 'input')).toBe(true);
    const notForm = await request(`${h.url}/upload/image`, { method: 'POST', headers: { ...bob, 'content-type': 'application/json' }, body: '{}' });
    expect(notForm.status).toBe(400);
    const admin = await upload(h.url, h.auth, form('admin-out.png', { type: 'output' }));
    expect(admin.status).toBe(200);
  });
});

describe('several ComfyUI servers (the upload tee)', () => {
  let m: Multi;
  beforeAll(async () => {
    m = await startMulti(2);
  });
  afterAll(() => m.close());

  it('refuses a key’s output upload on every server and still takes its input upload on every one', async () => {
    const key = { authorization: `Bearer ${await createKey(m, 'carol')}` };
    const refused = await upload(m.url, key, form('carol-out.png', { type: 'output' }));
    expect(refused.status).toBe(403);
    for (const f of m.fakes) expect(f.uploads.some((u) => u.name === 'carol-out.png')).toBe(false);
    const ok = await upload(m.url, key, form('carol-in.png', {}));
    expect(ok.status).toBe(200);
    for (const f of m.fakes) expect(f.uploads.some((u) => u.name === 'carol-in.png')).toBe(true);
  });
});
