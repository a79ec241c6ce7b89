import { z } from 'zod';
import { synthesisConfigSchema, type DatasetMetadata, type SynthesisConfig } from '../../../shared';

/** Unsaved wizard work, kept in localStorage per source so a reload does not lose it. */
export interface WizardDraft {
  sourceId: string;
  synthesisId: string | null;
  name: string;
  config: SynthesisConfig;
  step: number;
  positions: Record<string, { x: number; y: number }>;
  savedAt: string;
}

const draftSchema = z.object({
  v: z.literal(1),
  sourceId: z.string().min(1),
  synthesisId: z.string().nullable(),
  name: z.string(),
  config: synthesisConfigSchema,
  step: z.number().int().min(0),
  positions: z.record(z.string(), z.object({ x: z.number(), y: z.number() })),
  savedAt: z.string(),
});

/** The storage a draft lives in (window.localStorage in the app). */
export type DraftStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const PREFIX = 'doppel.wizard-draft.';
/** The source the wizard had open, so a reload on the wizard reopens it. */
export const LAST_SOURCE_KEY = 'doppel.wizard-source';

export function draftKey(sourceId: string): string {
  return `${PREFIX}${sourceId}`;
}

export function encodeDraft(d: WizardDraft): string {
  return JSON.stringify({ v: 1, ...d });
}

/**
 * The draft stored under `raw`, or null when there is none, it does not parse, it belongs to
 * another source, or it names tables the source no longer has (its schema changed).
 */
export function decodeDraft(raw: string | null, sourceId: string, metadata: DatasetMetadata): WizardDraft | null {
  if (!raw) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = draftSchema.safeParse(json);
  if (!parsed.success || parsed.data.sourceId !== sourceId) return null;
  const tables = new Set(metadata.tables.map((t) => t.name));
  if (!Object.keys(parsed.data.config.tables).every((t) => tables.has(t))) return null;
  const { v: _v, ...draft } = parsed.data;
  return draft;
}

/** localStorage when there is one (the app); null elsewhere (tests, SSR). Access can throw when storage is disabled. */
export function browserStorage(): DraftStorage | null {
  try {
    return typeof window !== 'undefined' && window.localStorage ? window.localStorage : null;
  } catch {
    return null;
  }
}

export function readDraft(storage: DraftStorage | null, sourceId: string, metadata: DatasetMetadata): WizardDraft | null {
  return decodeDraft(storage?.getItem(draftKey(sourceId)) ?? null, sourceId, metadata);
}

export function writeDraft(storage: DraftStorage | null, d: WizardDraft): void {
  try {
    storage?.setItem(draftKey(d.sourceId), encodeDraft(d));
  } catch {
    // Storage full or disabled: the draft is a convenience, the wizard keeps working.
  }
}

export function clearDraft(storage: DraftStorage | null, sourceId: string): void {
  storage?.removeItem(draftKey(sourceId));
}
