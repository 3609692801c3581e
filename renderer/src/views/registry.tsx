// The window's views in nav order. Adding a view is one entry here (import its component, give it an
// id, a title and an icon); nothing else in the frame names views.
import type { ComponentType, ReactNode } from 'react';
import { ChartIcon, CloudIcon, GearIcon, HomeIcon, KeyIcon, ListIcon, PlugIcon, PulseIcon } from '../components/icons';
import { AuditView } from './AuditView';
import { UsageView } from './UsageView';
import type { ResolvedTheme } from '../theme';
import { CloudView } from './CloudView';
import { ConnectionView } from './ConnectionView';
import { HomeView } from './HomeView';
import { KeysView } from './KeysView';
import { MonitorView } from './MonitorView';
import { CloudBadge, ConnectionBadge, HomeBadge, KeysBadge, MonitorBadge } from './navBadges';
import { SettingsView } from './SettingsView';

export interface ViewContext {
  theme: ResolvedTheme;
}

export interface ViewEntry {
  id: string;
  title: string;
  /** One line under the title saying what the view is for. */
  subtitle: string;
  icon: ComponentType<{ size?: number }>;
  render(ctx: ViewContext): ReactNode;
  /** Live state next to the nav item (a problem, a count); render nothing when all is well. */
  badge?: ComponentType;
}

export const VIEWS: ViewEntry[] = [
  { id: 'home', title: 'Home', subtitle: 'Is it working, and how to use it', icon: HomeIcon, render: () => <HomeView />, badge: HomeBadge },
  { id: 'connection', title: 'ComfyUI connection', subtitle: 'The ComfyUI servers the proxy forwards to, and their key', icon: PlugIcon, render: () => <ConnectionView />, badge: ConnectionBadge },
  { id: 'keys', title: 'Access keys', subtitle: 'Keys you give to people and scripts, each with its own limits', icon: KeyIcon, render: (c) => <KeysView theme={c.theme} />, badge: KeysBadge },
  { id: 'cloud', title: 'Comfy Cloud', subtitle: 'Your Comfy account, for API nodes in ComfyUI', icon: CloudIcon, render: () => <CloudView />, badge: CloudBadge },
  { id: 'monitor', title: 'Monitor', subtitle: 'Live health, jobs and traffic', icon: PulseIcon, render: (c) => <MonitorView theme={c.theme} />, badge: MonitorBadge },
  { id: 'usage', title: 'Usage', subtitle: 'Jobs, GPU time and requests per key and day', icon: ChartIcon, render: (c) => <UsageView theme={c.theme} /> },
  { id: 'audit', title: 'Audit log', subtitle: 'Who changed keys, logged in or out, and changed settings', icon: ListIcon, render: () => <AuditView /> },
  { id: 'settings', title: 'Settings', subtitle: 'Port, tunnels, shared input folders, startup, notifications and appearance', icon: GearIcon, render: () => <SettingsView /> },
];

export function viewById(id: string): ViewEntry {
  return VIEWS.find((v) => v.id === id) ?? (VIEWS[0] as ViewEntry);
}
