import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceSpec } from '../../src/shared/source';
import { validateConfig } from '../../src/shared/validation';
import { datasetPath } from '../helpers/datasets';
import { createPgDatabase } from '../helpers/db';
import { copyToPostgres, inspect, pgCount, pgForeignKeys, runPipeline, tempWorkspace, type PipelineRun } from './pipeline-helpers';

const workspace = tempWorkspace('init-defaults');
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

/** Loads a run's output into a fresh PostgreSQL database and checks that every FK constraint was created and holds. */
async function expectIntegrityInPostgres(run: PipelineRun, name: string): Promise<void> {
  const db = await createPgDatabase(`schema_${name}`);
  try {
    await copyToPostgres(run, db);
    const fks = await pgForeignKeys(db);
    const written = run.plan.relationships.filter((fk) => run.out[fk.childTable] && run.out[fk.parentTable]);
    expect(written.length, 'foreign keys between written tables').toBeGreaterThan(0);
    expect(fks).toHaveLength(written.length);
    for (const fk of written) {
      const notNull = fk.childColumns.map((c) => `c."${c}" is not null`).join(' and ');
      const same = fk.childColumns.map((c, i) => `p."${fk.parentColumns[i]}" = c."${c}"`).join(' and ');
      const q = `select count(*) as n from "${fk.childTable}" c where ${notNull} and not exists (select 1 from "${fk.parentTable}" p where ${same})`;
      expect(await pgCount(db, q), `${fk.childTable}(${fk.childColumns.join(', ')}) → ${fk.parentTable}`).toBe(0);
    }
  } finally {
    await db.drop();
  }
}

describe('databases straight from `doppel init` into PostgreSQL', () => {
  it('chinook: validates with no edit, synthesizes both roots and every FK table, and PostgreSQL accepts every FK constraint with no orphan', async () => {
    const { config, metadata } = await inspect({ kind: 'sqlite', path: datasetPath('chinook', 'Chinook_Sqlite.sqlite') });
    expect(validateConfig(config, metadata).filter((p) => p.severity === 'error')).toEqual([]);
    config.settings.device = 'wasm';
    config.settings.epochs = 2;
    // Artist (275 rows, the largest root) generated at 80 rows, Customer scaled alike.
    const run = await runPipeline(config, path.join(workspace, 'chinook'), { count: 80 });
    expect(run.prepared.relational!.plan.roots).toEqual(['Artist', 'Customer']);
    expect(run.out.Artist!.rows.length).toBe(80);
    expect(run.out.Customer!.rows.length).toBe(Math.round((59 * 80) / 275));
    for (const t of ['Album', 'Track', 'Invoice', 'InvoiceLine', 'PlaylistTrack']) expect(run.out[t]!.rows.length, t).toBeGreaterThan(0);
    await expectIntegrityInPostgres(run, 'chinook');
  }, 300_000);

  const folders: [string, SourceSpec, string[]][] = [
    ['sakila', { kind: 'files', path: datasetPath('sakila', 'csv') }, ['customer', 'rental', 'payment', 'inventory']],
    ['synthea', { kind: 'files', path: datasetPath('synthea') }, ['patients', 'encounters', 'procedures', 'conditions']],
  ];
  it.each(folders)(
    '%s: validates with no edit, synthesizes the tables with people in them, and PostgreSQL accepts every FK constraint with no orphan',
    async (name, source, people) => {
      const { config, metadata } = await inspect(source);
      expect(validateConfig(config, metadata).filter((p) => p.severity === 'error')).toEqual([]);
      for (const t of people) expect(config.tables[t]?.treatment, t).toBe('synthesize');
      config.settings.device = 'wasm';
      config.settings.epochs = 2;
      const run = await runPipeline(config, path.join(workspace, name), { count: 60 });
      for (const t of people) expect(run.out[t]?.rows.length ?? 0, t).toBeGreaterThan(0);
      await expectIntegrityInPostgres(run, name);
    },
    900_000,
  );
});
