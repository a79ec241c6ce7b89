import { create } from 'zustand';
import type { DatasetMetadata, SensitiveHit, SourceRecord, SourceSpec } from '../../../shared';
import { call } from '../../lib/api';

interface Inspection {
  metadata: DatasetMetadata;
  sensitive: SensitiveHit[];
}

interface State {
  sources: SourceRecord[];
  loaded: boolean;
  selectedId: string | null;
  inspections: Record<string, Inspection>;
  inspecting: Record<string, boolean>;
  inspectErrors: Record<string, string>;
}

interface Actions {
  load(): Promise<void>;
  /** `destination`: kept as a destination, so an empty database is fine. */
  add(spec: SourceSpec, name?: string, opts?: { destination?: boolean }): Promise<SourceRecord>;
  remove(id: string): Promise<void>;
  select(id: string | null): void;
  inspect(id: string, force?: boolean): Promise<Inspection | null>;
}

export const initialSourcesState: State = { sources: [], loaded: false, selectedId: null, inspections: {}, inspecting: {}, inspectErrors: {} };

export const useSources = create<State & Actions>()((set, get) => ({
  ...initialSourcesState,

  async load() {
    const sources = await call('sources.list', {});
    const selectedId = get().selectedId ?? sources[0]?.id ?? null;
    set({ sources, loaded: true, selectedId });
  },

  async add(spec, name, opts = {}) {
    const record = await call('sources.add', { spec, ...(name ? { name } : {}), ...(opts.destination ? { destination: true } : {}) });
    set({ sources: [...get().sources.filter((s) => s.id !== record.id), record], selectedId: record.id });
    return record;
  },

  async remove(id) {
    await call('sources.remove', { id });
    const sources = get().sources.filter((s) => s.id !== id);
    set({ sources, selectedId: get().selectedId === id ? (sources[0]?.id ?? null) : get().selectedId });
  },

  select(id) {
    set({ selectedId: id });
  },

  async inspect(id, force = false) {
    const cached = get().inspections[id];
    if (cached && !force) return cached;
    set({ inspecting: { ...get().inspecting, [id]: true }, inspectErrors: { ...get().inspectErrors, [id]: '' } });
    try {
      const res = await call('sources.inspect', { id });
      set({ inspections: { ...get().inspections, [id]: res } });
      return res;
    } catch (e) {
      set({ inspectErrors: { ...get().inspectErrors, [id]: e instanceof Error ? e.message : String(e) } });
      return null;
    } finally {
      set({ inspecting: { ...get().inspecting, [id]: false } });
    }
  },
}));
