import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Modules outside the dialect module (src/data/dialects): they ask it instead of comparing the database kind. */
const DIRS = ['src/data', 'src/worker', 'src/main'];
const DIALECTS = join('src/data', 'dialects');
const KIND = `'(postgres|mysql|sqlite)'`;
const BRANCH = new RegExp(`[!=]==\\s*${KIND}|${KIND}\\s*[!=]==|case\\s+${KIND}`);

describe('dialect branches', () => {
  it('modules of data, the worker and main ask the dialect module instead of comparing the database kind', () => {
    const files = DIRS.flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(dir, f))
        .filter((f) => !f.startsWith(DIALECTS + sep)),
    );
    expect(files).toContain(join('src/data/destinations', 'dialect.ts'));
    expect(files).toContain(join('src/data/sources', 'db-source.ts'));
    expect(files).toContain(join('src/data/store', 'sources-repo.ts'));
    expect(files).toContain(join('src/worker', 'entry.ts'));
    expect(files).toContain(join('src/main/services', 'source-access.ts'));
    expect(files).not.toContain(join(DIALECTS, 'sqlite.ts'));
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
