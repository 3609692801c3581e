// The audit log: append-only JSON lines in <dataDir>/audit.jsonl, one write per event (fsync'd in groups), rotated
// by size (audit.jsonl → audit.1.jsonl → … → audit.N.jsonl, the oldest dropped), pruned by age. The
// server, the app and CLI processes may write one data dir together: every write, rotation and prune
// runs under one lock file. A line torn by a crash is skipped when read and never glued to the next.
import { close, closeSync, existsSync, fstatSync, fsync, fsyncSync, mkdirSync, open, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, writeFileAtomicSync } from '../common/atomicFile';
import { withFileLockSync } from '../common/lockFile';
import { isAuditEvent, type AuditActor, type AuditDetails, type AuditEntry, type AuditEvent, type AuditSink } from './auditTypes';

export const AUDIT_FILE = 'audit.jsonl';
export const DEFAULT_AUDIT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_AUDIT_MAX_FILES = 9;

export interface AuditLogOptions {
  dataDir: string;
  /** Epoch ms. */
  now?: () => number;
  /** The live file is rotated before a write would take it past this size (default 1 MiB). */
  maxBytes?: number;
  /** Rotated files kept besides the live one (default 9: at most ~10 MiB of history). */
  maxFiles?: number;
  /** A failed write is reported, never thrown: the action it records already happened. */
  onError?: (err: Error) => void;
}

export interface AuditRead {
  /** Oldest first. */
  entries: AuditEntry[];
  /** Lines that were not a whole entry (torn by a crash, edited by hand). */
  skipped: number;
}

const SYNC_DELAY_MS = 50;

export class AuditLog implements AuditSink {
  readonly path: string;
  private readonly dataDir: string;
  private readonly lockPath: string;
  private readonly now: () => number;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private readonly onError: (err: Error) => void;
  private readonly listeners = new Set<(entry: AuditEntry) => void>();
  private syncTimer: NodeJS.Timeout | null = null;

  constructor(options: AuditLogOptions) {
    this.dataDir = options.dataDir;
    this.path = join(options.dataDir, AUDIT_FILE);
    this.lockPath = `${this.path}.lock`;
    this.now = options.now ?? Date.now;
    this.maxBytes = options.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES;
    this.maxFiles = Math.max(1, options.maxFiles ?? DEFAULT_AUDIT_MAX_FILES);
    this.onError = options.onError ?? (() => {});
  }

  record(actor: AuditActor, event: AuditEvent, target: string | null, details: AuditDetails = {}): void {
    const entry: AuditEntry = { time: new Date(this.now()).toISOString(), actor, event, target, details };
    const line = `${JSON.stringify(entry)}\n`;
    try {
      mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
      withFileLockSync(this.lockPath, () => {
        this.rotateIfFull(Buffer.byteLength(line));
        appendLine(this.path, line);
      });
      this.scheduleSync();
    } catch (err) {
      this.onError(err as Error);
    }
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }

