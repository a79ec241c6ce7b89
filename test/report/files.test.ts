import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared';
import { buildReport } from '../../src/worker/engine/report/build';
import { exportReport, readReportFile, reportFormatOf, reportView, writeReportFiles } from '../../src/report/files';
import { adultInput } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'doppel-report-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const a = adultInput(1500, 800);
const report = buildReport({
  config: a.config,
  metadata: a.metadata,
  realTrain: { adult_train: a.train },
  realHoldout: { adult_train: a.holdout },
  synthetic: { adult_train: a.synthetic },
  backend: 'cpu',
  stepSeconds: { train: 3 },
});

describe('report files', () => {
  it('stores report.json + report.html in a workspace and reads the JSON back', async () => {
    const { jsonPath, htmlPath } = await writeReportFiles(report, join(dir, 'ws'));
    expect(readReportFile(join(dir, 'ws'))).toEqual(report);
    expect(readReportFile(jsonPath)).toEqual(report);
    expect(readFileSync(htmlPath, 'utf8')).toContain('<svg');
    const view = await reportView(join(dir, 'ws'));
    expect(view.json).toEqual(report);
    expect(view.html).toBe(readFileSync(htmlPath, 'utf8'));
    rmSync(htmlPath);
    expect((await reportView(join(dir, 'ws'))).html).toMatch(/^<!doctype html>/);
  });

  it('writes no report file when stopped between charts, and leaves the report before it whole', async () => {
    const ws = join(dir, 'ws-stopped');
    await writeReportFiles(report, ws);
    const before = readdirSync(ws).map((f) => [f, readFileSync(join(ws, f), 'utf8')]);
    const other = { ...report, name: 'second run' };
    let charts = 0;
    const stop = (): Promise<void> => (++charts === 3 ? Promise.reject(new AppError('EXECUTION_CANCELED', 'canceled')) : Promise.resolve());
    await expect(writeReportFiles(other, ws, stop)).rejects.toMatchObject({ code: 'EXECUTION_CANCELED' });
    expect(charts).toBe(3);
    expect(readdirSync(ws).map((f) => [f, readFileSync(join(ws, f), 'utf8')])).toEqual(before);
  });

  it('exports by file extension', async () => {
    expect(await exportReport(report, join(dir, 'r.json'))).toBe('json');
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'))).toEqual(report);
    expect(await exportReport(report, join(dir, 'r.html'))).toBe('html');
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(reportFormatOf('x/REPORT.PDF')).toBe('pdf');
  });

  it('explains a wrong extension, a missing folder, a missing or damaged report', async () => {
    expect(() => reportFormatOf('report.docx')).toThrow(/\.html, \.pdf or \.json/);
    await expect(exportReport(report, join(dir, 'nope', 'r.html'))).rejects.toMatchObject({ code: 'EXPORT_FAILED' });
    expect(() => readReportFile(join(dir, 'empty'))).toThrow(AppError);
    writeFileSync(join(dir, 'bad.json'), '{"version": 1}');
    try {
      readReportFile(join(dir, 'bad.json'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).fix).toMatch(/run the synthesis again/i);
    }
  });
});
