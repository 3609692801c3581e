// Helpers for the fair-order tests (SPEC §12): queue jobs as keys while the fake ComfyUI holds its queue, then
// let it run everything in its own order (lowest number first, like ComfyUI's heap) and read that order back.
import type { OutgoingHttpHeaders } from 'node:http';
import { expect } from 'vitest';
import type { FakeComfy } from '../fixtures/fakeComfy';
import { workflow } from '../fixtures/fakeComfyClient';
import type { Harness } from '../helpers/proxyHarness';
import { postJson } from './sharing.helpers';

let seed = 0;

/** Queues `n` short jobs as one key, one after the other (as a script's loop does); returns their prompt ids. */
export async function queueJobs(h: Pick<Harness, 'url'>, headers: OutgoingHttpHeaders, n: number, extra: Record<string, unknown> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await postJson(h as Harness, '/prompt', headers, { prompt: workflow(`fair-${++seed}`, { ms: 2, steps: 1 }), ...extra });
    expect(res.status, res.text).toBe(200);
    ids.push(res.json<{ prompt_id: string }>().prompt_id);
  }
  return ids;
}

/** Lets the fake run its whole queue, one job at a time in its order, and returns the prompt ids in the order they ran. */
export async function runAll(fake: FakeComfy, ids: readonly string[]): Promise<string[]> {
  const before = new Set(fake.state.history.keys());
  fake.autoRun = true;
  await Promise.all(ids.map((id) => fake.waitForJob(id, 'finished')));
  fake.autoRun = false;
  return [...fake.state.history.keys()].filter((id) => !before.has(id));
}

/** The run order as owner labels ("a", "b", …). */
export function owners(order: readonly string[], byOwner: Record<string, readonly string[]>): string[] {
  const ownerOf = new Map<string, string>();
  for (const [owner, ids] of Object.entries(byOwner)) for (const id of ids) ownerOf.set(id, owner);
  return order.map((id) => ownerOf.get(id) ?? '?');
}

/** The longest run of one owner's jobs in a row while at least one other owner still had jobs waiting. */
export function longestRunWhileOthersWait(labels: readonly string[]): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < labels.length; i++) {
    run = i > 0 && labels[i] === labels[i - 1] ? run + 1 : 1;
    const othersWaiting = labels.slice(i + 1).some((o) => o !== labels[i]);
    if (othersWaiting) longest = Math.max(longest, run);
  }
  return longest;
}
