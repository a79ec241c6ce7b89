/**
 * Generated free-text columns for the sensitive-column bench: short sentences with identifiers
 * inside (some columns with only a handful of distinct values), and free texts without any.
 */
import type { ColumnMeta } from '../../src/shared/metadata';
import type { CellValue, RowBatch } from '../../src/shared/values';
import { createRng, type Rng } from '../../src/worker/engine/rng';

const FIRST = ['John', 'Maria', 'David', 'Sarah', 'Michael', 'Laura', 'James', 'Anna'];
const LAST = ['Smith', 'Garcia', 'Miller', 'Johnson', 'Brown', 'Wilson', 'Taylor', 'Moore'];
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.int(xs.length)]!;
const digits = (r: Rng, n: number): string => Array.from({ length: n }, () => String(r.int(10))).join('');

function luhnCard(r: Rng): string {
  const body = `4${digits(r, 14)}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  const card = body + String((10 - (sum % 10)) % 10);
  return card.replace(/(\d{4})(?=\d)/g, '$1 ');
}

function iban(r: Rng): string {
  const bban = digits(r, 18);
  // ISO 7064 mod 97-10 check digits for DE.
  const num = `${bban}131400`;
  let rem = 0;
  for (const ch of num) rem = (rem * 10 + Number(ch)) % 97;
  const check = String(98 - rem).padStart(2, '0');
  return `DE${check}${bban}`.replace(/(.{4})(?=.)/g, '$1 ');
}

type Maker = (r: Rng) => string;

const POSITIVE: Record<string, { make: Maker; distinct?: number }> = {
  contact_notes: {
    make: (r) =>
      pick(r, [
        `Call me back at 555-${digits(r, 3)}-${digits(r, 4)} after five`,
        `Please write to ${pick(r, FIRST).toLowerCase()}.${pick(r, LAST).toLowerCase()}@example.org about the order`,
        'No contact needed for this one',
      ]),
  },
  short_notes: { make: (r) => `Reach ${pick(r, FIRST)} on +44 20 ${digits(r, 4)} ${digits(r, 4)} today`, distinct: 6 },
  payment_comment: {
    make: (r) => pick(r, [`Refund sent to IBAN ${iban(r)} yesterday`, `Customer paid with card ${luhnCard(r)} at the desk`, 'Paid in cash at the counter']),
  },
  ticket_text: {
    make: (r) =>
      pick(r, [
        `Login failed from ${r.int(223) + 1}.${r.int(256)}.${r.int(256)}.${r.int(256)} three times`,
        `${pick(r, FIRST)} ${pick(r, LAST)} asked for a new password`,
        'Printer on floor two is jammed again',
      ]),
  },
  case_summary: {
    make: (r) =>
      pick(r, [
        `Applicant SSN ${100 + r.int(500)}-${10 + r.int(89)}-${1000 + r.int(8999)} verified by phone`,
        `Dr. ${pick(r, LAST)} reviewed the claim on Monday`,
        'Claim closed without further action',
      ]),
  },
};

const NEGATIVE: Record<string, { make: Maker; distinct?: number }> = {
  review: {
    make: (r) =>
      pick(r, [
        'The room was clean and quiet',
        'Breakfast could be better',
        `Stayed ${1 + r.int(9)} nights and loved the view`,
        'Staff were friendly and helpful',
        'Too noisy near the lift',
      ]),
  },
  shipping_status: { make: (r) => `Order ${digits(r, 6)} shipped on 2021-0${1 + r.int(9)}-1${r.int(10)} in ${1 + r.int(4)} parcels` },
  product_description: {
    make: (r) =>
      pick(r, [
        'Stainless steel water bottle, 750 ml',
        `Pack of ${2 + r.int(10)} AA batteries for remote controls`,
        'Cotton shirt with long sleeves and two pockets',
        'Garden hose of 25 metres with spray nozzle',
      ]),
  },
  remarks: { make: (r) => `Paid ${10 + r.int(900)}.${digits(r, 2)} EUR on invoice ${digits(r, 5)} with ${1 + r.int(3)} items`, distinct: 5 },
  weather_log: {
    make: (r) =>
      pick(r, [
        'Sunny in the morning, rain at New York airport later',
        'Cloudy over San Francisco with light wind',
        `Temperature rose to ${10 + r.int(25)} degrees by noon`,
      ]),
  },
};

export interface FreeTextCorpus {
  table: string;
  batch: RowBatch;
  columns: ColumnMeta[];
  /** column -> 'free_text' for columns with identifiers inside; others are not sensitive. */
  labels: Record<string, string>;
}

export function freeTextCorpus(rows = 1000, seed = 1): FreeTextCorpus {
  const r = createRng(seed);
  const all = { ...POSITIVE, ...NEGATIVE };
  const names = Object.keys(all);
  const pools = names.map((n) => {
    const spec = all[n]!;
    return spec.distinct ? Array.from({ length: spec.distinct }, () => spec.make(r)) : null;
  });
  const data: CellValue[][] = Array.from({ length: rows }, () => names.map((n, j) => (pools[j] ? pick(r, pools[j]!) : all[n]!.make(r))));
  return {
    table: 'free_text',
    batch: { columns: names, rows: data },
    columns: names.map((name) => ({ name, sdtype: 'text', storageType: 'string', nullable: true })),
    labels: Object.fromEntries(Object.keys(POSITIVE).map((n) => [n, 'free_text'])),
  };
}
