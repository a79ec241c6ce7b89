import { describe, expect, it } from 'vitest';
import { isCreditCard, isIban, isIpv4, isIpv6, isPhone, luhn } from '../../src/data/sensitive/checks';
import { detectSensitive } from '../../src/data/sensitive/detect';
import type { DatasetMetadata } from '../../src/shared/metadata';
import { loadTable } from '../../bench/lib/datasets';

function detect(dataset: string, table: string) {
  const t = loadTable(dataset, table, 500);
  const metadata: DatasetMetadata = {
    tables: [{ name: table, columns: t.columns, primaryKey: t.primaryKey, rowCount: t.batch.rows.length }],
    relationships: [],
  };
  return detectSensitive(metadata, { [table]: t.batch });
}

describe('sensitive-column detection', () => {
  it('pre-sets the shields on synthea patients: identifiers mocked, quasi-identifiers synthesized', () => {
    const hits = detect('synthea', 'patients');
    const by = Object.fromEntries(hits.map((h) => [h.column, h]));
    expect(by.SSN).toMatchObject({ kind: 'ssn', suggestedTreatment: 'mock', mockGenerator: 'ssn' });
    expect(by.FIRST).toMatchObject({ kind: 'first_name', suggestedTreatment: 'mock', mockGenerator: 'person.firstName' });
    expect(by.LAST).toMatchObject({ kind: 'last_name', mockGenerator: 'person.lastName' });
    expect(by.ADDRESS).toMatchObject({ kind: 'street_address', suggestedTreatment: 'mock' });
    expect(by.PASSPORT?.kind).toBe('national_id');
    expect(by.BIRTHDATE).toMatchObject({ kind: 'birth_date', suggestedTreatment: 'synthesize' });
    expect(by.ZIP).toMatchObject({ kind: 'postal_code', suggestedTreatment: 'synthesize' });
    expect(by.GENDER?.kind).toBe('gender');
    for (const h of hits) expect(h.confidence).toBeGreaterThan(0.5);
    for (const col of ['Id', 'RACE', 'ETHNICITY', 'MARITAL', 'HEALTHCARE_EXPENSES', 'INCOME', 'BIRTHPLACE', 'DEATHDATE']) expect(by[col]).toBeUndefined();
  });

  it('flags nothing in numeric and categorical columns of adult and penguins (except sex as gender)', () => {
    const adult = detect('adult', 'adult_train');
    expect(adult.map((h) => h.column)).toEqual(['sex']);
    const penguins = detect('penguins', 'penguins');
    expect(penguins.filter((h) => h.column !== 'sex')).toEqual([]);
  });

  it('finds e-mails, phones and names in chinook customers with mixed international formats', () => {
    const by = Object.fromEntries(detect('chinook', 'Customer').map((h) => [h.column, h.kind]));
    expect(by).toMatchObject({
      FirstName: 'first_name',
      LastName: 'last_name',
      Email: 'email',
      Phone: 'phone',
      Address: 'street_address',
      PostalCode: 'postal_code',
    });
    expect(by.Country).toBeUndefined();
    expect(by.CustomerId).toBeUndefined();
  });

  it('checks payment cards, IBANs and IP addresses by their checksums and grammar', () => {
    expect(luhn('4111111111111111')).toBe(true);
    expect(isCreditCard('4111 1111 1111 1111')).toBe(true);
    expect(isCreditCard('4111 1111 1111 1112')).toBe(false);
    expect(isIban('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(isIban('GB82 WEST 1234 5698 7654 33')).toBe(false);
    expect(isIpv4('192.168.1.20') && !isIpv4('300.1.1.1')).toBe(true);
    expect(isIpv6('2001:db8::8a2e:370:7334') && !isIpv6('12:34')).toBe(true);
    expect(isPhone('+1 (780) 428-9482')).toBe(true);
    expect(isPhone('2022-07-20') || isPhone('5806963.42')).toBe(false);
  });

  it('finds identifiers inside free text and in columns named without a hint', () => {
    const rows = Array.from({ length: 60 }, (_, i) => [
      `Patient called on ${i} March from 555-${100 + i}-4433, asked for a refill and a follow-up visit`,
      `user${i}@example.com`,
      `4111 1111 1111 1111`,
    ]);
    const meta: DatasetMetadata = {
      tables: [
        {
          name: 'notes',
          columns: [
            { name: 'body', storageType: 'text', sdtype: 'text', nullable: true },
            { name: 'contact', storageType: 'string', sdtype: 'text', nullable: true },
            { name: 'x1', storageType: 'string', sdtype: 'text', nullable: true },
          ],
          primaryKey: [],
          rowCount: 60,
        },
      ],
      relationships: [],
    };
    const by = Object.fromEntries(detectSensitive(meta, { notes: { columns: ['body', 'contact', 'x1'], rows } }).map((h) => [h.column, h.kind]));
    expect(by).toEqual({ body: 'free_text', contact: 'email', x1: 'credit_card' });
  });
});
