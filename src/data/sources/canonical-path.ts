import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ValidationEnv } from '../../shared/validation';

/**
 * One spelling per file: an existing file is its device and inode (so symbolic and hard links,
 * relative paths and `..` all meet), a file still to be created is its resolved folder and name.
 */
export function canonicalPath(p: string): string {
  const abs = path.resolve(p);
  try {
    const st = statSync(abs);
    return `inode:${st.dev}:${st.ino}`;
  } catch {
    try {
      return path.join(realpathSync.native(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}

/** Validation as run in the main process and the worker. */
export const validationEnv: ValidationEnv = { canonicalPath };
