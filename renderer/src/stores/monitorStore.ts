// Live monitor data: one snapshot at start, then pushed deltas applied in place. Histories are
// capped here too so a long-running window never grows without bound.
import { create } from 'zustand';
import type { HealthSample, JobView, KeyJobStats, MonitorSnapshot, MonitorUpdate, RequestView, TrafficPoint, TrafficStats, UpstreamView, WaitingJobView } from '../../../preload/contract';
import { call, errorMessage } from '../ipc';

const MAX_HEALTH = 600;
const MAX_TRAFFIC = 300;
const MAX_REQUESTS = 200;

interface MonitorState {
  loaded: boolean;
  error: string | null;
  upstreamUrl: string;
  /** Every ComfyUI server behind the proxy (several: SPEC §10). */
  upstreams: UpstreamView[];
  health: HealthSample | null;
  healthHistory: HealthSample[];
  traffic: TrafficStats | null;
  trafficHistory: TrafficPoint[];
  requests: RequestView[];
  jobs: JobView[];
  /** Jobs waiting for the GPU, in run order per upstream (SPEC §12). */
  waiting: WaitingJobView[];
  keyJobs: KeyJobStats[];
  keyJobsWindowH: number;
  openSockets: number;
  filter: string;
  load(): Promise<void>;
  applySnapshot(s: MonitorSnapshot): void;
  applyUpdate(u: MonitorUpdate): void;
  setFilter(filter: string): void;
}

function capped<T>(list: T[], add: T[], max: number): T[] {
  const next = add.length ? list.concat(add) : list;
  return next.length > max ? next.slice(next.length - max) : next;
}

export const useMonitorStore = create<MonitorState>((set, get) => ({
  loaded: false,
  error: null,
  upstreamUrl: '',
  upstreams: [],
  health: null,
  healthHistory: [],
  traffic: null,
  trafficHistory: [],
  requests: [],
  jobs: [],
  waiting: [],
  keyJobs: [],
  keyJobsWindowH: 24,
  openSockets: 0,
  filter: '',
  async load() {
    try {
      get().applySnapshot(await call('monitor:snapshot'));
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  applySnapshot(s) {
    set({
      loaded: true,
      error: null,
      upstreamUrl: s.upstreamUrl,
      upstreams: s.upstreams,
      health: s.health,
      healthHistory: s.healthHistory.slice(-MAX_HEALTH),
      traffic: s.traffic,
      trafficHistory: s.trafficHistory.slice(-MAX_TRAFFIC),
      requests: s.requests.slice(-MAX_REQUESTS),
      jobs: s.jobs,
      waiting: s.waiting ?? [],
      keyJobs: s.keyJobs,
      keyJobsWindowH: s.keyJobsWindowH,
      openSockets: s.openSockets,
    });
  },
  applyUpdate(u) {
    set((s) => {
      const next: Partial<MonitorState> = {};
      if (u.upstreams) next.upstreams = u.upstreams;
      if (u.health) {
        next.health = u.health;
        next.healthHistory = capped(s.healthHistory, [u.health], MAX_HEALTH);
      }
      if (u.traffic) next.traffic = u.traffic;
      if (u.trafficPoints?.length) {
        // A delta may repeat seconds the snapshot already had; keep each second once.
        const lastT = s.trafficHistory[s.trafficHistory.length - 1]?.t ?? -Infinity;
        next.trafficHistory = capped(s.trafficHistory, u.trafficPoints.filter((p) => p.t > lastT), MAX_TRAFFIC);
      }
      if (u.requests?.length) {
        const last = s.requests[s.requests.length - 1]?.seq ?? 0;
        next.requests = capped(s.requests, u.requests.filter((r) => r.seq > last), MAX_REQUESTS);
      }
      if (u.jobs) next.jobs = u.jobs;
      if (u.waiting) next.waiting = u.waiting;
      if (u.keyJobs) next.keyJobs = u.keyJobs;
      if (u.openSockets !== undefined) next.openSockets = u.openSockets;
      return next;
    });
  },
  setFilter(filter) {
    set({ filter });
  },
}));

/** Log rows matching the filter box (path, method, status, key name), newest first. */
export function filterRequests(requests: RequestView[], filter: string): RequestView[] {
  const f = filter.trim().toLowerCase();
  const rows = f
    ? requests.filter((r) => `${r.method} ${r.path} ${r.status} ${r.keyName ?? ''}`.toLowerCase().includes(f))
    : requests;
  return rows.slice().reverse();
}
