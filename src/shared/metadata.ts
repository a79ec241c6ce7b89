import { z } from 'zod';
import { valueFormSchema } from './value-form';

/** Semantic type of a column, as the engine treats it (SDV's names). */
export const sdtypes = ['numerical', 'categorical', 'datetime', 'boolean', 'text', 'id'] as const;
export const sdtypeSchema = z.enum(sdtypes);
export type Sdtype = z.infer<typeof sdtypeSchema>;

/** Portable storage type; `nativeType` keeps the source's own spelling (e.g. `varchar(40)`). */
export const storageTypes = [
  'integer',
  'bigint',
  'float',
  'decimal',
  'string',
  'text',
  'boolean',
  'date',
  'datetime',
  'time',
  'binary',
  'json',
  'unknown',
] as const;
export const storageTypeSchema = z.enum(storageTypes);
export type StorageType = z.infer<typeof storageTypeSchema>;

/** Whether a column of this storage type holds text (compared by bytes where a dialect says so). */
export const isTextStorage = (t: StorageType | undefined): boolean => t === 'string' || t === 'text';

export const columnMetaSchema = z.object({
  name: z.string().min(1),
  storageType: storageTypeSchema,
  nativeType: z.string().optional(),
  /** The database whose type `nativeType` is, when a table of that database can be created with it as is. */
  nativeOf: z.enum(['postgres', 'mysql', 'sqlite']).optional(),
  sdtype: sdtypeSchema,
  nullable: z.boolean().default(true),
  /** For datetimes read from text: the format seen in the source (e.g. `YYYY-MM-DD`, `YYYYMMDD`). */
  datetimeFormat: z.string().optional(),
  /** For decimals: digits after the point. */
  scale: z.number().int().optional(),
  /** Max length for strings when known. */
  maxLength: z.number().int().optional(),
  /** How the source wrote the values (boolean words, decimals, date pattern), for the downloads. */
  form: valueFormSchema.optional(),
});
export type ColumnMeta = z.infer<typeof columnMetaSchema>;

export const tableMetaSchema = z.object({
  name: z.string().min(1),
  columns: z.array(columnMetaSchema),
  /** Column names of the primary key; empty when the table has none. */
  primaryKey: z.array(z.string()).default([]),
  rowCount: z.number().int().nonnegative(),
  /** Where the table came from (file path or `schema.table`), informational. */
  origin: z.string().optional(),
  /** A database view or materialized view read as a table (no keys are declared on it). */
  kind: z.enum(['table', 'view', 'materialized view']).optional(),
});
export type TableMeta = z.infer<typeof tableMetaSchema>;

export const relationshipSchema = z.object({
  parentTable: z.string(),
  parentColumns: z.array(z.string()).min(1),
  childTable: z.string(),
  childColumns: z.array(z.string()).min(1),
  /** `declared` comes from database metadata; `inferred` from names and value containment. */
  origin: z.enum(['declared', 'inferred', 'user']).default('declared'),
  /**
   * Between two synthesized tables: `true` makes this FK its table's context (children generated
   * per parent row), `false` non-context (each child matched to a generated parent row after
   * generation); unset, Doppel chooses (see relational-plan.ts).
   */
  context: z.boolean().optional(),
});
export type Relationship = z.infer<typeof relationshipSchema>;

export const datasetMetadataSchema = z.object({
  tables: z.array(tableMetaSchema),
  relationships: z.array(relationshipSchema).default([]),
});
export type DatasetMetadata = z.infer<typeof datasetMetadataSchema>;

export function findTable(meta: DatasetMetadata, name: string): TableMeta | undefined {
  return meta.tables.find((t) => t.name === name);
}

export function findColumn(table: TableMeta, name: string): ColumnMeta | undefined {
  return table.columns.find((c) => c.name === name);
}

/** A relationship with its tables and columns renamed (logical names to the stored ones, or back). */
export function renameRelationship<R extends Relationship>(r: R, table: (name: string) => string, column: (table: string, column: string) => string): R {
  return {
    ...r,
    childTable: table(r.childTable),
    childColumns: r.childColumns.map((c) => column(r.childTable, c)),
    parentTable: table(r.parentTable),
    parentColumns: r.parentColumns.map((c) => column(r.parentTable, c)),
  };
}

export function relationshipKey(r: Relationship): string {
  return `${r.childTable}(${r.childColumns.join(',')})->${r.parentTable}(${r.parentColumns.join(',')})`;
}
