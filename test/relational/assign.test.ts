import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/shared/defaults';
import type { DatasetMetadata, Relationship } from '../../src/shared/metadata';
import type { GenerationPlan } from '../../src/shared/relational-plan';
import type { Row, RowBatch } from '../../src/shared/values';
import { createRng } from '../../src/worker/engine/rng';
import { assignForeignKeys, learnAssignments, learnLookupPools, repairLookups } from '../../src/worker/engine/relational/assign';
import { planFromData, resolveLinks, trainingSubtrees } from '../../src/worker/engine/relational/links';

// account → card, account → trans, and trans → card (nullable): a transaction's card belongs to its own account.
const fk = (childTable: string, childColumn: string, parentTable: string, parentColumn: string): Relationship => ({
  childTable,
  childColumns: [childColumn],
  parentTable,
  parentColumns: [parentColumn],
  origin: 'declared',
});
const meta = (name: string, cols: string[]) => ({
  name,
  primaryKey: [cols[0]!],
  rowCount: 0,
  columns: cols.map((c) => ({ name: c, storageType: 'integer' as const, sdtype: 'id' as const, nullable: true })),
});
const metadata: DatasetMetadata = {
  tables: [meta('account', ['account_id']), meta('card', ['card_id', 'account_id']), meta('trans', ['trans_id', 'account_id', 'card_id'])],
  relationships: [
    fk('card', 'account_id', 'account', 'account_id'),
    fk('trans', 'account_id', 'account', 'account_id'),
    fk('trans', 'card_id', 'card', 'card_id'),
  ],
};

function data(accounts: number): Record<string, RowBatch> {
  const rng = createRng(5);
  const account: Row[] = [];
  const card: Row[] = [];
  const trans: Row[] = [];
  const cardsOf = new Map<number, number[]>();
  for (let a = 1; a <= accounts; a++) {
    account.push([a]);
    const cards = rng.int(3);
    for (let k = 0; k < cards; k++) {
      const id = card.length + 1;
      card.push([id, a]);
      cardsOf.set(a, [...(cardsOf.get(a) ?? []), id]);
    }
    for (let k = 0; k < 4; k++) {
      const own = cardsOf.get(a) ?? [];
      // 30% of transactions have no card; the others use one of the account's own cards.
      trans.push([trans.length + 1, a, own.length && rng.next() > 0.3 ? own[rng.int(own.length)]! : null]);
    }
  }
  return {
    account: { columns: ['account_id'], rows: account },
    card: { columns: ['card_id', 'account_id'], rows: card },
    trans: { columns: ['trans_id', 'account_id', 'card_id'], rows: trans },
  };
}

describe('FKs assigned besides the context', () => {
  it('point at an existing card of the same account, with the real share of empty cards', () => {
    const config = defaultConfig(metadata, { kind: 'sqlite', path: 'x.sqlite' });
    const real = data(300);
    // The card FK is sometimes empty: transactions are generated under their account.
    const plan = planFromData(config, real)!;
    expect(plan.tables.trans!.context?.parentTable).toBe('account');
    expect(plan.tables.trans!.assigned.map((r) => r.parentTable)).toEqual(['card']);
    const sub = trainingSubtrees(plan, real, { seed: 1 });
    const assignments = learnAssignments(plan, sub.rows, sub.parentIdx);
    const a = assignments.trans![0]!;
    expect(a.anchor).toBe('account');
    const realNull = real.trans!.rows.filter((r) => r[2] === null).length / real.trans!.rows.length;
    expect(a.nullRate).toBeCloseTo(realNull, 5);

    // A synthetic database with other sizes: links from generation, FK values to assign.
    const syn = data(500);
    for (const r of syn.trans!.rows) r[2] = -1;
    const links = {
      card: resolveLinks(syn.card!, 'account_id', syn.account!, 'account_id'),
      trans: resolveLinks(syn.trans!, 'account_id', syn.account!, 'account_id'),
    };
    assignForeignKeys(plan, syn, links, assignments, createRng(9));
    const accountOfCard = new Map(syn.card!.rows.map((r) => [r[0], r[1]]));
    const assigned = syn.trans!.rows.filter((r) => r[2] !== null);
    expect(assigned.every((r) => accountOfCard.has(r[2]!))).toBe(true);
    // Same account whenever that account has a card (else any existing card).
    const withCards = assigned.filter((r) => syn.card!.rows.some((c) => c[1] === r[1]));
    expect(withCards.length).toBeGreaterThan(100);
    expect(withCards.every((r) => accountOfCard.get(r[2]!) === r[1])).toBe(true);
    const synNull = syn.trans!.rows.filter((r) => r[2] === null).length / syn.trans!.rows.length;
    expect(Math.abs(synNull - realNull)).toBeLessThan(0.05);
  });
});

describe('composite lookups repaired from what the training rows referenced', () => {
  // Bookings of a slot of the original "ref.slots" (house, slot: text and integer); the key is a category of the model.
  const lookup: Relationship = {
    childTable: 'bookings',
    childColumns: ['house', 'slot'],
    parentTable: 'ref.slots',
    parentColumns: ['house', 'slot'],
    origin: 'declared',
  };
  const plan = {
    roots: ['bookings'],
    order: ['bookings'],
    tables: { bookings: { table: 'bookings', context: null, assigned: [], selfRefs: [], lookups: [lookup], children: [], depth: 0, root: 'bookings' } },
  } as GenerationPlan;
  const slots: RowBatch = { columns: ['house', 'slot', 'size'], rows: ['A.1', 'B.2', 'C.3', 'D.4', 'E.5'].map((h, i) => [h, i + 1, 10 * i]) };
  // Training rows reference A.1/1 60 times, B.2/2 30 times, C.3/3 10 times (the key as text), and 20 have no slot.
  const training: RowBatch = {
    columns: ['house', 'slot', 'amount'],
    rows: [
      ...Array.from({ length: 60 }, (): Row => ['A.1', '1', 5]),
      ...Array.from({ length: 30 }, (): Row => ['B.2', '2', 5]),
      ...Array.from({ length: 10 }, (): Row => ['C.3', '3', 5]),
      ...Array.from({ length: 20 }, (): Row => [null, null, 5]),
    ],
  };

  it('keeps known keys and empty ones, and redraws unknown keys among the referenced rows as often as the training rows referenced them', () => {
    const pools = learnLookupPools(plan, { 'ref.slots': slots }, { bookings: training }, () => false);
    expect(Array.from(pools.bookings![0]!.counts)).toEqual([60, 30, 10, 0, 0]);
    expect(pools.bookings![0]!.realEmpty).toBe(true);
    const rows: Row[] = [['D.4', 4, 1], [null, null, 2], ...Array.from({ length: 3000 }, (): Row => ['Z.9', 9, 3])];
    const out = { bookings: { columns: ['house', 'slot', 'amount'], rows } };
    repairLookups(plan, out, { 'ref.slots': slots }, pools, createRng(8));
    expect(rows[0]).toEqual(['D.4', 4, 1]);
    expect(rows[1]).toEqual([null, null, 2]);
    const redrawn = rows.slice(2);
    const share = (h: string): number => redrawn.filter((r) => r[0] === h).length / redrawn.length;
    expect(share('A.1')).toBeCloseTo(0.6, 1);
    expect(share('B.2')).toBeCloseTo(0.3, 1);
    expect(share('C.3')).toBeCloseTo(0.1, 1);
    // Each redrawn key is a row of the original table, with its own values.
    expect(redrawn.every((r) => slots.rows.some((s) => s[0] === r[0] && s[1] === r[1]))).toBe(true);
  });
});
