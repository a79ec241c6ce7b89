/**
 * Site workers on a relational synthesis whose keys are not typed as ids: regions keyed by a
 * dotted text code ("site.regions"."region.code", typed text), their stores keyed by a number
 * with a pattern ("store.no", typed numerical), the stores' visits keyed by a text. Primary keys
 * are regenerated per family chunk whatever their type, so the generation is sharded; three
 * workers, one killed (SIGKILL) mid-shard. The output must hold every row once, unique keys, no
 * orphan, and equal the output of a single worker and of one local process with the same seed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAMILY_ROOTS } from '../../src/worker/engine/relational/families';
import { createRng } from '../../src/worker/engine/rng';
import type { Row } from '../../src/shared/values';
import { doppel } from '../cli/helpers';
import type { ScratchDatabase } from '../helpers/db';
import { assemble, fk, writeSqlite, type GeneratedDb } from '../relational/generated-db';
import { expectShardRetried, killOneMidShard, querySql as query, REDIS, shardStagesIn, stopWorkers, useSiteFixture } from './helpers';

/** Four family chunks of regions; shards of one chunk each. */
const REGIONS = 4 * FAMILY_ROOTS - 50;
const SHARDS = 4;
const TABLES = [
  { name: 'site.regions', key: 'region.code' },
  { name: 'stores', key: 'store.no' },
  { name: 'store visits', key: 'visit.id' },
] as const;
const FKS = [
  { child: 'stores', column: 'region.code', parent: 'site.regions', key: 'region.code' },
  { child: 'store visits', column: 'store.no', parent: 'stores', key: 'store.no' },
];

/** 240 regions with dotted codes, 1-4 stores each keyed 5000 + 7k, 0-3 visits per store. */
function regionsDb(): GeneratedDb {
  const rng = createRng(11);
  const zones = ['eu.north', 'eu.south', 'us.east', 'apac'] as const;
  const climates = ['dry', 'wet', 'cold'] as const;
  const formats = ['kiosk', 'mall', 'street'] as const;
  const regions: Row[] = [];
  const stores: Row[] = [];
  const visits: Row[] = [];
  for (let i = 0; i < 240; i++) {
    const code = `${zones[i % zones.length]}.r${100 + i}.x`;
    const climate = climates[rng.int(climates.length)]!;
    regions.push([code, climate, 10 + rng.int(90)]);
    for (let s = 1 + rng.int(climate === 'wet' ? 4 : 2); s > 0; s--) {
      const no = 5000 + 7 * stores.length;
      const format = formats[rng.int(formats.length)]!;
      stores.push([no, code, format, 2 + rng.int(format === 'mall' ? 30 : 8)]);
      for (let v = rng.int(4); v > 0; v--)
        visits.push([`v.${no}.${v}`, no, Math.round((format === 'mall' ? 80 : 20) * Math.exp(0.3 * rng.normal()) * 100) / 100]);
    }
  }
  return assemble(
    [
      {
        name: 'site.regions',
        cols: [
          ['region.code', 'string', 'text'],
          ['climate', 'string', 'categorical'],
          ['area', 'integer', 'numerical'],
        ],
        rows: regions,
        pk: ['region.code'],
      },
      {
        name: 'stores',
        cols: [
          ['store.no', 'integer', 'numerical'],
          ['region.code', 'string', 'categorical'],
          ['format', 'string', 'categorical'],
          ['staff', 'integer', 'numerical'],
        ],
        rows: stores,
        pk: ['store.no'],
      },
      {
        name: 'store visits',
        cols: [
          ['visit.id', 'string', 'text'],
          ['store.no', 'integer', 'numerical'],
          ['spend', 'float', 'numerical'],
        ],
        rows: visits,
        pk: ['visit.id'],
      },
    ],
    [fk('stores', 'region.code', 'site.regions', 'region.code'), fk('store visits', 'store.no', 'stores', 'store.no')],
  );
}

const site = useSiteFixture('site-text-keys');
const { dir, store, env } = site;

/** Every table's rows in key order, as text. */
async function contents(db: ScratchDatabase): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of TABLES) out[t.name] = (await query(db, `select * from "${t.name}" order by "${t.key}"`)).map((r) => JSON.stringify(r));
  return out;
}

