import { create } from 'zustand';
import type { DatasetMetadata, KeyContainment, Problem, SensitiveHit, SynthesisConfig, SynthesisRecord } from '../../../shared';
import { validateConfig } from '../../../shared';
import { call } from '../../lib/api';
import { layoutTables } from '../schema-graph/layout';
import { browserStorage, clearDraft, draftKey, LAST_SOURCE_KEY, readDraft, writeDraft, type WizardDraft } from './draft';

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
  /** The user changed something since the source was opened (so the draft is worth keeping). */
  dirty: boolean;
  /** Unsaved work found for this source, offered with "Restore draft?". */
  draftOffer: WizardDraft | null;
  /** The password of a destination entered without saving it: in memory only, never in the config or the draft. */
  destinationPassword: string | null;
  /** Keys drawn in this session, checked on the data (by relationshipKey): validation warns of values without a parent. */
  keyChecks: Record<string, KeyContainment>;
}

interface Actions {
  /** Starts a new synthesis of a source: its metadata and the default config. */
  openSource(sourceId: string, sourceName: string): Promise<void>;
  /** Edits an existing synthesis. */
  openSynthesis(record: SynthesisRecord): Promise<void>;
  /** Applies a pure edit to the config and re-validates. */
  update(edit: (c: SynthesisConfig) => SynthesisConfig): void;
  /** Records what the check of a drawn key found on the data, and re-validates. */
  keyChecked(key: string, check: KeyContainment): void;
  setName(name: string): void;
  setStep(step: number): void;
  relayout(): void;
  moveTable(table: string, pos: { x: number; y: number }): void;
  /** Takes the offered draft back into the wizard. */
  restoreDraft(): void;
  /** Throws the offered draft away. */
  discardDraft(): void;
  /** After a reload on the wizard: reopens the source that has unsaved work, if any. */
  resume(): Promise<void>;
  /** The synthesis was saved and started: its draft is no longer needed, the wizard starts afresh. */
  ran(): void;
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
  dirty: false,
  draftOffer: null,
  destinationPassword: null,
  keyChecks: {},
};

/** The configuration's problems, with what the drawn keys' checks found on the data. */
function validate(config: SynthesisConfig, metadata: DatasetMetadata, keyChecks: Record<string, KeyContainment> = {}): Problem[] {
  return validateConfig(config, metadata, { tables: {}, keys: keyChecks });
}

function rememberSource(id: string | null, name: string): void {
  try {
    const storage = browserStorage();
    if (id) storage?.setItem(LAST_SOURCE_KEY, JSON.stringify({ id, name }));
    else storage?.removeItem(LAST_SOURCE_KEY);
  } catch {
    // No storage: nothing to resume after a reload.
  }
}

function lastSource(): { id: string; name: string } | null {
  try {
    const raw = browserStorage()?.getItem(LAST_SOURCE_KEY);
    const v: unknown = raw ? JSON.parse(raw) : null;
    if (v && typeof v === 'object' && 'id' in v && 'name' in v && typeof v.id === 'string' && typeof v.name === 'string') return { id: v.id, name: v.name };
  } catch {
    // Unreadable: ignore.
  }
  return null;
}

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
        problems: validate(named, inspected.metadata),
        positions: layoutTables(named, inspected.metadata),
        draftOffer: readDraft(browserStorage(), sourceId, inspected.metadata),
      });
      rememberSource(sourceId, sourceName);
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
        problems: validate(record.config, inspected.metadata),
        positions: layoutTables(record.config, inspected.metadata),
        draftOffer: readDraft(browserStorage(), record.sourceId, inspected.metadata),
      });
      rememberSource(record.sourceId, record.name);
    } catch (e) {
      set({ status: 'error', error: e instanceof Error ? e.message : String(e) });
    }
  },

  update(edit) {
    const { config, metadata, keyChecks } = get();
    if (!config || !metadata) return;
    const next = edit(config);
    if (next === config) return;
    set({ config: next, problems: validate(next, metadata, keyChecks), dirty: true });
  },

  keyChecked(key, check) {
    const { config, metadata } = get();
    const keyChecks = { ...get().keyChecks, [key]: check };
    set({ keyChecks, ...(config && metadata ? { problems: validate(config, metadata, keyChecks) } : {}) });
  },

  setName(name) {
    set({ name, dirty: true });
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
    set({ positions: { ...get().positions, [table]: pos }, dirty: true });
  },

  restoreDraft() {
    const { draftOffer: d, metadata, keyChecks } = get();
    if (!d || !metadata) return;
    set({
      draftOffer: null,
      dirty: true,
      synthesisId: d.synthesisId,
      name: d.name,
      config: d.config,
      problems: validate(d.config, metadata, keyChecks),
      positions: { ...layoutTables(d.config, metadata), ...d.positions },
    });
    get().setStep(d.step);
  },

  discardDraft() {
    const { sourceId } = get();
    if (sourceId) clearDraft(browserStorage(), sourceId);
    set({ draftOffer: null });
  },

  async resume() {
    if (get().status !== 'idle') return;
    const last = lastSource();
    if (last && browserStorage()?.getItem(draftKey(last.id))) await get().openSource(last.id, last.name);
  },

  ran() {
    // The synthesis is saved and running: "New synthesis" starts a fresh one from here on.
    get().reset();
  },

  reset() {
    const { sourceId } = get();
    if (sourceId) clearDraft(browserStorage(), sourceId);
    rememberSource(null, '');
    set(initialWizardState);
  },
}));

/** Problems of one wizard step. */
export function problemsOfStep(problems: Problem[], key: WizardStepKey): Problem[] {
  return problems.filter((p) => p.step === key);
}

/**
 * Saves the wizard's unsaved work (debounced) while the user edits; never over a draft still on
 * offer. A save still pending when the page goes away (reload, close) is written at once.
 */
function autosaveDrafts(): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const save = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    const now = useWizard.getState();
    if (now.status !== 'ready' || !now.dirty || now.draftOffer || !now.sourceId || !now.config) return;
    writeDraft(browserStorage(), {
      sourceId: now.sourceId,
      synthesisId: now.synthesisId,
      name: now.name,
      config: now.config,
      step: now.step,
      positions: now.positions,
      savedAt: new Date().toISOString(),
    });
  };
  useWizard.subscribe((s) => {
    if (s.status !== 'ready' || !s.dirty || s.draftOffer || !s.sourceId || !s.config) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 250);
  });
  window.addEventListener('pagehide', () => {
    if (timer) save();
  });
}

if (typeof window !== 'undefined') autosaveDrafts();
