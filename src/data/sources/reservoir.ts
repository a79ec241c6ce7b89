/**
 * A uniform random sample of at most `cap` rows of a stream of batches (reservoir sampling,
 * Algorithm R): memory holds `cap` rows whatever the stream's length; the same seed and the same
 * stream give the same sample.
 */
import type { Row, RowBatch } from '../../shared/values';
import { createRng, type Rng } from '../../shared/rng';

export class Reservoir {
  private rows: Row[] = [];
  private seen = 0;
  columns: string[] = [];
  private readonly rng: Rng;

  constructor(
    private readonly cap: number,
    seed: number,
  ) {
    this.rng = createRng(seed);
  }

  add(batch: RowBatch): void {
    this.columns = batch.columns;
    for (const r of batch.rows) {
      this.seen++;
      if (this.rows.length < this.cap) this.rows.push(r);
      else {
        const j = this.rng.int(this.seen);
        if (j < this.cap) this.rows[j] = r;
      }
    }
  }

  /** Rows offered so far. */
  get offered(): number {
    return this.seen;
  }

  batch(): RowBatch {
    return { columns: this.columns, rows: this.rows };
  }
}

/** Drains a stream of batches into a reservoir of `cap` rows. */
export async function reservoirOf(stream: AsyncIterable<RowBatch>, cap: number, seed: number, columns: string[] = []): Promise<RowBatch> {
  const r = new Reservoir(cap, seed);
  r.columns = columns;
  for await (const b of stream) r.add(b);
  return r.batch();
}

/**
 * The row indices a Reservoir of `cap` rows keeps over a stream of `total` rows with `seed`, slot
 * by slot: the same draws as `Reservoir.add`, so an engine that reads rows by index gives the
 * sample of the streamed read.
 */
export function reservoirIndices(total: number, cap: number, seed: number): number[] {
  const rng = createRng(seed);
  const out: number[] = [];
  for (let seen = 1; seen <= total; seen++) {
    if (out.length < cap) out.push(seen - 1);
    else {
      const j = rng.int(seen);
      if (j < cap) out[j] = seen - 1;
    }
  }
  return out;
}
