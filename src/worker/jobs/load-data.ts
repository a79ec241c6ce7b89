import { createHash } from 'node:crypto';
import type { SynthesisConfig, TableConfig } from '../../shared/config';
import { activeForeignKeys, includedColumns } from '../../shared/config';
import { AppError } from '../../shared/errors';
import type { DatasetMetadata, Relationship, TableMeta } from '../../shared/metadata';
import type { Row, RowBatch } from '../../shared/values';
import { countsAnything, type StatsRequest, type TableStats } from '../../shared/table-stats';
import { openSource, type SourceConnector } from '../../data/sources/connector';
import { resolveSettings } from '../../shared/effective-settings';
import { buildPlan, treesOf, type PlanHints } from '../engine/relational/plan';
import { isRelational } from '../engine/stages/engines';
import { HOLDOUT_FRACTION, HOLDOUT_MIN_ROWS } from '../engine/holdout';
import { linkedKeyColumns, nonCanonicalNumbers, NUMBERS, textKeyGroups, widenGuessedTypes } from './linked-key-types';
import { HELD_SAMPLE_ROWS, HELD_WHOLE_ROWS, heldInPart, heldOriginals, type OriginalReader } from '../engine/original-data';

export interface LoadedData {
  metadata: DatasetMetadata;
  /**
   * The rows read: every row, or a bounded training sample (see `readPlan`). Original-data
   * tables only when the engine works on them (`heldOriginals`); the others are copied from the
   * source while the output is written (`originalReader`), named in `copied`.
   */
  tables: Record<string, RowBatch>;
  /** Original-data tables left in the source, read batch by batch when the output is written. */
  copied: string[];
  /**
   * File columns widened to text past the type guessed from their first rows (over the rows read;
   * every row of a copied table), by table: read as the file's text, by the loader and by
   * `originalReader`.
   */
  widened: Record<string, string[]>;
  /** Rows of each table in the source (counted in the source, whatever was read). */
  sourceRows: Record<string, number>;
  /** Statistics over every row of each table read as a sample (aggregates in the source): rare categories and extremes are decided on them. */
  wholeStats: Record<string, TableStats>;
  /** Schema + source row counts + content hash of what was read (for the audit trail). */
  fingerprint: { schemaHash: string; contentHash: string; rows: Record<string, number> };
}

/** A stable text of a cell for hashing (dates by time, types kept apart). */
function cellText(v: Row[number]): string {
  if (v === null) return '\u0000';
  if (v instanceof Date) return `d${v.getTime()}`;
  return `${typeof v}:${String(v)}`;
}

/**
 * Data loading: introspects the source and reads the included columns of every table that is
 * synthesized or kept as original data the engine works on, in batches, with progress over all
 * rows to read (the other original-data tables are read while the output is written). With
 * "Max training rows" only a sample is read, drawn where the data is (see `readPlan`), so the
 * worker's memory follows the sample, not the table.
 */
