import { describe, expect, it } from 'vitest';
import { detectSensitive } from '../../src/data/sensitive/detect';
import { findIdentifiers } from '../../src/data/sensitive/spans';
import type { DatasetMetadata } from '../../src/shared/metadata';
import type { CellValue } from '../../src/shared/values';
import { planColumn } from '../../src/worker/engine/encoders/index';
import { replaceIdentifiers } from '../../src/worker/engine/mock/free-text';
import { createRng } from '../../src/worker/engine/rng';
import { settings } from '../engine/helpers';
import { resolveColumn } from '../../src/shared/effective-settings';

function scan(column: string, values: string[]) {
  const metadata: DatasetMetadata = {
    tables: [{ name: 't', columns: [{ name: column, sdtype: 'categorical', storageType: 'string', nullable: true }], primaryKey: [], rowCount: values.length }],
    relationships: [],
  };
  return detectSensitive(metadata, { t: { columns: [column], rows: values.map((v) => [v]) } })[0] ?? null;
}

describe('identifiers inside free text', () => {
  it('finds each kind inside a sentence, with its position', () => {
    const cases: [string, string, string][] = [
      ['Write to anna.moore@example.org soon', 'email', 'anna.moore@example.org'],
      ['Call me at 555-201-4433 after five', 'phone', '555-201-4433'],
      ['Refund to DE89 3704 0044 0532 0130 00 today', 'iban', 'DE89 3704 0044 0532 0130 00'],
      ['Paid with 4111 1111 1111 1111 at the desk', 'credit_card', '4111 1111 1111 1111'],
      ['Applicant SSN 123-45-6789 was verified', 'national_id', '123-45-6789'],
      ['Login failed from 192.168.10.7 twice', 'ip_address', '192.168.10.7'],
      ['Yesterday John Smith asked for a refund', 'person_name', 'John Smith'],
    ];
    for (const [text, kind, found] of cases) {
      const spans = findIdentifiers(text);
      expect(spans.map((s) => [s.kind, text.slice(s.start, s.end)])).toEqual([[kind, found]]);
    }
    expect(findIdentifiers('Order 123456 shipped on 2021-03-14 to San Francisco in 2 parcels')).toEqual([]);
  });

  it('flags a notes column with only a few distinct sentences, with the kinds found and their counts', () => {
    const notes = ['Call me at 555-201-4433 after five', 'Please write to anna.moore@example.org about it', 'No contact needed for this one'];
    const values = Array.from({ length: 300 }, (_, i) => notes[i % 3]!);
    const hit = scan('notes', values)!;
    expect(hit).toMatchObject({ column: 'notes', kind: 'free_text', suggestedTreatment: 'mock' });
    expect(hit.identifiers).toEqual([
      { kind: 'phone', count: 100 },
      { kind: 'email', count: 100 },
    ]);
  });

  it('does not flag sentences without identifiers, nor lists of names', () => {
    expect(
      scan(
        'review',
        Array.from({ length: 50 }, (_, i) => `Stayed ${i % 7} nights, paid 120.50 and loved the view`),
      ),
    ).toBeNull();
    expect(
      scan(
        'composer',
        Array.from({ length: 50 }, () => 'Angus Young, Malcolm Young, Brian Johnson'),
      ),
    ).toBeNull();
  });

  it('"replace the identifiers inside it": the words stay, each identifier becomes a consistent fake', () => {
    const values: CellValue[] = ['Call 555-201-4433 or mail anna.moore@example.org', 'Mail anna.moore@example.org again', null, 'Nothing to hide here'];
    const out = replaceIdentifiers(values, 'key', 'notes') as (string | null)[];
    expect(out[0]).toMatch(/^Call .+ or mail \S+@\S+$/);
    expect(out.join(' ')).not.toContain('anna.moore@example.org');
    expect(out.join(' ')).not.toContain('555-201-4433');
    const fakeMail = (s: string): string => /\S+@\S+/.exec(s)![0];
    expect(fakeMail(out[0]!)).toBe(fakeMail(out[1]!));
    expect(out[2]).toBeNull();
    expect(out[3]).toBe('Nothing to hide here');
    // Through the column plan: treatment mock with the free-text option keeps the text.
    const cfg = { included: true, sdtype: 'text', sensitive: true, treatment: 'mock', options: { freeText: 'identifiers' } } as const;
    const plan = planColumn('notes', values, cfg, undefined, { table: 't', settings: resolveColumn(settings(), cfg), rng: createRng(1), warn: () => {} });
    expect(plan.role).toBe('keep');
    if (plan.role === 'keep') expect((plan.values[1] as string).startsWith('Mail ')).toBe(true);
  });
});
