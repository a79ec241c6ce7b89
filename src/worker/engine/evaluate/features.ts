/**
 * Feature matrix for the utility models: standardized numerics (missing → 0 plus a missing flag),
 * datetimes as numbers, categoricals one-hot over their most frequent categories (others and
 * missing share a bucket). Fitted on the real training rows, applied to every batch.
 */
import type { RowBatch } from '../../../shared';
import { categoryKey, columnIndex, continuousValues, isContinuous, type ColumnSpec } from './columns';

const MAX_CATEGORIES = 30;

type ColumnEncoder =
  | { kind: 'num'; spec: ColumnSpec; mean: number; std: number; flag: boolean; offset: number }
  | { kind: 'cat'; spec: ColumnSpec; index: Map<string, number>; offset: number };

export interface Featurizer {
  width: number;
  transform(batch: RowBatch): Float64Array;
}

export function fitFeaturizer(train: RowBatch, columns: ColumnSpec[]): Featurizer {
  const encoders: ColumnEncoder[] = [];
  let offset = 0;
  for (const spec of columns) {
    if (isContinuous(spec.sdtype)) {
      const v = continuousValues(train, spec.name, spec.sdtype);
      let n = 0;
      let sum = 0;
      let sq = 0;
      for (const x of v) {
        if (Number.isNaN(x)) continue;
        n++;
        sum += x;
      }
      const mean = n ? sum / n : 0;
      for (const x of v) if (!Number.isNaN(x)) sq += (x - mean) ** 2;
      const std = n > 1 ? Math.sqrt(sq / (n - 1)) : 0;
      const flag = n < v.length;
      encoders.push({ kind: 'num', spec, mean, std: std > 0 ? std : 1, flag, offset });
      offset += flag ? 2 : 1;
    } else {
      const idx = columnIndex(train, spec.name);
      const counts = new Map<string, number>();
      if (idx >= 0) {
        for (const row of train.rows) {
          const k = categoryKey(row[idx], spec.sdtype);
          if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
        }
      }
      const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_CATEGORIES);
      const index = new Map(top.map(([k], i) => [k, i]));
      encoders.push({ kind: 'cat', spec, index, offset });
      offset += index.size + 1;
    }
  }
  const width = offset;
  return {
    width,
    transform(batch: RowBatch): Float64Array {
      const n = batch.rows.length;
      const x = new Float64Array(n * width);
      for (const enc of encoders) {
        if (enc.kind === 'num') {
          const v = continuousValues(batch, enc.spec.name, enc.spec.sdtype);
          for (let i = 0; i < n; i++) {
            const raw = v[i]!;
            if (Number.isNaN(raw)) {
              if (enc.flag) x[i * width + enc.offset + 1] = 1;
              continue;
            }
            x[i * width + enc.offset] = Math.max(-5, Math.min(5, (raw - enc.mean) / enc.std));
          }
        } else {
          const idx = columnIndex(batch, enc.spec.name);
          for (let i = 0; i < n; i++) {
            const k = idx < 0 ? null : categoryKey(batch.rows[i]![idx], enc.spec.sdtype);
            const pos = k === null ? undefined : enc.index.get(k);
            x[i * width + enc.offset + (pos ?? enc.index.size)] = 1;
          }
        }
      }
      return x;
    },
  };
}
