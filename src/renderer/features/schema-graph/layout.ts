import dagre from '@dagrejs/dagre';
import type { DatasetMetadata, SynthesisConfig } from '../../../shared';

export const NODE_WIDTH = 250;
export const HEADER_HEIGHT = 44;
export const ROW_HEIGHT = 24;

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

/**
 * Auto-layout of the schema graph (pure), with dagre: children to the left of (or above) their
 * parents, left-to-right unless top-to-bottom fits a landscape view better (wide, shallow trees).
 * Returns the top-left position of each table's node.
 */
export function layoutTables(config: SynthesisConfig, metadata: DatasetMetadata, opts: { showExcluded?: boolean; aspect?: number } = {}): Positions {
  const shown = metadata.tables.filter((t) => {
    const c = config.tables[t.name];
    return c && (opts.showExcluded || c.treatment !== 'exclude');
  });
  const aspect = opts.aspect ?? 1.7;
  const lr = runDagre(config, shown, 'LR');
  if (lr.height === 0 || lr.width / lr.height >= aspect / 2) return lr.pos;
  const tb = runDagre(config, shown, 'TB');
  const miss = (l: { width: number; height: number }) => Math.abs(Math.log(l.width / Math.max(l.height, 1) / aspect));
  return miss(tb) < miss(lr) ? tb.pos : lr.pos;
}