export async function loadData(
  config: SynthesisConfig,
  opts: { password?: string; signal?: AbortSignal; onProgress?: (done: number, total: number, table: string) => void },
): Promise<LoadedData> {
  const source = await openSource(config.source, { password: opts.password });
  try {
    const full = await source.introspect({ inferKeys: false });
    const wanted = Object.entries(config.tables).filter(([, t]) => t.treatment !== 'exclude');
    const metaTables: TableMeta[] = [];
    for (const [name] of wanted) {
      const meta = full.tables.find((t) => t.name === name);
      if (!meta) {
        throw new AppError('TABLE_NOT_FOUND', `Table "${name}" of the configuration is not in the source any more.`, {
          fix: 'Open the synthesis, refresh the source and unselect or re-add the table.',
        });
      }
      metaTables.push(meta);
    }
    const metadata: DatasetMetadata = { tables: metaTables, relationships: config.foreignKeys };
    const counts = await Promise.all(wanted.map(([name]) => source.countRows(name)));
    const sourceRows: Record<string, number> = Object.fromEntries(wanted.map(([name], i) => [name, counts[i] ?? 0]));
    const reads = readPlan(config, sourceRows, await planHints(source, config));
    const copied = copiedOriginals(config, sourceRows);
    const held = heldOriginals(config);
    // Of a large original-data table, the rows the training rows reference and a sample of the others.
    const part = (name: string): boolean => copied.includes(name) && held.has(name);
    const toRead = (name: string): number =>
      part(name) ? HELD_SAMPLE_ROWS : copied.includes(name) ? 0 : Math.min(sourceRows[name] ?? 0, reads.limits[name] ?? Infinity);
    const total = wanted.reduce((a, [name]) => a + toRead(name), 0);
    const tables: Record<string, RowBatch> = {};
    const widened: Record<string, string[]> = {};
    /** Reads the widened columns of `name` as the file's text from now on. */
    const readAsText = (name: string, columns: string[]): void => {
      if (columns.length === 0) return;
      widened[name] = [...(widened[name] ?? []), ...columns];
      source.readAsText?.(name, columns);
    };
    if (config.source.kind === 'files') {
      // Keys and the foreign keys onto them are widened over every row first, and read as one type (`textKeyGroups`).
      // Numbers written otherwise than as their own text ("007") make their group text too: the files' texts are what the key checks compare.
      const links = activeForeignKeys(config);
      const writtenOtherwise: Record<string, string[]> = {};
      for (const [name, keys] of linkedKeyColumns(links, metaTables)) {
        const meta = metaTables.find((t) => t.name === name)!;
        const wider = new Set<string>();
        for await (const b of source.readTable(name, { columns: keys, signal: opts.signal })) for (const c of widenGuessedTypes(meta, b)) wider.add(c);
        readAsText(name, [...wider]);
        const numbers = keys.filter((k) => NUMBERS.has(meta.columns.find((c) => c.name === k)?.storageType ?? ''));
        const odd = new Set<string>();
        if (numbers.length > 0)
          for await (const b of source.readTable(name, { columns: numbers, asText: numbers, signal: opts.signal }))
            for (const c of nonCanonicalNumbers(meta, b)) odd.add(c);
        if (odd.size > 0) writtenOtherwise[name] = [...odd];
      }
      for (const [name, columns] of Object.entries(textKeyGroups(links, metaTables, writtenOtherwise))) readAsText(name, columns);
    }
    const wholeStats: Record<string, TableStats> = {};
    const content = createHash('sha256');
    let done = 0;
    // Synthesized tables first: the part of a large original-data table read is the rows they reference.
    for (const [name, tableConfig] of orderFor(wanted, reads.order).sort((a, b) => Number(part(a[0])) - Number(part(b[0])))) {
      const columns = includedColumns(tableConfig);
      const meta = metaTables.find((t) => t.name === name)!;
      const missing = columns.filter((c) => !meta.columns.some((m) => m.name === c));
      if (missing.length > 0) {
        throw new AppError('CONFIG_INVALID', `Table "${name}" has no column ${missing.map((c) => `"${c}"`).join(', ')} any more.`, {
          fix: 'Open the synthesis and unselect the missing columns.',
        });
      }
      // A file's column types are guessed from its first rows: a copied table's are widened over every row first, none kept.
      if (config.source.kind === 'files' && copied.includes(name)) {
        const wider = new Set<string>();
        for await (const b of source.readTable(name, { columns, signal: opts.signal })) for (const c of widenGuessedTypes(meta, b)) wider.add(c);
        readAsText(name, [...wider]);
      }
      if (copied.includes(name) && !part(name)) continue;
      const limit = reads.limits[name];
      const family = reads.families[name];
      const parentRows = family ? tables[family.parentTable] : undefined;
      /** The rows of the table to hold, with progress the first time. */
      const readRows = async (progress: boolean): Promise<Row[]> => {
        const all: Row[] = [];
        const take = (batch: RowBatch): void => {
          for (const r of batch.rows) all.push(r);
          if (!progress) return;
          done += batch.rows.length;
          opts.onProgress?.(done, total, name);
        };
        if (part(name)) {
          for (const b of await referencedPart(source, config, name, columns, tables, opts.signal)) take(b);
        } else if (family && parentRows && reads.sampled.has(family.parentTable)) {
          // A sampled parent's children come with it, read by key, never the whole child table.
          const at = parentRows.columns.indexOf(family.parentColumn);
          const values = parentRows.rows.map((r) => r[at] ?? null);
          const childColumns = columns.includes(family.childColumn) ? columns : [...columns, family.childColumn];
          for await (const b of source.readByKeys(name, { columns: childColumns, key: family.childColumn, values, signal: opts.signal })) {
            take(childColumns === columns ? b : { columns, rows: b.rows.map((r) => r.slice(0, columns.length)) });
          }
          reads.sampled.add(name);
        } else if (limit !== undefined && limit < (sourceRows[name] ?? 0)) {
          take(await source.sample(name, { columns, rows: limit, random: config.settings.randomSample, seed: config.settings.seed, signal: opts.signal }));
          reads.sampled.add(name);
        } else {
          for await (const batch of source.readTable(name, { columns, signal: opts.signal })) take(batch);
        }
        return all;
      };
      let rows = await readRows(true);
      if (config.source.kind === 'files') {
        // Columns widened by a cell of the rows read: the same rows again, those columns as the file's text.
        const wider = widenGuessedTypes(meta, { columns, rows });
        if (wider.length > 0) {
          readAsText(name, wider);
          rows = await readRows(false);
        }
      }
      tables[name] = { columns, rows };
      content.update(`\u0002${name}\u0002${columns.join('\u0001')}`);
      for (const r of rows) content.update(r.map(cellText).join('\u0001'));
      // (Under differential privacy the engine decides on the training rows alone: nothing to count.)
      if (reads.sampled.has(name) && tableConfig.treatment === 'synthesize' && !config.settings.privacy.differentialPrivacy.enabled) {
        const links = activeForeignKeys(config).flatMap((fk) => (fk.childTable === name && fk.childColumns.length === 1 ? fk.childColumns : []));
        const forests = activeForeignKeys(config).filter((fk) => fk.childTable === name && fk.parentTable === name && fk.childColumns.length === 1);
        const request = { ...statsRequest(tableConfig, opts.signal, links), links: thinnedLinks(config, name, family), forests, sampleRows: rows.length };
        if (countsAnything(request)) wholeStats[name] = await source.tableStats(name, request);
      }
    }
    const schemaHash = createHash('sha256')
      .update(JSON.stringify(metaTables.map((t) => ({ name: t.name, columns: t.columns.map((c) => [c.name, c.storageType]), pk: t.primaryKey }))))
      .digest('hex');
    return { metadata, tables, copied, widened, sourceRows, wholeStats, fingerprint: { schemaHash, contentHash: content.digest('hex'), rows: sourceRows } };
  } finally {
    await source.close();
  }
}

