import {
  AppError,
  api,
  apiEventSchema,
  appErrorShapeSchema,
  type ApiEvent,
  type ApiInput,
  type ApiOutput,
  type Channel,
  type ExportFormat,
  type ReportFileFormat,
} from '../../shared';
import { transport } from './transport';

/**
 * Calls one API channel and returns its output; a failure is rethrown as an AppError with the
 * code, message and fix the handler gave.
 */
export async function call<C extends Channel>(channel: C, input: ApiInput<C>): Promise<ApiOutput<C>> {
  const res = await transport().invoke(channel, input);
  if (res.ok) return parseOutput(channel, res.data);
  const shape = appErrorShapeSchema.safeParse(res.error);
  throw shape.success ? AppError.fromShape(shape.data) : new AppError('INTERNAL', 'Unexpected answer from Doppel.');
}

/** An answer checked against the channel's output schema (src/shared/api.ts), never trusted as cast. */
export function parseOutput<C extends Channel>(channel: C, data: unknown): ApiOutput<C> {
  const parsed = api[channel].output.safeParse(data);
  if (parsed.success) return parsed.data as ApiOutput<C>;
  const issue = parsed.error.issues[0];
  throw new AppError('INTERNAL', `Unexpected answer from Doppel to ${channel} (${issue?.path.join('.') || 'output'}: ${issue?.message ?? 'wrong shape'}).`, {
    fix: 'Restart Doppel; if it persists, the app and its window are of different versions.',
  });
}

/** Subscribes to execution events pushed by main. */
export function onApiEvent(listener: (event: ApiEvent) => void): () => void {
  return transport().onEvent((raw) => {
    const parsed = apiEventSchema.safeParse(raw);
    if (parsed.success) listener(parsed.data);
  });
}

export async function downloadExport(executionId: string, format: ExportFormat, opts: { allowFormulas?: boolean } = {}): Promise<void> {
  await transport().download(executionId, format, opts);
}

export async function downloadReport(executionIds: string[], format: ReportFileFormat): Promise<void> {
  await transport().downloadReport(executionIds, format);
}

/** A message for any caught error, for notifications and alerts. */
export function errorText(e: unknown): { message: string; fix?: string; code?: string } {
  if (e instanceof AppError) return { message: e.message, fix: e.fix, code: e.code };
  const shape = appErrorShapeSchema.safeParse(e);
  if (shape.success) return { message: shape.data.message, fix: shape.data.fix, code: shape.data.code };
  return { message: e instanceof Error ? e.message : String(e) };
}
