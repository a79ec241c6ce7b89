import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Modules of sources and destinations: they ask the dialect module (src/data/dialects) instead of comparing the database kind. */
const DIRS = ['src/data/destinations', 'src/data/sources'];
const BRANCH = /[!=]==\s*'(postgres|mysql)'|'(postgres|mysql)'\s*[!=]==|case\s+'(postgres|mysql)'/;

describe('dialect branches', () => {
  it('source and destination modules ask the dialect module instead of comparing the database kind', () => {
    const files = DIRS.flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(dir, f)),
    );
    expect(files).toContain(join('src/data/destinations', 'dialect.ts'));
    expect(files).toContain(join('src/data/sources', 'db-source.ts'));
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
    expect(BRANCH.test("createTableSql('postgres', q, t, [], planned)")).toBe(false);
  });
});
