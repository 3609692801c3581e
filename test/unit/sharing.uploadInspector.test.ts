// The streaming upload check (uploadInspector.ts + uploadTarget.ts): every chunk split passes the bytes
// through unchanged when allowed; a refused form errors before its last bytes pass, so the fake ComfyUI
// behind it never completes the upload (the existing output file keeps its content).
import http from 'node:http';
import { pipeline, Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompanionError } from '../../main/common/errors';
import type { JobLedgerApi } from '../../main/jobs/types';
import { uploadInspector } from '../../main/proxy/sharing/uploadInspector';
import { uploadTargetProblem, type UploadFields } from '../../main/proxy/sharing/uploadTarget';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';

const B = 'inspector-boundary';
function form(fields: [string, string][], file = 'x'.repeat(50_000), filename = 'a.png'): Buffer {
  const text = fields.map(([n, v]) => `--${B}\r\nContent-Disposition: form-data; ${n}\r\n\r\n${v}\r\n`).join('');
  return Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="image"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n${file}\r\n${text}--${B}--\r\n`);
}

/** aliceOwned: the only temp file the ledger stub says belongs to 'alice'. */
const ledger = { ownsOutput: (owner: string, type: string, sub: string, name: string) => owner === 'alice' && type === 'temp' && sub === '' && name === 'mine.png' } as unknown as JobLedgerApi;
const judgeFor = (owner: string) => (f: UploadFields) => uploadTargetProblem(ledger, owner, f);

function run(body: Buffer, chunk: number, owner = 'bob'): Promise<{ out: Buffer; error: CompanionError | null }> {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunk) parts.push(body.subarray(i, i + chunk));
  const out: Buffer[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, done) => (out.push(c), done()) });
  return new Promise((resolve) => pipeline(Readable.from(parts), uploadInspector(B, judgeFor(owner)), sink, (err) => resolve({ out: Buffer.concat(out), error: (err as CompanionError | null) ?? null })));
}

describe('uploadInspector', () => {
  it('a form closed by "--B--" at the very end of the body is judged before its closing "--" passes, whatever the chunking', async () => {
    const allowed = form([['name="type"', 'input']]).subarray(0, -2); // no CRLF after the closing boundary
    const refused = form([['name="type"', 'output']]).subarray(0, -2);
    for (const chunk of [1, 2, 3, 7, 4096, allowed.length]) {
      const ok = await run(allowed, chunk);
      expect(ok.error).toBeNull();
      expect(ok.out.equals(allowed)).toBe(true);
      const no = await run(refused, chunk);
      expect(no.error?.code).toBe('forbidden');
      expect(no.out.toString('latin1').endsWith(`--${B}--`)).toBe(false);
    }
  });

  it('passes allowed forms through byte for byte, whatever the chunking', async () => {
    for (const body of [form([]), form([['name="type"', 'input'], ['name="overwrite"', 'true']]), form([['name=type', 'temp']]), form([['name="type"', 'temp'], ['name="overwrite"', 'true']], 'y', 'mine.png')]) {
      for (const chunk of [1, 7, 19, 4096, body.length]) {
        const owner = body.includes('mine.png') ? 'alice' : 'bob';
        const { out, error } = await run(body, chunk, owner);
        expect(error).toBeNull();
        expect(out.equals(body)).toBe(true);
      }
    }
  });

  it('judges a form the same wherever a chunk splits it: at every byte, and in chunks about a delimiter long', async () => {
    // The scan keeps the few bytes that could start a delimiter and looks at the next chunk where it lies (no
    // copy): a delimiter split at any point must still end its part, or `type` would read as "output\r\n--…".
    const delimiter = `\r\n--${B}`.length;
    const allowed = form([['name="type"', 'temp'], ['name="overwrite"', 'true']], 'z'.repeat(300), 'mine.png'); // alice's own: only exact values pass
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
      expect(out.equals(allowed)).toBe(true);
    }
    for (const chunks of splits(refused)) {
      const { out, error } = await through(chunks, 'alice');
      expect(error?.code, chunks.map((c) => c.length).join(',')).toBe('forbidden');
      expect(out.toString('latin1').includes(`--${B}--`)).toBe(false);
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
    ];
    for (const [body, type] of cases) {
      for (const chunk of [1, 13, body.length]) {
        const { out, error } = await run(body, chunk);
        expect(error?.code, body.subarray(-200).toString()).toBe(type);
        expect(out.length).toBeLessThan(body.length);
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
      const up = http.request({ hostname: upstream.hostname, port: upstream.port, path: '/upload/image', method: 'POST', headers: req.headers }, (r) => r.pipe(res.writeHead(r.statusCode ?? 502)));
      up.on('error', () => undefined);
      pipeline(req, uploadInspector(B, judgeFor('bob')), up, (err) => {
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
    const ok = await send(form([['name="type"', 'input']], 'fresh', 'mine-input.png'));
    expect(ok.status).toBe(200);
    expect(fake.files.get('input', '', 'mine-input.png')?.size).toBe('fresh'.length);
  });
});
