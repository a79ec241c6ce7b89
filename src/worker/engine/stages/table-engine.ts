/** Unlinked tables: each synthesized table prepared, trained and sampled on its own. */
import { synthesizedTables } from '../../../shared/config';
import type { EffectiveTable } from '../../../shared/effective-settings';
import { AppError } from '../../../shared/errors';
import type { Row, RowBatch } from '../../../shared/values';
import { HOLDOUT_FRACTION, HOLDOUT_MIN_ROWS, splitIndexes } from '../holdout';
import { checkAborted } from '../model/trainer';
import { buildPlan } from '../relational/plan';
import { originalsParentsFirst } from '../relational/synthesize';
import { disposeTable, prepareTable, sampleTable, type PreparedTable } from '../table-model';
import type { DatasetEngine, OutputPart, PreparedDataset } from './dataset';
import { originalPart } from './original-part';
import { outputRows } from './output-rows';

/** A part of an output of unlinked tables: a row range of a table, or an original-data table. */
type TablePart = Extract<OutputPart, { table: string }>;

function splitRows(batch: RowBatch, effective: EffectiveTable, seed: number): { train: RowBatch; holdout: RowBatch } {
  const n = batch.rows.length;
  const split = splitIndexes(n, { holdoutFraction: n >= HOLDOUT_MIN_ROWS ? HOLDOUT_FRACTION : 0, seed, cap: effective });
  const pick = (ids: number[]): RowBatch => ({ columns: batch.columns, rows: ids.map((i) => batch.rows[i] as Row) });
  return { train: pick(split.train), holdout: pick(split.held) };
}

export const tableEngine: DatasetEngine = {
  kind: 'tables',

  plan(input) {
    return { order: buildPlan(input.config)?.order ?? synthesizedTables(input.config) };
  },

  async encode(analysis, ctx) {
    const { input, effective } = analysis;
    const { config, metadata } = input;
    const tables: Record<string, PreparedTable> = {};
    const evaluation: PreparedDataset['evaluation'] = {};
    const warnings: string[] = [];
    for (const name of analysis.order) {
      const batch = input.tables[name];
      if (!batch) throw new AppError('TABLE_NOT_FOUND', `Table "${name}" was not loaded.`, { fix: 'Check that the table still exists in the source.' });
      const split = splitRows(batch, effective.tables[name]!, config.settings.seed);
      evaluation[name] = split;
      tables[name] = prepareTable(split.train, {
        table: name,
        config: config.tables[name]!,
        columns: metadata.tables.find((t) => t.name === name)?.columns ?? [],
        settings: config.settings,
        effective: effective.tables[name],
        mockingKey: input.mockingKey,
        ...(input.wholeStats?.[name] ? { whole: input.wholeStats[name] } : {}),
        ...(input.artifactKey ? { artifactKey: input.artifactKey } : {}),
        warn: (m) => {
          warnings.push(m);
          ctx.log?.('warn', m);
        },
      });
    }
    return { ...analysis, tables, evaluation, warnings };
  },

  async fit(built, opts) {
    const { order, tables } = built.prepared;
    const n = order.length;
    for (let t = 0; t < n; t++) {
      const name = order[t]!;
      checkAborted(opts.signal);
      const model = await opts.fit(tables[name]!, {
        signal: opts.signal,
        onProgress: (p) =>
          opts.onProgress?.({
            done: t * p.epochs + (p.epoch - 1) + p.batch / p.batches,
            total: n * p.epochs,
            metrics: { epoch: p.epoch, trainLoss: p.trainLoss, valLoss: p.valLoss, table: name },
          }),
      });
      built.models[name] = model;
      await opts.onFitted(name, model);
    }
  },

  async generate(built, opts) {
    const t0 = performance.now();
    const { prepared } = built;
    const config = prepared.input.config;
    const rows: Record<string, number> = {};
    const targets = prepared.order.map((name) => opts.count ?? outputRows(config, prepared.sourceRows[name] ?? 0));
    const total = targets.reduce((a, b) => a + b, 0);
    const parts: TablePart[] = [
      ...prepared.order.map((table, t): TablePart => ({ kind: 'rows', table, start: 0, rows: targets[t]! })),
      // Original-data tables are copied as they are.
      ...originalsParentsFirst(config).map((table): TablePart => ({ kind: 'original', table })),
    ];
    let done = 0;
    for (const part of parts) {
      let n = 0;
      for await (const { table, batch } of tableEngine.generatePart(built, part, {
        signal: opts.signal,
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      })) {
        checkAborted(opts.signal);
        await opts.sink(table, batch);
        n += batch.rows.length;
        if (part.kind === 'rows') {
          done += batch.rows.length;
          opts.progress?.({ done, total, message: table });
        }
      }
      rows[part.table] = n;
    }
    opts.progress?.({ done: total, total });
    return { rows, seconds: (performance.now() - t0) / 1000 };
  },

  async *generatePart(built, part, opts) {
    const { input } = built.prepared;
    if (part.kind === 'original') return yield* originalPart(part.table, input.tables[part.table], input, opts);
    if (part.kind !== 'rows') throw new AppError('INTERNAL', 'Family chunks are parts of a relational output only.');
    const model = built.models[part.table];
    if (!model) throw new AppError('INTERNAL', `Table "${part.table}" has no trained model.`);
    const sample = sampleTable(model, part.rows, {
      start: part.start,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    for await (const batch of sample) yield { table: part.table, batch };
    return {};
  },

  dispose(built) {
    for (const m of Object.values(built.models)) disposeTable(m);
    built.models = {};
  },
};
