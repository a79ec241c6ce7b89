import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { Tooltip } from '@mantine/core';
import { IconAsterisk, IconShield } from '../../../lib/icons';
import { formatCount } from '../../../lib/format';
import { handleId, type TableNode as TableNodeType } from '../graph-model';

/** One table: a header and one row per column with a source handle (right) and target handle (left). */
function TableNodeView({ data, selected }: NodeProps<TableNodeType>) {
  const cls = ['table-node', selected ? 'selected' : '', data.problem === 'error' ? 'has-error' : '', data.treatment === 'original' ? 'is-original' : ''].join(
    ' ',
  );
  return (
    <div className={cls} data-table={data.table} aria-label={`Table ${data.table}`}>
      <div className="table-node-header">
        {data.treatment === 'original' ? (
          <Tooltip label="Original data: copied as is, not synthesized">
            <span className="original-asterisk" data-testid={`asterisk-${data.table}`}>
              <IconAsterisk size={14} title="Original data" />
            </span>
          </Tooltip>
        ) : null}
        <span>{data.table}</span>
        <span className="rows">{formatCount(data.rowCount)} rows</span>
      </div>
      {data.columns.map((c) => (
        <div
          key={c.name}
          className={['table-node-row', c.included ? '' : 'excluded', c.problem ? `row-${c.problem}` : ''].join(' ')}
          data-column={`${data.table}.${c.name}`}
        >
          <Handle type="target" position={Position.Left} id={handleId(c.name, 'target')} />
          {c.isPk ? <span className="badge-pk">PK</span> : null}
          {c.isFk ? <span className="badge-fk">FK</span> : null}
          {c.shield ? (
            <span className={`shield-${c.shield}`} data-testid={`shield-${data.table}.${c.name}`} data-shield={c.shield}>
              <IconShield size={13} filled={c.shield === 'green'} title={c.shield === 'green' ? 'Sensitive, synthesized' : 'Sensitive, NOT synthesized'} />
            </span>
          ) : null}
          <span className="col-name">{c.name}</span>
          <span className="col-type">{c.type}</span>
          <Handle type="source" position={Position.Right} id={handleId(c.name, 'source')} />
        </div>
      ))}
    </div>
  );
}

export const TableNodeComponent = memo(TableNodeView);
