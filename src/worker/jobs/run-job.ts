/**
 * The job runner: one execution through the seven steps of the timeline, as events.
 *
 *   Data loading → Preprocessing → Building the model → Training the model → Synthesis →
 *   Report generation → Storing the data
 *
 * Synthetic rows go to a temporary SQLite file in the workspace (the local store); it appears at
 * `output.sqlite` only in Storing. A PostgreSQL destination gets the same batches as they are
 * generated, in one transaction committed in Storing (streaming-write.ts); other destinations are
 * written from the local output in Storing. Either way all or nothing: cancel (AbortSignal) or a
 * failure anywhere leaves no output behind.
 */
import path from 'node:path';
import fs from 'node:fs/promises';
import { activeForeignKeys } from '../../shared/config';
import { relationshipKey } from '../../shared/metadata';
import { AppError } from '../../shared/errors';
import { describeRename } from '../../shared/stored-names';
import { deviceNotice } from '../../shared/device-notice';
import type { ExecutionSummary, JobEvent, WorkerCommand } from '../../shared/job';
import type { RowBatch } from '../../shared/values';
import { openLocalOutput, type LocalOutput } from '../../data/destinations/local-output';
import { checkDestination, destinationSpec, type DestinationPlan } from '../../data/destinations/check';
import { writeDestination } from '../../data/destinations/write';
import { openDestinationWriter, streamingRefusal, type DestinationWriter } from '../../data/destinations/streaming-write';
import { destinationMapping } from '../../data/destinations/mapping';
import { readOutputTable } from '../../data/exporters/table-reader';
import type { BuiltDataset } from '../engine/stages/dataset';
import { analyzeStage } from '../engine/stages/analyze';
import { encodeStage } from '../engine/stages/encode';
import { generateStage } from '../engine/stages/generate';
import { loadEncoded } from '../engine/stages/reload';
import { keepOriginals } from './kept-originals';
import { build, dispose, modelSummary, trainStage } from '../engine/stages/train';
import { reportSteps } from '../engine/report/build';
import { runStepsPausing } from '../engine/steps';
import { readReportFile, removeReportFiles, writeReportFiles } from '../../report/files';
import { reportAgainstFirstRun } from '../engine/report/against-first-run';
import type { ReportJson } from '../../report/schema';
import { Reservoir } from '../../data/sources/reservoir';
import { reportRows } from '../engine/report/build';
import { thinnedLinks } from './output-child-counts';
import type { ChildCountHistogram } from '../../shared/table-stats';
import { boundedHeap, collectGarbage } from '../engine/collect-garbage';
import { heedCancel } from '../engine/model/trainer';
import { datasetDp } from '../engine/privacy/combine';
import { loadData, originalReader, type LoadedData } from './load-data';
import { outputTableMetas } from '../../data/destinations/output-tables';
import { Timeline } from './timeline';
import { formatBytes, guardDisk, type ResourceEstimate } from './resource-guard';
import { destinationDataDir } from '../../data/destinations/data-disk';
import { describeSource } from '../../shared/source';
import { ORIGINALS_FILE, OUTPUT_FILE } from '../../data/store/workspace-files';

export type StartCommand = Extract<WorkerCommand, { type: 'start' }>;

/**
 * Generation spread over site workers: the synthesized tables are cut into seed-determined shards
 * that any worker generates into a staging table of the destination; `swap` makes them the output
 * in one step. Given to `runJob` by a site worker; a local run generates in this process.
 */
export interface Distributor {
  /** Why this execution is generated in one process after all (logged), or null when it is sharded. */
  refusal(config: StartCommand['config']): string | null;
  /**
   * Generates every synthesized table as shards; `sample` receives a bounded part of the output for
   * the report, `childCounts` the children per parent of every output row (per link, relational outputs).
   */
  generate(args: {
    built: BuiltDataset;
    metadata: LoadedData['metadata'];
    /** The folder of the trained model the shards generate from. */
    model: string;
    seed: number;
    count?: number;
    signal: AbortSignal;
    onProgress: (done: number, total: number, message?: string) => void;
    sample: (table: string, batch: RowBatch) => void;
    /** The original-data tables whose report sample `sample` already received (copied into the workspace before). */
    sampled: string[];
  }): Promise<{ rows: Record<string, number>; childCounts?: Record<string, ChildCountHistogram> }>;
  /** Makes the shards the destination's tables, all at once; returns the rows of each table. */
  swap(signal: AbortSignal): Promise<Record<string, number>>;
  /** Removes whatever the shards wrote (a failed or canceled execution). */
  discard(): Promise<void>;
}

