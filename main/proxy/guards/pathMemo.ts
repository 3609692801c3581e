// Per-path decisions (the path's spellings, its sharing rule, its file family) are pure functions of the
// path, and a client sends the same few paths over and over: remember them. The map is bounded and simply
// emptied when full, so paths made up by a client can cost memory only up to the bound.
import { gauge } from '../../common/sizeGauges';

const MAX_ENTRIES = 2048;

export function memoByString<V>(fn: (key: string) => V): (key: string) => V {
  const cache = new Map<string, V>();
  const memo = (key: string): V => {
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as V;
    const value = fn(key);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, value);
    return value;
  };
  gauge('pathMemo', memo, () => cache.size);
  return memo;
}
