/**
 * Value checks for direct identifiers: each takes one trimmed, non-empty text and says whether
 * it looks like that kind of value. Checksums where the format has one (Luhn for payment
 * cards, ISO 13616 mod-97 for IBAN), so random digit strings rarely pass.
 */
import { en } from '@faker-js/faker';

export const isEmail = (s: string): boolean => /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(s);

/** Phone: + and digits with separators, 7-15 digits, and some separator or a leading + (plain numbers are not phones). */
export function isPhone(s: string, plainDigitsOk = false): boolean {
  if (!/^\+?[\d\s().-]{7,24}$/.test(s)) return false;
  // Not a decimal number, not a date.
  if (/^-?\d+\.\d+$/.test(s) || /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/.test(s) || /^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/.test(s)) return false;
  const digits = s.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return false;
  return plainDigitsOk || /[\s().+-]/.test(s);
}

export const isSsn = (s: string): boolean => /^(?!000|666|9\d\d-00)\d{3}-\d{2}-\d{4}$/.test(s) || /^9\d\d-\d{2}-\d{4}$/.test(s);

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function isCreditCard(s: string): boolean {
  if (!/^[\d -]{13,23}$/.test(s)) return false;
  const d = s.replace(/\D/g, '');
  return d.length >= 13 && d.length <= 19 && /^[2-6]/.test(d) && luhn(d);
}

export function isIban(s: string): boolean {
  const c = s.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(c)) return false;
  const moved = c.slice(4) + c.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const v = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of v) rem = (rem * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

export function isIpv4(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  return m !== null && m.slice(1).every((p) => Number(p) <= 255);
}

export function isIpv6(s: string): boolean {
  if (!/^[0-9a-f:]+$/i.test(s) || !s.includes(':')) return false;
  const parts = s.split('::');
  if (parts.length > 2) return false;
  const groups = parts.flatMap((p) => (p === '' ? [] : p.split(':')));
  return groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g)) && (parts.length === 2 ? groups.length < 8 : groups.length === 8);
}

const STREET_SUFFIXES = new Set(
  [
    ...(en.location?.street_suffix ?? []),
    'st',
    'street',
    'ave',
    'avenue',
    'rd',
    'road',
    'blvd',
    'boulevard',
    'dr',
    'drive',
    'ln',
    'lane',
    'way',
    'ct',
    'court',
    'pl',
    'place',
    'sq',
    'square',
    'hwy',
    'highway',
    'pkwy',
    'parkway',
    'loop',
    'terrace',
    'circle',
    'trail',
    'nw',
    'ne',
    'sw',
    'se',
    'straße',
    'strasse',
    'rue',
    'via',
    'calle',
  ].map((w) => w.toLowerCase()),
);

/** A street address: a house number and words ending in a street type (optionally followed by a unit). */
export function isStreetAddress(s: string): boolean {
  const t = s.toLowerCase().replace(/[.,]/g, ' ').split(/\s+/).filter(Boolean);
  if (t.length < 2) return false;
  const hasNumber = /^\d{1,6}[a-z]?$/.test(t[0] ?? '') || t.some((w) => /^\d{1,6}$/.test(w));
  const hasWord = t.some((w) => /^[\p{L}'-]{2,}$/u.test(w));
  const hasSuffix = t.some((w) => STREET_SUFFIXES.has(w)) || /(straße|strasse|weg|gasse|vej|gatan)\b/.test(s.toLowerCase());
  return hasNumber && hasWord && hasSuffix;
}

export const isUsZip = (s: string): boolean => /^\d{5}(-?\d{4})?$/.test(s);
export const isPostalCode = (s: string): boolean =>
  isUsZip(s) || /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i.test(s) || /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i.test(s) || /^\d{4,6}(-\d{3,4})?$/.test(s);
