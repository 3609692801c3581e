// Adds the Comfy Cloud key to queued prompts (SPEC §3) so ComfyUI's API nodes run from any client.

/** POST /prompt and POST /api/prompt: the only bodies the proxy ever reads. */
export function isPromptSubmission(method: string, pathname: string): boolean {
  return method === 'POST' && (pathname === '/prompt' || pathname === '/api/prompt');
}

/** Largest prompt body the proxy reads to inject the key; bigger bodies pass untouched. */
export const PROMPT_INJECTION_CAP_BYTES = 4 * 1024 * 1024;

/**
 * Returns the body with `extra_data.api_key_comfy_org` set, or null to forward the original bytes
 * (not JSON, not an object, or the client already chose a key).
 */
export function injectCloudKey(body: Buffer, cloudKey: string): Buffer | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const root = parsed as Record<string, unknown>;
  const extra = root.extra_data;
  if (extra !== undefined && (typeof extra !== 'object' || extra === null || Array.isArray(extra))) return null;
  const extraData = (extra ?? {}) as Record<string, unknown>;
  if (typeof extraData.api_key_comfy_org === 'string' && extraData.api_key_comfy_org !== '') return null;
  root.extra_data = { ...extraData, api_key_comfy_org: cloudKey };
  return Buffer.from(JSON.stringify(root), 'utf8');
}
