// The fake ComfyUI's files and per-user data over real HTTP: /view's rules and content types, uploads (dedupe,
// rename, types, use by a job), /object_info that follows the input folder and its variants, /system_stats'
// device, /userdata and /settings for one user or several (--multi-user's comfy-user header).
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { startFakeComfy, type FakeComfy, type FakeComfyOptions } from '../fixtures/fakeComfy';
import { getJson, postJson } from '../fixtures/fakeComfyClient';

let fake: FakeComfy;
async function start(opts: FakeComfyOptions = {}): Promise<FakeComfy> {
  fake = await startFakeComfy({ jobMs: 0, ...opts });
  return fake;
}
afterEach(async () => {
  await fake.close();
});

async function upload(name: string, bytes: string, fields: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const form = new FormData();
  form.append('image', new Blob([bytes]), name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${fake.url}/upload/image`, { method: 'POST', body: form });
  const text = await res.text();
  return { status: res.status, json: res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as unknown) : text };
}

const objectInfoHash = async (): Promise<string> => createHash('sha256').update(await (await fetch(`${fake.url}/object_info`)).text()).digest('hex');

describe('/view and uploads', () => {
  it('serves uploads as type=input, names by content type (SVG as image/svg+xml, HTML forced to download), and refuses tricks', async () => {
    await start();
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    expect(await upload('evil.svg', svg)).toEqual({ status: 200, json: { name: 'evil.svg', subfolder: '', type: 'input' } });
    const view = await fetch(`${fake.url}/view?filename=evil.svg&type=input&subfolder=`);
    expect([view.status, view.headers.get('content-type'), view.headers.get('content-disposition')]).toEqual([200, 'image/svg+xml', 'filename="evil.svg"']);
    expect(await view.text()).toBe(svg);
    expect((await fetch(`${fake.url}/view?filename=evil.svg`)).status).toBe(404); // type defaults to output
    await upload('page.html', '<h1>x</h1>', { type: 'output' });
    expect((await fetch(`${fake.url}/api/view?filename=page.html`)).headers.get('content-type')).toBe('application/octet-stream');
    expect((await fetch(`${fake.url}/view?filename=..%2Fx.png&type=input`)).status).toBe(400);
    expect((await fetch(`${fake.url}/view?filename=x.png&type=input&subfolder=..%2F..`)).status).toBe(403);
    expect((await fetch(`${fake.url}/view?filename=evil.svg&type=models`)).status).toBe(400);
    expect((await fetch(`${fake.url}/view?filename=evil.svg [input]`)).status).toBe(200); // annotated name picks the folder
  });

  it('deduplicates an identical upload, renames a different one, overwrites on request, and keeps subfolders', async () => {
    await start();
    expect((await upload('cat.png', 'one')).json).toMatchObject({ name: 'cat.png' });
    expect((await upload('cat.png', 'one')).json).toMatchObject({ name: 'cat.png' });
    expect((await upload('cat.png', 'two')).json).toMatchObject({ name: 'cat (1).png' });
    expect((await upload('cat.png', 'three', { overwrite: 'true' })).json).toMatchObject({ name: 'cat.png' });
    expect(await (await fetch(`${fake.url}/view?filename=cat.png&type=input`)).text()).toBe('three');
    expect((await upload('dog.png', 'sub', { subfolder: 'pets', type: 'temp' })).json).toEqual({ name: 'dog.png', subfolder: 'pets', type: 'temp' });
    expect(await (await fetch(`${fake.url}/view?filename=dog.png&type=temp&subfolder=pets`)).text()).toBe('sub');
    expect((await upload('x.png', 'x', { subfolder: '../../etc' })).status).toBe(400);
    expect((await upload('x.png', 'x', { type: 'models' })).status).toBe(500);
    expect(fake.uploads.map((u) => u.name)).toEqual(['cat.png', 'cat.png', 'cat (1).png', 'cat.png', 'dog.png']);
  });

  it('a job can use an uploaded image; before the upload LoadImage fails validation; the upload changes /object_info', async () => {
    await start();
    const prompt = { '10': { class_type: 'LoadImage', inputs: { image: 'in.png' } }, '9': { class_type: 'SaveImage', inputs: { images: ['10', 0] } } };
    const before = await objectInfoHash();
    expect(await postJson(fake.url, '/prompt', { prompt })).toMatchObject({
      status: 400,
      json: { error: { type: 'prompt_outputs_failed_validation' }, node_errors: { '10': { class_type: 'LoadImage', dependent_outputs: ['9'], errors: [{ type: 'custom_validation_failed', details: 'image - Invalid image file: in.png' }] } } },
    });
    await upload('in.png', 'pixels');
    expect(await objectInfoHash()).not.toBe(before);
    expect(((await getJson<Record<string, { input: { required: { image: [string[]] } } }>>(fake.url, '/object_info/LoadImage')).json.LoadImage?.input.required.image[0])).toEqual(['example.png', 'in.png']);
    const ok = await postJson(fake.url, '/prompt', { prompt, prompt_id: 'uses-upload' });
    expect(ok.status).toBe(200);
    await fake.runFakeJob('uses-upload', undefined, 1);
    const h = (await getJson<Record<string, { outputs: Record<string, { images: { filename: string }[] }> }>>(fake.url, '/history/uses-upload')).json;
    const out = h['uses-upload']?.outputs['9']?.images[0]?.filename ?? '';
    expect((await fetch(`${fake.url}/view?filename=${out}&type=output`)).status).toBe(200);
  });
});

describe('temp outputs', () => {
  it('PreviewImage writes to temp: history and executed name type temp, /view serves it with type=temp only', async () => {
    await start();
    const prompt = { '3': { class_type: 'KSampler', inputs: { seed: 1, steps: 1 } }, '9': { class_type: 'PreviewImage', inputs: { images: ['3', 0] } } };
    await postJson(fake.url, '/prompt', { prompt, prompt_id: 'pv' });
    await fake.runFakeJob('pv', undefined, 1);
    const image = (await getJson<Record<string, { outputs: Record<string, { images: { filename: string; type: string }[] }> }>>(fake.url, '/history/pv')).json.pv?.outputs['9']?.images[0];
    expect(image?.type).toBe('temp');
    expect(image?.filename).toMatch(/^ComfyUI_temp_[a-z]{5}_00001_\.png$/);
    expect((await fetch(`${fake.url}/view?filename=${image?.filename}&type=temp`)).status).toBe(200);
    expect((await fetch(`${fake.url}/view?filename=${image?.filename}&type=output`)).status).toBe(404);
  });
});

describe('/object_info and /system_stats', () => {
  it('variant b differs from a (another checkpoint, a custom node); the device name is configurable', async () => {
    await start({ objectInfo: 'b', deviceName: 'cuda:0 Test GPU B' });
    const b = (await getJson<Record<string, unknown>>(fake.url, '/object_info')).json;
    expect(Object.keys(b)).toContain('FakeUpscaleNode');
    const hashB = await objectInfoHash();
    fake.setObjectInfo('a');
    expect(await objectInfoHash()).not.toBe(hashB);
    expect((await getJson(fake.url, '/object_info/FakeUpscaleNode')).json).toEqual({});
    expect((await getJson<{ devices: { name: string }[] }>(fake.url, '/api/system_stats')).json.devices[0]?.name).toBe('cuda:0 Test GPU B');
  });
});

describe('/userdata and /settings', () => {
  it('stores, lists, moves and deletes the default user’s files and settings; paths leaving the folder get 403', async () => {
    await start();
    expect((await getJson(fake.url, '/users')).json).toEqual({ storage: 'server', migrated: true });
    expect((await getJson(fake.url, '/userdata?dir=workflows')).status).toBe(404);
    expect(await postJson(fake.url, '/userdata/workflows%2Fa.json', '{"nodes":[]}')).toMatchObject({ status: 200, json: 'workflows/a.json' });
    expect(await (await fetch(`${fake.url}/api/userdata/workflows%2Fa.json`)).text()).toBe('{"nodes":[]}');
    expect((await getJson(fake.url, '/userdata?dir=workflows&recurse=true')).json).toEqual(['a.json']);
    expect((await postJson(fake.url, '/userdata/workflows%2Fa.json?overwrite=false', '{}')).status).toBe(409);
    expect((await postJson(fake.url, '/userdata/workflows%2Fa.json/move/workflows%2Fb.json', '')).json).toBe('workflows/b.json');
    expect((await getJson<{ path: string; type: string }[]>(fake.url, '/v2/userdata')).json.map((e) => [e.path, e.type])).toEqual([['workflows', 'directory'], ['workflows/b.json', 'file']]);
    expect((await fetch(`${fake.url}/userdata/..%2F..%2Fsecrets.json`)).status).toBe(403);
    expect((await fetch(`${fake.url}/userdata/workflows%2Fb.json`, { method: 'DELETE' })).status).toBe(204);
    expect((await postJson(fake.url, '/settings', { 'Comfy.Theme': 'dark' })).status).toBe(200);
    expect((await postJson(fake.url, '/settings/Comfy.Locale', 'en')).status).toBe(500); // not JSON: request.json() raises
    expect((await postJson(fake.url, '/settings/Comfy.Locale', '"en"')).status).toBe(200);
    expect((await getJson(fake.url, '/settings')).json).toEqual({ 'Comfy.Theme': 'dark', 'Comfy.Locale': 'en' });
    expect((await getJson(fake.url, '/settings/Comfy.Theme')).json).toBe('dark');
  });

  it('with multiUser the comfy-user header picks the folder (unauthenticated); an unknown user is refused', async () => {
    await start({ multiUser: ['alice', 'bob'] });
    await postJson(fake.url, '/userdata/notes.txt', 'alice’s', { 'comfy-user': 'alice' });
    expect((await fetch(`${fake.url}/userdata/notes.txt`, { headers: { 'comfy-user': 'bob' } })).status).toBe(404);
    expect(await (await fetch(`${fake.url}/userdata/notes.txt`, { headers: { 'comfy-user': 'alice' } })).text()).toBe('alice’s');
    expect(fake.userdata.filesOf('alice').has('notes.txt')).toBe(true);
    expect((await fetch(`${fake.url}/userdata/notes.txt`, { headers: { 'comfy-user': 'mallory' } })).status).toBe(500);
    expect((await fetch(`${fake.url}/userdata/notes.txt`)).status).toBe(500); // no header: "default", not a user here
    expect((await fetch(`${fake.url}/settings`, { headers: { 'comfy-user': 'mallory' } })).status).toBe(401);
    expect((await getJson<{ users: Record<string, string> }>(fake.url, '/users')).json.users).toEqual({ alice: 'alice', bob: 'bob' });
    const created = await postJson(fake.url, '/users', { username: 'Carol C' });
    expect(created.json).toMatch(/^Carol-C_[0-9a-f-]{36}$/);
    expect((await postJson(fake.url, '/users', { username: 'Carol C' })).status).toBe(400);
  });
});
