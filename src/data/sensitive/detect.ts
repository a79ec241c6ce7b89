/**
 * Sensitive-column detection, fully offline: column names plus a sample of values are matched
 * against patterns (with checksums) and name dictionaries. Each hit has a kind, a confidence
 * in [0, 1] and a suggested treatment the wizard pre-sets (the user decides):
 *
 * - direct identifiers (names, e-mails, phones, SSNs, IBANs, card numbers, passport/driver
 *   ids, street addresses, IP addresses) → `mock` with a matching fake generator: the output
 *   keeps a valid format and, with consistent mocking, joins — and unlike masking it keeps no
 *   real character (a masked card keeps its issuer digit, a masked name its initial);
 * - quasi-identifiers (birth dates, postal codes, gender, geo coordinates) → `synthesize`:
 *   they carry the statistics analysts need, and the engine protects their rare values;
 * - free text (sentences, even when few distinct ones) with identifiers inside → `mock` with
 *   fake sentences, listing the kinds found and how many sampled values hold each; the user may
 *   instead keep the text and replace only the identifiers (option `freeText: 'identifiers'`).
 */
import type { SensitiveHit } from '../../shared/api';
import type { ColumnMeta, DatasetMetadata } from '../../shared/metadata';
import type { CellValue, RowBatch } from '../../shared/values';
import { isCreditCard, isEmail, isIban, isIpv4, isIpv6, isPhone, isPostalCode, isSsn, isStreetAddress } from './checks';
import { isFirstName, isFullName, isLastName } from './names';
import { findIdentifiers, isSentenceLike } from './spans';

export type SensitiveKind =
  | 'email'
  | 'ssn'
  | 'credit_card'
  | 'iban'
  | 'ip_address'
  | 'phone'
  | 'street_address'
  | 'first_name'
  | 'last_name'
  | 'full_name'
  | 'national_id'
  | 'postal_code'
  | 'birth_date'
  | 'gender'
  | 'geo_coordinate'
  | 'free_text';

interface Rule {
  kind: SensitiveKind;
  treatment: SensitiveHit['suggestedTreatment'];
  generator?: string;
  /** Column names that suggest the kind. */
  name?: RegExp;
  /** Value check (on trimmed non-empty texts). */
  value?: (s: string, nameHint: boolean) => boolean;
  /** Share of values that must pass without / with a name hint. */
  share: number;
  hintedShare: number;
  /** The name alone is enough (values empty or unreadable). */
  nameOnly?: boolean;
  /** The column name alone is strong evidence (e.g. `last_name`): a hint suffices even when the dictionary misses the values. */
  trustName?: boolean;
  /** Needs many distinct values (names are high-cardinality; "White"/"Black" race values are not). */
  distinct?: boolean;
}

const RULES: Rule[] = [
  { kind: 'email', treatment: 'mock', generator: 'internet.email', name: /e-?mail/i, value: isEmail, share: 0.8, hintedShare: 0.3, nameOnly: true },
  {
    kind: 'ssn',
    treatment: 'mock',
    generator: 'ssn',
    name: /(^|_|\b)ssn($|_|\b)|social.?sec/i,
    value: (s, h) => isSsn(s) || (h && /^\d{9}$/.test(s)),
    share: 0.8,
    hintedShare: 0.3,
    nameOnly: true,
  },
  {
    kind: 'credit_card',
    treatment: 'mock',
    generator: 'finance.creditCardNumber',
    name: /card.?(num|no\b)|credit.?card|cc.?num|(^|_)pan($|_)/i,
    value: isCreditCard,
    share: 0.8,
    hintedShare: 0.3,
    nameOnly: true,
  },
  { kind: 'iban', treatment: 'mock', generator: 'finance.iban', name: /iban/i, value: isIban, share: 0.8, hintedShare: 0.3, nameOnly: true },
  {
    kind: 'ip_address',
    treatment: 'mock',
    generator: 'internet.ip',
    name: /(^|_)ip($|_)|ip.?addr/i,
    value: (s) => isIpv4(s) || isIpv6(s),
    share: 0.8,
    hintedShare: 0.3,
  },
  {
    kind: 'phone',
    treatment: 'mock',
    generator: 'phone.number',
    name: /phone|mobile|(^|_)fax($|_)|^fax|(^|_)tel($|_)|cell/i,
    value: (s, h) => isPhone(s, h),
    share: 0.8,
    hintedShare: 0.3,
    nameOnly: true,
  },
  {
    kind: 'street_address',
    treatment: 'mock',
    generator: 'location.streetAddress',
    name: /address|street|(^|_)addr/i,
    value: isStreetAddress,
    share: 0.6,
    hintedShare: 0.3,
    nameOnly: true,
    distinct: true,
  },
  {
    kind: 'national_id',
    treatment: 'mock',
    name: /passport|driver|licen[cs]e.?(no|num)|national.?id|tax.?id|(^|_)nin($|_)/i,
    share: 1.1,
    hintedShare: 0,
    nameOnly: true,
  },
  {
    kind: 'first_name',
    treatment: 'mock',
    generator: 'person.firstName',
    name: /first.?name|given.?name|fore.?name|^first$/i,
    value: isFirstName,
    share: 0.7,
    hintedShare: 0.3,
    nameOnly: true,
    distinct: true,
    trustName: true,
  },
  {
    kind: 'last_name',
    treatment: 'mock',
    generator: 'person.lastName',
    name: /last.?name|sur.?name|family.?name|maiden|^last$/i,
    value: isLastName,
    share: 0.7,
    hintedShare: 0.3,
    nameOnly: true,
    distinct: true,
    trustName: true,
  },
  {
    kind: 'full_name',
    treatment: 'mock',
    generator: 'person.fullName',
    name: /full.?name|^name$|person|patient.?name|customer.?name|contact.?name|^(employee|client|customer|user).?name$/i,
    value: isFullName,
    share: 0.7,
    hintedShare: 0.5,
    distinct: true,
  },
  {
    kind: 'postal_code',
    treatment: 'synthesize',
    name: /zip|postal|post.?code|(^|_)plz($|_)/i,
    value: isPostalCode,
    share: 1.1,
    hintedShare: 0.5,
    nameOnly: true,
  },
  { kind: 'birth_date', treatment: 'synthesize', name: /birth(?!.?place)|(^|_)dob($|_)|born/i, share: 1.1, hintedShare: 0, nameOnly: true },
  { kind: 'gender', treatment: 'synthesize', name: /^(gender|sex)$|(_|\b)(gender|sex)$/i, share: 1.1, hintedShare: 0, nameOnly: true },
  {
    kind: 'geo_coordinate',
    treatment: 'synthesize',
    name: /^(lat|lon|lng|latitude|longitude)$|(_|\b)(lat|lon|lng|latitude|longitude)$/i,
    value: (s) => Number.isFinite(Number(s)) && Math.abs(Number(s)) <= 180,
    share: 1.1,
    hintedShare: 0.9,
  },
];

