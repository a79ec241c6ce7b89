/**
 * Train: the compute backend started (`build`, the "Building the model" step) and every table's
 * model fitted by the dataset's engine. Artifact per table (model-artifacts.ts): training.json
 * and, for the network, weights.json + weights.bin. Loading it reads the weights back into the
 * encoded dataset, so that generating again trains nothing.
 */
import type { ModelChoiceReport } from '../../../report/schema';
import { initBackend } from '../backend';
import { loadTableModel, writeModelArtifacts } from '../model-artifacts';
import { writeRelationalArtifact } from '../relational/artifacts';
import { modelChoiceReason } from '../model/select';
import { fitTable, type TableModel } from '../table-model';
import type { BuiltDataset, PreparedDataset, TableFitter } from './dataset';
import type { ReloadableStage, StageContext } from './stage';

export async function build(prepared: PreparedDataset): Promise<BuiltDataset> {
  const backend = await initBackend(prepared.input.config.settings.device);
  prepared.input.log?.('info', `Compute backend: ${backend}.`);
  return { prepared, backend, models: {} };
}

async function fitAll(built: BuiltDataset, fit: TableFitter, ctx: StageContext): Promise<BuiltDataset> {
  await built.prepared.engine.fit(built, {
    fit,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.progress ? { onProgress: ctx.progress } : {}),
    onFitted: (name, model) => ctx.log?.('info', `Table "${name}": ${describeModel(model)}.`),
  });
  ctx.progress?.({ done: 1, total: 1 });
  return built;
}

/** Input: a dataset built (`build`) with no models yet; the output is the same dataset with its models. */
export const trainStage: ReloadableStage<BuiltDataset, BuiltDataset, BuiltDataset> = {
  name: 'train',

  run(built, ctx) {
    return fitAll(built, fitTable, ctx);
  },

  async save(built, workspace) {
    for (const name of built.prepared.order) {
      const model = built.models[name];
      if (model) await writeModelArtifacts(workspace, name, model);
    }
    // A relational synthesis: its learned structure and matchers, to generate again without the source.
    const { artifactKey } = built.prepared.input;
    if (built.relational && artifactKey) await writeRelationalArtifact(workspace, built.relational, artifactKey);
  },

  load(from, built, ctx) {
    return fitAll(built, (p) => loadTableModel(from, p), ctx);
  },
};

export function dispose(built: BuiltDataset): void {
  built.prepared.engine.dispose(built);
}

function describeModel(model: TableModel): string {
  const net = `autoregressive network, ${model.net?.history.length ?? 0} epochs (best ${model.net?.bestEpoch ?? 0}, ${model.net?.stoppedBy})`;
  const share = model.selection?.copulaShare ?? 0;
  const kind =
    model.family === 'copula'
      ? 'Gaussian copula'
      : model.family === 'ar'
        ? share > 0
          ? `blend of an ${net} and a Gaussian copula (${Math.round(share * 100)}% of the rows)`
          : net
        : 'no modelled columns';
  return `${kind} in ${model.trainSeconds.toFixed(1)} s${model.selection ? `; ${modelChoiceReason(model.selection)}` : ''}`;
}

const finiteOrNull = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** The report's account of a table's model: family, held-out scores and the reason. */
export function modelSummary(model: TableModel): ModelChoiceReport {
  const s = model.selection;
  const share = s?.copulaShare ?? (model.family === 'copula' ? 1 : 0);
  const family = model.family === 'none' ? 'none' : model.family === 'copula' ? 'copula' : share > 0 ? 'blend' : 'network';
  const reason = s
    ? modelChoiceReason(s)
    : model.differentialPrivacy
      ? 'differential privacy trains the network only (a comparison would read the data outside the budget)'
      : model.net?.arch.contextDim
        ? 'the network is conditioned on the parent row (the copula cannot be)'
        : model.family === 'none'
          ? 'no column is modelled'
          : 'chosen by the settings';
  return {
    family,
    copulaShare: share,
    network: finiteOrNull(s?.network),
    copula: finiteOrNull(s?.copula),
    chosen: finiteOrNull(s?.chosen),
    validationRows: s?.validationRows ?? 0,
    epochs: model.net ? model.net.history.length : null,
    reason,
  };
}
