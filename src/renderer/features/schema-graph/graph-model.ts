import { Position, type Edge, type Node, type NodeHandle } from '@xyflow/react';
import type { DatasetMetadata, Problem, Relationship, SynthesisConfig, TableTreatment } from '../../../shared';
import { activeForeignKeys, relationshipKey } from '../../../shared';
import { buildPlan, metadataHints, synthesizedForeignKeys } from '../../../shared/relational-plan';
import { HANDLE_SIZE, HEADER_HEIGHT, NODE_WIDTH, nodeHeight, ROW_HEIGHT } from './layout';

/** What a column row of a table node shows. */
export interface ColumnRow {
  name: string;
  type: string;
  isPk: boolean;
  isFk: boolean;
  included: boolean;
  /** 'green' = sensitive and synthesized, 'gray' = sensitive and NOT synthesized. */
  shield: 'green' | 'gray' | null;
  problem: 'error' | 'warning' | null;
}

export interface TableNodeData extends Record<string, unknown> {
  table: string;
  treatment: TableTreatment;
  rowCount: number;
  columns: ColumnRow[];
  problem: 'error' | 'warning' | null;
}

export type TableNode = Node<TableNodeData, 'table'>;
/** `context`: true for a table's context FK (solid), false for a non-context one (dashed), null when not between two synthesized tables. */
export type FkEdge = Edge<{ fk: Relationship; context: boolean | null }>;

/** Handle ids: one per column and side. Built and parsed by this pair only. */
export function handleId(column: string, side: 'source' | 'target'): string {
  return `${side === 'source' ? 's' : 't'}:${column}`;
}

export function parseHandleId(id: string | null | undefined): { column: string; side: 'source' | 'target' } | null {
  if (!id) return null;
  const m = /^([st]):(.+)$/.exec(id);
  if (!m) return null;
  return { column: m[2]!, side: m[1] === 's' ? 'source' : 'target' };
}

/**
 * Where each column's dots sit on a table node (the CSS of .table-node draws them there), so
 * React Flow can route edges and fit the view without measuring every node in the DOM first.
 */
export function nodeHandles(columns: readonly string[]): NodeHandle[] {
  const half = HANDLE_SIZE / 2;
  return columns.flatMap((c, i) => {
    const y = 1 + HEADER_HEIGHT + i * ROW_HEIGHT + ROW_HEIGHT / 2 - half;
    return [
      { id: handleId(c, 'target'), type: 'target' as const, position: Position.Left, x: 1 - half, y, width: HANDLE_SIZE, height: HANDLE_SIZE },
      { id: handleId(c, 'source'), type: 'source' as const, position: Position.Right, x: NODE_WIDTH - 1 - half, y, width: HANDLE_SIZE, height: HANDLE_SIZE },
    ];
  });
}

export const nodeId = (table: string): string => `table:${table}`;
export const tableOfNode = (id: string): string => id.replace(/^table:/, '');

function worst(problems: Problem[]): 'error' | 'warning' | null {
  if (problems.some((p) => p.severity === 'error')) return 'error';
  return problems.length > 0 ? 'warning' : null;
}

/** Shield of a column: null when not sensitive. */
export function shieldOf(config: SynthesisConfig, table: string, column: string): 'green' | 'gray' | null {
  const t = config.tables[table];
  const c = t?.columns[column];
  if (!t || !c || !c.sensitive) return null;
  return c.treatment === 'keep' || t.treatment === 'original' ? 'gray' : 'green';
}

/**
 * One node per table of the config (excluded tables left out unless asked), one row per column,
 * with PK/FK badges, shields and the problems that concern them.
 */
