import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openSource } from '../../src/data/sources/connector';
import { relationshipKey, type DatasetMetadata } from '../../src/shared/metadata';
import { datasetPath } from '../helpers/datasets';

interface MetaJson {
  tables: Record<string, { primary_key: string | null; rows: number; columns: Record<string, string> }>;
  relationships: Array<{ parent: string; parent_key: string; child: string; child_key: string }>;
}

function score(got: string[], want: string[]): { precision: number; recall: number } {
  const hit = got.filter((g) => want.includes(g)).length;
  return { precision: got.length ? hit / got.length : 1, recall: want.length ? hit / want.length : 1 };
}

/** The dataset's folder inspected; `engine` 'duckdb' makes DuckDB the engine of every CSV's whole-table pass, whatever its size. */
async function inspect(name: string, engine: 'default' | 'duckdb' = 'default'): Promise<{ md: DatasetMetadata; meta: MetaJson }> {
  const meta = JSON.parse(readFileSync(datasetPath(name, 'meta.json'), 'utf8')) as MetaJson;
  if (engine === 'duckdb') process.env['DOPPEL_DUCKDB_MIN_BYTES'] = '0';
  try {
    const src = await openSource({ kind: 'files', path: datasetPath(name) });
    try {
      return { md: await src.introspect(), meta };
    } finally {
      await src.close();
    }
  } finally {
    delete process.env['DOPPEL_DUCKDB_MIN_BYTES'];
  }
}

function keyScores(md: DatasetMetadata, meta: MetaJson): { pk: ReturnType<typeof score>; fk: ReturnType<typeof score> } {
  const gotPk = md.tables.filter((t) => t.primaryKey.length).map((t) => `${t.name}.${t.primaryKey.join(',')}`);
  const wantPk = Object.entries(meta.tables)
    .filter(([, t]) => t.primary_key)
    .map(([n, t]) => `${n}.${t.primary_key}`);
  const gotFk = md.relationships.map(relationshipKey);
  const wantFk = meta.relationships.map((r) =>
    relationshipKey({ parentTable: r.parent, parentColumns: [r.parent_key], childTable: r.child, childColumns: [r.child_key], origin: 'inferred' }),
  );
  return { pk: score(gotPk, wantPk), fk: score(gotFk, wantFk) };
}

describe('key inference on CSV folders', () => {
  it('berka: PKs and FKs found by name and value containment', async () => {
    const { md, meta } = await inspect('berka');
    const s = keyScores(md, meta);
    console.log(
      `berka PK precision ${s.pk.precision.toFixed(2)} recall ${s.pk.recall.toFixed(2)}; FK precision ${s.fk.precision.toFixed(2)} recall ${s.fk.recall.toFixed(2)}`,
    );
    expect(s.pk).toEqual({ precision: 1, recall: 1 });
    expect(s.fk).toEqual({ precision: 1, recall: 1 });
    expect(md.relationships.every((r) => r.origin === 'inferred')).toBe(true);
    for (const [name, t] of Object.entries(meta.tables)) expect(md.tables.find((x) => x.name === name)?.rowCount).toBe(t.rows);
    const account = md.tables.find((t) => t.name === 'account');
    expect(account?.columns.find((c) => c.name === 'date')).toMatchObject({ sdtype: 'datetime', datetimeFormat: 'ISO' });
    expect(account?.columns.find((c) => c.name === 'frequency')?.sdtype).toBe('categorical');
    // a foreign bank's account number is not a key to `account`
    expect(md.relationships.some((r) => r.childColumns.includes('account_to'))).toBe(false);
  });

  it('synthea: upper-case and prefixed key names (PATIENT, SECONDARY_PAYER) to plural tables', async () => {
    const { md, meta } = await inspect('synthea');
    const s = keyScores(md, meta);
    console.log(
      `synthea PK precision ${s.pk.precision.toFixed(2)} recall ${s.pk.recall.toFixed(2)}; FK precision ${s.fk.precision.toFixed(2)} recall ${s.fk.recall.toFixed(2)}`,
    );
    expect(s.pk.recall).toBe(1);
    expect(s.pk.precision).toBeGreaterThanOrEqual(0.85);
    expect(s.fk).toEqual({ precision: 1, recall: 1 });
    // sdtype agreement with the dataset's own column kinds
    let agree = 0;
    let total = 0;
    for (const [name, t] of Object.entries(meta.tables)) {
      const table = md.tables.find((x) => x.name === name);
      for (const [col, kind] of Object.entries(t.columns)) {
        total++;
        if (table?.columns.find((c) => c.name === col)?.sdtype === kind) agree++;
      }
    }
    console.log(`synthea sdtype agreement ${(agree / total).toFixed(2)} (${agree}/${total})`);
    expect(agree / total).toBeGreaterThan(0.7);
  });

  it('the same keys, types and row counts when DuckDB makes the whole-table passes', async () => {
    for (const name of ['berka', 'synthea']) {
      const streamed = await inspect(name);
      const duck = await inspect(name, 'duckdb');
      expect(duck.md).toEqual(streamed.md);
      expect(duck.md.tables.filter((t) => t.primaryKey.length).length).toBeGreaterThan(3);
    }
  });
});
