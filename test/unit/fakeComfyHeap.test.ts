// The fake ComfyUI's queue is Python's heapq (test/fixtures/fakeComfyHeap.ts): pops come out in (number,
// prompt_id) order whatever the pushes and deletes, while the array itself stays in heap order, as
// ComfyUI's GET /queue shows it.
import { describe, expect, it } from 'vitest';
import { byRunOrder, heapify, heappop, heappush, type HeapItem } from '../fixtures/fakeComfyHeap';

/** A small deterministic generator, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('fake ComfyUI heap', () => {
  it('pops in (number, prompt_id) order after random pushes, deletes and ties', () => {
    const rnd = lcg(7);
    for (let round = 0; round < 50; round++) {
      const heap: HeapItem[] = [];
      const all: HeapItem[] = [];
      for (let i = 0; i < 40; i++) {
        const item: HeapItem = [Math.floor(rnd() * 10) - 3, `p${Math.floor(rnd() * 1000)}-${i}`];
        heappush(heap, item);
        all.push(item);
      }
      // delete_queue_item: list.pop(x), then heapify.
      const [gone] = heap.splice(Math.floor(rnd() * heap.length), 1);
      heapify(heap);
      const expected = all.filter((i) => i !== gone).sort(byRunOrder);
      const popped: HeapItem[] = [];
      for (let item = heappop(heap); item; item = heappop(heap)) popped.push(item);
      expect(popped).toEqual(expected);
    }
  });

  it('keeps heap order in the array, not sorted order (what ComfyUI returns from /queue)', () => {
    const heap: HeapItem[] = [];
    for (const item of [[0, 'a'], [1, 'b'], [-2, 'f'], [100, 'n']] as HeapItem[]) heappush(heap, item);
    expect(heap.map((i) => i[1])).toEqual(['f', 'b', 'a', 'n']);
  });
});
