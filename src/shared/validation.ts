import type { Destination, SynthesisConfig, TableConfig } from './config';
import { activeForeignKeys, includedColumns } from './config';
import type { DatasetMetadata, Relationship, StorageType } from './metadata';
import { findColumn, findTable, relationshipKey } from './metadata';
import type { DataFacts } from './defaults';
import type { Problem } from './problems';
import { relationalProblems } from './relational-checks';
import { contextCandidates, synthesizedForeignKeys } from './relational-plan';
import { KIND_FACTS, isFileDbSpec, isServerSpec } from './db-kinds';
import { describeSource, isSameDatabase, type SourceSpec } from './source';

/** Below this many rows a table cannot be learned ("dataset too little"). */
export const MIN_ROWS_ROOT = 50;
export const MIN_ROWS_CHILD = 5;
/** Syntho's rule of thumb: at least 500 rows per column. */
export const ROWS_PER_COLUMN = 500;

/** What validation may ask of the machine it runs on (the main process resolves symbolic links). */
export interface ValidationEnv {
  canonicalPath?: (path: string) => string;
}

/**
 * Every validation of a synthesis configuration, shared by the wizard, the CLI and the worker.
 * Returns ALL problems at once, each naming its table/column and the fix.
 */
export function validateConfig(config: SynthesisConfig, metadata: DatasetMetadata, facts?: DataFacts, env: ValidationEnv = {}): Problem[] {
  const problems: Problem[] = [];
  problems.push(...checkDestinationIsNotSource(config.source, config.destination, env));
  problems.push(...checkWidths(config));
  problems.push(...checkTablesAndColumns(config, metadata));
  problems.push(...checkPrimaryKeys(config, metadata, facts));
  problems.push(...checkForeignKeys(config, metadata));
  problems.push(...checkKeyValues(config, facts));
  problems.push(...checkCycles(config));
  problems.push(...checkOriginalTables(config));
  problems.push(...checkSizes(config, metadata, facts));
  problems.push(...checkSensitive(config));
  problems.push(...relationalProblems(config));
  return problems;
}

/** The source is never written to: a destination resolving to it is refused in every table mode. */
export function checkDestinationIsNotSource(source: SourceSpec, d: Destination, env: ValidationEnv = {}): Problem[] {
  if (d.kind !== 'database' || !isSameDatabase(source, d.target, env.canonicalPath)) return [];
  const where = describeSource(d.target);
  return [
    {
      code: 'DESTINATION_IS_SOURCE',
      severity: 'error',
      step: 'destination',
      message: `The destination ${where} is the source itself; writing there (table mode "${d.tableMode}") would replace or mix the real rows with synthetic ones.`,
      fix: isFileDbSpec(d.target)
        ? `Pick another ${KIND_FACTS[d.target.kind].label} file (a new path is created), or Doppel’s local store.`
        : `Pick another database${isServerSpec(d.target) && KIND_FACTS[d.target.kind].defaultSchema !== null ? ' or another schema' : ''} (an empty one is fine), or Doppel’s local store.`,
    },
  ];
}

/** The most columns one table may have where the output is written (SQLite's default build, PostgreSQL, MySQL/MariaDB InnoDB). */
export const MAX_OUTPUT_COLUMNS = { local: 2000, sqlite: 2000, postgres: 1600, mysql: 1017 } as const;
/** Each output place by name, and where a table too wide for it still fits. */
const outputPlaces = {
  local: { name: 'Doppel’s local store (SQLite)', elsewhere: '' },
  sqlite: { name: 'a SQLite destination', elsewhere: '' },
  postgres: { name: 'PostgreSQL', elsewhere: ' (SQLite and Doppel’s local store hold 2,000)' },
  mysql: { name: 'MySQL/MariaDB (InnoDB)', elsewhere: ' (PostgreSQL holds 1,600, SQLite 2,000)' },
} as const;

