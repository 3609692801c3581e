// One finished request as usage stats and the monitor see it, and the observer interface the proxy calls for
// each one (SPEC §5 monitor, §11 usage).

/** One finished request, as the monitor and usage stats see it. Never holds a secret. */
export interface RequestRecord {
  at: number;
  method: string;
  /** Path plus query with credentials removed. */
  path: string;
  status: number;
  durationMs: number;
  keyId: string | null;
  keyName: string | null;
  /** A 429's quota policy (`jobs`, `requests`, `queue`, `in_flight`, `cloud`, `gpu`), from its RateLimit-Policy. */
  refusedPolicy?: string;
  /** True for the WebSocket upgrade of /ws. */
  websocket?: boolean;
}

/** Everything that wants to hear about traffic (usage stats, monitor). Calls must not throw or block. */
export interface ProxyObserver {
  onRequest?(record: RequestRecord): void;
  onWsOpen?(info: { keyName: string | null }): void;
  onWsClose?(): void;
}
