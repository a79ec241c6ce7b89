/**
 * The resource guard: before any training, the output's size on disk is estimated from the rows
 * read (bytes per row) and the rows to generate, and a run whose output cannot fit where it is
 * written (the workspace's disk for the local output or a sharded run's kept original-data tables,
 * the destination server's disk when it runs on this machine) is refused with a clear message, instead of failing hours later on a full disk.
 */
import fs from 'node:fs/promises';
import type { SynthesisConfig } from '../../shared/config';
import { AppError } from '../../shared/errors';
import type { CellValue, RowBatch } from '../../shared/values';
import { isRelational } from '../engine/stages/engines';
import { outputRows } from '../engine/stages/output-rows';
import { buildPlan } from '../engine/relational/plan';

/** SQLite's pages, row headers and indexes over the raw cell bytes. */
const STORAGE_OVERHEAD = 1.35;
/** A cell of a table whose rows are not at hand (a short text or a number). */
const UNSEEN_CELL_BYTES = 16;
/** Room left free on the disk after the output (other files, the report, the journal). */
const DISK_MARGIN_BYTES = 256 * 1024 * 1024;

function cellBytes(v: CellValue): number {
  if (v === null) return 1;
  if (typeof v === 'string') return v.length + 2;
  if (typeof v === 'boolean') return 1;
  return 8;
}

/** Average stored bytes of a row of the batch (the rows read from the source). */
export function bytesPerRow(batch: RowBatch): number {
  const n = Math.min(batch.rows.length, 20_000);
  if (n === 0) return batch.columns.length * 8;
  let sum = 0;
  for (let i = 0; i < n; i++) for (const v of batch.rows[i]!) sum += cellBytes(v);
  return sum / n + 8;
}

/**
 * Rows of each output table: synthesized at the output size, or `count` when a number of rows is
 * asked for (generate --rows, Generate more; in a relational synthesis the largest root's, the
 * others scaled alike, as the engine does); original-data tables copied.
 */
export function plannedRows(config: SynthesisConfig, sourceRows: Record<string, number>, count?: number): Record<string, number> {
  const out: Record<string, number> = {};
  const source = (t: string): number => sourceRows[t] ?? 0;
  const gen = isRelational(config) ? buildPlan(config) : null;
  let scale: number | null = null;
  if (gen && gen.roots.length) {
    const largest = gen.roots.reduce((x, y) => (source(y) > source(x) ? y : x));
    scale = (count ?? outputRows(config, source(largest))) / Math.max(1, source(largest));
  }
  for (const [name, t] of Object.entries(config.tables)) {
    if (t.treatment === 'original') out[name] = source(name);
    else if (t.treatment === 'synthesize') out[name] = scale === null ? (count ?? outputRows(config, source(name))) : Math.round(source(name) * scale);
  }
  return out;
}

/** What a run writes besides its report: the local output, the destination's tables, or both. */
export interface DiskPlan {
  /** The local output (a SQLite file in the workspace) is written; false for a sharded run, whose rows go to the destination only. */
  localOutput: boolean;
  /** The original-data tables are copied into the workspace without a local output (a sharded run keeps them for later generations). */
  keepsOriginals?: boolean;
  /** Rows asked for instead of the output size (generate --rows, Generate more). */
  count?: number;
  /** The destination database's share: what it is called, its data folder on this machine (null: a server elsewhere), and how many copies of the output it holds at its peak (2 for a sharded run: the staging tables and the tables they are copied into). */
  destination?: { name: string; dataDir: string | null; copies: number };
}

export interface ResourceEstimate {
  outputRows: number;
  /** Bytes of one copy of the output. */
  outputBytes: number;
  /** Bytes written into the workspace (the local output, or the kept original-data tables; 0 when neither is written). */
  localBytes: number;
  /** Of those, the kept original-data tables' (without a local output). */
  originalsBytes: number;
  freeBytes: number;
  /** Bytes the destination holds at its peak, and the free space of its data folder (null: not measurable from here). */
  destinationBytes: number;
  destinationFreeBytes: number | null;
}

export function formatBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/**
 * Bytes of one copy of the output (rows by the bytes per row of the rows read; a table with no rows
 * at hand, e.g. generating from stored artifacts, by its included columns) and its rows.
 */
export function estimateOutput(
  config: SynthesisConfig,
  tables: Record<string, RowBatch>,
  sourceRows: Record<string, number>,
  count?: number,
  only: (table: string) => boolean = () => true,
): { rows: number; bytes: number } {
  let bytes = 0;
  let rows = 0;
  for (const [name, n] of Object.entries(plannedRows(config, sourceRows, count))) {
    if (!only(name)) continue;
    const batch = tables[name];
    const columns = Object.values(config.tables[name]?.columns ?? {}).filter((c) => c.included).length;
    rows += n;
    bytes += n * (batch ? bytesPerRow(batch) : columns * UNSEEN_CELL_BYTES + 8) * STORAGE_OVERHEAD;
  }
  return { rows, bytes };
}

