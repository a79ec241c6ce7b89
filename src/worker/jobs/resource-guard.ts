/**
 * The resource guard: before any training, the output's size on disk is estimated from the rows
 * read (bytes per row) and the rows to generate, and a run whose output cannot fit on the
 * workspace's disk is refused with a clear message, instead of failing hours later on a full disk.
 */
import fs from 'node:fs/promises';
import type { SynthesisConfig } from '../../shared/config';
import { AppError } from '../../shared/errors';
import type { CellValue, RowBatch } from '../../shared/values';
import { isRelational, outputRows } from '../engine/pipeline';
import { buildPlan } from '../engine/relational/plan';

/** SQLite's pages, row headers and indexes over the raw cell bytes. */
const STORAGE_OVERHEAD = 1.35;
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

/** Rows of each output table (synthesized at the output size; original-data tables copied). */
export function plannedRows(config: SynthesisConfig, sourceRows: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  const source = (t: string): number => sourceRows[t] ?? 0;
  const gen = isRelational(config) ? buildPlan(config) : null;
  let scale: number | null = null;
  if (gen && gen.roots.length) {
    const largest = gen.roots.reduce((x, y) => (source(y) > source(x) ? y : x));
    scale = outputRows(config, source(largest)) / Math.max(1, source(largest));
  }
  for (const [name, t] of Object.entries(config.tables)) {
    if (t.treatment === 'original') out[name] = source(name);
    else if (t.treatment === 'synthesize') out[name] = scale === null ? outputRows(config, source(name)) : Math.round(source(name) * scale);
  }
  return out;
}

export interface ResourceEstimate {
  outputRows: number;
  outputBytes: number;
  freeBytes: number;
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
 * Estimates the output's bytes and refuses (INSUFFICIENT_DISK) when the disk of `workspace`
 * has less free space than that plus a margin. Returns the estimate for the log.
 */
export async function guardDisk(
  config: SynthesisConfig,
  tables: Record<string, RowBatch>,
  sourceRows: Record<string, number>,
  workspace: string,
): Promise<ResourceEstimate> {
  const rows = plannedRows(config, sourceRows);
  let outputBytes = 0;
  let outputRowsTotal = 0;
  for (const [name, n] of Object.entries(rows)) {
    const batch = tables[name];
    outputRowsTotal += n;
    outputBytes += n * (batch ? bytesPerRow(batch) : 64) * STORAGE_OVERHEAD;
  }
  const stats = await fs.statfs(workspace);
  const freeBytes = Number(stats.bavail) * Number(stats.bsize);
  if (outputBytes + DISK_MARGIN_BYTES > freeBytes) {
    throw new AppError(
      'INSUFFICIENT_DISK',
      `The synthetic data needs about ${formatBytes(outputBytes)} (${outputRowsTotal.toLocaleString('en-US')} rows) on the disk of ${workspace}, which has ${formatBytes(freeBytes)} free.`,
      {
        fix: 'Lower the output size in the synth settings, free space on that disk, or move the project to a larger disk.',
        details: { outputBytes: Math.round(outputBytes), freeBytes, outputRows: outputRowsTotal },
      },
    );
  }
  return { outputRows: outputRowsTotal, outputBytes, freeBytes };
}
