/**
 * Datetimes learned relative to another date: a procedure's start as an offset from its
 * encounter's start (the context parent's first date), an encounter's stop as an offset from its
 * own start (the row's first date). The model sees the instant BASE + offset (still a datetime,
 * so its encoder, clipping and privacy rules apply unchanged); generated values are moved back
 * onto the generated anchor and written in the source's form. Used only where the offsets are
 * tighter than the dates themselves (else the dates are learned as they are) and the anchor is
 * present for (nearly) every value.
 */
import type { SynthesisConfig, TableConfig } from '../../../shared/config';
import type { CellValue, Row, RowBatch } from '../../../shared/values';
import { detectFormat, inputParser, outputFormatter } from '../../../shared/datetime-pattern';
import { quantileSorted } from '../evaluate/sample';
import { granularityOf, toMillis, valueForms } from '../encoders/datetime';
import type { GenerationPlan } from './plan';

export interface RelativeTime {
  column: string;
  /** The anchor's table: the context parent, or null for a date of the same row. */
  parentTable: string | null;
  parentColumn: string;
  /** Rounding of the restored instants (day, second or ms), as in the source. */
  granularity: number;
  /** Source form of the child values: null = Date objects, else a text format ('ISO' or a pattern). */
  format: string | null;
  /** Source form of the parent values, to read them back from the output. */
  parentFormat: string | null;
}

const BASE = Date.UTC(2000, 0, 1);
/** Share of values that may lack their anchor date (they are then learned as missing). */
const MAX_MISSING_ANCHOR = 0.01;

function datetimeColumns(table: TableConfig): string[] {
  return Object.entries(table.columns)
    .filter(([n, c]) => c.included && c.treatment === 'synthesize' && c.sdtype === 'datetime' && !table.primaryKey.includes(n))
    .map(([n]) => n);
}

/** The source form of a column's values: Date objects (null) or the text format. */
function formOf(values: readonly CellValue[]): string | null {
  const { dates, texts } = valueForms(values);
  return dates >= texts.length ? null : (detectFormat(texts) ?? 'ISO');
}

function reader(format: string | null): (v: CellValue | undefined) => number | null {
  const parse = inputParser(format);
  return (v) => {
    const ms = toMillis(v, parse);
    return typeof ms === 'number' ? ms : null;
  };
}

function iqr(values: number[]): number {
  if (values.length < 4) return Infinity;
  const s = Float64Array.from(values).sort();
  return quantileSorted(s, 0.75) - quantileSorted(s, 0.25);
}

/** Offsets of `column` from `anchor` (per row), or null when they are not the better thing to learn. */
function tighterOffsets(values: (number | null)[], anchors: (number | null)[]): number | null {
  const abs: number[] = [];
  const offsets: number[] = [];
  let missing = 0;
  values.forEach((v, i) => {
    if (v === null) return;
    abs.push(v);
    const a = anchors[i];
    if (a === null || a === undefined) missing++;
    else offsets.push(v - a);
  });
  if (abs.length < 10 || missing > MAX_MISSING_ANCHOR * abs.length || iqr(offsets) >= iqr(abs)) return null;
  return granularityOf(abs);
}

/**
 * Which datetime columns are learned relative to an anchor: later dates of a row to the row's
 * first date, else (children) to the context parent's first date.
 */
