/**
 * The one place the engine asks for fake values (`mock` treatment). Engineer H's module in
 * src/worker/engine/mock/ replaces the body of `mockValues` when it lands; until then it uses
 * @faker-js/faker directly, seeded, with a generator guessed from the column name.
 */
import { Faker, en } from '@faker-js/faker';
import type { CellValue } from '../../shared/values';

export interface MockRequest {
  table: string;
  column: string;
  /** e.g. `person.fullName`, `internet.email`; default guessed from the column name. */
  generator?: string;
  count: number;
  seed: number;
  /** A few real values: codes without spaces are faked with the same shape (letters, digits, separators). */
  templates?: string[];
}

/** A random value with the shape of `t`: letters -> random letters (same case), digits -> random digits. */
function sameShape(faker: Faker, t: string): string {
  return t.replace(/[A-Z]/g, () => faker.string.alpha({ casing: 'upper' })).replace(/[a-z]/g, () => faker.string.alpha({ casing: 'lower' })).replace(/\d/g, () => faker.string.numeric());
}

const GUESSES: [RegExp, string][] = [
  [/e-?mail/i, 'internet.email'],
  [/phone|mobile|fax/i, 'phone.number'],
  [/first.?name|name.?first|given/i, 'person.firstName'],
  [/last.?name|name.?last|surname|family/i, 'person.lastName'],
  [/name/i, 'person.fullName'],
  [/street|address/i, 'location.streetAddress'],
  [/city|town/i, 'location.city'],
  [/zip|postal|postcode/i, 'location.zipCode'],
  [/country/i, 'location.country'],
  [/ssn|social/i, 'ssn'],
  [/url|website/i, 'internet.url'],
  [/company|employer/i, 'company.name'],
];

export function guessGenerator(column: string): string {
  return GUESSES.find(([re]) => re.test(column))?.[1] ?? 'lorem.words';
}

function resolve(faker: Faker, path: string): (() => unknown) | null {
  const [group, fn] = path.split('.');
  if (!group || !fn) return null;
  const mod: unknown = (faker as unknown as Record<string, unknown>)[group];
  if (typeof mod !== 'object' || mod === null) return null;
  const f: unknown = (mod as Record<string, unknown>)[fn];
  return typeof f === 'function' ? () => (f as () => unknown).call(mod) : null;
}

/** Fake values for a mocked column, reproducible for a seed. */
export function mockValues(req: MockRequest): CellValue[] {
  const faker = new Faker({ locale: [en] });
  faker.seed(req.seed);
  const guess = req.generator ?? guessGenerator(req.column);
  const codes = (req.templates ?? []).filter((t) => t !== '' && !/\s/.test(t));
  let gen: () => unknown;
  if (guess === 'ssn') gen = () => faker.helpers.replaceSymbols('###-##-####');
  else if (!req.generator && guess === 'lorem.words' && codes.length > 0) gen = () => sameShape(faker, codes[faker.number.int(codes.length - 1)] as string);
  else gen = resolve(faker, guess) ?? resolve(faker, guessGenerator(req.column)) ?? (() => faker.lorem.words());
  const out: CellValue[] = new Array(req.count);
  for (let i = 0; i < req.count; i++) {
    const v = gen();
    out[i] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date ? v : String(v);
  }
  return out;
}
