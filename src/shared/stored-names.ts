/**
 * The names a database can hold. Where a table or column name cannot be stored as it is (longer
 * than the server keeps, a twin of another name but for case where names ignore case, characters
 * the server refuses), it is renamed deterministically: the first holder keeps the name, the others
 * get `_2`, `_3`…; a long name keeps its start and ends with a short hash of the whole name.
 * No column is ever dropped; the renames are listed for the user.
 */
export interface NameRules {
  maxBytes: number;
  caseInsensitive: boolean;
  /** MySQL/MariaDB: no trailing spaces and only the Basic Multilingual Plane. */
  bmpOnly: boolean;
}

export const nameRules: Record<'postgres' | 'mysql' | 'sqlite', NameRules> = {
  postgres: { maxBytes: 63, caseInsensitive: false, bmpOnly: false },
  mysql: { maxBytes: 64, caseInsensitive: true, bmpOnly: true },
  sqlite: { maxBytes: Number.MAX_SAFE_INTEGER, caseInsensitive: true, bmpOnly: false },
};

export interface Rename {
  table: string;
  /** Absent when the table itself is renamed. */
  column?: string;
  to: string;
}

/** Logical name → stored name, for tables and for the columns of each table (logical names). */
export interface StoredNames {
  tables: Map<string, string>;
  columns: Map<string, Map<string, string>>;
  renames: Rename[];
}

const encoder = new TextEncoder();
const bytes = (s: string): number => encoder.encode(s).length;

/** FNV-1a of the name, 6 hex digits: the same name always gets the same ending. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0').slice(0, 6);
}

/** The longest start of `s` (whole characters) within `max` bytes. */
function cut(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (bytes(out + ch) > max) break;
    out += ch;
  }
  return out;
}

function legal(name: string, rules: NameRules): string {
  let s = name;
  if (rules.bmpOnly)
    s = [...s]
      .map((ch) => (ch.codePointAt(0)! > 0xffff ? '_' : ch))
      .join('')
      .replace(/ +$/, (m) => '_'.repeat(m.length));
  return s.split('\u0000').join('_');
}

function fit(name: string, suffix: string, rules: NameRules): string {
  const s = legal(name, rules);
  if (bytes(s + suffix) <= rules.maxBytes) return s + suffix;
  const tail = `_${hash(name)}${suffix}`;
  return cut(s, rules.maxBytes - bytes(tail)) + tail;
}

/** Stored names for a list of names (in order): unique under the rules, first come keeps its name. */
export function storedNamesOf(names: string[], rules: NameRules): Map<string, string> {
  const key = (s: string): string => (rules.caseInsensitive ? s.toLowerCase() : s);
  const out = new Map<string, string>();
  const taken = new Set<string>();
  // Names that are legal as they are are kept first, so a renamed twin never takes another's name.
  for (const n of names)
    if (fit(n, '', rules) === n && !taken.has(key(n))) {
      out.set(n, n);
      taken.add(key(n));
    }
  for (const n of names) {
    if (out.has(n)) continue;
    let s = fit(n, '', rules);
    for (let i = 2; taken.has(key(s)); i++) s = fit(n, `_${i}`, rules);
    out.set(n, s);
    taken.add(key(s));
  }
  return out;
}

/** Stored names of tables and their columns under a database's rules. */
export function storedNames(tables: Array<{ name: string; columns: Array<{ name: string }> }>, rules: NameRules): StoredNames {
  const tableNames = storedNamesOf(
    tables.map((t) => t.name),
    rules,
  );
  const renames: Rename[] = [];
  const columns = new Map<string, Map<string, string>>();
  for (const t of tables) {
    const to = tableNames.get(t.name)!;
    if (to !== t.name) renames.push({ table: t.name, to });
    const cols = storedNamesOf(
      t.columns.map((c) => c.name),
      rules,
    );
    columns.set(t.name, cols);
    for (const [c, s] of cols) if (c !== s) renames.push({ table: t.name, column: c, to: s });
  }
  return { tables: tableNames, columns, renames };
}

/** A rename as text: `table.column → stored` (or `table → stored`). */
export function describeRename(r: Rename): string {
  return r.column === undefined ? `table "${r.table}" → "${r.to}"` : `"${r.table}"."${r.column}" → "${r.to}"`;
}