async function disk(dir: string): Promise<{ free: number; device: number }> {
  const [stats, st] = await Promise.all([fs.statfs(dir), fs.stat(dir)]);
  return { free: Number(stats.bavail) * Number(stats.bsize), device: st.dev };
}

/**
 * Estimates what the run writes and refuses (INSUFFICIENT_DISK) when a disk it writes to has less
 * free space than that plus a margin: the workspace's disk for the local output, the destination's
 * data folder for its tables (when the server runs on this machine; both on one disk add up).
 * Returns the estimate for the log.
 */
export async function guardDisk(
  config: SynthesisConfig,
  tables: Record<string, RowBatch>,
  sourceRows: Record<string, number>,
  workspace: string,
  plan: DiskPlan = { localOutput: true },
): Promise<ResourceEstimate> {
  const { rows: outputRowsTotal, bytes: outputBytes } = estimateOutput(config, tables, sourceRows, plan.count);
  const originals =
    plan.localOutput || !plan.keepsOriginals ? null : estimateOutput(config, tables, sourceRows, plan.count, (t) => config.tables[t]?.treatment === 'original');
  const originalsBytes = originals?.bytes ?? 0;
  const localBytes = plan.localOutput ? outputBytes : originalsBytes;
  const destinationBytes = plan.destination ? outputBytes * plan.destination.copies : 0;
  const local = await disk(workspace);
  const remote = plan.destination?.dataDir ? await disk(plan.destination.dataDir).catch(() => null) : null;
  const shared = remote !== null && remote.device === local.device;
  const rowsText = `${outputRowsTotal.toLocaleString('en-US')} rows`;
  const details = {
    outputBytes: Math.round(outputBytes),
    outputRows: outputRowsTotal,
    localBytes: Math.round(localBytes),
    destinationBytes: Math.round(destinationBytes),
  };
  if (remote && plan.destination && destinationBytes + (shared ? localBytes : 0) + DISK_MARGIN_BYTES > remote.free) {
    const d = plan.destination;
    const besides = plan.localOutput
      ? ''
      : originalsBytes
        ? `; plus ${formatBytes(originalsBytes)} of original-data tables kept in the workspace${shared ? ' on the same disk' : ''}`
        : '; nothing is written locally';
    const what =
      d.copies > 1
        ? `about ${formatBytes(destinationBytes)} in ${d.name} (${rowsText}: its staging tables, then the tables they are swapped into${besides})`
        : `about ${formatBytes(destinationBytes)} in ${d.name} (${rowsText})${shared && localBytes ? ` plus ${formatBytes(localBytes)} of local output on the same disk` : ''}`;
    throw new AppError(
      'INSUFFICIENT_DISK',
      `The synthetic data needs ${what}; the disk of its data folder ${d.dataDir} has ${formatBytes(remote.free)} free.`,
      {
        fix: "Lower the output size in the synth settings, free space on the database server's disk, or write to a destination with more room.",
        details: { ...details, freeBytes: remote.free, dataDir: d.dataDir },
      },
    );
  }
  if (originals?.rows && originalsBytes + DISK_MARGIN_BYTES > local.free) {
    throw new AppError(
      'INSUFFICIENT_DISK',
      `The copy of the original-data tables kept for later generations needs about ${formatBytes(originalsBytes)} (${originals.rows.toLocaleString('en-US')} rows) on the disk of ${workspace}, which has ${formatBytes(local.free)} free.`,
      {
        fix: 'Free space on that disk or move the project to a larger disk (a run on the site workers keeps its original-data tables there; its synthetic rows go to the destination only).',
        details: { ...details, freeBytes: local.free },
      },
    );
  }
  if (localBytes + DISK_MARGIN_BYTES > local.free) {
    throw new AppError(
      'INSUFFICIENT_DISK',
      `The synthetic data needs about ${formatBytes(localBytes)} (${rowsText}) on the disk of ${workspace}, which has ${formatBytes(local.free)} free.`,
      {
        fix: 'Lower the output size in the synth settings, free space on that disk, or move the project to a larger disk.',
        details: { ...details, freeBytes: local.free },
      },
    );
  }
  return {
    outputRows: outputRowsTotal,
    outputBytes,
    localBytes,
    originalsBytes,
    freeBytes: local.free,
    destinationBytes,
    destinationFreeBytes: remote?.free ?? null,
  };
}
