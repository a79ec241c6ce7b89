/**
 * Files written under a temporary name beside their target and renamed to it when complete, so
 * nothing half-written ever stands under the target's name. The temporary name carries the
 * writing process's pid: what a process stopped by force left behind is found and removed.
 */
import { readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';

const MARK = '.partial-';

/** The temporary name of `target` while this process writes it. */
export function tempPathFor(target: string): string {
  return `${target}${MARK}${process.pid}-${Date.now()}`;
}

/** Removes the unfinished files process `pid` left in `dir` and below; returns their paths relative to `dir`. */
export function removePartials(dir: string, pid: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true }).map(String);
  } catch {
    return [];
  }
  const left = names.filter((n) => basename(n).includes(`${MARK}${pid}-`));
  for (const n of left) rmSync(join(dir, n), { force: true });
  return left;
}
