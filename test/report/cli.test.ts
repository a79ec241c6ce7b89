import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand, type CommandResult } from '../helpers/cli-command';
import { register, runReportCommand } from '../../src/main/cli/commands/report';
import { buildReport } from '../../src/worker/engine/report/build';
import { writeReportFiles } from '../../src/report/files';
import { parseReport } from '../../src/report/schema';
import { adultInput } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'doppel-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function workspace(name: string, synthetic: 'independent' | 'holdout'): Promise<string> {
  const a = adultInput(1500, 800);
  const report = buildReport({
    executionId: name,
    config: a.config,
    metadata: a.metadata,
    realTrain: { adult_train: a.train },
    realHoldout: { adult_train: a.holdout },
    synthetic: { adult_train: synthetic === 'holdout' ? a.holdout : a.synthetic },
    backend: 'cpu',
    stepSeconds: { train: 1 },
  });
  const ws = join(dir, name);
  await writeReportFiles(report, ws);
  return ws;
}

/** Runs `doppel report …` through commander, capturing stdout/stderr. */
function doppel(args: string[]): Promise<CommandResult> {
  return runCommand((program) => register(program), args);
}

describe('doppel report', () => {
  it('writes the stored report as HTML and JSON, and prints the headline without --out', async () => {
    const ws = await workspace('exec-1', 'independent');
    const html = join(dir, 'out.html');
    const r = await doppel(['report', ws, '--out', html]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ out: html, format: 'html' });
    expect(readFileSync(html, 'utf8')).toContain('quality and privacy report');
    await doppel(['report', ws, '-o', join(dir, 'out.json')]);
    expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')).executionId).toBe('exec-1');
    const head = JSON.parse((await doppel(['report', join(ws, 'report.json')])).stdout);
    // The headline is the stored report's, figure for figure.
    const stored = parseReport(JSON.parse(readFileSync(join(ws, 'report.json'), 'utf8')));
    const s = stored.summary;
    expect(head).toEqual({
      executionId: 'exec-1',
      name: stored.name,
      quality: s.quality,
      columnShapes: s.columnShapes,
      columnPairTrends: s.columnPairTrends,
      accuracy: s.accuracy,
      privacy: {
        level: s.privacy.level,
        dcrShare: s.privacy.dcrShare,
        exactMatches: s.privacy.exactMatches,
        exactMatchesUnique: s.privacy.exactMatchesUnique,
        verdict: s.privacy.headline,
      },
      utility: s.utility,
      tables: s.tables,
    });
    // Independent columns: every column's shape kept, the pairs' trends not, so a quality between the two.
    expect(s.columnShapes!).toBeGreaterThan(0.9);
    expect(s.columnPairTrends!).toBeLessThan(s.columnShapes!);
    expect(s.quality).toBeCloseTo((s.columnShapes! + s.columnPairTrends!) / 2, 10);
    expect(s.tables).toEqual([{ name: 'adult_train', treatment: 'synthesize', real: 2300, synthetic: 1500 }]);
  });

  it('compares two executions', async () => {
    const a = await workspace('exec-a', 'independent');
    const b = await workspace('exec-b', 'holdout');
    const out = join(dir, 'cmp.html');
    const res = await runReportCommand(a, { compare: b, out });
    expect(res).toMatchObject({ format: 'html', compared: ['exec-a', 'exec-b'] });
    expect(readFileSync(out, 'utf8')).toContain('Comparison of two executions');
  });

  it('explains an unknown execution and a bad output name, with a fix, on stderr', async () => {
    const missing = await doppel(['report', 'no-such-execution', '--out', join(dir, 'x.html')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/No execution "no-such-execution"/);
    expect(missing.stderr).toMatch(/fix: .*doppel executions/);
    const ws = await workspace('exec-2', 'independent');
    const bad = await doppel(['report', ws, '--out', join(dir, 'x.docx')]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/\.html, \.pdf or \.json/);
    expect(existsSync(join(dir, 'x.docx'))).toBe(false);
  });
});
