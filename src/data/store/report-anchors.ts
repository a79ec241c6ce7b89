import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_JSON } from './workspace-files';
import type { AuditAnchor } from './types';

/**
 * The audit chain heads recorded in the executions' reports (`auditHead` of report.json: the
 * newest record when the report was made). Reports without one, or unreadable, anchor nothing.
 */
export function reportAnchors(executions: readonly { id: string; name: string; workspace: string }[]): AuditAnchor[] {
  const anchors: AuditAnchor[] = [];
  for (const e of executions) {
    const file = join(e.workspace, REPORT_JSON);
    if (!existsSync(file)) continue;
    try {
      const head = (JSON.parse(readFileSync(file, 'utf8')) as { auditHead?: { seq?: unknown; hash?: unknown } | null }).auditHead;
      if (head && typeof head.seq === 'number' && typeof head.hash === 'string')
        anchors.push({ seq: head.seq, hash: head.hash, where: `the report of "${e.name}" (${e.id})` });
    } catch {
      // a report that cannot be read anchors nothing
    }
  }
  return anchors;
}
