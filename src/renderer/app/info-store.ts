import { create } from 'zustand';
import type { ApiOutput } from '../../shared';
import { call } from '../lib/api';

type Info = ApiOutput<'app.info'>;

interface InfoState {
  info: Info | null;
  load(): Promise<void>;
}

/** What main reports about itself (version, detected compute backend, store folder). */
export const useAppInfo = create<InfoState>()((set, get) => ({
  info: null,
  async load() {
    if (get().info) return;
    try {
      set({ info: await call('app.info', {}) });
    } catch {
      set({ info: null });
    }
  },
}));
