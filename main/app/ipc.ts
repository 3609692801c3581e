// IPC wiring: one `handle(channel, fn)` helper that drops calls from anything but our own window,
// refuses non-plain input, and wraps results as IpcResult so errors survive the bridge.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { CompanionError, toCompanionError } from '../common/errors';
import {
  EVENT_CHANNEL,
  INVOKE_CHANNELS,
  type Channel,
  type CompanionEvent,
  type ContractHandlers,
  type IpcErrorShape,
  type IpcResult,
  type Req,
  type Res,
} from '../../preload/contract';
import { APP_ORIGIN } from './appProtocol';
import { isAppUrl } from './security';

const MAX_DEPTH = 16;
const MAX_STRING = 1_000_000;

/**
 * True for JSON-like data only: primitives, arrays and objects whose prototype is Object.prototype
 * or null. Structured clone lets Dates, Maps, typed arrays and Errors through; handlers never expect
 * them, so they are refused before validation rather than coerced by it.
 */
export function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'string':
      return value.length <= MAX_STRING;
    case 'object': {
      if (Array.isArray(value)) return value.every((v) => isPlainData(v, depth + 1));
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      return Object.values(value as Record<string, unknown>).every((v) => isPlainData(v, depth + 1));
    }
    default:
      return false;
  }
}

/** The one renderer we trust: our window's webContents, showing a page from app://. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, trusted: WebContents | null, appOrigin = APP_ORIGIN): boolean {
  if (!trusted || trusted.isDestroyed() || event.sender.id !== trusted.id) return false;
  const frame = event.senderFrame;
  // A subframe (even one that is same-origin today) never gets the API; only the top frame does.
  if (!frame || frame.parent) return false;
  return isAppUrl(frame.url, appOrigin);
}

export function toIpcError(err: unknown): IpcErrorShape {
  const e = toCompanionError(err);
  const shape: IpcErrorShape = { code: e.code, message: e.message };
  if (e.retryAfter !== undefined) shape.retryAfter = e.retryAfter;
  // Validation issues (zod paths) are safe to show and help the form mark the field.
  const issues = (err as { issues?: unknown } | null)?.issues;
  if (Array.isArray(issues) && issues.every((i) => typeof i?.path === 'string' && typeof i?.message === 'string')) {
    shape.issues = issues.map((i: { path: string; message: string }) => ({ path: i.path, message: i.message }));
  }
  return shape;
}

export interface IpcBridgeOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  /** Our window's webContents (null while no window exists). */
  trustedContents(): WebContents | null;
  appOrigin?: string;
  /** Told about refused calls (channel and reason only). */
  onRejected?(channel: string, reason: 'sender' | 'input'): void;
}

export interface IpcBridge {
  handle<C extends Channel>(channel: C, fn: (req: Req<C>) => Promise<Res<C>>): void;
  /** Registers every channel of the contract; throws if a handler is missing. */
  registerAll(handlers: ContractHandlers): void;
  /** Sends one event on the push channel to our window (dropped when there is none). */
  push(event: CompanionEvent): void;
  dispose(): void;
}

export function createIpcBridge(options: IpcBridgeOptions): IpcBridge {
  const registered = new Set<string>();
  const appOrigin = options.appOrigin ?? APP_ORIGIN;

  const handle = <C extends Channel>(channel: C, fn: (req: Req<C>) => Promise<Res<C>>) => {
    options.ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<IpcResult<Res<C>>> => {
      if (!isTrustedSender(event, options.trustedContents(), appOrigin)) {
        options.onRejected?.(channel, 'sender');
        return { ok: false, error: { code: 'forbidden', message: 'This window may not use the companion API' } };
      }
      if (args.length > 1 || !isPlainData(args[0])) {
        options.onRejected?.(channel, 'input');
        return { ok: false, error: { code: 'invalid_request', message: `Request for ${channel} must be plain JSON data (one argument)` } };
      }
      try {
        return { ok: true, value: await fn(args[0] as Req<C>) };
      } catch (err) {
        return { ok: false, error: toIpcError(err) };
      }
    });
    registered.add(channel);
  };

  return {
    handle,
    registerAll(handlers) {
      for (const channel of INVOKE_CHANNELS) {
        const fn = handlers[channel];
        if (typeof fn !== 'function') throw new CompanionError('internal', `No IPC handler for ${channel}`);
        // Each handler keeps its own `this` (handlers may be class methods). The cast is needed
        // because TS cannot correlate `channel` with `handlers[channel]` inside the loop.
        handle(channel, (req) => (fn as (r: unknown) => Promise<never>).call(handlers, req));
      }
    },
    push(event) {
      const contents = options.trustedContents();
      if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
    },
    dispose() {
      for (const channel of registered) options.ipcMain.removeHandler(channel);
      registered.clear();
    },
  };
}
