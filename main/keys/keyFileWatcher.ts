// Notices when another process replaces a file: fs.watch on the directory (atomic renames swap
// the inode, so watching the file itself would go deaf) plus an mtime/size/inode poll as fallback
// for filesystems where fs.watch is unreliable (network mounts, some containers).
import { statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export class KeyFileWatcher {
  private fsWatcher: FSWatcher | null = null;
  private readonly timer: NodeJS.Timeout;
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
    if (useFsWatch) this.startFsWatch(dir);
    this.timer = setInterval(() => this.check(false), pollMs);
    this.timer.unref();
  }

  private startFsWatch(dir: string): void {
    const fileName = this.fileName;
    try {
      this.fsWatcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || name === fileName) this.check(true);
      });
      this.fsWatcher.on('error', () => {
        // The mtime poll keeps working without fs.watch.
        this.fsWatcher?.close();
        this.fsWatcher = null;
      });
    } catch {
      this.fsWatcher = null;
    }
  }

  close(): void {
    clearInterval(this.timer);
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
