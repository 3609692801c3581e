// Jobs lost with their upstream (SPEC §10: "reported failed, not silently lost"). The ledger records them as
// `error` with a reason naming the upstream; a client polling /history/{id} (as SDKs do) then gets a ComfyUI
// history entry saying so instead of an empty answer forever.
import type { Job } from './types';

/** The ledger's error text for a job whose upstream stopped answering. */
export function lostReason(upstream: string, why: string): string {
  return `ComfyUI at ${upstream} stopped answering: ${why}`;
}

export function isLostJob(job: Job): boolean {
  return job.state === 'error' && (job.error ?? '').startsWith(`ComfyUI at ${job.upstream} stopped answering`);
}

/** A /history entry in ComfyUI's shape: status error, the execution_error message, no outputs. */
export function lostJobHistoryEntry(job: Job): Record<string, unknown> {
  const at = job.finishedAt ?? job.queuedAt;
  return {
    prompt: [job.number ?? 0, job.promptId, {}, job.clientId ? { client_id: job.clientId } : {}, []],
    outputs: {},
    status: {
      status_str: 'error',
      completed: false,
      messages: [
        ['execution_start', { prompt_id: job.promptId, timestamp: job.startedAt ?? at }],
        [
          'execution_error',
          { prompt_id: job.promptId, node_id: null, node_type: null, executed: [], exception_message: job.error, exception_type: 'UpstreamUnavailable', traceback: [], current_inputs: {}, current_outputs: {}, timestamp: at },
        ],
      ],
    },
    meta: {},
  };
}
