import type Database from 'better-sqlite3';
import { sourceRecordSchema, type SourceRecord } from '../../shared/api';
import { AppError } from '../../shared/errors';
import { describeSource, sameAccount, sourceSpecSchema, withoutSecrets, type SourceSpec } from '../../shared/source';
import { isServerSpec } from '../dialects';
import { newId, nowIso } from './ids';
import type { SecretBox, SourcesRepo } from './types';

interface SourceRow {
  id: string;
  name: string;
  spec: string;
  has_password: number;
  created_at: string;
}

const COLUMNS = 'id, name, spec, password IS NOT NULL AS has_password, created_at';

function toRecord(row: SourceRow): SourceRecord {
  return sourceRecordSchema.parse({
    id: row.id,
    name: row.name,
    spec: JSON.parse(row.spec) as unknown,
    hasPassword: row.has_password === 1,
    createdAt: row.created_at,
  });
}

export function sourceNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No source "${id}" in the project store.`, { fix: 'List the sources and use one of their ids, or add the source again.' });
}

/** A stored password asked for another target than the one it was saved with. */
function passwordNotBound(saved: SourceRecord, target: SourceSpec): AppError {
  return new AppError(
    'DB_AUTH_FAILED',
    `The password saved with "${saved.name}" is for ${describeSource(saved.spec)}, not for ${describeSource(target)}: it is only sent to the server it was saved with.`,
    {
      fix: 'Enter the password for this server (or pick the saved connection unchanged).',
    },
  );
}

/**
 * Sources: the spec is stored without its password. A password (given apart or inside the spec)
 * is sealed by the SecretBox; database specs then carry `connectionId` = the source id, so a
 * config built from them finds the password again through `password(connectionId, target)` —
 * only when the target is the very server, user and database the password was saved with.
 */
export function sourcesRepo(db: Database.Database, box: () => SecretBox): SourcesRepo {
  const byId = db.prepare(`SELECT ${COLUMNS} FROM sources WHERE id = ?`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM sources ORDER BY created_at, rowid`);
  const exists = db.prepare('SELECT 1 FROM sources WHERE id = ?').pluck();
  const insert = db.prepare('INSERT INTO sources (id, name, spec, password, created_at) VALUES (?, ?, ?, ?, ?)');
  const del = db.prepare('DELETE FROM sources WHERE id = ?');
  const secret = db.prepare('SELECT password FROM sources WHERE id = ?');

  const get = (id: string): SourceRecord => {
    const row = byId.get(id) as SourceRow | undefined;
    if (!row) throw sourceNotFound(id);
    return toRecord(row);
  };

  return {
    list: () => (all.all() as SourceRow[]).map(toRecord),
    get,
    add(input) {
      const parsed: SourceSpec = sourceSpecSchema.parse(input.spec);
      const password = input.password ?? ('password' in parsed ? parsed.password : undefined);
      const id = newId((candidate) => exists.get(candidate) !== undefined);
      let spec: SourceSpec = withoutSecrets(parsed);
      if (password !== undefined && isServerSpec(spec)) spec = { ...spec, connectionId: id };
      const sealed = password === undefined ? null : box().encrypt(password);
      insert.run(id, input.name?.trim() || describeSource(spec), JSON.stringify(spec), sealed, nowIso());
      return get(id);
    },
    remove(id) {
      if (del.run(id).changes === 0) throw sourceNotFound(id);
    },
    password(id, target) {
      const row = secret.get(id) as { password: Buffer | null } | undefined;
      if (!row) throw sourceNotFound(id);
      if (row.password === null) return undefined;
      const saved = get(id);
      if (!sameAccount(saved.spec, target)) throw passwordNotBound(saved, target);
      return box().decrypt(row.password);
    },
  };
}
