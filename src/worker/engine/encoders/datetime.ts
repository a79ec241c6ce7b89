/**
 * Datetime encoding: the instant as a number (epoch ms) through the numeric encoder (quantile
 * bins, extremes clipped), rounded back to the column's granularity (day, second or ms), so
 * every generated date is a valid calendar date. Output keeps the source's form: Date objects
 * back as Date, texts in the column's format (the configured one, the source's, or detected).
 */
import type { CellValue } from '../../../shared/values';
import type { Rng } from '../rng';
import { detectFormat, inputParser, makeParser, outputFormatter } from '../../../shared/datetime-pattern';
import * as numeric from './numeric';
import type { ReduceOptions, SubColumn, Tokens } from './types';

const DAY = 86_400_000;

export interface DatetimeStats {
  numbers: numeric.NumericStats;
  /** Most present values were Date objects. */
  dates: boolean;
  format: string | null;
  granularity: number;
}

export interface DatetimeSpec {
  kind: 'datetime';
  inner: numeric.NumericSpec;
  granularity: number;
  /** null = emit Date objects; else emit text in this format (ISO when the format is 'ISO'). */
  format: string | null;
}

/** A cell as epoch milliseconds (texts read by `parse`, else as ISO), null when empty, 'invalid' when not a datetime. */
export function toMillis(v: CellValue | undefined, parse: ((s: string) => number | null) | null): CellValue {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.getTime();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    if (v.trim() === '') return null;
    const ms = parse ? parse(v) : Date.parse(v);
    return ms === null || Number.isNaN(ms) ? 'invalid' : ms;
  }
  return 'invalid';
}

/** How a column's datetimes are written: the number of Date objects, and up to 200 of its texts (to detect their format from). */
export function valueForms(values: readonly CellValue[]): { dates: number; texts: string[] } {
  let dates = 0;
  const texts: string[] = [];
  for (const v of values) {
    if (v instanceof Date) dates++;
    else if (typeof v === 'string' && texts.length < 200 && v.trim() !== '') texts.push(v);
  }
  return { dates, texts };
}

export function analyze(values: readonly CellValue[], format?: string): DatetimeStats {
  const { dates, texts } = valueForms(values);
  const fmt = format ?? detectFormat(texts);
  const parse = fmt ? makeParser(fmt) : null;
  const numbers = numeric.analyze(values.map((v) => toMillis(v, parse)));
  const present = numbers.n - numbers.nulls;
  return { numbers, dates: present > 0 && dates >= present / 2, format: fmt, granularity: granularityOf(numbers.sorted) };
}

/** The rounding every instant (epoch ms) has: a day, a second, else a millisecond. */
export function granularityOf(instants: Iterable<number>): number {
  let granularity = DAY;
  for (const x of instants) {
    if (granularity === DAY && x % DAY !== 0) granularity = 1000;
    if (granularity === 1000 && x % 1000 !== 0) return 1;
  }
  return granularity;
}

export function reduce(stats: DatetimeStats, opts: ReduceOptions, rng: Rng, outputFormat?: string): DatetimeSpec {
  const inner = numeric.reduce(stats.numbers, { ...opts, precision: 0 }, rng);
  inner.asString = false;
  return { kind: 'datetime', inner, granularity: stats.granularity, format: outputFormat ?? (stats.dates ? null : (stats.format ?? 'ISO')) };
}

export function subColumns(spec: DatetimeSpec, name: string): SubColumn[] {
  return numeric.subColumns(spec.inner, name);
}

export function encode(spec: DatetimeSpec, values: readonly CellValue[]): Tokens {
  const parse = inputParser(spec.format);
  return numeric.encodeNumbers(
    spec.inner,
    values.map((v) => {
      const ms = toMillis(v, parse);
      return typeof ms === 'number' ? ms : null;
    }),
  );
}

/** The instants (epoch ms) of a column's values as this spec reads them (null when missing or unreadable); used by the DP range/bin selection. */
export function millisOf(spec: DatetimeSpec, values: readonly CellValue[]): (number | null)[] {
  const parse = inputParser(spec.format);
  return values.map((v) => {
    const ms = toMillis(v, parse);
    return typeof ms === 'number' ? ms : null;
  });
}

export function decode(spec: DatetimeSpec, tokens: Tokens, rng: Rng): CellValue[] {
  const nums = numeric.decodeNumbers(spec.inner, tokens, rng);
  const g = spec.granularity;
  const fmt = outputFormatter(spec.format);
  return nums.map((x) => {
    if (x === null) return null;
    const ms = g > 1 ? Math.round(x / g) * g : Math.round(x);
    return fmt ? fmt(ms) : new Date(ms);
  });
}
