import { describe, expect, it } from 'vitest';
import type { StorageType } from '../../src/shared/metadata';
import type { CellValue } from '../../src/shared/values';
import { columnFormatters, textCell } from '../../src/data/dialects/load-rows';

const types: StorageType[] = ['integer', 'bigint', 'float', 'decimal', 'date', 'time', 'datetime', 'boolean', 'string', 'json', 'unknown'];
const awkward: CellValue[] = [
  null,
  0,
  -12,
  3.25,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '12345678901234567890',
  'tab\there',
  'line\nbreak\r\n',
  'back\\slash',
  '',
  '\\N',
  true,
  false,
  new Date(Date.UTC(2024, 1, 29, 13, 5, 7, 9)),
  new Date(Date.UTC(12000, 0, 1)),
  new Date(Date.UTC(2024, 1, 29, 23, 59, 59)),
  new Date(Date.UTC(2024, 1, 29)),
  new Date(Date.UTC(1969, 11, 31, 23, 59, 59, 999)),
  new Date(Date.UTC(1901, 5, 15, 0, 0, 0, 1)),
  new Date(Date.UTC(-3, 2, 1, 4, 5, 6)),
  new Date(Number.NaN),
];

/** A formatter's text, or the message of its refusal (MariaDB holds no date outside the years 0–9999). */
function outcome(format: () => string): string {
  try {
    return format();
  } catch (e) {
    return `refused: ${e instanceof Error ? e.message : String(e)}`;
  }
}

describe('per-column COPY / LOAD DATA formatters', () => {
  for (const pg of [true, false]) {
    it(`write every awkward value exactly as the per-cell formatter does (${pg ? 'PostgreSQL' : 'MariaDB'})`, () => {
      const formats = columnFormatters(types, pg, types);
      types.forEach((type, i) => {
        for (const v of awkward)
          expect(
            outcome(() => formats[i]!(v)),
            `${type} ${String(v)}`,
          ).toBe(outcome(() => textCell(v, type, pg, type)));
      });
    });
  }
});
