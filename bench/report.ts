// Renders bench results as markdown: a header with date, Node version and CPU, then one table per scenario.
import { cpus } from 'node:os';
import type { ScenarioResult } from './scenario';

function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderReport(results: ScenarioResult[], meta: { startedAt: Date; seconds: number; notes: string[] }): string {
  const cpu = cpus();
  const parts = [
    '# Benchmark: auth proxy vs direct vs nginx',
    '',
    `- Date: ${meta.startedAt.toISOString()}`,
    `- Node: ${process.version}`,
    `- CPU: ${cpu[0]?.model ?? 'unknown'} × ${cpu.length}`,
    `- Run time: ${meta.seconds.toFixed(0)} s (\`npm run bench\`)`,
    ...meta.notes.map((n) => `- ${n}`),
  ];
  for (const r of results) {
    parts.push('', `## ${r.title}`, '');
    if (r.headers.length) parts.push(table(r.headers, r.rows));
    for (const note of r.notes ?? []) parts.push('', `_${note}_`);
  }
  return parts.join('\n') + '\n';
}
