/**
 * The rows of an original-data table the lookups learned on, named by keyed hashes and picked
 * again out of the whole table as a later run reads it: a part of a large table, in the engine's
 * order, read in batches.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SynthesisConfig } from '../../src/shared/config';
import { AppError } from '../../src/shared/errors';
import type { Row, RowBatch } from '../../src/shared/values';
import type { OriginalReader } from '../../src/worker/engine/original-data';
import { heldRows, heldRowsPicker } from '../../src/worker/engine/relational/lookup-rows';
import { createRng } from '../../src/worker/engine/rng';

const TABLE = 'ref.rooms v2';
const config = { tables: { [TABLE]: { primaryKey: ['house', 'room no'] } } } as unknown as SynthesisConfig;

/** 3,000 rooms keyed by (house, room number), text and integer; every row has the same level twice so only the key tells them apart. */
const whole: RowBatch = {
  columns: ['level', 'house', 'room no', 'opened'],
  rows: Array.from({ length: 3000 }, (_, i) => [
    'A',
    `Haus ${String.fromCharCode(65 + (i % 26))}.${Math.floor(i / 26)}`,
    i % 7,
    new Date(Date.UTC(2020, 0, 1 + (i % 300))),
  ]),
};

/** The whole table in batches of 250, as the first run's output gives it. */
const reader = (rows: Row[]): OriginalReader =>
  async function* (table) {
    expect(table).toBe(TABLE);
    for (let i = 0; i < rows.length; i += 250) yield { columns: whole.columns, rows: rows.slice(i, i + 250) };
  };

describe('rows of an original table named by keyed hashes', () => {
  const key = randomBytes(32).toString('hex');
  const rng = createRng(4);
  // A part of the table (the rows the training rows reference and a sample), in the engine's order.
  const part: RowBatch = { columns: whole.columns, rows: Array.from({ length: 700 }, () => whole.rows[rng.int(whole.rows.length)]!) };

  it('picks the same rows, in the same order, out of the whole table read in batches', async () => {
    const stored = heldRows(config, TABLE, part, key);
    expect(stored.columns).toEqual(['house', 'room no']);
    const picked = await heldRowsPicker({ [TABLE]: stored }, key)(TABLE, reader(whole.rows));
    expect(picked).toEqual(part);
    // Keys compared as links compare them: the room numbers read back as text name the same rows.
    const asText = whole.rows.map((r) => [r[0], r[1], String(r[2]), r[3]] as Row);
    const again = await heldRowsPicker({ [TABLE]: stored }, key)(TABLE, reader(asText));
    expect(again!.rows.map((r) => [r[1], Number(r[2])])).toEqual(part.rows.map((r) => [r[1], r[2]]));
    // Tables not stored are held whole (null).
    expect(await heldRowsPicker({ [TABLE]: stored }, key)('other', reader([]))).toBeNull();
  });

  it('names no key in clear, and needs the key the hashes were written under', async () => {
    const stored = heldRows(config, TABLE, part, key);
    const text = JSON.stringify(stored);
    for (const r of part.rows.slice(0, 50)) expect(text).not.toContain(String(r[1]));
    const other = randomBytes(32).toString('hex');
    await expect(heldRowsPicker({ [TABLE]: stored }, other)(TABLE, reader(whole.rows))).rejects.toThrow(AppError);
  });

  it('says which table lacks rows when the output no longer has them', async () => {
    const stored = heldRows(config, TABLE, part, key);
    const gone = new Set(part.rows.slice(0, 3));
    const err = await heldRowsPicker({ [TABLE]: stored }, key)(TABLE, reader(whole.rows.filter((r) => !gone.has(r)))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toContain(`row(s) of the original-data table "${TABLE}"`);
    expect((err as AppError).fix).toContain('Run the synthesis again');
  });
});
