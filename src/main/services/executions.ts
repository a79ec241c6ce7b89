import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExecutionRecord, ExportFormat, Page, ReportFileFormat, SynthesisConfig, WorkerCommand } from '../../shared';
import { AppError, validateConfig, validationFailure } from '../../shared';
import { localOutputOf } from '../../shared/local-output';
import { previewTable } from '../../data/destinations/preview';
import { describeOutputTables } from '../../data/exporters/table-reader';
import { exportExecution, outputTablesOf } from '../../data/exporters/execution-export';
import type { ProjectStore } from '../../data/store/types';
import type { JobRunner } from './jobs';
import type { SourceAccess } from './source-access';
import { columnTypes, toPage } from './wire';
import { validationEnv } from '../../data/sources/canonical-path';
import type { ReportJson } from '../../report/schema';

type JobSecrets = Extract<WorkerCommand, { type: 'start' }>['secrets'];

/** Execution use cases shared by the API handlers and the CLI. */
export class ExecutionService {
  constructor(
    private readonly store: ProjectStore,
    private readonly jobs: JobRunner,
    private readonly sources: SourceAccess,
  ) {}

  /**
   * Validates the synthesis against its source (with data facts: PK uniqueness, row counts), then
   * creates an execution and starts its worker. Throws VALIDATION_FAILED with every error.
   */
  async start(synthesisId: string, given: { destinationPassword?: string } = {}): Promise<ExecutionRecord> {
    const synthesis = this.store.syntheses.get(synthesisId);
    const config = synthesis.config;
    const { metadata } = await this.sources.inspect(config.source);
    const facts = await this.sources.facts(config);
    const errors = validateConfig(config, metadata, facts, validationEnv).filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      throw validationFailure(errors, `The synthesis "${synthesis.name}" cannot run: `);
    }
    // Passwords first: a saved password asked for another server fails before any execution exists.
    const secrets = this.secretsFor(config);
    if (given.destinationPassword !== undefined) secrets.destinationPassword = given.destinationPassword;
    const execution = this.store.executions.create({ synthesisId, config });
    secrets.artifactKey = this.store.artifactKey(execution.id);
    void this.jobs.start(execution, config, secrets);
    return execution;
  }

  /**
   * Generates again from the trained model of a finished execution: a new execution of the same
   * synthesis that reuses the saved model instead of training, and samples `rows` rows (the
   * root's, in a relational synthesis) with `seed`. From an execution that was itself generated,
   * the model is the one that execution used (the training run's), so every generation of a chain
   * samples the same trained model.
   */
  generate(
    id: string,
    opts: { rows: number; seed?: number | undefined; destination?: SynthesisConfig['destination']; destinationPassword?: string | undefined },
  ): ExecutionRecord {
    const source = this.store.executions.get(id);
    if (source.status !== 'succeeded') {
      throw new AppError('BAD_REQUEST', `Execution "${source.name}" has no trained model to generate from (${source.status}).`, {
        fix:
          source.status === 'running' || source.status === 'queued'
            ? 'Wait for it to finish.'
            : 'Pick an execution that succeeded, or run the synthesis again.',
      });
    }
    const trained = this.trainedRun(source);
    const given = this.store.executions.config(id);
    // Another destination may be given (a password given with it is for this run only).
    const config = opts.destination ? { ...given, destination: opts.destination } : given;
    const secrets = this.secretsFor(config);
    if (opts.destinationPassword !== undefined) secrets.destinationPassword = opts.destinationPassword;
    // The trained run's key: its artifacts (copy filter hashes, sealed kept values) are read under it.
    secrets.artifactKey = this.store.artifactKey(trained.id);
    const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
    const execution = this.store.executions.create({ synthesisId: source.synthesisId, config, trainedBy: trained.id });
    void this.jobs.start(execution, config, secrets, { from: trained.workspace, rows: opts.rows, seed });
    return execution;
  }

  /** The execution that trained the model `execution` holds or generated from, or a clear error when it was deleted. */
  private trainedRun(execution: ExecutionRecord): ExecutionRecord {
    if (execution.trainedBy === null) return execution;
    try {
      return this.store.executions.get(execution.trainedBy);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'EXECUTION_NOT_FOUND') throw e;
      throw new AppError(
        'EXECUTION_NOT_FOUND',
        `Execution "${execution.name}" was generated from the model of execution ${execution.trainedBy}, which was deleted with its model.`,
        { fix: 'Run the synthesis again to train a new model, then generate from that execution.' },
      );
    }
  }

  private secretsFor(config: SynthesisConfig): JobSecrets {
    const secrets: JobSecrets = { mockingKey: this.store.mockingKey() };
    const sp = this.sources.passwordFor(config.source);
    if (sp !== undefined) secrets.sourcePassword = sp;
    if (config.destination.kind === 'database') {
      const dp = this.sources.passwordFor(config.destination.target);
      if (dp !== undefined) secrets.destinationPassword = dp;
    }
    return secrets;
  }

  /** The local output file of a finished execution, or a clear error. */
  outputOf(id: string): { record: ExecutionRecord; file: string; tables: string[] } {
    const record = this.store.executions.get(id);
    const file = localOutputOf(record);
    return { record, file, tables: outputTablesOf(file) };
  }

  async preview(id: string, table: string, offset: number, limit: number): Promise<Page> {
    const { file } = this.outputOf(id);
    const page = await previewTable(file, table, offset, limit);
    return toPage(page, offset, columnTypes(describeOutputTables(file, [table])[0]?.columns));
  }

  tables(id: string): { name: string; rows: number }[] {
    const { file, tables } = this.outputOf(id);
    return describeOutputTables(file, tables).map((t) => ({ name: t.name, rows: t.rowCount }));
  }

  async export(id: string, format: ExportFormat, opts: { allowFormulas?: boolean | undefined } = {}): Promise<{ path: string; fileName: string }> {
    const { record, file, tables } = this.outputOf(id);
    const base = `${this.downloadBase(record)}-${format}`;
    const single = tables.length === 1 && format !== 'xlsx' && format !== 'ods';
    const fileName = format === 'xlsx' || format === 'ods' ? `${base}.${format}` : single ? `${tables[0]!.replace(/[^\w.-]+/g, '_')}.${format}` : `${base}.zip`;
    const target = path.join(record.workspace, 'exports', fileName);
    mkdirSync(path.dirname(target), { recursive: true });
    const result = await exportExecution(file, { format, out: target, tables, label: record.name, allowFormulas: opts.allowFormulas ?? false, force: true });
    return { path: result.path, fileName: path.basename(result.path) };
  }

  /** `<synthesis name>-<run date and time>` (file-name safe), e.g. `Chinook_synthesis-2026-12-05_0812`. */
  private downloadBase(record: ExecutionRecord): string {
    let name = record.name;
    try {
      name = this.store.syntheses.get(record.synthesisId).name;
    } catch {
      // The synthesis was deleted: the execution's own name.
    }
    const when = record.createdAt.slice(0, 16).replace('T', '_').replace(':', '');
    return `${name}-${when}`.replace(/[^\w.-]+/g, '_');
  }

  async report(id: string): Promise<{ html: string; json: unknown }> {
    const record = this.store.executions.get(id);
    try {
      const { reportView } = await import('../../report/files');
      return await reportView(record.workspace);
    } catch (e) {
      if (record.status !== 'succeeded') {
        throw new AppError('NOT_FOUND', `Execution "${record.name}" has no report (${record.status}).`, {
          fix: 'Reports are made when an execution succeeds; run the synthesis again.',
        });
      }
      throw e;
    }
  }

  /** The side-by-side comparison of two or more executions' reports, in the order given (the first is A). */
  async compare(ids: string[]): Promise<{ html: string }> {
    const reports: ReportJson[] = [];
    for (const id of ids) reports.push(await this.storedReport(id));
    const { compareReports } = await import('../../report/compare');
    return { html: await compareReports(...reports) };
  }

  /**
   * One execution's report (one id) or a comparison (several) written as HTML or PDF into the first execution's
   * workspace (`exports/`, a staging copy Doppel owns), named for the user: `<synthesis>-<run date>-report.pdf`,
   * `<synthesis>-<run date>-comparison-of-3-runs.html`.
   */
  async exportReport(ids: string[], format: ReportFileFormat): Promise<{ path: string; fileName: string }> {
    const first = this.store.executions.get(ids[0]!);
    const html = ids.length === 1 ? (await this.report(ids[0]!)).html : (await this.compare(ids)).html;
    const fileName = `${this.downloadBase(first)}-${ids.length === 1 ? 'report' : `comparison-of-${ids.length}-runs`}.${format}`;
    const target = path.join(first.workspace, 'exports', fileName);
    mkdirSync(path.dirname(target), { recursive: true });
    if (format === 'pdf') {
      const { renderReportPdf } = await import('../../report/pdf');
      await renderReportPdf(html, target);
    } else {
      writeFileSync(target, html);
    }
    return { path: target, fileName };
  }

  /** The stored report.json of an execution, or a clear error when it has none. */
  private async storedReport(id: string): Promise<ReportJson> {
    const record = this.store.executions.get(id);
    if (record.status !== 'succeeded') {
      throw new AppError('NOT_FOUND', `Execution "${record.name}" has no report to compare (${record.status}).`, {
        fix: 'Compare executions that succeeded.',
      });
    }
    const { readReportFile } = await import('../../report/files');
    return readReportFile(record.workspace);
  }

  delete(id: string): void {
    if (this.jobs.isRunning(id)) {
      throw new AppError('BAD_REQUEST', 'This execution is still running.', { fix: 'Cancel it first, then delete it.' });
    }
    this.store.executions.delete(id);
  }
}
