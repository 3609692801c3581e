// The first-run path on Home: connect ComfyUI → create an access key → open ComfyUI. Each step says
// what is left and offers the action; the card goes away for good once all three are done (or closed).
import { useState, type ReactNode } from 'react';
import type { AppStatus } from '../../../preload/contract';
import { CheckIcon } from '../components/icons';
import { openComfyUi, useStatusStore } from '../stores/statusStore';
import { useUiStore } from '../stores/uiStore';

function Step({ n, done, title, children, action }: { n: number; done: boolean; title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <li className={done ? 'step step-done' : 'step'}>
      <span className="step-mark" aria-hidden="true">
        {done ? <CheckIcon size={12} /> : n}
      </span>
      <div className="step-body">
        <div className="step-title">
          {title}
          <span className="sr-only">{done ? ' (done)' : ' (to do)'}</span>
        </div>
        <div className="step-text">{children}</div>
      </div>
      {!done && action && <div className="step-action">{action}</div>}
    </li>
  );
}

export function SetupChecklist({ status }: { status: AppStatus }) {
  const setView = useUiStore((s) => s.setView);
  const dismiss = useStatusStore((s) => s.dismissSetup);
  const [openError, setOpenError] = useState<string | null>(null);
  const s = status.setup;
  if (s.dismissed) return null;
  const done = [s.upstreamConnected, s.keyCreated, s.comfyOpened].filter(Boolean).length;
  const running = status.proxy.state === 'running';
  // The first step not done yet gets the primary button.
  const next = !s.upstreamConnected ? 1 : !s.keyCreated ? 2 : 3;
  const cls = (n: number) => (n === next ? 'button button-primary' : 'button');

  return (
    <section className="card checklist" aria-label="Get started" data-testid="setup-checklist">
      <header className="card-header">
        <h3>
          Get started <span className="muted checklist-count">{done} of 3 done</span>
        </h3>
        <button type="button" className="button button-small button-quiet" onClick={() => void dismiss()}>
          Hide
        </button>
      </header>
      <ol className="steps">
        <Step
          n={1}
          done={s.upstreamConnected}
          title="Connect ComfyUI"
          action={
            <button type="button" className={cls(1)} onClick={() => setView('connection')}>
              Connect
            </button>
          }
        >
          {s.upstreamConnected ? `ComfyUI answers at ${status.upstream.url}.` : `Tell the app where ComfyUI runs. Nothing answers at ${status.upstream.url} yet.`}
        </Step>
        <Step
          n={2}
          done={s.keyCreated}
          title="Create an access key"
          action={
            <button type="button" className={cls(2)} onClick={() => setView('keys', 'create-key')}>
              Create a key
            </button>
          }
        >
          One key per person or script: each gets its own limits, and you can disable or revoke it at any time.
        </Step>
        <Step
          n={3}
          done={s.comfyOpened}
          title="Open ComfyUI through the proxy"
          action={
            <button type="button" className={cls(3)} disabled={!running} onClick={() => void openComfyUi().then(setOpenError)}>
              Open ComfyUI
            </button>
          }
        >
          {openError ?? 'It opens in your browser; sign in once with an access key.'}
        </Step>
      </ol>
    </section>
  );
}
