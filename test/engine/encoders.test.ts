import { describe, expect, it } from 'vitest';
import * as boolean from '../../src/worker/engine/encoders/boolean';
import * as categorical from '../../src/worker/engine/encoders/categorical';
import * as datetime from '../../src/worker/engine/encoders/datetime';
import * as id from '../../src/worker/engine/encoders/id';
import * as numeric from '../../src/worker/engine/encoders/numeric';
import { maskValue } from '../../src/worker/engine/encoders/index';
import { defaultReduceOptions, RARE_TOKEN } from '../../src/worker/engine/encoders/types';
import { createRng } from '../../src/worker/engine/rng';
import type { CellValue } from '../../src/shared/values';
import { QUANTILE_POINTS, discreteOffset } from '../../src/shared/table-stats';

const opts = defaultReduceOptions;

describe('categorical encoder', () => {
  const values: CellValue[] = [...Array(40).fill('a'), ...Array(30).fill('b'), null, null, 'secret-1', 'secret-2', 'secret-2'];

  it('round-trips frequent categories and nulls', () => {
    const spec = categorical.reduce(categorical.analyze(values), opts, createRng(1));
    const tokens = categorical.encode(spec, values);
    const back = categorical.decode(spec, tokens, createRng(2));
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === 'a' || v === 'b' || v === null) expect(back[i]).toBe(v);
    }
    expect(categorical.subColumns(spec, 'c')[0]?.cardinality).toBe(4); // null, rare, a, b
  });

  it('never emits a rare category as itself', () => {
    const spec = categorical.reduce(categorical.analyze(values), opts, createRng(1));
    expect(spec.categories).not.toContain('secret-1');
    const all = Int32Array.from({ length: 4 * 50 }, (_, i) => i % 4);
    const out = categorical.decode(spec, [all], createRng(3));
    expect(out).not.toContain('secret-1');
    expect(out).not.toContain('secret-2');
    // The protected token becomes a value a user can use: a frequent category, never a placeholder.
    expect(out).not.toContain(RARE_TOKEN);
    expect(new Set(out)).toEqual(new Set([null, 'a', 'b']));
  });

  it('fakes a text column whose every category is rare with its mock generator', () => {
    const emails: CellValue[] = Array.from({ length: 30 }, (_, i) => `person${i}@example.org`);
    const spec = categorical.reduce(categorical.analyze(emails), opts, createRng(1));
    expect(spec.categories).toEqual([]);
    const out = categorical.decode(spec, categorical.encode(spec, emails), createRng(4), 'email');
    expect(out.every((v) => typeof v === 'string' && v.includes('@') && v !== RARE_TOKEN)).toBe(true);
    expect(out.some((v) => emails.includes(v))).toBe(false);
  });

  it('decodes rare codes of a numeric-coded column to frequent codes, not a text token', () => {
    const codes: CellValue[] = [...Array(50).fill(1), ...Array(20).fill(2), 9];
    const spec = categorical.reduce(categorical.analyze(codes), opts, createRng(1));
    const out = categorical.decode(spec, categorical.encode(spec, codes), createRng(1));
    expect(new Set(out)).toEqual(new Set([1, 2]));
  });
});

