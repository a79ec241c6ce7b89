/**
 * Site workers on a self-referencing table whose sample breaks into false roots ("org.staff":
 * text keys, a dotted name, chains ten and 40 deep, a cycle; see ../relational/deep-forest.ts),
 * trained on fewer than a fifth of its rows. The generation is split into shards on two
 * `doppel worker` processes; the output must have the whole table's forest shape (its root share
 * within 0.05 of the real one, where the sample's would be far above), every reference resolving,
 * and equal the output of one local process with the same seed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { depthsOf } from '../../src/worker/engine/relational/forest';
import { resolveLinks } from '../../src/worker/engine/relational/links';
import { doppel } from '../cli/helpers';
import type { ScratchDatabase } from '../helpers/db';
import { cells, ROOT_SHARE, STAFF, staffDdl, TABLE } from '../relational/deep-forest';
import { querySql as query, REDIS, shardStagesIn, useSiteFixture } from './helpers';

const site = useSiteFixture('site-forest');
const { dir, store, env } = site;

/** The table's rows in key order, as text. */
async function contents(db: ScratchDatabase): Promise<string[]> {
  return (await query(db, `select * from "${TABLE}" order by code`)).map((r) => JSON.stringify(r));
}

/** The share of roots among the rows of the output reached from a root. */
async function rootShare(db: ScratchDatabase): Promise<number> {
  const rows = (await query<{ code: string; boss: string | null }>(db, `select code, boss from "${TABLE}"`)).map((r) => [r.code, r.boss]);
  const batch = { columns: ['code', 'boss'], rows };
  const depth = depthsOf(resolveLinks(batch, 'boss', batch, 'code')).filter((d) => d >= 0);
  return depth.filter((d) => d === 0).length / depth.length;
}

describe('site workers on a sampled self-referencing table', () => {
  it('generate the whole table’s forest shape, the same rows as one local process', async () => {
    const queueName = site.queue('doppel-forest-test');
    const file = path.join(dir, 'staff.sqlite');
    const lite = new Database(file);
    lite.exec(staffDdl('text', '"'));
    const add = lite.prepare(`INSERT INTO "${TABLE}" VALUES (?, ?, ?, ?)`);
    lite.transaction(() => cells.forEach((r) => add.run(...r)))();
    lite.close();

    const cfgFile = path.join(dir, 'config.json');
    const init = await doppel(['init', `sqlite:${file}`, '-o', cfgFile], { store });
    expect(init.code, init.stderr).toBe(0);
    const config = JSON.parse(readFileSync(cfgFile, 'utf8'));
    config.foreignKeys = [{ childTable: TABLE, childColumns: ['boss'], parentTable: TABLE, parentColumns: ['code'], origin: 'user' }];
    config.tables[TABLE].primaryKey = ['code'];
    for (const c of ['code', 'boss']) Object.assign(config.tables[TABLE].columns[c], { sdtype: 'id', sensitive: false, treatment: 'synthesize' });
    config.tables[TABLE].columns.dept.sdtype = 'categorical';
    config.tables[TABLE].columns.salary.sdtype = 'numerical';
    config.settings.maxTrainingRows = 1200;
    config.settings.preset = 'fast';
    config.settings.epochs = 2;
    config.settings.outputSize = { mode: 'rows', rows: STAFF };
    writeFileSync(cfgFile, JSON.stringify(config));
    const seed = config.settings.seed as number;

    const two = [site.worker(queueName), site.worker(queueName)];
    await Promise.all(two.map((w) => w.pid));
    const dbA = await site.database('postgres', 'doppel_forest_site');
    const queue = ['--queue', REDIS, '--queue-name', queueName, '--shard-rows', '1000'];
    const run = await doppel(['run', cfgFile, '--json', '--to', dbA.url, ...queue], { store, env });
    const logs = (): string => `${run.stderr}\n${two.map((w) => w.output()).join('\n')}`;
    expect(run.code, logs()).toBe(0);
    // Generated in shards of the site's workers, not in one process.
    expect(logs()).toMatch(/shard 2\/\d+ of "org\.staff" \S+ done/);
    const first = JSON.parse(run.stdout) as { executionId: string; rows: Record<string, number> };
    expect(first.rows[TABLE]).toBe(STAFF);

    // Every reference resolves, no staging table is left, and the forest is the whole table's (the sample's is mostly roots).
    const [o] = await query<{ n: string }>(
      dbA,
      `select count(*) as n from "${TABLE}" c left join "${TABLE}" p on p.code = c.boss where c.boss is not null and p.code is null`,
    );
    expect(Number(o!.n)).toBe(0);
    expect(await shardStagesIn(dbA)).toEqual([]);
    const share = await rootShare(dbA);
    expect(Math.abs(share - ROOT_SHARE), `root share ${share} vs ${ROOT_SHARE}`).toBeLessThan(0.05);

    // Unsharded, in one local process: the same rows.
    const dbB = await site.database('postgres', 'doppel_forest_site');
    const local = await doppel(['generate', first.executionId, '--rows', String(STAFF), '--seed', String(seed), '--json', '--to', dbB.url], { store, env });
    expect(local.code, local.stderr).toBe(0);
    expect(await contents(dbB)).toEqual(await contents(dbA));
  }, 900_000);
});