export async function runJob(
  cmd: StartCommand,
  emit: (event: JobEvent) => void,
  signal: AbortSignal,
  opts: { distributor?: Distributor } = {},
): Promise<ExecutionSummary> {
  const { config, workspace, secrets } = cmd;
  let distributor: Distributor | null = null;
  const timeline = new Timeline(emit);
  const log = (level: 'info' | 'warn' | 'error', message: string): void => timeline.log(level, message);
  await fs.mkdir(workspace, { recursive: true });
  const outputPath = path.join(workspace, OUTPUT_FILE);
  const originalsPath = path.join(workspace, ORIGINALS_FILE);
  let output: LocalOutput | null = null;
  /** The destination written as the rows are generated (PostgreSQL), committed in Storing. */
  let live: DestinationWriter | null = null;
  let built: BuiltDataset | null = null;
  let fingerprint: LoadedData['fingerprint'] | null = null;
  try {
    const generate = cmd.generate;
    // Generating again loads the trained run's analyze and encode artifacts, when it wrote them (else the source is read, as training did).
    const stored =
      generate && secrets.artifactKey ? await loadEncoded({ config, from: generate.from, workspace, artifactKey: secrets.artifactKey, log, signal }) : null;
    let loaded: Pick<LoadedData, 'metadata' | 'tables' | 'sourceRows'> & Partial<Pick<LoadedData, 'wholeStats' | 'copied' | 'widened'>>;
    if (stored) {
      timeline.skip('load');
      if (stored.input.fingerprint) emit({ type: 'fingerprint', ...stored.input.fingerprint });
      const originals = Object.entries(config.tables)
        .filter(([, t]) => t.treatment === 'original')
        .map(([name]) => name);
      log(
        'info',
        `Generating from the stored model of ${stored.order.length} table(s) alone${originals.length ? `, with the original-data table(s) ${originals.map((t) => `"${t}"`).join(', ')} from the first run's output` : ''}: the source is not read.`,
      );
      loaded = { metadata: stored.input.metadata, tables: stored.input.tables, sourceRows: stored.sourceRows };
    } else {
      if (generate) log('info', 'The trained run left no generation artifacts (an older run): the source is read again.');
      loaded = await timeline.run('load', async () => {
        const data = await loadData(config, {
          password: secrets.sourcePassword,
          signal,
          onProgress: (done, total, table) => timeline.progress('load', done, total, { message: table }),
        });
        emit({ type: 'fingerprint', ...data.fingerprint });
        const inSource = totalOf(Object.fromEntries(Object.entries(data.sourceRows).filter(([t]) => !data.copied.includes(t))));
        const read = totalOf(Object.fromEntries(Object.entries(data.tables).map(([t, b]) => [t, b.rows.length])));
        const sampled = read < inSource ? ` (a training sample of the ${inSource.toLocaleString('en-US')} rows in the source)` : '';
        log('info', `Read ${read.toLocaleString('en-US')} rows from ${Object.keys(data.tables).length} table(s)${sampled}.`);
        if (data.copied.length)
          log(
            'info',
            `Original-data table(s) ${data.copied.map((t) => `"${t}"`).join(', ')} are copied from the source batch by batch as the output is written, not held in memory.`,
          );
        const counted = Object.keys(data.wholeStats);
        if (counted.length)
          log(
            'info',
            `Rare categories and extremes of ${counted.map((t) => `"${t}"`).join(', ')} are decided on every row of the source (counted in the source).`,
          );
        const links = Object.values(data.wholeStats).flatMap((s) => Object.keys(s.childCounts ?? {}));
        if (links.length)
          log(
            'info',
            `Children per parent along ${links.join(', ')} are counted over every row of the source: the output and the report follow them, not the sample's.`,
          );
        fingerprint = data.fingerprint;
        return data;
      });
    }
    const plan: DestinationPlan = { tables: outputTableMetas(config, loaded.metadata), relationships: activeForeignKeys(config) };
    if (config.destination.kind === 'database') {
      // The destination is checked before any training, so a missing right fails at once.
      const check = await checkDestination(config.destination, plan, { password: secrets.destinationPassword, source: config.source });
      log('info', `Destination check: ${check.message}`);
      if (check.renames?.length) log('warn', `Stored under other names (the destination cannot hold these): ${check.renames.map(describeRename).join(', ')}.`);
    }
    // Sharded generation writes the destination's staging tables and no local output.
    const refusal = opts.distributor ? opts.distributor.refusal(config) : null;
    if (opts.distributor && refusal) log('info', `Generated on this worker alone: ${refusal}.`);
    const sharding = opts.distributor && !refusal ? opts.distributor : null;
    const dest = config.destination.kind === 'database' ? config.destination : null;
    const estimate = await guardDisk(config, loaded.tables, loaded.sourceRows, workspace, {
      localOutput: !sharding,
      // A sharded training run keeps its original-data tables in the workspace (kept-originals.ts).
      keepsOriginals: !!sharding && !generate,
      ...(generate ? { count: generate.rows } : {}),
      ...(dest
        ? {
            destination: {
              name: describeSource(destinationSpec(dest)),
              dataDir: await destinationDataDir(dest, secrets.destinationPassword),
              copies: sharding ? 2 : 1,
            },
          }
        : {}),
    });
    log('info', estimateText(estimate, !!sharding));
    abortIfNeeded(signal);

    const stageCtx = { signal, log };
    const prepared = await timeline.run(encodeStage.name, async () => {
      if (stored) return stored;
      const analysis = await analyzeStage.run(
        {
          config,
          metadata: loaded.metadata,
          tables: loaded.tables,
          sourceRows: loaded.sourceRows,
          ...(loaded.wholeStats ? { wholeStats: loaded.wholeStats } : {}),
          workspace,
          log,
          mockingKey: secrets.mockingKey,
          ...(loaded.copied?.length
            ? { copies: { copied: loaded.copied, read: originalReader(config, { password: secrets.sourcePassword, widened: loaded.widened }) } }
            : {}),
          ...(secrets.artifactKey ? { artifactKey: secrets.artifactKey } : {}),
          fingerprint,
        },
        stageCtx,
      );
      await analyzeStage.save(analysis, workspace);
      const encoded = await encodeStage.run(analysis, stageCtx);
      await encodeStage.save(encoded, workspace);
      return encoded;
    });
    abortIfNeeded(signal);
    built = await timeline.run('build', async () => {
      const b = await build(prepared);
      if (generate) {
        // The trained model is read back instead of trained: same encoding, saved weights.
        await trainStage.load(generate.from, b, stageCtx);
        log('info', `Reused the trained model of ${Object.keys(b.models).length} table(s); no training.`);
      }
      return b;
    });
    const notice = deviceNotice(config.settings.device, built.backend);
    if (notice) log('warn', notice);
    emit({ type: 'ready', backend: built.backend, ...(notice ? { notice } : {}) });
    const model = built;
    if (generate) timeline.skip(trainStage.name);
    else {
      await timeline.run(trainStage.name, async () => {
        await trainStage.run(model, {
          ...stageCtx,
          // Every epoch's loss is sent (not throttled away), so the chart shows every epoch of every table live.
          progress: (p) =>
            timeline.progress(trainStage.name, p.done, p.total, {
              metrics: p.metrics,
              message: p.message ?? p.metrics?.table,
              force: p.metrics?.trainLoss !== undefined,
            }),
        });
        await trainStage.save(model, workspace);
      });
    }

    const samples: Record<string, Reservoir> = {};
    const sampleRows = reportRows();
    /** The report's bounded sample of the output, per table. */
    const sample = (table: string, batch: RowBatch): void => (samples[table] ??= new Reservoir(sampleRows, config.settings.seed + table.length)).add(batch);
    /** A sharded relational output's children per parent, counted on the shards. */
    let shardedCounts: Record<string, ChildCountHistogram> | null = null;
    distributor = sharding;
    // Training's garbage is not carried into the synthesis (nor the synthesis's into the report), and the
    // synthesis's heap stays within a headroom of what is alive, whatever the rows: see collect-garbage.ts.
    const heap = boundedHeap();
    const sharded = distributor;
    const result = await timeline.run(generateStage.name, async () => {
      if (sharded) {
        const sampled = generate ? [] : await keepOriginals(model, config, plan, originalsPath, { signal, sample });
        const done = await sharded.generate({
          built: model,
          metadata: loaded.metadata,
          model: generate?.from ?? workspace,
          seed: generate?.seed ?? config.settings.seed,
          ...(generate ? { count: generate.rows } : {}),
          signal,
          onProgress: (done, total, message) => timeline.progress('synthesize', done, total, message === undefined ? {} : { message }),
          sample,
          sampled,
        });
        shardedCounts = done.childCounts ?? null;
        return done;
      }
      output = await openLocalOutput(outputPath, plan.tables, plan.relationships);
      const out = output;
      if (config.destination.kind === 'database') {
        // Rows go into the destination as they are generated, in a transaction committed in Storing.
        const why = streamingRefusal(config.destination, plan);
        if (why) log('info', `The destination is written in the Storing step, from the local output: ${why}.`);
        else live = await openDestinationWriter(config.destination, plan, { password: secrets.destinationPassword, signal });
      }
      const dest = live;
      return generateStage.run(
        {
          built: model,
          ...(generate ? { count: generate.rows, seed: generate.seed } : {}),
          sink: async (table, batch) => {
            await out.append(table, batch);
            if (dest) await dest.append(table, batch);
            sample(table, batch);
            heap.check();
            await heedCancel(signal);
          },
        },
        { ...stageCtx, progress: (p) => timeline.progress(generateStage.name, p.done, p.total, { message: p.message }) },
      );
    });
    abortIfNeeded(signal);

    let reportPath: string | null = null;
    let quality: number | null = null;
    let privacy: ExecutionSummary['privacy'];
    collectGarbage();
    await timeline.run('report', async () => {
      // Children per parent over every output row: a sharded output's as its shards counted them (its
      // sample is the first shards'); a local one's counted in the file for the links whose output
      // outgrew the report's sample.
      const local = output;
      const syntheticChildCounts: Record<string, ChildCountHistogram> =
        shardedCounts ??
        (local ? Object.fromEntries(thinnedLinks(plan.relationships, samples, sampleRows).map((fk) => [relationshipKey(fk), local.childCounts(fk)])) : {});
      const synthetic: Record<string, RowBatch> = {};
      for (const [t, r] of Object.entries(samples)) synthetic[t] = r.batch();
      const realTrain: Record<string, RowBatch> = {};
      const realHoldout: Record<string, RowBatch> = {};
      for (const [t, ev] of Object.entries(prepared.evaluation)) {
        realTrain[t] = ev.train;
        realHoldout[t] = ev.holdout;
      }
      // An original-data table is the same on both sides: the rows the engine held (a large one's
      // part holds every row synthesized rows reference), else the sample of what was copied.
      for (const [t, tc] of Object.entries(config.tables)) {
        const real = tc.treatment === 'original' ? (loaded.tables[t] ?? synthetic[t]) : undefined;
        if (real) realTrain[t] = synthetic[t] = real;
      }
      // Measure by measure, chart by chart: a cancel is heard between them.
      const pause = (): Promise<void> => heedCancel(signal);
      const report = await runStepsPausing(
        reportSteps({
          executionId: cmd.executionId,
          auditHead: cmd.auditHead ?? null,
          config,
          metadata: loaded.metadata,
          realTrain,
          realHoldout,
          synthetic,
          backend: model.backend,
          stepSeconds: timeline.seconds,
          seed: generate?.seed ?? config.settings.seed,
          inherited: prepared.relational?.inherited,
          effective: prepared.effective,
          wholeStats: loaded.wholeStats,
          syntheticChildCounts,
          destination: destinationMapping(config.destination, plan),
          models: Object.fromEntries(Object.entries(model.models).map(([t, m]) => [t, modelSummary(m)])),
          privacyStats: { differentialPrivacy: datasetDp(Object.values(model.models).map((m) => m.differentialPrivacy)) },
        }),
        pause,
      );
      // A generation from the stored model read no real row: its output is compared with the first run's report.
      const firstReport = stored && generate ? readFirstReport(generate.from, log) : null;
      const final = firstReport ? reportAgainstFirstRun(report, firstReport, synthetic) : report;
      const files = await writeReportFiles(final, workspace, pause);
      reportPath = files.htmlPath;
      quality = final.summary.quality ?? null;
      privacy = privacyFigures(final);
    });
    abortIfNeeded(signal);

    let destinationRows: Record<string, number> | null = null;
    await timeline.run('store', async () => {
      if (sharded) {
        destinationRows = await sharded.swap(signal);
        return;
      }
      await output!.commit();
      output = null;
      const streamed = live as DestinationWriter | null;
      if (streamed) {
        live = null;
        const written = await streamed.finish();
        destinationRows = written.rows;
        const n = totalOf(written.rows);
        timeline.progress('store', n, n, { force: true });
        log(
          'info',
          `Wrote ${n.toLocaleString('en-US')} rows into the destination as they were generated: ${streamed.seconds.toFixed(1)} s writing (${Math.round(n / Math.max(streamed.seconds, 1e-3)).toLocaleString('en-US')} rows/s).`,
        );
      } else if (config.destination.kind === 'database') {
        const written = await writeDestination(config.destination, plan, (table) => readOutputTable(outputPath, table, 10_000, signal), {
          password: secrets.destinationPassword,
          signal,
          onProgress: (p) => timeline.progress('store', p.totalRows, totalOf(result.rows), { message: p.table }),
        });
        destinationRows = written.rows;
      }
    });
    const summary: ExecutionSummary = {
      executionId: cmd.executionId,
      status: 'succeeded',
      stepSeconds: timeline.seconds as Record<string, number>,
      rows: destinationRows ?? result.rows,
      backend: model.backend,
      quality,
      privacy,
      // A sharded output lives in the destination only.
      outputPath: sharded ? null : outputPath,
      reportPath,
    };
    emit({ type: 'result', summary });
    return summary;
  } catch (e) {
    // Canceled or not is decided before the discard, which stops the shards through the cancel key (and so aborts this run's own signal on a site worker).
    const canceled = signal.aborted;
    // Nothing half-written: the temporary output is discarded, a committed one removed.
    const pending = output as LocalOutput | null;
    if (pending) await pending.abort();
    const streaming = live as DestinationWriter | null;
    if (streaming) await streaming.abort().catch(() => undefined);
    await fs.rm(outputPath, { force: true });
    await fs.rm(originalsPath, { force: true });
    // No report of an output that was not kept (a cancel in Storing).
    removeReportFiles(workspace);
    if (distributor) await distributor.discard().catch(() => undefined);
    throw canceled ? new AppError('EXECUTION_CANCELED', 'The execution was canceled; no output was kept.') : e;
  } finally {
    if (built) dispose(built);
  }
}

