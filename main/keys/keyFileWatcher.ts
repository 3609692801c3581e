// Notices when another process replaces a file: fs.watch on the directory (atomic renames swap
// the inode, so watching the file itself would go deaf) plus an mtime/size/inode poll as fallback
// for filesystems where fs.watch is unreliable (network mounts, some containers). While fs.watch is
// on, the poll is only a safety net and runs every 10 s, so an idle process seldom wakes; without it
// (or once it fails) the poll runs at `pollMs`.
import { statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

/** The safety-net poll while fs.watch reports changes. */
export const WATCHED_POLL_MS = 10_000;

export class KeyFileWatcher {
  private fsWatcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastSig: string;
  private readonly path: string;

  constructor(
    dir: string,
    private readonly fileName: string,
    pollMs: number,
    useFsWatch: boolean,
    private readonly onChange: () => void,
  ) {
    this.path = join(dir, fileName);
    this.lastSig = this.signature();
    if (useFsWatch) this.startFsWatch(dir, pollMs);
    this.poll(this.fsWatcher ? Math.max(pollMs, WATCHED_POLL_MS) : pollMs);
  }

  private poll(everyMs: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.check(false), everyMs);
    this.timer.unref();
  }

  private startFsWatch(dir: string, pollMs: number): void {
    const fileName = this.fileName;
    try {
      this.fsWatcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || name === fileName) this.check(true);
      });
      this.fsWatcher.on('error', () => {
        // The mtime poll keeps working without fs.watch, at its full rate again.
        this.fsWatcher?.close();
        this.fsWatcher = null;
        this.poll(pollMs);
      });
    } catch {
      this.fsWatcher = null;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.fsWatcher?.close();
    this.fsWatcher = null;
  }

  private check(force: boolean): void {
    const sig = this.signature();
    if (!force && sig === this.lastSig) return;
    this.lastSig = sig;
    this.onChange();
  }

  private signature(): string {
    try {
      const st = statSync(this.path, { bigint: true });
      return `${st.ino}:${st.size}:${st.mtimeNs}`;
    } catch {
      return 'missing';
    }
  }
}
