/**
 * A relational output is generated in family chunks (a range of root rows with every descendant):
 * the chunks generated as separate parts, keys shifted by the parts before, are the output of one
 * pass, row for row; keys are unique and every FK resolves across chunks.
 */
import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../../src/shared/values';
import { activeForeignKeys } from '../../src/shared/config';
import { familyChunkCount, FAMILY_ROOTS, keyShifts, regeneratedKey, shiftKeys } from '../../src/worker/engine/relational/families';
import {
  disposeRelational,
  fitRelational,
  prepareRelational,
  synthesizeFamilies,
  synthesizeRelational,
  type RelationalModel,
} from '../../src/worker/engine/relational/synthesize';
import { familyDb, shopDb, staffDb, type GeneratedDb } from './generated-db';
import { integrity } from './helpers';

async function onePass(model: RelationalModel, rootRows: Record<string, number>): Promise<Record<string, RowBatch>> {
  const out: Record<string, RowBatch> = {};
  await synthesizeRelational(model, {
    rootRows,
    sink: async (t, b) => {
      const dst = (out[t] ??= { columns: b.columns, rows: [] });
      for (const r of b.rows) dst.rows.push(r);
    },
  });
  return out;
}

/** The chunks cut into parts [0, 1), [1, 2), [2, end), each generated on its own and shifted by the keys of the parts before. */
async function inParts(model: RelationalModel, rootRows: Record<string, number>): Promise<Record<string, RowBatch>> {
  const seed = model.prepared.input.config.settings.seed;
  const count = familyChunkCount(rootRows);
  const out: Record<string, RowBatch> = {};
  const offsets: Record<string, number> = {};
  for (const [from, to] of [
    [0, 1],
    [1, 2],
    [2, count],
  ] as const) {
    const part = await synthesizeFamilies(model, { rootRows, seed, from, to });
    shiftKeys(part.shifts, part.tables, offsets);
    for (const [t, b] of Object.entries(part.tables)) {
      const dst = (out[t] ??= { columns: b.columns, rows: [] });
      for (const r of b.rows) dst.rows.push(r);
      offsets[t] = (offsets[t] ?? 0) + part.spans[t]!;
    }
  }
  return out;
}

function distinct(batch: RowBatch, column: string): number {
  const i = batch.columns.indexOf(column);
  return new Set(batch.rows.map((r) => String(r[i]))).size;
}

const cases: [string, () => GeneratedDb, string][] = [
  ['three generations with text keys and a dotted name', () => familyDb(), 'shop.accounts'],
  ['two roots and a matched (non-context) FK', () => shopDb(), 'customers'],
  ['a self-reference', () => staffDb(), 'staff'],
];

describe('relational generation in family chunks', () => {
  it.each(cases)(
    '%s: parts generated separately equal one pass; keys unique, every FK resolves',
    async (_name, make, root) => {
      const db = make();
      const model = await fitRelational(prepareRelational(db));
      try {
        const rootRows = { ...Object.fromEntries(model.prepared.plan.roots.map((t) => [t, 40])), [root]: Math.round(2.5 * FAMILY_ROOTS) };
        expect(familyChunkCount(rootRows)).toBe(3);
        const whole = await onePass(model, rootRows);
        const parts = await inParts(model, rootRows);
        expect(whole[root]!.rows).toHaveLength(rootRows[root]!);
        for (const t of Object.keys(db.tables)) {
          expect(parts[t]!.rows.length, t).toBe(whole[t]!.rows.length);
          expect(parts[t]!.rows, t).toEqual(whole[t]!.rows);
          expect(distinct(whole[t]!, 'id'), `${t} keys`).toBe(whole[t]!.rows.length);
        }
        for (const fk of db.metadata.relationships) expect(integrity(whole, fk), `${fk.childTable}.${fk.childColumns[0]}`).toBe(1);
      } finally {
        disposeRelational(model);
      }
    },
    600_000,
  );
});

describe('keys numbered per chunk, said from the configuration', () => {
  const variants: [string, (db: GeneratedDb) => void, boolean][] = [
    ['ids', () => undefined, true],
    [
      'primary keys typed text and numerical',
      (db) => {
        db.config.tables['shop.accounts']!.columns.id!.sdtype = 'text';
        db.config.tables.orders!.columns.id!.sdtype = 'numerical';
      },
      true,
    ],
    ['a referenced key mocked', (db) => (db.config.tables['shop.accounts']!.columns.id!.treatment = 'mock'), false],
    ['a referenced key kept', (db) => (db.config.tables.orders!.columns.id!.treatment = 'keep'), false],
  ];
  it.each(variants)('%s: every referenced key regenerated exactly when the prepared plans can shift them', (_name, change, numbered) => {
    const db = familyDb();
    change(db);
    const prepared = prepareRelational(db);
    const fks = activeForeignKeys(db.config);
    expect(fks.every((fk) => regeneratedKey(db.config, fk.parentTable, fk.parentColumns[0]!))).toBe(numbered);
    expect('shifts' in keyShifts(db.config, prepared.plan, prepared.prepared)).toBe(numbered);
    // An FK column is overwritten with its parent's key, never numbered itself.
    for (const fk of fks) expect(regeneratedKey(db.config, fk.childTable, fk.childColumns[0]!)).toBe(false);
  });
});
