/**
 * `doppel init` writes each table's context FK into the configuration: a club's visits reference
 * their member (never empty) and a course group (empty for drop-in visits, and more visits per
 * group than per member). Row counts alone would make the group the context; init asks the source
 * which FKs hold empty values and chooses the member, so init → validate → run works unedited,
 * every visit stays under its member and drop-ins keep no group.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SynthesisConfig } from '../../src/shared/config';
import { buildPlan, metadataHints } from '../../src/shared/relational-plan';
import type { RowBatch } from '../../src/shared/values';
import { clubDb, writeSqlite } from '../relational/generated-db';
import { integrity } from '../relational/helpers';
import { doppel, sqliteTable, tempDir } from './helpers';

const dir = tempDir('init-context');
const store = path.join(dir, 'store');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VISITS = 'Besuch (2024)';

describe('doppel init writes the context FK it chooses', () => {
  it('chooses the never-empty FK over the one with more children per parent, and the configuration runs as written', async () => {
    const db = clubDb({ groupsPerLevel: 8, dropIn: 0.1 });
    const file = path.join(dir, 'club.sqlite');
    writeSqlite(db, file);
    const cfgFile = path.join(dir, 'config.json');
    const init = await doppel(['init', `sqlite:${file}`, '-o', cfgFile], { store });
    expect(init.code, init.stderr).toBe(0);
    const config = JSON.parse(readFileSync(cfgFile, 'utf8')) as SynthesisConfig;
    const byColumn = (c: string) => config.foreignKeys.find((f) => f.childTable === VISITS && f.childColumns[0] === c)!;
    // Written for the user to see and switch: the member FK is the context; the group FK is left to the engine (non-context).
    expect(byColumn('Mitglied').context).toBe(true);
    expect(byColumn('Gruppe').context).toBeUndefined();
    // From row counts alone (about 19 visits per group, 6 per member) the group would be chosen.
    const unmarked = { ...config, foreignKeys: config.foreignKeys.map((f) => ({ ...f, context: undefined })) };
    expect(buildPlan(unmarked, metadataHints(db.metadata))!.tables[VISITS]!.context?.parentTable).toBe('Kurs/Gruppe');

    config.settings.epochs = 3;
    config.settings.device = 'wasm';
    writeFileSync(cfgFile, JSON.stringify(config));
    const validate = await doppel(['validate', cfgFile], { store });
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    const run = await doppel(['run', cfgFile, '--json'], { store });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { outputPath: string; rows: Record<string, number> };
    const out = Object.fromEntries(['Mitglied Liste', 'Kurs/Gruppe', VISITS].map((t) => [t, sqliteTable(summary.outputPath, t)]));
    for (const f of config.foreignKeys) expect(integrity(out, f), f.childColumns[0]).toBe(1);
    // Every visit was generated under a member (none dropped for an empty group), and drop-ins keep no group, as in the data.
    const realVisits = db.tables[VISITS]!;
    const visits = out[VISITS]!;
    expect(Math.abs(visits.rows.length / realVisits.rows.length - 1)).toBeLessThan(0.15);
    const gi = visits.columns.indexOf('Gruppe');
    const empty = (b: RowBatch) => b.rows.filter((r) => r[b.columns.indexOf('Gruppe')] === null).length / b.rows.length;
    expect(visits.rows.every((r) => r[visits.columns.indexOf('Mitglied')] !== null)).toBe(true);
    expect(visits.rows.some((r) => r[gi] === null)).toBe(true);
    expect(Math.abs(empty(visits) - empty(realVisits))).toBeLessThan(0.04);
  }, 600_000);
});