describe('site workers on a relational synthesis with text and numbered keys', () => {
  it('shard the families: keys typed text or numerical are unique across shards, every FK resolves, equal to one worker and to one process', async () => {
    const queueName = site.queue('doppel-textkeys-test');
    const file = path.join(dir, 'regions.sqlite');
    writeSqlite(regionsDb(), file);
    const cfgFile = path.join(dir, 'config.json');
    const init = await doppel(['init', `sqlite:${file}`, '-o', cfgFile], { store });
    expect(init.code, init.stderr).toBe(0);
    const config = JSON.parse(readFileSync(cfgFile, 'utf8'));
    config.settings.epochs = 3;
    config.settings.outputSize = { mode: 'rows', rows: REGIONS };
    // The keys as a user may type them: a text code and a number, not ids.
    config.tables['site.regions'].columns['region.code'].sdtype = 'text';
    config.tables.stores.columns['store.no'].sdtype = 'numerical';
    config.tables['store visits'].columns['visit.id'].sdtype = 'text';
    expect(config.foreignKeys).toHaveLength(FKS.length);
    writeFileSync(cfgFile, JSON.stringify(config));
    const seed = config.settings.seed as number;

    const three = [site.worker(queueName), site.worker(queueName), site.worker(queueName)];
    const watch = await killOneMidShard(site, queueName, three, () => true);

    const dbA = await site.database('postgres', 'doppel_textkeys_site');
    const queue = ['--queue', REDIS, '--queue-name', queueName, '--shard-rows', '1000'];
    const run = await doppel(['run', cfgFile, '--json', '--to', dbA.url, ...queue], { store, env });
    expect(run.code, `${run.stderr}\n${three.map((w) => w.output()).join('\n')}`).toBe(0);
    const first = JSON.parse(run.stdout) as { executionId: string; rows: Record<string, number> };
    expect(first.rows['site.regions']).toBe(REGIONS);
    expect(first.rows.stores).toBeGreaterThan(REGIONS);
    expect(first.rows['store visits']).toBeGreaterThan(REGIONS);

    // Sharded, not kept in one process: one worker was killed mid-shard, its shard ran again elsewhere.
    await expectShardRetried(site, queueName, watch.killed(), first.executionId, SHARDS);

    for (const t of TABLES) {
      const [c] = await query<{ n: string; uniq: string }>(dbA, `select count(*) as n, count(distinct "${t.key}") as uniq from "${t.name}"`);
      expect(Number(c!.n), t.name).toBe(first.rows[t.name]);
      expect(Number(c!.uniq), `${t.name} keys`).toBe(first.rows[t.name]);
    }
    for (const f of FKS) {
      const [o] = await query<{ n: string; linked: string }>(
        dbA,
        `select count(*) filter (where p."${f.key}" is null) as n, count(*) filter (where p."${f.key}" is not null) as linked from "${f.child}" c left join "${f.parent}" p on p."${f.key}" = c."${f.column}"`,
      );
      expect(Number(o!.n), `${f.child}.${f.column} orphans`).toBe(0);
      expect(Number(o!.linked)).toBe(first.rows[f.child]);
    }
    // Children of the last shard's families reference parents keyed after the first shards' (keys moved, not repeated).
    const [spread] = await query<{ n: string }>(dbA, `select count(distinct "region.code") as n from stores`);
    expect(Number(spread!.n)).toBeGreaterThan(3 * FAMILY_ROOTS);
    expect(await shardStagesIn(dbA)).toEqual([]);
    const rowsA = await contents(dbA);

    // The same model and seed on a single worker.
    await stopWorkers(three);
    const one = site.worker(queueName);
    await one.pid;
    const dbB = await site.database('postgres', 'doppel_textkeys_site');
    const gen = await doppel(['generate', first.executionId, '--rows', String(REGIONS), '--seed', String(seed), '--json', '--to', dbB.url, ...queue], {
      store,
      env,
    });
    expect(gen.code, gen.stderr).toBe(0);
    expect(one.output()).toMatch(new RegExp(`shard ${SHARDS}/${SHARDS} of "site\\.regions" \\S+ done`));
    expect(await contents(dbB)).toEqual(rowsA);

    // Unsharded, in one local process: the same rows again.
    const dbC = await site.database('postgres', 'doppel_textkeys_site');
    const local = await doppel(['generate', first.executionId, '--rows', String(REGIONS), '--seed', String(seed), '--json', '--to', dbC.url], { store, env });
    expect(local.code, local.stderr).toBe(0);
    expect(await contents(dbC)).toEqual(rowsA);

    await watch.close();
  }, 900_000);
});
