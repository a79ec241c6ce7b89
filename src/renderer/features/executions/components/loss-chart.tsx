import { Group, Text } from '@mantine/core';
import type { LossPoint } from '../live';

const W = 420;
const H = 160;
const PAD = 28;
const COLORS = ['indigo', 'teal', 'grape', 'orange', 'cyan', 'pink', 'lime', 'red'];

function path(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

/** The points of each table, in the order the tables trained (one series per table). */
export function lossSeries(points: LossPoint[]): { table: string; points: LossPoint[] }[] {
  const byTable = new Map<string, LossPoint[]>();
  for (const p of points) {
    const key = p.table ?? '';
    if (!byTable.has(key)) byTable.set(key, []);
    byTable.get(key)!.push(p);
  }
  return [...byTable.entries()].map(([table, pts]) => ({ table, points: pts }));
}

/**
 * Training (solid) and validation (dashed) loss per epoch, one colour per table, each table on
 * its own epoch axis (tables train one after another, for different numbers of epochs).
 */
export function LossChart({ points, finished = false }: { points: LossPoint[]; finished?: boolean }) {
  const values = points.flatMap((p) => [p.trainLoss, p.valLoss]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (points.length < 1 || values.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {finished
          ? 'No training loss to show: this page was opened after training, or the tables were small enough for a statistical model without epochs.'
          : 'The training loss appears here once training starts.'}
      </Text>
    );
  }
  const series = lossSeries(points);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const maxEpoch = Math.max(1, ...points.map((p) => p.epoch));
  const x = (epoch: number) => PAD + ((epoch - 1) / Math.max(maxEpoch - 1, 1)) * (W - PAD - 8);
  const y = (v: number) => 8 + (1 - (v - min) / span) * (H - PAD - 8);
  const line = (pts: LossPoint[], key: 'trainLoss' | 'valLoss') =>
    pts.flatMap((p) => {
      const v = p[key];
      return v === undefined || !Number.isFinite(v) ? [] : [{ x: x(p.epoch), y: y(v) }];
    });
  return (
    <div>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="Training loss chart" style={{ maxWidth: W }}>
        <line x1={PAD} y1={H - PAD} x2={W - 8} y2={H - PAD} stroke="var(--mantine-color-default-border)" />
        <line x1={PAD} y1={8} x2={PAD} y2={H - PAD} stroke="var(--mantine-color-default-border)" />
        <text x={2} y={14} fontSize={10} fill="var(--mantine-color-dimmed)">
          {max.toFixed(2)}
        </text>
        <text x={2} y={H - PAD} fontSize={10} fill="var(--mantine-color-dimmed)">
          {min.toFixed(2)}
        </text>
        <text x={W - 8} y={H - 8} fontSize={10} textAnchor="end" fill="var(--mantine-color-dimmed)">
          epoch {maxEpoch}
        </text>
        {series.map((s, k) => {
          const color = `var(--mantine-color-${COLORS[k % COLORS.length]}-6)`;
          const train = line(s.points, 'trainLoss');
          const val = line(s.points, 'valLoss');
          return (
            <g key={s.table} data-table={s.table} data-epochs={s.points.length}>
              {train.length > 0 ? <path d={path(train)} fill="none" stroke={color} strokeWidth={2} /> : null}
              {val.length > 0 ? <path d={path(val)} fill="none" stroke={color} strokeWidth={1.5} strokeDasharray="4 3" /> : null}
              {/* Dots, so the first epochs (a single point has no line) are visible too. */}
              {s.points.length <= 60 ? train.map((p, i) => <circle key={i} cx={p.x} cy={p.y} r={2.5} fill={color} />) : null}
            </g>
          );
        })}
      </svg>
      <Group gap="md" data-testid="loss-legend">
        {series.map((s, k) => (
          <Text key={s.table} size="xs" c={`${COLORS[k % COLORS.length]}.6`}>
            — {s.table || 'training'}: {s.points.length} epoch{s.points.length === 1 ? '' : 's'}
          </Text>
        ))}
        {points.some((p) => p.valLoss !== undefined) ? (
          <Text size="xs" c="dimmed">
            - - validation
          </Text>
        ) : null}
      </Group>
    </div>
  );
}
