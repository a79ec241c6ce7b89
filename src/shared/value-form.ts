import { z } from 'zod';
import { makeFormatter } from './datetime-pattern';
import type { CellValue } from './values';

/**
 * The source's own form of a column's values, learned once when the source is read and applied
 * by every file download: booleans in the source's words, numbers with the source's fixed number
 * of decimals, dates and times in the source's pattern (see datetime-pattern.ts).
 */
export const valueFormSchema = z.object({
  /** The words the source wrote for true and for false (e.g. `yes`/`no`, `Y`/`N`). */
  booleanWords: z.tuple([z.string(), z.string()]).optional(),
  /** Digits after the decimal point every value of the source had. */
  decimals: z.number().int().min(0).max(20).optional(),
  /** The pattern the source wrote its dates and times in (e.g. `MM/DD/YYYY`, `YYYY-MM-DD HH:mm`). */
  datetimePattern: z.string().optional(),
});
export type ValueForm = z.infer<typeof valueFormSchema>;

/** A form with nothing to apply is no form. */
export function formOrUndefined(form: ValueForm): ValueForm | undefined {
  return form.booleanWords || form.decimals !== undefined || form.datetimePattern ? form : undefined;
}

/** A number with a fixed number of decimals, without `-0`. */
export function fixedText(n: number, decimals: number): string {
  const s = n.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** A number rounded to the form's decimals (unchanged without them). */
export function roundToForm(n: number, form: ValueForm | undefined): number {
  return form?.decimals === undefined ? n : Number(fixedText(n, form.decimals));
}

/**
 * A value as the text the source would have written, or undefined when the form says nothing
 * about it (the writer's own text is then used).
 */
export function formText(v: CellValue, form: ValueForm | undefined): string | undefined {
  if (!form || v === null) return undefined;
  if (typeof v === 'boolean' && form.booleanWords) return form.booleanWords[v ? 0 : 1];
  if (typeof v === 'number' && Number.isFinite(v) && form.decimals !== undefined) return fixedText(v, form.decimals);
  if (v instanceof Date && !Number.isNaN(v.getTime()) && form.datetimePattern) return formatterOf(form.datetimePattern)(v.getTime());
  return undefined;
}

const formatters = new Map<string, (ms: number) => string>();
function formatterOf(pattern: string): (ms: number) => string {
  let f = formatters.get(pattern);
  if (!f) {
    f = makeFormatter(pattern);
    formatters.set(pattern, f);
  }
  return f;
}
