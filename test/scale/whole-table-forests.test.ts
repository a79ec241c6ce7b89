import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { relationshipKey, type SourceSpec, type SynthesisConfig } from '../../src/shared';
import { MAX_FOREST_DEPTH } from '../../src/shared/table-stats';
import { cells, people, ROOT_SHARE, STAFF, TABLE, WHOLE } from '../relational/deep-forest';
import { loadData } from '../../src/worker/jobs/load-data';
import { depthsOf, learnForest } from '../../src/worker/engine/relational/forest';
import { resolveLinks } from '../../src/worker/engine/relational/links';
import { ksComplement } from '../../src/worker/engine/evaluate/stats';
import { runPipeline } from '../relational/pipeline-helpers';
import { useFourSources } from '../helpers/four-sources';

/** The table's name as a source names it (a file's dots become `_`). */
const nameIn = (spec: SourceSpec): string => (spec.kind === 'files' ? TABLE.replace('.', '_') : TABLE);
const fkOf = (table: string) => ({ childTable: table, childColumns: ['boss'], parentTable: table, parentColumns: ['code'], origin: 'user' as const });

const sources = useFourSources('forests', [
  {
    name: TABLE,
    columns: [
      { name: 'code', type: 'text', primaryKey: true },
      { name: 'boss', type: 'text' },
      { name: 'dept', type: 'text', notNull: true },
      { name: 'salary', type: 'int', notNull: true },
    ],
    rows: cells,
  },
]);

async function configFor(spec: SourceSpec): Promise<SynthesisConfig> {
  const table = nameIn(spec);
  const config = await sources.config(spec, 1200, (meta) => {
    meta.tables.find((x) => x.name === table)!.primaryKey = ['code'];
    meta.relationships = [fkOf(table)];
  });
  config.tables[table]!.treatment = 'synthesize';
  config.tables[table]!.columns.dept!.sdtype = 'categorical';
  config.tables[table]!.columns.salary!.sdtype = 'numerical';
  config.settings.preset = 'fast';
  config.settings.epochs = 2;
  return config;
}

/** Depth of every row of a table along code/boss (roots 0; the cycle cut). */
function depthsOfRows(columns: string[], data: unknown[][]): Int32Array {
  const batch = { columns, rows: data as never };
  return depthsOf(resolveLinks(batch, 'boss', batch, 'code'));
}

describe.each(sources.sources)('a self-reference of a sampled table counted level by level over the whole table (%s)', (_, spec) => {
  it('equals the levels of every row, where the sample holds mostly false roots', async () => {
    const table = nameIn(spec());
    const config = await configFor(spec());
    const data = await loadData(config, {});
    expect(data.sourceRows[table]).toBe(STAFF);
    const sample = data.tables[table]!;
    expect(sample.rows.length).toBeLessThan(STAFF / 5);
    expect(data.wholeStats[table]!.forests![relationshipKey(fkOf(table))]).toEqual(WHOLE.filter((l) => l.rows > 0));
    // The premise: the sample's own forest breaks into roots.
    expect(learnForest(resolveLinks(sample, 'boss', sample, 'code')).depthShare[0]).toBeGreaterThan(0.6);
  }, 300_000);
});

describe('a run on a sampled self-referencing PostgreSQL table', () => {
  it('generates the whole table’s depths, not the sample’s', async () => {
    const config = await configFor(sources.pg().spec);
    const run = await runPipeline(config, mkdtempSync(path.join(sources.dir, 'run-')));
    expect(run.summary.status).toBe('succeeded');
    expect(run.logs.join('\n')).toContain('generated as a forest');
    expect(run.logs.join('\n')).toContain('as in the whole table (counted in the source)');
    const out = run.out[TABLE]!;
    expect(out.rows.length).toBe(STAFF);
    const depth = depthsOfRows(out.columns, out.rows);
    const roots = depth.filter((d) => d === 0).length / depth.length;
    // From the sample's shape, most rows would be roots and few deeper than two.
    expect(Math.abs(roots - ROOT_SHARE)).toBeLessThan(0.05);
    expect(depth.filter((d) => d >= 5).length / depth.length).toBeGreaterThan(0.2);
    const real = Float64Array.from(people.filter((p) => p.depth >= 0 && p.depth <= MAX_FOREST_DEPTH).map((p) => p.depth));
    expect(ksComplement(real, Float64Array.from(depth))).toBeGreaterThan(0.9);
    // The report's real side is the whole table's forest (the sample's is mostly roots, a few levels deep).
    const forest = run.report.relationships.find((r) => r.key === relationshipKey(fkOf(TABLE)))!.forest!;
    expect(forest.maxDepth.real).toBe(MAX_FOREST_DEPTH);
    expect(forest.depth!).toBeGreaterThan(0.9);
  }, 600_000);
});