/** The guard's estimate as the execution log shows it. */
function estimateText(e: ResourceEstimate, sharded: boolean): string {
  const rows = `${e.outputRows.toLocaleString('en-US')} rows`;
  const destFree =
    e.destinationFreeBytes === null ? "its server's free space cannot be measured from here" : `${formatBytes(e.destinationFreeBytes)} free there`;
  if (sharded)
    return `Output estimate: ${rows}, about ${formatBytes(e.destinationBytes)} in the destination at its peak (staging tables, then the tables they are swapped into; ${destFree}); ${e.originalsBytes ? `about ${formatBytes(e.originalsBytes)} of original-data tables kept on disk (${formatBytes(e.freeBytes)} free), no copy of the synthetic rows` : 'no local copy is written'}.`;
  const local = `about ${formatBytes(e.localBytes)} on disk (${formatBytes(e.freeBytes)} free)`;
  return e.destinationBytes
    ? `Output estimate: ${rows}, ${local}, and about ${formatBytes(e.destinationBytes)} in the destination (${destFree}).`
    : `Output estimate: ${rows}, ${local}.`;
}

/** The report of the run that trained the model, or null (logged) when it cannot be read. */
function readFirstReport(from: string, log: (level: 'info' | 'warn' | 'error', message: string) => void): ReportJson | null {
  try {
    return readReportFile(from);
  } catch {
    log('warn', 'The report of the run that trained the model cannot be read: this report has no real side to compare with.');
    return null;
  }
}

