/**
 * A composite FK into original data chosen by the learned matcher, like a single-column one: a
 * club's visits take place in a room ("Raum", kept as original data, keyed by house and room
 * number, both text) of the house their member keeps, whose level is the visit's own.
 */
import { describe, expect, it } from 'vitest';
import type { Relationship } from '../../src/shared/metadata';
import type { RowBatch } from '../../src/shared/values';
import { validateConfig } from '../../src/shared/validation';
import { ksComplement } from '../../src/worker/engine/evaluate/stats';
import { clubDb } from './generated-db';
import { synthesizeInMemory } from './helpers';

const VISITS = 'Besuch (2024)';

/** For each visit, the room row its (house, room) key names (undefined: no such room). */
function roomsOf(visits: RowBatch, rooms: RowBatch): (unknown[] | undefined)[] {
  const byKey = new Map(rooms.rows.map((r) => [`${String(r[0])}\u0001${String(r[1])}`, r]));
  const h = visits.columns.indexOf('Haus');
  const n = visits.columns.indexOf('Raum');
  return visits.rows.map((r) => byKey.get(`${String(r[h])}\u0001${String(r[n])}`));
}

function figures(tables: Record<string, RowBatch>): { found: number; levelMatch: number; oneHouse: number; visitsPerRoom: number[] } {
  const visits = tables[VISITS]!;
  const rooms = tables.Raum!;
  const of = roomsOf(visits, rooms);
  const level = visits.columns.indexOf('Stufe');
  const member = visits.columns.indexOf('Mitglied');
  const houses = new Map<string, Set<string>>();
  const perRoom = new Map<unknown[], number>(rooms.rows.map((r) => [r, 0]));
  let found = 0;
  let match = 0;
  of.forEach((room, i) => {
    if (!room) return;
    found++;
    perRoom.set(room, perRoom.get(room)! + 1);
    if (room[2] === visits.rows[i]![level]) match++;
    const m = String(visits.rows[i]![member]);
    houses.set(m, (houses.get(m) ?? new Set()).add(String(room[0])));
  });
  return {
    found: found / visits.rows.length,
    levelMatch: match / Math.max(1, found),
    oneHouse: [...houses.values()].filter((s) => s.size === 1).length / houses.size,
    visitsPerRoom: [...perRoom.values()],
  };
}

describe('a composite FK into original data (visits in a room keyed by house and room number)', () => {
  it('points every visit at an existing room of its level, in the house its member keeps, each room used as in the data', async () => {
    const db = clubDb({ members: 200, rooms: true });
    db.config.tables.Raum!.treatment = 'original';
    expect(validateConfig(db.config, db.metadata).filter((p) => p.severity === 'error')).toEqual([]);
    const logs: string[] = [];
    const out = await synthesizeInMemory({ ...db, log: (_l: string, m: string) => logs.push(m) } as typeof db);
    const composite = db.config.foreignKeys.find((f: Relationship) => f.parentTable === 'Raum')!;
    expect(composite.childColumns).toEqual(['Haus', 'Raum']);
    expect(logs.join('\n')).toContain(`"${VISITS}": Haus, Raum chosen among the "Raum" rows by a learned matcher (Stufe = Raum.Stufe`);
    const real = figures(db.tables);
    const syn = figures({ ...out, Raum: db.tables.Raum! });
    expect(real.found).toBe(1);
    expect(syn.found).toBe(1);
    expect(real.levelMatch).toBe(1);
    expect(syn.levelMatch).toBeGreaterThanOrEqual(0.95);
    expect(Math.abs(syn.oneHouse - real.oneHouse)).toBeLessThanOrEqual(0.1);
    // Visits per room (none included): a visit keeps its member's house and its own level first, each room's real count second.
    expect(ksComplement(Float64Array.from(real.visitsPerRoom), Float64Array.from(syn.visitsPerRoom))).toBeGreaterThanOrEqual(0.85);
  }, 600_000);
});