/** Tables wider than the output can hold are refused up front, not after training. */
export function checkWidths(config: SynthesisConfig): Problem[] {
  const d = config.destination;
  const place = d.kind === 'local' ? 'local' : d.target.kind === 'files' ? null : d.target.kind;
  if (!place) return [];
  const limit = MAX_OUTPUT_COLUMNS[place];
  const out: Problem[] = [];
  for (const [name, table] of Object.entries(config.tables)) {
    if (table.treatment === 'exclude') continue;
    const n = includedColumns(table).length;
    if (n <= limit) continue;
    const elsewhere = outputPlaces[place].elsewhere;
    out.push({
      code: 'TOO_MANY_COLUMNS',
      severity: 'error',
      step: 'data',
      table: name,
      message: `"${name}" has ${n.toLocaleString('en-US')} columns; ${outputPlaces[place].name} holds at most ${limit.toLocaleString('en-US')} per table.`,
      fix: `Exclude at least ${(n - limit).toLocaleString('en-US')} column${n - limit === 1 ? '' : 's'} of "${name}" in step "Choose data"${elsewhere ? `, or write to another destination${elsewhere}` : ''}.`,
    });
  }
  return out;
}

const synthesized = (config: SynthesisConfig) => Object.entries(config.tables).filter(([, t]) => t.treatment === 'synthesize');

function checkTablesAndColumns(config: SynthesisConfig, metadata: DatasetMetadata): Problem[] {
  const out: Problem[] = [];
  if (synthesized(config).length === 0) {
    out.push({
      code: 'NO_TABLES',
      severity: 'error',
      step: 'data',
      message: 'No table is set to be synthesized.',
      fix: 'Include at least one table and set its treatment to "synthesize".',
    });
  }
  for (const [name, table] of Object.entries(config.tables)) {
    const meta = findTable(metadata, name);
    if (!meta) {
      // An excluded table is never read (the worker's metadata lists only the tables it reads).
      if (table.treatment !== 'exclude')
        out.push({
          code: 'UNKNOWN_TABLE',
          severity: 'error',
          step: 'data',
          table: name,
          message: `Table "${name}" is not in the source.`,
          fix: `Remove "${name}" from the configuration or re-inspect the source.`,
        });
      continue;
    }
    for (const col of Object.keys(table.columns)) {
      if (!findColumn(meta, col)) {
        out.push({
          code: 'UNKNOWN_COLUMN',
          severity: 'error',
          step: 'data',
          table: name,
          column: col,
          message: `Column "${name}.${col}" is not in the source.`,
          fix: `Remove "${col}" from table "${name}" in the configuration or re-inspect the source.`,
        });
      }
    }
    if (table.treatment !== 'exclude' && includedColumns(table).length === 0) {
      out.push({
        code: 'NO_COLUMNS',
        severity: 'error',
        step: 'data',
        table: name,
        message: `Table "${name}" has no included column.`,
        fix: `Include at least one column of "${name}", or exclude the table.`,
      });
    }
  }
  return out;
}

function checkPrimaryKeys(config: SynthesisConfig, metadata: DatasetMetadata, facts?: DataFacts): Problem[] {
  const out: Problem[] = [];
  for (const [name, table] of Object.entries(config.tables)) {
    if (table.treatment === 'exclude' || !findTable(metadata, name)) continue;
    for (const col of table.primaryKey) {
      const c = table.columns[col];
      if (!c) {
        out.push({
          code: 'PK_UNKNOWN_COLUMN',
          severity: 'error',
          step: 'primary-keys',
          table: name,
          column: col,
          message: `The primary key of "${name}" names an unknown column "${col}".`,
          fix: `Pick the primary key of "${name}" among its columns, or unset it.`,
        });
      } else if (!c.included) {
        out.push({
          code: 'PK_EXCLUDED_COLUMN',
          severity: 'error',
          step: 'primary-keys',
          table: name,
          column: col,
          message: `Primary key column "${name}.${col}" is excluded.`,
          fix: `Include "${col}" in step "Choose data", or unset it as primary key.`,
        });
      }
    }
    const f = facts?.tables[name];
    if (table.primaryKey.length > 0 && f) {
      const key = table.primaryKey.join(', ');
      if (f.pkDuplicates && f.pkDuplicates > 0) {
        out.push({
          code: 'PK_NOT_UNIQUE',
          severity: 'error',
          step: 'primary-keys',
          table: name,
          column: table.primaryKey[0],
          message: `Primary key (${key}) of "${name}" has ${f.pkDuplicates} duplicate value(s) in the data.`,
          fix: `Choose a unique column as the primary key of "${name}", or unset the primary key.`,
        });
      }
      if (f.pkNulls && f.pkNulls > 0) {
        out.push({
          code: 'PK_HAS_NULLS',
          severity: 'error',
          step: 'primary-keys',
          table: name,
          column: table.primaryKey[0],
          message: `Primary key (${key}) of "${name}" is empty in ${f.pkNulls} row(s).`,
          fix: `Choose a column with no missing values as the primary key of "${name}", or unset the primary key.`,
        });
      }
    }
  }
  return out;
}

