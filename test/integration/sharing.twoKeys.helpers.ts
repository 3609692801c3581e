// Two access keys on one harness whose fake ComfyUI runs jobs at once, and one finished output of alice's:
// the setting of the sharing tests (who may see, load, overwrite or interrupt whose work).
import { expect } from 'vitest';
import { getJson, postJson, workflow } from '../fixtures/fakeComfyClient';
import { startHarness, type Harness } from '../helpers/proxyHarness';

export interface TwoKeys {
  h: Harness;
  alice: Record<string, string>;
  bob: Record<string, string>;
}

/** A harness with keys `alice` and `bob` (Authorization headers) and jobs that finish in a few ms. */
export async function startTwoKeys(): Promise<TwoKeys> {
  const h = await startHarness();
  h.fake.jobMs = 5;
  h.fake.autoRun = true;
  const auth = async (name: string) => ({ authorization: `Bearer ${(await h.stack.keys.store.create({ name })).secret}` });
  return { h, alice: await auth('alice'), bob: await auth('bob') };
}

/** Runs one job as `who` and returns the file name of its first output image. */
export async function outputOf(h: Harness, who: Record<string, string>, label: string): Promise<string> {
  const res = await postJson(h.url, '/prompt', { prompt: workflow(label) }, who);
  const id = (res.json as { prompt_id: string }).prompt_id;
  await h.fake.waitForJob(id, 'finished');
  const history = await getJson<Record<string, { outputs: Record<string, { images: { filename: string }[] }> }>>(h.url, `/history/${id}`, who);
  const name = Object.values(history.json[id]?.outputs ?? {})[0]?.images[0]?.filename ?? '';
  expect(name).toMatch(/\.png$/);
  return name;
}
