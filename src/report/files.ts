/**
 * The report on disk: `report.json` (the ReportJson, source of truth) and `report.html` (its
 * rendering) in an execution's workspace, and exports to .html / .pdf / .json files.
 */
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { AppError } from '../shared';
import { renderReportHtml } from './html';
import { renderReportPdf } from './pdf';
import { reportJsonSchema, type ReportJson } from './schema';
import { REPORT_HTML, REPORT_JSON } from '../data/store/workspace-files';

/** Writes report.json and report.html into `dir`; returns their paths. */
export async function writeReportFiles(report: ReportJson, dir: string): Promise<{ jsonPath: string; htmlPath: string }> {
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, REPORT_JSON);
  const htmlPath = join(dir, REPORT_HTML);
  writeFileSync(jsonPath, JSON.stringify(report));
  writeFileSync(htmlPath, await renderReportHtml(report));
  return { jsonPath, htmlPath };
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
    if (format === 'json') writeFileSync(outPath, JSON.stringify(report, null, 2));
    else if (format === 'html') writeFileSync(outPath, await renderReportHtml(report));
    else await renderReportPdf(await renderReportHtml(report), outPath);
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
