import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  applyNodeChanges,
  Background,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type Viewport,
} from '@xyflow/react';
import { Select, useComputedColorScheme } from '@mantine/core';
import type { Relationship } from '../../../../shared';
import { relationshipKey } from '../../../../shared';
import { IconSearch } from '../../../lib/icons';
import { useWizard } from '../../wizard/store';
import { addForeignKey, removeForeignKeys, setForeignKeyContext } from '../../wizard/config-edit';
import { buildEdges, buildNodes, connectionToFk, nodeId, tableOfNode, type FkEdge, type TableNode } from '../graph-model';
import { firstView, READABLE_ZOOM, viewportFor } from '../first-view';
import { TableNodeComponent } from './table-node';

const nodeTypes = { table: TableNodeComponent };
// Room on the left for the zoom controls and on the right for the minimap, so no table hides under them.
const padding = { top: 56, bottom: 16, left: 52, right: 172 };
const fitViewOptions = { padding: { top: '56px', bottom: '16px', left: '52px', right: '172px' } } as const;

interface Props {
  /** Called when a drawn edge was turned into a foreign key (for a notice). */
  onAdded?(fk: Relationship): void;
  selectedEdges: string[];
  onSelectEdges(ids: string[]): void;
  height?: number | string;
}

/** Keeps the previous object when nothing a render depends on changed, so React Flow skips it. */
function useStable<T extends { id: string }>(items: T[], signature: (item: T) => string): T[] {
  const cache = useRef(new Map<string, { sig: string; item: T }>());
  return useMemo(() => {
    const next = new Map<string, { sig: string; item: T }>();
    const out = items.map((item) => {
      const sig = signature(item);
      const old = cache.current.get(item.id);
      const kept = old && old.sig === sig ? old.item : item;
      next.set(item.id, { sig, item: kept });
      return kept;
    });
    cache.current = next;
    return out;
  }, [items, signature]);
}

const nodeSignature = (n: TableNode): string => `${n.position.x},${n.position.y}|${JSON.stringify(n.data)}`;
const edgeSignature = (e: FkEdge): string =>
  `${e.className ?? ''}|${e.selected ? 1 : 0}|${e.sourceHandle ?? ''}|${e.targetHandle ?? ''}|${String(e.data?.context)}|${JSON.stringify(e.style ?? null)}|${e.ariaLabel ?? ''}`;

/** "Find a table": picks a table by name and centres the view on it at a readable zoom. */
const FindTable = memo(function FindTable({ tables, onFound }: { tables: string[]; onFound(table: string): void }) {
  const flow = useReactFlow<TableNode, FkEdge>();
  const [value, setValue] = useState<string | null>(null);
  return (
    <Select
      size="xs"
      w={220}
      aria-label="Find a table"
      placeholder="Find a table…"
      leftSection={<IconSearch size={14} />}
      data={tables}
      value={value}
      searchable
      clearable
      limit={50}
      nothingFoundMessage="No table by that name"
      onChange={(table) => {
        setValue(table);
        if (!table) return;
        const node = flow.getNode(nodeId(table));
        if (!node) return;
        const h = node.height ?? 200;
        void flow.setCenter(node.position.x + (node.width ?? 250) / 2, node.position.y + Math.min(h / 2, 180), {
          zoom: Math.max(flow.getZoom(), 0.9),
          duration: 0,
        });
        onFound(table);
      }}
    />
  );
});

