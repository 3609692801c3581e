// Small live markers next to nav items: only problems and counts worth a glance, never a green
// "all good" dot that could read as "logged in".
import { useCloudStore } from '../stores/cloudStore';
import { useMonitorStore } from '../stores/monitorStore';
import { useStatusStore } from '../stores/statusStore';

/** A red dot with its meaning for screen readers and as a tooltip. */
function Alert({ text }: { text: string }) {
  return (
    <span className="nav-alert" title={text}>
      <span className="sr-only">{text}</span>
    </span>
  );
}

export function HomeBadge() {
  const proxy = useStatusStore((s) => s.status?.proxy.state);
  return proxy === 'error' ? <Alert text="The proxy is not running" /> : null;
}

export function ConnectionBadge() {
  const up = useMonitorStore((s) => s.health?.up);
  return up === false ? <Alert text="ComfyUI is down" /> : null;
}

export function KeysBadge() {
  const active = useStatusStore((s) => s.status?.keys.active);
  return active ? <span className="nav-count">{active}</span> : null;
}

export function CloudBadge() {
  const error = useCloudStore((s) => s.error);
  return error?.code === 'unauthorized' ? <Alert text="Comfy Cloud refused the key" /> : null;
}

export function MonitorBadge() {
  const running = useMonitorStore((s) => s.jobs.filter((j) => j.status === 'running').length);
  return running > 0 ? <span className="nav-count nav-count-accent" title={`${running} running`}>{running}</span> : null;
}
