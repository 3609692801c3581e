// The access-key store: definitions in <dataDir>/keys.json (hashes only, atomic writes, a lock for
// read-modify-write shared with the CLI), an O(1) hash index for authentication, change events,
// and in-place reload when another process (the CLI) changes the file.
import { timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CompanionError } from '../common/errors';
import { DEFAULT_SHARE, type AuthOutcome, type CredentialSource, type KeyAuthenticator, type Scope } from '../common/principal';
import { writeFileAtomicSync } from '../common/atomicFile';
import { withFileLock } from '../common/lockFile';
import { generateKey, generateKeyId, hashKey, hasKeyShape, isWellFormedKey } from './keyFormat';
import { diff, type KeyChange } from './keyChanges';
import { readKeyFile, type KeyFileContent } from './keyFile';
import { KeyFileWatcher } from './keyFileWatcher';
import { createKeySchema, parseInput, rotateKeySchema, updateKeySchema, type CreateKeyInput, type UpdateKeyInput } from './keyInput';
import { principalForKey } from './keyPrincipal';
import {
  DEFAULT_MAX_QUEUED,
  DEFAULT_RATE_LIMIT,
  DEFAULT_REQUESTS_PER_MINUTE,
  DEFAULT_SCOPES,
  KEY_FILE_VERSION,
  secretPrefix,
  toRecord,
  type KeyFile,
  type KeyRecord,
  type StoredKey,
} from './keyRecord';

export { KeyStoreCorruptError } from './keyFile';

export const KEYS_FILE = 'keys.json';

export type { KeyChange, KeyChangeType } from './keyChanges';

export interface KeyStoreOptions {
  dataDir: string;
  /** Clock in epoch milliseconds. */
  now?: () => number;
  /** Where `last_used` comes from (the usage recorder); keys.json never holds hot data. */
  lastUsed?: (keyId: string) => number | null;
  /** Watch keys.json and reload when another process changes it (the server sets this). */
  watch?: boolean;
  /** mtime poll interval of the watcher fallback, ms (default 500). */
  pollMs?: number;
  /** Use fs.watch besides the poll (default true); false for filesystems where it misbehaves. */
  fsWatch?: boolean;
  /** Told about a failed background reload (e.g. a hand-edited, corrupt file); the last good state stays. */
  onError?: (err: Error) => void;
}

interface IndexEntry {
  key: StoredKey;
  hash: Buffer;
  /** True when this hash is the pre-rotation secret, valid until key.previous.until_ms. */
  previous: boolean;
}

const malformedKey = (): AuthOutcome => ({ ok: false, reason: 'malformed', message: 'This API key is malformed (check it was copied completely)' });
export class KeyStore implements KeyAuthenticator {
  readonly path: string;
  private readonly lockPath: string;
  private readonly now: () => number;
  private readonly lastUsed: (keyId: string) => number | null;
  private readonly onError: (err: Error) => void;
  private keys = new Map<string, StoredKey>();
  private index = new Map<string, IndexEntry>();
  private lastText: string | null = null;
  private readonly listeners = new Set<(change: KeyChange) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private watcher: KeyFileWatcher | null = null;

