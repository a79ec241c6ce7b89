/**
 * "org.staff", a self-referencing table whose sample breaks into false roots: 2,000 roots (one
 * with a reference to no row), a quarter of them heading a chain ten deep, a quarter bushy (five
 * reports, those with up to two each), a quarter with one report, a quarter alone; one chain 40
 * deep (cut at the counted depth) and three rows referencing each other in a cycle (reached from
 * no root). Keys are texts (`code`), the reference is `boss`.
 */
import { childCountHistogram, MAX_FOREST_DEPTH, type ForestLevels } from '../../src/shared/table-stats';

export const TABLE = 'org.staff';
const ROOTS = 2000;

export interface Person {
  code: string;
  boss: string | null;
  /** Depth from the root; −1 on the cycle. */
  depth: number;
  kids: number;
}

export const people: Person[] = [];
function add(boss: Person | null, depth: number): Person {
  const p: Person = { code: `e.${String(people.length).padStart(6, '0')}`, boss: boss?.code ?? null, depth, kids: 0 };
  if (boss) boss.kids += 1;
  people.push(p);
  return p;
}
for (let i = 0; i < ROOTS; i++) {
  const root = add(null, 0);
  if (i === 7) root.boss = 'nobody';
  if (i % 4 === 1) for (let d = 1, at = root; d <= 10; d++) at = add(at, d);
  if (i % 4 === 2)
    for (let j = 0; j < 5; j++) {
      const r = add(root, 1);
      for (let k = 0; k < j % 3; k++) add(r, 2);
    }
  if (i % 4 === 3) add(root, 1);
}
for (let d = 1, at = people[0]!; d <= 40; d++) at = add(at, d);
const cycle = [0, 1, 2].map(() => add(null, -1));
cycle.forEach((p, k) => (p.boss = cycle[(k + 1) % 3]!.code));

/** Parents first, then shuffled within each depth. */
export const rows = [...people].sort((a, b) => a.depth - b.depth || ((a.code.charCodeAt(8) * 7) % 10) - ((b.code.charCodeAt(8) * 7) % 10));
export const STAFF = rows.length;

/** The table's cells: code, boss, dept, salary. */
export const cells = rows.map((p, i) => [p.code, p.boss, ['ops', 'sales', 'it'][i % 3]!, 1000 + ((i * 37) % 900)]);

/** The table's DDL, its key and reference typed `text` and names quoted by `q`. */
export const staffDdl = (text: string, q: string): string =>
  `CREATE TABLE ${q}${TABLE}${q} (code ${text} PRIMARY KEY, boss ${text}, dept ${text} NOT NULL, salary integer NOT NULL)`;

/** The levels computed in JavaScript from the rows as built: depth and children of every row reached from a root. */
export const WHOLE: ForestLevels = Array.from({ length: MAX_FOREST_DEPTH + 1 }, (_, d) => {
  const at = people.filter((p) => p.depth === d);
  return { rows: at.length, children: childCountHistogram(at.map((p) => (d === MAX_FOREST_DEPTH ? 0 : p.kids))) };
});
const reached = WHOLE.reduce((a, l) => a + l.rows, 0);
/** The share of roots among the rows reached from a root. */
export const ROOT_SHARE = WHOLE[0]!.rows / reached;
