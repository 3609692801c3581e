// Turns a failed listen into a reason the window, the tray and the CLI-free runtime can show, with
// what to do about it (a port in use is the common case: another app, or a second copy of this one).
import type { ProxyProblem } from '../../preload/contract';

export type ProxyRunState = 'running' | 'paused' | 'stopped' | 'error';

export function listenProblem(err: unknown, port: number): ProxyProblem {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') {
    return { code: 'port_in_use', message: `Port ${port} is already used by another program, so the proxy cannot listen on it. Choose another port, or quit that program and retry.` };
  }
  if (code === 'EACCES') {
    return { code: 'start_failed', message: `This computer does not allow the proxy to listen on port ${port}. Choose a port above 1024.` };
  }
  return { code: 'start_failed', message: `The proxy could not start on port ${port}${code ? ` (${code})` : ''}. Try again, or choose another port.` };
}
