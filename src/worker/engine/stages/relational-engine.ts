/**
 * Linked tables (relational/synthesize.ts): the root first, children per parent row, keys
 * regenerated, every FK pointing at an output row. The holdout is whole subtrees of held-out rows
 * of the first table with HOLDOUT_MIN_ROWS rows (the root, or the level below a small root); the
 * sink receives original-data tables first, then the synthesized ones parents first, so a
 * destination that checks FKs on insert accepts every batch.
 */
import { HOLDOUT_FRACTION, HOLDOUT_MIN_ROWS } from '../holdout';
import { planFromData } from '../relational/links';
import { treesOf } from '../relational/plan';
import { AppError } from '../../../shared/errors';
import { disposeRelational, fitRelational, prepareRelational, selfReferencesFirst, synthesizeFamilies, synthesizeRelational } from '../relational/synthesize';
import type { DatasetEngine, PreparedDataset } from './dataset';
import { originalPart } from './original-part';
import { outputRows } from './output-rows';

/** Rows per batch a part of a relational output yields (grouping only). */
const PART_BATCH_ROWS = 10_000;

/**
 * Rows of each root of a relational output, and the rows expected per table (children follow
 * their parents' learned counts): each root at its own size; a row count (output size in rows,
 * generate --rows) is the largest root's, the others scaled alike.
 */
export function relationalOutputRows(prepared: PreparedDataset, count?: number): { rootRows: Record<string, number>; expected: Record<string, number> } {
  const roots = prepared.relational!.plan.roots;
  const source = (t: string): number => prepared.sourceRows[t] ?? 0;
  const largest = roots.reduce((x, y) => (source(y) > source(x) ? y : x));
  const target = count ?? outputRows(prepared.input.config, source(largest));
  const scale = target / Math.max(1, source(largest));
  return {
    rootRows: Object.fromEntries(roots.map((r) => [r, r === largest ? target : Math.max(1, Math.round(source(r) * scale))])),
    expected: Object.fromEntries(prepared.order.map((t) => [t, Math.round(source(t) * scale)])),
  };
}

export const relationalEngine: DatasetEngine = {
  kind: 'relational',

  plan(input) {
    const plan = planFromData(input.config, input.tables);
    return plan ? { order: plan.order, trees: treesOf(plan) } : { order: [] };
  },

  async encode(analysis, ctx) {
    const { input } = analysis;
    const relational = prepareRelational({
      config: input.config,
      metadata: input.metadata,
      tables: input.tables,
      log: ctx.log ?? (() => undefined),
      mockingKey: input.mockingKey,
      holdout: { fraction: HOLDOUT_FRACTION, minRows: HOLDOUT_MIN_ROWS },
      effective: analysis.effective,
      ...(input.wholeStats ? { wholeStats: input.wholeStats } : {}),
      ...(input.copies ? { copies: input.copies } : {}),
      ...(input.artifactKey ? { artifactKey: input.artifactKey } : {}),
    });
    const { plan } = relational;
    ctx.log?.(
      'info',
      `Relational synthesis of ${plan.order.length} table(s) from root(s) ${plan.roots.map((r) => `"${r}"`).join(', ')}: ${plan.order.map((t) => (plan.tables[t]!.context ? `${t} (under ${plan.tables[t]!.context!.parentTable})` : t)).join(', ')}.`,
    );
    return {
      ...analysis,
      order: plan.order,
      tables: relational.prepared,
      evaluation: relational.evaluation,
      warnings: relational.warnings,
      relational,
    };
  },

  async fit(built, opts) {
    const { prepared } = built;
    const n = prepared.order.length;
    built.relational = await fitRelational(prepared.relational!, {
      fit: opts.fit,
      signal: opts.signal,
      onProgress: (name, p) =>
        opts.onProgress?.({
          done: prepared.order.indexOf(name) * p.epochs + (p.epoch - 1) + p.batch / p.batches,
          total: n * p.epochs,
          metrics: { epoch: p.epoch, trainLoss: p.trainLoss, valLoss: p.valLoss, table: name },
        }),
      onFitted: async (name, model) => {
        built.models[name] = model;
        await opts.onFitted(name, model);
      },
    });
  },

  async generate(built, opts) {
    const t0 = performance.now();
    const { prepared } = built;
    const { rootRows, expected } = relationalOutputRows(prepared, opts.count);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    const written = await synthesizeRelational(built.relational!, {
      sink: opts.sink,
      signal: opts.signal,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      rootRows,
      onProgress: (k, n, table) => opts.progress?.({ done: Math.round((total * k) / n), total, message: table }),
    });
    opts.progress?.({ done: total, total });
    return { rows: written, seconds: (performance.now() - t0) / 1000 };
  },

  async *generatePart(built, part, opts) {
    const model = built.relational;
    if (!model) throw new AppError('INTERNAL', 'The relational model is not built.');
    const { input, plan } = model.prepared;
    if (part.kind === 'original') {
      const held = input.tables[part.table];
      return yield* originalPart(part.table, held ? selfReferencesFirst(input.config, part.table, held) : undefined, input, opts);
    }
    if (part.kind !== 'families') throw new AppError('INTERNAL', 'A relational output is generated in family chunks, not in row ranges.');
    const families = await synthesizeFamilies(model, {
      rootRows: part.rootRows,
      seed: opts.seed ?? input.config.settings.seed,
      from: part.from,
      to: part.to,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const size = opts.batchSize ?? PART_BATCH_ROWS;
    for (const table of plan.order) {
      const { columns, rows } = families.tables[table]!;
      for (let i = 0; i < rows.length; i += size) yield { table, batch: { columns, rows: rows.slice(i, i + size) } };
    }
    return families.spans;
  },

  dispose(built) {
    if (built.relational) disposeRelational(built.relational);
    built.relational = undefined;
    built.models = {};
  },
};
