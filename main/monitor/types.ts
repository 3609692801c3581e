// Plain-data shapes the monitor produces: what crosses IPC in `monitor:snapshot` and the pushed
// `monitor` event. No functions, no secrets, serialisable as JSON.

export interface HealthSample {
  /** Epoch ms when the sample finished. */
  at: number;
  /** The upstream URL probed (a sample from before a change of address is not about the new one). */
  url: string;
  up: boolean;
  /** Round trip of GET /system_stats; null when down. */
  latencyMs: number | null;
  queueRunning: number;
  queuePending: number;
  device: { name: string; type: string } | null;
  vramTotal: number | null;
  vramFree: number | null;
  comfyuiVersion: string | null;
  /** Why the upstream counts as down (no secrets). */
  error: string | null;
}

export type StatusClass = '2xx' | '3xx' | '4xx' | '429' | '5xx';

/** Requests that finished within one second. */
export interface TrafficPoint {
  /** Start of the second, epoch ms. */
  t: number;
  total: number;
  c2xx: number;
  c3xx: number;
  c4xx: number;
  c429: number;
  c5xx: number;
}

export interface KeyTraffic {
  keyId: string | null;
  keyName: string;
  total: number;
  errors: number;
  limited: number;
  lastAt: number;
}

export interface TrafficStats {
  total: number;
  byClass: Record<StatusClass, number>;
  /** Requests per second over the sliding window. */
  rps: number;
  windowS: number;
  byKey: KeyTraffic[];
}

export interface RequestView {
  /** Monotonic id so the renderer can key rows. */
  seq: number;
  at: number;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  keyName: string | null;
  websocket: boolean;
}

export type JobStatus = 'running' | 'success' | 'error' | 'interrupted';

export interface JobView {
  promptId: string;
  status: JobStatus;
  startedAt: number;
  finishedAt: number | null;
  /** Id of the node currently executing, when known. */
  node: string | null;
  /** That node's name: its title in the workflow, else its type's display name (/object_info). */
  nodeName: string | null;
  /** Nodes in the prompt, when ComfyUI's queue showed it. */
  nodesTotal: number | null;
  /** Who queued it: an access key's name, "admin" for this app's user; null when the ledger does not know. */
  ownerName: string | null;
  /** The workflow's name, when the client sent one. */
  workflowName: string | null;
  /** Progress of the current node's sampler (value/max), 0/0 when unknown. */
  value: number;
  max: number;
  nodesDone: number;
  message: string | null;
}

/** Jobs per owner over the last `windowH` hours, from the job ledger. */
export interface KeyJobStats {
  /** An access key's id, or '@admin' / '@foreign' (main/jobs/types.ts). */
  owner: string;
  ownerName: string;
  jobs: number;
  succeeded: number;
  failed: number;
  /** Waiting or running now. */
  active: number;
  /** Sum of run times (started → finished): what the GPU spent on them. */
  gpuMs: number;
}

export interface MonitorSnapshot {
  upstreamUrl: string;
  health: HealthSample | null;
  healthHistory: HealthSample[];
  traffic: TrafficStats;
  trafficHistory: TrafficPoint[];
  requests: RequestView[];
  jobs: JobView[];
  /** Empty when no job ledger is wired. */
  keyJobs: KeyJobStats[];
  keyJobsWindowH: number;
  openSockets: number;
}

/** A compact delta pushed at most a few times a second. Fields absent = unchanged. */
export interface MonitorUpdate {
  health?: HealthSample;
  traffic?: TrafficStats;
  /** Completed seconds since the previous update. */
  trafficPoints?: TrafficPoint[];
  /** Requests logged since the previous update, oldest first. */
  requests?: RequestView[];
  /** The full (short) job list when it changed. */
  jobs?: JobView[];
  keyJobs?: KeyJobStats[];
  openSockets?: number;
}
