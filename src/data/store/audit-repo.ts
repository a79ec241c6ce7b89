import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { canonicalJson, toJsonValue } from './canonical-json';
import type { AuditAnchor, AuditHead, AuditRecord, AuditRepo } from './types';

export const GENESIS_HASH = '0'.repeat(64);

interface AuditRow {
  seq: number;
  at: string;
  user: string;
  execution_id: string;
  payload: string;
  prev_hash: string;
  hash: string;
}

/** hash = sha256(prevHash + canonical JSON of {seq, at, user, executionId, payload}), hex. */
export function auditHash(prevHash: string, r: { seq: number; at: string; user: string; executionId: string; payload: unknown }): string {
  const body = canonicalJson({ seq: r.seq, at: r.at, user: r.user, executionId: r.executionId, payload: r.payload });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

export function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

function fromRow(row: AuditRow): AuditRecord {
  return {
    seq: row.seq,
    at: row.at,
    user: row.user,
    executionId: row.execution_id,
    payload: JSON.parse(row.payload) as unknown,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function parseHead(value: unknown): AuditHead | null {
  if (typeof value !== 'string') return null;
  try {
    const v = JSON.parse(value) as Partial<AuditHead>;
    return typeof v.seq === 'number' && typeof v.hash === 'string' ? { seq: v.seq, hash: v.hash } : null;
  } catch {
    return null;
  }
}

/**
 * The audit trail: append-only (SQLite triggers abort any UPDATE or DELETE of a row)
 * and hash-chained, so an edit made behind Doppel's back (triggers dropped, raw SQL) is found
 * by `verify`. Appends run in an IMMEDIATE transaction, so concurrent writers chain correctly.
 * Each append also records the new head in `store_meta`, and executions' reports record the head
 * they were made at (`anchors`): removing the newest records, which leaves a valid shorter chain,
 * is found too.
 */
export function auditRepo(db: Database.Database, anchors: () => AuditAnchor[] = () => []): AuditRepo {
  const last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
  const recordedHead = db.prepare("SELECT value FROM store_meta WHERE name = 'audit-head'").pluck();
  const recordHead = db.prepare("INSERT INTO store_meta (name, value) VALUES ('audit-head', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value");
  const insert = db.prepare('INSERT INTO audit (seq, at, user, execution_id, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const all = db.prepare('SELECT * FROM audit ORDER BY seq');
  const ofExecution = db.prepare('SELECT * FROM audit WHERE execution_id = ? ORDER BY seq');

  const append = db.transaction((input: { executionId: string; payload: unknown; user?: string; at?: string }): AuditRecord => {
    if (!input.executionId) throw new AppError('BAD_REQUEST', 'An audit record needs the id of its execution.', { fix: 'Pass executionId.' });
    const prev = last.get() as { seq: number; hash: string } | undefined;
    const at = input.at ?? new Date().toISOString();
    if (!Number.isFinite(Date.parse(at)))
      throw new AppError('BAD_REQUEST', `"${at}" is not a timestamp.`, { fix: 'Pass `at` as an ISO date-time, or leave it out.' });
    const payload = toJsonValue(input.payload);
    const rec = { seq: (prev?.seq ?? 0) + 1, at, user: input.user ?? osUser(), executionId: input.executionId, payload };
    const prevHash = prev?.hash ?? GENESIS_HASH;
    const hash = auditHash(prevHash, rec);
    insert.run(rec.seq, rec.at, rec.user, rec.executionId, canonicalJson(payload), prevHash, hash);
    recordHead.run(JSON.stringify({ seq: rec.seq, hash }));
    return { ...rec, prevHash, hash };
  });

  return {
    append: (input) => append.immediate(input),
    list(filter = {}) {
      const rows = (filter.executionId === undefined ? all.all() : ofExecution.all(filter.executionId)) as AuditRow[];
      return rows.map(fromRow);
    },
    head() {
      return (last.get() as AuditHead | undefined) ?? null;
    },
    verify(given) {
      let prevHash = GENESIS_HASH;
      let records = 0;
      const hashes = new Map<number, string>();
      const broken = (seq: number, why: string) => ({ ok: false, records, brokenAt: seq, message: `Audit chain BROKEN at record #${seq}: ${why}` });
      for (const row of all.iterate() as IterableIterator<AuditRow>) {
        records++;
        const expectedSeq = records;
        if (row.seq !== expectedSeq) {
          return broken(expectedSeq, `record #${expectedSeq} is missing (the next one is #${row.seq}); records were removed.`);
        }
        if (row.prev_hash !== prevHash) {
          return broken(row.seq, `its link to record #${row.seq - 1} does not match; a record before it was changed, removed or inserted.`);
        }
        let payload: unknown;
        try {
          payload = JSON.parse(row.payload) as unknown;
        } catch {
          return broken(row.seq, 'its payload is no longer valid JSON; it was edited after it was written.');
        }
        const hash = auditHash(prevHash, { seq: row.seq, at: row.at, user: row.user, executionId: row.execution_id, payload });
        if (hash !== row.hash) {
          return broken(row.seq, 'its content does not match its hash; it was edited after it was written.');
        }
        prevHash = row.hash;
        hashes.set(row.seq, row.hash);
      }
      const stored = parseHead(recordedHead.get());
      const heads: AuditAnchor[] = [...(stored ? [{ ...stored, where: 'the store' }] : []), ...(given ?? anchors())];
      if (!stored && records > 0)
        return broken(records, "the chain head the store records with every record is missing; the store was edited behind Doppel's back.");
      for (const h of heads) {
        if (h.seq > records) {
          const removed = h.seq === records + 1 ? `#${h.seq}` : `#${records + 1}–#${h.seq}`;
          return broken(
            records + 1,
            `the newest record${h.seq === records + 1 ? '' : 's'} (${removed}) ${h.seq === records + 1 ? 'was' : 'were'} removed: ${h.where} recorded #${h.seq} as the chain's head.`,
          );
        }
        if (hashes.get(h.seq) !== h.hash) return broken(h.seq, `it does not match the chain head ${h.where} recorded; the chain was rewritten.`);
      }
      if (stored && stored.seq < records)
        return broken(stored.seq + 1, `it was added behind Doppel's back: the store recorded #${stored.seq} as the chain's head.`);
      return { ok: true, records, message: `Audit chain intact: ${records} record${records === 1 ? '' : 's'}` };
    },
  };
}
