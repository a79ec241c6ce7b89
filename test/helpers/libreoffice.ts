import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * LibreOffice (headless, one run for all books, its profile under `workDir`) writes every sheet of
 * each workbook to its own CSV in `outDir` (`<book>-<sheet>.csv`): an independent reader of the
 * XLSX and ODS files Doppel writes. `asShown` writes cells as the spreadsheet displays them
 * (number formats applied) instead of their raw values.
 */
export function sheetsToCsv(books: string[], outDir: string, workDir: string, opts: { asShown?: boolean; timeoutMs?: number } = {}): void {
  const filter = `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,${opts.asShown ? 'true' : 'false'},false,false,-1`;
  execFileSync(
    'soffice',
    [`-env:UserInstallation=file://${path.join(workDir, 'lo-profile')}`, '--headless', '--convert-to', filter, '--outdir', outDir, ...books],
    { stdio: 'ignore', timeout: opts.timeoutMs ?? 120_000 },
  );
}
