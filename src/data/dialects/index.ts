import { mysqlDialect } from './mysql';
import { postgres } from './postgres';
import { sqlite } from './sqlite';
import type { DbKind, DbSpec, Dialect } from './types';

export { STAGE_PREFIX } from './types';
export type {
  Catalog,
  CatalogColumn,
  CatalogTable,
  Connection,
  ConnectOptions,
  CopySink,
  DbKind,
  DbSpec,
  Dialect,
  ExistingColumn,
  LoadOptions,
  RelationKind,
  Staging,
  WriteActions,
  WriteTarget,
} from './types';

const dialects: Record<DbKind, Dialect> = { postgres, mysql: mysqlDialect, sqlite };

export function dialectOf(kind: DbKind): Dialect {
  return dialects[kind];
}

export { isDbSpec, isServerSpec } from '../../shared/db-kinds';

/** The password of a connection: given for this run, else in the spec, else PGPASSWORD / MYSQL_PWD. */
export function passwordOf(spec: DbSpec, password: string | undefined): string | undefined {
  if (spec.kind === 'sqlite') return undefined;
  return password ?? spec.password ?? (spec.kind === 'postgres' ? process.env.PGPASSWORD : process.env.MYSQL_PWD);
}
