import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../../shared/errors';
import type { Destination, TableMode } from '../../shared/config';
import type { Relationship, TableMeta } from '../../shared/metadata';
import { describeSource, type SourceSpec } from '../../shared/source';
import { checkDestinationIsNotSource } from '../../shared/validation';
import { validationEnv } from '../sources/canonical-path';
import { columnMismatches, quote } from './dialect';
import { destinationError, openSession, type DestinationSpec, type Session } from './session';
import { storedPlan } from './stored-plan';
import type { Rename } from '../../shared/stored-names';

export type DatabaseDestination = Extract<Destination, { kind: 'database' }>;

/** The output tables (after the synthesis config is applied) and the foreign keys between them. */
export interface DestinationPlan {
  tables: TableMeta[];
  relationships: Relationship[];
}

export type TableAction = 'create' | 'write' | 'truncate';

export interface DestinationCheck {
  ok: true;
  tables: Array<{ name: string; action: TableAction }>;
  message: string;
  /** Names the destination cannot hold as they are, and what they are stored as. */
  renames?: Rename[];
}

export function destinationSpec(destination: DatabaseDestination): DestinationSpec {
  const t = destination.target;
  if (t.kind === 'files')
    throw new AppError('BAD_REQUEST', 'A folder of files cannot be a destination database.', {
      fix: 'Pick a SQLite file, PostgreSQL or MySQL/MariaDB database as destination.',
    });
  return t;
}

/** The MySQL/MariaDB privileges of the current user on the destination database: `has(priv, table?)`. */
async function mysqlPrivileges(s: Session): Promise<(priv: string, table?: string) => boolean> {
  const rows = await s.query(
    `select privilege_type as p, '' as t from information_schema.user_privileges where grantee = @doppel_grantee
     union all select privilege_type, '' from information_schema.schema_privileges where grantee = @doppel_grantee and table_schema = database()
     union all select privilege_type, table_name from information_schema.table_privileges where grantee = @doppel_grantee and table_schema = database()`.replace(
      /@doppel_grantee/g,
      "concat('''', substring_index(current_user(), '@', 1), '''@''', substring_index(current_user(), '@', -1), '''')",
    ),
  );
  return (priv, table) => rows.some((r) => r.p === priv && (r.t === '' || r.t === table));
}

/** Whether the user may create, alter and drop tables of its own in the destination schema/database (needed for staging tables). */
export async function mayCreateTables(s: Session): Promise<boolean> {
  if (s.dialect === 'postgres') {
    const [row] = await s.query("select has_schema_privilege($1, 'CREATE') as c", [s.namespace]);
    return row?.c === true;
  }
  if (s.dialect === 'mysql') {
    const has = await mysqlPrivileges(s);
    return ['CREATE', 'DROP', 'ALTER', 'INSERT', 'SELECT', 'DELETE'].every((p) => has(p));
  }
  return true;
}

async function privilegeProblems(s: Session, creates: string[], writes: string[], truncates: string[]): Promise<string[]> {
  const out: string[] = [];
  const who = `user "${s.user}"`;
  if (s.dialect === 'postgres') {
    const [row] = await s.query("select has_schema_privilege($1, 'USAGE') as u, has_schema_privilege($1, 'CREATE') as c", [s.namespace]);
    if (!row?.u) return [`${who} lacks USAGE on schema "${s.namespace}"`];
    if (creates.length && !row.c) out.push(`${who} lacks CREATE on schema "${s.namespace}" (needed to create ${creates.map((t) => `"${t}"`).join(', ')})`);
    for (const [tables, priv] of [
      [[...writes, ...truncates], 'INSERT'],
      [truncates, 'TRUNCATE'],
    ] as const) {
      for (const t of tables) {
        const [r] = await s.query('select has_table_privilege($1, $2) as ok', [s.qualified(t), priv]);
        if (!r?.ok) out.push(`${who} lacks ${priv} on table "${s.namespace}"."${t}"`);
      }
    }
  } else if (s.dialect === 'mysql') {
    const has = await mysqlPrivileges(s);
    if (creates.length && !has('CREATE'))
      out.push(`${who} lacks CREATE on database "${s.namespace}" (needed to create ${creates.map((t) => `"${t}"`).join(', ')})`);
    if (creates.length && has('CREATE') && !has('DROP'))
      out.push(`${who} lacks DROP on database "${s.namespace}" (needed to remove created tables if the write fails)`);
    if (creates.length && has('CREATE') && !has('REFERENCES') && !has('INSERT')) out.push(`${who} lacks INSERT on database "${s.namespace}"`);
    for (const t of writes) if (!has('INSERT', t)) out.push(`${who} lacks INSERT on table "${t}"`);
    for (const t of truncates) if (!has('INSERT', t) || !has('DELETE', t)) out.push(`${who} lacks INSERT and DELETE on table "${t}" (needed to truncate it)`);
  } else {
    const path = s.spec.kind === 'sqlite' ? s.spec.path : '';
    try {
      accessSync(existsSync(path) ? path : dirname(path), constants.W_OK);
    } catch {
      out.push(`the SQLite file ${path} is not writable`);
    }
  }
  return out;
}

