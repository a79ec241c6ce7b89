import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { ARTIFACT_KEY_PREFIX } from './artifact-keys';

/** Ordered schema migrations; `version` = index + 1. Never edit one that has shipped: append. */
export const migrations: readonly string[] = [
  `
  CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    password BLOB,
    created_at TEXT NOT NULL
  );
  CREATE TABLE syntheses (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source_id TEXT REFERENCES sources(id) ON DELETE SET NULL,
    config TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE executions (
    id TEXT PRIMARY KEY,
    synthesis_id TEXT NOT NULL REFERENCES syntheses(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    steps TEXT NOT NULL,
    backend TEXT,
    quality REAL,
    output_path TEXT,
    workspace TEXT NOT NULL,
    error TEXT,
    summary TEXT,
    config TEXT NOT NULL,
    owner_pid INTEGER
  );
  CREATE INDEX executions_by_synthesis ON executions(synthesis_id, created_at);
  CREATE INDEX executions_by_status ON executions(status);
  CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
  );
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_by_execution ON audit(execution_id);
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
  `,
  // The audit chain's head (seq and hash of its newest record), kept apart from the chain so that
  // removing the newest records is found by verify.
  `
  CREATE TABLE store_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO store_meta (name, value)
    SELECT 'audit-head', json_object('seq', seq, 'hash', hash) FROM audit ORDER BY seq DESC LIMIT 1;
  `,
  // What the execution page tells beyond status and error (e.g. the device that was asked for was not used).
  `
  ALTER TABLE executions ADD COLUMN notice TEXT;
  `,
  // Which execution trained the model a generation reused (resolved to the training run, so a
  // generation from a generation uses the same model); an execution's artifact key goes with it.
  `
  ALTER TABLE executions ADD COLUMN trained_by TEXT;
  DELETE FROM secrets WHERE name LIKE '${ARTIFACT_KEY_PREFIX}%' AND substr(name, ${ARTIFACT_KEY_PREFIX.length + 1}) NOT IN (SELECT id FROM executions);
  CREATE TRIGGER executions_drop_artifact_key AFTER DELETE ON executions
    BEGIN DELETE FROM secrets WHERE name = '${ARTIFACT_KEY_PREFIX}' || OLD.id; END;
  `,
];

export function schemaVersion(db: Database.Database): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null } | undefined;
  return row?.v ?? 0;
}

/**
 * Brings the store to the latest schema: each pending migration runs in its own IMMEDIATE
 * transaction together with its schema_version row, so two processes opening the same store
 * apply each migration once. Returns the number of migrations applied.
 */
export function migrate(db: Database.Database, path: string, list: readonly string[] = migrations): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const current = schemaVersion(db);
  if (current > list.length) {
    throw new AppError('BAD_REQUEST', `The project store ${path} was written by a newer Doppel (schema ${current}, this one knows ${list.length}).`, {
      fix: 'Update Doppel, or pick another store folder with --store.',
    });
  }
  let applied = 0;
  list.forEach((sql, i) => {
    const version = i + 1;
    const step = db.transaction(() => {
      if (schemaVersion(db) >= version) return;
      db.exec(sql);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(version, new Date().toISOString());
      applied++;
    });
    step.immediate();
  });
  return applied;
}
