// Durations on the command line: whole numbers with one unit in ("30d", "12h", "90m", "45s"), and
// plain words out ("30 days", "1 hour 30 minutes"). The input grammar is narrow on purpose: a bare
// "30" or "1.5d" is refused rather than guessed at.
import { UsageError } from './usageError';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30d" -> milliseconds; a UsageError naming `flag` otherwise. */
export function parseDuration(text: string, flag: string, topic: string): number {
  const m = /^(\d{1,9})([smhd])$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) {
    throw new UsageError(`${flag} takes a duration such as 30d, 12h, 90m or 45s (got "${text}")`, topic);
  }
  return Number(m[1]) * (UNIT_MS[m[2]!] as number);
}

const PARTS: [number, string][] = [
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
];

/** The largest unit and, when not zero, the next one, rounded down: 93_600_000 -> "1 day 2 hours". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms));
  const i = PARTS.findIndex(([size]) => total >= size);
  if (i < 0) return 'less than a second';
  const [size, unit] = PARTS[i]!;
  const words = [plural(Math.floor(total / size), unit)];
  const next = PARTS[i + 1];
  if (next) {
    const n = Math.floor((total % size) / next[0]);
    if (n > 0) words.push(plural(n, next[1]));
  }
  return words.join(' ');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
