import { describe, expect, it } from 'vitest';
import { describeSource, parseSourceString, withoutSecrets, synthesisConfigSchema, AppError } from '../../src/shared';

describe('parseSourceString', () => {
  it('reads database URLs without ever printing the password', () => {
    const spec = parseSourceString('postgres://alice:s3cr%40t@db.local:5433/sales?schema=crm');
    expect(spec).toEqual({ kind: 'postgres', host: 'db.local', port: 5433, user: 'alice', password: 's3cr@t', database: 'sales', schema: 'crm' });
    expect(describeSource(spec)).toBe('postgres://alice@db.local:5433/sales?schema=crm');
    expect(JSON.stringify(withoutSecrets(spec))).not.toContain('s3cr');
    expect(parseSourceString('mariadb://root@127.0.0.1/test')).toMatchObject({ kind: 'mysql', database: 'test' });
  });

  it('reads sqlite: and file paths', () => {
    expect(parseSourceString('sqlite:/data/x.sqlite')).toEqual({ kind: 'sqlite', path: '/data/x.sqlite' });
    expect(parseSourceString('./berka')).toEqual({ kind: 'files', path: './berka' });
  });

  it('names what is missing in a bad URL', () => {
    expect(() => parseSourceString('mysql://root@127.0.0.1/')).toThrow(AppError);
    expect(() => parseSourceString('mysql://root@127.0.0.1/')).toThrow(/names no database/);
    expect(() => parseSourceString('sqlite:')).toThrow(/no file path/);
  });
});

describe('synthesisConfigSchema', () => {
  it('fills every default from a minimal config', () => {
    const c = synthesisConfigSchema.parse({ source: { kind: 'files', path: 'a.csv' }, tables: { a: { columns: { x: { sdtype: 'numerical' } } } } });
    expect(c.version).toBe(1);
    expect(c.settings.privacy.rareCategoryThreshold).toBe(5);
    expect(c.destination).toEqual({ kind: 'local' });
    expect(c.tables.a!.columns.x).toMatchObject({ included: true, treatment: 'synthesize', sensitive: false });
  });
  it('rejects unknown treatments with a path to the field', () => {
    const r = synthesisConfigSchema.safeParse({ source: { kind: 'files', path: 'a.csv' }, tables: { a: { treatment: 'copy', columns: {} } } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues[0]?.path)).toContain('treatment');
  });
});
