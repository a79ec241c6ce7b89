import { existsSync, linkSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';

/** Where an export may be written. */
export interface TargetRules {
  /** Replace an existing file (the CLI's --force; the app asks first). */
  force?: boolean;
  /** Folders never written into (the project store); the exported file itself is always protected. */
  protectedDirs?: string[];
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Checks an export target before anything is written: its folder exists, it is not a folder, it
 * is not the file being exported nor inside a protected folder (even with force), and it does not
 * exist yet unless `force`. Returns the path with its folder's links resolved.
 */
export function checkExportTarget(outPath: string, input: string, rules: TargetRules = {}): string {
  const dir = path.dirname(path.resolve(outPath));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new AppError('EXPORT_FAILED', `The folder ${dir} does not exist, so ${outPath} cannot be written.`, {
      fix: 'Create the folder first, or choose a file in an existing folder.',
    });
  }
  const target = path.join(real(dir), path.basename(outPath));
  if (existsSync(target) && statSync(target).isDirectory()) {
    throw new AppError('EXPORT_FAILED', `${outPath} is a folder.`, { fix: 'Give a file name, e.g. ' + path.join(outPath, 'export.zip') });
  }
  if (real(target) === real(input)) {
    throw new AppError('EXPORT_FAILED', `${outPath} is the synthetic data being exported; writing there would destroy it.`, {
      fix: 'Choose another file name outside the project store.',
    });
  }
  for (const d of rules.protectedDirs ?? []) {
    if (existsSync(d) && inside(real(d), target)) {
      throw new AppError('EXPORT_FAILED', `${outPath} is inside the project store (${d}); Doppel never writes exports there.`, {
        fix: 'Choose a file outside the project store folder.',
      });
    }
  }
  if (!rules.force && existsSync(target)) throw alreadyExists(outPath);
  return target;
}

function alreadyExists(outPath: string): AppError {
  return new AppError('EXPORT_FAILED', `${outPath} already exists; it was left as it was.`, { fix: 'Add --force to replace it, or choose another file name.' });
}

/**
 * Moves a complete temp file to the target: replaces it only with `force`; otherwise a file that
 * appeared meanwhile is kept (link fails with EEXIST) and the temp file is removed.
 */
export function publish(tmp: string, outPath: string, force: boolean): void {
  if (force) return renameSync(tmp, outPath);
  try {
    linkSync(tmp, outPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      rmSync(tmp, { force: true });
      throw alreadyExists(outPath);
    }
    // Filesystems without hard links: check, then rename.
    if (existsSync(outPath)) {
      rmSync(tmp, { force: true });
      throw alreadyExists(outPath);
    }
    return renameSync(tmp, outPath);
  }
  rmSync(tmp, { force: true });
}
