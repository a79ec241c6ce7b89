/**
 * Person-name dictionaries for detection, offline: faker's English locale lists (first names,
 * last names) plus a few hundred common international ones. Lookups are case-insensitive,
 * ignore accents and trailing digits (Synthea writes "Alice368").
 */
import { en } from '@faker-js/faker';

const EXTRA_FIRST =
  'ana andrea andrew anna anne antonio carlos clara daniel david elena emma eva francesco franz giulia hans helena hugo isabel ivan jan jean joao jon jose juan julia karl klaus laura lea leonie leo lucas luis luisa maria marie mark martin mike michael mohammed nancy niklas olga paulo pedro peter pierre rafael robert roberto sara sofia stefan steve tim tomas victor wei yuki'.split(
    ' ',
  );
const EXTRA_LAST =
  'adams almeida andersen bernard bianchi brown costa dubois edwards fernandes ferrari fischer garcia goncalves gordon gruber hansen henderson hillyer hoffmann jensen kohler kowalski lopez martin martins mitchell muller nielsen novak peacock pereira ramos rossi santos schmidt schneider shaw silva smith stephens wagner weber wojcik'.split(
    ' ',
  );

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function listOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (v && typeof v === 'object') return Object.values(v).flatMap(listOf);
  return [];
}

const person = en.person as Record<string, unknown> | undefined;
const FIRST = new Set([...listOf(person?.first_name), ...listOf(person?.middle_name), ...EXTRA_FIRST].map(fold));
const LAST = new Set([...listOf(person?.last_name), ...EXTRA_LAST].map(fold));

/** A name token without trailing digits, folded; null when it is not a word. */
export function nameToken(s: string): string | null {
  const t = fold(s.trim()).replace(/\d+$/, '');
  return /^[a-z][a-z'-]{1,}$/.test(t) ? t : null;
}

export const isFirstName = (s: string): boolean => {
  const t = nameToken(s);
  return t !== null && FIRST.has(t);
};

export const isLastName = (s: string): boolean => {
  const t = nameToken(s);
  return t !== null && LAST.has(t);
};

/** "First Last", "Last, First", "Dr. First M. Last": 2-4 words with a known first or last name among them. */
export function isFullName(s: string): boolean {
  const words = s
    .replace(/,/g, ' ')
    .split(/\s+/)
    .filter((w) => w && !/^(mr|mrs|ms|dr|prof)\.?$/i.test(w) && !/^[A-Z]\.$/.test(w));
  if (words.length < 2 || words.length > 4) return false;
  if (!words.every((w) => nameToken(w) !== null)) return false;
  return words.some((w) => isFirstName(w)) && words.some((w) => isLastName(w) || isFirstName(w));
}