export function planRelativeTimes(
  config: SynthesisConfig,
  plan: GenerationPlan,
  rows: Record<string, RowBatch>,
  parentIdx: Record<string, Int32Array>,
): Record<string, RelativeTime[]> {
  const out: Record<string, RelativeTime[]> = {};
  // Each table's dates, read once (a parent's first date is its children's anchor).
  const datesOf: Record<string, { column: string; format: string | null; ms: (number | null)[] }[]> = {};
  for (const t of plan.order) {
    out[t] = [];
    // Under DP the dates are learned as they are: the private range selection is planned on them.
    if (config.settings.privacy.differentialPrivacy.enabled) continue;
    const child = rows[t]!;
    const dates = (datesOf[t] = datetimeColumns(config.tables[t]!).map((column) => {
      const ci = child.columns.indexOf(column);
      const format = formOf(child.rows.map((r) => r[ci] ?? null));
      const read = reader(format);
      return { column, format, ms: child.rows.map((r) => read(r[ci])) };
    }));
    const own = dates[0];
    for (const d of dates.slice(1)) {
      const granularity = own ? tighterOffsets(d.ms, own.ms) : null;
      if (granularity !== null)
        out[t].push({ column: d.column, parentTable: null, parentColumn: own!.column, granularity, format: d.format, parentFormat: own!.format });
    }
    const ctx = plan.tables[t]!.context;
    const anchor = ctx ? datesOf[ctx.parentTable]?.[0] : undefined;
    if (!ctx || !anchor) continue;
    const anchors = Array.from(parentIdx[t]!, (p) => (p >= 0 ? anchor.ms[p]! : null));
    for (const d of dates) {
      if (out[t].some((r) => r.column === d.column)) continue;
      const granularity = tighterOffsets(d.ms, anchors);
      if (granularity !== null)
        out[t].push({
          column: d.column,
          parentTable: ctx.parentTable,
          parentColumn: anchor.column,
          granularity,
          format: d.format,
          parentFormat: anchor.format,
        });
    }
  }
  return out;
}

/** The anchor instant of row i: the same row's date (read from `own`) or its parent's. */
function anchorOf(spec: RelativeTime, own: RowBatch, link: Int32Array | null, parent: RowBatch | null): (i: number) => number | null {
  const read = reader(spec.parentFormat);
  if (spec.parentTable === null) {
    const ai = own.columns.indexOf(spec.parentColumn);
    return (i) => read(own.rows[i]![ai]);
  }
  const pi = parent ? parent.columns.indexOf(spec.parentColumn) : -1;
  return (i) => (parent && link && link[i]! >= 0 ? read(parent.rows[link[i]!]![pi]) : null);
}

/** Training rows with the dates as BASE + offset from their anchors (Date objects). */
export function toRelative(batch: RowBatch, link: Int32Array | null, parent: RowBatch | null, specs: RelativeTime[]): RowBatch {
  if (!specs.length) return batch;
  const rows: Row[] = batch.rows.map((r) => [...r]);
  for (const s of specs) {
    const ci = batch.columns.indexOf(s.column);
    const read = reader(s.format);
    // Anchors are read from the untouched rows: a row's first date may itself become relative to its parent.
    const anchor = anchorOf(s, batch, link, parent);
    rows.forEach((r, i) => {
      const v = read(batch.rows[i]![ci]);
      const a = anchor(i);
      r[ci] = v === null || a === null ? null : new Date(BASE + v - a);
    });
  }
  return { columns: batch.columns, rows };
}

/** Generated offsets moved back onto the generated anchors, in the source's form (in place): parent anchors first, then the row's own. */
export function toAbsolute(batch: RowBatch, link: Int32Array | null, parent: RowBatch | null, specs: RelativeTime[]): void {
  const ordered = [...specs.filter((s) => s.parentTable !== null), ...specs.filter((s) => s.parentTable === null)];
  for (const s of ordered) {
    const ci = batch.columns.indexOf(s.column);
    const anchor = anchorOf(s, batch, link, parent);
    const format = outputFormatter(s.format);
    batch.rows.forEach((r, i) => {
      const cell = r[ci];
      const v = cell instanceof Date ? cell.getTime() : typeof cell === 'string' ? Date.parse(cell) : NaN;
      const a = anchor(i);
      if (!Number.isFinite(v) || a === null) {
        r[ci] = null;
        return;
      }
      const ms = Math.round((a + v - BASE) / s.granularity) * s.granularity;
      r[ci] = format ? format(ms) : new Date(ms);
    });
  }
}
