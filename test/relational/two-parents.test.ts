/**
 * Two synthesized parents: sakila's rentals under their customer (the context: many rentals per
 * customer) and their inventory item (matched after generation), built small from the shared CSVs.
 * A rental's amount paid depends on the film of its inventory item (its rental rate) and on its
 * customer's tier (customers paying more on average).
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { buildPlan, metadataHints } from '../../src/shared/relational-plan';
import { planFromData } from '../../src/worker/engine/relational/links';
import type { Row, RowBatch } from '../../src/shared/values';
import { validateConfig } from '../../src/shared/validation';
import { ksComplement } from '../../src/worker/engine/evaluate/stats';
import { datasetPath } from '../helpers/datasets';
import { assemble, fk, type GeneratedDb } from './generated-db';
import { childCounts, column, integrity, synthesizeInMemory } from './helpers';

const csv = (name: string): Record<string, string>[] =>
  parse(fs.readFileSync(datasetPath('sakila', 'csv', `${name}.csv`)), { columns: true }) as Record<string, string>[];

/** The first `customers` customers with all their rentals, the inventory items they rented and a few more. */
function sakilaRentals(customers = 110): GeneratedDb {
  const film = new Map(csv('film').map((f) => [f.film_id!, f]));
  const paid = new Map<string, number>();
  for (const p of csv('payment')) if (p.rental_id) paid.set(p.rental_id, (paid.get(p.rental_id) ?? 0) + Number(p.amount));
  const kept = new Set(
    csv('customer')
      .map((c) => Number(c.customer_id))
      .sort((a, b) => a - b)
      .slice(0, customers)
      .map(String),
  );
  const rentals = csv('rental').filter((r) => kept.has(r.customer_id!) && r.return_date && paid.has(r.rental_id!));
  const day = 86_400_000;
  const rentalRows: Row[] = rentals.map((r) => [
    Number(r.rental_id),
    Number(r.customer_id),
    Number(r.inventory_id),
    Math.round((Date.parse(r.return_date!) - Date.parse(r.rental_date!)) / day),
    Math.round(paid.get(r.rental_id!)! * 100) / 100,
  ]);
  // A customer's tier: paying more than the median customer on average.
  const mean = new Map<string, number[]>();
  for (const r of rentals) mean.set(r.customer_id!, [...(mean.get(r.customer_id!) ?? []), paid.get(r.rental_id!)!]);
  const avg = [...mean.entries()].map(([c, xs]) => [c, xs.reduce((a, b) => a + b, 0) / xs.length] as const);
  const median = [...avg].map(([, x]) => x).sort((a, b) => a - b)[Math.floor(avg.length / 2)]!;
  const customerRows: Row[] = csv('customer')
    .filter((c) => kept.has(c.customer_id!))
    .map((c) => [Number(c.customer_id), Number(c.store_id), (avg.find(([k]) => k === c.customer_id)?.[1] ?? 0) > median ? 'high' : 'low']);
  const rented = new Set(rentals.map((r) => r.inventory_id!));
  const inventoryRows: Row[] = csv('inventory')
    .filter((i) => rented.has(i.inventory_id!) || Number(i.inventory_id) % 10 === 0)
    .map((i) => {
      const f = film.get(i.film_id!)!;
      return [Number(i.inventory_id), Number(i.store_id), Number(f.rental_duration), Number(f.rental_rate)];
    });
  const db = assemble(
    [
      {
        name: 'customer',
        cols: [
          ['id', 'integer', 'id'],
          ['store_id', 'integer', 'categorical'],
          ['tier', 'string', 'categorical'],
        ],
        rows: customerRows,
      },
      {
        name: 'inventory',
        cols: [
          ['id', 'integer', 'id'],
          ['store_id', 'integer', 'categorical'],
          ['rental_duration', 'integer', 'numerical'],
          ['rental_rate', 'float', 'numerical'],
        ],
        rows: inventoryRows,
      },
      {
        name: 'rental',
        cols: [
          ['id', 'integer', 'id'],
          ['customer_id', 'integer', 'id'],
          ['inventory_id', 'integer', 'id'],
          ['days', 'integer', 'numerical'],
          ['amount', 'float', 'numerical'],
        ],
        rows: rentalRows,
      },
    ],
    [fk('rental', 'customer_id', 'customer'), fk('rental', 'inventory_id', 'inventory')],
  );
  db.config.settings.epochs = 4;
  return db;
}

