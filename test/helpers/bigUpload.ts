// A large multipart image upload made on the fly, 64 KiB of random bytes repeated up to `totalBytes`, for the
// tests that check an upload streams through the proxy intact without being held in memory.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export interface BigUpload {
  contentType: string;
  /** A fresh stream of the whole form. */
  body(): Readable;
  /** The file part's SHA-256 (hex), once body() has been read to the end. */
  digest(): string;
}

export function bigImageUpload(totalBytes: number, filename = 'big.png'): BigUpload {
  const boundary = '----cacbigupload7MA4YWxkTrZu0gW';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const block = randomBytes(64 * 1024);
  const hash = createHash('sha256');
  async function* parts() {
    yield head;
    for (let sent = 0; sent < totalBytes; sent += block.length) {
      hash.update(block);
      yield block;
    }
    yield tail;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: () => Readable.from(parts()), digest: () => hash.digest('hex') };
}
