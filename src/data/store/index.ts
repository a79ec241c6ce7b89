/**
 * The project store: one folder holding store.sqlite (sources, syntheses, executions, audit
 * trail, sealed secrets), secret.key (headless key, 0600) and executions/<id>/ workspaces.
 */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { artifactKeyName } from './artifact-keys';
import { auditRepo } from './audit-repo';
import { executionsRepo } from './executions-repo';
import { migrate } from './migrations';
import { makeStorePrivate } from './private-folder';
import { reportAnchors } from './report-anchors';
import { fileSecretBox } from './secret-key';
import { settingsRepo } from './settings-repo';
import { sourcesRepo } from './sources-repo';
import { synthesesRepo } from './syntheses-repo';
import type { ProjectStore, SecretBox } from './types';

export { fileSecretBox } from './secret-key';

export const STORE_FILE = 'store.sqlite';
const MOCKING_KEY = 'mocking-key';

/** `DOPPEL_STORE` if set, else `~/.doppel` (the Electron shell passes its app-data folder instead). */
export function defaultStoreDir(): string {
  const env = process.env.DOPPEL_STORE;
  return env ? resolve(env) : join(homedir(), '.doppel');
}

function openDatabase(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (e) {
    db?.close();
    throw new AppError('BAD_REQUEST', `The project store ${path} cannot be opened: ${e instanceof Error ? e.message : String(e)}.`, {
      fix: 'Check that the folder is writable and that store.sqlite is a Doppel store (or pick another folder with --store).',
      cause: e,
    });
  }
}

/**
 * Opens (creating if needed) the project store in `dir`, private to the user (0700 folders, 0600
 * files, also in a folder that existed before): migrates it to the current schema and marks
 * executions left queued/running by a process that died as failed (WORKER_CRASHED).
 * Without `secretBox`, secrets are sealed with the 0600 key file `<dir>/secret.key`.
 */
export function openStore(dir: string, opts: { secretBox?: SecretBox } = {}): ProjectStore {
  const root = resolve(dir);
  makeStorePrivate(root);
  const db = openDatabase(join(root, STORE_FILE));
  try {
    migrate(db, join(root, STORE_FILE));
  } catch (e) {
    db.close();
    throw e;
  }
  let box: SecretBox | undefined = opts.secretBox;
  const secretBox = (): SecretBox => (box ??= fileSecretBox(root));

  /** A random 32-byte secret (hex) kept encrypted in the secrets table under `name`, created on first use. */
  const storedKey = (name: string): string => {
    const read = db.prepare('SELECT value FROM secrets WHERE name = ?').pluck();
    const sealed = read.get(name) as Buffer | undefined;
    if (sealed) return secretBox().decrypt(sealed);
    const fresh = randomBytes(32).toString('hex');
    db.prepare('INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)').run(name, secretBox().encrypt(fresh));
    // another process may have won the race: read back whichever was stored
    return secretBox().decrypt(read.get(name) as Buffer);
  };
  const executions = executionsRepo(db, root);
  const store: ProjectStore = {
    dir: root,
    sources: sourcesRepo(db, secretBox),
    settings: settingsRepo(db, secretBox),
    syntheses: synthesesRepo(db, (id) => executions.workspacesForDelete(id)),
    executions,
    audit: auditRepo(db, () => reportAnchors(executions.list())),
    mockingKey() {
      return storedKey(MOCKING_KEY);
    },
    artifactKey(executionId) {
      // A deleted execution's key went with it: never made again.
      executions.get(executionId);
      return storedKey(artifactKeyName(executionId));
    },
    close() {
      if (db.open) db.close();
    },
  };
  try {
    executions.recoverInterrupted();
  } catch (e) {
    db.close();
    throw e;
  }
  return store;
}
