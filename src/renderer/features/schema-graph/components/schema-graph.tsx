import { useCallback, useEffect, useMemo, useState } from 'react';
import { applyNodeChanges, Background, Controls, MiniMap, ReactFlow, type Connection, type FitViewOptions, type EdgeChange, type NodeChange } from '@xyflow/react';
import { useComputedColorScheme } from '@mantine/core';
import type { Relationship } from '../../../../shared';
import { relationshipKey } from '../../../../shared';
import { useWizard } from '../../wizard/store';
import { addForeignKey, removeForeignKeys, setForeignKeyContext } from '../../wizard/config-edit';
import { buildEdges, buildNodes, connectionToFk, tableOfNode, type FkEdge, type TableNode } from '../graph-model';
import { TableNodeComponent } from './table-node';

const nodeTypes = { table: TableNodeComponent };
// Room on the left for the zoom controls and on the right for the minimap, so no table hides under them.
const fitViewOptions: FitViewOptions = { padding: { top: '16px', bottom: '16px', left: '52px', right: '172px' } };

interface Props {
  /** Called when a drawn edge was turned into a foreign key (for a notice). */
  onAdded?(fk: Relationship): void;
  selectedEdges: string[];
  onSelectEdges(ids: string[]): void;
  height?: number | string;
}

/** The schema graph of the wizard: tables as nodes, FKs as edges (context solid, non-context dashed); draw to add, Delete to remove, double-click to switch context. */
export function SchemaGraph({ onAdded, selectedEdges, onSelectEdges, height = 520 }: Props) {
  const config = useWizard((s) => s.config);
  const metadata = useWizard((s) => s.metadata);
  const problems = useWizard((s) => s.problems);
  const positions = useWizard((s) => s.positions);
  const update = useWizard((s) => s.update);
  const moveTable = useWizard((s) => s.moveTable);
  const scheme = useComputedColorScheme('light');

  const derived = useMemo(() => (config && metadata ? buildNodes(config, metadata, problems, positions) : []), [config, metadata, problems, positions]);
  // React Flow keeps measurements and selection on its nodes: merge them into the derived ones.
  const [nodes, setNodes] = useState<TableNode[]>(derived);
  useEffect(() => {
    setNodes((prev) => {
      const old = new Map(prev.map((n) => [n.id, n]));
      return derived.map((n) => {
        const o = old.get(n.id);
        return o ? { ...n, measured: o.measured, selected: o.selected, dragging: o.dragging } : n;
      });
    });
  }, [derived]);
  const edges = useMemo(() => {
    if (!config) return [];
    const sel = new Set(selectedEdges);
    return buildEdges(config, problems).map((e) => ({ ...e, selected: sel.has(e.id) }));
  }, [config, problems, selectedEdges]);

  const onNodesChange = useCallback(
    (changes: NodeChange<TableNode>[]) => {
      setNodes((prev) => applyNodeChanges(changes, prev));
    },
    [],
  );

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

  return (
    <div style={{ height, width: '100%' }} className="schema-graph" data-testid="schema-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onEdgeDoubleClick={(_e, edge) => edge.data && edge.data.context !== null && update((c) => setForeignKeyContext(c, relationshipKey(edge.data!.fk), !edge.data!.context))}
        onNodeDragStop={(_e, node) => moveTable(tableOfNode(node.id), node.position)}
        colorMode={scheme}
        fitView
        fitViewOptions={fitViewOptions}
        minZoom={0.03}
        maxZoom={2}
        deleteKeyCode={['Delete', 'Backspace']}
        onlyRenderVisibleElements
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable nodeStrokeWidth={3} style={{ width: 150, height: 96 }} />
      </ReactFlow>
    </div>
  );
}
