/**
 * "Replace the identifiers inside it": free texts keep their words, and each e-mail, phone
 * number, IBAN, card number, national id, IP address or person name inside them is replaced by a
 * fake of the same kind. Consistent: the same real identifier gets the same fake everywhere in
 * the column (keyed, see mock-values.ts).
 */
import { findIdentifiers, replaceSpans, type SpanKind } from '../../../data/sensitive/spans';
import type { CellValue } from '../../../shared/values';
import { createConsistentMocker, type ConsistentMocker } from './mock-values';

const GENERATOR: Record<SpanKind, string> = {
  email: 'internet.email',
  phone: 'phone.number',
  iban: 'finance.iban',
  credit_card: 'finance.creditCardNumber',
  national_id: 'ssn',
  ip_address: 'internet.ip',
  person_name: 'person.fullName',
};

export function replaceIdentifiers(values: readonly CellValue[], key: string, column: string): CellValue[] {
  const mockers = new Map<SpanKind, ConsistentMocker>();
  const mocker = (kind: SpanKind): ConsistentMocker => {
    let m = mockers.get(kind);
    if (!m) mockers.set(kind, (m = createConsistentMocker(key, column, GENERATOR[kind], [])));
    return m;
  };
  return values.map((v) => {
    if (typeof v !== 'string') return v;
    const spans = findIdentifiers(v);
    return spans.length ? replaceSpans(v, spans, (kind, original) => String(mocker(kind).fake(original))) : v;
  });
}
