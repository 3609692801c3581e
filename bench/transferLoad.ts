// The client side of the big-file scenarios: one multipart upload to POST /upload/image (the form the web UI
// sends: an `image` file part plus `type`, `subfolder` and `overwrite`), and one download of /__fake/big, each
// through a target, streamed in 64 KiB chunks and timed. The upload's file part is sized so the whole body stays
// within ComfyUI's default max_upload_size (100 MiB): what a real ComfyUI would take.
import { request } from 'node:http';
import { Readable } from 'node:stream';
import type { BenchTarget } from './scenario';

export const TRANSFER_MIB = 100;
const CHUNK = Buffer.alloc(64 * 1024, 0x42);
const BOUNDARY = '----BenchFormBoundary7MA4YWxkTrZu0gW';

/** The form around the file: fields first (as the web UI's FormData sends them), then the file, then the close. */
function formParts(): { head: Buffer; tail: Buffer; fileBytes: number } {
  const field = (name: string, value: string) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    field('type', 'input') +
      field('subfolder', 'bench') +
      field('overwrite', 'false') +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="bench-upload.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  return { head, tail, fileBytes: TRANSFER_MIB * 1024 * 1024 - head.length - tail.length };
}

function formBody(): { stream: Readable; total: number } {
  const { head, tail, fileBytes } = formParts();
  const stream = Readable.from(
    (function* () {
      yield head;
      for (let left = fileBytes; left > 0; left -= CHUNK.length) yield left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      yield tail;
    })(),
    { objectMode: false },
  );
  return { stream, total: head.length + fileBytes + tail.length };
}

/** Uploads the form through `target`; resolves with the seconds taken and the body bytes sent. */
export function uploadOnce(target: BenchTarget): Promise<{ seconds: number; bytes: number }> {
  const { stream, total } = formBody();
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      new URL('/upload/image', target.url ?? ''),
      {
        method: 'POST',
        headers: { authorization: `Bearer ${target.key}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': total },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200 || !text.includes('bench-upload.bin')) reject(new Error(`${target.name}: upload answered ${res.statusCode}: ${text.slice(0, 200)}`));
          else resolve({ seconds, bytes: total });
        });
      },
    );
    req.on('error', reject);
    stream.pipe(req);
  });
}

/** Downloads TRANSFER_MIB MiB of /__fake/big through `target`, reading as fast as it comes. */
export function downloadOnce(target: BenchTarget): Promise<{ seconds: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(new URL(`/__fake/big?mb=${TRANSFER_MIB}`, target.url ?? ''), { headers: { authorization: `Bearer ${target.key}` }, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (res.statusCode !== 200 || bytes !== TRANSFER_MIB * 1024 * 1024) reject(new Error(`${target.name}: download answered ${res.statusCode} with ${bytes} bytes`));
        else resolve({ seconds, bytes });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