const SAMPLE = 1000;

function text(v: CellValue): string | null {
  if (v === null || v === undefined) return null;
  const s = v instanceof Date ? v.toISOString() : String(v).trim();
  return s === '' ? null : s;
}

/** Foreign/primary key columns by name (`address_id`, `CustomerId`): never identifiers by name alone. */
const KEY_NAME = /(_id|Id|ID|_key|_fk)$|^id$/;

/** Share of sampled free-text values holding an identifier for a column to be flagged. */
const FREE_TEXT_SHARE = 0.05;

/** Free text: most values read as sentences and some hold identifiers inside; the kinds with their counts. */
function freeTextHit(table: string, name: string, values: string[]): SensitiveHit | null {
  const sentences = values.filter(isSentenceLike);
  if (sentences.length < values.length * 0.5) return null;
  const counts = new Map<string, number>();
  let holding = 0;
  for (const v of sentences) {
    const kinds = new Set(findIdentifiers(v).map((sp) => sp.kind));
    if (kinds.size === 0) continue;
    holding++;
    for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const share = holding / sentences.length;
  if (holding < 2 || share < FREE_TEXT_SHARE) return null;
  const identifiers = [...counts].map(([kind, count]) => ({ kind, count })).sort((a, b) => b.count - a.count);
  return {
    table,
    column: name,
    kind: 'free_text',
    confidence: Math.round(Math.min(0.95, 0.6 + share) * 100) / 100,
    suggestedTreatment: 'mock',
    mockGenerator: 'lorem.sentence',
    identifiers,
  };
}

function detectColumn(table: string, col: ColumnMeta, values: string[]): SensitiveHit | null {
  const name = col.name;
  const isKey = col.sdtype === 'id' || KEY_NAME.test(name);
  const distinct = new Set(values).size;
  const manyDistinct = distinct >= Math.min(20, Math.max(2, values.length * 0.5));
  const numeric = col.sdtype === 'numerical';
  let best: SensitiveHit | null = null;
  const consider = (hit: SensitiveHit): void => {
    if (!best || hit.confidence > best.confidence) best = hit;
  };
  for (const rule of RULES) {
    const hint = !isKey && (rule.name?.test(name) ?? false);
    if (rule.distinct && values.length > 0 && !manyDistinct) continue;
    let share = 0;
    if (rule.value && values.length > 0) {
      let ok = 0;
      for (const v of values) if (rule.value(v, hint)) ok++;
      share = ok / values.length;
    }
    let confidence = 0;
    if (share >= rule.share) confidence = Math.min(1, 0.6 + 0.35 * share + (hint ? 0.1 : 0));
    else if (hint && rule.value && values.length > 0 && share >= rule.hintedShare) confidence = Math.min(1, 0.5 + 0.4 * share + 0.1);
    else if (hint && rule.nameOnly && (values.length === 0 || !rule.value)) confidence = 0.6;
    else if (hint && rule.trustName && !numeric) confidence = 0.55;
    // Numbers are phones, cards or ids only when the name says so.
    if (numeric && !hint && rule.kind !== 'geo_coordinate') confidence = 0;
    if (confidence > 0)
      consider({
        table,
        column: name,
        kind: rule.kind,
        confidence: Math.round(confidence * 100) / 100,
        suggestedTreatment: rule.treatment,
        ...(rule.generator ? { mockGenerator: rule.generator } : {}),
      });
  }
  if (!best && (col.sdtype === 'text' || col.sdtype === 'categorical') && values.length > 0) {
    const hit = freeTextHit(table, name, values);
    if (hit) consider(hit);
  }
  return best;
}

/**
 * Sensitive columns of a dataset from its metadata and a sample of rows per table
 * (`samples[table]`; missing tables are judged on column names only).
 */
export function detectSensitive(metadata: DatasetMetadata, samples: Record<string, RowBatch>): SensitiveHit[] {
  const hits: SensitiveHit[] = [];
  for (const table of metadata.tables) {
    const batch = samples[table.name];
    for (const col of table.columns) {
      const idx = batch ? batch.columns.indexOf(col.name) : -1;
      const values: string[] = [];
      if (batch && idx >= 0) {
        for (const row of batch.rows) {
          const s = text(row[idx] ?? null);
          if (s !== null) values.push(s);
          if (values.length >= SAMPLE) break;
        }
      }
      const hit = detectColumn(table.name, col, values);
      if (hit) hits.push(hit);
    }
  }
  return hits;
}
