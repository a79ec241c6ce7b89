import { AppError } from '../../shared/errors';
import type { Destination, TableMode } from '../../shared/config';
import type { Relationship, TableMeta } from '../../shared/metadata';
import { describeSource, type SourceSpec } from '../../shared/source';
import { checkDestinationIsNotSource } from '../../shared/validation';
import { validationEnv } from '../sources/canonical-path';
import { dialectOf } from '../dialects';
import { columnMismatches } from './dialect';
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

/** Whether the user may create, alter and drop tables of its own in the destination schema/database (needed for staging tables). */
export function mayCreateTables(s: Session): Promise<boolean> {
  return dialectOf(s.dialect).mayCreateTables(s);
}

/** Checks a connected destination; returns what will happen to each table or throws the first kind of problem found, listing all of that kind. */
export async function checkSession(s: Session, mode: TableMode, plan: DestinationPlan): Promise<DestinationCheck> {
  const where = describeSource(s.spec);
  const d = dialectOf(s.dialect);
  const missing = await d.missingNamespace(s);
  if (missing) throw new AppError('DB_NOT_FOUND', `${missing.what} does not exist in ${where}.`, { fix: missing.fix });
  const existing = await s.existingTables();
  const find = (name: string): [string, ReturnType<typeof existing.get>] | undefined => {
    for (const [n, cols] of existing) if (n === name || (d.caseInsensitiveNames && n.toLowerCase() === name.toLowerCase())) return [n, cols];
    return undefined;
  };
  const actions: Array<{ name: string; action: TableAction }> = [];
  const notEmpty: string[] = [];
  const incompatible: string[] = [];
  const engines = await d.nonTransactionalTables(s);
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
    if (engine) incompatible.push(`table "${t.name}" uses the ${engine} engine, which cannot roll back a failed write`);
    if (await s.hasRows(name)) {
      if (mode === 'truncate') actions.push({ name: t.name, action: 'truncate' });
      else notEmpty.push(t.name);
    } else actions.push({ name: t.name, action: 'write' });
  }
  const pick = (a: TableAction): string[] => actions.filter((x) => x.action === a).map((x) => x.name);
  const denied = await d.privilegeProblems(s, { creates: pick('create'), writes: pick('write'), truncates: pick('truncate') });
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
