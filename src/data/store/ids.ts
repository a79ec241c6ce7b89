import { randomUUID } from 'node:crypto';

/** A short random id (8 hex chars), retried until `taken` says it is free. */
export function newId(taken: (id: string) => boolean): string {
  for (let i = 0; i < 100; i++) {
    const id = randomUUID().replace(/-/g, '').slice(0, 8);
    if (!taken(id)) return id;
  }
  // 100 collisions in a row cannot happen with a sane store; fall back to a full uuid.
  return randomUUID();
}

export function nowIso(): string {
  return new Date().toISOString();
}
