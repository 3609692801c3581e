// The renderer's only way to main: typed calls through window.companion that throw IpcError on
// failure, so views handle one error type with the same code and words as the HTTP API.
import type { Channel, CompanionEvent, ErrorCode, FieldIssue, IpcErrorShape, ReqArgs, Res } from '../../preload/contract';

export class IpcError extends Error {
  readonly code: ErrorCode;
  readonly retryAfter: number | undefined;
  readonly issues: FieldIssue[];

  constructor(shape: IpcErrorShape) {
    super(shape.message);
    this.name = 'IpcError';
    this.code = shape.code;
    this.retryAfter = shape.retryAfter;
    this.issues = shape.issues ?? [];
  }
}

function bridge() {
  const b = (globalThis as { companion?: Window['companion'] }).companion;
  if (!b) throw new IpcError({ code: 'unavailable', message: 'The companion bridge is not available' });
  return b;
}

export async function call<C extends Channel>(channel: C, ...args: ReqArgs<C>): Promise<Res<C>> {
  const result = await bridge().invoke(channel, ...args);
  if (result.ok) return result.value;
  throw new IpcError(result.error);
}

export function onEvent(listener: (event: CompanionEvent) => void): () => void {
  return bridge().onEvent(listener);
}

/** A message fit for the UI from anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof IpcError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong';
}

/** field → message, for forms. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (err instanceof IpcError) for (const i of err.issues) out[i.path.split('.')[0] ?? ''] ??= i.message;
  return out;
}
