// Private uploads (SPEC §8.3): a key's upload into the input folder lands in its own folder (the answer says
// where), it views and uses it, another key gets 404 for it and 403 for a workflow naming it, in every spelling;
// /object_info lists each key's own uploads and never another's; admin uploads shared files and sees all; files
// already in the input folder stay shared; folders admin marks shared are shared; rotation keeps the folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigImageUpload } from '../helpers/bigUpload';
import { request } from '../helpers/http';
import type { Harness } from '../helpers/proxyHarness';
import { ADMIN, get, openWs, postJson, reached, runToEnd, startSharing, type TestKey, type TestSocket } from './sharing.helpers';
import { choices, loadWorkflow, uploadFile } from './sharing.privateUploads.helpers';

let h: Harness;
let keys: Record<'alice' | 'bob', TestKey>;
let aliceWs: TestSocket;
let aliceDir = '';
let bobDir = '';

const views = () => reached(h, /^(\/api)?\/view$/);
const prompts = () => reached(h, /^(\/api)?\/prompt$/);
const view = (query: string, who: Record<string, string>, method = 'GET') => request(`${h.url}/view?${query}`, { method, headers: who });

beforeAll(async () => {
  ({ h, keys } = await startSharing({ alice: {}, bob: {} }, { sharedInputFolders: () => ['team/'] }));
  aliceDir = `private-${keys.alice.id}`;
  bobDir = `private-${keys.bob.id}`;
  aliceWs = await openWs(h, { headers: keys.alice.auth });
});
afterAll(async () => {
  await aliceWs.close();
  await h.close();
});

describe('a key’s upload', () => {
  it('lands in its own folder; the answer’s subfolder says where, and the key views it and runs a job with it', async () => {
    const up = await uploadFile(h.url, keys.alice.auth, 'face.png', 'alice-face');
    expect(up.status).toBe(200);
    expect(up.json()).toEqual({ name: 'face.png', subfolder: aliceDir, type: 'input' });
    expect(h.fake.files.get('input', aliceDir, 'face.png')?.size).toBe('alice-face'.length);
    expect(h.fake.files.get('input', '', 'face.png')).toBeUndefined();

    const seen = await view(`filename=face.png&type=input&subfolder=${aliceDir}`, keys.alice.auth);
    expect([seen.status, seen.text]).toEqual([200, 'alice-face']);

    const job = await postJson(h, '/prompt', keys.alice.auth, { prompt: loadWorkflow(`${aliceDir}/face.png`) });
    expect(job.status).toBe(200);
    const id = job.json<{ prompt_id: string }>().prompt_id;
    await runToEnd(h, id, aliceWs);
  });

  it('a client subfolder goes beneath the key’s folder (the web UI’s pasted/ and 3d/)', async () => {
    const pasted = await uploadFile(h.url, keys.alice.auth, 'image.png', 'pasted-bytes', { subfolder: 'pasted' });
    expect(pasted.json()).toMatchObject({ subfolder: `${aliceDir}/pasted` });
    const model = await uploadFile(h.url, keys.alice.auth, 'chair.glb', 'glb-bytes', { subfolder: '3d' });
    expect(model.json()).toMatchObject({ subfolder: `3d/${aliceDir}` });
    expect(h.fake.files.get('input', `3d/${aliceDir}`, 'chair.glb')).toBeDefined();
    for (const bad of ['../x', `${bobDir}`, `3d/${bobDir.toUpperCase()}`, '/etc']) {
      const res = await uploadFile(h.url, keys.alice.auth, 'x.png', 'x', { subfolder: bad });
      expect(res.status, bad).toBe(400);
    }
  });

  it('another key gets 404 for it, in every spelling, and ComfyUI is never asked', async () => {
    const before = views();
    const spellings = [
      `filename=face.png&type=input&subfolder=${aliceDir}`,
      `filename=face.png&type=input&subfolder=${aliceDir}/`,
      `filename=face.png&type=input&subfolder=./${aliceDir}`,
      `filename=face.png&type=input&subfolder=${aliceDir}/.`,
      `filename=face.png&type=input&subfolder=${encodeURIComponent(aliceDir)}`,
      `filename=face.png&type=input&subfolder=%70${aliceDir.slice(1)}`,
      `filename=face.png&type=input&subfolder=${aliceDir.toUpperCase()}`,
      `filename=face.png&type=input&subfolder=${aliceDir}.`,
      `filename=${encodeURIComponent('face.png [input]')}&subfolder=${aliceDir}`,
      `filename=${encodeURIComponent('face.png [input]')}&type=output&subfolder=${aliceDir}`,
      `filename=${encodeURIComponent(`x/face.png`)}&type=input&subfolder=${aliceDir}`,
      `filename=chair.glb&type=input&subfolder=3d/${aliceDir}`,
      // Newer ComfyUI resolves asset hashes whoever uploaded the file (--enable-assets): never for a key.
      `filename=blake3:${'ab'.repeat(32)}&type=input`,
    ];
    for (const q of spellings) {
      expect((await view(q, keys.bob.auth)).status, q).toBe(404);
      expect((await view(q, keys.bob.auth, 'HEAD')).status, q).toBe(404);
      expect((await request(`${h.url}/api/view?${q}`, { headers: keys.bob.auth })).status, q).toBe(404);
    }
    expect(views()).toBe(before);
    // A name carrying the folder is read by ComfyUI by its last part: the top level's face.png (none there).
    const carried = await view(`filename=${encodeURIComponent(`${aliceDir}/face.png`)}&type=input`, keys.bob.auth);
    expect(carried.status).toBe(404);
    expect(carried.text).not.toBe('alice-face');
    // Climbing out is refused before anything is forwarded.
    expect((await view(`filename=face.png&type=input&subfolder=x/../${aliceDir}`, keys.bob.auth)).status).toBe(400);
  });

  it('a workflow naming another key’s upload is refused with 403 and never forwarded, in every spelling', async () => {
    const before = prompts();
    for (const value of [
      `${aliceDir}/face.png`,
      `${aliceDir}/face.png [input]`,
      `${aliceDir.toUpperCase()}/face.png`,
      `${aliceDir}\\face.png`,
      `./${aliceDir}/face`,
      `3d/${aliceDir}/chair.glb`,
      `pasted/../${aliceDir}/face.png`,
    ]) {
      const res = await postJson(h, '/prompt', keys.bob.auth, { prompt: loadWorkflow(value) });
      expect(res.status, value).toBe(403);
    }
    const nested = await postJson(h, '/prompt', keys.bob.auth, { prompt: { '1': { class_type: 'LoadImage', inputs: { image: { __value__: [`${aliceDir}/face.png`] } } } } });
    expect(nested.status).toBe(403);
    expect(prompts()).toBe(before);
  });

  it('the same name uploaded by another key lands in that key’s folder and never touches the first key’s file', async () => {
    const bob = await uploadFile(h.url, keys.bob.auth, 'face.png', 'bob-face', { overwrite: 'true' });
    expect(bob.json()).toEqual({ name: 'face.png', subfolder: bobDir, type: 'input' });
    expect((await view(`filename=face.png&type=input&subfolder=${aliceDir}`, keys.alice.auth)).text).toBe('alice-face');
    expect((await view(`filename=face.png&type=input&subfolder=${bobDir}`, keys.bob.auth)).text).toBe('bob-face');
    // Aiming at the first key's folder by name is refused.
    expect((await uploadFile(h.url, keys.bob.auth, 'face.png', 'evil', { subfolder: aliceDir, overwrite: 'true' })).status).toBe(400);
    expect((await view(`filename=face.png&type=input&subfolder=${aliceDir}`, keys.alice.auth)).text).toBe('alice-face');
  });
});

