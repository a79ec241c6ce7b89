import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Modules outside the dialect module (src/data/dialects) and the kind facts (src/shared/db-kinds.ts):
 * they ask those instead of comparing the database kind.
 */
const DIRS = ['src/data', 'src/worker', 'src/main', 'src/shared', 'src/renderer'];
const DIALECTS = join('src/data', 'dialects');
const KIND_FACTS = join('src/shared', 'db-kinds.ts');
const KIND = `'(postgres|mysql|sqlite)'`;
const BRANCH = new RegExp(`[!=]==\\s*${KIND}|${KIND}\\s*[!=]==|case\\s+${KIND}`);

describe('dialect branches', () => {
  it('modules of data, the worker, main, shared and the interface ask the dialect module instead of comparing the database kind', () => {
    const files = DIRS.flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts') || f.endsWith('.tsx'))
        .map((f) => join(dir, f))
        .filter((f) => !f.startsWith(DIALECTS + sep) && f !== KIND_FACTS),
    );
    expect(files).toContain(join('src/data/destinations', 'dialect.ts'));
    expect(files).toContain(join('src/data/sources', 'db-source.ts'));
    expect(files).toContain(join('src/data/store', 'sources-repo.ts'));
    expect(files).toContain(join('src/worker', 'entry.ts'));
    expect(files).toContain(join('src/main/services', 'source-access.ts'));
    expect(files).toContain(join('src/shared', 'validation.ts'));
    expect(files).toContain(join('src/shared', 'source.ts'));
    expect(files).toContain(join('src/renderer/features/sources/components', 'add-source-modal.tsx'));
    expect(files).toContain(join('src/renderer/features/wizard/components', 'destination-step.tsx'));
    expect(files).not.toContain(join(DIALECTS, 'sqlite.ts'));
    expect(files).not.toContain(KIND_FACTS);
    const branching = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => [`${f}:${i + 1}: ${line.trim()}`, line] as const)
        .filter(([, line]) => BRANCH.test(line))
        .map(([where]) => where),
    );
    expect(branching).toEqual([]);
  });

  it('recognises a comparison of the database kind', () => {
    expect(BRANCH.test("if (s.dialect === 'mysql') x();")).toBe(true);
    expect(BRANCH.test("const pg = 'postgres' === kind;")).toBe(true);
    expect(BRANCH.test("if (spec.kind !== 'sqlite') return;")).toBe(true);
    expect(BRANCH.test("  case 'sqlite':")).toBe(true);
    expect(BRANCH.test("createTableSql('postgres', q, t, [], planned)")).toBe(false);
  });
});