describe('numeric encoder', () => {
  const rng = createRng(7);
  const values: CellValue[] = Array.from({ length: 2000 }, () => Math.round((rng.normal() * 10 + 50) * 100) / 100);
  values.push(...Array(600).fill(0));

  it('round-trips within the bin, keeps precision and point masses', () => {
    const spec = numeric.reduce(numeric.analyze(values), { ...opts, clipTails: false }, createRng(1));
    const tokens = numeric.encode(spec, values);
    const back = numeric.decode(spec, tokens, createRng(2)) as number[];
    expect(spec.decimals).toBe(2);
    for (let i = 0; i < values.length; i++) {
      const b = back[i] as number;
      expect(Number.isFinite(b)).toBe(true);
      expect(Math.round(b * 100) / 100).toBe(b);
      const bin = (tokens[0] as Int32Array)[i] as number;
      expect(b).toBeGreaterThanOrEqual(spec.lo[bin] as number);
      expect(b).toBeLessThanOrEqual(spec.hi[bin] as number);
    }
    expect(back.filter((x) => x === 0).length).toBe(600);
  });

  it('clips extremes hard when tails are off: no value beyond the 6th-8th most extreme real value', () => {
    const withOutlier = [...values, 1e9, -1e9];
    const stats = numeric.analyze(withOutlier);
    const spec = numeric.reduce(stats, { ...opts, clipTails: false }, createRng(1));
    const sorted = stats.sorted;
    const all = Int32Array.from({ length: spec.lo.length * 20 }, (_, i) => i % spec.lo.length);
    const out = numeric.decode(spec, [all], createRng(5)) as number[];
    const max = Math.max(...out);
    const min = Math.min(...out);
    expect(max).toBeLessThanOrEqual(sorted[sorted.length - 6] as number);
    expect(min).toBeGreaterThanOrEqual(sorted[5] as number);
  });

  /** A heavy-tailed amount (log-normal, 2 decimals). */
  const heavy = (n: number, seed: number): number[] => {
    const r = createRng(seed);
    return Array.from({ length: n }, () => Math.round(Math.exp(3 + 1.3 * r.normal()) * 100) / 100);
  };

  it('keeps the tail beyond the clip bound: smooth values past the bound, never a real extreme', () => {
    const real = heavy(5000, 3);
    const stats = numeric.analyze(real);
    const spec = numeric.reduce(stats, opts, createRng(1));
    const sorted = stats.sorted;
    expect(spec.tails?.high).toBeTruthy();
    const bound = spec.clip[1];
    const beyond = new Set(Array.from(sorted).filter((x) => x > bound));
    expect(beyond.size).toBeGreaterThanOrEqual(4);
    // Decode the real tokens ten times over: the share beyond the bound is the real one.
    const tokens = numeric.encode(spec, real);
    const out: number[] = [];
    for (let k = 0; k < 10; k++) out.push(...(numeric.decode(spec, tokens, createRng(10 + k)) as number[]));
    const past = out.filter((x) => x > bound);
    expect(past.length).toBe(10 * real.filter((x) => x > bound).length);
    const max = sorted[sorted.length - 1]!;
    expect(Math.max(...out)).toBeLessThan(max);
    expect(past.some((x) => beyond.has(x))).toBe(false);
    // Smooth, not a point mass at the bound: the values past the bound are spread out.
    expect(new Set(past).size).toBeGreaterThan(0.9 * past.length);
    expect(Math.max(...past)).toBeGreaterThan(bound + 0.25 * (max - bound));
    // The lower side of a log-normal has a short tail: the values below its bound stay close to it.
    const low = spec.tails?.low;
    if (low) expect(Math.min(...out)).toBeGreaterThan(sorted[0]!);
  });

  it('clips hard at a configured quantile (no tail on that side) and with tails off', () => {
    const real = heavy(3000, 4);
    const q = numeric.reduce(numeric.analyze(real), { ...opts, clipUpperQuantile: 0.99 }, createRng(1));
    expect(q.tails?.high ?? null).toBeNull();
    const off = numeric.reduce(numeric.analyze(real), { ...opts, clipTails: false }, createRng(1));
    expect(off.tails).toBeUndefined();
    const out = numeric.decode(off, numeric.encode(off, real), createRng(2)) as number[];
    expect(Math.max(...out)).toBeLessThanOrEqual(off.clip[1]);
  });

  it('keeps integers integral and handles huge numbers and junk without NaN', () => {
    const huge: CellValue[] = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 1e300 : i % 3 === 1 ? -1e300 : i * 1e15));
    huge.push('abc', null);
    const stats = numeric.analyze(huge);
    expect(stats.invalid).toBe(1);
    const spec = numeric.reduce(stats, opts, createRng(1));
    const out = numeric.decode(spec, numeric.encode(spec, huge), createRng(1));
    for (const x of out) if (x !== null) expect(Number.isFinite(x as number)).toBe(true);
    const ints = Array.from({ length: 500 }, (_, i) => i * 3);
    const s2 = numeric.reduce(numeric.analyze(ints), opts, createRng(1));
    const o2 = numeric.decode(s2, numeric.encode(s2, ints), createRng(1)) as number[];
    expect(o2.every((x) => Number.isInteger(x))).toBe(true);
  });

  it("reaches the whole table's range from its quantiles, yet clips where too few rows lie beyond a point and never draws the table's extreme", () => {
    // A table of the amounts 1..n (one row each); the training sample holds only 1..400.
    const sample = Array.from({ length: 400 }, (_, i) => 1 + i);
    const fit = (n: number, rareBelow: number, clip = true): { spec: numeric.NumericSpec; drawn: number[] } => {
      const points = QUANTILE_POINTS.map((p) => discreteOffset(p, n) + 1);
      const spec = numeric.reduce(
        numeric.analyze(sample),
        { ...opts, clip, wholeQuantiles: { points, rows: n }, wholeExtremes: { atMin: 1, atMax: 1, rareBelow } },
        createRng(2),
      );
      const card = numeric.subColumns(spec, 'x')[0]!.cardinality;
      const drawn = numeric.decodeNumbers(spec, [Int32Array.from({ length: 20_000 }, (_, i) => i % card)], createRng(3)) as number[];
      return { spec, drawn };
    };
    // 40,000 rows: the bins reach the 99.5% point (200 rows at or beyond it), far past the sample's 400, and a tail goes on.
    const wide = fit(40_000, 5);
    expect(wide.spec.clip[0]).toBeLessThanOrEqual(200);
    expect(wide.spec.clip[1]).toBe(39_800);
    expect(Math.max(...wide.drawn)).toBeGreaterThan(39_800);
    expect(Math.max(...wide.drawn)).toBeLessThan(40_000);
    // 1,000 rows and 10 rows to be no rare value: 6 rows reach the 99.5% point, too few; the bound is the 99% point (11 rows).
    const narrow = fit(1000, 10);
    expect(narrow.spec.clip[1]).toBe(990);
    expect(Math.max(...narrow.drawn)).toBeLessThan(1000);
    // Without clipping the range stays the sample's.
    expect(Math.max(...fit(40_000, 5, false).drawn)).toBeLessThanOrEqual(400);
  });
});

