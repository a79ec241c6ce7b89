import type { AuditRecordWire } from '../../../shared';

/** What the audit table shows of one record, read defensively from its payload (older records may lack fields). */
export interface AuditRow {
  seq: number;
  at: string;
  user: string;
  executionId: string;
  status: string | null;
  quality: number | null;
  dcrShare: number | null;
  exactMatches: number | null;
  /** The report's privacy verdict (records written before verdicts were kept have none). */
  level: PrivacyLevel | null;
  headline: string | null;
  exactMatchesUnique: number | null;
  /** Synthetic rows checked for exact matches, and the training rows they were checked against. */
  syntheticRows: number | null;
  trainRows: number | null;
  /** How often real rows the model never saw equal a training row (the chance baseline). */
  holdoutMatchRate: number | null;
  backend: string | null;
  shortHash: string;
  hash: string;
}

export const privacyLevels = ['strong', 'acceptable', 'at-risk', 'not-measured'] as const;
export type PrivacyLevel = (typeof privacyLevels)[number];

/** The verdict as the report words it, and a colour for its badge. */
export const levelLabels: Record<PrivacyLevel, { word: string; color: string }> = {
  strong: { word: 'Strong privacy', color: 'green' },
  acceptable: { word: 'Acceptable privacy', color: 'yellow' },
  'at-risk': { word: 'Privacy at risk', color: 'red' },
  'not-measured': { word: 'Privacy not measured', color: 'gray' },
};

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' && !Array.isArray(obj) ? (obj as Record<string, unknown>)[key] : undefined;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

export function auditRow(r: AuditRecordWire): AuditRow {
  const privacy = field(r.payload, 'privacyFigures');
  return {
    seq: r.seq,
    at: r.at,
    user: r.user,
    executionId: r.executionId,
    status: str(field(r.payload, 'status')),
    quality: num(field(r.payload, 'quality')),
    dcrShare: num(field(privacy, 'dcrShare')),
    exactMatches: num(field(privacy, 'exactMatches')),
    level: privacyLevels.find((l) => l === field(privacy, 'level')) ?? null,
    headline: str(field(privacy, 'headline')),
    exactMatchesUnique: num(field(privacy, 'exactMatchesUnique')),
    syntheticRows: num(field(privacy, 'syntheticRows')),
    trainRows: num(field(privacy, 'trainRows')),
    holdoutMatchRate: num(field(privacy, 'holdoutMatchRate')),
    backend: str(field(r.payload, 'backend')),
    shortHash: shortHash(r.hash),
    hash: r.hash,
  };
}

/** Newest record first (highest sequence number). */
export function newestFirst(records: AuditRecordWire[]): AuditRecordWire[] {
  return [...records].sort((a, b) => b.seq - a.seq);
}

/** The privacy figures as one line: "DCR share 51.2 % · 0 exact matches", or "not measured". */
export function privacyText(row: Pick<AuditRow, 'dcrShare' | 'exactMatches'>): string {
  const parts: string[] = [];
  if (row.dcrShare !== null) parts.push(`DCR share ${(row.dcrShare * 100).toFixed(1)} %`);
  if (row.exactMatches !== null) parts.push(`${row.exactMatches} exact match${row.exactMatches === 1 ? '' : 'es'}`);
  return parts.length > 0 ? parts.join(' · ') : 'not measured';
}

const count = (n: number): string => n.toLocaleString('en-US');
const rows = (n: number): string => `${count(n)} row${n === 1 ? '' : 's'}`;

/**
 * What the exact-match count means, in words: of what against what, and why it matters. E.g. "2,269 of 5,000
 * synthetic rows equal a training row on every compared column (checked against 4,000 training rows). None equals a
 * training row that is unique in the real data: …".
 */
