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

/** A job waiting in ComfyUI's queue (SPEC §12): where it stands and when it should start. */
export interface WaitingJobView {
  promptId: string;
  /** The upstream it waits on (its URL's origin). */
  upstream: string;
  /** 1 = runs next on its upstream. */
  position: number;
  /** Who queued it: an access key's name, "admin" for this app's user; null when the ledger does not know. */
  ownerName: string | null;
  /** The share its place was chosen with; null when admin put it first or chose its number. */
  share: number | null;
  workflowName: string | null;
  /** Epoch ms. */
  queuedAt: number;
  /** Epoch ms: when it should start, by the estimates of the running job and the jobs ahead of it. */
  estimatedStart: number;
  /** Its own expected GPU time, when the proxy estimated it. */
  estimatedMs: number | null;
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

/** One ComfyUI server behind the proxy as its health watcher sees it (SPEC §10); plain data. */
export interface UpstreamView {
  url: string;
  state: 'up' | 'down' | 'checking';
  /** Jobs waiting or running there. */
  queue: number;
  latencyMs: number | null;
  device: { name: string; type: string; vramTotal: number; vramFree: number } | null;
  /** Whether its nodes and models match the others' (null: not known yet). */
  matches: boolean | null;
  /** What differs, when it does not match; why it is down, when it is. Never a secret. */
  problem: string | null;
  error: string | null;
  /** Epoch ms of its last change of state. */
  since: number;
}

export interface MonitorSnapshot {
  upstreamUrl: string;
  /** Every ComfyUI server behind the proxy; empty until the proxy runs. */
  upstreams: UpstreamView[];
  health: HealthSample | null;
  healthHistory: HealthSample[];
  traffic: TrafficStats;
  trafficHistory: TrafficPoint[];
  requests: RequestView[];
  jobs: JobView[];
  /** Every waiting job, in the order each upstream will run them (empty without a job ledger). */
  waiting: WaitingJobView[];
  /** Empty when no job ledger is wired. */
  keyJobs: KeyJobStats[];
  keyJobsWindowH: number;
  openSockets: number;
}

/** A compact delta pushed at most a few times a second. Fields absent = unchanged. */
export interface MonitorUpdate {
  health?: HealthSample;
  upstreams?: UpstreamView[];
  traffic?: TrafficStats;
  /** Completed seconds since the previous update. */
  trafficPoints?: TrafficPoint[];
  /** Requests logged since the previous update, oldest first. */
  requests?: RequestView[];
  /** The full (short) job list when it changed. */
  jobs?: JobView[];
  waiting?: WaitingJobView[];
  keyJobs?: KeyJobStats[];
  openSockets?: number;
}
