// Login and logout for the tray and the renderer: ties the secret store, the settings and the
// Comfy Cloud client together, keeps the live keys in memory for the proxy's injection hooks, and
// tells subscribers after each change. Only masked hints ever leave this service.
import type { CloudAccount, CloudClient, CloudCredits, CloudRequestOptions } from '../cloud/cloudClient';
import type { CloudEnvironment } from '../cloud/cloudEnvironments';
import { CompanionError, toCompanionError } from '../common/errors';
import { maskSecret, type SecretBackendInfo, type SecretName, type SecretStore } from '../secrets/secretStore';
import type { Settings, SettingsPatch } from '../settings/settingsSchema';
import { createUpstreamProber, type ProbeUpstream } from './upstreamProbe';
import { checkServers, judgeKeyChecks, type ServerCheck } from './upstreamServers';
export type { UpstreamProbe, ProbeUpstream } from './upstreamProbe';
export type { ServerCheck } from './upstreamServers';

/** The slice of SettingsStore this service needs. */
export interface AccountSettings {
  get(): Settings;
  update(patch: SettingsPatch): Settings;
}

export interface SessionRevoker {
  /** Revokes every browser login session of the proxy; returns how many. */
  revokeAll(): number | Promise<number>;
}

/** Display fields only; the raw /account body stays in the main process. */
export type CloudAccountSummary = Pick<CloudAccount, 'id' | 'email' | 'name' | 'plan'>;

export interface AccountStatus {
  /** url: the primary server; urls: every server, primary first. */
  upstream: { url: string; urls: string[]; keyHint: string | null; keyRemembered: boolean };
  cloud: {
    loggedIn: boolean;
    environment: CloudEnvironment;
    keyHint: string | null;
    account?: CloudAccountSummary;
    credits?: CloudCredits;
    /** Epoch ms of the last successful read of the account from Comfy Cloud. */
    checkedAt?: number;
  };
  secretBackend: SecretBackendInfo;
  /** Problems met while loading stored secrets (e.g. a ciphertext that no longer decrypts). */
  warnings: string[];
}

export interface UpstreamKeyResult {
  /** Each server's answer to the key, in the list's order. */
  checks: ServerCheck[];
  /** false when a server refused the key: nothing was stored. */
  saved: boolean;
  /** One sentence for the UI; never contains the key. */
  message: string;
}

export interface CloudLoginResult {
  account: CloudAccountSummary;
  credits?: CloudCredits;
}

export interface LogoutEverythingResult {
  sessionsRevoked: number;
  adminKeyDeleted: boolean;
}

export interface AccountServiceOptions {
  secrets: SecretStore;
  settings: AccountSettings;
  cloud: Pick<CloudClient, 'validate' | 'credits'>;
  probeUpstream?: ProbeUpstream;
  sessions: SessionRevoker;
  onChange?: (status: AccountStatus) => void;
  now?: () => number;
}

type Listener = (status: AccountStatus) => void;

function summarize(account: CloudAccount): CloudAccountSummary {
  const out: CloudAccountSummary = {};
  if (account.id !== undefined) out.id = account.id;
  if (account.email !== undefined) out.email = account.email;
  if (account.name !== undefined) out.name = account.name;
  if (account.plan !== undefined) out.plan = account.plan;
  return out;
}

export class AccountService {
  readonly #secrets: SecretStore;
  readonly #settings: AccountSettings;
  readonly #cloud: Pick<CloudClient, 'validate' | 'credits'>;
  readonly #probe: ProbeUpstream;
  readonly #sessions: SessionRevoker;
  readonly #listeners = new Set<Listener>();
  // In-memory copies for the proxy's synchronous hooks; the secret store stays the source of truth.
  #upstreamKey: string | null = null;
  #upstreamKeyRemembered = false;
  #cloudKey: string | null = null;
  #account: CloudAccountSummary | undefined;
  #credits: CloudCredits | undefined;
  #checkedAt: number | undefined;
  #warnings: string[] = [];
  readonly #now: () => number;

  constructor(options: AccountServiceOptions) {
    this.#secrets = options.secrets;
    this.#settings = options.settings;
    this.#cloud = options.cloud;
    this.#probe = options.probeUpstream ?? createUpstreamProber();
    this.#sessions = options.sessions;
    this.#now = options.now ?? Date.now;
    if (options.onChange) this.#listeners.add(options.onChange);
  }

  /** Reads the stored keys into memory; call once at start before the proxy asks for them. */
  async load(): Promise<void> {
    this.#warnings = [];
    this.#upstreamKey = await this.#readStored('upstream_key');
    this.#upstreamKeyRemembered = this.#upstreamKey !== null;
    this.#cloudKey = await this.#readStored('cloud_key');
    this.#emit();
  }

