// Sizes of the structures that grow with what clients send (docs/limits.md lists each one with its bound), so
// the soak bench (bench/soak.ts) can watch them over minutes of load: the owner of such a map registers a gauge
// once, and gaugeSizes() sums each name over the owners still alive. Owners are held weakly (a closed store is
// not kept in memory because it was measured); nothing here is on a request's path.

interface Gauge {
  owner: WeakRef<object>;
  size: (owner: object) => number;
}

const gauges = new Map<string, Gauge[]>();

/** Registers `size(owner)` under `name` (several owners of one name are summed). */
export function gauge<T extends object>(name: string, owner: T, size: (owner: T) => number): void {
  const alive = (gauges.get(name) ?? []).filter((g) => g.owner.deref() !== undefined);
  alive.push({ owner: new WeakRef(owner), size: size as (owner: object) => number });
  gauges.set(name, alive);
}

/** Every registered name with the summed size of its live owners, sorted by name. */
export function gaugeSizes(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of [...gauges.keys()].sort()) {
    let total = 0;
    for (const g of gauges.get(name) ?? []) {
      const owner = g.owner.deref();
      if (owner !== undefined) total += g.size(owner);
    }
    out[name] = total;
  }
  return out;
}
