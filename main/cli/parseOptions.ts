// Command-line options through Node's own parseArgs, with the product's sentences instead of
// parseArgs' wording, and access-key ids (base64url, so they may start with "-") read as ids.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from './usageError';

/** A 22-character key id that happens to start with "-" (1 in 64 random ids do). */
const DASHED_KEY_ID = /^-[A-Za-z0-9_-]{21}$/;

export interface ParseSpec<O extends ParseArgsOptionsConfig> {
  options: O;
  /** The command, for the --help hint: '' (top level), 'keys create', … */
  topic: string;
  /** Expected positionals; 'key id' ones may start with "-". Default: none. */
  positional?: { name: 'key id' | 'key id or name'; optional?: boolean };
}

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>>;

export function parseOptions<O extends ParseArgsOptionsConfig>(args: string[], spec: ParseSpec<O>): Parsed<O> {
  const prepared = spec.positional?.name.startsWith('key id') ? dashedIdsLast(args, spec.options) : args;
  const { tokens } = parseArgs({ args: prepared, options: spec.options, strict: false, allowPositionals: true, tokens: true });
  // "keys revoke --help" shows the help, whatever else is (or is not) on the line.
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help' && spec.options.help)) {
    return { values: { help: true }, positionals: [] } as unknown as Parsed<O>; // only .help is read then
  }
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const def = spec.options[t.name];
    if (!def) {
      throw new UsageError(`Unknown option ${t.rawName}${suggestion(t.rawName, spec.options)}`, spec.topic);
    }
    const flag = t.rawName.startsWith('--') ? t.rawName : `${t.rawName} (--${t.name})`;
    if (def.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('-')))) {
      throw new UsageError(`${flag} needs a value (for a value that starts with "-", write --${t.name}=VALUE)`, spec.topic);
    }
    if (def.type === 'boolean' && t.value !== undefined) throw new UsageError(`${flag} takes no value`, spec.topic);
  }
  checkPositionals(positionals, spec);
  try {
    return parseArgs({ args: prepared, options: spec.options, strict: true, allowPositionals: true });
  } catch {
    // Everything parseArgs refuses was caught above; this is a safety net that keeps its wording out.
    throw new UsageError('These options could not be read', spec.topic);
  }
}

function checkPositionals(positionals: string[], spec: ParseSpec<ParseArgsOptionsConfig>): void {
  const wanted = spec.positional;
  if (!wanted) {
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}"`, spec.topic);
    return;
  }
  if (positionals.length > 1) throw new UsageError(`Give one ${wanted.name}, not ${positionals.length} ("${positionals.join('", "')}")`, spec.topic);
  const column = wanted.name === 'key id' ? 'the ID column' : 'the ID or NAME column';
  if (positionals.length === 0 && !wanted.optional) throw new UsageError(`Give the ${wanted.name} (${column} of "keys list")`, spec.topic);
}

/** Moves key ids that start with "-" behind a "--", where parseArgs reads them as positionals. */
function dashedIdsLast(args: string[], options: ParseArgsOptionsConfig): string[] {
  const end = args.indexOf('--');
  const head = end < 0 ? args : args.slice(0, end);
  const tail = end < 0 ? [] : args.slice(end + 1);
  const kept: string[] = [];
  const ids: string[] = [];
  head.forEach((arg, i) => {
    const prev = head[i - 1];
    const isValueOfPrev = prev !== undefined && prev.startsWith('--') && !prev.includes('=') && options[prev.slice(2)]?.type === 'string';
    const isOption = arg.startsWith('--') && options[arg.slice(2)] !== undefined;
    if (DASHED_KEY_ID.test(arg) && !isValueOfPrev && !isOption) ids.push(arg);
    else kept.push(arg);
  });
  return ids.length === 0 && end < 0 ? args : [...kept, '--', ...ids, ...tail];
}

/** " (did you mean --name?)" for a near miss of a long option, else "". */
function suggestion(raw: string, options: ParseArgsOptionsConfig): string {
  if (!raw.startsWith('--')) return '';
  const typed = raw.slice(2).split('=')[0] ?? '';
  let best: string | null = null;
  let bestDistance = 3;
  for (const name of Object.keys(options)) {
    const d = distance(typed, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best ? ` (did you mean --${best}?)` : '';
}

/** Levenshtein distance, small strings only. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
