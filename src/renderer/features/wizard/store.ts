import { create } from 'zustand';
import type { DatasetMetadata, Problem, SensitiveHit, SynthesisConfig, SynthesisRecord } from '../../../shared';
import { validateConfig } from '../../../shared';
import { call } from '../../lib/api';
import { layoutTables } from '../schema-graph/layout';

export const wizardSteps = [
  { key: 'data', label: 'Choose data' },
  { key: 'primary-keys', label: 'Primary keys' },
  { key: 'foreign-keys', label: 'Foreign keys' },
  { key: 'treatment', label: 'Data treatment' },
  { key: 'settings', label: 'Synth settings' },
  { key: 'destination', label: 'Destination' },
  { key: 'review', label: 'Review and run' },
] as const;
export type WizardStepKey = (typeof wizardSteps)[number]['key'];

interface State {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  sourceId: string | null;
  synthesisId: string | null;
  name: string;
  metadata: DatasetMetadata | null;
  sensitive: SensitiveHit[];
  config: SynthesisConfig | null;
  problems: Problem[];
  step: number;
  positions: Record<string, { x: number; y: number }>;
}

interface Actions {
  /** Starts a new synthesis of a source: its metadata and the default config. */
  openSource(sourceId: string, sourceName: string): Promise<void>;
  /** Edits an existing synthesis. */
  openSynthesis(record: SynthesisRecord): Promise<void>;
  /** Applies a pure edit to the config and re-validates. */
  update(edit: (c: SynthesisConfig) => SynthesisConfig): void;
  setName(name: string): void;
  setStep(step: number): void;
  relayout(): void;
  moveTable(table: string, pos: { x: number; y: number }): void;
  reset(): void;
}

export const initialWizardState: State = {
  status: 'idle',
  error: null,
  sourceId: null,
  synthesisId: null,
  name: '',
  metadata: null,
  sensitive: [],
  config: null,
  problems: [],
  step: 0,
  positions: {},
};

export const useWizard = create<State & Actions>()((set, get) => ({
  ...initialWizardState,

  async openSource(sourceId, sourceName) {
    set({ ...initialWizardState, status: 'loading', sourceId, name: `${sourceName} synthesis` });
    try {
      const [inspected, config] = await Promise.all([call('sources.inspect', { id: sourceId }), call('syntheses.defaultConfig', { sourceId })]);
      const named = { ...config, name: `${sourceName} synthesis` };
      set({
        status: 'ready',
        metadata: inspected.metadata,
        sensitive: inspected.sensitive,
        config: named,
        problems: validateConfig(named, inspected.metadata),
        positions: layoutTables(named, inspected.metadata),
      });
    } catch (e) {
      set({ status: 'error', error: e instanceof Error ? e.message : String(e) });
    }
  },

  async openSynthesis(record) {
    set({ ...initialWizardState, status: 'loading', sourceId: record.sourceId, synthesisId: record.id, name: record.name });
    try {
      if (!record.sourceId) throw new Error(`The source of "${record.name}" is no longer in the project.`);
      const inspected = await call('sources.inspect', { id: record.sourceId });
      set({
        status: 'ready',
        metadata: inspected.metadata,
        sensitive: inspected.sensitive,
        config: record.config,
        problems: validateConfig(record.config, inspected.metadata),
        positions: layoutTables(record.config, inspected.metadata),
      });
    } catch (e) {
      set({ status: 'error', error: e instanceof Error ? e.message : String(e) });
    }
  },

  update(edit) {
    const { config, metadata } = get();
    if (!config || !metadata) return;
    const next = edit(config);
    if (next === config) return;
    set({ config: next, problems: validateConfig(next, metadata) });
  },

  setName(name) {
    set({ name });
    const { config } = get();
    if (config) set({ config: { ...config, name: name || 'Synthesis' } });
  },

  setStep(step) {
    set({ step: Math.max(0, Math.min(wizardSteps.length - 1, step)) });
  },

  relayout() {
    const { config, metadata } = get();
    if (config && metadata) set({ positions: layoutTables(config, metadata) });
  },

  moveTable(table, pos) {
    set({ positions: { ...get().positions, [table]: pos } });
  },

  reset() {
    set(initialWizardState);
  },
}));

/** Problems of one wizard step. */
export function problemsOfStep(problems: Problem[], key: WizardStepKey): Problem[] {
  return problems.filter((p) => p.step === key);
}