describe('/object_info for keys', () => {
  it('LoadImage lists the shared files plus the key’s own uploads (newest first), never another key’s', async () => {
    await uploadFile(h.url, keys.alice.auth, 'later.png', 'later');
    const alice = await choices(h.url, keys.alice.auth, 'LoadImage', 'image');
    const bob = await choices(h.url, keys.bob.auth, 'LoadImage', 'image');
    expect(alice).toEqual([`${aliceDir}/later.png`, `${aliceDir}/face.png`, 'example.png']);
    expect(bob).toEqual([`${bobDir}/face.png`, 'example.png']);
    // The whole node set, under /api too, says the same.
    expect(await choices(h.url, keys.bob.auth, 'LoadImage', 'image', '/api/object_info')).toEqual(bob);
    // Admin gets ComfyUI's own list (its top level).
    expect(await choices(h.url, ADMIN, 'LoadImage', 'image')).toEqual(['example.png']);
  });

  it('video, audio and 3D loaders list the key’s own files of their kind; another key’s 3D model is filtered out of ComfyUI’s list', async () => {
    await uploadFile(h.url, keys.alice.auth, 'clip.mp4', 'mp4');
    await uploadFile(h.url, keys.alice.auth, 'voice.wav', 'wav');
    await uploadFile(h.url, keys.bob.auth, 'table.glb', 'glb', { subfolder: '3d' });
    expect(await choices(h.url, keys.alice.auth, 'LoadVideo', 'file')).toEqual([`${aliceDir}/clip.mp4`]);
    expect(await choices(h.url, keys.alice.auth, 'LoadAudio', 'audio')).toEqual([`${aliceDir}/voice.wav`, `${aliceDir}/clip.mp4`]);
    expect(await choices(h.url, keys.alice.auth, 'Load3D', 'model_file')).toEqual([`3d/${aliceDir}/chair.glb`]);
    expect(await choices(h.url, keys.bob.auth, 'Load3D', 'model_file')).toEqual([`3d/${bobDir}/table.glb`]);
    // ComfyUI itself lists both (Load3D reads all of input/3d): the proxy's filter is what keeps them apart.
    expect(await choices(h.url, ADMIN, 'Load3D', 'model_file')).toEqual([`3d/${aliceDir}/chair.glb`, `3d/${bobDir}/table.glb`].sort());
    // Load3D validates against that list, so a key's own model is in it and its job is accepted.
    const job = await postJson(h, '/prompt', keys.alice.auth, { prompt: { '1': { class_type: 'Load3D', inputs: { model_file: `3d/${aliceDir}/chair.glb`, image: {} } }, '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } } } });
    expect(job.status).toBe(200);
    await runToEnd(h, job.json<{ prompt_id: string }>().prompt_id, aliceWs);
  });
});

describe('shared files and admin', () => {
  it('admin uploads to the top level (shared) and sees every key’s files', async () => {
    const up = await uploadFile(h.url, ADMIN, 'house.png', 'house');
    expect(up.json()).toEqual({ name: 'house.png', subfolder: '', type: 'input' });
    for (const who of [keys.alice.auth, keys.bob.auth]) expect((await view('filename=house.png&type=input', who)).text).toBe('house');
    expect(await choices(h.url, keys.bob.auth, 'LoadImage', 'image')).toContain('house.png');
    expect((await view(`filename=face.png&type=input&subfolder=${aliceDir}`, ADMIN)).text).toBe('alice-face');
    expect((await postJson(h, '/prompt', ADMIN, { prompt: loadWorkflow(`${aliceDir}/face.png`) })).status).toBe(200);
  });

  it('files already in the input folder stay shared; other subfolders only when admin marks them shared', async () => {
    h.fake.files.put('input', '', 'old.png', Buffer.from('old'));
    h.fake.files.put('input', 'pasted', 'someones.png', Buffer.from('pasted-before'));
    h.fake.files.put('input', 'team/refs', 'logo.png', Buffer.from('logo'));
    expect((await view('filename=old.png&type=input', keys.bob.auth)).text).toBe('old');
    expect((await view('filename=someones.png&type=input&subfolder=pasted', keys.bob.auth)).status).toBe(404);
    expect((await view('filename=logo.png&type=input&subfolder=team/refs', keys.bob.auth)).text).toBe('logo');
    expect((await postJson(h, '/prompt', keys.bob.auth, { prompt: loadWorkflow('old.png') })).status).toBe(200);
  });
});

describe('rotation', () => {
  it('keeps the key’s folder: the new secret sees and lists the old uploads, and uploads to the same folder', async () => {
    const rotated = await request(`${h.url}/api/keys/${keys.alice.id}/rotate`, { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body: '{}' });
    expect(rotated.status).toBe(200);
    const auth = { authorization: `Bearer ${rotated.json<{ api_key: string }>().api_key}` };
    expect((await view(`filename=face.png&type=input&subfolder=${aliceDir}`, auth)).text).toBe('alice-face');
    expect((await uploadFile(h.url, auth, 'new.png', 'new')).json()).toMatchObject({ subfolder: aliceDir });
    expect((await choices(h.url, auth, 'LoadImage', 'image')).slice(0, 3)).toEqual([`${aliceDir}/new.png`, `${aliceDir}/later.png`, `${aliceDir}/face.png`]);
    expect((await get(h, `/view?filename=new.png&type=input&subfolder=${aliceDir}`, keys.bob.auth)).status).toBe(404);
  });
});

describe('a key’s large upload', () => {
  it('is rewritten as it streams: it lands whole in the key’s folder and the heap stays flat', async () => {
    const total = 64 * 1024 * 1024;
    const upload = bigImageUpload(total, 'big-private.png');
    const held = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const baseline = held();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, held())), 20);
    const res = await request(`${h.url}/upload/image`, { method: 'POST', headers: { ...keys.bob.auth, 'content-type': upload.contentType }, body: upload.body() });
    clearInterval(sampler);
    expect(res.json()).toEqual({ name: 'big-private.png', subfolder: bobDir, type: 'input' });
    const stored = h.fake.uploads.find((u) => u.name === 'big-private.png');
    expect([stored?.subfolder, stored?.bytes, stored?.sha256]).toEqual([bobDir, total, upload.digest()]);
    // Holding the upload anywhere in this process (client, proxy or fake) would add ≥ 64 MB.
    expect(peak - baseline).toBeLessThan(48 * 1024 * 1024);
  });
});
