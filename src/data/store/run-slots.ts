/**
 * Run slots: how many executions of one project store run on this machine at once, whatever
 * process started them (the app, `doppel run` in a terminal, a second terminal). A running
 * execution holds a claim file `run-slots/<pid>-<execution>`; a process takes a slot inside a
 * short exclusive lock (`run-slots/lock`), when fewer claims than the limit are held. A claim of a
 * process that is gone (or ran before the last boot) counts for nothing and is removed, and so is
 * a lock older than a few seconds.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownerMayBeAlive } from './process-alive';

const SLOTS_DIR = 'run-slots';
const LOCK = 'lock';
/** A lock older than this was left by a process that stopped while taking a slot. */
const STALE_LOCK_MS = 10_000;

interface Claim {
  name: string;
  pid: number;
  at: string;
}

export interface RunSlot {
  /** Frees the slot (once; later calls do nothing). */
  release(): void;
}

export interface RunSlots {
  /** Takes one of `limit` slots for an execution of this process, or null when they are all held (or being taken by another process). */
  claim(executionId: string, limit: number): RunSlot | null;
  /** Slots held by executions of other processes (they run now). */
  heldElsewhere(): number;
}

export function runSlots(storeDir: string): RunSlots {
  const dir = join(storeDir, SLOTS_DIR);
  /** The claims of live processes; the claims of gone ones are removed. */
  const claims = (): Claim[] => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const live: Claim[] = [];
    for (const name of names) {
      if (name === LOCK) continue;
      let c: Claim;
      try {
        c = { name, ...(JSON.parse(readFileSync(join(dir, name), 'utf8')) as Omit<Claim, 'name'>) };
      } catch {
        continue; // removed meanwhile
      }
      if (ownerMayBeAlive(c.pid, c.at)) live.push(c);
      else rmSync(join(dir, name), { force: true });
    }
    return live;
  };
  /** Runs `fn` holding the lock; null when another process holds it now. */
  const locked = <T>(fn: () => T): T | null => {
    const lock = join(dir, LOCK);
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      } catch {
        // released meanwhile
      }
      return null;
    }
    try {
      return fn();
    } finally {
      rmSync(lock, { force: true });
    }
  };
  return {
    claim(executionId, limit) {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${process.pid}-${executionId}`);
      const taken = locked(() => {
        if (claims().length >= limit) return false;
        writeFileSync(file, JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
        return true;
      });
      if (!taken) return null;
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          rmSync(file, { force: true });
        },
      };
    },
    heldElsewhere: () => claims().filter((c) => c.pid !== process.pid).length,
  };
}
