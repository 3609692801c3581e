// The Comfy-account permission from the command line (SPEC §8.8, issue 21): `--cloud`, `--no-cloud` and
// `--cloud-jobs-per-day` on create and update, the CLOUD column and its footnote in `keys list`, the
// permission change in the audit log, and a key store from before the permission existed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keysCli, tempDirs } from '../helpers/keysCli';

const tempDir = tempDirs('keys-cloud-');
const cli = keysCli(Date.UTC(2026, 11, 6));
const idOf = (out: string) => /\(id ([A-Za-z0-9_-]{22}),/.exec(out)?.[1] ?? '';

describe('keys create / update / list and the Comfy account', () => {
  it('creates with --cloud and a cap, changes it with update, and lists it', async () => {
    const dir = tempDir();
    const made = await cli(dir, 'create', '--name', 'designer', '--cloud', '--cloud-jobs-per-day', '2');
    expect(made.code, made.err).toBe(0);
    expect(made.out).toContain('may spend your Comfy credits (2 jobs a day)');
    const id = idOf(made.out);
    const plain = await cli(dir, 'create', '--name', 'script');
    expect(plain.out).toContain('may not spend your Comfy credits');

    let listed = await cli(dir, 'list');
    expect(listed.out).toMatch(/designer\s+active\s+100\s+yes, 2\/day\s/);
    expect(listed.out).toMatch(/script\s+active\s+100\s+no\s/);
    expect(listed.out).toContain('CLOUD no: the key\'s jobs never spend your Comfy account\'s credits');
    expect(listed.out).toContain('keys update ID --cloud');

    const updated = await cli(dir, 'update', id, '--no-cloud');
    expect(updated.code, updated.err).toBe(0);
    expect(updated.out).toContain('may not spend your credits');
    const json = JSON.parse((await cli(dir, 'list', '--json')).out) as { keys: { name: string; cloud: boolean; cloud_jobs_per_day: number | null }[] };
    expect(json.keys.find((k) => k.name === 'designer')).toMatchObject({ cloud: false, cloud_jobs_per_day: 2 });

    await cli(dir, 'update', id, '--cloud', '--cloud-jobs-per-day', 'none');
    listed = await cli(dir, 'list');
    expect(listed.out).toMatch(/designer\s+active\s+100\s+yes\s/);

    // The audit log records each change of the permission, with its new value.
    const audit = JSON.parse((await cli(dir, 'audit', '--json')).out) as { entries: { event: string; details: Record<string, unknown> }[] };
    const edits = audit.entries.filter((e) => e.event === 'key.edited').map((e) => e.details);
    expect(edits).toEqual(expect.arrayContaining([expect.objectContaining({ cloud: false }), expect.objectContaining({ cloud: true, cloud_jobs_per_day: null })]));
  });

  it('sets and clears a GPU budget', async () => {
    const dir = tempDir();
    const made = await cli(dir, 'create', '--name', 'renders', '--gpu-seconds-per-day', '3600');
    expect(made.code, made.err).toBe(0);
    const id = idOf(made.out);
    const listed = () => JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')).keys[0].gpu_seconds_per_day as number | null;
    expect(listed()).toBe(3600);
    const cleared = await cli(dir, 'update', id, '--gpu-seconds-per-day', 'none');
    expect(cleared.out).toContain('no GPU budget');
    expect(listed()).toBeNull();
    const bad = await cli(dir, 'update', id, '--gpu-seconds-per-day', '1.5');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--gpu-seconds-per-day takes a whole number');
  });

  it('refuses bad flags with words a person understands', async () => {
    const dir = tempDir();
    const both = await cli(dir, 'create', '--name', 'x', '--cloud', '--no-cloud');
    expect(both.code).toBe(2);
    expect(both.err).toContain('Give --cloud or --no-cloud, not both');
    const zero = await cli(dir, 'create', '--name', 'x', '--cloud-jobs-per-day', '0');
    expect(zero.code).toBe(2);
    expect(zero.err).toContain('--cloud-jobs-per-day takes a whole number');
    const nothing = await cli(dir, 'update', 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(nothing.code).toBe(2);
    expect(nothing.err).toContain('Say what to change');
  });

  it('keys from before the permission (keys.json version 2) load with cloud off, and list says so', async () => {
    const dir = tempDir();
    await cli(dir, 'create', '--name', 'old friend');
    const path = join(dir, 'keys.json');
    const file = JSON.parse(readFileSync(path, 'utf8')) as { version: number; keys: Record<string, unknown>[] };
    for (const k of file.keys) {
      delete k.cloud;
      delete k.cloud_jobs_per_day;
    }
    writeFileSync(path, JSON.stringify(file));
    const listed = await cli(dir, 'list');
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toMatch(/old friend\s+active\s+100\s+no\s/);
    expect(listed.out).toContain('CLOUD no:');
  });
});