export function buildNodes(
  config: SynthesisConfig,
  metadata: DatasetMetadata,
  problems: Problem[],
  positions: Record<string, { x: number; y: number }>,
  opts: { showExcluded?: boolean } = {},
): TableNode[] {
  // Only FKs between included tables and columns count (an FK into an excluded table is a plain column).
  const fkCols = new Set(activeForeignKeys(config).flatMap((fk) => fk.childColumns.map((c) => `${fk.childTable}\u0000${c}`)));
  const nodes: TableNode[] = [];
  for (const meta of metadata.tables) {
    const t = config.tables[meta.name];
    if (!t || (t.treatment === 'exclude' && !opts.showExcluded)) continue;
    const mine = problems.filter((p) => p.table === meta.name);
    const columns: ColumnRow[] = meta.columns.map((col) => {
      const cc = t.columns[col.name];
      return {
        name: col.name,
        type: col.nativeType ?? col.storageType,
        isPk: t.primaryKey.includes(col.name),
        isFk: fkCols.has(`${meta.name}\u0000${col.name}`),
        included: cc?.included ?? false,
        shield: shieldOf(config, meta.name, col.name),
        problem: worst(mine.filter((p) => p.column === col.name)),
      };
    });
    const id = nodeId(meta.name);
    nodes.push({
      id,
      type: 'table',
      position: positions[meta.name] ?? { x: 0, y: 0 },
      width: NODE_WIDTH,
      height: nodeHeight(meta.columns.length),
      // Known sizes count as measured: React Flow can fit the view with most nodes not rendered.
      measured: { width: NODE_WIDTH, height: nodeHeight(meta.columns.length) },
      handles: nodeHandles(meta.columns.map((c) => c.name)),
      data: { table: meta.name, treatment: t.treatment, rowCount: meta.rowCount, columns, problem: worst(mine.filter((p) => !p.column)) },
    });
  }
  return nodes;
}

/** One edge per foreign key column pair, from the child column to the parent's key column. */
export function buildEdges(config: SynthesisConfig, problems: Problem[] = [], metadata?: DatasetMetadata): FkEdge[] {
  const edges: FkEdge[] = [];
  const plan = buildPlan(config, metadata ? metadataHints(metadata) : {});
  const synthesized = new Set(synthesizedForeignKeys(config).map(relationshipKey));
  const fkErrors = problems.filter((p) => p.code.startsWith('FK_') && p.severity === 'error');
  for (const fk of config.foreignKeys) {
    const child = config.tables[fk.childTable];
    const parent = config.tables[fk.parentTable];
    if (!child || !parent || child.treatment === 'exclude' || parent.treatment === 'exclude') continue;
    const key = relationshipKey(fk);
    const bad = fkErrors.some((p) => p.message.includes(`${fk.childTable}(${fk.childColumns.join(', ')})`));
    const self = fk.childTable === fk.parentTable && child.treatment === 'synthesize';
    const context = !synthesized.has(key) && !self ? null : !self && (plan ? plan.tables[fk.childTable]?.context === fk : fk.context !== false);
    fk.childColumns.forEach((col, i) => {
      edges.push({
        id: fk.childColumns.length > 1 ? `${key}#${i}` : key,
        source: nodeId(fk.childTable),
        sourceHandle: handleId(col, 'source'),
        target: nodeId(fk.parentTable),
        targetHandle: handleId(fk.parentColumns[i] ?? '', 'target'),
        type: 'smoothstep',
        data: { fk, context },
        className: bad ? 'fk-edge fk-edge-error' : context === false ? 'fk-edge fk-edge-noncontext' : 'fk-edge',
        ariaLabel: `Foreign key ${fk.childTable}.${col} to ${fk.parentTable}.${fk.parentColumns[i] ?? ''}${context === false ? ' (non-context)' : ''}`,
      });
    });
  }
  return edges;
}

/** A drawn connection as a foreign key (child column → parent column), or null if it is not one. */
export function connectionToFk(conn: {
  source: string | null;
  sourceHandle?: string | null;
  target: string | null;
  targetHandle?: string | null;
}): Relationship | null {
  if (!conn.source || !conn.target) return null;
  const s = parseHandleId(conn.sourceHandle);
  const t = parseHandleId(conn.targetHandle);
  if (!s || !t) return null;
  const childTable = tableOfNode(conn.source);
  const parentTable = tableOfNode(conn.target);
  if (childTable === parentTable && s.column === t.column) return null;
  return { childTable, childColumns: [s.column], parentTable, parentColumns: [t.column], origin: 'user' };
}
