// The streaming upload check (uploadInspector.ts + uploadTarget.ts): whatever the chunking, an allowed form
// reaches ComfyUI with the same parts (data byte for byte) and the verdict's subfolder as its only one (a key's
// input upload: its private folder); a refused form errors before its closing boundary passes, so the fake
// ComfyUI behind it never completes the upload (the existing output file keeps its content).
import http from 'node:http';
import { pipeline, Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompanionError } from '../../main/common/errors';
import type { JobLedgerApi } from '../../main/jobs/types';
import { uploadInspector } from '../../main/proxy/sharing/uploadInspector';
import { splitForm } from '../../main/proxy/sharing/formParts';
import { uploadVerdict, type UploadFields } from '../../main/proxy/sharing/uploadTarget';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';

const B = 'inspector-boundary';
function form(fields: [string, string][], file = 'x'.repeat(50_000), filename = 'a.png'): Buffer {
  const text = fields.map(([n, v]) => `--${B}\r\nContent-Disposition: form-data; ${n}\r\n\r\n${v}\r\n`).join('');
  return Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="image"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n${file}\r\n${text}--${B}--\r\n`);
}

/** aliceOwned: the only temp file the ledger stub says belongs to 'alice'. */
const ledger = { ownsOutput: (owner: string, type: string, sub: string, name: string) => owner === 'alice' && type === 'temp' && sub === '' && name === 'mine.png' } as unknown as JobLedgerApi;
const judgeFor = (owner: string) => (f: UploadFields) => uploadVerdict(ledger, owner, f);
const BOB = 'bobbobbobbobbobbobbobA';

/** The parts ComfyUI reads, by name (each part's value or file bytes as text). */
function partsOf(body: Buffer): Record<string, string> {
  return Object.fromEntries(splitForm(body, B).map((p) => [p.name, p.body.toString('latin1')]));
}

function run(body: Buffer, chunk: number, owner = BOB): Promise<{ out: Buffer; error: CompanionError | null }> {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunk) parts.push(body.subarray(i, i + chunk));
  const out: Buffer[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, done) => (out.push(c), done()) });
  return new Promise((resolve) => pipeline(Readable.from(parts), uploadInspector(B, judgeFor(owner)), sink, (err) => resolve({ out: Buffer.concat(out), error: (err as CompanionError | null) ?? null })));
}

describe('uploadInspector', () => {
  it('a form closed by "--B--" at the very end of the body is judged before its closing boundary passes, whatever the chunking', async () => {
    const allowed = form([['name="type"', 'input']]).subarray(0, -2); // no CRLF after the closing boundary
    const refused = form([['name="type"', 'output']]).subarray(0, -2);
    for (const chunk of [1, 2, 3, 7, 4096, allowed.length]) {
      const ok = await run(allowed, chunk);
      expect(ok.error).toBeNull();
      expect(partsOf(ok.out)).toEqual({ image: 'x'.repeat(50_000), type: 'input', subfolder: `private-${BOB}` });
      const no = await run(refused, chunk);
      expect(no.error?.code).toBe('forbidden');
      expect(no.out.toString('latin1')).not.toContain(`--${B}--`);
    }
  });

  it('passes allowed forms on with the same parts, the file byte for byte, whatever the chunking', async () => {
    const cases: [Buffer, string, Record<string, string>][] = [
      [form([]), BOB, { subfolder: `private-${BOB}` }],
      [form([['name="type"', 'input'], ['name="overwrite"', 'true']]), BOB, { type: 'input', overwrite: 'true', subfolder: `private-${BOB}` }],
      [form([['name=type', 'temp']]), BOB, { type: 'temp' }],
      [form([['name="type"', 'temp'], ['name="subfolder"', 'threed'], ['name="x"', '']], 'y', 'b.png'), BOB, { type: 'temp', subfolder: 'threed', x: '' }],
      [form([['name="type"', 'temp'], ['name="overwrite"', 'true']], 'y', 'mine.png'), 'alice', { type: 'temp', overwrite: 'true' }],
    ];
    for (const [body, owner, fields] of cases) {
      const file = body.includes('mine.png') || body.includes('b.png') ? 'y' : 'x'.repeat(50_000);
      for (const chunk of [1, 7, 19, 4096, body.length]) {
        const { out, error } = await run(body, chunk, owner);
        expect(error).toBeNull();
        expect(partsOf(out)).toEqual({ image: file, ...fields });
        // The form stays well-formed for any reader: one opening, one closing boundary.
        expect(out.subarray(0, B.length + 4).toString('latin1')).toBe(`--${B}\r\n`);
        expect(out.toString('latin1').endsWith(`\r\n--${B}--\r\n`)).toBe(true);
      }
    }
  });

  it('judges a form the same wherever a chunk splits it: at every byte, and in chunks about a delimiter long', async () => {
    // The scan keeps the few bytes that could start a delimiter and looks at the next chunk where it lies (no
    // copy): a delimiter split at any point must still end its part, or `type` would read as "output\r\n--…".
    const delimiter = `\r\n--${B}`.length;
    const allowed = form([['name="type"', 'temp'], ['name="overwrite"', 'true']], 'z'.repeat(300), 'mine.png'); // alice's own: only exact values pass
    // A file holding near-misses of the delimiter (its first bytes, then something else) must pass on whole.
    const tricky = `${'z'.repeat(100)}\r\n--${B.slice(0, 10)}X${'z'.repeat(60)}\r\n-${'z'.repeat(40)}\r`;
    const mine = form([['name="type"', 'input'], ['name="subfolder"', 'masks']], tricky);
    const refused = form([['name="type"', 'output'], ['name="subfolder"', 'a']], 'z'.repeat(300));
    const splits = (body: Buffer): Buffer[][] => {
      const out: Buffer[][] = [];
      for (let at = 1; at < body.length; at++) out.push([body.subarray(0, at), body.subarray(at)]);
      for (let size = delimiter - 2; size <= delimiter + 2; size++) {
        for (let offset = 1; offset < size; offset++) {
          const chunks = [body.subarray(0, offset)];
          for (let i = offset; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
          out.push(chunks);
        }
      }
      return out;
    };
    const through = (chunks: Buffer[], owner: string) =>
      new Promise<{ out: Buffer; error: CompanionError | null }>((resolve) => {
        const out: Buffer[] = [];
        const sink = new Writable({ write: (c: Buffer, _e, done) => (out.push(c), done()) });
        pipeline(Readable.from(chunks), uploadInspector(B, judgeFor(owner)), sink, (err) => resolve({ out: Buffer.concat(out), error: (err as CompanionError | null) ?? null }));
      });
    for (const chunks of splits(allowed)) {
      const { out, error } = await through(chunks, 'alice');
      expect(error, chunks.map((c) => c.length).join(',')).toBeNull();
      expect(out.equals(allowed)).toBe(true); // nothing to rewrite: the same bytes
    }
    for (const chunks of splits(mine)) {
      const { out, error } = await through(chunks, BOB);
      expect(error, chunks.map((c) => c.length).join(',')).toBeNull();
      expect(partsOf(out)).toEqual({ image: tricky, type: 'input', subfolder: `private-${BOB}/masks` });
    }
    for (const chunks of splits(refused)) {
      const { out, error } = await through(chunks, 'alice');
      expect(error?.code, chunks.map((c) => c.length).join(',')).toBe('forbidden');
      expect(out.toString('latin1')).not.toContain(`--${B}--`);
    }
  });

  it('a key’s input upload goes into its own folder: the client’s subfolder beneath it, never in its place', async () => {
    const cases: [string, string][] = [
      ['pasted', `private-${BOB}/pasted`],
      ['a/./b//', `private-${BOB}/a/b`],
      ['3d', `3d/private-${BOB}`],
      ['3d/props', `3d/private-${BOB}/props`],
      [`private-${BOB}/pasted`, `private-${BOB}/pasted`],
    ];
    for (const [given, stored] of cases) {
      // The client's subfolder first, last, or between the file and the type: ComfyUI sees only the proxy's.
      for (const body of [form([['name="subfolder"', given]]), form([['name="type"', 'input'], ['name="subfolder"', given]])]) {
        const { out, error } = await run(body, 5);
        expect(error).toBeNull();
        expect(splitForm(out, B).filter((p) => p.name === 'subfolder').map((p) => p.body.toString())).toEqual([stored]);
      }
    }
    for (const bad of ['../x', `private-${'x'.repeat(22)}`, `a/PRIVATE-${'y'.repeat(22)}.`, '/abs', 'a\\b']) {
      const { error } = await run(form([['name="subfolder"', bad]]), 64);
      expect(error?.code, bad).toBe('invalid_request');
    }
  });

  it('refuses output, another’s temp overwrite, duplicates and hidden spellings before the last bytes pass', async () => {
    const cases: [Buffer, string][] = [
      [form([['name="type"', 'output']]), 'forbidden'],
      [form([["name*=utf-8''type", 'output']]), 'forbidden'],
      [form([['name="type"', 'temp'], ['name="overwrite"', '1']], 'y', 'mine.png'), 'forbidden'],
      [form([['name="type"', 'input'], ['name=type', 'output']]), 'invalid_request'],
      [form([['name="type"\r\nContent-Transfer-Encoding: base64', 'b3V0cHV0']]), 'invalid_request'],
      [form([['name="type"', 'temp'], ['name="overwrite"', 'true'], ['name="subfolder"', '../x']], 'y', 'mine.png'), 'forbidden'],
      [form([['name="subfolder"', 'a'], ['name="subfolder"', 'b']]), 'invalid_request'],
    ];
    for (const [body, type] of cases) {
      for (const chunk of [1, 13, body.length]) {
        const { out, error } = await run(body, chunk);
        expect(error?.code, body.subarray(-200).toString()).toBe(type);
        expect(out.toString('latin1')).not.toContain(`--${B}--`);
      }
    }
  });
});

describe('uploadInspector in front of the fake ComfyUI', () => {
  let fake: FakeComfy;
  let server: http.Server;
  let url = '';
  beforeAll(async () => {
    fake = await startFakeComfy();
    const upstream = new URL(fake.url);
    // A minimal forwarder: client → inspector → ComfyUI; a refusal cuts the upstream request and answers 403.
    server = http.createServer((req, res) => {
      const { 'content-length': _rewritten, ...headers } = req.headers;
      const up = http.request({ hostname: upstream.hostname, port: upstream.port, path: '/upload/image', method: 'POST', headers }, (r) => r.pipe(res.writeHead(r.statusCode ?? 502)));
      up.on('error', () => undefined);
      pipeline(req, uploadInspector(B, judgeFor(BOB)), up, (err) => {
        if (!err) return;
        up.destroy();
        res.writeHead(403).end((err as Error).message);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await fake.close();
  });
  const send = (body: Buffer) =>
    fetch(url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${B}`, host: new URL(fake.url).host }, body: new Uint8Array(body) });

  it('an overwrite of an output file never lands; an input upload does', async () => {
    fake.files.put('output', '', 'theirs.png', Buffer.from('original'));
    const res = await send(form([['name="type"', 'output'], ['name="overwrite"', 'true']], 'replaced!', 'theirs.png'));
    expect(res.status).toBe(403);
    expect(fake.files.get('output', '', 'theirs.png')?.size).toBe('original'.length);
    const ok = await send(form([['name="type"', 'input'], ['name="subfolder"', 'pasted']], 'fresh', 'mine-input.png'));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ name: 'mine-input.png', subfolder: `private-${BOB}/pasted`, type: 'input' });
    expect(fake.files.get('input', `private-${BOB}/pasted`, 'mine-input.png')?.size).toBe('fresh'.length);
    expect(fake.files.get('input', 'pasted', 'mine-input.png')).toBeUndefined();
  });
});
