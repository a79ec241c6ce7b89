/**
 * The app's settings kept in the project store. For now the site queue: the Redis URL (without its
 * password), the queue name and the rows per shard in `store_meta`; a password given in the URL is
 * sealed with the store's secret box in `secrets`, like a saved source's password, and put back
 * into the URL only when the queue is used.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { SecretBox, SettingsRepo, StoredSiteQueue } from './types';

const QUEUE = 'site-queue';
const QUEUE_PASSWORD = 'site-queue-password';

/** A Redis URL split into the URL without its password and the password (if any). */
export function splitRedisUrl(url: string): { url: string; password: string | undefined } {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw badUrl(url);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw badUrl(url);
  if (!u.hostname) throw badUrl(url);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = '';
  return { url: u.toString().replace(/\/$/, ''), password };
}

function badUrl(url: string): AppError {
  const shown = url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  return new AppError('BAD_REQUEST', `"${shown}" is not a Redis URL.`, {
    fix: 'Write it as redis://host:6379 (rediss:// for TLS), with user:password@ before the host if the queue needs them.',
  });
}

export function settingsRepo(db: Database.Database, box: () => SecretBox): SettingsRepo {
  const readMeta = db.prepare('SELECT value FROM store_meta WHERE name = ?').pluck();
  const writeMeta = db.prepare('INSERT INTO store_meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value');
  const delMeta = db.prepare('DELETE FROM store_meta WHERE name = ?');
  const readSecret = db.prepare('SELECT value FROM secrets WHERE name = ?').pluck();
  const writeSecret = db.prepare('INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value');
  const delSecret = db.prepare('DELETE FROM secrets WHERE name = ?');

  const stored = (): StoredSiteQueue | null => {
    const text = readMeta.get(QUEUE) as string | undefined;
    if (!text) return null;
    const v = JSON.parse(text) as Omit<StoredSiteQueue, 'hasPassword'>;
    return { ...v, hasPassword: readSecret.get(QUEUE_PASSWORD) !== undefined };
  };

  return {
    siteQueue: stored,
    setSiteQueue(input) {
      if (input === null) {
        db.transaction(() => {
          delMeta.run(QUEUE);
          delSecret.run(QUEUE_PASSWORD);
        })();
        return null;
      }
      const { url, password } = splitRedisUrl(input.url);
      const keep = input.keepPassword === true && password === undefined;
      db.transaction(() => {
        writeMeta.run(QUEUE, JSON.stringify({ url, name: input.name, shardRows: input.shardRows }));
        if (password !== undefined) writeSecret.run(QUEUE_PASSWORD, box().encrypt(password));
        else if (!keep) delSecret.run(QUEUE_PASSWORD);
      })();
      return stored();
    },
    siteQueueUrl() {
      const s = stored();
      if (!s) return null;
      const sealed = readSecret.get(QUEUE_PASSWORD) as Buffer | undefined;
      if (!sealed) return s.url;
      const u = new URL(s.url);
      u.password = encodeURIComponent(box().decrypt(sealed));
      return u.toString().replace(/\/$/, '');
    },
  };
}