  /**
   * Checks the ComfyUI key with every server (an authenticated endpoint), then keeps it: in the secret store
   * when `remember`, else in memory for this session. Nothing is saved when an answering server refuses it.
   * When none answers it cannot be checked; it is saved anyway, so a key can be set before its server runs.
   */
  async saveUpstreamKey(input: { key?: string | null; remember: boolean }): Promise<UpstreamKeyResult> {
    const key = input.key?.trim() ? input.key.trim() : null;
    const checks = await checkServers(this.#probe, this.#settings.get().upstreams, key);
    const verdict = judgeKeyChecks(checks, key);
    if (!verdict.saved) return { checks, ...verdict };
    if (key && input.remember) {
      await this.#secrets.set('upstream_key', key);
    } else {
      // Forget any remembered key, so an old one does not return at the next start.
      await this.#secrets.delete('upstream_key');
    }
    this.#upstreamKey = key;
    this.#upstreamKeyRemembered = key !== null && input.remember;
    this.#emit();
    return { checks, ...verdict };
  }

  /** Validates the key with Comfy Cloud, then stores it and the chosen environment. */
  async loginCloud(
    input: { key: string; environment: CloudEnvironment; customBaseUrl?: string | null },
    options: CloudRequestOptions = {},
  ): Promise<CloudLoginResult> {
    const key = input.key.trim();
    const customBaseUrl = input.environment === 'custom' ? (input.customBaseUrl ?? null) : null;
    const account = summarize(await this.#cloud.validate(key, { environment: input.environment, customBaseUrl }, options));
    let credits: CloudCredits | undefined;
    if (this.#settings.get().cloud.showCredits) {
      // Credits are a nicety: a failure here must not undo a valid login.
      credits = await this.#cloud.credits(key, { signal: options.signal }).catch(() => undefined);
    }
    this.#settings.update({ cloud: { environment: input.environment, customBaseUrl } });
    await this.#secrets.set('cloud_key', key);
    this.#cloudKey = key;
    this.#account = account;
    this.#credits = credits;
    this.#checkedAt = this.#now();
    this.#emit();
    return credits ? { account, credits } : { account };
  }

  /**
   * Re-reads the account (and credits) for the stored cloud key, e.g. after start. An unauthorized
   * answer logs the key out: it was revoked on the platform.
   */
  async refreshCloud(options: CloudRequestOptions = {}): Promise<CloudLoginResult | null> {
    const key = this.#cloudKey;
    if (key === null) return null;
    const { environment, customBaseUrl, showCredits } = this.#settings.get().cloud;
    let account: CloudAccountSummary;
    try {
      account = summarize(await this.#cloud.validate(key, { environment, customBaseUrl }, options));
    } catch (err) {
      if (err instanceof CompanionError && err.code === 'unauthorized') await this.logoutCloud();
      throw err;
    }
    const credits = showCredits ? await this.#cloud.credits(key, { signal: options.signal }).catch(() => undefined) : undefined;
    this.#account = account;
    this.#credits = credits;
    this.#checkedAt = this.#now();
    this.#emit();
    return credits ? { account, credits } : { account };
  }

  async logoutCloud(): Promise<void> {
    await this.#secrets.delete('cloud_key');
    this.#cloudKey = null;
    this.#account = undefined;
    this.#credits = undefined;
    this.#checkedAt = undefined;
    this.#emit();
  }

  /** Revokes every browser session of the proxy (cookies stop working at once). */
  async logoutBrowserSessions(): Promise<number> {
    const n = await this.#sessions.revokeAll();
    this.#emit();
    return n;
  }

  /**
   * Clears the cloud and upstream keys (store and memory) and revokes all browser sessions. The admin
   * key stays unless `includeAdminKey`: it is what scripts and the headless CLI use to manage access
   * keys, and it is shown once only, so losing it by a tray click would lock those tools out.
   */
  async logoutEverything(options: { includeAdminKey?: boolean } = {}): Promise<LogoutEverythingResult> {
    const failures: string[] = [];
    const names: SecretName[] = options.includeAdminKey ? ['cloud_key', 'upstream_key', 'admin_key'] : ['cloud_key', 'upstream_key'];
    for (const name of names) {
      // Keep going on a failure so one stuck entry does not leave the rest behind.
      await this.#secrets.delete(name).catch((err: unknown) => failures.push(`${name}: ${toCompanionError(err).message}`));
    }
    this.#cloudKey = null;
    this.#upstreamKey = null;
    this.#upstreamKeyRemembered = false;
    this.#account = undefined;
    this.#credits = undefined;
    this.#checkedAt = undefined;
    const sessionsRevoked = await this.#sessions.revokeAll();
    this.#emit();
    if (failures.length) {
      throw new CompanionError('unavailable', `Logged out, but some stored secrets could not be deleted (${failures.join('; ')})`);
    }
    return { sessionsRevoked, adminKeyDeleted: options.includeAdminKey === true };
  }

  status(): AccountStatus {
    const settings = this.#settings.get();
    const cloud: AccountStatus['cloud'] = {
      loggedIn: this.#cloudKey !== null,
      environment: settings.cloud.environment,
      keyHint: this.#cloudKey === null ? null : maskSecret(this.#cloudKey),
    };
    if (this.#account) cloud.account = { ...this.#account };
    if (this.#credits) cloud.credits = { ...this.#credits };
    if (this.#checkedAt !== undefined) cloud.checkedAt = this.#checkedAt;
    return {
      upstream: {
        url: settings.upstreams[0] ?? '',
        urls: [...settings.upstreams],
        keyHint: this.#upstreamKey === null ? null : maskSecret(this.#upstreamKey),
        keyRemembered: this.#upstreamKeyRemembered,
      },
      cloud,
      secretBackend: { ...this.#secrets.info },
      warnings: [...this.#warnings],
    };
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** For the proxy's cloud-key injection hook (synchronous, from memory). */
  getCloudKey(): string | null {
    return this.#cloudKey;
  }

  /** For the proxy's upstream Authorization hook (synchronous, from memory). */
  getUpstreamKey(): string | null {
    return this.#upstreamKey;
  }

  async #readStored(name: SecretName): Promise<string | null> {
    try {
      return await this.#secrets.get(name);
    } catch (err) {
      this.#warnings.push(toCompanionError(err).message);
      return null;
    }
  }

  #emit(): void {
    const status = this.status();
    for (const listener of this.#listeners) {
      try {
        listener(status);
      } catch {
        // A broken subscriber (closed window) must not break login or logout.
      }
    }
  }
}
