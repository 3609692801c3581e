// An append-only journal beside a snapshot file, so a record is on disk before the client hears about it
// while the snapshot is still written in batches (SPEC §9: a kill -9 at any moment loses nothing that was
// acknowledged). Each change is one line appended with one write(2) before the answer goes out: the kernel
// holds it from then on, so killing the process cannot lose it; `sync()` (fdatasync) also makes it survive a
// power cut, for records worth ~0.1 ms each. When the owner writes its snapshot, the snapshot names the next
// generation and the journal restarts empty under that number; at start the journal is replayed over the
// snapshot only when its generation is not older than the snapshot's, so lines already in the snapshot
// (a kill between the two writes) are never applied twice. The file is open only between a change and the
// next snapshot: an idle proxy holds no file open for writing (a data dir can be unmounted or remounted).
import { appendFileSync, closeSync, fdatasyncSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { toStorageError } from './storageError';

const HEADER = /^#journal (\d+)$/;

export class AppendLog {
  #fd: number | null = null;
  #generation = 0;
  /** The journal could not be started under its generation: nothing is appended until it can. */
  #stopped = false;
  #failing = false;

  constructor(
    readonly path: string,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  /** The generation the journal's lines belong to (the snapshot's, or newer). */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Returns the lines written after the snapshot of `snapshotGeneration` (none when the journal is older, missing
   * or unreadable); later appends go after them. A line cut short by a crash is returned as it is: the
   * caller skips what it cannot parse.
   */
  open(snapshotGeneration: number): string[] {
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(this.named(err));
    }
    const [head = '', ...rest] = text.split('\n');
    const found = HEADER.exec(head);
    const generation = found ? Number(found[1]) : -1;
    if (generation < snapshotGeneration) {
      this.restart(snapshotGeneration);
      return [];
    }
    this.#generation = generation;
    try {
      // A torn last line gets its newline now, so the next record starts on a line of its own.
      if (!text.endsWith('\n')) appendFileSync(this.path, '\n', { mode: 0o600 });
    } catch (err) {
      this.fail(err);
    }
    return rest.filter((line) => line.length > 0);
  }

  /** One record, one line, one write(2). A failure is reported once; the record is still in the owner's memory. */
  append(line: string): void {
    if (this.#stopped) return;
    try {
      this.#fd ??= openSync(this.path, 'a', 0o600);
      writeSync(this.#fd, `${line}\n`);
      this.#failing = false;
    } catch (err) {
      this.fail(err);
    }
  }

  /** Flushes appended lines to the disk itself (fdatasync), so they survive a power cut too. */
  sync(): void {
    if (this.#fd === null) return;
    try {
      fdatasyncSync(this.#fd);
    } catch (err) {
      this.fail(err);
    }
  }

  /** The snapshot of `generation` was written: everything before it is in there, the journal starts empty. */
  restart(generation: number): void {
    this.close();
    try {
      this.#generation = Math.max(this.#generation, generation);
      writeFileSync(this.path, `#journal ${this.#generation}\n`, { mode: 0o600 });
      this.#stopped = false;
    } catch (err) {
      // Lines appended under an older header would be skipped at start: none are appended until a later
      // snapshot manages to restart the journal (everything stays in memory and in that snapshot meanwhile).
      this.#stopped = true;
      this.fail(err);
    }
  }

  /** Closes the file (the next append opens it again). */
  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  private fail(err: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    this.onError(this.named(err));
  }

  /** The storage error that names this file (disk full, read-only…), or the error with the file's name added. */
  private named(err: unknown): Error {
    const known = toStorageError(err, this.path);
    if (known !== err) return known as Error;
    return new Error(`The journal ${this.path} could not be used: ${(err as Error).message}`, { cause: err });
  }
}
