// The pure parts of the several-upstreams layer (SPEC §10): the /object_info fingerprint (without the lists
// that mirror a folder), which upstreams match, when a failed job submission may move on, which upstreams hold
// an upload, and which upstream produced an output file.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { OutputIndex } from '../../main/jobs/outputIndex';
import { CompanionError } from '../../main/common/errors';
import { judgeConsistency } from '../../main/proxy/upstreams/consistency';
import { folderDerivedInputs } from '../../main/proxy/upstreams/folderInputs';
import { describeDifference, differenceOf, digestObjectInfo, fingerprintObjectInfo, fingerprintTogether } from '../../main/proxy/upstreams/objectInfoHash';
import { createUpstreamTarget } from '../../main/proxy/forward/upstreamTarget';
import { checkGone, submitFailure } from '../../main/proxy/upstreams/resubmission';
import { startSilentServer } from '../fixtures/stallingUpstream';
import { UploadRegistry } from '../../main/proxy/upstreams/uploadRegistry';

const nodes = (checkpoints: string[], images: string[], extra: Record<string, unknown> = {}) => ({
  CheckpointLoaderSimple: { input: { required: { ckpt_name: [checkpoints] } }, output: ['MODEL', 'CLIP', 'VAE'], name: 'CheckpointLoaderSimple' },
  LoadImage: { input: { required: { image: [images, { image_upload: true }] } }, output: ['IMAGE', 'MASK'], name: 'LoadImage' },
  LoadVideo: { input: { required: { file: ['COMBO', { options: images, video_upload: true }] } }, output: ['VIDEO'], name: 'LoadVideo' },
  ...extra,
});