function totalOf(rows: Record<string, number>): number {
  return Object.values(rows).reduce((a, b) => a + b, 0);
}

function abortIfNeeded(signal: AbortSignal): void {
  if (signal.aborted) throw new AppError('EXECUTION_CANCELED', 'The execution was canceled; no output was kept.');
}

/** The report's privacy verdict and what its exact-match count was measured on, for the execution and audit records. */
function privacyFigures(report: ReportJson): NonNullable<ExecutionSummary['privacy']> {
  const p = report.summary.privacy;
  const measured = report.tables.filter((t) => t.privacy !== null);
  const syntheticRows = measured.reduce((s, t) => s + t.rows.synthetic, 0);
  const trainRows = measured.reduce((s, t) => s + t.rows.train, 0);
  const withBaseline = measured.filter((t) => t.privacy!.holdoutExactMatchRate !== null);
  const baselineRows = withBaseline.reduce((s, t) => s + t.rows.synthetic, 0);
  const holdoutMatchRate =
    withBaseline.length > 0 && baselineRows > 0
      ? withBaseline.reduce((s, t) => s + t.privacy!.holdoutExactMatchRate! * t.rows.synthetic, 0) / baselineRows
      : null;
  return {
    dcrShare: p.dcrShare ?? null,
    exactMatches: p.exactMatches ?? null,
    level: p.level,
    headline: p.headline,
    exactMatchesUnique: p.exactMatchesUnique,
    syntheticRows,
    trainRows,
    holdoutMatchRate,
  };
}
