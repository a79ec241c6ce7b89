/**
 * Links of every kind, per FK, on generated databases with known structure (test/relational/
 * generated-db.ts) straight from the default configuration: a child under two synthesized roots
 * (context and non-context FK; twice, the second with columns the matched parent must agree
 * with), a self-reference four levels deep, a cycle broken at init, and
 * records by an integer step whose FK into a 2,000-row original-data table the matcher chooses.
 * Per FK: referential integrity, the parent-degree distribution (KS complement, parents with no
 * child included), the pair trends across the link (child columns against parent columns); for
 * self-references the depth and fan-out distributions (KS complement).
 */
import { cpus, loadavg } from 'node:os';
import { relationshipKey, type Relationship } from '../../src/shared/metadata';
import { planFromData } from '../../src/worker/engine/relational/links';
import { initBackend } from '../../src/worker/engine/backend';
import { specsFromTableConfig } from '../../src/worker/engine/evaluate/columns';
import { evaluateRelationship } from '../../src/worker/engine/evaluate/relational';
import { clubDb, cycleDb, registryDb, shopDb, staffDb, type GeneratedDb } from '../../test/relational/generated-db';
import { integrity, synthesizeInMemory } from '../../test/relational/helpers';

const f3 = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(3));

async function links(name: string, db: GeneratedDb): Promise<string[]> {
  db.config.settings.epochs = undefined;
  const t0 = performance.now();
  const out = {
    ...Object.fromEntries(
      Object.entries(db.config.tables)
        .filter(([, t]) => t.treatment === 'original')
        .map(([n]) => [n, db.tables[n]!]),
    ),
    ...(await synthesizeInMemory(db)),
  };
  const seconds = (performance.now() - t0) / 1000;
  // The plan the engine follows (its context choice reads the data: the most children per parent row).
  const plan = planFromData(db.config, db.tables)!;
  const original = (t: string): boolean => db.config.tables[t]?.treatment === 'original';
  const isContext = (fk: Relationship): boolean => {
    const ctx = plan.tables[fk.childTable]?.context;
    return !!ctx && relationshipKey(ctx) === relationshipKey(fk);
  };
  const columns = Object.fromEntries(Object.entries(db.config.tables).map(([t, c]) => [t, specsFromTableConfig(c)]));
  const role = (fk: Relationship): string =>
    fk.childTable === fk.parentTable
      ? 'self-reference'
      : original(fk.childTable)
        ? 'between original tables (copied)'
        : original(fk.parentTable)
          ? 'into original data'
          : isContext(fk)
            ? 'context'
            : 'non-context';
  const lines = [
    `### ${name}`,
    '',
    `Rows: ${Object.entries(out)
      .filter(([t]) => db.config.tables[t]?.treatment === 'synthesize')
      .map(([t, b]) => `${t} ${db.tables[t]!.rows.length} → ${b.rows.length}`)
      .join(', ')}; ${seconds.toFixed(1)} s.`,
    '',
    '| FK | Role | Integrity | Parent degree (KS compl.) | Pair trends across the link | Depth / fan-out (KS compl.) |',
    '|---|---|---|---|---|---|',
  ];
  let ok = true;
  const trends: { fk: Relationship; context: boolean; score: number | null }[] = [];
  for (const fk of db.config.foreignKeys) {
    const r = evaluateRelationship({ relationship: fk, real: { tables: db.tables }, synthetic: { tables: out }, columns });
    const integ = integrity(out, fk);
    const forest = r?.forest ? `${f3(r.forest.depth)} / ${f3(r.forest.fanout)}` : '–';
    ok &&= integ === 1 && (db.tables[fk.childTable]!.rows.length < 100 || (r?.cardinality ?? 0) >= 0.9);
    if (role(fk) === 'context' || role(fk) === 'non-context') trends.push({ fk, context: isContext(fk), score: r?.pairTrends ?? null });
    lines.push(
      `| ${fk.childTable}.${fk.childColumns[0]} → ${fk.parentTable} | ${role(fk)} | ${f3(integ)} | ${f3(r?.cardinality)} | ${f3(r?.pairTrends)} | ${forest} |`,
    );
  }
  // Non-context links against the context FK of the same child table.
  const gaps: string[] = [];
  for (const nc of trends.filter((x) => !x.context)) {
    const ctx = trends.find((x) => x.context && x.fk.childTable === nc.fk.childTable);
    if (!ctx || nc.score === null || ctx.score === null) continue;
    const gap = nc.score - ctx.score;
    ok &&= gap >= -0.05;
    gaps.push(
      `${nc.fk.childTable}.${nc.fk.childColumns[0]} ${f3(nc.score)} against ${ctx.fk.childTable}.${ctx.fk.childColumns[0]} ${f3(ctx.score)} (${gap >= 0 ? '+' : ''}${gap.toFixed(3)})`,
    );
  }
  if (gaps.length) lines.push('', `Pair trends, non-context against context: ${gaps.join('; ')}.`);
  const pairTarget = gaps.length ? ", non-context pair trends no more than 0.05 below the context FK's of the same table" : '';
  lines.push('', `Targets (integrity 1.0, parent degree ≥ 0.90 where the child has ≥ 100 rows${pairTarget}): ${ok ? 'met' : 'NOT met'}.`, '');
  return lines;
}

function registry(): GeneratedDb {
  const db = registryDb();
  db.config.tables.classes!.treatment = 'original';
  db.config.tables.schools!.treatment = 'original';
  return db;
}

export async function run(): Promise<string> {
  const backend = await initBackend('auto');
  return [
    '## Relational links per FK (generated databases)',
    '',
    `Backend: ${backend}; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores when it started (the seconds are under that load). Default configuration of each generated database (\`doppel init\`'s rules), default training, whole output against all real rows. Roles as the engine plans them from the data (the context: the most children per parent row). Non-context FKs and FKs into original data are matched by the learned matcher (the child's own values, the parents chosen for its earlier siblings, parent degrees drawn from the real ones); self-references are generated as forests. Depth / fan-out and the other figures are the report's (evaluate/relational.ts).`,
    '',
    ...(await links('Shop: customers and products (two roots), orders under both', shopDb())),
    ...(await links('Staff: a manager link four levels deep', staffDb())),
    ...(await links('Departments ↔ staff: a cycle broken at init', cycleDb())),
    ...(await links("Club: visits under members, matched to course groups of the visit's level at the member's site", clubDb())),
    ...(await links('Registry: people with yearly records by grade, each record in one of 2,000 classes kept as original data', registry())),
  ].join('\n');
}
