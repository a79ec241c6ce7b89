/**
 * Checks of a relational configuration that relational synthesis needs on top of the cycle, root
 * and self-reference rules of validation.ts (pure; validateConfig adds `...relationalProblems(config)`).
 */
import type { SynthesisConfig } from './config';
import { activeForeignKeys } from './config';
import type { Relationship } from './metadata';
import type { Problem } from './problems';

const fkLabel = (fk: Relationship): string => `${fk.childTable}(${fk.childColumns.join(', ')}) → ${fk.parentTable}(${fk.parentColumns.join(', ')})`;

/**
 * Problems of a relational configuration that the relational engine cannot synthesize (on top of
 * validation.ts's cycle/root/self-reference checks): composite FKs between synthesized tables, FK
 * columns that are not left to be synthesized (kept, mocked, masked or nulled values would break
 * the links), and original-data tables that reference synthesized ones (their copied keys would
 * dangle).
 */
export function relationalProblems(config: SynthesisConfig): Problem[] {
  const out: Problem[] = [];
  for (const fk of activeForeignKeys(config)) {
    const child = config.tables[fk.childTable];
    const parent = config.tables[fk.parentTable];
    if (child?.treatment === 'original' && parent?.treatment === 'synthesize') {
      out.push({
        code: 'ORIGINAL_REFERENCES_SYNTHESIZED',
        severity: 'error',
        step: 'treatment',
        table: fk.childTable,
        column: fk.childColumns[0],
        message: `"${fk.childTable}" is copied as original data but references synthesized table "${fk.parentTable}" (${fkLabel(fk)}): its real keys would point at rows that do not exist in the output.`,
        fix: `Mark "${fk.parentTable}" as original data too, set "${fk.childTable}" to synthesize, or delete the foreign key ${fkLabel(fk)}.`,
      });
      continue;
    }
    if (!child || !parent || child.treatment !== 'synthesize') continue;
    // Mismatched column counts are reported by validation's foreign-key checks.
    if (fk.childColumns.length !== fk.parentColumns.length) continue;
    // (Self-references included: a composite or kept self-reference cannot be generated as a forest.)
    if (fk.childColumns.length > 1 && parent.treatment === 'synthesize') {
      out.push({
        code: 'FK_COLUMN_COUNT',
        severity: 'error',
        step: 'foreign-keys',
        table: fk.childTable,
        column: fk.childColumns[0],
        message: `Foreign key ${fkLabel(fk)} has a composite key (${fk.childColumns.length} columns); relational synthesis links tables through single-column keys only.`,
        fix: `Delete this foreign key, give "${fk.parentTable}" a single-column primary key, or mark "${fk.parentTable}" as original data.`,
      });
    }
    for (const col of fk.childColumns) {
      const c = child.columns[col];
      if (c && c.treatment !== 'synthesize') {
        out.push({
          code: 'FK_EXCLUDED_COLUMN',
          severity: 'error',
          step: 'treatment',
          table: fk.childTable,
          column: col,
          message: `Foreign key column "${fk.childTable}.${col}" is set to "${c.treatment}", which would break its link to "${fk.parentTable}".`,
          fix: `Set "${fk.childTable}.${col}" to synthesize, or delete the foreign key ${fkLabel(fk)}.`,
        });
      }
    }
  }
  return out;
}
