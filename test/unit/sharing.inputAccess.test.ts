// Who may read which input file (inputAccess.ts, SPEC §8.3 private uploads), where a key's upload goes
// (uploadTarget.ts), which workflow values name another key's file, and a key's /object_info lists
// (uploadInputs.ts, keyObjectInfo.ts): in every spelling a file system could open as the same folder.
import { describe, expect, it } from 'vitest';
import { isPrivateSegment, normalizeSharedFolder, sharedFolderProblem } from '../../main/common/inputFolders';
import { ADMIN_OWNER } from '../../main/jobs/types';
import { foreignInputIn, inputAccess } from '../../main/proxy/sharing/inputAccess';
import { KeyObjectInfo, type KeyView } from '../../main/proxy/sharing/keyObjectInfo';
import { privateUploadSubfolder } from '../../main/proxy/sharing/uploadTarget';

const A = 'AAAAAAAAAAAAAAAAAAAAA_';
const B = 'bbbbbbbbbbbbbbbbbbbb-b';
const mine = `private-${A}`;
const theirs = `private-${B}`;

describe('inputAccess', () => {
  it('own, another key’s, shared and hidden, whatever the spelling', () => {
    const cases: [string, string][] = [
      [`${mine}/cat.png`, 'own'],
      [`./${mine}//pasted/cat.png`, 'own'],
      [`3d/${mine}/chair.glb`, 'own'],
      [`${theirs}/cat.png`, 'foreign'],
      [`${theirs.toUpperCase()}/cat.png`, 'foreign'],
      [`${theirs}./cat.png`, 'foreign'],
      [`${theirs}::$DATA/cat.png`, 'foreign'],
      [`${mine}/${theirs}/cat.png`, 'foreign'],
      [`3d/${theirs}/chair.glb`, 'foreign'],
      [`${mine.toUpperCase()}/cat.png`, 'foreign'],
      ['cat.png', 'shared'],
      ['3d/chair.glb', 'shared'],
      ['team/x.png', 'shared'],
      ['team/sub/x.png', 'shared'],
      ['teamwork/x.png', 'hidden'],
      ['pasted/x.png', 'hidden'],
      ['../x.png', 'hidden'],
      ['/etc/passwd', 'hidden'],
    ];
    for (const [path, access] of cases) expect(inputAccess(A, path, ['team']), path).toBe(access);
    expect(inputAccess(ADMIN_OWNER, `${theirs}/cat.png`, [])).toBe('own');
  });

  it('a private folder is a segment of exactly that shape; other names are plain folders', () => {
    expect(isPrivateSegment(mine)).toBe(true);
    expect(isPrivateSegment('private-short')).toBe(false);
    expect(isPrivateSegment(`x${mine}`)).toBe(false);
    expect(isPrivateSegment(`${mine} . `)).toBe(true);
  });
});

describe('privateUploadSubfolder', () => {
  it('puts the client’s subfolder beneath the key’s folder, 3D under 3d/, and keeps one already inside it', () => {
    expect(privateUploadSubfolder(A, '')).toBe(mine);
    expect(privateUploadSubfolder(A, 'pasted')).toBe(`${mine}/pasted`);
    expect(privateUploadSubfolder(A, 'a//b/./')).toBe(`${mine}/a/b`);
    expect(privateUploadSubfolder(A, '3d')).toBe(`3d/${mine}`);
    expect(privateUploadSubfolder(A, '3d/x')).toBe(`3d/${mine}/x`);
    expect(privateUploadSubfolder(A, `${mine}/clipspace`)).toBe(`${mine}/clipspace`);
    expect(privateUploadSubfolder(A, `3d/${mine}`)).toBe(`3d/${mine}`);
    for (const bad of ['..', 'a/../..', '/abs', 'C:/x', 'a\\b', theirs, `x/${theirs.toUpperCase()}`, `${mine}/../${theirs}`, 'a\0b']) {
      expect(() => privateUploadSubfolder(A, bad), bad).toThrow();
    }
  });
});

