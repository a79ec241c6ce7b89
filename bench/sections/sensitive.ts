/**
 * Sensitive-column detection bench: precision and recall of `detectSensitive` on a labelled
 * corpus built from the shared datasets (every column of these tables is labelled: the kinds
 * below, everything else not sensitive). A column counts as found when it is flagged with any
 * kind; "kind accuracy" is the share of found columns flagged with the labelled kind.
 */
import { detectSensitive } from '../../src/data/sensitive/detect';
import type { DatasetMetadata } from '../../src/shared/metadata';
import { loadTable } from '../lib/datasets';
import { freeTextCorpus } from '../lib/free-text-corpus';

/** dataset -> table -> column -> kind (columns not listed are not sensitive). */
export const CORPUS: Record<string, Record<string, Record<string, string>>> = {
  synthea: {
    patients: {
      BIRTHDATE: 'birth_date',
      SSN: 'ssn',
      DRIVERS: 'national_id',
      PASSPORT: 'national_id',
      FIRST: 'first_name',
      LAST: 'last_name',
      MAIDEN: 'last_name',
      GENDER: 'gender',
      ADDRESS: 'street_address',
      ZIP: 'postal_code',
      LAT: 'geo_coordinate',
      LON: 'geo_coordinate',
    },
    organizations: { ADDRESS: 'street_address', ZIP: 'postal_code', LAT: 'geo_coordinate', LON: 'geo_coordinate', PHONE: 'phone' },
    providers: { NAME: 'full_name', GENDER: 'gender', ADDRESS: 'street_address', ZIP: 'postal_code', LAT: 'geo_coordinate', LON: 'geo_coordinate' },
    payers: { ADDRESS: 'street_address', ZIP: 'postal_code', PHONE: 'phone' },
  },
  chinook: {
    Customer: {
      FirstName: 'first_name',
      LastName: 'last_name',
      Address: 'street_address',
      PostalCode: 'postal_code',
      Phone: 'phone',
      Fax: 'phone',
      Email: 'email',
    },
    Employee: {
      FirstName: 'first_name',
      LastName: 'last_name',
      BirthDate: 'birth_date',
      Address: 'street_address',
      PostalCode: 'postal_code',
      Phone: 'phone',
      Fax: 'phone',
      Email: 'email',
    },
    Invoice: { BillingAddress: 'street_address', BillingPostalCode: 'postal_code' },
    Track: {},
    Album: {},
  },
  sakila: {
    customer: { first_name: 'first_name', last_name: 'last_name', email: 'email' },
    address: { address: 'street_address', address2: 'street_address', postal_code: 'postal_code', phone: 'phone' },
    staff: { first_name: 'first_name', last_name: 'last_name', email: 'email' },
    actor: { first_name: 'first_name', last_name: 'last_name' },
    film: {},
    payment: {},
  },
  adult: { adult_train: { sex: 'gender' } },
  penguins: { penguins: {} },
  bank_marketing: { bank_marketing: {} },
  creditcard_default: { creditcard_default: { sex: 'gender' } },
  berka: { client: { birth_number: 'birth_date' }, district: {}, card: {}, account: {} },
};

export interface Scores {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  kindOk: number;
  precision: number;
  recall: number;
  errors: string[];
}

export function scoreCorpus(rowsPerTable = 1000): Scores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let kindOk = 0;
  const errors: string[] = [];
  for (const [dataset, tables] of Object.entries(CORPUS)) {
    for (const [table, labels] of Object.entries(tables)) {
      const t = loadTable(dataset, table, rowsPerTable);
      const metadata: DatasetMetadata = {
        tables: [{ name: table, columns: t.columns, primaryKey: t.primaryKey, rowCount: t.batch.rows.length }],
        relationships: [],
      };
      const hits = detectSensitive(metadata, { [table]: t.batch });
      for (const col of t.columns) {
        const label = labels[col.name];
        const hit = hits.find((h) => h.column === col.name);
        if (label && hit) {
          tp++;
          if (hit.kind === label) kindOk++;
          else errors.push(`${dataset}.${table}.${col.name}: ${hit.kind} (labelled ${label})`);
        } else if (label) {
          fn++;
          errors.push(`${dataset}.${table}.${col.name}: missed (${label})`);
        } else if (hit) {
          fp++;
          errors.push(`${dataset}.${table}.${col.name}: false ${hit.kind} (${hit.confidence})`);
        } else tn++;
      }
    }
  }
  return { tp, fp, fn, tn, kindOk, precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn), errors };
}

