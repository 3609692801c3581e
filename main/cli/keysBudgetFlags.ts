// A key's daily allowances on the command line, for `keys create` and `keys update`: the Comfy-account
// permission (SPEC §8.8: `--cloud` / `--no-cloud`, `--cloud-jobs-per-day N|none`) and the GPU budget (SPEC §11:
// `--gpu-seconds-per-day N|none`); and how `keys list` shows the permission.
import { RATE_LIMIT_MAX } from '../keys/keyInput';
import type { KeyRecord } from '../keys/keyRecord';
import { wholeNumber } from './keysCliFlags';
import { UsageError } from './usageError';

export const CLOUD_OPTIONS = {
  cloud: { type: 'boolean' },
  'no-cloud': { type: 'boolean' },
  'cloud-jobs-per-day': { type: 'string' },
  'gpu-seconds-per-day': { type: 'string' },
} as const;

export interface CloudFields {
  cloud?: boolean;
  cloud_jobs_per_day?: number | null;
  gpu_seconds_per_day?: number | null;
}

export function cloudFields(values: { cloud?: boolean; 'no-cloud'?: boolean; 'cloud-jobs-per-day'?: string; 'gpu-seconds-per-day'?: string }, topic: string): CloudFields {
  if (values.cloud && values['no-cloud']) throw new UsageError('Give --cloud or --no-cloud, not both', topic);
  const out: CloudFields = {};
  if (values.cloud) out.cloud = true;
  if (values['no-cloud']) out.cloud = false;
  const cap = values['cloud-jobs-per-day'];
  if (cap !== undefined) out.cloud_jobs_per_day = cap === 'none' ? null : wholeNumber(cap, '--cloud-jobs-per-day', RATE_LIMIT_MAX, topic);
  const gpu = values['gpu-seconds-per-day'];
  if (gpu !== undefined) out.gpu_seconds_per_day = gpu === 'none' ? null : wholeNumber(gpu, '--gpu-seconds-per-day', 86_400 * 64, topic);
  return out;
}

/** The CLOUD column: "no", "yes", or "yes, 5/day". */
export function cloudCell(k: Pick<KeyRecord, 'cloud' | 'cloud_jobs_per_day'>): string {
  if (!k.cloud) return 'no';
  return k.cloud_jobs_per_day === null ? 'yes' : `yes, ${k.cloud_jobs_per_day}/day`;
}

/** Said under `keys list` while a usable key may not spend the account (every key, after an upgrade). */
export function cloudFootnote(keys: readonly KeyRecord[], invocation: string): string | null {
  if (!keys.some((k) => !k.cloud && k.status !== 'revoked')) return null;
  return (
    `CLOUD no: the key's jobs never spend your Comfy account's credits (workflows with paid API nodes are refused, ` +
    `unless the person signs in to their own Comfy account). Allow one with: ${invocation} keys update ID --cloud [--cloud-jobs-per-day N]\n`
  );
}