export function exactMatchText(row: Pick<AuditRow, 'exactMatches' | 'exactMatchesUnique' | 'syntheticRows' | 'trainRows' | 'holdoutMatchRate'>): string | null {
  if (row.exactMatches === null) return null;
  const of = row.syntheticRows !== null ? ` of ${count(row.syntheticRows)} synthetic rows` : ' of the synthetic rows';
  const against = row.trainRows !== null ? ` (checked against ${rows(row.trainRows)} the model was trained on)` : '';
  if (row.exactMatches === 0) return `None${of} equals a training row on every compared column${against}.`;
  const parts = [`${count(row.exactMatches)}${of} equal a training row on every compared column${against}.`];
  if (row.exactMatchesUnique !== null) {
    parts.push(
      row.exactMatchesUnique === 0
        ? 'None equals a training row that is unique in the real data: the matches are common combinations that many real people share, so they single no one out.'
        : `${count(row.exactMatchesUnique)} equal a training row that is unique in the real data: such a row can be one person's record copied, so check the report before sharing.`,
    );
  }
  if (row.holdoutMatchRate !== null) {
    parts.push(`For comparison, ${(row.holdoutMatchRate * 100).toFixed(1)} % of real rows the model never saw equal a training row too.`);
  }
  return parts.join(' ');
}

/** The payload as readable JSON (2-space indented, keys in stored order). */
export function payloadJson(payload: unknown): string {
  return JSON.stringify(payload, null, 2) ?? 'null';
}

/** The whole trail as one JSON document, in chain order, with what the chain check said when exported. */
export function auditExport(records: AuditRecordWire[], exportedAt: Date, verification: { ok: boolean; records: number; message: string } | null): string {
  const chain = [...records].sort((a, b) => a.seq - b.seq);
  return `${JSON.stringify({ format: 'doppel-audit-trail', version: 1, exportedAt: exportedAt.toISOString(), verification, records: chain }, null, 2)}\n`;
}

/** A file name like doppel-audit-2026-03-01T10-20-30.json (no characters file systems reject). */
export function auditExportFileName(exportedAt: Date): string {
  return `doppel-audit-${exportedAt.toISOString().slice(0, 19).replace(/:/g, '-')}.json`;
}

/** The payload's headline facts, label → text, for the top of the record view (missing parts are left out). */
export function payloadFacts(payload: unknown): [string, string][] {
  const facts: [string, string][] = [];
  const row = auditRow({ seq: 0, at: '', user: '', executionId: '', payload, prevHash: '', hash: '' });
  if (row.status) facts.push(['Status', row.status]);
  if (row.quality !== null) facts.push(['Quality', `${(row.quality <= 1 ? row.quality * 100 : row.quality).toFixed(1)} %`]);
  if (row.status === 'succeeded') {
    if (row.level) facts.push(['Privacy verdict', row.headline ?? levelLabels[row.level].word]);
    facts.push(['Privacy', privacyText(row)]);
    const exact = exactMatchText(row);
    if (exact) facts.push(['Exact matches', exact]);
  }
  if (row.backend) facts.push(['Backend', row.backend]);
  const name = str(field(field(payload, 'config'), 'name'));
  if (name) facts.push(['Synthesis', name]);
  const source = field(payload, 'source');
  const rows = field(source, 'rows');
  if (rows !== null && typeof rows === 'object') {
    const parts = Object.entries(rows).map(([t, n]) => `${t} ${typeof n === 'number' ? n.toLocaleString('en-US') : '?'}`);
    facts.push(['Source rows', parts.join(', ') || '—']);
  }
  const content = str(field(source, 'contentHash'));
  if (content) facts.push(['Source content hash', shortHash(content)]);
  const versions = field(payload, 'versions');
  const v = [
    str(field(versions, 'app')) && `Doppel ${str(field(versions, 'app'))}`,
    str(field(versions, 'node')) && `Node ${str(field(versions, 'node'))}`,
    str(field(versions, 'platform')),
  ].filter((x): x is string => Boolean(x));
  if (v.length > 0) facts.push(['Versions', v.join(' · ')]);
  const error = field(payload, 'error');
  const code = str(field(error, 'code'));
  if (code) facts.push(['Error', `${code}: ${str(field(error, 'message')) ?? ''}`.trim()]);
  return facts;
}
