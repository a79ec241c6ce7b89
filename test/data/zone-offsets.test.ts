/**
 * A datetime with a zone is read as the same instant whether it comes from a database's text (SQL
 * form) or a file's ISO text, and whatever way the zone is written.
 */
import { describe, expect, it } from 'vitest';
import { formatByName, parseDatetime } from '../../src/data/introspection/datetime-formats';
import { parseSqlDatetime } from '../../src/data/sources/cells';

const iso = formatByName('ISO')!;

describe('zones of datetime texts', () => {
  it.each([
    ['2024-03-01 10:30:00+02:00', '2024-03-01T08:30:00.000Z'],
    ['2024-03-01 10:30:00+0200', '2024-03-01T08:30:00.000Z'],
    ['2024-03-01 01:15:00-05:30', '2024-03-01T06:45:00.000Z'],
    ['2024-03-01 10:30:00Z', '2024-03-01T10:30:00.000Z'],
    ['2024-03-01 10:30:00', '2024-03-01T10:30:00.000Z'],
  ])('%s is the instant %s from a database and from a file', (text, instant) => {
    expect(parseSqlDatetime(text)?.toISOString()).toBe(instant);
    expect(parseDatetime(text.replace(' ', 'T'), iso)?.toISOString()).toBe(instant);
  });

  it('reads PostgreSQL’s hour-only zone (+02) from a database', () => {
    expect(parseSqlDatetime('2024-03-01 10:30:00+02')?.toISOString()).toBe('2024-03-01T08:30:00.000Z');
    expect(parseSqlDatetime('0044-03-15 12:00:00-01 BC')?.toISOString()).toBe('-000043-03-15T13:00:00.000Z');
  });
});
