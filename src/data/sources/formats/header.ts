/**
 * Column names from a header row: trimmed; an empty cell is named by its position (`column_3`);
 * a repeated name is numbered (`dup`, `dup_2`), never taking a name another column has, so every
 * column keeps a name of its own.
 */
export function headerNames(cells: readonly unknown[]): string[] {
  const raw = cells.map((c, i) => (c === null || c === undefined ? '' : String(c).trim()) || `column_${i + 1}`);
  const taken = new Set(raw);
  const seen = new Set<string>();
  return raw.map((n) => {
    if (!seen.has(n)) {
      seen.add(n);
      return n;
    }
    let i = 2;
    while (taken.has(`${n}_${i}`)) i++;
    taken.add(`${n}_${i}`);
    return `${n}_${i}`;
  });
}
