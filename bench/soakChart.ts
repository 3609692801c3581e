// The soak's chart: one SVG of stacked panels over time (memory, open files, event-loop delay, the largest
// maps, request rate), with the end of the warm-up and the end of the load marked. Hand-written SVG: no
// chart library in the bench, and the file is readable as text.

export interface Series {
  label: string;
  color: string;
  points: readonly (readonly [number, number])[];
}

export interface Panel {
  title: string;
  unit: string;
  series: Series[];
}

const W = 960;
const PANEL_H = 120;
const LEFT = 70;
const RIGHT = 170;
const TOP = 28;
const GAP = 34;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

export function renderChart(title: string, panels: readonly Panel[], marks: readonly { t: number; label: string }[], endT: number): string {
  const bottom = TOP + (panels.length - 1) * (PANEL_H + GAP) + 14 + PANEL_H;
  const height = bottom + 40;
  const plotW = W - LEFT - RIGHT;
  const x = (t: number) => LEFT + (endT > 0 ? (t / endT) * plotW : 0);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  panels.forEach((panel, i) => {
    const top = TOP + i * (PANEL_H + GAP) + 14;
    const values = panel.series.flatMap((s) => s.points.map((p) => p[1]));
    const max = Math.max(1e-9, ...values) * 1.1;
    const min = Math.min(0, ...values);
    const y = (v: number) => top + PANEL_H - ((v - min) / (max - min)) * PANEL_H;
    parts.push(`<text x="${LEFT}" y="${top - 4}" font-weight="bold">${esc(panel.title)} (${esc(panel.unit)})</text>`);
    parts.push(`<rect x="${LEFT}" y="${top}" width="${plotW}" height="${PANEL_H}" fill="#fafafa" stroke="#cccccc"/>`);
    for (const f of [0, 0.5, 1]) {
      const v = min + f * (max - min);
      parts.push(`<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#e4e4e4"/>`);
      parts.push(`<text x="${LEFT - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555555">${fmt(v)}</text>`);
    }
    for (const m of marks) parts.push(`<line x1="${x(m.t)}" x2="${x(m.t)}" y1="${top}" y2="${top + PANEL_H}" stroke="#999999" stroke-dasharray="4 3"/>`);
    panel.series.forEach((s, j) => {
      if (s.points.length > 0) {
        const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
        parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"/>`);
      }
      const last = s.points.at(-1)?.[1];
      const ly = top + 12 + j * 15;
      parts.push(`<line x1="${LEFT + plotW + 10}" x2="${LEFT + plotW + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`);
      parts.push(`<text x="${LEFT + plotW + 28}" y="${ly}">${esc(s.label)}${last === undefined ? '' : ` ${fmt(last)}`}</text>`);
    });
  });
  for (let t = 0; t <= endT; t += endT > 1200 ? 300 : 60) parts.push(`<text x="${x(t)}" y="${bottom + 14}" text-anchor="middle" fill="#555555">${Math.round(t / 60)} min</text>`);
  for (const m of marks) parts.push(`<text x="${x(m.t)}" y="${bottom + 30}" text-anchor="middle" fill="#666666">↑ ${esc(m.label)}</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
