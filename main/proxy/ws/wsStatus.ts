// ComfyUI's `status` message across several upstreams (SPEC §10): one client sees one queue, so the
// queue_remaining of every upstream is summed and the sid stays the client's own id. A key's socket then
// gets its own view of the merged message (keyStatus.ts).

/** Quick test before parsing: only `status` messages are merged. */
export function looksLikeStatus(text: string): boolean {
  return text.startsWith('{"type": "status"') || text.startsWith('{"type":"status"');
}

export interface StatusMessage {
  type: 'status';
  data: { status?: { exec_info?: { queue_remaining?: unknown } }; sid?: unknown };
}

export function parseStatus(text: string): StatusMessage | null {
  try {
    const msg = JSON.parse(text) as { type?: unknown; data?: unknown };
    if (msg.type !== 'status' || typeof msg.data !== 'object' || msg.data === null) return null;
    return msg as StatusMessage;
  } catch {
    return null;
  }
}

export class StatusMerger {
  private readonly remaining = new Map<string, number>();

  constructor(private readonly clientId: string) {}

  /** Records an upstream's status and returns the merged message's `data` for the client. */
  merge(upstreamId: string, msg: StatusMessage): Record<string, unknown> {
    const n = msg.data.status?.exec_info?.queue_remaining;
    if (typeof n === 'number' && Number.isFinite(n)) this.remaining.set(upstreamId, n);
    const total = [...this.remaining.values()].reduce((a, b) => a + b, 0);
    const data: Record<string, unknown> = { ...msg.data, status: { ...msg.data.status, exec_info: { ...msg.data.status?.exec_info, queue_remaining: total } } };
    if ('sid' in msg.data) data.sid = this.clientId;
    return data;
  }

  forget(upstreamId: string): void {
    this.remaining.delete(upstreamId);
  }
}
