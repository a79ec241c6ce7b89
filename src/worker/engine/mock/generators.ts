/**
 * Fake-value generators for mocked columns: a faker path (`person.fullName`, `internet.email`,
 * ...) named in the config or guessed from the column name, `ssn`, or — for codes without a
 * matching generator — a value with the same shape as a real one (letters -> letters of the
 * same case, digits -> digits, separators kept).
 */
import type { Faker } from '@faker-js/faker';
import type { CellValue } from '../../../shared/values';

const GUESSES: [RegExp, string][] = [
  [/e-?mail/i, 'internet.email'],
  [/phone|mobile|fax/i, 'phone.number'],
  [/first.?name|name.?first|given/i, 'person.firstName'],
  [/last.?name|name.?last|surname|family|maiden/i, 'person.lastName'],
  [/name/i, 'person.fullName'],
  [/street|address/i, 'location.streetAddress'],
  [/city|town/i, 'location.city'],
  [/zip|postal|postcode/i, 'location.zipCode'],
  [/country/i, 'location.country'],
  [/ssn|social/i, 'ssn'],
  [/iban/i, 'finance.iban'],
  [/card/i, 'finance.creditCardNumber'],
  [/\bip\b|ip.?addr/i, 'internet.ip'],
  [/url|website/i, 'internet.url'],
  [/company|employer/i, 'company.name'],
];

/** The generator a column name suggests (`lorem.words` when nothing matches). */
export function guessGenerator(column: string): string {
  return GUESSES.find(([re]) => re.test(column))?.[1] ?? 'lorem.words';
}

/** The shape of a text: upper-case letters as A, lower-case as a, digits as 9, anything else kept. */
export function shapePattern(t: string): string {
  return t.replace(/[A-Z]/g, 'A').replace(/[a-z]/g, 'a').replace(/\d/g, '9');
}

/** A value with the shape of `t`, drawn from `faker`'s current state. */
export function sameShape(faker: Faker, t: string): string {
  return t
    .replace(/[A-Z]/g, () => faker.string.alpha({ casing: 'upper' }))
    .replace(/[a-z]/g, () => faker.string.alpha({ casing: 'lower' }))
    .replace(/\d/g, () => faker.string.numeric());
}

function resolve(faker: Faker, path: string): (() => unknown) | null {
  const [group, fn] = path.split('.');
  if (!group || !fn) return null;
  const mod: unknown = (faker as unknown as Record<string, unknown>)[group];
  if (typeof mod !== 'object' || mod === null) return null;
  const f: unknown = (mod as Record<string, unknown>)[fn];
  return typeof f === 'function' ? () => (f as () => unknown).call(mod) : null;
}

export function toCell(v: unknown): CellValue {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date ? v : String(v);
}

/** Codes (no spaces) a shape-faked column may imitate. */
export function codeTemplates(templates: readonly string[] | undefined): string[] {
  return (templates ?? []).filter((t) => t !== '' && !/\s/.test(t));
}

export interface GeneratorChoice {
  /** Table-independent kind of the column (the generator path, or `shape`); keys consistent mocking. */
  kind: string;
  /** A fake value; `template` is a real code whose shape the `shape` kind imitates. */
  make: (faker: Faker, template?: string) => unknown;
}

/** Picks the generator of a mocked column: configured, else guessed from its name, else code shapes. */
export function chooseGenerator(faker: Faker, column: string, generator: string | undefined, hasCodes: boolean): GeneratorChoice {
  const guess = generator ?? guessGenerator(column);
  if (guess === 'ssn') return { kind: 'ssn', make: (f) => f.helpers.replaceSymbols('###-##-####') };
  if (!generator && guess === 'lorem.words' && hasCodes) return { kind: 'shape', make: (f, t) => (t ? sameShape(f, t) : f.lorem.words()) };
  const path = resolve(faker, guess) ? guess : resolve(faker, guessGenerator(column)) ? guessGenerator(column) : 'lorem.words';
  return {
    kind: path,
    make: (f) => {
      const g = resolve(f, path);
      return g ? g() : f.lorem.words();
    },
  };
}
