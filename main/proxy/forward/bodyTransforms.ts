// Streaming body rewrites the proxy applies to a few responses: redacting the cloud key from relayed
// JSON (queue and history echo extra_data back), and adding the login helper script to the UI's page.
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Replaces every occurrence of `needle` with `replacement`, also when an occurrence straddles
 * two chunks (the last needle.length-1 bytes are held back until the next chunk arrives).
 */
export function replaceAllStream(needle: Buffer, replacement: Buffer): Transform {
  let carry = Buffer.alloc(0);
  const keep = needle.length - 1;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const parts: Buffer[] = [];
      let from = 0;
      for (let at = data.indexOf(needle, from); at !== -1; at = data.indexOf(needle, from)) {
        parts.push(data.subarray(from, at), replacement);
        from = at + needle.length;
      }
      const safeEnd = Math.max(from, data.length - keep);
      parts.push(data.subarray(from, safeEnd));
      carry = Buffer.from(data.subarray(safeEnd));
      done(null, Buffer.concat(parts));
    },
    flush(done: TransformCallback) {
      done(null, carry);
    },
  });
}

/** Inserts `tag` right after `<head…>` (or at the very start when there is none). */
export function injectIntoHtml(html: Buffer, tag: string): Buffer {
  const text = html.toString('utf8');
  const head = /<head(?:\s[^>]*)?>/i.exec(text);
  const at = head ? head.index + head[0].length : 0;
  return Buffer.from(text.slice(0, at) + tag + text.slice(at), 'utf8');
}

/**
 * Collects a stream up to `cap` bytes. Resolves with the whole body, or with `overflow` holding what
 * was read so far when the cap was passed (the caller then streams those bytes plus the rest unchanged).
 */
export function collectUpTo(
  stream: NodeJS.ReadableStream,
  cap: number,
): Promise<{ body: Buffer; complete: true } | { head: Buffer[]; complete: false }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > cap) {
        cleanup();
        stream.pause();
        resolve({ head: chunks, complete: false });
      }
    };
    const onEnd = () => {
      cleanup();
      resolve({ body: Buffer.concat(chunks), complete: true });
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