/** Generated free-text columns (identifiers inside sentences, some with few distinct values, and texts without any). */
export function scoreFreeText(rows = 1000): Scores {
  const c = freeTextCorpus(rows);
  const metadata: DatasetMetadata = { tables: [{ name: c.table, columns: c.columns, primaryKey: [], rowCount: rows }], relationships: [] };
  const hits = detectSensitive(metadata, { [c.table]: c.batch });
  const s: Scores = { tp: 0, fp: 0, fn: 0, tn: 0, kindOk: 0, precision: 0, recall: 0, errors: [] };
  for (const col of c.columns) {
    const label = c.labels[col.name];
    const hit = hits.find((h) => h.column === col.name);
    if (label && hit) {
      s.tp++;
      if (hit.kind === label) s.kindOk++;
      else s.errors.push(`${col.name}: ${hit.kind} (labelled ${label})`);
    } else if (label) {
      s.fn++;
      s.errors.push(`${col.name}: missed`);
    } else if (hit) {
      s.fp++;
      s.errors.push(`${col.name}: false ${hit.kind}`);
    } else s.tn++;
  }
  s.precision = s.tp / Math.max(1, s.tp + s.fp);
  s.recall = s.tp / Math.max(1, s.tp + s.fn);
  return s;
}

export async function run(): Promise<string> {
  const t0 = performance.now();
  const s = scoreCorpus();
  const ft = scoreFreeText();
  const seconds = (performance.now() - t0) / 1000;
  const tables = Object.values(CORPUS).reduce((a, t) => a + Object.keys(t).length, 0);
  return [
    '## Sensitive-column detection',
    '',
    `Labelled corpus: ${tables} tables of ${Object.keys(CORPUS).length} shared datasets, ${s.tp + s.fp + s.fn + s.tn} columns (${s.tp + s.fn} sensitive: names, e-mails, phones, SSNs, passport/driver ids, street addresses, postal codes, birth dates, gender, coordinates). Sample: first 1,000 rows per table. Target: precision and recall ≥ 0.9.`,
    '',
    '| precision | recall | kind accuracy | TP | FP | FN | TN | seconds (load + detect) |',
    '|---|---|---|---|---|---|---|---|',
    `| **${s.precision.toFixed(3)}** | **${s.recall.toFixed(3)}** | ${(s.kindOk / Math.max(1, s.tp)).toFixed(3)} | ${s.tp} | ${s.fp} | ${s.fn} | ${s.tn} | ${seconds.toFixed(1)} |`,
    '',
    s.errors.length ? `Errors: ${s.errors.join('; ')}.` : 'No errors.',
    '',
    `Free text (generated: ${ft.tp + ft.fn} columns of short sentences with e-mails, phones, IBANs, card numbers, national ids, IPs or person names inside — one with only 6 distinct values — and ${ft.fp + ft.tn} free-text columns without identifiers). Target: precision and recall ≥ 0.9.`,
    '',
    '| precision | recall | kind accuracy | TP | FP | FN | TN |',
    '|---|---|---|---|---|---|---|',
    `| **${ft.precision.toFixed(3)}** | **${ft.recall.toFixed(3)}** | ${(ft.kindOk / Math.max(1, ft.tp)).toFixed(3)} | ${ft.tp} | ${ft.fp} | ${ft.fn} | ${ft.tn} |`,
    '',
    ft.errors.length ? `Errors: ${ft.errors.join('; ')}.` : 'No errors.',
  ].join('\n');
}