describe('object_info fingerprint', () => {
  it('ignores the input folder listing and key order, and sees models and custom nodes', () => {
    const a = fingerprintObjectInfo(nodes(['v1-5.safetensors'], ['a.png']));
    const sameButUploads = fingerprintObjectInfo(nodes(['v1-5.safetensors'], ['a.png', 'b.png', 'cat.png']));
    const { LoadVideo, ...others } = nodes(['v1-5.safetensors'], []);
    const reordered = fingerprintObjectInfo({ LoadVideo, ...Object.fromEntries(Object.entries(others).reverse()) });
    const otherModel = fingerprintObjectInfo(nodes(['v1-5.safetensors', 'sdxl.safetensors'], ['a.png']));
    const customNode = fingerprintObjectInfo(nodes(['v1-5.safetensors'], ['a.png'], { Upscale: { input: { required: {} }, name: 'Upscale' } }));
    expect(a?.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(sameButUploads?.hash).toBe(a?.hash);
    expect(reordered?.hash).toBe(a?.hash);
    expect(otherModel?.hash).not.toBe(a?.hash);
    expect(customNode?.hash).not.toBe(a?.hash);
    expect(fingerprintObjectInfo([1, 2])).toBeNull();
    expect(fingerprintObjectInfo(null)).toBeNull();
  });

  it('names what differs, down to the input', () => {
    const ref = fingerprintObjectInfo(nodes(['v1-5.safetensors'], []));
    const odd = fingerprintObjectInfo({ ...nodes(['sdxl.safetensors'], []), Upscale: { name: 'Upscale' } });
    if (!ref || !odd) throw new Error('fingerprints expected');
    expect(differenceOf(odd, ref)).toEqual({ lacks: [], extra: ['Upscale'], inputs: ['CheckpointLoaderSimple.ckpt_name'], nodes: [] });
    expect(describeDifference(differenceOf(odd, ref))).toBe('has extra Upscale; differs in CheckpointLoaderSimple.ckpt_name');
    const { LoadImage: _dropped, ...rest } = nodes(['v1-5.safetensors'], []);
    const lacking = fingerprintObjectInfo(rest);
    if (!lacking) throw new Error('fingerprint expected');
    expect(describeDifference(differenceOf(lacking, ref))).toBe('lacks LoadImage');
    // Same inputs, other outputs: the node itself is named.
    const base = nodes(['v1-5.safetensors'], []);
    const otherOutputs = fingerprintObjectInfo({ ...base, LoadImage: { ...base.LoadImage, output: ['IMAGE'] } });
    if (!otherOutputs) throw new Error('fingerprint expected');
    expect(differenceOf(otherOutputs, ref)).toEqual({ lacks: [], extra: [], inputs: [], nodes: ['LoadImage'] });
  });
});

// ComfyUI 0.3.64's folder-derived inputs, as /object_info shows them (nodes_train.py, nodes.py, nodes_load_3d.py).
const folderNodes = (subfolders: string[], images: string[], latents: string[], extra: Record<string, unknown> = {}) => ({
  ...nodes(['v1-5.safetensors'], images),
  LoadImageSetFromFolderNode: { input: { required: { folder: [subfolders, { tooltip: 'The folder to load images from.' }] }, optional: { resize_method: [['None', 'Stretch', 'Crop', 'Pad'], { default: 'None' }] } }, name: 'LoadImageSetFromFolderNode' },
  LoadImageTextSetFromFolderNode: { input: { required: { folder: [subfolders, { tooltip: 'The folder to load images from.' }], clip: ['CLIP'] } }, name: 'LoadImageTextSetFromFolderNode' },
  LoadImageDataSetFromFolder: { input: { required: { folder: ['COMBO', { options: subfolders, default: subfolders[0] }] } }, name: 'LoadImageDataSetFromFolder' },
  LoadLatent: { input: { required: { latent: [latents] } }, name: 'LoadLatent' },
  Load3D: { input: { required: { model_file: [subfolders.includes('3d') ? ['3d/chair.glb'] : [], { file_upload: true }], image: ['LOAD_3D', {}] } }, name: 'Load3D' },
  LoadImageOutput: { input: { required: { image: ['COMBO', { image_upload: true, image_folder: 'output', remote: { route: '/internal/files/output' } }] } }, name: 'LoadImageOutput' },
  ...extra,
});

describe('inputs that mirror a folder', () => {
  it('finds upload widgets, the known folder lists and custom combos listing the same names', () => {
    const body = folderNodes(['3d', 'pasted'], ['example.png'], ['x.latent'], {
      MySubfolderPicker: { input: { required: { dir: [['3d', 'pasted']] } }, name: 'MySubfolderPicker' },
      MySampler: { input: { required: { mode: [['fast', 'slow']], empty: [[]] } }, name: 'MySampler' },
    });
    expect([...folderDerivedInputs(body)].sort()).toEqual([
      'Load3D.model_file', 'LoadImage.image', 'LoadImageDataSetFromFolder.folder', 'LoadImageOutput.image',
      'LoadImageSetFromFolderNode.folder', 'LoadImageTextSetFromFolderNode.folder', 'LoadLatent.latent', 'LoadVideo.file',
      'MySubfolderPicker.dir',
    ]);
  });

  it('judges two servers that differ only in input subfolders, latents and images the same, but not in types or models', () => {
    const a = digestObjectInfo(folderNodes([], ['example.png'], []));
    const b = digestObjectInfo(folderNodes(['3d', 'pasted', 'user-1/masks'], ['example.png', 'cat.png'], ['x.latent']));
    const [fa, fb] = fingerprintTogether([a, b]);
    expect(fa?.hash).toBe(fb?.hash);
    // The folder's type still counts: a server where `folder` is a text field is another server.
    const typed = folderNodes([], ['example.png'], []);
    typed.LoadImageSetFromFolderNode.input.required.folder = ['STRING', { tooltip: 'The folder to load images from.' }] as never;
    const [, ft] = fingerprintTogether([a, digestObjectInfo(typed)]);
    expect(ft?.hash).not.toBe(fa?.hash);
    const [, fm] = fingerprintTogether([a, digestObjectInfo({ ...folderNodes([], ['example.png'], []), ...nodes(['v1-5.safetensors', 'flux.safetensors'], ['example.png']) })]);
    expect(fm?.hash).not.toBe(fa?.hash);
  });

  it('compares an input by its type on every server once any server shows it mirrors a folder', () => {
    // A custom node listing the input subfolders: on a server without subfolders it lists nothing, so that server
    // alone cannot tell; fingerprinted together, the other server's subfolders reveal it.
    const picker = (dirs: string[]) => ({ MyPicker: { input: { required: { dir: [dirs] } }, name: 'MyPicker' } });
    const a = digestObjectInfo(folderNodes([], ['example.png'], [], picker([])));
    const b = digestObjectInfo(folderNodes(['pasted'], ['example.png'], [], picker(['pasted'])));
    const [fa, fb] = fingerprintTogether([a, b]);
    expect(fa?.hash).toBe(fb?.hash);
    expect(fingerprintObjectInfo(folderNodes([], ['example.png'], [], picker([])))?.hash).not.toBe(fingerprintObjectInfo(folderNodes(['pasted'], ['example.png'], [], picker(['pasted'])))?.hash);
  });
});

describe('consistency verdict', () => {
  const fp = (models: string[]) => fingerprintObjectInfo(nodes(models, []));
  const at = (id: string, models: string[] | null, returnedAt: number | null = null, up = true) => ({ id, up, fingerprint: models ? fp(models) : null, returnedAt });
  it('sets the odd one apart (majority), and unknown stays unknown', () => {
    const v = judgeConsistency([at('a', ['x']), at('b', ['y']), at('c', ['y']), at('d', null)]);
    expect([...v.matches]).toEqual([['a', false], ['b', true], ['c', true], ['d', null]]);
    expect(v.problems.get('a')).toContain('differs in CheckpointLoaderSimple.ckpt_name');
    expect(v.differences.get('a')?.inputs).toEqual(['CheckpointLoaderSimple.ckpt_name']);
    // A down upstream does not vote, and is not judged.
    const down = judgeConsistency([at('a', ['x'], null, false), at('b', ['x'], null, false), at('c', ['y'])]);
    expect(down.matches.get('c')).toBe(true);
    expect(down.matches.get('a')).toBeNull();
  });

  it('gives a tie to the upstream up the longest, then to the one listed first', () => {
    const fresh = judgeConsistency([at('a', ['x']), at('b', ['y'])]);
    expect([...fresh.matches]).toEqual([['a', true], ['b', false]]);
    // The first listed came back with other nodes: the one that stayed up keeps the jobs.
    const returned = judgeConsistency([at('a', ['x'], 5_000), at('b', ['y'])]);
    expect([...returned.matches]).toEqual([['a', false], ['b', true]]);
    const both = judgeConsistency([at('a', ['x'], 9_000), at('b', ['y'], 5_000)]);
    expect([...both.matches]).toEqual([['a', false], ['b', true]]);
  });
});

describe('a failed job submission', () => {
  const failed = (code: string | undefined, message = 'x') =>
    new CompanionError('upstream_unavailable', 'ComfyUI at … is not reachable', { cause: Object.assign(new Error(message), { code }) });
  it('may move on a refused connection or a reset before any answer, never after an answer or a timeout', () => {
    expect(submitFailure(failed('ECONNREFUSED'))).toBe('refused');
    expect(submitFailure(failed('ECONNRESET'))).toBe('reset');
    expect(submitFailure(failed('EPIPE'))).toBe('reset');
    expect(submitFailure(failed(undefined, 'socket hang up'))).toBe('reset');
    expect(submitFailure(new CompanionError('upstream_unavailable', 'closed the connection mid-answer.'))).toBe('other');
    expect(submitFailure(new CompanionError('upstream_timeout', 'did not answer', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }))).toBe('other');
    expect(submitFailure(failed('EHOSTUNREACH'))).toBe('other');
    expect(submitFailure(new Error('socket hang up'))).toBe('other');
  });
});

