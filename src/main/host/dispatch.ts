import { api, isChannel, toErrorShape, type ApiEvent, type Channel, type Result } from '../../shared';

/** A handler of one channel. It may return the output or a Result already (both are accepted). */
export type Handler = (input: never) => Promise<unknown>;

/** What the host (and the Electron ipc binding) needs from the services. */
export interface ApiBackend {
  handlers: Partial<Record<Channel, Handler>>;
  /** Subscribes to execution events; returns the unsubscribe function. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

function isResult(v: unknown): v is Result<unknown> {
  if (typeof v !== 'object' || v === null || !('ok' in v)) return false;
  const ok = (v as { ok: unknown }).ok;
  return (ok === true && 'data' in v) || (ok === false && 'error' in v);
}

/**
 * Runs one API call: checks the channel and the input against the shared schemas, calls the
 * handler and turns anything it throws into `{ok:false,error}`. Never throws.
 */
export async function dispatch(backend: ApiBackend, channel: string, rawInput: unknown): Promise<Result<unknown>> {
  if (!isChannel(channel)) {
    return { ok: false, error: { code: 'NOT_FOUND', message: `Unknown API channel "${channel}".` } };
  }
  const handler = backend.handlers[channel as Channel];
  if (!handler) {
    return { ok: false, error: { code: 'INTERNAL', message: `The channel "${channel}" is not available in this build.` } };
  }
  const parsed = api[channel].input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    return { ok: false, error: { code: 'BAD_REQUEST', message: `Invalid input for ${channel}: ${where}` } };
  }
  try {
    const out = await (handler as (input: unknown) => Promise<unknown>)(parsed.data);
    return isResult(out) ? out : { ok: true, data: out };
  } catch (e) {
    return { ok: false, error: toErrorShape(e) };
  }
}
