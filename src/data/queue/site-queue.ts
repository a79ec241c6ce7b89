/**
 * The site's queue as both sides reach it: Redis connections for BullMQ, the cancel signal of an
 * execution, and the secrets of a job sealed with the site key.
 *
 * Connections live in redis.ts (loaded only when a queue is used).
 *
 * Secrets: the app seals an execution's passwords and mocking key with the site key, a 32-byte
 * key file (mode 0600) that the site copies to the app's machine and to every worker out of
 * band (like an SSH key). Redis holds only the sealed text; a worker opens it with its own copy.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import { jobSecretsSchema } from '../../shared/site';
import { keyFileSecretBox } from '../store/secret-key';

export type JobSecrets = ReturnType<typeof jobSecretsSchema.parse>;

export const SITE_KEY_FILE = 'site.key';

/** The site key: `DOPPEL_SITE_KEY` (a file), else `site.key` in the project store folder. */
export function siteKeyPath(storeDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.DOPPEL_SITE_KEY ? env.DOPPEL_SITE_KEY : join(storeDir, SITE_KEY_FILE);
}

/** A URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** The Redis key whose presence tells the workers of `queue` to stop an execution (kept a day). */
export function cancelKey(queue: string, executionId: string): string {
  return `doppel:${queue}:cancel:${executionId}`;
}

export const CANCEL_TTL_SECONDS = 86_400;

/** Seals secrets for a job description with the site key (created 0600 on first use when `create`). */
export function sealSecrets(keyFile: string, secrets: JobSecrets, opts: { create?: boolean } = {}): string {
  if (!opts.create && !existsSync(keyFile)) throw missingKey(keyFile);
  return keyFileSecretBox(keyFile).encrypt(JSON.stringify(secrets)).toString('base64');
}

/** Opens the sealed secrets of a job description with this worker's copy of the site key. */
export function openSecrets(keyFile: string, sealed: string): JobSecrets {
  if (!existsSync(keyFile)) throw missingKey(keyFile);
  let text: string;
  try {
    text = keyFileSecretBox(keyFile).decrypt(Buffer.from(sealed, 'base64'));
  } catch (e) {
    if (e instanceof AppError && e.code === 'BAD_REQUEST' && /cannot be decrypted/.test(e.message))
      throw new AppError('BAD_REQUEST', `The secrets of this execution were sealed with another site key than ${keyFile}.`, {
        fix: 'Copy the site key of the app that submits executions to this worker (same file, mode 0600) and restart the worker.',
      });
    throw e;
  }
  return jobSecretsSchema.parse(JSON.parse(text));
}

function missingKey(keyFile: string): AppError {
  return new AppError('BAD_REQUEST', `The site key ${keyFile} does not exist.`, {
    fix: "Copy the site key of the app that submits executions (its project store's site.key, or DOPPEL_SITE_KEY) to this path, mode 0600, or pass --site-key.",
  });
}
