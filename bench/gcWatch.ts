// GC counts of a bench child, read over IPC around a measurement (gcStart … gcStop): how many full
// (mark-compact) collections ran and the time spent in all collections. A proxy whose V8 falls into back-to-back
// mark-compacts under a stream of 64 KiB request-body buffers spends about twice the CPU per GiB
// (docs/performance.md), so the upload table shows it next to the CPU figure.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

let observer: PerformanceObserver | null = null;
let major = 0;
let gcMs = 0;

export const gcCommands = {
  gcStart: (): boolean => {
    major = 0;
    gcMs = 0;
    observer?.disconnect();
    observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
        gcMs += e.duration;
        if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    return true;
  },
  gcStop: (): { major: number; gcMs: number } => {
    observer?.disconnect();
    observer = null;
    return { major, gcMs };
  },
};
