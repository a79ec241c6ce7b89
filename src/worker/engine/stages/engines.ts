import { activeForeignKeys, type SynthesisConfig } from '../../../shared/config';
import type { DatasetEngine } from './dataset';
import { relationalEngine } from './relational-engine';
import { tableEngine } from './table-engine';

/**
 * True when the synthesized tables are linked by active foreign keys (to each other, or to
 * original-data lookup tables): they are then generated together by the relational engine so
 * that every FK of the output points at an existing row. A synthesized table referencing itself
 * (a manager, a parent comment) is too: its references are generated as a forest of its own rows.
 */
export function isRelational(config: SynthesisConfig): boolean {
  const synth = (t: string): boolean => config.tables[t]?.treatment === 'synthesize';
  const kept = (t: string): boolean => synth(t) || config.tables[t]?.treatment === 'original';
  return activeForeignKeys(config).some((fk) => synth(fk.childTable) && (fk.childTable === fk.parentTable || kept(fk.parentTable)));
}

/** The engine of a dataset's kind. */
export function engineFor(config: SynthesisConfig): DatasetEngine {
  return isRelational(config) ? relationalEngine : tableEngine;
}
