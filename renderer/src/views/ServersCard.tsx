// ComfyUI connection: the list of ComfyUI servers, each with its live state, and the one form that adds a
// server or changes one's address (checked with the ComfyUI key before anything is saved). Make primary and
// Remove (asked once) act at once; the proxy restarts in front of the new list.
import { useState } from 'react';
import type { AppStatus } from '../../../preload/contract';
import { Card, Field, StatusDot } from '../components/ui';
import { formatMs } from '../format';
import { useConnectionStore } from '../stores/connectionStore';
import { useMonitorStore } from '../stores/monitorStore';
import { checkNewServer } from './connectionRules';
import { deviceLabel, upstreamReason } from './HomeView';
import { answeringSummary, serverRows, type ServerRow } from './serverRows';

const STATE_WORDS = { up: 'Answering', down: 'Not answering', checking: 'Checking…', unknown: 'Not checked yet' } as const;

function dotOf(row: ServerRow): 'up' | 'down' | 'warn' | 'unknown' {
  if (row.state === 'down') return 'down';
  if (row.matches === false) return 'warn';
  return row.state === 'up' ? 'up' : 'unknown';
}

function facts(row: ServerRow, proxyRunning: boolean): string {
  if (row.state === 'unknown') return proxyRunning ? 'Not checked yet' : 'Not checked while the proxy is paused';
  const parts: string[] = [STATE_WORDS[row.state]];
  if (row.latencyMs !== null) parts.push(formatMs(row.latencyMs));
  if (row.queue !== null && row.state === 'up') parts.push(row.queue === 0 ? 'queue empty' : `${row.queue} in queue`);
  if (row.device) parts.push(deviceLabel(row.device));
  return parts.join(' · ');
}

interface ItemProps {
  row: ServerRow;
  only: boolean;
  proxyRunning: boolean;
  onChange(): void;
}

function ServerItem({ row, only, proxyRunning, onChange }: ItemProps) {
  const { busy, remove, makePrimary } = useConnectionStore();
  const [asking, setAsking] = useState(false);
  return (
    <li className={`server${row.primary ? ' server-primary' : ''}`} data-testid="server-row">
      <StatusDot state={dotOf(row)} label={STATE_WORDS[row.state]} />
      <div className="server-main">
        <div className="server-title">
          <span className="mono ellipsis" title={row.url}>
            {row.url}
          </span>
          {row.primary && !only && <span className="badge badge-primary">Primary</span>}
        </div>
        <div className="server-facts">{facts(row, proxyRunning)}</div>
        {row.state === 'down' && <div className="server-problem">{upstreamReason(row.error)}</div>}
        {row.matches === false && (
          <div className="server-problem server-problem-warn">Other custom nodes or models than the other servers, so it gets no new jobs.{row.problem ? ` ${row.problem}` : ''}</div>
        )}
      </div>
      {asking ? (
        <div className="server-actions" role="group" aria-label={`Remove ${row.url}?`}>
          <span className="small">Remove this server? The proxy restarts.</span>
          <button type="button" className="button button-small button-danger" disabled={busy !== null} onClick={() => void remove(row.url).then(() => setAsking(false))}>
            Remove
          </button>
          <button type="button" className="button button-small" onClick={() => setAsking(false)}>
            Keep
          </button>
        </div>
      ) : (
        <div className="server-actions">
          {!row.primary && (
            <button type="button" className="button button-small" disabled={busy !== null} onClick={() => void makePrimary(row.url)} aria-label={`Make ${row.url} the primary server`}>
              Make primary
            </button>
          )}
          <button type="button" className="button button-small" disabled={busy !== null} onClick={onChange} aria-label={`Change the address of ${row.url}`}>
            Change…
          </button>
          {!only && (
            <button type="button" className="button button-small button-quiet" disabled={busy !== null} onClick={() => setAsking(true)} aria-label={`Remove ${row.url}`}>
              Remove
            </button>
          )}
        </div>
      )}
    </li>
  );
}

export function ServersCard({ status }: { status: AppStatus }) {
  const health = useMonitorStore((s) => s.health);
  const views = useMonitorStore((s) => s.upstreams);
  const { busy, fieldErrors, add, check } = useConnectionStore();
  const [draft, setDraft] = useState('');
  const [replacing, setReplacing] = useState<string | null>(null);
  const urls = status.upstream.urls;
  const rows = serverRows(urls, views, health);
  const several = rows.length > 1;
  const problem = checkNewServer(draft, urls, replacing);
  const running = status.proxy.state === 'running';

  const startChange = (url: string) => {
    setReplacing(url);
    setDraft(url);
  };
  const cancel = () => {
    setReplacing(null);
    setDraft('');
  };
  const submit = async () => {
    if (problem) return;
    if (await add(draft.trim(), replacing ?? undefined)) cancel();
  };

  return (
    <Card
      title={several ? `ComfyUI servers · ${answeringSummary(rows)}` : 'ComfyUI server'}
      className="span-2"
      actions={
        <button type="button" className="button button-small" disabled={busy !== null} onClick={() => void check()}>
          {busy === 'check' ? 'Checking…' : several ? 'Check all' : 'Check now'}
        </button>
      }
    >
      <ul className="servers" aria-label="ComfyUI servers">
        {rows.map((row) => (
          <ServerItem key={row.url} row={row} only={!several} proxyRunning={running} onChange={() => startChange(row.url)} />
        ))}
      </ul>
      <form
        className="form server-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field
          label={replacing ? `New address for ${replacing}` : 'Add a ComfyUI server'}
          hint={
            replacing
              ? 'Checked with the ComfyUI key first; saved only if ComfyUI answers there.'
              : 'Another ComfyUI with the same models and custom nodes, e.g. http://gpu-box:8188. Each job goes to the server with the shortest queue; the proxy checks that their nodes match.'
          }
          error={fieldErrors.url ?? (draft.trim() && problem ? problem : undefined)}
        >
          {(p) => (
            <div className="input-row">
              <input {...p} type="url" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="http://gpu-box:8188" spellCheck={false} autoComplete="off" />
              <button type="submit" className="button button-primary" disabled={busy !== null || !!problem}>
                {busy === 'add' ? 'Checking…' : replacing ? 'Check and save' : 'Check and add'}
              </button>
              {replacing && (
                <button type="button" className="button" onClick={cancel}>
                  Cancel
                </button>
              )}
            </div>
          )}
        </Field>
      </form>
    </Card>
  );
}
