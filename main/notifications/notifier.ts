// Decides which desktop notifications to show: the app's own user's jobs finishing or failing (from
// the job ledger's events) and the ComfyUI server going down or coming back (from health samples),
// each behind its setting. Pure: the Electron Notification adapter is handed in as `notify`.
import { ADMIN_OWNER, type Job, type JobEvent } from '../jobs/types';
import type { HealthSample } from '../monitor/types';

export type NotificationKind = 'job-finished' | 'job-failed' | 'upstream-down' | 'upstream-up';

export interface DesktopNotification {
  kind: NotificationKind;
  title: string;
  body: string;
}

export interface NotifierOptions {
  notify(notification: DesktopNotification): void;
  /** Read at each event, so a settings change applies at once. */
  enabled(): { jobs: boolean; upstream: boolean };
  /** Whose jobs count as the app user's own; default: the admin key's. */
  isOwnJob?(job: Job): boolean;
  /** Shown in upstream messages, e.g. "http://gpu-box:8188". */
  upstreamLabel?(): string;
  /** How many other ComfyUI servers share the work (SPEC §10): with others, requests do not all fail. */
  otherServers?(): number;
  /** Consecutive down samples before "not answering" is shown (a single timeout is not an outage). */
  downAfterSamples?: number;
}

function seconds(ms: number): string {
  if (ms < 1000) return 'under a second';
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}

function jobLabel(job: Job): string {
  return job.workflowName ? `“${job.workflowName}”` : 'Your job';
}

export class Notifier {
  readonly #opts: NotifierOptions;
  readonly #downAfter: number;
  #upstreamUp: boolean | null = null;
  #downStreak = 0;
  #announcedDown = false;

  constructor(options: NotifierOptions) {
    this.#opts = options;
    this.#downAfter = Math.max(1, options.downAfterSamples ?? 2);
  }

  onJobEvent(event: JobEvent): void {
    if (event.type !== 'finished' || !this.#opts.enabled().jobs) return;
    const job = event.job;
    const own = this.#opts.isOwnJob ? this.#opts.isOwnJob(job) : job.owner === ADMIN_OWNER;
    if (!own) return;
    const took = job.finishedAt !== null ? job.finishedAt - (job.startedAt ?? job.queuedAt) : null;
    if (job.state === 'success' || job.state === 'cached') {
      const body = took === null ? `${jobLabel(job)} is done.` : `${jobLabel(job)} is done after ${seconds(took)}.`;
      this.#send({ kind: 'job-finished', title: 'Job finished', body });
    } else if (job.state === 'error') {
      const why = (job.error ?? 'ComfyUI reported an error').replace(/[.\s]+$/, '');
      this.#send({ kind: 'job-failed', title: 'Job failed', body: `${jobLabel(job)} failed: ${why}.` });
    }
    // Interrupted and deleted jobs were stopped by someone on purpose: no notification.
  }

  onHealth(sample: HealthSample): void {
    const label = this.#opts.upstreamLabel?.() ?? 'ComfyUI';
    if (sample.up) {
      this.#downStreak = 0;
      const wasAnnounced = this.#announcedDown;
      this.#announcedDown = false;
      this.#upstreamUp = true;
      if (wasAnnounced && this.#opts.enabled().upstream) {
        this.#send({ kind: 'upstream-up', title: 'ComfyUI is back', body: `${label} answers again; the proxy forwards requests to it.` });
      }
      return;
    }
    this.#downStreak++;
    // Only a change is news: at start-up a ComfyUI that is not running yet is shown in the window.
    if (this.#upstreamUp === true && !this.#announcedDown && this.#downStreak >= this.#downAfter) {
      this.#announcedDown = true;
      if (this.#opts.enabled().upstream) {
        const why = sample.error ? ` (${sample.error})` : '';
        const others = this.#opts.otherServers?.() ?? 0;
        const then = others > 0 ? 'New jobs go to the other ComfyUI servers until it is back.' : 'Requests through the proxy fail until it is back.';
        this.#send({ kind: 'upstream-down', title: 'ComfyUI is not answering', body: `${label} stopped answering${why}. ${then}` });
      }
    }
  }

  #send(n: DesktopNotification): void {
    try {
      this.#opts.notify(n);
    } catch {
      // A notification that cannot be shown must never break the proxy or the ledger.
    }
  }
}
