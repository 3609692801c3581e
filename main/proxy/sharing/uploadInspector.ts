// Checks and rewrites a key's streamed `POST /upload/image` form as it passes (uploads may be GBs: never
// buffered). Only part headers and the short `type`/`subfolder`/`overwrite` values are kept. The form ComfyUI
// receives is written by the inspector from what it parsed: every part as it came (header block and data byte
// for byte, delimiters in their plain form) except the client's `subfolder`, which is held back; at the closing
// boundary the fields are judged and the verdict's `subfolder` (SPEC §8.3 private uploads: the key's own
// folder) is added as the form's only one. The closing boundary is written only after the verdict, so a refusal
// (the stream errors) means ComfyUI's request.post() never completes and nothing is written.
import { Transform, type TransformCallback } from 'node:stream';
import type { CompanionError } from '../../common/errors';
import { formProblem, isFormEnd, mayStraddle, parsePartHead, partialMatchStart, textValue, type PartHead } from './formParts';
import { UPLOAD_TEXT_FIELDS, type UploadFields, type UploadRewrite } from './uploadTarget';

const HEAD_CAP = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const FIELD_CAP = 4 * 1024;

type State = 'start' | 'head' | 'data' | 'after' | 'done';

/** One text part in the plain form aiohttp reads as that value. */
function textPart(boundary: string, first: boolean, name: string, value: string): Buffer {
  return Buffer.from(`${first ? '' : '\r\n'}--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}`, 'utf8');
}

/**
 * A stream that passes the form on as described above, and errors (with the CompanionError to answer) when the
 * form cannot be read unambiguously or `judge` refuses its fields. `judge` runs once, at the closing boundary.
 */
export function uploadInspector(boundary: string, judge: (fields: UploadFields) => CompanionError | UploadRewrite): Transform {
  const open = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let state: State = 'start';
  /** Bytes at the start of the current part's data that belong to the blank line, not the value. */
  let lead = 0;
  let pending: Buffer = Buffer.alloc(0);
  let part: PartHead | null = null;
  /** The current part is the client's `subfolder`: read, never passed on. */
  let held = false;
  let collected: Buffer[] | null = null;
  let collectedSize = 0;
  let opened = false;
  const fields: UploadFields = {};
  const seen = new Set<string>();
  let out: Buffer[] = [];

  const emit = (b: Buffer) => {
    if (b.length > 0) out.push(b);
  };
  const keep = (whole: Buffer) => {
    const data = whole.subarray(Math.min(lead, whole.length));
    lead -= Math.min(lead, whole.length);
    if (!held) emit(data);
    if (!collected) return;
    collectedSize += data.length;
    if (collectedSize > FIELD_CAP) throw formProblem(`"${part?.name}" is too long`);
    collected.push(Buffer.from(data));
  };
  const startPart = (head: PartHead, raw: Buffer) => {
    part = head;
    collected = null;
    collectedSize = 0;
    held = head.name === 'subfolder';
    if (!held) {
      emit(Buffer.concat([opened ? delimiter : open, CRLF, raw, CRLF, CRLF]));
      opened = true;
    }
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
    held = false;
  };
  /** The form's end: judged, then the subfolder and the closing boundary go out. */
  const close = () => {
    endPart();
    state = 'done';
    const verdict = judge(fields);
    if (verdict instanceof Error) throw verdict;
    const subfolder = verdict.subfolder ?? fields.subfolder;
    if (subfolder !== undefined) {
      emit(textPart(boundary, !opened, 'subfolder', subfolder));
      opened = true;
    }
    emit(Buffer.from(opened ? `\r\n--${boundary}--\r\n` : `--${boundary}--\r\n`));
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
          close();
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
        const raw = Buffer.from(pending.subarray(Math.min(2, end), end));
        startPart(parsePartHead(raw.toString('latin1')), raw);
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
          // Hold back what could be the start of a delimiter split across chunks (usually nothing).
          const safe = partialMatchStart(pending, delimiter);
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

  /**
   * `pending` followed by the new chunk. Inside a part's data, `pending` is only the few bytes held back in case
   * a delimiter started there: when none does, they are passed on and the chunk is taken as it is, so a large
   * file is never copied chunk by chunk.
   */
  const joined = (chunk: Buffer): Buffer => {
    if (pending.length === 0) return chunk;
    if (state === 'data' && !mayStraddle(pending, chunk, delimiter)) {
      keep(pending);
      return chunk;
    }
    return Buffer.concat([pending, chunk]);
  };

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      out = [];
      try {
        pending = joined(chunk);
        while (step()) {
          /* keep going */
        }
        // Copy the small remainder so the client's chunk is not pinned in memory.
        if (pending.length && pending.length < chunk.length) pending = Buffer.from(pending);
      } catch (err) {
        done(err as Error);
        return;
      }
      for (const b of out) this.push(b);
      done();
    },
    flush(done: TransformCallback) {
      out = [];
      try {
        // "--B--" as the very end of the body closes the form too.
        if (state === 'after' && pending.toString('latin1') === '--') close();
      } catch (err) {
        done(err as Error);
        return;
      }
      if (state !== 'done') return done(formProblem('it has no closing boundary'));
      for (const b of out) this.push(b);
      done();
    },
  });
}
