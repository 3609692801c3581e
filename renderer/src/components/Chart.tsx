// A uPlot time-series chart sized to its container. Colours come from CSS variables, so the chart
// is rebuilt when the theme changes; data updates reuse the instance (cheap, no re-layout).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar, type ResolvedTheme } from '../theme';

export interface ChartSeries {
  label: string;
  /** CSS variable holding the colour, e.g. '--chart-1'. */
  color: string;
  fill?: boolean;
  /** Stacked bars look better for counts; lines for levels. */
  bars?: boolean;
}

interface ChartProps {
  title: string;
  data: uPlot.AlignedData;
  series: ChartSeries[];
  height?: number;
  theme: ResolvedTheme;
  formatY?: (v: number) => string;
  /** Fixed y range minimum (e.g. 0). */
  yMin?: number;
  /** Fixed y range maximum (e.g. the GPU's total memory); else 10 % above the data. */
  yMax?: number;
  /** x values are epoch seconds unless `categorical`. */
  categorical?: string[];
  /** Minimum visible time span, seconds (time axes). */
  minSpanS?: number;
}

/** 24-hour "19:39:05": short enough that the last tick's label fits in the right padding. */
function formatClock(epochS: number, withSeconds: boolean): string {
  return new Date(epochS * 1000).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', ...(withSeconds ? { second: '2-digit' } : {}), hour12: false });
}

function canDraw(): boolean {
  try {
    return typeof HTMLCanvasElement !== 'undefined' && document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

export function Chart({ title, data, series, height = 160, theme, formatY, yMin = 0, yMax, categorical, minSpanS = 60 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  dataRef.current = data;
  const drawable = useRef(canDraw());

  useEffect(() => {
    const el = box.current;
    if (!el || !drawable.current) return;
    const axis = cssVar('--text-muted');
    const grid = cssVar('--border');
    const bars = uPlot.paths.bars?.({ size: [0.6, 24] });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: false },
      // Room on the right for half of the last time label, which uPlot centres on the axis end.
      padding: [8, 34, 0, 0],
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        // Categories get half a slot of padding so edge bars are whole. A time axis starts at the
        // first sample and spans at least minSpanS, so a fresh chart fills from the left instead of
        // squeezing its few points against the right edge, and ticks never get sub-second.
        x: categorical
          ? { time: false, range: [-0.5, categorical.length - 0.5] }
          : { time: true, range: (_u, min, max) => [min, Math.max(max, min + minSpanS)] },
        y: { range: (_u, _min, max) => [yMin, yMax ?? Math.max(max * 1.1, yMin + 1)] },
      },
      axes: [
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, show: !categorical },
          font: '11px system-ui',
          ...(categorical
            ? { values: (_u: uPlot, vals: number[]) => vals.map((v) => (Number.isInteger(v) ? (categorical[v] ?? '') : '')) }
            : {
                values: (_u: uPlot, vals: number[]) => {
                  const step = vals.length > 1 ? (vals[1] as number) - (vals[0] as number) : 60;
                  return vals.map((v) => formatClock(v, step < 60));
                },
                space: 80,
              }),
        },
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          font: '11px system-ui',
          size: 56,
          values: (_u: uPlot, vals: number[]) => vals.map((v) => (formatY ? formatY(v) : String(v))),
        },
      ],
      series: [
        {},
        ...series.map((s) => {
          const color = cssVar(s.color);
          return {
            label: s.label,
            stroke: color,
            width: s.bars ? 0 : 1.5,
            fill: s.fill || s.bars ? `${color}${s.bars ? 'cc' : '33'}` : undefined,
            points: { show: false },
            ...(s.bars && bars ? { paths: bars } : {}),
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatY ? formatY(v) : String(v)),
          };
        }),
      ],
    };
    const u = new uPlot(opts, dataRef.current, el);
    plot.current = u;
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height })) : null;
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when the look changes; data flows through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [theme, height, yMax, series.map((s) => s.label + s.color).join(), categorical?.join()]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart-box" style={{ minHeight: height + 30 }}>
        {!drawable.current && <span className="sr-only">{title}</span>}
      </div>
    </figure>
  );
}
