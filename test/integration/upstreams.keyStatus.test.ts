// A key's `status` with several upstreams (SPEC §10 with docs/sharing.md, "What a key's web UI shows"): the
// merged message is rewritten to the key's own jobs on every upstream, others' jobs are counted over all of
// them, "ahead" is counted on the upstream that holds the key's job, and the sid stays the key's clientId.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, fakeHolding, promptBody, startMulti, submit, WsClient, type JsonMsg, type Multi } from './upstreams.helpers';

let m: Multi;
let alice = '';
let bob = '';

beforeAll(async () => {
  m = await startMulti(2);
  alice = await createKey(m, 'alice');
  bob = await createKey(m, 'bob');
});
afterAll(async () => {
  await m.close();
});

const execInfo = (msg: JsonMsg) => (msg.data.status as { exec_info: Record<string, number> }).exec_info;

describe('a key’s status across two upstreams', () => {
  it('counts its own jobs on both, others on both, and ahead on its job’s upstream', async () => {
    const a = await WsClient.open(m, 'alice-ui', alice);
    const b = await WsClient.open(m, 'bob-ui', bob);
    const admin = await WsClient.open(m, 'admin-ui');
    await Promise.all(m.fakes.flatMap((f) => ['alice-ui', 'bob-ui', 'admin-ui'].map((id) => f.waitForWsClient(id))));
    expect(b.messages[0]?.data.sid).toBe('bob-ui');

    const first = await submit(m, promptBody('alice-ui'), alice);
    const second = await submit(m, promptBody('alice-ui'), alice);
    expect(fakeHolding(m, first.promptId)).not.toBe(fakeHolding(m, second.promptId));
    const mine = await submit(m, promptBody('bob-ui'), bob);
    expect(mine.status).toBe(200);

    // Each upstream reports 1 or 2; bob's socket hears of his one job, alice's two, and the one of hers before his.
    await b.waitFor((msg) => msg.type === 'status' && execInfo(msg).queue_remaining === 1 && execInfo(msg).others_remaining === 2);
    const last = b.messages.filter((msg) => msg.type === 'status').at(-1);
    expect(execInfo(last!)).toEqual({ queue_remaining: 1, others_remaining: 2, others_ahead: 1 });
    await a.waitFor((msg) => msg.type === 'status' && execInfo(msg).queue_remaining === 2 && execInfo(msg).others_remaining === 1);
    await admin.waitFor((msg) => msg.type === 'status' && execInfo(msg).queue_remaining === 3);
    expect(admin.messages.filter((msg) => msg.type === 'status').every((msg) => !('others_remaining' in execInfo(msg)))).toBe(true);
    for (const s of [a, b, admin]) for (const msg of s.messages) if (msg.type === 'status' && 'sid' in msg.data) expect(msg.data.sid).toMatch(/-ui$/);

    for (const id of [first.promptId, second.promptId, mine.promptId]) await fakeHolding(m, id)?.runFakeJob(id, id === mine.promptId ? 'bob-ui' : 'alice-ui', 1);
    await b.waitFor((msg) => msg.type === 'status' && execInfo(msg).queue_remaining === 0 && execInfo(msg).others_remaining === 0);
    for (const s of [a, b, admin]) s.close();
  });
});
