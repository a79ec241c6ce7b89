import type { ColumnConfig, ColumnOptions, Relationship, SynthesisConfig, SynthSettings, TableConfig, TableTreatment, Destination } from '../../../shared';
import { relationshipKey } from '../../../shared';

/** Pure edits of a SynthesisConfig; each returns a new config and leaves the old one untouched. */

function withTable(config: SynthesisConfig, table: string, edit: (t: TableConfig) => TableConfig): SynthesisConfig {
  const t = config.tables[table];
  if (!t) return config;
  return { ...config, tables: { ...config.tables, [table]: edit(t) } };
}

function withColumn(config: SynthesisConfig, table: string, column: string, edit: (c: ColumnConfig) => ColumnConfig): SynthesisConfig {
  return withTable(config, table, (t) => {
    const c = t.columns[column];
    return c ? { ...t, columns: { ...t.columns, [column]: edit(c) } } : t;
  });
}

/** Include (as synthesized) or exclude a table. */
export function setTableIncluded(config: SynthesisConfig, table: string, included: boolean): SynthesisConfig {
  return withTable(config, table, (t) => ({ ...t, treatment: included ? (t.treatment === 'exclude' ? 'synthesize' : t.treatment) : 'exclude' }));
}

export function setTableTreatment(config: SynthesisConfig, table: string, treatment: TableTreatment): SynthesisConfig {
  return withTable(config, table, (t) => ({ ...t, treatment }));
}

export function setColumnIncluded(config: SynthesisConfig, table: string, column: string, included: boolean): SynthesisConfig {
  return withColumn(config, table, column, (c) => ({ ...c, included }));
}

/** Adds or removes one column of a table's primary key. */
export function togglePrimaryKey(config: SynthesisConfig, table: string, column: string): SynthesisConfig {
  return withTable(config, table, (t) => ({
    ...t,
    primaryKey: t.primaryKey.includes(column) ? t.primaryKey.filter((c) => c !== column) : [...t.primaryKey, column],
  }));
}

export function clearPrimaryKey(config: SynthesisConfig, table: string): SynthesisConfig {
  return withTable(config, table, (t) => ({ ...t, primaryKey: [] }));
}

/** Adds a foreign key unless the same one exists already. */
export function addForeignKey(config: SynthesisConfig, fk: Relationship): SynthesisConfig {
  const key = relationshipKey(fk);
  if (config.foreignKeys.some((f) => relationshipKey(f) === key)) return config;
  return { ...config, foreignKeys: [...config.foreignKeys, fk] };
}

export function removeForeignKeys(config: SynthesisConfig, keys: string[]): SynthesisConfig {
  const drop = new Set(keys);
  return { ...config, foreignKeys: config.foreignKeys.filter((f) => !drop.has(relationshipKey(f))) };
}

/**
 * Makes an FK its table's context (`true`: the table's other FKs lose an explicit context) or
 * non-context (`false`): how the FK is generated between two synthesized tables.
 */
export function setForeignKeyContext(config: SynthesisConfig, key: string, context: boolean): SynthesisConfig {
  const target = config.foreignKeys.find((f) => relationshipKey(f) === key);
  if (!target) return config;
  return {
    ...config,
    foreignKeys: config.foreignKeys.map((f) => {
      if (relationshipKey(f) === key) return { ...f, context };
      if (context && f.childTable === target.childTable && f.context === true) return { ...f, context: undefined };
      return f;
    }),
  };
}

export function setColumnSensitive(config: SynthesisConfig, table: string, column: string, sensitive: boolean): SynthesisConfig {
  return withColumn(config, table, column, (c) => ({ ...c, sensitive }));
}

export function setColumnTreatment(config: SynthesisConfig, table: string, column: string, treatment: ColumnConfig['treatment']): SynthesisConfig {
  return withColumn(config, table, column, (c) => ({ ...c, treatment }));
}

export function setColumnSdtype(config: SynthesisConfig, table: string, column: string, sdtype: ColumnConfig['sdtype']): SynthesisConfig {
  return withColumn(config, table, column, (c) => ({ ...c, sdtype }));
}

/** Sets (or with `undefined`, clears) one type option of a column. */
export function setColumnOption<K extends keyof ColumnOptions>(
  config: SynthesisConfig,
  table: string,
  column: string,
  key: K,
  value: ColumnOptions[K] | undefined,
): SynthesisConfig {
  return withColumn(config, table, column, (c) => {
    const options = { ...c.options };
    if (value === undefined) delete options[key];
    else options[key] = value;
    return { ...c, options };
  });
}

export function setSettings(config: SynthesisConfig, patch: Partial<SynthSettings>): SynthesisConfig {
  const settings = { ...config.settings, ...patch };
  for (const k of Object.keys(patch) as (keyof SynthSettings)[]) if (patch[k] === undefined) delete settings[k];
  return { ...config, settings };
}

export function setDestination(config: SynthesisConfig, destination: Destination): SynthesisConfig {
  return { ...config, destination };
}
