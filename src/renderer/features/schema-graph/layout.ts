import dagre from '@dagrejs/dagre';
import type { DatasetMetadata, SynthesisConfig } from '../../../shared';

export const NODE_WIDTH = 250;
export const HEADER_HEIGHT = 44;
export const ROW_HEIGHT = 24;
/** The connection dots: large enough to hit with a mouse. */
export const HANDLE_SIZE = 14;

export function nodeHeight(columnCount: number): number {
  return HEADER_HEIGHT + columnCount * ROW_HEIGHT + 8;
}

type Positions = Record<string, { x: number; y: number }>;

function runDagre(config: SynthesisConfig, shown: DatasetMetadata['tables'], rankdir: 'LR' | 'TB'): { pos: Positions; width: number; height: number } {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir, nodesep: 40, ranksep: rankdir === 'LR' ? 90 : 60, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const t of shown) g.setNode(t.name, { width: NODE_WIDTH, height: nodeHeight(t.columns.length) });
  for (const fk of config.foreignKeys) {
    if (fk.childTable !== fk.parentTable && g.hasNode(fk.childTable) && g.hasNode(fk.parentTable)) g.setEdge(fk.childTable, fk.parentTable);
  }
  dagre.layout(g);
  const pos: Positions = {};
  let width = 0;
  let height = 0;
  for (const t of shown) {
    const n = g.node(t.name) as { x: number; y: number; width: number; height: number } | undefined;
    if (!n) continue;
    pos[t.name] = { x: n.x - n.width / 2, y: n.y - n.height / 2 };
    width = Math.max(width, n.x + n.width / 2);
    height = Math.max(height, n.y + n.height / 2);
  }
  return { pos, width, height };
}

/** Above this many tables dagre's crossing minimisation takes seconds: the layered layout below takes milliseconds. */
const DAGRE_MAX_TABLES = 24;
const COLUMN_GAP = 110;
const ROW_GAP = 28;

/**
 * A layered left-to-right layout in linear time for large schemas: parents to the right of their
 * children (a table's column is the longest chain of parents above it), tables in a column
 * ordered by where their parents and children sit (barycentre sweeps), each placed level with
 * them when there is room.
 */
function layeredLayout(config: SynthesisConfig, shown: DatasetMetadata['tables'], rankdir: 'LR' | 'TB'): { pos: Positions; width: number; height: number } {
  const names = new Set(shown.map((t) => t.name));
  const parents = new Map<string, string[]>(shown.map((t) => [t.name, []]));
  const children = new Map<string, string[]>(shown.map((t) => [t.name, []]));
  for (const fk of config.foreignKeys) {
    if (fk.childTable === fk.parentTable || !names.has(fk.childTable) || !names.has(fk.parentTable)) continue;
    parents.get(fk.childTable)!.push(fk.parentTable);
    children.get(fk.parentTable)!.push(fk.childTable);
  }
  // Level = longest parent chain (Kahn's order; tables on a cycle keep the level reached so far).
  const level = new Map<string, number>(shown.map((t) => [t.name, 0]));
  const waiting = new Map<string, number>(shown.map((t) => [t.name, new Set(parents.get(t.name)).size]));
  const queue = shown.filter((t) => waiting.get(t.name) === 0).map((t) => t.name);
  while (queue.length > 0) {
    const t = queue.shift()!;
    for (const c of new Set(children.get(t))) {
      level.set(c, Math.max(level.get(c)!, level.get(t)! + 1));
      const left = waiting.get(c)! - 1;
      waiting.set(c, left);
      if (left === 0) queue.push(c);
    }
  }
  const maxLevel = Math.max(0, ...level.values());
  const columns: string[][] = Array.from({ length: maxLevel + 1 }, () => []);
  for (const t of shown) columns[level.get(t.name)!]!.push(t.name);
  const height = new Map(shown.map((t) => [t.name, nodeHeight(t.columns.length)]));
  // Across a level: heights when levels are columns (LR), widths when they are rows (TB).
  const cross = (t: string): number => (rankdir === 'LR' ? height.get(t)! : NODE_WIDTH);
  const gap = rankdir === 'LR' ? ROW_GAP : 40;
  const y = new Map<string, number>();
  const place = (col: string[], neighbours: Map<string, string[]>): void => {
    const bary = (t: string): number => {
      const ys = (neighbours.get(t) ?? []).map((n) => y.get(n)).filter((v): v is number => v !== undefined);
      return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Number.NaN;
    };
    const keyed = col.map((t, i) => ({ t, key: bary(t), i }));
    keyed.sort((a, b) => (Number.isNaN(a.key) || Number.isNaN(b.key) ? a.i - b.i : a.key - b.key));
    let bottom = -Infinity;
    col.length = 0;
    for (const { t, key } of keyed) {
      const h = cross(t);
      const top = Math.max(bottom === -Infinity ? 0 : bottom + gap, Number.isNaN(key) ? 0 : key - h / 2);
      y.set(t, top + h / 2);
      bottom = top + h;
      col.push(t);
    }
  };
  for (const col of columns) place(col, parents);
  for (let sweep = 0; sweep < 2; sweep++) {
    for (let l = maxLevel - 1; l >= 0; l--) place(columns[l]!, children);
    for (let l = 1; l <= maxLevel; l++) place(columns[l]!, parents);
  }
  const top = Math.min(...shown.map((t) => y.get(t.name)! - cross(t.name) / 2));
  // Along the levels: the roots last (right in LR, bottom in TB), children before their parents.
  const along: number[] = [];
  let at = 0;
  for (let l = maxLevel; l >= 0; l--) {
    along[l] = at;
    at += rankdir === 'LR' ? NODE_WIDTH + COLUMN_GAP : Math.max(...columns[l]!.map((t) => height.get(t)!), 0) + 60;
  }
  const pos: Positions = {};
  let width = 0;
  let heightTotal = 0;
  columns.forEach((col, l) => {
    for (const t of col) {
      const c = y.get(t)! - cross(t) / 2 - top;
      pos[t] = rankdir === 'LR' ? { x: along[l]!, y: c } : { x: c, y: along[l]! };
      width = Math.max(width, pos[t].x + NODE_WIDTH);
      heightTotal = Math.max(heightTotal, pos[t].y + height.get(t)!);
    }
  });
  return { pos, width, height: heightTotal };
}

/**
 * Auto-layout of the schema graph (pure). Large schemas get the layered layout above; smaller
 * ones dagre: children to the left of (or above) their
 * parents, left-to-right unless top-to-bottom fits a landscape view better (wide, shallow trees).
 * Returns the top-left position of each table's node.
 */
export function layoutTables(config: SynthesisConfig, metadata: DatasetMetadata, opts: { showExcluded?: boolean; aspect?: number } = {}): Positions {
  const shown = metadata.tables.filter((t) => {
    const c = config.tables[t.name];
    return c && (opts.showExcluded || c.treatment !== 'exclude');
  });
  const aspect = opts.aspect ?? 1.7;
  const run = (rankdir: 'LR' | 'TB') => (shown.length > DAGRE_MAX_TABLES ? layeredLayout(config, shown, rankdir) : runDagre(config, shown, rankdir));
  const lr = run('LR');
  if (lr.height === 0 || lr.width / lr.height >= aspect / 2) return lr.pos;
  const tb = run('TB');
  const miss = (l: { width: number; height: number }) => Math.abs(Math.log(l.width / Math.max(l.height, 1) / aspect));
  return miss(tb) < miss(lr) ? tb.pos : lr.pos;
}
