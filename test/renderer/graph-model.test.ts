import { describe, expect, it } from 'vitest';
import { defaultConfig, relationshipKey, validateConfig } from '../../src/shared';
import { buildEdges, buildNodes, connectionToFk, handleId, nodeId, parseHandleId, shieldOf } from '../../src/renderer/features/schema-graph/graph-model';
import { layoutTables, NODE_WIDTH } from '../../src/renderer/features/schema-graph/layout';
import {
  addForeignKey,
  setForeignKeyContext,
  setColumnSensitive,
  setColumnTreatment,
  setTableIncluded,
  setTableTreatment,
} from '../../src/renderer/features/wizard/config-edit';
import { shopConfig, wideMetadata } from './fixtures';

describe('schema graph mapping', () => {
  it('has one node per included table and one row per column, with PK and FK badges', () => {
    const { metadata, config } = shopConfig();
    const nodes = buildNodes(config, metadata, [], {});
    expect(nodes.map((n) => n.data.table)).toEqual(['Customer', 'Invoice', 'InvoiceLine', 'Product', 'Category']);
    const line = nodes.find((n) => n.data.table === 'InvoiceLine')!;
    expect(line.data.columns.map((c) => c.name)).toEqual(['InvoiceLineId', 'InvoiceId', 'ProductId', 'Quantity']);
    expect(line.data.columns.filter((c) => c.isPk).map((c) => c.name)).toEqual(['InvoiceLineId']);
    expect(line.data.columns.filter((c) => c.isFk).map((c) => c.name)).toEqual(['InvoiceId', 'ProductId']);
  });

  it('leaves excluded tables and their edges out of the graph', () => {
    const { metadata, config } = shopConfig();
    const c = setTableIncluded(config, 'Category', false);
    expect(buildNodes(c, metadata, [], {}).map((n) => n.data.table)).not.toContain('Category');
    expect(buildEdges(c).some((e) => e.target === nodeId('Category'))).toBe(false);
  });

  it('draws each FK from the child column handle to the parent key handle', () => {
    const { config } = shopConfig();
    const edges = buildEdges(config);
    expect(edges).toHaveLength(4);
    const e = edges.find((x) => x.source === nodeId('Invoice'))!;
    expect(e.target).toBe(nodeId('Customer'));
    expect(parseHandleId(e.sourceHandle)).toEqual({ column: 'CustomerId', side: 'source' });
    expect(parseHandleId(e.targetHandle)).toEqual({ column: 'CustomerId', side: 'target' });
  });

  it('turns a drawn connection into a user FK, and the FK into an edge with the same ids', () => {
    const { config } = shopConfig();
    const fk = connectionToFk({
      source: nodeId('Customer'),
      sourceHandle: handleId('Country', 'source'),
      target: nodeId('Category'),
      targetHandle: handleId('CategoryId', 'target'),
    });
    expect(fk).toEqual({ childTable: 'Customer', childColumns: ['Country'], parentTable: 'Category', parentColumns: ['CategoryId'], origin: 'user' });
    const next = addForeignKey(config, fk!);
    expect(next.foreignKeys).toHaveLength(5);
    expect(addForeignKey(next, fk!).foreignKeys).toHaveLength(5);
    const edge = buildEdges(next).find((e) => e.id === relationshipKey(fk!));
    expect(edge?.source).toBe(nodeId('Customer'));
    expect(edge?.targetHandle).toBe(handleId('CategoryId', 'target'));
  });

  it('rejects connections without column handles or onto the same column', () => {
    expect(connectionToFk({ source: nodeId('A'), sourceHandle: null, target: nodeId('B'), targetHandle: handleId('x', 'target') })).toBeNull();
    expect(
      connectionToFk({ source: nodeId('A'), sourceHandle: handleId('x', 'source'), target: nodeId('A'), targetHandle: handleId('x', 'target') }),
    ).toBeNull();
  });

  it('keeps column names with colons and spaces intact through the handle ids', () => {
    expect(parseHandleId(handleId('a:b c', 'source'))).toEqual({ column: 'a:b c', side: 'source' });
    expect(parseHandleId('garbage')).toBeNull();
  });

  it('shows a green shield for a synthesized sensitive column and a gray one when it is kept or the table is original', () => {
    const { metadata, config } = shopConfig();
    let c = setColumnSensitive(config, 'Customer', 'Email', true);
    expect(shieldOf(c, 'Customer', 'Email')).toBe('green');
    expect(shieldOf(c, 'Customer', 'Name')).toBeNull();
    c = setColumnTreatment(c, 'Customer', 'Email', 'keep');
    expect(shieldOf(c, 'Customer', 'Email')).toBe('gray');
    const row = buildNodes(c, metadata, [], {})
      .find((n) => n.data.table === 'Customer')!
      .data.columns.find((x) => x.name === 'Email')!;
    expect(row.shield).toBe('gray');
    const orig = setTableTreatment(setColumnSensitive(config, 'Category', 'Label', true), 'Category', 'original');
    expect(shieldOf(orig, 'Category', 'Label')).toBe('gray');
  });

  it('marks original-data tables and attaches validation problems to their node and column', () => {
    const { metadata, config } = shopConfig();
    const c = setTableTreatment(setTableTreatment(config, 'Category', 'original'), 'Customer', 'original');
    const problems = validateConfig(c, metadata);
    const nodes = buildNodes(c, metadata, problems, {});
    expect(nodes.find((n) => n.data.table === 'Category')!.data.treatment).toBe('original');
    // With Customer as original data, Invoice and Product both become roots: several roots are fine.
    expect(problems.filter((p) => p.step === 'foreign-keys')).toEqual([]);
  });

  it('draws context FKs solid and non-context ones dashed, and switches them', () => {
    const { config } = shopConfig();
    // InvoiceLine has two synthesized parents: Invoice (deeper) is its context, Product non-context.
    const edge = (c: typeof config, child: string, parent: string) =>
      buildEdges(c).find((e) => e.data!.fk.childTable === child && e.data!.fk.parentTable === parent)!;
    expect(edge(config, 'InvoiceLine', 'Invoice').data!.context).toBe(true);
    expect(edge(config, 'InvoiceLine', 'Product').className).toContain('fk-edge-noncontext');
    expect(edge(config, 'InvoiceLine', 'Product').ariaLabel).toMatch(/non-context/);
    // A lookup into original data is neither.
    expect(edge(config, 'Product', 'Category').data!.context).toBeNull();
    const switched = setForeignKeyContext(config, relationshipKey(edge(config, 'InvoiceLine', 'Product').data!.fk), true);
    expect(edge(switched, 'InvoiceLine', 'Product').data!.context).toBe(true);
    expect(edge(switched, 'InvoiceLine', 'Invoice').className).toContain('fk-edge-noncontext');
    expect(validateConfig(switched, shopConfig().metadata).filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('lays out 50 tables without overlaps, every parent after its children (right of or below them)', () => {
    const metadata = wideMetadata(50);
    const config = defaultConfig(metadata, { kind: 'sqlite', path: '/x' });
    const pos = layoutTables(config, metadata);
    expect(Object.keys(pos)).toHaveLength(50);
    const boxes = metadata.tables.map((t) => ({ ...pos[t.name]!, h: 44 + t.columns.length * 24 + 8 }));
    for (const fk of metadata.relationships) {
      const c = pos[fk.childTable]!;
      const p = pos[fk.parentTable]!;
      expect(p.x >= c.x + NODE_WIDTH || p.y >= c.y + 44 + 8 * 24).toBe(true);
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const overlap = a.x < b.x + NODE_WIDTH && b.x < a.x + NODE_WIDTH && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap).toBe(false);
      }
    }
    expect(buildNodes(config, metadata, [], pos)).toHaveLength(50);
    expect(buildEdges(config)).toHaveLength(49);
  });

  it('keeps a landscape shape: a wide, shallow tree is laid out top to bottom, a chain left to right', () => {
    const wide = wideMetadata(50);
    const pw = layoutTables(defaultConfig(wide, { kind: 'sqlite', path: '/x' }), wide);
    const extent = (p: Record<string, { x: number; y: number }>) => {
      const xs = Object.values(p).map((v) => v.x);
      const ys = Object.values(p).map((v) => v.y);
      return { w: Math.max(...xs) - Math.min(...xs) + NODE_WIDTH, h: Math.max(...ys) - Math.min(...ys) + 300 };
    };
    const e = extent(pw);
    expect(e.w).toBeGreaterThan(e.h);
    const { metadata, config } = shopConfig();
    const ps = layoutTables(config, metadata);
    expect(ps['Customer']!.x).toBeGreaterThan(ps['Invoice']!.x + NODE_WIDTH - 1);
  });
});
