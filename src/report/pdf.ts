/**
 * renderReportPdf(html, outPath): prints the self-contained report HTML to an A4 PDF with headless
 * Chromium (playwright-core). The page is loaded with JavaScript off and every network request
 * refused, so the PDF is exactly what the offline HTML shows. The desktop shell may use Electron's printToPDF instead.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { AppError } from '../shared';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium(): string | null {
  const fromEnv = process.env.DOPPEL_CHROMIUM;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export async function renderReportPdf(html: string, outPath: string, opts: { executablePath?: string } = {}): Promise<void> {
  const executablePath = opts.executablePath ?? findChromium();
  if (!executablePath) {
    throw new AppError('EXPORT_FAILED', `Cannot write the PDF report ${outPath}: no Chromium browser was found.`, {
      fix: 'Install Chromium (e.g. `apt-get install chromium`) or set DOPPEL_CHROMIUM to its path; or export the report as HTML and print it.',
    });
  }
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    // JavaScript off: the report has no script, and nothing in its data can make one run.
    const page = await browser.newPage({ javaScriptEnabled: false });
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: outPath, format: 'A4', printBackground: true, preferCSSPageSize: true });
  } catch (e) {
    throw new AppError('EXPORT_FAILED', `Could not write the PDF report ${outPath}: ${e instanceof Error ? e.message : String(e)}`, {
      fix: 'Check that the folder exists and is writable, then try again.',
      cause: e,
    });
  } finally {
    await browser.close();
  }
}