describe('is an upstream that reset a submission gone?', () => {
  const opts = { windowMs: 500, pauseMs: 50, timeoutMs: 300 };
  const listen = async (server: net.Server | http.Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const fate = async (url: string) => {
    const target = createUpstreamTarget(url);
    try {
      return await checkGone(target, {}, opts);
    } finally {
      target.close();
    }
  };
  it('gone only when connections are refused; any answer means alive; a hang or endless resets stay unknown', async () => {
    const closed = net.createServer();
    const closedUrl = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    expect(await fate(closedUrl)).toBe('gone');
    const failing = http.createServer((_q, res) => res.writeHead(500).end());
    expect(await fate(await listen(failing))).toBe('answering');
    const silent = await startSilentServer();
    expect(await fate(silent.url)).toBe('unknown');
    const resetting = net.createServer((socket) => socket.resetAndDestroy());
    expect(await fate(await listen(resetting))).toBe('unknown');
    failing.close();
    resetting.close();
    await silent.close();
  });
});

describe('upload registry', () => {
  const prompt = (...images: string[]) => Object.fromEntries(images.map((image, i) => [String(i), { class_type: 'LoadImage', inputs: { image, upload: 'image' } }]));
  it('answers the upstreams holding every upload a prompt names, or null when it names none', () => {
    const r = new UploadRegistry();
    expect(r.holdersFor(prompt('cat.png'))).toBeNull();
    r.record({ name: 'cat.png', subfolder: '', type: 'input' }, ['a', 'b']);
    r.record({ name: 'dog.png', subfolder: 'pets', type: 'input' }, ['b', 'c']);
    expect([...(r.holdersFor(prompt('cat.png')) ?? [])]).toEqual(['a', 'b']);
    expect([...(r.holdersFor(prompt('pets/dog.png [input]')) ?? [])]).toEqual(['b', 'c']);
    expect([...(r.holdersFor(prompt('cat.png', 'pets/dog.png')) ?? [])]).toEqual(['b']);
    expect(r.holdersFor(prompt('dog.png'))).toBeNull(); // another subfolder
    expect(r.holdersFor(prompt('cat.png [output]'))).toBeNull(); // another folder type
    expect(r.holdersFor('not a prompt')).toBeNull();
  });

  it('is bounded: the oldest record goes first', () => {
    const r = new UploadRegistry(2);
    for (const name of ['1.png', '2.png', '3.png']) r.record({ name, subfolder: '', type: 'input' }, ['a']);
    expect(r.size).toBe(2);
    expect(r.holdersFor(prompt('1.png'))).toBeNull();
    expect(r.holdersFor(prompt('3.png'))).not.toBeNull();
  });
});

describe('output index', () => {
  const out = (filename: string) => [{ filename, subfolder: '', type: 'output' }];
  it('knows which upstream produced a file, per owner, the newest job winning', () => {
    const ix = new OutputIndex();
    ix.add('alice', out('ComfyUI_00001_.png'), 'http://a');
    ix.add('bob', out('ComfyUI_00001_.png'), 'http://b');
    expect(ix.upstreamOf('alice', 'output', '', 'ComfyUI_00001_.png')).toBe('http://a');
    expect(ix.upstreamOf('bob', 'output', '', 'ComfyUI_00001_.png')).toBe('http://b');
    expect(ix.upstreamOf(null, 'output', '', 'ComfyUI_00001_.png')).toBe('http://b');
    ix.add('alice', out('ComfyUI_00001_.png'), 'http://c');
    expect(ix.upstreamOf('alice', 'output', '', 'ComfyUI_00001_.png')).toBe('http://c');
    ix.remove('alice', out('ComfyUI_00001_.png'), 'http://c');
    expect(ix.upstreamOf('alice', 'output', '', 'ComfyUI_00001_.png')).toBe('http://a');
    expect(ix.has('alice', 'output', '', 'ComfyUI_00001_.png')).toBe(true);
    expect(ix.upstreamOf('carol', 'output', '', 'ComfyUI_00001_.png')).toBeUndefined();
  });
});
