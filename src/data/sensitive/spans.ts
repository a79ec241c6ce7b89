/**
 * Identifiers inside free text: e-mail addresses, phone numbers, IBANs, card numbers (Luhn),
 * national ids (US SSN shape), IP addresses and person names (two capitalised words the name
 * dictionaries know, or a title followed by a capitalised word). Each span has its kind and its
 * position, so a treatment can replace just the identifiers.
 */
import { isCreditCard, isIban, isIpv4, isIpv6, isSsn } from './checks';
import { isFirstName, isLastName } from './names';

export type SpanKind = 'email' | 'phone' | 'iban' | 'credit_card' | 'national_id' | 'ip_address' | 'person_name';

export interface Span {
  kind: SpanKind;
  start: number;
  end: number;
}

const PATTERNS: [SpanKind, RegExp, (s: string) => boolean][] = [
  ['email', /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, () => true],
  ['iban', /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g, (s) => isIban(s)],
  ['credit_card', /\b\d{4}(?:[ -]?\d{4}){2}[ -]?\d{1,7}\b/g, (s) => isCreditCard(s)],
  ['national_id', /\b\d{3}-\d{2}-\d{4}\b/g, (s) => isSsn(s)],
  ['ip_address', /\b(?:\d{1,3}\.){3}\d{1,3}\b|\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi, (s) => isIpv4(s) || isIpv6(s)],
  [
    'phone',
    /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\b\d{2,4}[\s.-])\d{3,4}[\s.-]\d{3,4}\b/g,
    (s) => s.replace(/\D/g, '').length >= 9 && s.replace(/\D/g, '').length <= 15,
  ],
];

const TITLE = /\b(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.? ([A-Z][a-z]+(?:[- ][A-Z][a-z]+)?)/g;
/** Two capitalised words (the second in a look-ahead, so "Yesterday John Smith" also tries "John Smith"). */
const CAPITALISED_PAIR = /\b([A-Z][a-z]+) (?=([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b)/g;

function overlaps(spans: Span[], start: number, end: number): boolean {
  return spans.some((s) => start < s.end && end > s.start);
}

/** The identifier spans of a text, in order, without overlaps (patterns first, then names). */
export function findIdentifiers(text: string): Span[] {
  const spans: Span[] = [];
  for (const [kind, re, ok] of PATTERNS) {
    for (const m of text.matchAll(re)) {
      const start = m.index;
      const end = start + m[0].length;
      if (ok(m[0]) && !overlaps(spans, start, end)) spans.push({ kind, start, end });
    }
  }
  for (const m of text.matchAll(TITLE)) {
    const start = m.index;
    if (!overlaps(spans, start, start + m[0].length)) spans.push({ kind: 'person_name', start, end: start + m[0].length });
  }
  for (const m of text.matchAll(CAPITALISED_PAIR)) {
    const [first, last] = [m[1]!, m[2]!];
    const start = m.index;
    const end = start + first.length + 1 + last.length;
    if (overlaps(spans, start, end)) continue;
    // Inside sentences the first word must be a first name ("San Francisco" is not a person).
    if (isFirstName(first) && (isLastName(last) || isFirstName(last))) spans.push({ kind: 'person_name', start, end });
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** Replaces each span with `replace(kind, original)`. */
export function replaceSpans(text: string, spans: Span[], replace: (kind: SpanKind, original: string) => string): string {
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + replace(s.kind, text.slice(s.start, s.end));
    at = s.end;
  }
  return out + text.slice(at);
}

/** A value reads as a sentence (not a bare identifier, nor a list of names): 3+ words, one of them a lower-case word. */
export function isSentenceLike(s: string): boolean {
  const words = s.trim().split(/\s+/);
  return words.length >= 3 && words.some((w) => /^\p{Ll}{2,}[.,;:!?]?$/u.test(w));
}
