// `keys update ID …`: change an access key's limits and its Comfy-account permission without a running
// server (the server on the same data dir picks the change up within a second), recorded in the audit log.
import { QUEUE_MAX, RATE_LIMIT_MAX } from '../keys/keyInput';
import type { UpdateKeyInput } from '../keys/keyInput';
import type { KeyStore } from '../keys/keyStore';
import { CLOUD_OPTIONS, cloudCell, cloudFields } from './keysBudgetFlags';
import { COMMON_OPTIONS, shareNumber, shareText, wholeNumber } from './keysCliFlags';
import { resolveKeyRef } from './keyRef';
import { parseOptions } from './parseOptions';
import { UsageError } from './usageError';

export const UPDATE_HELP = `  update KEY_ID|NAME [--cloud|--no-cloud] [--cloud-jobs-per-day N|none] [--gpu-seconds-per-day N|none]
         [--rate-limit N] [--requests-per-minute N] [--max-queued N] [--share N]
                        Change a key's limits, its share of the GPU, and whether it may spend your Comfy account.`;

export async function updateKey(
  args: string[],
  open: (values: Record<string, unknown>) => KeyStore,
  out: (s: string) => void,
): Promise<number | 'help'> {
  const topic = 'keys update';
  const { values, positionals } = parseOptions(args, {
    topic,
    options: { ...COMMON_OPTIONS, ...CLOUD_OPTIONS, 'rate-limit': { type: 'string' }, 'requests-per-minute': { type: 'string' }, 'max-queued': { type: 'string' }, share: { type: 'string' } },
    positional: { name: 'key id or name' },
  });
  if (values.help) return 'help';
  const patch: UpdateKeyInput = { ...cloudFields(values as Parameters<typeof cloudFields>[0], topic) };
  const num = (flag: 'rate-limit' | 'requests-per-minute' | 'max-queued', max: number) => {
    const v = values[flag];
    return typeof v === 'string' ? wholeNumber(v, `--${flag}`, max, topic) : undefined;
  };
  const rate = num('rate-limit', RATE_LIMIT_MAX);
  const rpm = num('requests-per-minute', RATE_LIMIT_MAX);
  const queued = num('max-queued', QUEUE_MAX);
  if (rate !== undefined) patch.rate_limit = rate;
  if (rpm !== undefined) patch.requests_per_minute = rpm;
  if (queued !== undefined) patch.max_queued = queued;
  if (typeof values.share === 'string') patch.share = shareNumber(values.share, topic);
  if (Object.keys(patch).length === 0) {
    throw new UsageError('Say what to change: --cloud, --no-cloud, --cloud-jobs-per-day, --gpu-seconds-per-day, --rate-limit, --requests-per-minute, --max-queued or --share', topic);
  }
  const store = open(values);
  const record = await store.update(resolveKeyRef(store.list(), positionals[0]!, Date.now() / 1000).key_id, patch);
  await store.close();
  out(
    `Updated access key "${record.name}" (id ${record.key_id}): ${record.rate_limit} jobs per hour, ${record.requests_per_minute} requests per minute, ` +
      `at most ${record.max_queued} queued, GPU share ${shareText(record.share)}, ${record.gpu_seconds_per_day === null ? 'no GPU budget' : `${record.gpu_seconds_per_day} GPU seconds a day`}, Comfy account: ${record.cloud ? `may spend your credits (${cloudCell(record).replace('yes, ', '').replace(/^yes$/, 'no daily cap')})` : 'may not spend your credits'}.\n`,
  );
  return 0;
}
