import type { DbSourceSpec, SourceSpec } from './source';

/** The databases Doppel reads and writes (files are not one). */
export type DbKind = 'postgres' | 'mysql' | 'sqlite';
export type DbSpec = Extract<SourceSpec, { kind: DbKind }>;
export type FileDbSpec = Extract<DbSpec, { path: string }>;

/** What the shared code and the interface need to know about a database kind; `src/data/dialects` holds the rest. */
export interface KindFacts {
  /** The name shown to people. */
  readonly label: string;
  /** The drivers' defaults when a spec leaves them out; null for a database that is a file. */
  readonly server: { readonly port: number; readonly user: string } | null;
  /** The schema a spec without one reads and writes; null where the database has no schemas to pick. */
  readonly defaultSchema: string | null;
  /** Whether names (of tables, columns and databases) equal but for case are one name. */
  readonly caseInsensitiveNames: boolean;
}

export const KIND_FACTS = {
  sqlite: { label: 'SQLite', server: null, defaultSchema: null, caseInsensitiveNames: true },
  postgres: { label: 'PostgreSQL', server: { port: 5432, user: 'postgres' }, defaultSchema: 'public', caseInsensitiveNames: false },
  mysql: { label: 'MySQL / MariaDB', server: { port: 3306, user: 'root' }, defaultSchema: null, caseInsensitiveNames: true },
} as const satisfies Record<DbKind, KindFacts>;

export const DB_KINDS = Object.keys(KIND_FACTS) as DbKind[];

export function kindFacts(kind: DbKind): KindFacts {
  return KIND_FACTS[kind];
}

/** Whether a kind is a database (not files). */
export function isDbKind(kind: SourceSpec['kind']): kind is DbKind {
  return kind in KIND_FACTS;
}

/** Whether a kind is a database server reached with a host, a user and a password. */
export function isServerKind(kind: SourceSpec['kind']): kind is DbSourceSpec['kind'] {
  return isDbKind(kind) && KIND_FACTS[kind].server !== null;
}

/** Whether a kind is a database that is one file. */
export function isFileDbKind(kind: SourceSpec['kind']): kind is FileDbSpec['kind'] {
  return isDbKind(kind) && KIND_FACTS[kind].server === null;
}

export function isDbSpec(spec: SourceSpec): spec is DbSpec {
  return isDbKind(spec.kind);
}

/** Whether the spec reaches a database server (with a host, a user and a password), not a file. */
export function isServerSpec(spec: SourceSpec): spec is DbSourceSpec {
  return isServerKind(spec.kind);
}

/** Whether the spec is a database that is one file. */
export function isFileDbSpec(spec: SourceSpec): spec is FileDbSpec {
  return isFileDbKind(spec.kind);
}