type TypeFamily = 'number' | 'string' | 'time' | 'boolean' | 'other';
function family(t: StorageType): TypeFamily {
  if (t === 'integer' || t === 'bigint' || t === 'float' || t === 'decimal') return 'number';
  if (t === 'string' || t === 'text') return 'string';
  if (t === 'date' || t === 'datetime' || t === 'time') return 'time';
  if (t === 'boolean') return 'boolean';
  return 'other';
}

/**
 * Whether a foreign key may link columns of these storage types (same family, or one unknown). A
 * file's types are guessed: its number and text keys link, read as the file's text together.
 */
export function keyTypesCompatible(a: StorageType, b: StorageType, files = false): boolean {
  const [x, y] = [family(a), family(b)];
  if (files && new Set([x, y, 'number', 'string']).size === 2) return true;
  return x === y || x === 'other' || y === 'other';
}

function fkName(fk: Relationship): string {
  return `${fk.childTable}(${fk.childColumns.join(', ')}) → ${fk.parentTable}(${fk.parentColumns.join(', ')})`;
}

function checkForeignKeys(config: SynthesisConfig, metadata: DatasetMetadata): Problem[] {
  const out: Problem[] = [];
  const base = { step: 'foreign-keys' as const };
  for (const fk of config.foreignKeys) {
    const name = fkName(fk);
    const child = config.tables[fk.childTable];
    const parent = config.tables[fk.parentTable];
    if (!child || !parent) {
      const missing = !child ? fk.childTable : fk.parentTable;
      out.push({
        ...base,
        code: 'FK_UNKNOWN_TABLE',
        severity: 'error',
        table: missing,
        message: `Foreign key ${name} refers to unknown table "${missing}".`,
        fix: `Delete this foreign key.`,
      });
      continue;
    }
    if (child.treatment === 'exclude' || parent.treatment === 'exclude') continue;
    if (fk.childColumns.length !== fk.parentColumns.length) {
      out.push({
        ...base,
        code: 'FK_COLUMN_COUNT',
        severity: 'error',
        table: fk.childTable,
        message: `Foreign key ${name} pairs ${fk.childColumns.length} column(s) with ${fk.parentColumns.length}.`,
        fix: 'Give the foreign key as many columns as the primary key it references.',
      });
      continue;
    }
    // Each column of the foreign key with its table's name and configuration.
    const ends = [...fk.childColumns.map((c) => [fk.childTable, c, child] as const), ...fk.parentColumns.map((c) => [fk.parentTable, c, parent] as const)];
    const unknown = ends.filter(([, c, t]) => !t.columns[c]);
    if (unknown.length > 0) {
      for (const [t, c] of unknown)
        out.push({
          ...base,
          code: 'FK_UNKNOWN_COLUMN',
          severity: 'error',
          table: t,
          column: c,
          message: `Foreign key ${name} uses unknown column "${t}.${c}".`,
          fix: 'Delete this foreign key and draw it again between existing columns.',
        });
      continue;
    }
    const excluded = ends.filter(([, c, t]) => !t.columns[c]?.included);
    for (const [t, c] of excluded) {
      out.push({
        ...base,
        code: 'FK_EXCLUDED_COLUMN',
        severity: 'warning',
        table: t,
        column: c,
        message: `Foreign key ${name} is ignored because column "${t}.${c}" is excluded.`,
        fix: `Include "${c}" in step "Choose data", or delete the foreign key.`,
      });
    }
    if (!sameSet(fk.parentColumns, parent.primaryKey)) {
      const pk = parent.primaryKey.length ? `(${parent.primaryKey.join(', ')})` : 'none';
      // A parent with no primary key at all is fixed on the Primary keys step, where it was unset.
      out.push({
        ...base,
        ...(parent.primaryKey.length === 0 ? { step: 'primary-keys' as const } : {}),
        code: 'FK_TARGET_NOT_PK',
        severity: 'error',
        table: fk.parentTable,
        column: fk.parentColumns[0],
        message: `Foreign key ${name} must reference the primary key of "${fk.parentTable}" (currently ${pk}).`,
        fix: `Set (${fk.parentColumns.join(', ')}) as the primary key of "${fk.parentTable}", or point the foreign key at its primary key.`,
      });
    }
    const childMeta = findTable(metadata, fk.childTable);
    const parentMeta = findTable(metadata, fk.parentTable);
    fk.childColumns.forEach((cc, i) => {
      const pc = fk.parentColumns[i]!;
      const a = childMeta && findColumn(childMeta, cc);
      const b = parentMeta && findColumn(parentMeta, pc);
      if (a && b && !keyTypesCompatible(a.storageType, b.storageType, config.source.kind === 'files')) {
        out.push({
          ...base,
          code: 'FK_TYPE_MISMATCH',
          severity: 'error',
          table: fk.childTable,
          column: cc,
          message: `Foreign key ${name}: "${fk.childTable}.${cc}" is ${a.storageType} but "${fk.parentTable}.${pc}" is ${b.storageType}.`,
          fix: 'Delete this foreign key or link columns of compatible types.',
        });
      }
    });
  }
  return out;
}

