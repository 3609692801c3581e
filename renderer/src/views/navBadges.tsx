// Small live markers next to nav items: only problems and counts worth a glance, never a green
// "all good" dot that could read as "logged in".
import { useCloudStore } from '../stores/cloudStore';
import { useMonitorStore } from '../stores/monitorStore';
import { useStatusStore } from '../stores/statusStore';

export function HomeBadge() {
  const proxy = useStatusStore((s) => s.status?.proxy.state);
  return proxy === 'error' ? <span className="nav-badge nav-badge-error">Not running</span> : null;
}

export function ConnectionBadge() {
  const up = useMonitorStore((s) => s.health?.up);
  return up === false ? <span className="nav-badge nav-badge-error">Down</span> : null;
}

export function KeysBadge() {
  const active = useStatusStore((s) => s.status?.keys.active);
  return active ? <span className="nav-count">{active}</span> : null;
}

export function CloudBadge() {
  const error = useCloudStore((s) => s.error);
  return error?.code === 'unauthorized' ? <span className="nav-badge nav-badge-error">Key refused</span> : null;
}

export function MonitorBadge() {
  const running = useMonitorStore((s) => s.jobs.filter((j) => j.status === 'running').length);
  return running > 0 ? <span className="nav-count nav-count-accent" title={`${running} running`}>{running}</span> : null;
}
