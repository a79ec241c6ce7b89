import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import type { SecretBox } from './types';

export const SECRET_KEY_FILE = 'secret.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 1;

/**
 * The headless SecretBox: AES-256-GCM with a 32-byte key in `<dir>/secret.key` (mode 0600),
 * created on first use. Sealed layout: [format=1][iv 12][tag 16][ciphertext].
 * Refuses a key file that other users can read (POSIX) or that is not 32 bytes.
 */
export function fileSecretBox(dir: string): SecretBox {
  return keyFileSecretBox(join(dir, SECRET_KEY_FILE));
}

/** A SecretBox over the 32-byte key in `path` (created 0600 on first use), e.g. a site key shared out of band. */
export function keyFileSecretBox(path: string): SecretBox {
  let key: Buffer | undefined;
  const load = (): Buffer => (key ??= loadOrCreateKey(path));
  return {
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', load(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([FORMAT]), iv, cipher.getAuthTag(), body]);
    },
    decrypt(sealed) {
      if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT) throw undecryptable(path);
      const iv = sealed.subarray(1, 1 + IV_BYTES);
      const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', load(), iv);
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw undecryptable(path);
      }
    },
  };
}

function undecryptable(path: string): AppError {
  return new AppError(
    'BAD_REQUEST',
    `A stored secret cannot be decrypted with the key ${path} (the key file was replaced or the store was copied without it).`,
    {
      fix: 'Remove the stored connection and add it again with its password, or restore the original secret.key.',
    },
  );
}

function loadOrCreateKey(path: string): Buffer {
  let key: Buffer;
  try {
    key = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw keyUnreadable(path, e);
    key = randomBytes(KEY_BYTES);
    try {
      writeFileSync(path, key, { mode: 0o600, flag: 'wx' });
      if (process.platform !== 'win32') chmodSync(path, 0o600); // the umask may have narrowed nothing, be explicit
    } catch (err) {
      // another process created it first: use theirs
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKey(path);
      throw keyUnreadable(path, err);
    }
    return key;
  }
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    throw new AppError('BAD_REQUEST', `The secret key ${path} can be read by other users, so Doppel will not use it.`, {
      fix: `Run: chmod 600 "${path}"`,
    });
  }
  if (key.length !== KEY_BYTES) {
    throw new AppError('BAD_REQUEST', `The secret key ${path} is damaged (${key.length} bytes instead of ${KEY_BYTES}).`, {
      fix: 'Restore secret.key from a backup, or delete it and add the stored connections again with their passwords.',
    });
  }
  return key;
}

function keyUnreadable(path: string, cause: unknown): AppError {
  return new AppError('BAD_REQUEST', `The secret key ${path} cannot be read or created: ${cause instanceof Error ? cause.message : String(cause)}.`, {
    fix: 'Check that the project store folder is writable by you.',
    cause,
  });
}
