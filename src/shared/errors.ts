import { z } from 'zod';

/** Every error Doppel can report across a process or API boundary. */
export const errorCodes = [
  'SOURCE_NOT_FOUND',
  'SOURCE_UNREADABLE',
  'SOURCE_EMPTY',
  'SOURCE_MALFORMED',
  'UNSUPPORTED_FORMAT',
  'TABLE_NOT_FOUND',
  'DB_AUTH_FAILED',
  'DB_UNREACHABLE',
  'DB_NOT_FOUND',
  'DB_PERMISSION_DENIED',
  'DB_ERROR',
  'CONFIG_INVALID',
  'VALIDATION_FAILED',
  'DATASET_TOO_SMALL',
  'DESTINATION_NOT_EMPTY',
  'DESTINATION_INCOMPATIBLE',
  'DESTINATION_WRITE_FAILED',
  'EXPORT_FAILED',
  'EXPORT_LIMIT_EXCEEDED',
  'EXECUTION_NOT_FOUND',
  'EXECUTION_CANCELED',
  'EXECUTION_FAILED',
  'EXECUTION_TIMED_OUT',
  'INSUFFICIENT_DISK',
  'WORKER_CRASHED',
  'QUEUE_UNREACHABLE',
  'NOT_FOUND',
  'BAD_REQUEST',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const appErrorShapeSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  /** What the user should do about it. */
  fix: z.string().optional(),
  details: z.unknown().optional(),
});
export type AppErrorShape = z.infer<typeof appErrorShapeSchema>;

/** The one error type thrown inside Doppel. Messages never contain secrets. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fix: string | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, opts: { fix?: string; details?: unknown; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.fix = opts.fix;
    this.details = opts.details;
  }

  toShape(): AppErrorShape {
    const shape: AppErrorShape = { code: this.code, message: this.message };
    if (this.fix !== undefined) shape.fix = this.fix;
    if (this.details !== undefined) shape.details = this.details;
    return shape;
  }

  static fromShape(shape: AppErrorShape): AppError {
    return new AppError(shape.code, shape.message, { fix: shape.fix, details: shape.details });
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Any thrown value as a wire shape; unknown errors become INTERNAL with their message. */
export function toErrorShape(e: unknown): AppErrorShape {
  if (e instanceof AppError) return e.toShape();
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message };
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: AppErrorShape };
