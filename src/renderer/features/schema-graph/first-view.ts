import type { SynthesisConfig } from '../../../shared';
import { activeForeignKeys } from '../../../shared';
import { nodeId } from './graph-model';

/** The zoom below which a table's 12 px text is no longer readable. */
export const READABLE_ZOOM = 0.8;

interface Box {
  id: string;
  position: { x: number; y: number };
  width?: number;
  height?: number;
}

function bounds(nodes: Box[]): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of nodes) {
    x0 = Math.min(x0, n.position.x);
    y0 = Math.min(y0, n.position.y);
    x1 = Math.max(x1, n.position.x + (n.width ?? 0));
    y1 = Math.max(y1, n.position.y + (n.height ?? 0));
  }
  return { x0, y0, x1, y1 };
}

/**
 * What the schema graph shows first (pure): null when every table fits at a readable zoom (then
 * all are shown), else the node ids to fit: the root table (the synthesized table with no
 * synthesized parent and the most links) and its nearest neighbours, as many as fit readably.
 */
export function firstView(config: SynthesisConfig, nodes: Box[], view: { width: number; height: number }): string[] | null {
  if (nodes.length === 0) return null;
  const room = { w: view.width / READABLE_ZOOM, h: view.height / READABLE_ZOOM };
  const all = bounds(nodes);
  if (all.x1 - all.x0 <= room.w && all.y1 - all.y0 <= room.h) return null;
  const fks = activeForeignKeys(config).filter((fk) => fk.childTable !== fk.parentTable);
  const links = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    if (!links.has(a)) links.set(a, new Set());
    links.get(a)!.add(b);
  };
  for (const fk of fks) {
    link(fk.childTable, fk.parentTable);
    link(fk.parentTable, fk.childTable);
  }
  const synthesizedParent = new Set(fks.filter((fk) => config.tables[fk.parentTable]?.treatment === 'synthesize').map((fk) => fk.childTable));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const tables = Object.keys(config.tables).filter((t) => byId.has(nodeId(t)));
  const roots = tables.filter((t) => config.tables[t]?.treatment === 'synthesize' && !synthesizedParent.has(t));
  const root = (roots.length ? roots : tables).reduce((best, t) => ((links.get(t)?.size ?? 0) > (links.get(best)?.size ?? 0) ? t : best));
  const center = byId.get(nodeId(root))!;
  const cx = center.position.x + (center.width ?? 0) / 2;
  const cy = center.position.y + (center.height ?? 0) / 2;
  const dist = (n: Box) => Math.hypot(n.position.x + (n.width ?? 0) / 2 - cx, n.position.y + (n.height ?? 0) / 2 - cy);
  const neighbours = [...(links.get(root) ?? [])]
    .map((t) => byId.get(nodeId(t)))
    .filter((n): n is Box => n !== undefined)
    .sort((a, b) => dist(a) - dist(b));
  const chosen: Box[] = [center];
  for (const n of neighbours) {
    const b = bounds([...chosen, n]);
    if (b.x1 - b.x0 > room.w || b.y1 - b.y0 > room.h) continue;
    chosen.push(n);
  }
  return chosen.map((n) => n.id);
}

export interface Padding {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/**
 * The viewport (pan and zoom) that shows the given nodes inside a view of this size, within the
 * padding, at a zoom clamped to [minZoom, maxZoom], centred on them (pure: no DOM measuring, so
 * it works while most nodes are not rendered).
 */
export function viewportFor(
  nodes: Box[],
  view: { width: number; height: number },
  pad: Padding,
  zoomRange: { min: number; max: number },
): { x: number; y: number; zoom: number } {
  if (nodes.length === 0) return { x: 0, y: 0, zoom: 1 };
  const b = bounds(nodes);
  const w = Math.max(1, view.width - pad.left - pad.right);
  const h = Math.max(1, view.height - pad.top - pad.bottom);
  const zoom = Math.min(zoomRange.max, Math.max(zoomRange.min, Math.min(w / Math.max(1, b.x1 - b.x0), h / Math.max(1, b.y1 - b.y0))));
  return { x: pad.left + (w - (b.x1 - b.x0) * zoom) / 2 - b.x0 * zoom, y: pad.top + Math.max(0, (h - (b.y1 - b.y0) * zoom) / 2) - b.y0 * zoom, zoom };
}
