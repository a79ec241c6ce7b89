import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openSource } from '../../src/data/sources/connector';
import { computeDataFacts } from '../../src/data/introspection/data-facts';
import { defaultConfig } from '../../src/shared/defaults';
import { relationshipKey } from '../../src/shared/metadata';
import { loadSakila, type ScratchDatabase } from '../helpers/db';
import { datasetPath } from '../helpers/datasets';

interface MetaJson {
  tables: Record<string, { primary_key: string | null; rows: number }>;
  relationships: Array<{ parent: string; parent_key: string; child: string; child_key: string }>;
}
const meta = JSON.parse(readFileSync(datasetPath('sakila', 'meta.json'), 'utf8')) as MetaJson;

for (const kind of ['postgres', 'mysql'] as const) {
  describe(`sakila in ${kind}`, () => {
    let db: ScratchDatabase;
    beforeAll(async () => {
      db = await loadSakila(kind);
    }, 120_000);
    afterAll(async () => {
      await db?.drop();
    });

    it('tables, composite keys, all declared FKs, row counts; data facts', async () => {
      const src = await openSource(db.spec);
      try {
        const md = await src.introspect({ sampleRows: 2000 });
        const names = md.tables.map((t) => t.name);
        // every table of the dataset, partitions are not separate tables
        expect(names.filter((n) => n in meta.tables).sort()).toEqual(Object.keys(meta.tables).sort());
        expect(names.some((n) => n.startsWith('payment_p'))).toBe(false);
        for (const [name, t] of Object.entries(meta.tables)) {
          const table = md.tables.find((x) => x.name === name);
          expect(table?.rowCount, name).toBe(t.rows);
          if (t.primary_key) expect(table?.primaryKey).toEqual([t.primary_key]);
        }
        expect(md.tables.find((t) => t.name === 'film_actor')?.primaryKey).toEqual(['actor_id', 'film_id']);
        expect(md.tables.find((t) => t.name === 'film_category')?.primaryKey).toEqual(['film_id', 'category_id']);
        const got = md.relationships.map(relationshipKey);
        for (const r of meta.relationships) {
          expect(got).toContain(
            relationshipKey({ parentTable: r.parent, parentColumns: [r.parent_key], childTable: r.child, childColumns: [r.child_key], origin: 'declared' }),
          );
        }
        const rental = md.tables.find((t) => t.name === 'rental');
        expect(rental?.columns.find((c) => c.name === 'rental_date')?.sdtype).toBe('datetime');
        const payment = md.tables.find((t) => t.name === 'payment');
        expect(payment?.columns.find((c) => c.name === 'amount')).toMatchObject({ storageType: 'decimal', sdtype: 'numerical', scale: 2 });

        const config = defaultConfig(md, db.spec);
        const facts = await computeDataFacts(src, config);
        expect(facts.tables['rental']).toEqual({ rowCount: 16044, pkDuplicates: 0, pkNulls: 0 });
        expect(facts.tables['film_actor']).toEqual({ rowCount: 5462, pkDuplicates: 0, pkNulls: 0 });
        let n = 0;
        for await (const b of src.readTable('payment', { batchSize: 4000 })) n += b.rows.length;
        expect(n).toBe(16049);
      } finally {
        await src.close();
      }
    }, 120_000);
  });
}
