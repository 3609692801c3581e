// Home's first card: is the proxy reachable, where, and the two things people came for (Open ComfyUI,
// Copy URL). When it cannot listen it says why and offers the fix in place: another port, or retry.
import { useEffect, useState } from 'react';
import type { AppStatus } from '../../../preload/contract';
import { ExternalIcon, PauseIcon, PlayIcon, RefreshIcon } from '../components/icons';
import { CopyButton, StatusDot } from '../components/ui';
import { useMonitorStore } from '../stores/monitorStore';
import { useSettingsStore } from '../stores/settingsStore';
import { openComfyUi, useStatusStore } from '../stores/statusStore';

function PortForm({ current }: { current: number }) {
  const save = useSettingsStore((s) => s.save);
  const saving = useSettingsStore((s) => s.saving);
  const [port, setPort] = useState(String(current + 1));
  const [error, setError] = useState<string | null>(null);
  const n = Number(port);
  const valid = /^\d+$/.test(port) && n >= 1 && n <= 65535;
  return (
    <form
      className="port-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid) return;
        setError(null);
        void save({ listenPort: n }).then((ok) => !ok && setError(useSettingsStore.getState().error ?? 'The port could not be saved.'));
      }}
    >
      <label htmlFor="home-port">Use another port</label>
      <input id="home-port" className="num port-input" inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value.trim())} aria-invalid={!valid} />
      <button type="submit" className="button button-primary" disabled={!valid || saving}>
        Use port {valid ? n : ''}
      </button>
      {!valid && <span className="field-error">A port is a whole number from 1 to 65535.</span>}
      {error && <span className="field-error">{error}</span>}
    </form>
  );
}

export function ProxyHero({ status }: { status: AppStatus }) {
  const { setPaused, busy, error } = useStatusStore();
  const health = useMonitorStore((s) => s.health);
  const [openError, setOpenError] = useState<string | null>(null);
  const proxy = status.proxy;
  useEffect(() => setOpenError(null), [proxy.state]);

  if (proxy.state === 'error' || proxy.state === 'stopped') {
    const title = proxy.error?.code === 'port_in_use' ? `Port ${proxy.port} is already in use` : proxy.state === 'error' ? 'The proxy could not start' : 'The proxy is not running';
    return (
      <section className="hero hero-error" data-testid="proxy-hero" aria-live="polite">
        <div className="hero-status">
          <StatusDot state="down" label="Proxy not running" />
          <span>Not running</span>
        </div>
        <h2 className="hero-title">{title}</h2>
        <p className="hero-text">{proxy.error?.message ?? 'Nothing can reach ComfyUI through the proxy until it runs.'}</p>
        <div className="hero-actions">
          <PortForm key={proxy.port} current={proxy.port} />
          <button type="button" className="button" disabled={busy} onClick={() => void setPaused(false)}>
            <RefreshIcon /> Retry port {proxy.port}
          </button>
        </div>
        {error && <p className="field-error">{error}</p>}
      </section>
    );
  }

  if (proxy.state === 'paused') {
    return (
      <section className="hero hero-paused" data-testid="proxy-hero">
        <div className="hero-status">
          <StatusDot state="warn" label="Proxy paused" />
          <span>Paused</span>
        </div>
        <h2 className="hero-title">The proxy is paused</h2>
        <p className="hero-text">Nothing can reach ComfyUI through it. Keys, sessions and settings are kept; resume to let people back in.</p>
        <div className="hero-actions">
          <button type="button" className="button button-primary" disabled={busy} onClick={() => void setPaused(false)}>
            <PlayIcon /> Resume proxy
          </button>
        </div>
      </section>
    );
  }

  const url = proxy.url ?? '';
  const upstreamDown = health?.up === false;
  return (
    <section className={upstreamDown ? 'hero hero-warn' : 'hero'} data-testid="proxy-hero">
      <div className="hero-status">
        <StatusDot state={upstreamDown ? 'warn' : 'up'} label={upstreamDown ? 'Proxy running, ComfyUI down' : 'Proxy running'} />
        <span>{upstreamDown ? 'Running · ComfyUI is not answering' : 'Running'}</span>
      </div>
      <h2 className="hero-title">
        {upstreamDown ? 'The proxy runs at ' : 'ComfyUI is available at '}
        <span className="hero-url mono">{url}</span>
      </h2>
      <p className="hero-text">
        {upstreamDown
          ? '…but ComfyUI is not answering, so requests through it fail until it is back. See ComfyUI server below.'
          : 'Open it in your browser, or give the address and an access key to people and scripts.'}
      </p>
      <div className="hero-actions">
        <button
          type="button"
          className="button button-primary button-large"
          onClick={() => void openComfyUi().then(setOpenError)}
        >
          <ExternalIcon /> Open ComfyUI
        </button>
        <CopyButton text={url} label="Copy URL" className="button button-large" ariaLabel="Copy the proxy URL" />
        <button type="button" className="button button-large button-quiet" disabled={busy} onClick={() => void setPaused(true)} title="Stop accepting requests until you resume">
          <PauseIcon /> Pause proxy
        </button>
      </div>
      {openError && <p className="field-error">{openError}</p>}
      {error && <p className="field-error">{error}</p>}
    </section>
  );
}
