/** Small text helpers shared by the report's HTML renderers. */

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

export function num(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

export function int(x: number): string {
  return x.toLocaleString('en-US');
}

export function seconds(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 90) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** A word for a 0–1 fidelity score. */
export function qualityWord(q: number | null): { word: string; cls: string } {
  if (q === null) return { word: 'not measured', cls: '' };
  if (q >= 0.9) return { word: 'Excellent', cls: 'good' };
  if (q >= 0.8) return { word: 'Good', cls: 'good' };
  if (q >= 0.7) return { word: 'Fair', cls: 'fair' };
  return { word: 'Poor', cls: 'bad' };
}

export const levelWord: Record<string, string> = { strong: 'Strong', acceptable: 'Acceptable', 'at-risk': 'At risk', 'not-measured': 'Not measured' };

export function metricName(m: string): string {
  const names: Record<string, string> = {
    KSComplement: 'KS complement',
    TVComplement: 'TV complement',
    CorrelationSimilarity: 'correlation similarity',
    ContingencySimilarity: 'contingency similarity',
    macroF1: 'macro-F1',
    r2: 'R²',
  };
  return names[m] ?? m;
}

export function rowsTable(headers: string[], rows: string[][], numeric: boolean[] = []): string {
  const th = headers.map((h, i) => `<th${numeric[i] ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A class for a utility gap (real − synthetic score): ≤ 0.03 good, ≤ 0.10 fair, else bad. */
export function gapClass(gap: number | null): string {
  if (gap === null) return '';
  return gap <= 0.03 ? 'good' : gap <= 0.1 ? 'fair' : 'bad';
}