/** The schema graph of the wizard: tables as nodes, FKs as edges (context solid, non-context dashed); draw to add, Delete to remove, double-click to switch context. */
export function SchemaGraph({ onAdded, selectedEdges, onSelectEdges, height = 520 }: Props) {
  const config = useWizard((s) => s.config);
  const metadata = useWizard((s) => s.metadata);
  const problems = useWizard((s) => s.problems);
  const positions = useWizard((s) => s.positions);
  const update = useWizard((s) => s.update);
  const moveTable = useWizard((s) => s.moveTable);
  const scheme = useComputedColorScheme('light');
  const box = useRef<HTMLDivElement>(null);
  // Counts layouts applied, so a test can tell when "Auto-layout" has been drawn.
  const layouts = useRef({ positions, count: 0 });
  if (layouts.current.positions !== positions) layouts.current = { positions, count: layouts.current.count + 1 };

  const derived = useStable(
    useMemo(() => (config && metadata ? buildNodes(config, metadata, problems, positions) : []), [config, metadata, problems, positions]),
    nodeSignature,
  );
  // React Flow keeps measurements and selection on its nodes: merge them into the derived ones.
  const [nodes, setNodes] = useState<TableNode[]>(derived);
  useEffect(() => {
    setNodes((prev) => {
      const old = new Map(prev.map((n) => [n.id, n]));
      return derived.map((n) => {
        const o = old.get(n.id);
        if (!o) return n;
        if (o.data === n.data && o.position === n.position) return o;
        return { ...n, measured: o.measured, selected: o.selected, dragging: o.dragging };
      });
    });
  }, [derived]);
  // Built from the config only; selecting an edge then marks it without planning every edge again.
  const built = useMemo(() => (config ? buildEdges(config, problems, metadata ?? undefined) : []), [config, problems, metadata]);
  const edges = useStable(
    useMemo(() => {
      const sel = new Set(selectedEdges);
      return built.map((e): FkEdge => ({ ...e, selected: sel.has(e.id) }));
    }, [built, selectedEdges]),
    edgeSignature,
  );
  const tableNames = useMemo(() => derived.map((n) => n.data.table).sort((a, b) => a.localeCompare(b)), [derived]);

  const onNodesChange = useCallback((changes: NodeChange<TableNode>[]) => {
    setNodes((prev) => applyNodeChanges(changes, prev));
  }, []);

  const onEdgesChange = useCallback(
    (changes: EdgeChange<FkEdge>[]) => {
      const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
      if (removed.length > 0) {
        const keys = edges.filter((e) => removed.includes(e.id) && e.data).map((e) => relationshipKey(e.data!.fk));
        update((c) => removeForeignKeys(c, keys));
        onSelectEdges([]);
        return;
      }
      const sel = new Set(selectedEdges);
      let changed = false;
      for (const c of changes) {
        if (c.type !== 'select') continue;
        changed = true;
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      }
      if (changed) onSelectEdges([...sel]);
    },
    [edges, update, selectedEdges, onSelectEdges],
  );

  const onConnect = useCallback(
    (conn: Connection) => {
      const fk = connectionToFk(conn);
      if (!fk) return;
      update((c) => addForeignKey(c, fk));
      onAdded?.(fk);
    },
    [update, onAdded],
  );

  // The first view, computed from the known node sizes before React Flow mounts: every table when
  // they are readable together, else the root and its neighbours at a readable zoom.
  const [initial, setInitial] = useState<Viewport | null>(null);
  useLayoutEffect(() => {
    if (initial || !box.current || derived.length === 0) return;
    const rect = box.current.getBoundingClientRect();
    const { config: c } = useWizard.getState();
    // The tables around the root must fit inside the padding, or the readable zoom pushes some under the controls.
    const inner = { width: rect.width - padding.left - padding.right, height: rect.height - padding.top - padding.bottom };
    const focus = c ? firstView(c, derived, inner) : null;
    const shown = focus ? derived.filter((n) => focus.includes(n.id)) : derived;
    setInitial(viewportFor(shown, rect, padding, { min: focus ? READABLE_ZOOM : 0.03, max: 1 }));
  }, [initial, derived]);

  const onFound = useCallback((table: string) => {
    const id = nodeId(table);
    setNodes((prev) => prev.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })));
  }, []);

  return (
    <div
      ref={box}
      style={{ height, width: '100%' }}
      className="schema-graph"
      data-testid="schema-graph"
      data-ready={initial ? 'true' : 'false'}
      data-layouts={layouts.current.count}
    >
      {initial ? (
        <ReactFlow
          defaultViewport={initial}
          fitViewOptions={fitViewOptions}
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onEdgeDoubleClick={(_e, edge) =>
            edge.data && edge.data.context !== null && update((c) => setForeignKeyContext(c, relationshipKey(edge.data!.fk), !edge.data!.context))
          }
          onNodeDragStop={(_e, node) => moveTable(tableOfNode(node.id), node.position)}
          colorMode={scheme}
          minZoom={0.03}
          maxZoom={2}
          connectionRadius={28}
          deleteKeyCode={['Delete', 'Backspace']}
          onlyRenderVisibleElements
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={16} />
          <Controls showInteractive={false} />
          <Panel position="top-left">
            <FindTable tables={tableNames} onFound={onFound} />
          </Panel>
          <MiniMap pannable zoomable nodeStrokeWidth={3} style={{ width: 150, height: 96 }} ariaLabel="Minimap of the schema" />
        </ReactFlow>
      ) : null}
    </div>
  );
}
