// What happens when an upstream goes down or comes back (SPEC §10). Down: its pending and running jobs are
// marked failed in the ledger, each one's client is told with a ComfyUI `execution_error` for that job (so
// the web UI shows its error dialog and an SDK waiting on the prompt_id gets a terminal message), and its
// part of every client socket is closed. Back: every open client socket gets a socket to it again.
import { lostReason } from '../../jobs/lostJobs';
import type { JobLedgerApi, Job } from '../../jobs/types';
import type { Upstream } from '../sharing/context';
import type { WsRelay } from '../ws/wsRelay';

/** ComfyUI's execution_error fields (execution.py handle_execution_error), for a job lost with its server. */
export function lostJobMessage(job: Job, reason: string, at: number): string {
  return JSON.stringify({
    type: 'execution_error',
    data: {
      prompt_id: job.promptId,
      node_id: null,
      node_type: null,
      executed: [],
      exception_message: `The ComfyUI server running this job (${job.upstream}) stopped answering: ${reason}. The job was lost; queue it again.`,
      exception_type: 'UpstreamUnavailable',
      traceback: [],
      current_inputs: {},
      current_outputs: {},
      timestamp: at,
    },
  });
}

export function upstreamWentDown(u: Upstream, reason: string, deps: { ledger: JobLedgerApi; relay: WsRelay; at: number }): Job[] {
  const failed = deps.ledger.failUpstream(u.id, lostReason(u.id, reason), deps.at);
  const byClient = new Map<string, Job[]>();
  for (const job of failed) if (job.clientId) byClient.set(job.clientId, [...(byClient.get(job.clientId) ?? []), job]);
  for (const session of deps.relay.openSessions()) {
    // The messages go out before the upstream's part closes: that may be the client socket's last part.
    for (const job of byClient.get(session.options.clientId) ?? []) session.sendToClient(lostJobMessage(job, reason, deps.at));
    session.detach(u.id);
  }
  return failed;
}

export function upstreamCameBack(u: Upstream, relay: WsRelay): void {
  relay.joinAll(u);
}