/**
 * Original-data tables copied from the source as the output is written: those the engine does
 * not work on, and those it works on a part of (more than HELD_WHOLE_ROWS rows, `heldInPart`). A
 * file's column types are a guess: they are widened over every row of the table in a streamed
 * pass during loading (`widenGuessedTypes`), before the output is created.
 */
export function copiedOriginals(config: SynthesisConfig, sourceRows: Record<string, number>): string[] {
  const held = heldOriginals(config);
  return Object.entries(config.tables)
    .filter(([name, t]) => t.treatment === 'original' && (!held.has(name) || ((sourceRows[name] ?? 0) > HELD_WHOLE_ROWS && heldInPart(config, name))))
    .map(([name]) => name);
}

/**
 * The part of a large original-data table the engine works on: every row a loaded row of a
 * synthesized table references (read by key), and a sample of HELD_SAMPLE_ROWS rows, so rows no
 * training row references can be chosen too; each row once.
 */
async function referencedPart(
  source: SourceConnector,
  config: SynthesisConfig,
  table: string,
  columns: string[],
  tables: Record<string, RowBatch>,
  signal: AbortSignal | undefined,
): Promise<RowBatch[]> {
  const out: RowBatch[] = [];
  const seen = new Set<string>();
  const add = (batch: RowBatch): void => {
    const rows = batch.rows
      .map((r) => r.slice(0, columns.length))
      .filter((r) => {
        const k = r.map(cellText).join('\u0001');
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    out.push({ columns, rows });
  };
  const sig = signal ? { signal } : {};
  for (const fk of activeForeignKeys(config)) {
    const child = tables[fk.childTable];
    if (fk.parentTable !== table || !child || config.tables[fk.childTable]?.treatment !== 'synthesize') continue;
    const at = child.columns.indexOf(fk.childColumns[0]!);
    const values = [
      ...new Map(
        child.rows
          .map((r) => r[at] ?? null)
          .filter((v) => v !== null)
          .map((v) => [cellText(v), v]),
      ).values(),
    ];
    const key = fk.parentColumns[0]!;
    const read = columns.includes(key) ? columns : [...columns, key];
    for await (const b of source.readByKeys(table, { columns: read, key, values, ...sig })) add(b);
  }
  add(await source.sample(table, { columns, rows: HELD_SAMPLE_ROWS, random: true, seed: config.settings.seed, ...sig }));
  return out;
}

/**
 * Reads an original-data table's included columns from the source, batch by batch, on a connection
 * of its own; the columns the loader widened (`widened`, LoadedData's) as the file's text.
 */
export function originalReader(
  config: SynthesisConfig,
  opts: { password?: string | undefined; widened?: Record<string, string[]> | undefined } = {},
): OriginalReader {
  return async function* read(table: string, signal?: AbortSignal): AsyncIterable<RowBatch> {
    const tableConfig = config.tables[table];
    if (!tableConfig) throw new AppError('TABLE_NOT_FOUND', `Table "${table}" is not in the configuration.`);
    const source = await openSource(config.source, opts.password !== undefined ? { password: opts.password } : {});
    try {
      const text = opts.widened?.[table];
      if (text?.length) source.readAsText?.(table, text);
      yield* source.readTable(table, { columns: includedColumns(tableConfig), ...(signal ? { signal } : {}) });
    } finally {
      await source.close();
    }
  };
}

/**
 * The columns of a sampled table whose rarity is decided on every row: value counts of the
 * learned discrete columns (rare-category protection), extremes of the numeric and datetime ones
 * (clipping and the report's rare-extreme check). Keys are regenerated and need neither; of the
 * foreign keys `links`, the empty cells are counted (the share of rows linked to no parent).
 */
export function statsRequest(table: TableConfig, signal?: AbortSignal, links: string[] = []): StatsRequest {
  const learned = Object.entries(table.columns).filter(
    ([name, c]) => c.included && c.treatment === 'synthesize' && c.sdtype !== 'id' && !table.primaryKey.includes(name),
  );
  return {
    categories: learned.filter(([, c]) => c.sdtype === 'categorical' || c.sdtype === 'boolean' || c.sdtype === 'text').map(([n]) => n),
    ranges: learned.filter(([, c]) => c.sdtype === 'numerical' || c.sdtype === 'datetime').map(([n]) => n),
    ...(links.length ? { nulls: [...new Set(links)] } : {}),
    ...(signal ? { signal } : {}),
  };
}

/**
 * The links of a sampled table whose children per parent the sample thins: every FK to another
 * table except the one its rows were read through as whole families (a sampled parent's children
 * all come with it). A parent read whole (original data, a table the sample did not draw from)
 * would otherwise keep only the sampled share of its children, and its degrees with it.
 */
function thinnedLinks(config: SynthesisConfig, table: string, family: ReadPlan['families'][string] | undefined): Relationship[] {
  return activeForeignKeys(config).filter(
    (fk) =>
      fk.childTable === table &&
      fk.parentTable !== table &&
      config.tables[fk.parentTable]?.treatment !== 'exclude' &&
      !(family && fk.parentTable === family.parentTable && fk.childColumns.length === 1 && fk.childColumns[0] === family.childColumn),
  );
}

/** Rows to read so that, after the report's holdout, `maxTrainingRows` remain for training. */
export function trainingReadRows(maxTrainingRows: number): number {
  const withHoldout = Math.ceil(maxTrainingRows / (1 - HOLDOUT_FRACTION));
  return withHoldout >= HOLDOUT_MIN_ROWS ? withHoldout : maxTrainingRows;
}

interface ReadPlan {
  /** Tables read in this order (a sampled parent before its children). */
  order: string[];
  /** Rows to sample per table (absent: read whole). */
  limits: Record<string, number>;
  /** Child tables read as the families of their sampled parent. */
  families: Record<string, { parentTable: string; parentColumn: string; childColumn: string }>;
  /** Tables read as a sample so far (filled while reading). */
  sampled: Set<string>;
}

/**
 * What to read of each table. Without "Max training rows" every row. With it, a single
 * synthesized table is sampled to the training rows plus the holdout; in a relational dataset
 * each root is sampled and every table below it is read as the whole families of the sampled
 * rows (a single-column context key read by key values), so parents and children stay
 * consistent. Original-data tables (lookups) are read whole: the output copies them.
 */
export function readPlan(config: SynthesisConfig, sourceRows: Record<string, number>, hints: PlanHints = {}): ReadPlan {
  const plan: ReadPlan = { order: [], limits: {}, families: {}, sampled: new Set() };
  const max = config.settings.maxTrainingRows;
  if (max === undefined) return plan;
  const need = trainingReadRows(max);
  if (!isRelational(config)) {
    for (const [name, t] of Object.entries(config.tables)) if (t.treatment === 'synthesize' && (sourceRows[name] ?? 0) > need) plan.limits[name] = need;
    return plan;
  }
  const gen = buildPlan(config, hints);
  if (!gen) return plan;
  plan.order = gen.order;
  // Each root's cap from the effective settings: the root rows that keep every table of its tree under the limit.
  const effective = resolveSettings(config, { rows: sourceRows, trees: treesOf(gen) });
  for (const root of gen.roots) {
    const cap = effective.tables[root]?.maxTrainingRows;
    if (cap !== null && cap !== undefined && (sourceRows[root] ?? 0) > trainingReadRows(cap)) plan.limits[root] = trainingReadRows(cap);
  }
  for (const t of gen.order) {
    const ctx = gen.tables[t]!.context;
    if (ctx && ctx.childColumns.length === 1 && ctx.parentColumns.length === 1) {
      plan.families[t] = { parentTable: ctx.parentTable, parentColumn: ctx.parentColumns[0]!, childColumn: ctx.childColumns[0]! };
    }
  }
  return plan;
}

/**
 * The engine prefers a never-empty FK as a child's context (planFromData): with several
 * synthesized parents, which FKs hold empty values is asked of the source (an aggregate), so the
 * families are read through the FK the engine will generate the child under.
 */
async function planHints(source: SourceConnector, config: SynthesisConfig): Promise<PlanHints> {
  if (config.settings.maxTrainingRows === undefined || !isRelational(config)) return {};
  const synth = (t: string): boolean => config.tables[t]?.treatment === 'synthesize';
  const fks = activeForeignKeys(config).filter((fk) => fk.childTable !== fk.parentTable && synth(fk.childTable) && synth(fk.parentTable));
  const withNulls = new Set<Relationship>();
  for (const fk of fks) {
    if (fks.filter((f) => f.childTable === fk.childTable).length < 2) continue;
    if ((await source.keyFacts(fk.childTable, fk.childColumns)).nulls > 0) withNulls.add(fk);
  }
  return {
    hasNulls: (fk) =>
      [...withNulls].some((f) => f.childTable === fk.childTable && f.parentTable === fk.parentTable && f.childColumns.join() === fk.childColumns.join()),
  };
}

/** The wanted tables, those named in `order` first (in that order), then the rest. */
function orderFor<T>(wanted: Array<[string, T]>, order: string[]): Array<[string, T]> {
  const rank = (n: string): number => {
    const i = order.indexOf(n);
    return i < 0 ? order.length : i;
  };
  return [...wanted].sort((a, b) => rank(a[0]) - rank(b[0]));
}
