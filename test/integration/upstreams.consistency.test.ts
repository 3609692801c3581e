// Consistency of several upstreams (SPEC §10): each one's /object_info is fingerprinted; one with other models
// or custom nodes is reported in /health (down to the input), in the log and in the state the monitor reads,
// and gets no new jobs while the others match. What mirrors the input folder (uploads, subfolders, latents,
// 3D files) is not a difference, and a server that restarts is compared with freshly fetched others.
import { afterEach, describe, expect, it } from 'vitest';
import { makePng, startFakeComfy } from '../fixtures/fakeComfy';
import { fakeHolding, health, promptBody, startMulti, submit, type Multi } from './upstreams.helpers';

let m: Multi | null = null;
afterEach(async () => {
  await m?.close();
  m = null;
});

describe('object_info consistency', () => {
  it('reports the odd one out of three and routes jobs only among the matching two', async () => {
    const fakes = [await startFakeComfy(), await startFakeComfy({ objectInfo: 'b' }), await startFakeComfy()];
    m = await startMulti(3, {}, fakes);
    const multi = m;
    await expect.poll(async () => (await health(multi)).body.consistency?.consistent, { timeout: 10_000, interval: 100 }).toBe(false);
    const { status, body } = await health(multi);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.upstreams.map((u) => u.object_info.matches)).toEqual([true, false, true]);
    expect(body.upstreams[0]?.object_info.hash).toBe(body.upstreams[2]?.object_info.hash);
    expect(body.upstreams[1]?.object_info.hash).not.toBe(body.upstreams[0]?.object_info.hash);
    const problem = body.consistency?.problems[0] ?? '';
    expect(problem).toContain(fakes[1]?.url);
    expect(problem).toContain('has extra FakeUpscaleNode');
    expect(problem).toContain('differs in CheckpointLoaderSimple.ckpt_name');
    expect(body.upstreams[1]?.object_info.difference).toEqual({ lacks: [], extra: ['FakeUpscaleNode'], inputs: ['CheckpointLoaderSimple.ckpt_name'], nodes: [] });
    expect(body.upstreams[0]?.object_info.difference).toBeUndefined();
    // The log line and the state the monitor reads say the same.
    expect(multi.events.some((e) => e.startsWith('upstreams differ:') && e.includes('FakeUpscaleNode'))).toBe(true);
    expect(multi.stack.proxy.upstreamStatus()[1]?.objectInfo).toMatchObject({ matches: false, problem });
    // The odd one has the shortest queue, yet it gets none of the new jobs.
    for (let i = 0; i < 4; i++) {
      const j = await submit(multi, promptBody('cons'));
      expect(j.status).toBe(200);
      expect(fakeHolding(multi, j.promptId)).not.toBe(fakes[1]);
    }
  });

  it('notices a node set that changes while running (a node installed, the server restarted), and its repair', async () => {
    m = await startMulti(2);
    const multi = m;
    const [a, b] = multi.fakes;
    await expect.poll(async () => (await health(multi)).body.upstreams.map((u) => u.object_info.matches).join(), { timeout: 10_000 }).toBe('true,true');
    await b?.stop();
    b?.setObjectInfo('b');
    await expect.poll(() => multi.stack.proxy.upstreamStatus()[1]?.state, { timeout: 10_000, interval: 100 }).toBe('down');
    await b?.restart();
    // A tie of one against one: the upstream that stayed up is the reference.
    await expect.poll(() => multi.stack.proxy.upstreamStatus()[1]?.objectInfo.matches, { timeout: 10_000, interval: 100 }).toBe(false);
    expect(multi.stack.proxy.upstreamStatus()[0]?.objectInfo.matches).toBe(true);
    const j = await submit(multi, promptBody('cons2'));
    expect(fakeHolding(multi, j.promptId)).toBe(a);
    await b?.stop();
    b?.setObjectInfo('a');
    await expect.poll(() => multi.stack.proxy.upstreamStatus()[1]?.state, { timeout: 10_000, interval: 100 }).toBe('down');
    await b?.restart();
    await expect.poll(() => multi.stack.proxy.upstreamStatus()[1]?.objectInfo.matches, { timeout: 10_000, interval: 100 }).toBe(true);
    expect(multi.events.some((e) => e.startsWith('upstreams agree again'))).toBe(true);
  });

  it('does not count an upload (a new file in LoadImage’s list) as a difference', async () => {
    m = await startMulti(2);
    const multi = m;
    const [a] = multi.fakes;
    const hashes = async () => (await health(multi)).body.upstreams.map((u) => u.object_info.hash);
    await expect.poll(async () => (await hashes()).every((h) => h !== null), { timeout: 10_000 }).toBe(true);
    const before = await hashes();
    // A file put straight into one server's input folder: its /object_info now lists it, the other's does not.
    a?.files.put('input', '', 'only-here.png', makePng(2, 2));
    const info = (await (await fetch(`${a?.url}/object_info`)).json()) as { LoadImage: { input: { required: { image: [string[]] } } } };
    expect(info.LoadImage.input.required.image[0]).toContain('only-here.png');
    await a?.stop();
    await expect.poll(() => multi.stack.proxy.upstreamStatus()[0]?.state, { timeout: 10_000, interval: 100 }).toBe('down');
    await a?.restart();
    await expect.poll(() => multi.stack.proxy.upstreamStatus()[0]?.state, { timeout: 10_000, interval: 100 }).toBe('up');
    expect(await hashes()).toEqual(before);
    expect(multi.stack.proxy.upstreamStatus().map((s) => s.objectInfo.matches)).toEqual([true, true]);
  });

  it('judges two servers that differ only in what their input folders hold the same', async () => {
    const [a, b] = [await startFakeComfy(), await startFakeComfy()];
    // b's input folder: pasted images (the web UI's subfolder), a per-key folder, a latent, a 3D model.
    b.files.put('input', 'pasted', 'image (3).png', makePng(2, 2));
    b.files.put('input', 'cac-key1/masks', 'm.png', makePng(2, 2));
    b.files.put('input', '', 'saved.latent', Buffer.from('latent'));
    b.files.put('input', '3d', 'chair.glb', Buffer.from('glTF'));
    const folders = (f: typeof a) => (f.objectInfo().LoadImageSetFromFolderNode as { input: { required: { folder: [string[]] } } }).input.required.folder[0];
    expect(folders(a)).not.toEqual(folders(b));
    m = await startMulti(2, {}, [a, b]);
    const multi = m;
    await expect.poll(async () => (await health(multi)).body.upstreams.map((u) => u.object_info.matches).join(), { timeout: 10_000, interval: 100 }).toBe('true,true');
    const { status, body } = await health(multi);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', consistency: { consistent: true, problems: [] } });
    expect(body.upstreams[0]?.object_info.hash).toBe(body.upstreams[1]?.object_info.hash);
    expect(multi.events.filter((e) => e.startsWith('upstreams differ'))).toEqual([]);
  });

  it('after one server restarts with a new input subfolder, re-fetches both and spreads jobs over both again', async () => {
    m = await startMulti(2);
    const multi = m;
    const [a, b] = multi.fakes;
    await expect.poll(() => multi.stack.proxy.upstreamStatus().map((s) => s.objectInfo.matches).join(), { timeout: 10_000, interval: 100 }).toBe('true,true');
    await b?.stop();
    await expect.poll(() => multi.stack.proxy.upstreamStatus()[1]?.state, { timeout: 10_000, interval: 100 }).toBe('down');
    // While b is down: someone pasted an image into b's web UI before (input/pasted), and the same models
    // and nodes were installed on both (on a, which stays up, the fake swaps them live): a's fingerprint from
    // before is stale, so b may only be compared with a fetched again.
    b?.files.put('input', 'pasted', 'image.png', makePng(2, 2));
    b?.setObjectInfo('b');
    a?.setObjectInfo('b');
    const fetchesOfA = a?.received.filter((r) => r.url === '/object_info').length ?? 0;
    await b?.restart();
    await expect.poll(() => multi.stack.proxy.upstreamStatus().map((s) => `${s.state}:${s.objectInfo.matches}`).join(), { timeout: 10_000, interval: 100 }).toBe('up:true,up:true');
    expect(a?.received.filter((r) => r.url === '/object_info').length).toBeGreaterThan(fetchesOfA);
    expect((await health(multi)).body).toMatchObject({ status: 'ok', consistency: { consistent: true } });
    const spread = new Map<string, number>();
    for (let i = 0; i < 6; i++) {
      const j = await submit(multi, promptBody('restart'));
      expect(j.status).toBe(200);
      const on = fakeHolding(multi, j.promptId)?.url ?? 'nowhere';
      spread.set(on, (spread.get(on) ?? 0) + 1);
    }
    expect(Object.fromEntries(spread)).toEqual({ [a?.url ?? 'a']: 3, [b?.url ?? 'b']: 3 });
    expect(multi.events.filter((e) => e.startsWith('upstreams differ'))).toEqual([]);
  });
});
