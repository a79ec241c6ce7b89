/**
 * `doppel report <execution> [--out report.html|report.pdf|report.json] [--compare <execution>...]`
 *
 * Reads the execution's stored report.json and writes it as HTML, PDF or JSON (by the output
 * file's extension). With --compare, writes the side-by-side comparison of two or more executions
 * (HTML, or PDF when --out ends in .pdf). Without --out, prints the report's headline figures as JSON.
 * `<execution>` is an execution id of the project store, or a path to an execution workspace
 * folder or to a report.json file.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared';
import { fail } from '../context';
import { REPORT_JSON } from '../../../data/store/workspace-files';
import type { ReportJson } from '../../../report/schema';

// The report modules (Vega, Chromium) load only when a report is written, so other commands start fast.
const reportFiles = () => import('../../../report/files');

/** Finds the report.json of an execution id in a project store; null when unknown. */
export type ReportLocator = (execution: string, storeDir: string | undefined) => Promise<string | null>;

export interface ReportCommandOptions {
  out?: string;
  compare?: string | string[];
  store?: string;
}

/** A path given on the command line: a report.json or a workspace folder holding one. */
function fromPath(arg: string): string | null {
  if (!existsSync(arg)) return null;
  return statSync(arg).isDirectory() ? join(arg, REPORT_JSON) : arg;
}

export async function loadExecutionReport(execution: string, storeDir: string | undefined, locate?: ReportLocator): Promise<ReportJson> {
  const path = fromPath(execution) ?? (locate ? await locate(execution, storeDir) : null);
  if (!path) {
    throw new AppError('EXECUTION_NOT_FOUND', `No execution "${execution}" was found${storeDir ? ` in the project store ${storeDir}` : ''}.`, {
      fix: 'List the executions with `doppel executions` and pass one of their ids (or the path of an execution folder).',
    });
  }
  return (await reportFiles()).readReportFile(path);
}

function headline(r: ReportJson): Record<string, unknown> {
  const s = r.summary;
  return {
    executionId: r.executionId,
    name: r.name,
    quality: s.quality,
    accuracy: s.accuracy,
    columnShapes: s.columnShapes,
    columnPairTrends: s.columnPairTrends,
    privacy: {
      level: s.privacy.level,
      dcrShare: s.privacy.dcrShare,
      exactMatches: s.privacy.exactMatches,
      exactMatchesUnique: s.privacy.exactMatchesUnique,
      verdict: s.privacy.headline,
    },
    utility: s.utility,
    tables: s.tables,
  };
}

/** Runs the command; returns what it printed as an object (for tests and --json callers). */
export async function runReportCommand(execution: string, opts: ReportCommandOptions, locate?: ReportLocator): Promise<Record<string, unknown>> {
  const report = await loadExecutionReport(execution, opts.store, locate);
  const compared = typeof opts.compare === 'string' ? [opts.compare] : (opts.compare ?? []);
  if (compared.length > 0) {
    const others: ReportJson[] = [];
    for (const c of compared) others.push(await loadExecutionReport(c, opts.store, locate));
    const out = opts.out ?? 'comparison.html';
    const { reportFormatOf } = await reportFiles();
    const { compareReports } = await import('../../../report/compare');
    const { renderReportPdf } = await import('../../../report/pdf');
    const format = reportFormatOf(out);
    if (format === 'json')
      throw new AppError('BAD_REQUEST', 'A comparison is written as .html or .pdf, not .json.', { fix: 'Use --out comparison.html (or .pdf).' });
    const html = await compareReports(report, ...others);
    if (format === 'pdf') await renderReportPdf(html, out);
    else writeFileSync(out, html);
    return { out, format, compared: [report, ...others].map((r) => r.executionId) };
  }
  if (!opts.out) return headline(report);
  const format = await (await reportFiles()).exportReport(report, opts.out);
  return { out: opts.out, format };
}

export function register(program: Command, locate?: ReportLocator): void {
  program
    .command('report')
    .description('write the quality and privacy report of an execution as HTML, PDF or JSON')
    .argument('<execution>', 'execution id (or the path of an execution folder or report.json)')
    .option('-o, --out <file>', 'output file: report.html, report.pdf or report.json')
    .option('--compare <executions...>', 'compare with one or more other executions (HTML or PDF side by side)')
    .action(async (execution: string, cmdOpts: { out?: string; compare?: string[] }, cmd: Command) => {
      try {
        const globals = cmd.optsWithGlobals<{ store?: string }>();
        const result = await runReportCommand(execution, { ...cmdOpts, store: globals.store }, locate);
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } catch (e) {
        fail(e);
      }
    });
}
