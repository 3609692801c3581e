// Starts a bench helper (fakeChild.ts, proxyChild.ts) as its own Node process with an IPC channel, so the
// load generator, the proxy and the upstream each have their own event loop and the proxy's RSS is its own.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** One request/response over the child's IPC channel. */
export class BenchChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (msg: Reply) => {
      const waiter = this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id);
      if (msg.ok) waiter.resolve(msg.result);
      else waiter.reject(new Error(msg.error ?? 'child failed'));
    });
    child.on('exit', () => {
      for (const w of this.pending.values()) w.reject(new Error('bench child exited'));
      this.pending.clear();
    });
  }

  /** Forks `file` (relative to bench/) under tsx and waits for its `ready` reply; `nodeArgs` e.g. `--cpu-prof`. */
  static async start<T>(file: string, config: unknown, nodeArgs: readonly string[] = []): Promise<{ child: BenchChild; ready: T }> {
    const path = fileURLToPath(new URL(file, import.meta.url));
    const proc = fork(path, [JSON.stringify(config)], { execArgv: [...nodeArgs, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const child = new BenchChild(proc);
    const ready = (await child.request('ready')) as T;
    return { child, ready };
  }

  /** The child's process id (for /proc CPU and memory readings). */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  request(cmd: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, cmd, ...args });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** The child side: answers requests from the parent with a handler table. */
export function serveParent(handlers: Record<string, (args: Record<string, unknown>) => unknown>): void {
  process.on('message', (msg: { id: number; cmd: string } & Record<string, unknown>) => {
    const handler = handlers[msg.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${msg.cmd}`);
        return handler(msg);
      })
      .then(
        (result) => process.send?.({ id: msg.id, ok: true, result }),
        (err: unknown) => process.send?.({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
  });
  process.on('SIGTERM', () => process.exit(0));
  // Exit with the parent: a bench interrupted half-way must not leave servers behind.
  process.on('disconnect', () => process.exit(0));
}