/** Checks a connected destination; returns what will happen to each table or throws the first kind of problem found, listing all of that kind. */
export async function checkSession(s: Session, mode: TableMode, plan: DestinationPlan): Promise<DestinationCheck> {
  const where = describeSource(s.spec);
  if (s.dialect === 'postgres') {
    const rows = await s.query('select 1 from pg_namespace where nspname = $1', [s.namespace]);
    if (!rows.length)
      throw new AppError('DB_NOT_FOUND', `Schema "${s.namespace}" does not exist in ${where}.`, {
        fix: `Create it (CREATE SCHEMA ${quote('postgres', s.namespace)}) or pick an existing schema.`,
      });
  }
  const existing = await s.existingTables();
  const find = (name: string): [string, ReturnType<typeof existing.get>] | undefined => {
    for (const [n, cols] of existing) if (n === name || (s.dialect !== 'postgres' && n.toLowerCase() === name.toLowerCase())) return [n, cols];
    return undefined;
  };
  const actions: Array<{ name: string; action: TableAction }> = [];
  const notEmpty: string[] = [];
  const incompatible: string[] = [];
  let engines = new Map<string, string>();
  if (s.dialect === 'mysql') {
    const rows = await s.query('select table_name as t, engine as e from information_schema.tables where table_schema = database()');
    engines = new Map(rows.map((r) => [String(r.t), String(r.e)]));
  }
  for (const t of plan.tables) {
    const hit = find(t.name);
    if (!hit) {
      if (mode === 'write-into-empty') incompatible.push(`table "${t.name}" does not exist (choose the create mode to create it)`);
      else actions.push({ name: t.name, action: 'create' });
      continue;
    }
    const [name, cols] = hit;
    for (const m of columnMismatches(s.dialect, t, cols ?? [])) incompatible.push(`table "${t.name}": ${m}`);
    const engine = engines.get(name);
    if (engine && !/innodb|aria/i.test(engine)) incompatible.push(`table "${t.name}" uses the ${engine} engine, which cannot roll back a failed write`);
    if (await s.hasRows(name)) {
      if (mode === 'truncate') actions.push({ name: t.name, action: 'truncate' });
      else notEmpty.push(t.name);
    } else actions.push({ name: t.name, action: 'write' });
  }
  const pick = (a: TableAction): string[] => actions.filter((x) => x.action === a).map((x) => x.name);
  const denied = await privilegeProblems(s, pick('create'), pick('write'), pick('truncate'));
  if (denied.length) {
    throw new AppError('DB_PERMISSION_DENIED', `Cannot write to ${where}: ${denied.join('; ')}.`, {
      fix: 'Grant these rights to the user (or connect as another user), then check again.',
      details: { problems: denied },
    });
  }
  if (notEmpty.length) {
    throw new AppError(
      'DESTINATION_NOT_EMPTY',
      `${notEmpty.length === 1 ? 'Table' : 'Tables'} ${notEmpty.map((t) => `"${t}"`).join(', ')} of ${where} already ${notEmpty.length === 1 ? 'has' : 'have'} rows; Doppel never writes into a non-empty table.`,
      {
        fix: 'Empty the tables, pick another schema/database, or choose the truncate mode (it deletes their rows).',
        details: { tables: notEmpty },
      },
    );
  }
  if (incompatible.length) {
    throw new AppError('DESTINATION_INCOMPATIBLE', `The destination tables of ${where} do not fit the synthetic data: ${incompatible.join('; ')}.`, {
      fix: 'Alter or drop these tables, or write into another schema/database where Doppel can create them.',
      details: { problems: incompatible },
    });
  }
  const counts = (['create', 'write', 'truncate'] as const).map((a) => [a, pick(a).length] as const).filter(([, n]) => n > 0);
  return {
    ok: true,
    tables: actions,
    message: `${where}: ${counts.map(([a, n]) => `${n} table${n > 1 ? 's' : ''} to ${a === 'write' ? 'write into' : a}`).join(', ') || 'nothing to write'}.`,
  };
}

/** Throws when the destination is the source itself (the source is never written to). */
export function refuseSource(source: SourceSpec, destination: DatabaseDestination): void {
  const [p] = checkDestinationIsNotSource(source, destination, validationEnv);
  if (p) throw new AppError('BAD_REQUEST', p.message, { fix: p.fix });
}

/** The pre-flight check run before training: connection, rights, and the state of every target table. */
export async function checkDestination(
  destination: DatabaseDestination,
  plan: DestinationPlan,
  opts: { password?: string; source?: SourceSpec } = {},
): Promise<DestinationCheck> {
  const spec = destinationSpec(destination);
  if (opts.source) refuseSource(opts.source, destination);
  const stored = storedPlan(spec.kind, plan);
  const s = await openSession(spec, opts.password);
  try {
    const check = await checkSession(s, destination.tableMode, stored.plan);
    const renamed = stored.summary();
    return renamed ? { ...check, message: `${check.message} ${renamed}`, renames: stored.names.renames } : check;
  } catch (e) {
    throw destinationError(e, spec, 'inspect the destination tables');
  } finally {
    await s.close();
  }
}
