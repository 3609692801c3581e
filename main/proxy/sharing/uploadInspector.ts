// Checks a key's streamed `POST /upload/image` form as it passes (uploads may be GBs: never buffered). Only
// part headers and the short `type`/`subfolder`/`overwrite` values are kept; every chunk is parsed before it
// is passed on, and the fields are judged when the closing boundary arrives — before ComfyUI has the whole
// form, so a refusal (the stream errors) means ComfyUI's request.post() never completes and nothing is written.
import { Transform, type TransformCallback } from 'node:stream';
import type { CompanionError } from '../../common/errors';
import { formProblem, isFormEnd, mayStraddle, parsePartHead, textValue, type PartHead } from './formParts';
import { UPLOAD_TEXT_FIELDS, type UploadFields } from './uploadTarget';

const HEAD_CAP = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const FIELD_CAP = 4 * 1024;

type State = 'start' | 'head' | 'data' | 'after' | 'done';

/**
 * A pass-through stream that errors (with the CompanionError to answer) when the form cannot be read
 * unambiguously or `judge` refuses its fields. `judge` runs once, at the closing boundary.
 */
export function uploadInspector(boundary: string, judge: (fields: UploadFields) => CompanionError | null): Transform {
  const open = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let state: State = 'start';
  /** Bytes at the start of the current part's data that belong to the blank line, not the value. */
  let lead = 0;
  let pending: Buffer = Buffer.alloc(0);
  let part: PartHead | null = null;
  let collected: Buffer[] | null = null;
  let collectedSize = 0;
  const fields: UploadFields = {};
  const seen = new Set<string>();

  const keep = (whole: Buffer) => {
    const data = whole.subarray(Math.min(lead, whole.length));
    lead -= Math.min(lead, whole.length);
    if (!collected) return;
    collectedSize += data.length;
    if (collectedSize > FIELD_CAP) throw formProblem(`"${part?.name}" is too long`);
    collected.push(Buffer.from(data));
  };
  const startPart = (head: PartHead) => {
    part = head;
    collected = null;
    collectedSize = 0;
    const watched = (UPLOAD_TEXT_FIELDS as readonly string[]).includes(head.name) || head.name === 'image';
    if (!watched) return;
    // image_upload reads the first of each; a second copy is a disagreement waiting to happen.
    if (seen.has(head.name)) throw formProblem(`it has more than one "${head.name}" field`);
    seen.add(head.name);
    if (head.name === 'image') fields.filename = head.filename ?? undefined;
    else collected = [];
  };
  const endPart = () => {
    if (part && collected) fields[part.name as (typeof UPLOAD_TEXT_FIELDS)[number]] = textValue(part, Buffer.concat(collected));
    part = null;
    collected = null;
  };

  /** Consumes as much of `pending` as the current state can; returns false when it needs more bytes. */
  const step = (): boolean => {
    switch (state) {
      case 'start':
        // No preamble: aiohttp would skip lines (even "--B--junk") that the proxy would have to read its way.
        if (pending.length < open.length + 2) return false;
        if (!pending.subarray(0, open.length + 2).equals(Buffer.concat([open, CRLF]))) throw formProblem('it must start with its boundary');
        pending = pending.subarray(open.length);
        state = 'after';
        return true;
      case 'after': {
        if (pending.length < 2) return false;
        const two = pending.subarray(0, 2).toString('latin1');
        if (two === '--') {
          // "--B--" ends the form only before a CRLF or the end of the body; wait to see which.
          if (pending.length < 4) return false;
          if (!isFormEnd(pending.subarray(2, 4))) throw formProblem('its closing boundary has trailing characters');
          endPart();
          state = 'done';
          const refusal = judge(fields);
          if (refusal) throw refusal;
          return false;
        }
        if (two !== '\r\n') throw formProblem('a boundary line has trailing characters');
        endPart();
        state = 'head';
        return true;
      }
      case 'head': {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) {
          if (pending.length > HEAD_CAP) throw formProblem('a part header is too long');
          return false;
        }
        // pending starts at the CRLF ending the boundary line.
        startPart(parsePartHead(pending.subarray(Math.min(2, end), end).toString('latin1')));
        // aiohttp's part data starts with the blank line's CRLF, so "\r\n\r\n--B" already ends an empty part:
        // the delimiter is looked for from that CRLF on, whose two bytes are not part of the value.
        pending = pending.subarray(end + 2);
        lead = 2;
        state = 'data';
        return true;
      }
      case 'data': {
        const at = pending.indexOf(delimiter);
        if (at < 0) {
          // Hold back what could be the start of a delimiter split across chunks.
          const safe = Math.max(0, pending.length - (delimiter.length - 1));
          keep(pending.subarray(0, safe));
          pending = pending.subarray(safe);
          return false;
        }
        keep(pending.subarray(0, at));
        pending = pending.subarray(at + delimiter.length);
        state = 'after';
        return true;
      }
      case 'done':
        pending = Buffer.alloc(0);
        return false;
    }
  };

  /** Bytes after the last delimiter not judged yet: a closing "--" must not reach ComfyUI before the verdict. */
  let held: Buffer | null = null;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const out = held ? Buffer.concat([held, chunk]) : chunk;
      held = null;
      try {
        if (state === 'data' && pending.length > 0 && !mayStraddle(pending, chunk, delimiter)) {
          // The bytes held back from the last chunk start no delimiter: they are the part's data. The chunk is
          // then scanned where it lies instead of being copied behind them (a file part is nearly all chunks).
          keep(pending);
          pending = chunk;
        } else pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        while (step()) {
          /* keep going */
        }
        // Copy the small remainder so the client's chunk is not pinned in memory.
        if (pending.length && pending.length < chunk.length) pending = Buffer.from(pending);
      } catch (err) {
        done(err as Error);
        return;
      }
      // In 'after' the few bytes past the delimiter (at most 3) are all still unjudged, and they end `out`.
      const unjudged = state === 'after' ? pending.length : 0;
      if (unjudged > 0) held = Buffer.from(out.subarray(out.length - unjudged));
      done(null, unjudged > 0 ? out.subarray(0, out.length - unjudged) : out);
    },
    flush(done: TransformCallback) {
      // "--B--" as the very end of the body closes the form too.
      if (state === 'after' && pending.toString('latin1') === '--') {
        endPart();
        state = 'done';
        const refusal = judge(fields);
        if (refusal) return done(refusal);
      }
      if (state !== 'done') return done(formProblem('it has no closing boundary'));
      done(null, held ?? undefined);
    },
  });
}