describe('foreignInputIn', () => {
  it('finds another key’s folder in any segment of any string, split on / and \\', () => {
    for (const v of [`${theirs}/cat.png`, `${theirs}/cat.png [input]`, `${theirs}\\cat`, `x/${theirs.toLowerCase()}/y`, ` ${theirs}/a`]) {
      expect(foreignInputIn(v, A), v).not.toBeNull();
    }
    for (const v of [`${mine}/cat.png`, 'cat.png', 'a photo of private-property', `see ${theirs} later`]) expect(foreignInputIn(v, A), v).toBeNull();
    expect(foreignInputIn(`${theirs}/cat.png`, ADMIN_OWNER)).toBeNull();
  });
});

describe('shared folders', () => {
  it('are normalised and refused when they leave the folder or name a key’s folder', () => {
    expect(normalizeSharedFolder(' /team//refs/ ')).toBe('team/refs');
    expect(sharedFolderProblem('team/refs')).toBeNull();
    for (const bad of ['', '..', 'a/../b', 'a\\b', 'C:/x', theirs, `team/${mine}`]) expect(sharedFolderProblem(normalizeSharedFolder(bad)), bad).not.toBeNull();
  });
});

describe('a key’s /object_info', () => {
  const defs = {
    LoadImage: { input: { required: { image: [['example.png', `${theirs}/leak.png`], { image_upload: true }] } } },
    LoadVideo: { input: { required: { file: ['COMBO', { options: ['v.mp4'], video_upload: true }] } } },
    LoadAudio: { input: { optional: { audio: ['COMBO', { options: [], audio_upload: true }] } } },
    Load3D: { input: { required: { model_file: ['COMBO', { options: ['3d/shared.glb', `3d/${mine}/m.glb`, `3d/${theirs}/t.glb`], file_upload: true }] } } },
    LoadImageOutput: { input: { required: { image: ['COMBO', { image_upload: true, image_folder: 'output', remote: { route: '/internal/files/output' } }] } } },
    KSampler: { input: { required: { seed: ['INT', {}] } } },
  };
  const own = [`${mine}/new.png`, `${mine}/clip.mp4`, `${mine}/pasted/p.png`, `3d/${mine}/m.glb`, `${mine}/song.wav`];
  const view = (version = 1): KeyView => ({ owner: A, own, version, sharedFolders: [], visible: (p) => ['own', 'shared'].includes(inputAccess(A, p, [])) });
  const listOf = (out: Buffer, cls: string, group: string, input: string): unknown => {
    const spec = (JSON.parse(out.toString()) as Record<string, { input: Record<string, Record<string, [unknown, { options?: unknown }]>> }>)[cls]?.input[group]?.[input];
    return Array.isArray(spec?.[0]) ? spec?.[0] : spec?.[1].options;
  };

  it('lists the key’s own files of each kind first, then the shared ones; another key’s never; other inputs untouched', () => {
    const out = new KeyObjectInfo().forKey('/object_info', Buffer.from(JSON.stringify(defs)), view());
    expect(listOf(out, 'LoadImage', 'required', 'image')).toEqual([`${mine}/new.png`, 'example.png']);
    expect(listOf(out, 'LoadVideo', 'required', 'file')).toEqual([`${mine}/clip.mp4`, 'v.mp4']);
    expect(listOf(out, 'LoadAudio', 'optional', 'audio')).toEqual([`${mine}/clip.mp4`, `${mine}/song.wav`]);
    expect(listOf(out, 'Load3D', 'required', 'model_file')).toEqual([`3d/${mine}/m.glb`, '3d/shared.glb']);
    const parsed = JSON.parse(out.toString()) as typeof defs;
    expect(parsed.LoadImageOutput).toEqual(defs.LoadImageOutput);
    expect(parsed.KSampler).toEqual(defs.KSampler);
  });

  it('reuses a key’s body while ComfyUI’s answer and the key’s uploads are the same, and stays within its bounds', () => {
    const cache = new KeyObjectInfo({ entries: 3, bytes: 1 << 20 });
    const body = Buffer.from(JSON.stringify(defs));
    const first = cache.forKey('/object_info', body, view(1));
    expect(cache.forKey('/object_info', Buffer.from(body), view(1))).toBe(first);
    expect(cache.forKey('/object_info', body, view(2))).not.toBe(first);
    for (let i = 0; i < 10; i++) cache.forKey('/object_info', body, { ...view(1), owner: `k${i}` });
    expect(cache.size.entries).toBe(3);
    // A body that is not an object of nodes passes as it came.
    const junk = Buffer.from('not json');
    expect(cache.forKey('/object_info/x', junk, view())).toBe(junk);
  });
});
