/** Adult's training table and a model fitted on it, every column synthesized as its type (the sampling benches). */
import { synthSettingsSchema, type TableConfig } from '../../src/shared/config';
import { fitTable, prepareTable, type PreparedTable, type TableModel } from '../../src/worker/engine/table-model';
import { loadTable, type LoadedTable } from './datasets';

export async function fitAdult(timeBudgetSeconds: number): Promise<{ table: LoadedTable; prepared: PreparedTable; model: TableModel }> {
  const table = loadTable('adult', 'adult_train');
  const config: TableConfig = {
    treatment: 'synthesize',
    primaryKey: [],
    columns: Object.fromEntries(
      table.columns.map((c) => [c.name, { included: true, sdtype: c.sdtype, sensitive: false, treatment: 'synthesize' as const, options: {} }]),
    ),
  };
  const settings = synthSettingsSchema.parse({ timeBudgetSeconds });
  const prepared = prepareTable(table.batch, { table: 'adult', config, columns: table.columns, settings });
  return { table, prepared, model: await fitTable(prepared) };
}
