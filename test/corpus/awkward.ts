import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { createRng } from '../../src/shared/rng';

/**
 * Generators of data as users have it, never tuned to the shared datasets: awkward names, keys
 * of every kind, and values written in the source's own words and formats.
 */

/** Column names a file or database can carry that break naive SQL and naive readers. */
export const AWKWARD_NAMES = [
  'Sepal.Length',
  'my col',
  "it's",
  'say "hi"',
  'back\\slash',
  'what?',
  '100%',
  'a:b',
  'select',
  'order',
  'group',
  'Group',
  'naïve_é',
  '日本語',
  '1st',
  `${'long_name_'.repeat(7)}end`,
] as const;

export interface CsvCorpus {
  header: string[];
  /** Column names after reading (empty cells named by position, repeats numbered). */
  names: string[];
  rows: string[][];
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A CSV with every awkward name, an empty and a repeated header cell, and values in their own words. */
export function awkwardCsv(file: string, rows = 240, seed = 7): CsvCorpus {
  const rng = createRng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const header = ['id', ...AWKWARD_NAMES, '', 'dup', 'dup', 'flag', 'YN', 'when', 'price', 'count', 'note'];
  const names = header.map((h, i) => (h === '' ? `column_${i + 1}` : h));
  names[names.lastIndexOf('dup')] = 'dup_2';
  const out: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const numbers = AWKWARD_NAMES.map((n, k) => (k % 3 === 0 ? (4 + rng.next() * 4).toFixed(1) : k % 3 === 1 ? pick(['a', 'b', 'c']) : String(rng.int(9))));
    out.push([
      String(i + 1),
      ...numbers.map((v) => v),
      pick(['e1', 'e2']),
      String(rng.int(3)),
      String(4 + rng.int(3)),
      pick(['yes', 'no']),
      pick(['Y', 'N']),
      `${pad(1 + rng.int(28))}/${pad(1 + rng.int(12))}/20${pad(10 + rng.int(14))}`,
      (1 + rng.next() * 99).toFixed(2),
      String(rng.int(500)),
      rng.next() < 0.3 ? '' : pick(['n1', 'n2', 'n3']),
    ]);
  }
  const cell = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  writeFileSync(file, `${[header, ...out].map((r) => r.map(cell).join(',')).join('\n')}\n`);
  return { header, names, rows: out };
}

/** A SQLite database whose keys are text: UUID parents, zero-padded codes, a composite key. */
export function keyedSqlite(file: string, seed = 11): void {
  const rng = createRng(seed);
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[rng.int(16)]).join('');
  const db = new Database(file);
  db.exec(`
    create table customer (customer_id text primary key, segment text, age integer);
    create table shop (shop_code text primary key, region text);
    create table purchase (purchase_no text primary key, customer_id text not null references customer(customer_id), shop_code text references shop(shop_code), amount real);
    create table line (purchase_no text not null references purchase(purchase_no), line_no integer not null, product text, qty integer, primary key (purchase_no, line_no));
  `);
  const customers = Array.from({ length: 120 }, () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`);
  const shops = Array.from({ length: 60 }, (_, i) => `S${pad(i + 1, 4)}`);
  const insC = db.prepare('insert into customer values (?, ?, ?)');
  customers.forEach((c) => insC.run(c, ['retail', 'pro', 'gov'][rng.int(3)], 18 + rng.int(60)));
  const insS = db.prepare('insert into shop values (?, ?)');
  shops.forEach((s) => insS.run(s, ['north', 'south'][rng.int(2)]));
  const insP = db.prepare('insert into purchase values (?, ?, ?, ?)');
  const insL = db.prepare('insert into line values (?, ?, ?, ?)');
  let n = 0;
  for (const c of customers) {
    for (let k = 0; k < 1 + rng.int(3); k++) {
      const p = `P-${pad(++n, 6)}`;
      insP.run(p, c, shops[rng.int(shops.length)], Math.round(rng.next() * 10000) / 100);
      for (let l = 1; l <= 1 + rng.int(3); l++) insL.run(p, l, ['pen', 'ink', 'pad'][rng.int(3)], 1 + rng.int(5));
    }
  }
  db.close();
}

/** A column of the formats corpus: its name and how the source writes one value of it. */
interface FormatColumn {
  name: string;
  value: (i: number) => string;
}

/** Boolean words of every style, as sources write them: [true word, false word]. */
export const BOOLEAN_STYLES: Record<string, [string, string]> = {
  yes_no: ['yes', 'no'],
  cap_yes_no: ['Yes', 'No'],
  y_n: ['Y', 'N'],
  t_f: ['T', 'F'],
  upper_true_false: ['TRUE', 'FALSE'],
  true_false: ['true', 'false'],
  one_zero: ['1', '0'],
};

export interface FormatsCorpus {
  names: string[];
  rows: string[][];
}

/**
 * A CSV whose values are written in their source's own forms: boolean words of every style,
 * US, European and unpadded dates, a minute timestamp, an ISO instant, a date-only column,
 * fixed decimals (1, 2, 3 places), integers and a column with empty cells.
 */
export function formatsCsv(file: string, rows = 150, seed = 13): FormatsCorpus {
  const rng = createRng(seed);
  const day = (i: number): Date => new Date(Date.UTC(2019, 0, 1) + ((i * 37 + rng.int(400)) % 1500) * 86_400_000);
  const columns: FormatColumn[] = [
    { name: 'id', value: (i) => String(i + 1) },
    ...Object.entries(BOOLEAN_STYLES).map(([name, words]) => ({ name, value: () => words[rng.next() < 0.6 ? 0 : 1]! })),
    {
      name: 'us_date',
      value: (i) => {
        const d = day(i);
        return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`;
      },
    },
    {
      name: 'eu_date',
      value: (i) => {
        const d = day(i + 7);
        return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;
      },
    },
    {
      name: 'loose_date',
      value: (i) => {
        const d = day(i + 3);
        return `${d.getUTCDate()}/${d.getUTCMonth() + 1}/${d.getUTCFullYear()}`;
      },
    },
    {
      name: 'stamp',
      value: (i) =>
        `${day(i + 11)
          .toISOString()
          .slice(0, 10)} ${pad(6 + rng.int(14))}:${pad(rng.int(60))}`,
    },
    {
      name: 'instant',
      value: (i) =>
        `${day(i + 5)
          .toISOString()
          .slice(0, 10)}T${pad(rng.int(24))}:${pad(rng.int(60))}:${pad(rng.int(60))}Z`,
    },
    {
      name: 'day',
      value: (i) =>
        day(i + 13)
          .toISOString()
          .slice(0, 10),
    },
    { name: 'price', value: () => (1 + rng.int(99) + rng.int(4) * 0.25).toFixed(2) },
    { name: 'rate', value: () => (rng.next() * 0.5).toFixed(3) },
    { name: 'score', value: () => String(rng.int(5) + 1) + '.' + String(rng.int(2) * 5) },
    { name: 'count', value: () => String(rng.int(500)) },
    { name: 'note', value: () => (rng.next() < 0.3 ? '' : ['n1', 'n2', 'n3'][rng.int(3)]!) },
  ];
  const out = Array.from({ length: rows }, (_, i) => columns.map((c) => c.value(i)));
  const names = columns.map((c) => c.name);
  writeFileSync(file, `${[names, ...out].map((r) => r.join(',')).join('\n')}\n`);
  return { names, rows: out };
}
