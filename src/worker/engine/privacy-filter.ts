/**
 * Privacy filter: a synthetic row may not equal a training row on every modelled column unless
 * that combination is common in the training data (>= k occurrences, k = the rare-category
 * threshold). Rows that do are redrawn by the sampler.
 *
 * The filter holds no real values: each rare training row is kept as a keyed hash
 * (HMAC-SHA256 of its row key under the execution's artifact key, 16 bytes), so it can be
 * written to the run's artifacts (`toArtifact`) and checked again by a later generation from
 * those artifacts alone (`fromArtifact`, given the same key). Without a key (tests, one-off
 * runs) a random one is drawn and the filter lives in memory only.
 *
 * Checking a row is cheap: a row can only be a copy if its value in the PIVOT column (the one
 * with the most distinct values among the rare training rows) falls in a bucket of theirs (a
 * keyed 24-bit hash, a Set lookup); only those rows build the full key and its HMAC.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { CellValue, Row } from '../../shared/values';
import { categoryKey } from './encoders/categorical';

export function rowKey(row: readonly CellValue[], positions: readonly number[]): string {
  let key = '';
  for (const p of positions) key += (categoryKey(row[p] ?? null) ?? '\u0000') + '\u0001';
  return key;
}

/** Bits of the pivot buckets: few enough that a bucket names no value, enough that few rows need a full check. */
const BUCKET_BITS = 24;
const DIGEST_BYTES = 16;

/** The written form of a filter (no real values: keyed hashes only). */
export const copyFilterArtifactSchema = z.object({
  /** Position (in `positions`) of the pivot column, -1 without one. */
  pivot: z.number().int(),
  positions: z.array(z.number().int()),
  /** Sorted pivot buckets, base64 of little-endian uint32. */
  buckets: z.string(),
  /** Rare row hashes, base64 of concatenated 16-byte digests. */
  rows: z.string(),
});
export type CopyFilterArtifact = z.infer<typeof copyFilterArtifactSchema>;

/** The pivot's text for a cell: equal whenever the cells' categoryKey is (numbers by SameValueZero, Dates by time). */
function pivotText(v: CellValue | undefined): string {
  return categoryKey(v ?? null) ?? '\u0000';
}

/** A keyed 32-bit FNV-1a of a text, cut to BUCKET_BITS (a prefilter only: a full HMAC decides). */
function bucketOf(seed: number, text: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  return h & ((1 << BUCKET_BITS) - 1);
}

export class CopyFilter {
  private readonly bucketSeed: number;

  private constructor(
    private readonly key: Buffer,
    private readonly rare: Set<string>,
    private readonly positions: number[],
    /** Index into `positions` of the pivot column and the buckets of its values in the rare rows. */
    private readonly pivot: number = -1,
    private readonly buckets: Set<number> = new Set(),
  ) {
    this.bucketSeed = createHmac('sha256', key).update('pivot').digest().readUInt32LE(0);
  }

  /** No filtering (filter disabled, or nothing modelled). */
  static none(): CopyFilter {
    return new CopyFilter(randomBytes(32), new Set(), []);
  }

  /**
   * From the training values of the modelled columns (column-major, aligned with `positions`,
   * the positions of those columns in output rows). `key`: the execution's artifact key (hex);
   * absent, a random in-memory one.
   */
  static fromColumns(values: readonly (readonly CellValue[])[], positions: number[], k: number, key?: string): CopyFilter {
    const secret = key ? Buffer.from(key, 'hex') : randomBytes(32);
    if (values.length === 0) return new CopyFilter(secret, new Set(), []);
    const n = values[0]?.length ?? 0;
    const counts = new Map<string, number>();
    const keys: string[] = new Array(n);
    const row: CellValue[] = new Array(values.length);
    const idx = values.map((_, i) => i);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < values.length; c++) row[c] = values[c]?.[r] ?? null;
      const key = rowKey(row, idx);
      keys[r] = key;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const rare = new Set<string>();
    for (const [key, c] of counts) if (c < k) rare.add(hashRow(secret, key));
    if (rare.size === 0) return new CopyFilter(secret, rare, positions);
    const rareRows: number[] = [];
    for (let r = 0; r < n; r++) if ((counts.get(keys[r] as string) ?? 0) < k) rareRows.push(r);
    // The pivot: the column whose values among the rare rows are the most diverse.
    let pivot = 0;
    let most = -1;
    values.forEach((col, c) => {
      const set = new Set<string>();
      for (const r of rareRows) set.add(pivotText(col[r]));
      if (set.size > most) {
        pivot = c;
        most = set.size;
      }
    });
    const filter = new CopyFilter(secret, rare, positions, pivot);
    for (const r of rareRows) filter.buckets.add(bucketOf(filter.bucketSeed, pivotText(values[pivot]?.[r])));
    return filter;
  }

  static fromPrepared(prepared: { copyFilter?: CopyFilter }): CopyFilter {
    return prepared.copyFilter ?? CopyFilter.none();
  }

  /** The filter as written to the artifacts: positions, pivot buckets and row hashes. */
  toArtifact(): CopyFilterArtifact {
    const buckets = Uint32Array.from([...this.buckets].sort((a, b) => a - b));
    const rows = Buffer.concat([...this.rare].sort().map((h) => Buffer.from(h, 'base64')));
    return {
      pivot: this.pivot,
      positions: [...this.positions],
      buckets: Buffer.from(buckets.buffer, buckets.byteOffset, buckets.byteLength).toString('base64'),
      rows: rows.toString('base64'),
    };
  }

  /** A filter read back from the artifacts; `key` must be the key it was written under. */
  static fromArtifact(artifact: CopyFilterArtifact, key: string): CopyFilter {
    const rows = Buffer.from(artifact.rows, 'base64');
    const rare = new Set<string>();
    for (let o = 0; o + DIGEST_BYTES <= rows.length; o += DIGEST_BYTES) rare.add(rows.subarray(o, o + DIGEST_BYTES).toString('base64'));
    const b = Buffer.from(artifact.buckets, 'base64');
    const buckets = new Set<number>();
    for (let o = 0; o + 4 <= b.length; o += 4) buckets.add(b.readUInt32LE(o));
    return new CopyFilter(Buffer.from(key, 'hex'), rare, artifact.positions, artifact.pivot, buckets);
  }

  private mayBeCopy(value: CellValue | undefined): boolean {
    return this.pivot < 0 || this.buckets.has(bucketOf(this.bucketSeed, pivotText(value)));
  }

  /** True when the row equals a rare training row on every modelled column. */
  isCopy(row: Row): boolean {
    if (this.rare.size === 0 || this.positions.length === 0) return false;
    if (!this.mayBeCopy(row[this.positions[this.pivot] as number])) return false;
    return this.rare.has(hashRow(this.key, rowKey(row, this.positions)));
  }

  /** Same as isCopy for row r of column-major output (`cols[p]` = the column at output position p). */
  isCopyAt(cols: readonly (readonly CellValue[])[], r: number): boolean {
    if (this.rare.size === 0 || this.positions.length === 0) return false;
    if (!this.mayBeCopy(cols[this.positions[this.pivot] as number]?.[r])) return false;
    let key = '';
    for (const p of this.positions) key += (categoryKey(cols[p]?.[r] ?? null) ?? '\u0000') + '\u0001';
    return this.rare.has(hashRow(this.key, key));
  }

  get size(): number {
    return this.rare.size;
  }
}

function hashRow(key: Buffer, rowKeyText: string): string {
  return createHmac('sha256', key).update(rowKeyText).digest().subarray(0, DIGEST_BYTES).toString('base64');
}
