import { beforeAll, describe, expect, it } from 'vitest';
import type { Row, RowBatch } from '../../src/shared/values';
import { initBackend } from '../../src/worker/engine/backend';
import { createConsistentMocker } from '../../src/worker/engine/mock/mock-values';
import { disposeTable, fitTable, prepareTable, sampleTable } from '../../src/worker/engine/table-model';
import { settings, tableConfig } from '../engine/helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

const emails = Array.from({ length: 40 }, (_, i) => `real.person${i}@corp-example.org`);

/** Customers (email, segment) and orders (email, amount) sharing the same real e-mails. */
function tables(): { customers: RowBatch; orders: RowBatch } {
  const customers: Row[] = Array.from({ length: 200 }, (_, i) => [emails[i % emails.length]!, i % 3 ? 'retail' : 'pro']);
  const orders: Row[] = Array.from({ length: 300 }, (_, i) => [emails[(i * 7) % emails.length]!, 10 + (i % 50)]);
  return { customers: { columns: ['email', 'segment'], rows: customers }, orders: { columns: ['buyer_email', 'amount'], rows: orders } };
}

async function synth(
  batch: RowBatch,
  types: Record<string, 'text' | 'categorical' | 'numerical'>,
  mockCol: string,
  key: string | undefined,
  seed: number,
): Promise<Row[]> {
  const cfg = tableConfig(types);
  cfg.columns[mockCol]!.treatment = 'mock';
  cfg.columns[mockCol]!.options = { mockGenerator: 'internet.email' };
  const prepared = prepareTable(batch, { table: mockCol, config: cfg, columns: [], settings: settings({ seed }), mockingKey: key });
  const model = await fitTable(prepared, { family: 'copula' });
  const out: Row[] = [];
  for await (const b of sampleTable(model, 300)) out.push(...b.rows);
  disposeTable(model);
  return out;
}

describe('consistent mocking', () => {
  it('maps the same real value to the same fake across tables and runs, and a different key to other fakes', async () => {
    const t = tables();
    const a = await synth(t.customers, { email: 'text', segment: 'categorical' }, 'email', 'project-secret-1', 1);
    const b = await synth(t.orders, { buyer_email: 'text', amount: 'numerical' }, 'buyer_email', 'project-secret-1', 99);
    const fakesA = new Set(a.map((r) => r[0]));
    const fakesB = new Set(b.map((r) => r[0]));
    // 40 real e-mails -> at most 40 distinct fakes, and the two tables share them (joins work).
    expect(fakesA.size).toBeLessThanOrEqual(emails.length);
    const shared = [...fakesB].filter((f) => fakesA.has(f));
    expect(shared.length).toBeGreaterThan(30);
    // The mapping itself is stable across runs (new mocker = new execution).
    const m1 = createConsistentMocker('project-secret-1', 'email', 'internet.email', []);
    const m2 = createConsistentMocker('project-secret-1', 'contact_mail', 'internet.email', []);
    for (const e of emails) expect(m1.fake(e)).toBe(m2.fake(e));
    expect(fakesA.has(m1.fake(emails[0]!))).toBe(true);
    // No real e-mail appears in the output, every value is an e-mail.
    for (const r of [...a, ...b]) {
      expect(emails).not.toContain(r[0]);
      expect(String(r[0])).toMatch(/@/);
    }
    // Another key, other fakes.
    const other = createConsistentMocker('project-secret-2', 'email', 'internet.email', []);
    const same = emails.filter((e) => other.fake(e) === m1.fake(e)).length;
    expect(same).toBeLessThan(3);
  });

  it('draws fresh random fakes without a key', async () => {
    const t = tables();
    const a = await synth(t.customers, { email: 'text', segment: 'categorical' }, 'email', undefined, 1);
    expect(new Set(a.map((r) => r[0])).size).toBeGreaterThan(emails.length * 2);
    for (const r of a) expect(emails).not.toContain(r[0]);
  });

  it('keeps the shape of codes and null stays null', () => {
    const m = createConsistentMocker('k', 'passport', undefined, ['X123456Z', 'B765432Q']);
    const fake = m.fake('X123456Z');
    expect(fake).toMatch(/^[A-Z]\d{6}[A-Z]$/);
    expect(fake).not.toBe('X123456Z');
    expect(m.fake('X123456Z')).toBe(fake);
    expect(m.fake(null)).toBeNull();
  });

  it('gives a fake code a length drawn from the column, not the length of the real value', () => {
    // Codes of 6 and 9 characters, and one unique 50,000-character value.
    const codes = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? `QX${100000 + i}Z` : `A${10000 + i}`));
    const m = createConsistentMocker('k', 'ref', undefined, codes);
    const huge = 'K' + '7'.repeat(49_999);
    const fake = String(m.fake(huge));
    expect([6, 9]).toContain(fake.length);
    expect(m.fake(huge)).toBe(fake);
    const lengths = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const n = String(m.fake(`REAL${i}${'x'.repeat(i)}`)).length;
      lengths.set(n, (lengths.get(n) ?? 0) + 1);
    }
    expect([...lengths.keys()].sort()).toEqual([6, 9]);
    // About a quarter of the column's codes are 9 characters long: so are about a quarter of the fakes.
    expect(lengths.get(9)! / 400).toBeGreaterThan(0.15);
    expect(lengths.get(9)! / 400).toBeLessThan(0.35);
    // Columns with the same codes map alike (joins on mocked codes work).
    expect(createConsistentMocker('k', 'other_ref', undefined, [...codes].reverse()).fake(huge)).toBe(fake);
  });
});
