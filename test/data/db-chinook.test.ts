import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openSource, type SourceConnector } from '../../src/data/sources/connector';
import { relationshipKey, type DatasetMetadata } from '../../src/shared/metadata';
import { loadChinook, type ScratchDatabase } from '../helpers/db';
import { datasetPath } from '../helpers/datasets';

interface MetaJson {
  tables: Record<string, { primary_key: string | null; rows: number }>;
  relationships: Array<{ parent: string; parent_key: string; child: string; child_key: string }>;
}
const meta = JSON.parse(readFileSync(datasetPath('chinook', 'meta.json'), 'utf8')) as MetaJson;

/** PostgreSQL script names: PlaylistTrack -> playlist_track, TrackId -> track_id. */
const snake = (s: string): string => s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();

function expectChinook(md: DatasetMetadata, name: (s: string) => string): void {
  expect(md.tables.map((t) => t.name).sort()).toEqual(Object.keys(meta.tables).map(name).sort());
  for (const [table, info] of Object.entries(meta.tables)) {
    const t = md.tables.find((x) => x.name === name(table));
    expect(t?.rowCount, table).toBe(info.rows);
    if (info.primary_key) expect(t?.primaryKey).toEqual([name(info.primary_key)]);
    for (const c of t?.columns ?? []) if (t?.primaryKey.includes(c.name)) expect(c.sdtype).toBe('id');
  }
  expect(md.tables.find((t) => t.name === name('PlaylistTrack'))?.primaryKey).toEqual([name('PlaylistId'), name('TrackId')]);
  const got = md.relationships.map(relationshipKey).sort();
  const want = meta.relationships
    .map((r) =>
      relationshipKey({
        parentTable: name(r.parent),
        parentColumns: [name(r.parent_key)],
        childTable: name(r.child),
        childColumns: [name(r.child_key)],
        origin: 'declared',
      }),
    )
    .sort();
  expect(got).toEqual(want);
  expect(md.relationships.every((r) => r.origin === 'declared')).toBe(true);
  expect(got).toContain(
    relationshipKey({
      parentTable: name('Employee'),
      parentColumns: [name('EmployeeId')],
      childTable: name('Employee'),
      childColumns: [name('ReportsTo')],
      origin: 'declared',
    }),
  );
  const invoice = md.tables.find((t) => t.name === name('Invoice'));
  expect(invoice?.columns.find((c) => c.name === name('InvoiceDate'))?.sdtype).toBe('datetime');
  expect(invoice?.columns.find((c) => c.name === name('Total'))?.sdtype).toBe('numerical');
  expect(invoice?.columns.find((c) => c.name === name('Total'))?.storageType).toBe('decimal');
}

async function expectValues(src: SourceConnector, name: (s: string) => string): Promise<void> {
  const p = await src.preview(name('Invoice'), 0, 3);
  expect(p.total).toBe(412);
  expect(p.rows).toHaveLength(3);
  const dateIdx = p.columns.indexOf(name('InvoiceDate'));
  const totalIdx = p.columns.indexOf(name('Total'));
  expect(p.rows[0]?.[dateIdx]).toEqual(new Date(Date.UTC(2021, 0, 1)));
  expect(typeof p.rows[0]?.[totalIdx]).toBe('number');
  const page2 = await src.preview(name('Invoice'), 410, 10);
  expect(page2.rows).toHaveLength(2);
  let n = 0;
  let batches = 0;
  for await (const b of src.readTable(name('Track'), { batchSize: 1000 })) {
    n += b.rows.length;
    batches++;
    expect(b.rows.every((r) => r.length === b.columns.length)).toBe(true);
  }
  expect(n).toBe(3503);
  expect(batches).toBe(4);
  await expect(src.countRows('no_such_table')).rejects.toMatchObject({ code: 'TABLE_NOT_FOUND' });
}

describe('chinook in SQLite', () => {
  it('introspects tables, keys, counts and reads values', async () => {
    const src = await openSource({ kind: 'sqlite', path: datasetPath('chinook', 'Chinook_Sqlite.sqlite') });
    try {
      expectChinook(await src.introspect(), (s) => s);
      await expectValues(src, (s) => s);
    } finally {
      await src.close();
    }
  });
});

for (const kind of ['postgres', 'mysql'] as const) {
  describe(`chinook in ${kind}`, () => {
    let db: ScratchDatabase;
    beforeAll(async () => {
      db = await loadChinook(kind);
    }, 60_000);
    afterAll(async () => {
      await db?.drop();
    });
    it('introspects tables, keys, counts and reads values', async () => {
      const name = kind === 'postgres' ? snake : (s: string) => s;
      const src = await openSource(db.spec);
      try {
        expectChinook(await src.introspect(), name);
        await expectValues(src, name);
      } finally {
        await src.close();
      }
    }, 60_000);
  });
}
