import { create } from 'zustand';
import type { ApiOutput, AuditRecordWire } from '../../../shared';
import { call } from '../../lib/api';
import { newestFirst } from './audit-view';

export type Verification = ApiOutput<'audit.verify'>;

interface State {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** Newest first. */
  records: AuditRecordWire[];
  /** Names of the executions that still exist, by id (a record outlives its execution). */
  executionNames: Record<string, string>;
  verification: Verification | null;
  verifying: boolean;
}

interface Actions {
  load(): Promise<void>;
  verify(): Promise<Verification>;
}

export const initialAuditState: State = { status: 'idle', error: null, records: [], executionNames: {}, verification: null, verifying: false };

export const useAudit = create<State & Actions>()((set) => ({
  ...initialAuditState,

  async load() {
    // A check from an earlier visit may be stale: verify again.
    set({ status: 'loading', error: null, verification: null });
    try {
      const [records, executions] = await Promise.all([call('audit.list', {}), call('executions.list', {})]);
      set({ status: 'ready', records: newestFirst(records), executionNames: Object.fromEntries(executions.map((e) => [e.id, e.name])) });
    } catch (e) {
      set({ status: 'error', error: e instanceof Error ? e.message : String(e) });
    }
  },

  async verify() {
    set({ verifying: true });
    try {
      const verification = await call('audit.verify', {});
      set({ verification });
      return verification;
    } finally {
      set({ verifying: false });
    }
  },
}));
