// Files on the proxy origin (SPEC §8.3, §8.7): `/view` of an output only for its owner (others 404, never
// forwarded; ComfyUI's "name [output]" annotation cannot dodge the rule), `type=input` of a key's upload only
// for that key (sharing.privateUploads.test.ts has the rest of private uploads), served files
// with nosniff + CSP sandbox and active types (SVG, HTML) as attachments, path tricks on /view, /userdata and
// /upload refused with 400 before forwarding, and the comfy-user header replaced by the key's comfy_user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http';
import type { Harness } from '../helpers/proxyHarness';
import { ADMIN, get, openWs, reached, runToEnd, startSharing, submit, type Err, type TestKey, type TestSocket } from './sharing.helpers';

let h: Harness;
let keys: Record<'alice' | 'bob' | 'plain', TestKey>;
let alice: TestSocket;
let output = '';

function upload(key: TestKey | { auth: Record<string, string> }, name: string, content: string | Buffer, query = ''): ReturnType<typeof request> {
  const boundary = '----sharing-test-boundary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\ninput\r\n--${boundary}--\r\n`),
  ]);
  return request(`${h.url}/upload/image${query}`, { method: 'POST', headers: { ...key.auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
}

const view = (query: string, who: Record<string, string>, path = '/view') => get(h, `${path}?${query}`, who);
const viewsReached = () => reached(h, /^(\/api)?\/view$/);

beforeAll(async () => {
  ({ h, keys } = await startSharing({ alice: { comfy_user: 'alice-folder' }, bob: {}, plain: {} }));
  alice = await openWs(h, { headers: keys.alice.auth });
  const job = await submit(h, keys.alice.auth);
  await runToEnd(h, job.id, alice);
  const executed = alice.about(job.id).find((m) => m.type === 'executed');
  const images = (executed?.data.output as { images: { filename: string }[] }).images;
  output = images[0]?.filename ?? '';
  expect(output).toMatch(/\.png$/);
});
afterAll(async () => {
  await alice.close();
  await h.close();
});

describe('/view of a job output', () => {
  it('serves the owner and admin, in both spellings, with nosniff and CSP sandbox', async () => {
    for (const [who, path] of [[keys.alice.auth, '/view'], [keys.alice.auth, '/api/view'], [ADMIN, '/view']] as const) {
      const res = await view(`filename=${output}&type=output&subfolder=`, who, path);
      expect(res.status).toBe(200);
      expect(res.body.subarray(1, 4).toString()).toBe('PNG');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBe('sandbox');
    }
  });

  it('answers another key 404 and never asks ComfyUI, whatever the spelling', async () => {
    const before = viewsReached();
    for (const query of [
      `filename=${output}&type=output&subfolder=`,
      `filename=${output}`,
      `filename=${output}&type=temp`,
      // ComfyUI reads "name [output]" from the output folder whatever type says (folder_paths.annotated_filepath).
      `filename=${encodeURIComponent(`${output} [output]`)}&type=input`,
      `filename=${encodeURIComponent(`${output}  [output]`)}&type=input`,
      `filename=${encodeURIComponent(`${output} [temp]`)}&type=input`,
    ]) {
      const res = await view(query, keys.bob.auth);
      expect(res.status, query).toBe(404);
      expect(res.json<Err>().error.type).toBe('not_found');
    }
    expect(viewsReached()).toBe(before);
  });

  it('lets the owner open its output by the annotated name the web UI uses', async () => {
    const res = await view(`filename=${encodeURIComponent(`${output} [output]`)}&type=input`, keys.alice.auth);
    expect(res.status).toBe(200);
    expect(res.body.subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('/view of the input folder', () => {
  it('a key’s upload is its own (other keys 404, admin sees it); a file admin put in the top level is shared', async () => {
    const up = await upload(keys.bob, 'cat.png', 'not really a png');
    expect(up.status).toBe(200);
    const { subfolder } = JSON.parse(up.text) as { subfolder: string };
    expect(subfolder).toBe(`private-${keys.bob.id}`);
    for (const [who, status] of [[keys.bob.auth, 200], [ADMIN, 200], [keys.alice.auth, 404], [keys.plain.auth, 404]] as const) {
      expect((await view(`filename=cat.png&type=input&subfolder=${subfolder}`, who)).status).toBe(status);
      expect((await view(`filename=${encodeURIComponent('cat.png [input]')}&subfolder=${subfolder}`, who)).status).toBe(status);
    }
    expect((await upload({ auth: ADMIN }, 'shared.png', 'for everyone')).status).toBe(200);
    for (const who of [keys.alice.auth, keys.bob.auth, ADMIN]) expect((await view('filename=shared.png&type=input', who)).status).toBe(200);
  });

  it('SVG and HTML are served as attachments with nosniff and CSP sandbox (no script on the logged-in origin)', async () => {
    await upload(keys.bob, 'evil.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    await upload(keys.bob, 'evil.html', '<script>fetch("/api/keys")</script>');
    await upload({ auth: ADMIN }, 'evil.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(2)</script></svg>');
    const bobs = `subfolder=private-${keys.bob.id}`;
    for (const [query, name, who] of [
      [`filename=evil.svg&type=input&${bobs}`, 'evil.svg', keys.bob.auth],
      [`filename=${encodeURIComponent('evil.svg [input]')}&${bobs}`, 'evil.svg', keys.bob.auth],
      [`filename=evil.html&type=input&${bobs}`, 'evil.html', keys.bob.auth],
      ['filename=evil.svg&type=input', 'evil.svg', keys.alice.auth],
    ] as const) {
      const res = await view(query, who);
      expect(res.status, query).toBe(200);
      expect(res.headers['content-disposition'], query).toBe(`attachment; filename="${name}"`);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBe('sandbox');
    }
    // A PNG stays inline (previews in <img> and the gallery).
    const png = await view(`filename=${output}&type=output`, keys.alice.auth);
    expect(String(png.headers['content-disposition'] ?? '')).not.toMatch(/attachment/);
  });
});

describe('/upload/mask (ComfyUI copies original_ref into the input folder)', () => {
  function mask(who: Record<string, string>, ref: unknown, path = '/upload/mask') {
    const boundary = '----mask-boundary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="clipspace-mask.png"\r\nContent-Type: image/png\r\n\r\n`),
      Buffer.from('mask-bytes-\r\n--not-a-boundary'),
      Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="original_ref"\r\n\r\n${JSON.stringify(ref)}`),
      Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\ninput\r\n--${boundary}--\r\n`),
    ]);
    return { body, send: () => request(`${h.url}${path}`, { method: 'POST', headers: { ...who, 'content-type': `multipart/form-data; boundary=${boundary}` }, body }) };
  }
  const masksReached = () => h.fake.received.filter((r) => /^(\/api)?\/upload\/mask$/.test(r.url));

  it('another key’s output as original_ref is refused (404) and never forwarded, in any spelling', async () => {
    const before = masksReached().length;
    for (const ref of [
      { filename: output, subfolder: '', type: 'output' },
      { filename: output },
      { filename: `${output} [output]`, type: 'input' },
    ]) {
      const res = await mask(keys.bob.auth, ref).send();
      expect(res.status, JSON.stringify(ref)).toBe(404);
    }
    expect((await mask(keys.bob.auth, { filename: '../output/x.png', type: 'input' }).send()).status).toBe(400);
    expect((await mask(keys.bob.auth, 'not an object').send()).status).toBe(400);
    expect(masksReached().length).toBe(before);
  });

  it('the owner’s output and its own upload go on as masks in its folder; admin’s masks are forwarded byte for byte', async () => {
    const before = masksReached().length;
    const own = await mask(keys.alice.auth, { filename: output, subfolder: '', type: 'output' }).send();
    expect(own.status).toBe(200);
    expect(JSON.parse(own.text)).toEqual({ name: 'clipspace-mask.png', subfolder: `private-${keys.alice.id}`, type: 'input' });
    const input = await mask(keys.bob.auth, { filename: 'cat.png', subfolder: `private-${keys.bob.id}`, type: 'input' }, '/api/upload/mask').send();
    expect(input.status).toBe(200);
    expect(JSON.parse(input.text)).toMatchObject({ subfolder: `private-${keys.bob.id}` });
    // Another key's upload as original_ref: 404, like its /view.
    expect((await mask(keys.alice.auth, { filename: 'cat.png', subfolder: `private-${keys.bob.id}`, type: 'input' }).send()).status).toBe(404);
    const admin = mask(ADMIN, { filename: output, type: 'output' });
    await admin.send();
    const got = masksReached().slice(before);
    expect(got.map((r) => r.url)).toEqual(['/upload/mask', '/api/upload/mask', '/upload/mask']);
    expect(got[2]?.bodyBytes).toBe(admin.body.length);
    expect(h.fake.files.get('input', `private-${keys.bob.id}`, 'clipspace-mask.png')).toBeDefined();
  });
});

describe('path tricks in file parameters', () => {
  const tricks = [
    '/view?filename=..%2F..%2Fcomfy.settings.json&type=input',
    '/view?filename=x.png&subfolder=..&type=input',
    '/view?filename=x.png&subfolder=../output&type=input',
    '/api/view?filename=%2Fetc%2Fpasswd',
    '/view?filename=..%5Cuser%5Cdefault&type=input',
    '/view?filename=C%3A%5Cwindows%5Cwin.ini',
    '/view?filename=x%00.png&type=input',
    '/view?filename=x.png&subfolder=%252e%252e%252f',
    '/api/userdata/..%2F..%2Fsecret.json',
    '/userdata?dir=..%2F..',
    '/api/v2/userdata?path=..%2Fother-user',
    '/api/userdata/workflows%2F..%2F..%2F..%2Fcomfy.settings.json',
  ];

  it('are refused with 400 and never forwarded, for keys and admin alike', async () => {
    const before = h.fake.received.length;
    for (const who of [keys.bob.auth, ADMIN]) {
      for (const path of tricks) {
        const res = await get(h, path, who);
        expect(res.status, path).toBe(400);
        expect(res.json<Err>().error.type).toBe('invalid_request');
      }
      const up = await upload(keys.bob, 'x.png', 'x', '?subfolder=..%2F..%2Fcustom_nodes');
      expect(up.status).toBe(400);
    }
    expect(h.fake.received.length).toBe(before);
  });

  it('a legitimate encoded userdata path still passes (the web UI encodes workflows/x.json)', async () => {
    const before = reached(h, /userdata/);
    const res = await get(h, '/api/userdata/workflows%2Fmy%20flow.json', keys.bob.auth);
    expect(res.status).not.toBe(400);
    expect(reached(h, /userdata/)).toBe(before + 1);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe('sandbox');
  });
});

describe('comfy-user (ComfyUI --multi-user)', () => {
  const lastHeader = (pattern: RegExp) => {
    const rec = [...h.fake.received].reverse().find((r) => pattern.test(r.url));
    return rec?.headers['comfy-user'];
  };

  it('the client’s header is replaced by the key’s comfy_user on reads, prompts and the WebSocket', async () => {
    await get(h, '/api/userdata?dir=workflows', { ...keys.alice.auth, 'comfy-user': 'bob' });
    expect(lastHeader(/userdata/)).toBe('alice-folder');
    await submit(h, { ...keys.alice.auth, 'comfy-user': 'bob' });
    expect(lastHeader(/\/prompt$/)).toBe('alice-folder');
    const ws = await openWs(h, { headers: { ...keys.alice.auth, 'comfy-user': 'bob' } });
    const up = h.fake.wsClients().find((c) => c.clientId === ws.clientId);
    expect(up?.headers['comfy-user']).toBe('alice-folder');
    await ws.close();
  });

  it('is dropped for a key without comfy_user and for admin', async () => {
    for (const who of [keys.plain.auth, ADMIN]) {
      await get(h, '/api/userdata?dir=workflows', { ...who, 'comfy-user': 'alice-folder' });
      expect(lastHeader(/userdata/)).toBeUndefined();
    }
    const ws = await openWs(h, { headers: { ...keys.plain.auth, 'comfy-user': 'alice-folder' } });
    expect(h.fake.wsClients().find((c) => c.clientId === ws.clientId)?.headers['comfy-user']).toBeUndefined();
    await ws.close();
  });
});
