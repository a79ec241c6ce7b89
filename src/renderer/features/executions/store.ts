import { create } from 'zustand';
import type { ApiEvent, ExecutionRecord } from '../../../shared';
import { call, onApiEvent } from '../../lib/api';
import { appendLoss, applyJobEvent, type LossPoint } from './live';

interface State {
  byId: Record<string, ExecutionRecord>;
  losses: Record<string, LossPoint[]>;
  logs: Record<string, string[]>;
}

interface Actions {
  load(synthesisId?: string): Promise<ExecutionRecord[]>;
  fetch(id: string): Promise<ExecutionRecord>;
  /** `destinationPassword`: of a destination entered without saving it, for this execution only. */
  start(synthesisId: string, destinationPassword?: string): Promise<ExecutionRecord>;
  /** A new execution sampling `rows` rows from the trained model of a finished one (no training). */
  generate(id: string, rows: number, seed?: number): Promise<ExecutionRecord>;
  cancel(id: string): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  receive(event: ApiEvent): void;
}

export const initialExecutionsState: State = { byId: {}, losses: {}, logs: {} };

export const useExecutions = create<State & Actions>()((set, get) => ({
  ...initialExecutionsState,

  async load(synthesisId) {
    const list = await call('executions.list', synthesisId ? { synthesisId } : {});
    const byId = { ...get().byId };
    for (const r of list) if (r) byId[r.id] = r;
    set({ byId });
    return list;
  },

  async fetch(id) {
    const r = await call('executions.get', { id });
    if (r && typeof r === 'object' && r.id === id) set({ byId: { ...get().byId, [id]: r } });
    return r;
  },

  async start(synthesisId, destinationPassword) {
    const r = await call('executions.start', destinationPassword !== undefined ? { synthesisId, destinationPassword } : { synthesisId });
    const existing = get().byId[r.id];
    // Events may have arrived before the answer: keep the more advanced record.
    set({ byId: { ...get().byId, [r.id]: existing && existing.status !== 'queued' ? existing : r } });
    return r;
  },

  async generate(id, rows, seed) {
    const r = await call('executions.generate', { id, rows, ...(seed !== undefined ? { seed } : {}) });
    const existing = get().byId[r.id];
    set({ byId: { ...get().byId, [r.id]: existing && existing.status !== 'queued' ? existing : r } });
    return r;
  },

  async cancel(id) {
    await call('executions.cancel', { id });
  },

  async rename(id, name) {
    const r = await call('executions.rename', { id, name });
    set({ byId: { ...get().byId, [id]: r } });
  },

  async remove(id) {
    await call('executions.delete', { id });
    const byId = { ...get().byId };
    delete byId[id];
    set({ byId });
  },

  receive(e) {
    const { byId, losses, logs } = get();
    const record = byId[e.executionId];
    const next: Partial<State> = {};
    if (record) next.byId = { ...byId, [e.executionId]: applyJobEvent(record, e.event) };
    const pts = appendLoss(losses[e.executionId] ?? [], e.event);
    if (pts !== losses[e.executionId]) next.losses = { ...losses, [e.executionId]: pts };
    if (e.event.type === 'log') next.logs = { ...logs, [e.executionId]: [...(logs[e.executionId] ?? []).slice(-199), `${e.event.level}: ${e.event.message}`] };
    if (Object.keys(next).length > 0) set(next);
    if (!record)
      void get()
        .fetch(e.executionId)
        .catch(() => undefined);
    if (e.event.type === 'result' || e.event.type === 'error')
      void get()
        .fetch(e.executionId)
        .catch(() => undefined);
  },
}));

/** Connects the store to pushed events (once, at app start). */
export function connectExecutionEvents(): () => void {
  return onApiEvent((e) => useExecutions.getState().receive(e));
}

/** Executions of one synthesis, newest first. */
export function executionsOf(byId: Record<string, ExecutionRecord>, synthesisId: string): ExecutionRecord[] {
  return Object.values(byId)
    .filter((r) => r !== undefined && r.synthesisId === synthesisId)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
