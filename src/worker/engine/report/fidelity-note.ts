/**
 * The sentence a report shows when its two fidelity scores disagree: SDMetrics bins each side of
 * a numeric column on that side's own min/max, so a synthetic range narrower than the real one
 * (privacy clipping keeps real extremes out) shifts every bin, while the robust score bins both
 * sides on the real data's quantiles.
 */
import type { ExtremeCheck } from '../evaluate/protection';

/** Scores this far apart (robust above SDMetrics) are called a disagreement. */
export const DISAGREEMENT = 0.02;

/** Share of the real range a synthetic range must span not to count as narrower. */
const NARROW = 0.9;

/** Columns whose synthetic range spans clearly less of the real range. */
export function narrowedColumns(extremes: ExtremeCheck[]): string[] {
  return extremes
    .filter((e) => {
      const span = e.real[1] - e.real[0];
      if (!e.synthetic || span <= 0) return false;
      return e.synthetic[1] - e.synthetic[0] < NARROW * span;
    })
    .map((e) => e.column);
}

export function fidelityNote(sdmetrics: number | null, robust: number | null, extremes: ExtremeCheck[], clipped: (column: string) => boolean): string | null {
  if (sdmetrics === null || robust === null || robust - sdmetrics < DISAGREEMENT) return null;
  const narrowed = narrowedColumns(extremes);
  if (narrowed.length === 0) return null;
  const points = ((robust - sdmetrics) * 100).toFixed(1);
  // Clipping is named only when the engine clipped one of these columns (its effective settings).
  const clipping = narrowed.some(clipped);
  const cols = narrowed.slice(0, 5).join(', ') + (narrowed.length > 5 ? ` and ${narrowed.length - 5} more` : '');
  return (
    `The robust score is ${points} points above the SDMetrics-compatible one because the synthetic range of ${cols} is narrower than the real one` +
    `${clipping ? ' (privacy clipping keeps real extremes out)' : ''}: SDMetrics bins each side on its own minimum and maximum, so every pair with these columns looks shifted, ` +
    'while the robust score bins both sides on the real data and sees the body of the distribution match.'
  );
}
