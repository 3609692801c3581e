// Which upstreams agree on /object_info (SPEC §10). The reference is the node set most live upstreams
// share (a tie goes to the group of the upstream listed first), so one odd box is set apart rather than
// the majority; jobs are then routed only among upstreams that match it.
import { describeDifference, type ObjectInfoFingerprint } from './objectInfoHash';

export interface ConsistencyInput {
  id: string;
  up: boolean;
  fingerprint: ObjectInfoFingerprint | null;
}

export interface ConsistencyVerdict {
  /** The hash the others are compared with, or null while none is known. */
  reference: string | null;
  /** Per upstream: true matches, false differs, null unknown (down, or not fetched yet). */
  matches: Map<string, boolean | null>;
  /** One line per differing upstream, naming what differs. */
  problems: Map<string, string>;
}

export function judgeConsistency(upstreams: readonly ConsistencyInput[]): ConsistencyVerdict {
  const groups = new Map<string, { count: number; first: number; fp: ObjectInfoFingerprint }>();
  upstreams.forEach((u, i) => {
    if (!u.up || !u.fingerprint) return;
    const g = groups.get(u.fingerprint.hash);
    if (g) g.count += 1;
    else groups.set(u.fingerprint.hash, { count: 1, first: i, fp: u.fingerprint });
  });
  let best: { hash: string; count: number; first: number; fp: ObjectInfoFingerprint } | null = null;
  for (const [hash, g] of groups) {
    if (!best || g.count > best.count || (g.count === best.count && g.first < best.first)) best = { hash, ...g };
  }
  const matches = new Map<string, boolean | null>();
  const problems = new Map<string, string>();
  for (const u of upstreams) {
    if (!u.fingerprint || !best) {
      matches.set(u.id, null);
      continue;
    }
    const same = u.fingerprint.hash === best.hash;
    matches.set(u.id, same);
    if (!same) problems.set(u.id, `${u.id} ${describeDifference(u.fingerprint, best.fp)} (object_info ${u.fingerprint.hash}, the others ${best.hash})`);
  }
  return { reference: best?.hash ?? null, matches, problems };
}