/** Foreign keys whose child values (a sample, checked on the data) have no parent row. */
function checkKeyValues(config: SynthesisConfig, facts?: DataFacts): Problem[] {
  const keys = facts?.keys;
  if (!keys) return [];
  const out: Problem[] = [];
  for (const fk of activeForeignKeys(config)) {
    const c = keys[relationshipKey(fk)];
    if (!c || c.orphans === 0) continue;
    const none = c.orphans === c.sampled;
    const count = none ? `All ${c.sampled.toLocaleString('en-US')}` : `${c.orphans.toLocaleString('en-US')} of ${c.sampled.toLocaleString('en-US')}`;
    out.push({
      code: 'FK_VALUES_WITHOUT_PARENT',
      severity: 'warning',
      step: 'foreign-keys',
      table: fk.childTable,
      column: fk.childColumns[0],
      message: `Foreign key ${fkName(fk)}: ${count} values checked have no parent in "${fk.parentTable}" (e.g. ${c.examples.join(', ')}). Rows whose value has no parent are learned as rows with an empty key.`,
      fix: none
        ? `This key does not join the two tables: delete it, or draw it from the column of "${fk.childTable}" that holds "${fk.parentTable}"’s keys.`
        : `Check that the key joins the right columns (delete it and draw it again if not); keep it only if these rows really have no parent in "${fk.parentTable}".`,
    });
  }
  return out;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** A cycle among synthesized tables along the given FKs (default: the context candidates), as the list of its tables, or null. */
export function findCycle(config: SynthesisConfig, edges: Relationship[] = contextCandidates(config)): string[] | null {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.parentTable, [...(next.get(e.parentTable) ?? []), e.childTable]);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (t: string): string[] | null => {
    state.set(t, 'visiting');
    stack.push(t);
    for (const n of next.get(t) ?? []) {
      if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
      if (!state.has(n)) {
        const c = visit(n);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(t, 'done');
    return null;
  };
  for (const [name] of synthesized(config)) {
    if (!state.has(name)) {
      const c = visit(name);
      if (c) return c;
    }
  }
  return null;
}

function checkCycles(config: SynthesisConfig): Problem[] {
  const out: Problem[] = [];
  const cycle = findCycle(config);
  const inCycle = (c: string[], e: Relationship): boolean => c.some((t, i) => i + 1 < c.length && e.parentTable === t && e.childTable === c[i + 1]);
  if (cycle) {
    const links = contextCandidates(config).filter((e) => inCycle(cycle, e));
    const candidates = links.map((l) => fkName(l)).join(' or ');
    out.push({
      code: 'FK_CYCLE',
      severity: 'error',
      step: 'foreign-keys',
      table: cycle[0],
      message: `The foreign keys form a cycle: ${cycle.join(' → ')}. A cycle has no table to start generating from.`,
      fix: `Make one of its foreign keys non-context (${candidates}: filled after both tables are generated; a dashed edge on the schema graph, "context": false in the configuration), delete it, or mark one of the tables as original data.`,
    });
  }
  // A cycle broken by a non-context FK: said once, so that the user knows why that edge is dashed.
  for (const fk of synthesizedForeignKeys(config).filter((f) => f.context === false)) {
    const loop = findCycle(config, [...contextCandidates(config), fk]);
    if (!loop || !inCycle(loop, fk)) continue;
    out.push({
      code: 'FK_CYCLE_BROKEN',
      severity: 'warning',
      step: 'foreign-keys',
      table: fk.childTable,
      column: fk.childColumns[0],
      message: `The foreign keys form a cycle (${loop.join(' → ')}); ${fkName(fk)} is non-context: "${fk.childTable}" is generated first and its ${fk.childColumns.join(', ')} filled once "${fk.parentTable}" exists.`,
      fix: `Nothing to do. To break the cycle at another foreign key, make that one non-context and this one context.`,
    });
  }
  return out;
}

function checkOriginalTables(config: SynthesisConfig): Problem[] {
  const out: Problem[] = [];
  const active = activeForeignKeys(config);
  for (const [name, table] of Object.entries(config.tables)) {
    if (table.treatment !== 'original') continue;
    const inbound = active.some((fk) => fk.parentTable === name && fk.childTable !== name);
    if (!inbound) {
      out.push({
        code: 'ORIGINAL_WITHOUT_INBOUND_FK',
        severity: 'error',
        step: 'treatment',
        table: name,
        message: `"${name}" is marked as original data but no table references it with a foreign key.`,
        fix: `Add a foreign key from another table to "${name}", or set "${name}" to synthesize or exclude.`,
      });
    }
    const sensitive = Object.entries(table.columns).filter(([, c]) => c.included && c.sensitive);
    for (const [col] of sensitive) {
      out.push(sensitiveInOutput(name, col, 'is copied as original data.', `Set "${name}" to synthesize, or exclude "${col}".`));
    }
  }
  return out;
}

function checkSizes(config: SynthesisConfig, metadata: DatasetMetadata, facts?: DataFacts): Problem[] {
  const out: Problem[] = [];
  const hasParent = new Set(synthesizedForeignKeys(config).map((e) => e.childTable));
  for (const [name, table] of synthesized(config)) {
    const rows = facts?.tables[name]?.rowCount ?? findTable(metadata, name)?.rowCount;
    if (rows === undefined) continue;
    const min = hasParent.has(name) ? MIN_ROWS_CHILD : MIN_ROWS_ROOT;
    const cols = modelledColumns(table);
    if (rows < min) {
      out.push({
        code: 'TOO_FEW_ROWS',
        severity: 'error',
        step: 'data',
        table: name,
        message: `"${name}" has ${rows} row(s); at least ${min} are needed to learn it (dataset too little).`,
        fix: `Add rows to "${name}", mark it as original data if it is a lookup table, or exclude it.`,
      });
    } else if (cols > 0 && rows < ROWS_PER_COLUMN * cols) {
      out.push({
        code: 'FEW_ROWS_PER_COLUMN',
        severity: 'warning',
        step: 'data',
        table: name,
        message: `"${name}" has ${rows} rows for ${cols} modelled columns (fewer than ${ROWS_PER_COLUMN} rows per column); quality may suffer.`,
        fix: `Exclude columns you do not need from "${name}", or add rows.`,
      });
    }
  }
  return out;
}

function modelledColumns(table: TableConfig): number {
  return Object.entries(table.columns).filter(
    ([c, col]) => col.included && col.treatment === 'synthesize' && col.sdtype !== 'id' && !table.primaryKey.includes(c),
  ).length;
}

/** The warning that real values of a sensitive column reach the output (`what` ends the sentence). */
function sensitiveInOutput(table: string, column: string, what: string, fix: string): Problem {
  return {
    code: 'SENSITIVE_NOT_SYNTHESIZED',
    severity: 'warning',
    step: 'treatment',
    table,
    column,
    message: `Sensitive column "${table}.${column}" ${what}`,
    fix,
  };
}

function checkSensitive(config: SynthesisConfig): Problem[] {
  const out: Problem[] = [];
  for (const [name, table] of synthesized(config)) {
    for (const [col, c] of Object.entries(table.columns)) {
      if (c.included && c.sensitive && c.treatment === 'keep') {
        out.push(
          sensitiveInOutput(
            name,
            col,
            'is kept as in the source (gray shield): its real values will appear in the output.',
            `Set "${col}" to synthesize, mock, mask or null.`,
          ),
        );
      }
    }
  }
  return out;
}
