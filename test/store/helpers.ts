import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesisConfigSchema, type SynthesisConfig } from '../../src/shared/config';

/** A fresh store folder under the OS temp dir; `cleanup` removes every folder made. */
export function storeDirs(prefix: string): { make(): string; cleanup(): void } {
  const made: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(join(tmpdir(), `doppel-${prefix}-`));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const d of made) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** A small valid config over a PostgreSQL source writing into a MariaDB destination (both with in-memory passwords). */
export function sampleConfig(name = 'Customers'): SynthesisConfig {
  return synthesisConfigSchema.parse({
    name,
    source: { kind: 'postgres', host: '127.0.0.1', user: 'analyst', database: 'crm', password: 'src-pass-123' },
    tables: {
      customers: {
        primaryKey: ['id'],
        columns: {
          id: { sdtype: 'id' },
          age: { sdtype: 'numerical' },
          email: { sdtype: 'text', sensitive: true, treatment: 'mock' },
        },
      },
    },
    destination: { kind: 'database', target: { kind: 'mysql', host: '127.0.0.1', user: 'writer', database: 'out', password: 'dst-pass-456' } },
  });
}
