import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/shared/validation';
import { datasetPath } from '../helpers/datasets';
import { createPgDatabase } from '../helpers/db';
import { copyToPostgres, inspect, pgCount, pgForeignKeys, runPipeline, tempWorkspace } from './pipeline-helpers';

const workspace = tempWorkspace('init-defaults');
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

describe('chinook straight from `doppel init` into PostgreSQL', () => {
  it('validates with no edit, synthesizes both roots and every FK table, and PostgreSQL accepts every FK constraint with no orphan', async () => {
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
    const db = await createPgDatabase('schema_chinook');
    try {
      await copyToPostgres(run, db);
      const fks = await pgForeignKeys(db);
      expect(fks).toHaveLength(config.foreignKeys.length);
      for (const fk of config.foreignKeys) {
        const q = `select count(*) as n from "${fk.childTable}" c where c."${fk.childColumns[0]}" is not null and not exists (select 1 from "${fk.parentTable}" p where p."${fk.parentColumns[0]}" = c."${fk.childColumns[0]}")`;
        expect(await pgCount(db, q), `${fk.childTable}.${fk.childColumns[0]}`).toBe(0);
      }
    } finally {
      await db.drop();
    }
  }, 300_000);
});