  /** Opens (or creates) the store in `dataDir`. Throws KeyStoreCorruptError for an unreadable keys.json. */
  constructor(options: KeyStoreOptions) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    this.path = join(options.dataDir, KEYS_FILE);
    this.lockPath = `${this.path}.lock`;
    this.now = options.now ?? Date.now;
    this.lastUsed = options.lastUsed ?? (() => null);
    this.onError = options.onError ?? (() => {});
    this.apply(this.readDisk(), false);
    if (options.watch) {
      this.watcher = new KeyFileWatcher(options.dataDir, KEYS_FILE, options.pollMs ?? 500, options.fsWatch ?? true, () => this.reload());
    }
  }

  authenticate(secret: string, via: Exclude<CredentialSource, 'session'>, nowMs: number): AuthOutcome {
    if (!hasKeyShape(secret)) return malformedKey();
    const hash = hashKey(secret);
    const entry = this.index.get(hash.toString('base64url'));
    // The map lookup is on a hash of the secret, so its timing reveals nothing usable about it. Only a miss
    // pays for the checksum (a second SHA-256): a stored key always has a valid one.
    if (!entry || !timingSafeEqual(entry.hash, hash)) return isWellFormedKey(secret) ? { ok: false, reason: 'unknown', message: 'Unknown API key' } : malformedKey();
    const { key } = entry;
    if (entry.previous && (key.previous === null || nowMs >= key.previous.until_ms)) {
      return { ok: false, reason: 'revoked', message: 'This API key has been rotated; use its replacement' };
    }
    return principalForKey(key, via, nowMs, 'This access key');
  }

  list(): KeyRecord[] {
    return [...this.keys.values()].map((k) => toRecord(k, this.lastUsed(k.key_id), this.now()));
  }

  get(keyId: string): KeyRecord | null {
    const key = this.keys.get(keyId);
    return key ? toRecord(key, this.lastUsed(keyId), this.now()) : null;
  }

  async create(input: CreateKeyInput): Promise<{ record: KeyRecord; secret: string }> {
    const parsed = parseInput(createKeySchema, input);
    this.checkFuture(parsed.expires_at);
    const secret = generateKey();
    const key: StoredKey = {
      key_id: generateKeyId(),
      name: parsed.name,
      created_at: this.now() / 1000,
      rate_limit: parsed.rate_limit ?? DEFAULT_RATE_LIMIT,
      requests_per_minute: parsed.requests_per_minute ?? DEFAULT_REQUESTS_PER_MINUTE,
      max_queued: parsed.max_queued ?? DEFAULT_MAX_QUEUED,
      comfy_user: parsed.comfy_user ?? null,
      cloud: parsed.cloud ?? false,
      cloud_jobs_per_day: parsed.cloud_jobs_per_day ?? null,
      gpu_seconds_per_day: parsed.gpu_seconds_per_day ?? null,
      share: parsed.share ?? DEFAULT_SHARE,
      is_active: true,
      revoked_at: null,
      metadata: parsed.metadata ?? {},
      expires_at: parsed.expires_at ?? null,
      scopes: parsed.scopes ?? [...DEFAULT_SCOPES],
      hash: hashKey(secret).toString('base64url'),
      prefix: secretPrefix(secret),
      previous: null,
    };
    await this.mutate((keys) => keys.set(key.key_id, key));
    return { record: toRecord(key, null, this.now()), secret };
  }

  /** Throws CompanionError `not_found` / `invalid_request`. */
  async update(keyId: string, patch: UpdateKeyInput): Promise<KeyRecord> {
    const parsed = parseInput(updateKeySchema, patch);
    if (parsed.expires_at !== undefined) this.checkFuture(parsed.expires_at);
    return this.change(keyId, (key) => {
      if (parsed.is_active === true && key.revoked_at !== null) {
        throw new CompanionError('conflict', 'This access key was revoked; revoking is final. Create a new key instead.');
      }
      const next = { ...key };
      if (parsed.name !== undefined) next.name = parsed.name;
      if (parsed.rate_limit !== undefined) next.rate_limit = parsed.rate_limit;
      if (parsed.requests_per_minute !== undefined) next.requests_per_minute = parsed.requests_per_minute;
      if (parsed.max_queued !== undefined) next.max_queued = parsed.max_queued;
      if (parsed.comfy_user !== undefined) next.comfy_user = parsed.comfy_user;
      if (parsed.cloud !== undefined) next.cloud = parsed.cloud;
      if (parsed.cloud_jobs_per_day !== undefined) next.cloud_jobs_per_day = parsed.cloud_jobs_per_day;
      if (parsed.gpu_seconds_per_day !== undefined) next.gpu_seconds_per_day = parsed.gpu_seconds_per_day;
      if (parsed.share !== undefined) next.share = parsed.share;
      if (parsed.metadata !== undefined) next.metadata = parsed.metadata;
      if (parsed.is_active !== undefined) next.is_active = parsed.is_active;
      if (parsed.expires_at !== undefined) next.expires_at = parsed.expires_at;
      if (parsed.scopes !== undefined) next.scopes = parsed.scopes as Scope[];
      return next;
    });
  }

  /** Revokes the key at once and for good (the next request with it is refused; it cannot be re-enabled). */
  async revoke(keyId: string): Promise<KeyRecord> {
    return this.change(keyId, (key) =>
      key.revoked_at !== null ? key : { ...key, is_active: false, revoked_at: this.now() / 1000, previous: null },
    );
  }

  /** New secret, same id. The old secret stops now, or after `graceSeconds`. */
  async rotate(keyId: string, options: { graceSeconds?: number } = {}): Promise<{ record: KeyRecord; secret: string; previousValidUntil: number | null }> {
    const { grace_seconds: grace } = parseInput(rotateKeySchema, { grace_seconds: options.graceSeconds });
    const secret = generateKey();
    const untilMs = grace ? this.now() + grace * 1000 : null;
    const record = await this.change(keyId, (key) => {
      if (key.revoked_at !== null) {
        throw new CompanionError('conflict', 'This access key was revoked; a revoked key cannot be rotated. Create a new key instead.');
      }
      return {
        ...key,
        hash: hashKey(secret).toString('base64url'),
        prefix: secretPrefix(secret),
        previous: untilMs === null ? null : { hash: key.hash, until_ms: untilMs },
      };
    });
    return { record, secret, previousValidUntil: untilMs === null ? null : untilMs / 1000 };
  }

  /** Listens for changes (own writes and reloads). Returns an unsubscribe function. */
  onChange(listener: (change: KeyChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads keys.json if it changed on disk. Returns true when something changed. */
  reload(): boolean {
    try {
      const changed = this.apply(this.readDisk(), true);
      if (changed) this.emit({ type: 'reloaded', keyId: null });
      return changed;
    } catch (err) {
      this.onError(err as Error);
      return false;
    }
  }

  /** Waits for queued changes (each is written synchronously; nothing else is pending). */
  async flush(): Promise<void> {
    await this.queue.catch(() => {});
  }
  async close(): Promise<void> {
    this.watcher?.close();
    this.watcher = null;
    await this.flush();
  }

  private checkFuture(expiresAt: number | null | undefined): void {
    if (expiresAt != null && expiresAt * 1000 <= this.now()) {
      throw new CompanionError('invalid_request', 'Invalid field "expires_at": must be in the future');
    }
  }

  private async change(keyId: string, fn: (key: StoredKey) => StoredKey): Promise<KeyRecord> {
    let updated: StoredKey | undefined;
    await this.mutate((keys) => {
      const key = keys.get(keyId);
      if (!key) throw new CompanionError('not_found', `No API key with id "${keyId}"`);
      updated = fn(key);
      keys.set(keyId, updated);
    });
    return toRecord(updated as StoredKey, this.lastUsed(keyId), this.now());
  }

  /** Read-modify-write under the cross-process lock, serialised within this process too. */
  private mutate(fn: (keys: Map<string, StoredKey>) => void): Promise<void> {
    const run = this.queue.then(() =>
      withFileLock(this.lockPath, () => {
        const disk = this.readDisk(); // throws on a corrupt file: never overwrite it
        this.apply(disk, true);
        const next = new Map([...this.keys].map(([id, k]) => [id, structuredClone(k)]));
        fn(next);
        const nowMs = this.now();
        for (const k of next.values()) if (k.previous && k.previous.until_ms <= nowMs) k.previous = null;
        const file: KeyFile = { version: KEY_FILE_VERSION, keys: [...next.values()] };
        const text = `${JSON.stringify(file, null, 2)}\n`;
        if (disk.text !== null) writeFileAtomicSync(`${this.path}.bak`, disk.text);
        writeFileAtomicSync(this.path, text);
        this.apply({ text, file }, true);
      }),
    );
    this.queue = run.catch(() => {});
    return run;
  }

  private readDisk(): KeyFileContent {
    return readKeyFile(this.path);
  }

  /** Makes `disk` the in-memory state; emits the differences when `emit`. Returns true if anything changed. */
  private apply(disk: KeyFileContent, emit: boolean): boolean {
    if (disk.text === this.lastText && this.lastText !== null) return false;
    const before = this.keys;
    const keys = new Map(disk.file.keys.map((k) => [k.key_id, k]));
    const index = new Map<string, IndexEntry>();
    for (const key of keys.values()) {
      index.set(key.hash, { key, hash: Buffer.from(key.hash, 'base64url'), previous: false });
      if (key.previous) index.set(key.previous.hash, { key, hash: Buffer.from(key.previous.hash, 'base64url'), previous: true });
    }
    this.keys = keys;
    this.index = index;
    this.lastText = disk.text;
    if (!emit) return true;
    const changes = diff(before, keys);
    for (const change of changes) this.emit(change);
    return changes.length > 0;
  }

  private emit(change: KeyChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }
}
