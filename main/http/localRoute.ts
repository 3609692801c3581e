// A route the proxy answers itself (login, /api/keys, /api/audit, /health): what it is given and what it declares.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../common/principal';

export interface LocalContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** null on public routes. */
  principal: Principal | null;
  /** The proxy's own origin, e.g. http://127.0.0.1:8189. */
  proxyOrigin: string;
  clientAddress: string;
}

/** A route answered by the proxy itself instead of the upstream. */
export interface LocalRoute {
  methods: readonly string[];
  /** Exact path, or a pattern tested against the pathname. */
  path: string | RegExp;
  /** public: before authentication; any: any authenticated principal; admin: admin scope only. */
  auth: 'public' | 'any' | 'admin';
  handle(ctx: LocalContext): void | Promise<void>;
}
