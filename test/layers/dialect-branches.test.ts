import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = 'src/data/destinations';
const BRANCH = /[!=]==\s*'(postgres|mysql)'|'(postgres|mysql)'\s*[!=]==|case\s+'(postgres|mysql)'/;

describe('dialect branches', () => {
  it('destination modules ask the dialect module instead of comparing the database kind', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('dialect.ts');
    const branching = files.flatMap((f) =>
      readFileSync(join(DIR, f), 'utf8')
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
