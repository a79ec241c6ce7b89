import { Group, Text } from '@mantine/core';
import type { LossPoint } from '../live';

const W = 420;
const H = 160;
const PAD = 28;

function path(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

/** Training (and validation) loss per epoch, as a small SVG line chart. */
export function LossChart({ points, finished = false }: { points: LossPoint[]; finished?: boolean }) {
  const values = points.flatMap((p) => [p.trainLoss, p.valLoss]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (points.length < 1 || values.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {finished ? 'No training loss to show: this page was opened after training, or the tables were small enough for a statistical model without epochs.' : 'The training loss appears here once training starts.'}
      </Text>
    );
  }
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const n = Math.max(points.length - 1, 1);
  const x = (i: number) => PAD + (i / n) * (W - PAD - 8);
  const y = (v: number) => 8 + (1 - (v - min) / span) * (H - PAD - 8);
  const train = points.map((p, i) => (p.trainLoss === undefined ? null : { x: x(i), y: y(p.trainLoss) })).filter((p): p is { x: number; y: number } => p !== null);
  const val = points.map((p, i) => (p.valLoss === undefined ? null : { x: x(i), y: y(p.valLoss) })).filter((p): p is { x: number; y: number } => p !== null);
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
        <text x={W - 60} y={H - 8} fontSize={10} fill="var(--mantine-color-dimmed)">
          {points.length} epoch{points.length === 1 ? '' : 's'}
        </text>
        {train.length > 0 ? <path d={path(train)} fill="none" stroke="var(--mantine-color-indigo-6)" strokeWidth={2} /> : null}
        {val.length > 0 ? <path d={path(val)} fill="none" stroke="var(--mantine-color-orange-6)" strokeWidth={2} strokeDasharray="4 3" /> : null}
        {/* Dots, so the first epochs (a single point has no line) are visible too. */}
        {points.length <= 60 ? train.map((p, i) => <circle key={`t${i}`} cx={p.x} cy={p.y} r={3} fill="var(--mantine-color-indigo-6)" />) : null}
        {points.length <= 60 ? val.map((p, i) => <circle key={`v${i}`} cx={p.x} cy={p.y} r={3} fill="var(--mantine-color-orange-6)" />) : null}
      </svg>
      <Group gap="md">
        <Text size="xs" c="indigo.6">— training</Text>
        {val.length > 0 ? <Text size="xs" c="orange.6">- - validation</Text> : null}
      </Group>
    </div>
  );
}
