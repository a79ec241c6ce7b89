import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCspMeta } from '../../src/report/css';
import { findChromium, renderReportPdf } from '../../src/report/pdf';

// What if a value ever slipped through the escaping: the report's own policy and the PDF printer
// must still run no script and fetch nothing.
const dir = mkdtempSync(join(tmpdir(), 'doppel-report-safety-'));
let server: Server;
let hits = 0;
let beacon = '';

beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  beacon = `http://127.0.0.1:${(server.address() as AddressInfo).port}/leak`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const hostile = (head: string): string =>
  `<!doctype html><html><head><meta charset="utf-8">${head}<title>report</title></head><body><p>static text</p>` +
  `<script>document.title = 'script ran'; document.body.innerHTML = '<p>SCRIPT RAN</p>';</script>` +
  `<img src="${beacon}"><link rel="stylesheet" href="${beacon}.css"></body></html>`;

describe('report safety', () => {
  it('the report’s Content-Security-Policy stops scripts and requests in a browser with JavaScript on', async () => {
    const browser = await chromium.launch({ executablePath: findChromium()!, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.setContent(hostile(''), { waitUntil: 'load' });
      expect(await page.title()).toBe('script ran');
      const before = hits;
      expect(before).toBeGreaterThan(0);
      await page.setContent(hostile(reportCspMeta), { waitUntil: 'load' });
      expect(await page.title()).toBe('report');
      expect(hits).toBe(before);
    } finally {
      await browser.close();
    }
  });

  it('the PDF is printed with JavaScript off and no network', async () => {
    hits = 0;
    const pdf = join(dir, 'hostile.pdf');
    await renderReportPdf(hostile(''), pdf);
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('static text');
    expect(text).not.toContain('SCRIPT RAN');
    expect(hits).toBe(0);
  });
});
