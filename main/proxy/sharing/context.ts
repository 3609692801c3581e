// What the sharing rules work with: the job ledger, the upstreams, the limiter, and for each request the
// caller and how to reach an upstream on its behalf. Small helpers shared by the rules live here too.
import type { Readable } from 'node:stream';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { JobLedgerApi, JobOwner } from '../../jobs/types';
import type { PolicyDecision } from '../../http/rateLimitHeaders';
import type { Principal } from '../../common/principal';
import type { RateLimiter } from '../../common/rateLimit';
import type { Upstream, UpstreamTarget } from '../forward/upstreamTarget';
import type { ApiNodeCatalog } from './apiNodeCatalog';
import type { KeyObjectInfo } from './keyObjectInfo';
import type { FairOrder } from './fairOrder';

export type { Upstream } from '../forward/upstreamTarget';

/** Where ComfyUI says it stored an upload (its answer to /upload/image and /upload/mask). */
export interface StoredRef {
  name: string;
  subfolder: string;
  type: string;
}

export interface ClientIdRegistry {
  claim(clientId: string, owner: JobOwner): boolean;
}

export interface SharingDeps {
  ledger: JobLedgerApi;
  clientIds: ClientIdRegistry;
  limiter: RateLimiter | null;
  /** Upstreams that may take this prompt, best first (shortest queue, holding its uploads); never empty while any is up. */
  upstreamsForNewJob(prompt?: unknown): Upstream[];
  /** Every upstream that is up (merged reads fan out to these). */
  liveUpstreams(): Upstream[];
  /** The upstream with this id (a job's recorded upstream), whatever its state. */
  upstreamById(id: string): Upstream | undefined;
  /** The client id a job without one gets: the owner's open WebSocket, else one unique to the owner. */
  defaultClientId(owner: JobOwner): string;
  cloudKey(): string | null;
  /** GPU seconds of a key's finished jobs this UTC day (usage), for its GPU budget; absent: no budgets. */
  gpuSecondsToday?(keyId: string): number;
  /** Which node classes are paid API nodes (SPEC §8.8), learned from the upstreams' /object_info. */
  apiNodes: ApiNodeCatalog;
  /** Each job's place in ComfyUI's queue (SPEC §12). */
  order: FairOrder;
  /** Response-head timeout for buffered exchanges, ms. */
  responseTimeoutMs: number;
  now(): number;
  /** The upstream a read goes to: the first live one that matches the others (SPEC §10). */
  upstreamFor(url: URL): Upstream;
  /** What each key uploaded into the input folder (SPEC §8.3 private uploads; kept with the job ledger). */
  inputUploads: { record(owner: JobOwner, path: string, at: number): void; of(owner: JobOwner): string[]; version(owner: JobOwner): number };
  /** Folders of the input folder admin marks shared (settings, CLI), normalised. */
  sharedInputFolders(): readonly string[];
  /** Keys' /object_info with their own file lists, cached per key. */
  objectInfo: KeyObjectInfo;
  /** Several upstreams (SPEC §10); absent when the proxy fronts one. */
  multi?: MultiUpstreamHooks;
}

/** What the sharing rules ask of the several-upstreams layer (main/proxy/upstreams/). */
export interface MultiUpstreamHooks {
  /** A job is being sent there, then it answered: both count toward its queue until it reports again. */
  jobSending(upstreamId: string): void;
  jobAnswered(upstreamId: string, accepted: boolean): void;
  /**
   * Submitting a job there failed with `err`: true when the job cannot be there, so the next upstream
   * (`hasNext`) may take it — a refused connection, or a reset without an answer from an upstream then found
   * gone (upstreams/resubmission.ts). The upstream is checked at once either way.
   */
  resubmit(upstreamId: string, err: unknown, hasNext: boolean): Promise<boolean>;
  /**
   * `POST /upload/*`: true when answered here (sent to every live upstream at once), false to forward. `onStored`
   * hears where the answer says the file was stored.
   */
  upload(r: SharingRequest, path: string, fileHeaders: ((h: OutgoingHttpHeaders) => void) | null, onStored?: (ref: StoredRef) => void): Promise<boolean>;
  /** The same for a small upload the rules already read (a key's mask): sent to every live upstream. */
  uploadBody(r: SharingRequest, path: string, body: Buffer, onStored?: (ref: StoredRef) => void): Promise<boolean>;
  /**
   * `GET /object_info`, `/system_stats`: true when answered here (several live upstreams), false to forward.
   * `rewrite` turns a 200 answer into the caller's own (a key's file lists).
   */
  sharedRead(kind: 'object_info' | 'system_stats', r: SharingRequest, path: string, rewrite?: (body: Buffer) => Buffer): Promise<boolean>;
  /** The upstream that holds an output or temp file of this owner's jobs (`/view`), if the ledger knows it. */
  fileUpstream(owner: JobOwner, url: URL): Upstream | undefined;
}

export interface SharingRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  principal: Principal;
  owner: JobOwner;
  admin: boolean;
  /** Request headers for an upstream: client credentials removed, upstream key and comfy-user set. */
  upstreamHeaders(target: UpstreamTarget): OutgoingHttpHeaders;
  /** RateLimit headers decided by admission. */
  responseHeaders: Record<string, string>;
  requests: PolicyDecision | null;
  /** The body as the sharing rules let it through (a key's upload form, checked as it streams); else `req`. */
  body?: Readable;
}

/** Writes a JSON answer built by the proxy from upstream data. */
export function answerJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Relays an upstream answer as it came (status, type, bytes). */
export function answerRaw(res: ServerResponse, status: number, contentType: string | undefined, body: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType ?? 'application/json; charset=utf-8', 'content-length': body.length, ...headers });
  res.end(body);
}

/** `item[1]` of a queue item: its prompt id. */
export function promptIdOfItem(item: unknown): string | null {
  return Array.isArray(item) && typeof item[1] === 'string' ? item[1] : null;
}
