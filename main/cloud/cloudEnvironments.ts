// Comfy Cloud environments, base-URL rules and the shape of a `comfyui-…` key: checks that need no
// network, shared by the settings schema and the cloud client.
import { CompanionError } from '../common/errors';

export type CloudEnvironment = 'production' | 'staging' | 'custom';
export const CLOUD_ENVIRONMENTS: readonly CloudEnvironment[] = ['production', 'staging', 'custom'];

export const CLOUD_BASE_URLS = {
  production: 'https://cloud.comfy.org/developer/api/v1',
  staging: 'https://stagingcloud.comfy.org/developer/api/v1',
} as const;

/** ComfyUI's frontend reads credits here (`GET /customers/balance`, header X-API-KEY). */
export const DEFAULT_BILLING_BASE_URL = 'https://api.comfy.org';

export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Returns null when `raw` is an acceptable cloud/billing base URL, else the reason. https is
 * required because the key travels in a header; plain http only to loopback (local fakes, tunnels).
 */
export function checkCloudBaseUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (url.search || url.hash) return 'must not contain a query or fragment';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') return isLoopbackHostname(url.hostname) ? null : 'must use https (plain http is allowed only for localhost)';
  return 'must be an https URL';
}

/** Base URL without a trailing slash, so `${base}/account` is always one slash. */
export function resolveCloudBaseUrl(environment: CloudEnvironment, customBaseUrl?: string | null): string {
  if (environment === 'production' || environment === 'staging') return CLOUD_BASE_URLS[environment];
  if (!customBaseUrl) throw new CompanionError('invalid_request', 'cloud.customBaseUrl is required for the custom environment');
  const why = checkCloudBaseUrl(customBaseUrl);
  if (why) throw new CompanionError('invalid_request', `cloud.customBaseUrl ${why}`);
  return customBaseUrl.replace(/\/+$/, '');
}

/** `comfyui-` plus 16–256 URL-safe characters; platform keys are opaque past the prefix. */
const CLOUD_KEY_SHAPE = /^comfyui-[A-Za-z0-9_-]{16,256}$/;

/** Throws invalid_request when the pasted text cannot be a cloud key. Never echoes the text. */
export function checkCloudKeyShape(key: string): void {
  if (typeof key !== 'string' || key.trim() === '') {
    throw new CompanionError('invalid_request', 'Enter a Comfy API key (it starts with "comfyui-")');
  }
  if (key !== key.trim()) {
    throw new CompanionError('invalid_request', 'The Comfy API key has spaces around it; paste it without them');
  }
  if (!key.startsWith('comfyui-')) {
    throw new CompanionError('invalid_request', 'That is not a Comfy API key: it must start with "comfyui-"');
  }
  if (!CLOUD_KEY_SHAPE.test(key)) {
    throw new CompanionError(
      'invalid_request',
      'That Comfy API key looks truncated or mistyped: after "comfyui-" it must be 16–256 letters, digits, "-" or "_"',
    );
  }
}
