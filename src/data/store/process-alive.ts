import { uptime } from 'node:os';

/** When this machine last booted (ms since epoch). */
export function bootTime(): number {
  return Date.now() - uptime() * 1000;
}

/** Whether a process with this pid exists on this machine (EPERM = exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process that started an execution (pid, at createdAt) may still be running it:
 * false when the pid is gone or the machine rebooted since (a pid alive now is someone else).
 */
export function ownerMayBeAlive(pid: number | null, createdAt: string): boolean {
  if (pid === null) return false;
  const created = Date.parse(createdAt);
  if (Number.isFinite(created) && created < bootTime() - 60_000) return false;
  return processAlive(pid);
}
