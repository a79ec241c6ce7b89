/**
 * The report on disk: `report.json` (the ReportJson, source of truth) and `report.html` (its
 * rendering) in an execution's workspace, and exports to .html / .pdf / .json files.
 */
import { readFileSync, writeFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { AppError } from '../shared';
import { renderReportHtml } from './html';
import type { Pause } from './html-sections';
import { tempPathFor } from '../data/platform/partial-files';
import { renderReportPdf } from './pdf';
import { reportJsonSchema, type ReportJson } from './schema';
import { REPORT_HTML, REPORT_JSON } from '../data/store/workspace-files';

/**
 * Writes report.json and report.html into `dir`; returns their paths. The HTML is rendered first
 * (`pause` awaited between its charts: a throw from it writes nothing), then each file is written
 * under a temporary name and renamed: neither ever stands half-written.
 */
export async function writeReportFiles(report: ReportJson, dir: string, pause?: Pause): Promise<{ jsonPath: string; htmlPath: string }> {
  const html = await renderReportHtml(report, pause);
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, REPORT_JSON);
  const htmlPath = join(dir, REPORT_HTML);
  await writeWhole(jsonPath, (temp) => writeFileSync(temp, JSON.stringify(report)));
  await writeWhole(htmlPath, (temp) => writeFileSync(temp, html));
  return { jsonPath, htmlPath };
}

/** Removes a workspace's report files (a run that kept no output has nothing to report on). */
export function removeReportFiles(dir: string): void {
  for (const name of [REPORT_JSON, REPORT_HTML]) rmSync(join(dir, name), { force: true });
}

/** Writes `path` under a temporary name, then renames it (removed when the write fails). */
async function writeWhole(path: string, write: (temp: string) => void | Promise<void>): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await write(temp);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/** Reads and validates a stored report.json (a file, or a workspace folder containing one). */
export function readReportFile(path: string): ReportJson {
  const file = extname(path).toLowerCase() === '.json' ? path : join(path, REPORT_JSON);
  if (!existsSync(file)) {
    throw new AppError('NOT_FOUND', `No report found at ${file}.`, {
      fix: 'Reports are made by the "Report generation" step of a successful execution; run the synthesis again if this one failed or was cancelled.',
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AppError('INTERNAL', `The report ${file} is not valid JSON.`, { fix: 'Run the synthesis again to regenerate its report.', cause: e });
  }
  const parsed = reportJsonSchema.safeParse(value);
  if (!parsed.success) {
    throw new AppError(
      'INTERNAL',
      `The report ${file} does not have the expected shape (${parsed.error.issues[0]?.path.join('.') ?? '?'}: ${parsed.error.issues[0]?.message ?? ''}).`,
      {
        fix: 'It may come from another Doppel version; run the synthesis again to regenerate it.',
      },
    );
  }
  return parsed.data;
}

export const reportFormats = ['html', 'pdf', 'json'] as const;
export type ReportFormat = (typeof reportFormats)[number];

/** The export format named by a file's extension. */
export function reportFormatOf(outPath: string): ReportFormat {
  const ext = extname(outPath).toLowerCase().replace('.', '');
  if (ext === 'htm') return 'html';
  if ((reportFormats as readonly string[]).includes(ext)) return ext as ReportFormat;
  throw new AppError('BAD_REQUEST', `Cannot tell the report format from "${outPath}": the report can be written as .html, .pdf or .json.`, {
    fix: 'End the output file name with .html, .pdf or .json.',
  });
}

/** Writes the report to `outPath` as HTML, PDF or JSON (by extension); returns the format. */
export async function exportReport(report: ReportJson, outPath: string): Promise<ReportFormat> {
  const format = reportFormatOf(outPath);
  const dir = dirname(outPath);
  if (!existsSync(dir)) {
    throw new AppError('EXPORT_FAILED', `Cannot write ${outPath}: the folder ${dir} does not exist.`, {
      fix: 'Create the folder or choose another output path.',
    });
  }
  try {
    const text = format === 'json' ? JSON.stringify(report, null, 2) : await renderReportHtml(report);
    await writeWhole(outPath, (temp) => (format === 'pdf' ? renderReportPdf(text, temp) : writeFileSync(temp, text)));
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('EXPORT_FAILED', `Cannot write ${outPath}: ${e instanceof Error ? e.message : String(e)}`, {
      fix: 'Check that the folder is writable and there is free disk space.',
      cause: e,
    });
  }
  return format;
}

/**
 * What the app's `executions.report` channel returns for an execution workspace: the stored
 * report.html (re-rendered from report.json when missing) and the report JSON.
 */
export async function reportView(workspace: string): Promise<{ html: string; json: ReportJson }> {
  const json = readReportFile(workspace);
  const htmlPath = join(workspace, REPORT_HTML);
  const html = existsSync(htmlPath) ? readFileSync(htmlPath, 'utf8') : await renderReportHtml(json);
  return { html, json };
}