const correlation = (x: number[], y: number[]): number => {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
};

/** Rental columns joined with a parent column along an FK. */
function joined(tables: Record<string, RowBatch>, child: string, fkColumn: string, parent: string, parentColumn: string): { child: Row[]; parent: unknown[] } {
  const p = tables[parent]!;
  const byId = new Map(p.rows.map((r) => [String(r[0]), r[p.columns.indexOf(parentColumn)]]));
  const c = tables[child]!;
  const ci = c.columns.indexOf(fkColumn);
  const rows = c.rows.filter((r) => byId.has(String(r[ci])));
  return { child: rows, parent: rows.map((r) => byId.get(String(r[ci]))) };
}

describe('a child under two synthesized parents (sakila rentals under customers and inventory)', () => {
  it('keeps the rentals under their customer, matches their inventory item, and keeps what depends on each', async () => {
    const db = sakilaRentals();
    expect(validateConfig(db.config, db.metadata).filter((p) => p.severity === 'error')).toEqual([]);
    // The context: the parent with the most children per row (a customer's ~27 rentals, an item's ~1.5), for the engine and the schema graph alike.
    const plan = planFromData(db.config, db.tables)!;
    expect(plan.roots).toEqual(['customer', 'inventory']);
    expect(plan.tables.rental!.context?.parentTable).toBe('customer');
    expect(plan.tables.rental!.assigned.map((f) => f.parentTable)).toEqual(['inventory']);
    const reversed = { ...db.metadata, relationships: [...db.metadata.relationships].reverse() };
    const drawn = buildPlan({ ...db.config, foreignKeys: [...db.config.foreignKeys].reverse() }, metadataHints(reversed))!;
    expect(drawn.tables.rental!.context?.parentTable).toBe('customer');
    const out = await synthesizeInMemory(db);
    for (const f of db.config.foreignKeys) expect(integrity(out, f), f.childColumns[0]).toBe(1);
    // Each customer's and each item's number of rentals follows the data.
    for (const f of db.config.foreignKeys) {
      const ks = ksComplement(Float64Array.from(childCounts(db.tables, f)), Float64Array.from(childCounts(out, f)));
      expect(ks, f.childColumns[0]).toBeGreaterThanOrEqual(0.85);
    }
    const rc = (t: Record<string, RowBatch>, name: string) => t.rental!.columns.indexOf(name);
    // Through the inventory item: the amount follows the film's rental rate.
    for (const [col, parentCol] of [['amount', 'rental_rate']] as const) {
      const r = joined(db.tables, 'rental', 'inventory_id', 'inventory', parentCol);
      const s = joined(out, 'rental', 'inventory_id', 'inventory', parentCol);
      const real = correlation(
        r.child.map((x) => Number(x[rc(db.tables, col)])),
        r.parent.map(Number),
      );
      const syn = correlation(
        s.child.map((x) => Number(x[rc(out, col)])),
        s.parent.map(Number),
      );
      expect(real, `${col} ~ ${parentCol}`).toBeGreaterThan(0.2);
      expect(Math.abs(syn - real), `${col} ~ ${parentCol}: real ${real.toFixed(3)}, synthetic ${syn.toFixed(3)}`).toBeLessThan(0.15);
    }
    // Through the customer: high-tier customers pay more per rental.
    const gap = (t: Record<string, RowBatch>): number => {
      const j = joined(t, 'rental', 'customer_id', 'customer', 'tier');
      const mean = (tier: string) => {
        const xs = j.child.filter((_, k) => j.parent[k] === tier).map((x) => Number(x[rc(t, 'amount')]));
        return xs.reduce((a, b) => a + b, 0) / xs.length;
      };
      return mean('high') - mean('low');
    };
    expect(gap(db.tables)).toBeGreaterThan(0.3);
    expect(gap(out)).toBeGreaterThan(0.5 * gap(db.tables));
    expect(column(out.rental!, 'inventory_id').every((v) => v !== null)).toBe(true);
  }, 600_000);
});