  /**
   * Group commit: the line is written at once (a killed process loses nothing), and fsync'd within 50 ms
   * together with whatever else arrived, off the event loop — a burst of logins must not stall the proxy.
   */
  private scheduleSync(): void {
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      open(this.path, 'r', (err, fd) => {
        if (err) return;
        fsync(fd, () => close(fd, () => {}));
      });
    }, SYNC_DELAY_MS);
    this.syncTimer.unref();
  }

  /** fsyncs now (shutdown). */
  sync(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    let fd: number | undefined;
    try {
      fd = openSync(this.path, 'r');
      fsyncSync(fd);
    } catch {
      // nothing written yet
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** Told after each entry this process records (the app's live view). */
  subscribe(listener: (entry: AuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  read(): AuditRead {
    return readAuditLog(this.dataDir);
  }

  /** Drops entries older than `cutoffMs`: whole rotated files, or the old lines of one (rewritten atomically). */
  prune(cutoffMs: number): { removedEntries: number; removedFiles: number } {
    let removedEntries = 0;
    let removedFiles = 0;
    const cutoff = new Date(cutoffMs).toISOString();
    try {
      withFileLockSync(this.lockPath, () => {
        // The live file is only ever appended to; if it holds old lines, it is rotated first.
        const live = parseFile(this.path);
        if (live.entries.some((e) => e.time < cutoff)) this.rotate();
        for (const file of auditFiles(this.dataDir)) {
          if (file === this.path) continue;
          const { entries, skipped } = parseFile(file);
          const kept = entries.filter((e) => e.time >= cutoff);
          if (kept.length === entries.length && skipped === 0) continue;
          removedEntries += entries.length - kept.length;
          if (kept.length === 0) {
            unlinkSync(file);
            removedFiles++;
          } else {
            writeFileAtomicSync(file, kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
          }
        }
      });
    } catch (err) {
      this.onError(err as Error);
    }
    return { removedEntries, removedFiles };
  }

  private rotateIfFull(incoming: number): void {
    let size = 0;
    try {
      size = statSync(this.path).size;
    } catch {
      return; // no live file yet
    }
    if (size > 0 && size + incoming > this.maxBytes) this.rotate();
  }

  private rotate(): void {
    const oldest = rotatedPath(this.dataDir, this.maxFiles);
    if (existsSync(oldest)) unlinkSync(oldest);
    for (let i = this.maxFiles - 1; i >= 1; i--) {
      const from = rotatedPath(this.dataDir, i);
      if (existsSync(from)) renameSync(from, rotatedPath(this.dataDir, i + 1));
    }
    if (existsSync(this.path)) renameSync(this.path, rotatedPath(this.dataDir, 1));
    fsyncDir(this.dataDir);
  }
}

/** audit.jsonl for 0, audit.N.jsonl for N ≥ 1. */
export function rotatedPath(dataDir: string, n: number): string {
  return join(dataDir, n === 0 ? AUDIT_FILE : `audit.${n}.jsonl`);
}

/** Every readable entry of a data dir's audit log, oldest first; needs no lock (appends are whole lines). */
export function readAuditLog(dataDir: string): AuditRead {
  const entries: AuditEntry[] = [];
  let skipped = 0;
  for (const file of auditFiles(dataDir)) {
    const part = parseFile(file);
    entries.push(...part.entries);
    skipped += part.skipped;
  }
  return { entries, skipped };
}

/** The log's files, oldest first (every audit.N.jsonl found, so a larger old setting hides nothing). */
export function auditFiles(dataDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return [];
  }
  const rotated = names
    .map((name) => /^audit\.(\d+)\.jsonl$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a)
    .map((n) => rotatedPath(dataDir, n));
  return names.includes(AUDIT_FILE) ? [...rotated, join(dataDir, AUDIT_FILE)] : rotated;
}

function parseFile(file: string): AuditRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skipped: 0 };
    throw err;
  }
  const entries: AuditEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = parseEntry(line);
    if (entry) entries.push(entry);
    else skipped++;
  }
  return { entries, skipped };
}

export function parseEntry(line: string): AuditEntry | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.time !== 'string' || Number.isNaN(Date.parse(r.time))) return null;
  if (typeof r.actor !== 'string' || !isAuditEvent(r.event)) return null;
  if (r.target !== null && typeof r.target !== 'string') return null;
  if (typeof r.details !== 'object' || r.details === null || Array.isArray(r.details)) return null;
  return { time: r.time, actor: r.actor, event: r.event, target: r.target, details: r.details as AuditDetails };
}

/** Appends one line (fsync'd by the caller's group commit). If the file ends mid-line (a crash tore the last write), a newline
 *  goes first so the torn fragment stays a line of its own and this entry stays readable. */
function appendLine(file: string, line: string): void {
  const fd = openSync(file, 'a+', 0o600);
  try {
    const size = fstatSync(fd).size;
    let text = line;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) text = `\n${line}`;
    }
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
