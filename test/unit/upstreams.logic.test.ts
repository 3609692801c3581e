// The pure parts of the several-upstreams layer (SPEC §10): the /object_info fingerprint, which upstreams
// match, which upstreams hold an upload, and which upstream produced an output file.
import { describe, expect, it } from 'vitest';
import { OutputIndex } from '../../main/jobs/outputIndex';
import { judgeConsistency } from '../../main/proxy/upstreams/consistency';
import { describeDifference, fingerprintObjectInfo } from '../../main/proxy/upstreams/objectInfoHash';
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

  it('names what differs', () => {
    const ref = fingerprintObjectInfo(nodes(['v1-5.safetensors'], []));
    const odd = fingerprintObjectInfo({ ...nodes(['sdxl.safetensors'], []), Upscale: { name: 'Upscale' } });
    if (!ref || !odd) throw new Error('fingerprints expected');
    expect(describeDifference(odd, ref)).toBe('has extra Upscale; differs in CheckpointLoaderSimple');
    const { LoadImage: _dropped, ...rest } = nodes(['v1-5.safetensors'], []);
    const lacking = fingerprintObjectInfo(rest);
    if (!lacking) throw new Error('fingerprint expected');
    expect(describeDifference(lacking, ref)).toBe('lacks LoadImage');
  });
});

describe('consistency verdict', () => {
  const fp = (models: string[]) => fingerprintObjectInfo(nodes(models, []));
  it('sets the odd one apart (majority), a tie goes to the first listed, unknown stays unknown', () => {
    const v = judgeConsistency([
      { id: 'a', up: true, fingerprint: fp(['x']) },
      { id: 'b', up: true, fingerprint: fp(['y']) },
      { id: 'c', up: true, fingerprint: fp(['y']) },
      { id: 'd', up: true, fingerprint: null },
    ]);
    expect([...v.matches]).toEqual([['a', false], ['b', true], ['c', true], ['d', null]]);
    expect(v.problems.get('a')).toContain('differs in CheckpointLoaderSimple');
    const tie = judgeConsistency([
      { id: 'a', up: true, fingerprint: fp(['x']) },
      { id: 'b', up: true, fingerprint: fp(['y']) },
    ]);
    expect(tie.matches.get('a')).toBe(true);
    expect(tie.matches.get('b')).toBe(false);
    // A down upstream does not vote.
    const down = judgeConsistency([
      { id: 'a', up: false, fingerprint: fp(['x']) },
      { id: 'b', up: false, fingerprint: fp(['x']) },
      { id: 'c', up: true, fingerprint: fp(['y']) },
    ]);
    expect(down.matches.get('c')).toBe(true);
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
