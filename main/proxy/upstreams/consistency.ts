// Which upstreams agree on /object_info (SPEC §10). The reference is the node set most live upstreams share,
// so one odd box is set apart rather than the majority. A tie goes to the group of the upstream that has
// been up the longest (one that never went down before one that came back), then to the one listed first:
// a server that stayed up and healthy is never starved because another one returned with other nodes.
// Jobs are then routed only among upstreams that match the reference.
import { describeDifference, differenceOf, type ObjectInfoDifference, type ObjectInfoFingerprint } from './objectInfoHash';

export interface ConsistencyInput {
  id: string;
  up: boolean;
  /** From the latest round of fetches (all live upstreams fetched together), or null while unknown. */
  fingerprint: ObjectInfoFingerprint | null;
  /** When it last came back after being down; null when it has been up since the proxy started. */
  returnedAt: number | null;
}

export interface ConsistencyVerdict {
  /** The hash the others are compared with, or null while none is known. */
  reference: string | null;
  /** Per upstream: true matches, false differs, null unknown (down, or not fetched yet). */
  matches: Map<string, boolean | null>;
  /** One line per differing upstream, naming what differs. */
  problems: Map<string, string>;
  /** Per differing upstream, what differs, by node and input. */
  differences: Map<string, ObjectInfoDifference>;
}

interface Group {
  hash: string;
  count: number;
  /** Earliest return among its members (-Infinity: one never went down). */
  since: number;
  first: number;
  fp: ObjectInfoFingerprint;
}

function better(a: Group, b: Group | null): boolean {
  if (!b) return true;
  if (a.count !== b.count) return a.count > b.count;
  if (a.since !== b.since) return a.since < b.since;
  return a.first < b.first;
}

export function judgeConsistency(upstreams: readonly ConsistencyInput[]): ConsistencyVerdict {
  const groups = new Map<string, Group>();
  upstreams.forEach((u, i) => {
    if (!u.up || !u.fingerprint) return;
    const since = u.returnedAt ?? -Infinity;
    const g = groups.get(u.fingerprint.hash);
    if (g) {
      g.count += 1;
      g.since = Math.min(g.since, since);
    } else groups.set(u.fingerprint.hash, { hash: u.fingerprint.hash, count: 1, since, first: i, fp: u.fingerprint });
  });
  let best: Group | null = null;
  for (const g of groups.values()) if (better(g, best)) best = g;
  const matches = new Map<string, boolean | null>();
  const problems = new Map<string, string>();
  const differences = new Map<string, ObjectInfoDifference>();
  for (const u of upstreams) {
    // A down upstream is not judged: its fingerprint is from before it went down.
    if (!u.up || !u.fingerprint || !best) {
      matches.set(u.id, null);
      continue;
    }
    const same = u.fingerprint.hash === best.hash;
    matches.set(u.id, same);
    if (same) continue;
    const d = differenceOf(u.fingerprint, best.fp);
    differences.set(u.id, d);
    problems.set(u.id, `${u.id} ${describeDifference(d)} (object_info ${u.fingerprint.hash}, the others ${best.hash})`);
  }
  return { reference: best?.hash ?? null, matches, problems, differences };
}
