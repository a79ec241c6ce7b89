import { rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { synthesisRecordSchema, type SynthesisRecord } from '../../shared/api';
import { synthesisConfigSchema, type SynthesisConfig } from '../../shared/config';
import { AppError } from '../../shared/errors';
import { withoutSecrets } from '../../shared/source';
import { newId, nowIso } from './ids';
import { sourceNotFound } from './sources-repo';
import type { SynthesesRepo } from './types';

interface SynthesisRow {
  id: string;
  name: string;
  source_id: string | null;
  config: string;
  created_at: string;
  updated_at: string;
}

function toRecord(row: SynthesisRow): SynthesisRecord {
  return synthesisRecordSchema.parse({
    id: row.id,
    name: row.name,
    sourceId: row.source_id,
    config: JSON.parse(row.config) as unknown,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

/** A config as it may be saved: validated, and no in-memory password in its source or destination. */
export function storableConfig(config: SynthesisConfig): SynthesisConfig {
  const c = synthesisConfigSchema.parse(config);
  const destination = c.destination.kind === 'database' ? { ...c.destination, target: withoutSecrets(c.destination.target) } : c.destination;
  return { ...c, source: withoutSecrets(c.source), destination };
}

export function synthesisNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No synthesis "${id}" in the project store.`, { fix: 'List the syntheses and use one of their ids.' });
}

/**
 * Syntheses. `delete` cascades to the executions (foreign key) and removes their workspace
 * folders, which `workspacesForDelete` lists (it refuses while one is queued/running).
 */
export function synthesesRepo(db: Database.Database, workspacesForDelete: (synthesisId: string) => string[]): SynthesesRepo {
  const byId = db.prepare('SELECT * FROM syntheses WHERE id = ?');
  const all = db.prepare('SELECT * FROM syntheses ORDER BY created_at, rowid');
  const exists = db.prepare('SELECT 1 FROM syntheses WHERE id = ?').pluck();
  const sourceExists = db.prepare('SELECT 1 FROM sources WHERE id = ?').pluck();
  const insert = db.prepare('INSERT INTO syntheses (id, name, source_id, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
  const update = db.prepare('UPDATE syntheses SET name = ?, source_id = ?, config = ?, updated_at = ? WHERE id = ?');
  const del = db.prepare('DELETE FROM syntheses WHERE id = ?');

  const get = (id: string): SynthesisRecord => {
    const row = byId.get(id) as SynthesisRow | undefined;
    if (!row) throw synthesisNotFound(id);
    return toRecord(row);
  };

  return {
    list: () => (all.all() as SynthesisRow[]).map(toRecord),
    get,
    save(input) {
      const name = input.name.trim();
      if (!name) throw new AppError('BAD_REQUEST', 'A synthesis needs a name.', { fix: 'Give the synthesis a non-empty name.' });
      if (input.sourceId !== null && sourceExists.get(input.sourceId) === undefined) throw sourceNotFound(input.sourceId);
      const config = JSON.stringify(storableConfig(input.config));
      const now = nowIso();
      if (input.id === undefined) {
        const id = newId((candidate) => exists.get(candidate) !== undefined);
        insert.run(id, name, input.sourceId, config, now, now);
        return get(id);
      }
      if (update.run(name, input.sourceId, config, now, input.id).changes === 0) throw synthesisNotFound(input.id);
      return get(input.id);
    },
    delete(id) {
      if (exists.get(id) === undefined) throw synthesisNotFound(id);
      const workspaces = workspacesForDelete(id);
      del.run(id);
      for (const ws of workspaces) rmSync(ws, { recursive: true, force: true });
    },
  };
}
