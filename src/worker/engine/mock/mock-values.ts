/**
 * Fake values for mocked columns, two ways:
 *
 * - random (`mockValues`): a seeded faker draws fresh fakes; reproducible for a seed.
 * - consistent (`consistentMockValues`): with the project's secret `key`, each REAL value is
 *   mapped to a fake one derived from HMAC-SHA256(key, kind ∥ value) used as the faker seed.
 *   The kind is table-independent (the generator, e.g. `internet.email`), so the same real
 *   e-mail gets the same fake e-mail in every table and every execution with the same key —
 *   joins on mocked columns still work — and the mapping cannot be inverted or recomputed
 *   without the key. The real values come from the training rows, in memory only. Codes faked
 *   by shape take the shape of one of the column's templates (picked by that seed), so their
 *   lengths follow the column's distribution and never reveal the length of the real value.
 *   The training values are mapped once (`fakePool`); rows draw from the mapped pool.
 */
import { createHmac } from 'node:crypto';
import { Faker, en } from '@faker-js/faker';
import type { CellValue } from '../../../shared/values';
import { chooseGenerator, codeTemplates, shapePattern, toCell } from './generators';

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

/** Random fake values for a mocked column, reproducible for a seed. */
export function mockValues(req: MockRequest): CellValue[] {
  const faker = new Faker({ locale: [en] });
  faker.seed(req.seed);
  const codes = codeTemplates(req.templates);
  const gen = chooseGenerator(faker, req.column, req.generator, codes.length > 0);
  const out: CellValue[] = new Array(req.count);
  for (let i = 0; i < req.count; i++) out[i] = toCell(gen.make(faker, codes.length > 0 ? codes[faker.number.int(codes.length - 1)] : undefined));
  return out;
}

/** Canonical text of a real value (so 42, '42' and a Date and its ISO string map alike). */
function canonical(v: Exclude<CellValue, null>): string {
  return v instanceof Date ? v.toISOString() : String(v).trim();
}

/** The faker seed of a real value: the first 32 bits of HMAC-SHA256(key, kind ∥ 0x00 ∥ value). */
export function mockSeed(key: string, kind: string, value: Exclude<CellValue, null>): number {
  return createHmac('sha256', key)
    .update(`${kind}\u0000${canonical(value)}`)
    .digest()
    .readUInt32BE(0);
}

export interface ConsistentMocker {
  /** The table-independent kind the values are keyed by. */
  kind: string;
  /** The fake value of a real value (null stays null). */
  fake(value: CellValue): CellValue;
}

/**
 * A mapper real value -> fake value for one mocked column, keyed by the project secret.
 * `codes`: real codes of the column (a sample following its distribution); when given and no
 * generator fits the column, fakes imitate their shapes.
 */
export function createConsistentMocker(key: string, column: string, generator: string | undefined, codes: readonly string[]): ConsistentMocker {
  const faker = new Faker({ locale: [en] });
  const gen = chooseGenerator(faker, column, generator, codes.length > 0);
  // Shapes only (never the real texts), sorted so that columns with the same codes pick alike.
  const shapes = codes.map(shapePattern).sort();
  const cache = new Map<string, CellValue>();
  return {
    kind: gen.kind,
    fake(value) {
      if (value === null || value === undefined) return null;
      const c = canonical(value);
      const hit = cache.get(c);
      if (hit !== undefined) return hit;
      faker.seed(mockSeed(key, gen.kind, value));
      const template = gen.kind === 'shape' && shapes.length > 0 ? shapes[faker.number.int(shapes.length - 1)] : c;
      const out = toCell(gen.make(faker, template));
      if (cache.size < 100_000) cache.set(c, out);
      return out;
    },
  };
}

export interface FakePoolRequest {
  key: string;
  column: string;
  generator?: string;
  /** Shapes of a few real codes (`shapePattern`), as the column's plan keeps them. */
  templates?: string[];
  /** Real values of the column (training rows, in memory). */
  pool: readonly CellValue[];
}

/**
 * The training values of a mocked column mapped to their consistent fakes, in the same order:
 * synthetic rows draw from it (`drawFakes`), so they follow the real distribution while holding
 * fakes only. It holds no real value and no key, so it may be written to the run's artifacts.
 */
export function fakePool(req: FakePoolRequest): CellValue[] {
  const codes = codeTemplates(req.pool.filter((v): v is string => typeof v === 'string').slice(0, 50));
  const codesSeen = codes.length > 0 && codes.length >= Math.min(50, req.pool.length) / 2;
  const sample = codeTemplates(req.templates);
  const mocker = createConsistentMocker(req.key, req.column, req.generator, codesSeen ? (sample.length > 0 ? sample : codes) : []);
  return req.pool.map((v) => mocker.fake(v));
}

/** `count` fakes drawn from a fake pool with the sampler's uniform draws. */
export function drawFakes(pool: readonly CellValue[], count: number, next: () => number): CellValue[] {
  const out: CellValue[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = pool.length > 0 ? (pool[Math.min(pool.length - 1, Math.floor(next() * pool.length))] ?? null) : null;
  return out;
}
