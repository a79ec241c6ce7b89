import { describe, expect, it } from 'vitest';
import type { AuditRecordWire } from '../../src/shared';
import {
  auditExport,
  auditExportFileName,
  auditRow,
  exactMatchText,
  newestFirst,
  payloadFacts,
  payloadJson,
  privacyText,
} from '../../src/renderer/features/audit/audit-view';
import { formatRoute, parseRoute } from '../../src/renderer/app/nav-store';

function rec(seq: number, payload: unknown): AuditRecordWire {
  return { seq, at: `2026-03-0${seq}T10:00:00.000Z`, user: 'analyst', executionId: `e${seq}`, payload, prevHash: '0'.repeat(64), hash: `${seq}`.repeat(64) };
}

const succeeded = { status: 'succeeded', quality: 0.873, backend: 'wasm', privacyFigures: { dcrShare: 0.5123, exactMatches: 0 }, config: { name: 'Shop' } };

describe('audit trail view', () => {
  it('shows the status, quality, privacy figures and a short hash of a record', () => {
    const row = auditRow(rec(3, succeeded));
    expect(row).toMatchObject({
      seq: 3,
      user: 'analyst',
      executionId: 'e3',
      status: 'succeeded',
      quality: 0.873,
      backend: 'wasm',
      dcrShare: 0.5123,
      exactMatches: 0,
    });
    expect(row.shortHash).toBe('333333333333');
    expect(privacyText(row)).toBe('DCR share 51.2 % · 0 exact matches');
    expect(privacyText({ dcrShare: null, exactMatches: 1 })).toBe('1 exact match');
  });

  it('reads a failed run, or a payload missing fields, without inventing figures', () => {
    const failed = auditRow(rec(1, { status: 'failed', quality: null, privacyFigures: null, error: { code: 'WORKER_CRASHED' } }));
    expect(failed).toMatchObject({ status: 'failed', quality: null, dcrShare: null, exactMatches: null });
    expect(privacyText(failed)).toBe('not measured');
    for (const odd of [null, 'text', [1, 2], { quality: 'high', privacyFigures: { dcrShare: 'x' } }]) {
      expect(auditRow(rec(2, odd))).toMatchObject({ status: null, quality: null, dcrShare: null, exactMatches: null });
    }
  });

  it('lists newest first and exports the whole chain in order, parseable, with the check result', () => {
    const records = [rec(1, succeeded), rec(3, succeeded), rec(2, { status: 'canceled' })];
    expect(newestFirst(records).map((r) => r.seq)).toEqual([3, 2, 1]);
    expect(records.map((r) => r.seq)).toEqual([1, 3, 2]);
    const when = new Date('2026-03-04T05:06:07.890Z');
    const doc = JSON.parse(auditExport(newestFirst(records), when, { ok: true, records: 3, message: 'Audit chain intact: 3 records' })) as {
      exportedAt: string;
      verification: { ok: boolean };
      records: AuditRecordWire[];
    };
    expect(doc.exportedAt).toBe('2026-03-04T05:06:07.890Z');
    expect(doc.verification.ok).toBe(true);
    expect(doc.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(doc.records[0]).toEqual(records[0]);
    expect(auditExportFileName(when)).toBe('doppel-audit-2026-03-04T05-06-07.json');
  });

  it('puts the headline facts of a payload first: status, figures, source fingerprint, versions', () => {
    const payload = {
      ...succeeded,
      source: { schemaHash: 'a'.repeat(64), contentHash: 'b'.repeat(64), rows: { Track: 3503, Genre: 25 } },
      versions: { app: '0.1.0', node: 'v20.1.0', platform: 'linux-x64' },
    };
    expect(Object.fromEntries(payloadFacts(payload))).toEqual({
      Status: 'succeeded',
      Quality: '87.3 %',
      Privacy: 'DCR share 51.2 % · 0 exact matches',
      'Exact matches': 'None of the synthetic rows equals a training row on every compared column.',
      Backend: 'wasm',
      Synthesis: 'Shop',
      'Source rows': 'Track 3,503, Genre 25',
      'Source content hash': 'bbbbbbbbbbbb',
      Versions: 'Doppel 0.1.0 · Node v20.1.0 · linux-x64',
    });
    expect(payloadFacts({ status: 'failed', error: { code: 'WORKER_CRASHED', message: 'The worker stopped.' } })).toEqual([
      ['Status', 'failed'],
      ['Error', 'WORKER_CRASHED: The worker stopped.'],
    ]);
    expect(payloadFacts(null)).toEqual([]);
  });

  it('shows the verdict and explains what the exact matches count, of what against what', () => {
    const payload = {
      ...succeeded,
      privacyFigures: {
        dcrShare: 0.51,
        exactMatches: 2269,
        level: 'strong',
        headline: 'Strong privacy: no copy.',
        exactMatchesUnique: 0,
        syntheticRows: 5000,
        trainRows: 4000,
        holdoutMatchRate: 0.452,
      },
    };
    const row = auditRow(rec(4, payload));
    expect(row).toMatchObject({ level: 'strong', headline: 'Strong privacy: no copy.', exactMatchesUnique: 0 });
    const text = exactMatchText(row)!;
    expect(text).toMatch(
      /^2,269 of 5,000 synthetic rows equal a training row on every compared column \(checked against 4,000 rows the model was trained on\)\./,
    );
    expect(text).toContain('None equals a training row that is unique in the real data');
    expect(text).toContain('45.2 % of real rows the model never saw');
    expect(Object.fromEntries(payloadFacts(payload))['Privacy verdict']).toBe('Strong privacy: no copy.');
    const risky = exactMatchText({ ...row, exactMatchesUnique: 3 })!;
    expect(risky).toContain("3 equal a training row that is unique in the real data: such a row can be one person's record copied");
    expect(exactMatchText({ ...row, exactMatches: 0 })).toBe(
      'None of 5,000 synthetic rows equals a training row on every compared column (checked against 4,000 rows the model was trained on).',
    );
    // An old record: no verdict, no invented explanation beyond the count.
    expect(auditRow(rec(1, succeeded)).level).toBeNull();
    expect(exactMatchText({ exactMatches: null, exactMatchesUnique: null, syntheticRows: null, trainRows: null, holdoutMatchRate: null })).toBeNull();
  });

  it('prints the payload as indented JSON', () => {
    expect(payloadJson({ a: { b: 1 } })).toBe('{\n  "a": {\n    "b": 1\n  }\n}');
    expect(payloadJson(undefined)).toBe('null');
  });

  it('has its own route', () => {
    expect(formatRoute({ name: 'audit' })).toBe('#/audit');
    expect(parseRoute('#/audit')).toEqual({ name: 'audit' });
  });
});