describe('datetime encoder', () => {
  const days = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2020, 0, 1) + (i % 200) * 86_400_000));

  it('round-trips Date objects as dates at day granularity', () => {
    const stats = datetime.analyze(days);
    const spec = datetime.reduce(stats, opts, createRng(1));
    const out = datetime.decode(spec, datetime.encode(spec, days), createRng(1));
    for (const d of out) {
      expect(d).toBeInstanceOf(Date);
      expect((d as Date).getTime() % 86_400_000).toBe(0);
    }
  });

  it('keeps the text format of the source and clips extremes', () => {
    const texts: CellValue[] = days.map((d) => d.toISOString().slice(0, 10).replace(/-/g, ''));
    texts.push('19000101');
    const spec = datetime.reduce(datetime.analyze(texts), opts, createRng(1));
    expect(spec.format).toBe('YYYYMMDD');
    const all = Int32Array.from({ length: 1000 }, (_, i) => i % spec.inner.lo.length);
    const out = datetime.decode(spec, [all], createRng(1));
    for (const t of out) {
      expect(t).toMatch(/^\d{8}$/);
      expect(t).not.toBe('19000101');
    }
  });

  it('writes in the configured output format', () => {
    const spec = datetime.reduce(datetime.analyze(days), opts, createRng(1), 'DD/MM/YYYY');
    const out = datetime.decode(spec, datetime.encode(spec, days.slice(0, 5)), createRng(1));
    expect(out[0]).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
  });
});

describe('boolean encoder', () => {
  it('round-trips yes/no with missing values, keeping the representation', () => {
    const v: CellValue[] = ['yes', 'no', null, 'yes', 'no', 'no'];
    const spec = boolean.reduce(boolean.analyze(v), opts, createRng(1));
    expect(boolean.decode(spec, boolean.encode(spec, v), createRng(1))).toEqual(v);
  });
});

describe('boolean encoder privacy', () => {
  it('emits only the observed representations, whatever tokens it is given', () => {
    const v: CellValue[] = [true, false, true, null];
    const spec = boolean.reduce(boolean.analyze(v), opts, createRng(1));
    const out = boolean.decode(spec, [Int32Array.from({ length: 50 }, (_, i) => i % 5)], createRng(1));
    for (const x of out) expect([true, false, null]).toContain(x);
  });

  it('protects the rare values of a "boolean" column that holds more than two (a type guessed from a sample)', () => {
    const v: CellValue[] = [...Array<CellValue>(40).fill('No'), ...Array<CellValue>(30).fill('Yes'), 'Steady'];
    const spec = boolean.reduce(boolean.analyze(v), { ...opts, rareThreshold: 5 }, createRng(1));
    const out = boolean.decode(spec, boolean.encode(spec, v), createRng(1));
    expect(out).not.toContain('Steady');
    // A yes/no column keeps even a rare second value.
    const yn: CellValue[] = [...Array<CellValue>(70).fill('No'), 'Yes'];
    const ynSpec = boolean.reduce(boolean.analyze(yn), { ...opts, rareThreshold: 5 }, createRng(1));
    expect(boolean.decode(ynSpec, boolean.encode(ynSpec, yn), createRng(1))).toContain('Yes');
  });
});

describe('id regeneration', () => {
  it('never reuses a real UUID', () => {
    const real = Array.from({ length: 50 }, (_, i) => `3f2b8c1e-6a4d-4c2e-9b1a-${String(i).padStart(12, '0')}`);
    const out = id.generate(id.analyze(real), 5000, 0, createRng(2));
    expect(out.some((x) => real.includes(x as string))).toBe(false);
  });

  it('keeps the format and is unique', () => {
    const ints = id.analyze([5, 6, 9]);
    expect(id.generate(ints, 3, 0, createRng(1))).toEqual([5, 6, 7]);
    const pre = id.analyze(['CUS-0001', 'CUS-0042']);
    expect(id.generate(pre, 2, 10, createRng(1))).toEqual(['CUS-0011', 'CUS-0012']);
    const uu = id.analyze(['3f2b8c1e-6a4d-4c2e-9b1a-0c5d7e8f9a0b']);
    const gen = id.generate(uu, 1000, 0, createRng(1)) as string[];
    expect(new Set(gen).size).toBe(1000);
    expect(gen[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it('masks keep shape but not content', () => {
    expect(maskValue('john@example.com')).toBe('j***@*******.***');
    expect(maskValue(12345)).toBe(10000);
  });
});
