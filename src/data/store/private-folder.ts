import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { SECRET_KEY_FILE } from './secret-key';

function chmodIfNeeded(path: string, mode: number): void {
  try {
    if ((statSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
  } catch {
    // Not ours to change (another user's file) or gone meanwhile: the folder's 0700 still guards it.
  }
}

function tighten(dir: string, root: boolean): void {
  chmodIfNeeded(dir, 0o700);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tighten(p, false);
    // secret.key keeps its own check: one that others could read is refused, not silently fixed.
    else if (e.isFile() && !(root && e.name === SECRET_KEY_FILE)) chmodIfNeeded(p, 0o600);
  }
}

/**
 * Makes the project store private to the user whether Doppel created the folder or not: the
 * folder and every folder in it 0700, every file 0600 (links are not followed), and the files
 * this process creates from now on private too (umask 077; worker processes inherit it).
 */
export function makeStorePrivate(root: string): void {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  if (isMainThread) process.umask(0o077);
  tighten(root, true);
}
