import { describe, expect, it } from 'vitest';
import { defaultConfig, validateConfig, type DatasetMetadata, type SynthesisConfig, type Problem, type ColumnMeta } from '../../src/shared';

const col = (name: string, storageType: ColumnMeta['storageType'] = 'integer', sdtype: ColumnMeta['sdtype'] = 'numerical'): ColumnMeta => ({
  name,
  storageType,
  sdtype,
  nullable: true,
});

/** district -> account -> loan, plus a `status` lookup referenced by loan. */
function bank(rows = 5000): DatasetMetadata {
  return {
    tables: [
      {
        name: 'district',
        columns: [col('id', 'integer', 'id'), col('region', 'string', 'categorical'), col('population')],
        primaryKey: ['id'],
        rowCount: rows,
      },
      {
        name: 'account',
        columns: [col('id', 'integer', 'id'), col('district_id', 'integer', 'id'), col('opened', 'date', 'datetime')],
        primaryKey: ['id'],
        rowCount: rows,
      },
      {
        name: 'loan',
        columns: [col('id', 'integer', 'id'), col('account_id', 'integer', 'id'), col('amount'), col('status', 'string', 'id')],
        primaryKey: ['id'],
        rowCount: rows,
      },
      { name: 'status', columns: [col('code', 'string', 'id'), col('label', 'string', 'categorical')], primaryKey: ['code'], rowCount: 4 },
    ],
    relationships: [
      { parentTable: 'district', parentColumns: ['id'], childTable: 'account', childColumns: ['district_id'], origin: 'declared' },
      { parentTable: 'account', parentColumns: ['id'], childTable: 'loan', childColumns: ['account_id'], origin: 'declared' },
      { parentTable: 'status', parentColumns: ['code'], childTable: 'loan', childColumns: ['status'], origin: 'declared' },
    ],
  };
}

function config(meta: DatasetMetadata, edit?: (c: SynthesisConfig) => void): SynthesisConfig {
  const c = defaultConfig(meta, { kind: 'sqlite', path: '/tmp/bank.sqlite' });
  edit?.(c);
  return c;
}

const codes = (ps: Problem[]) => ps.map((p) => p.code);
const errors = (ps: Problem[]) => ps.filter((p) => p.severity === 'error');

describe('defaultConfig', () => {
  it('keeps a lookup table too small to learn as original data, and synthesizes the rest', () => {
    const meta = bank();
    const c = config(meta);
    expect(c.tables.status!.treatment).toBe('original');
    for (const t of ['district', 'account', 'loan']) expect(c.tables[t]!.treatment, t).toBe('synthesize');
    expect(errors(validateConfig(c, meta))).toEqual([]);
    // A root of 20 rows cannot be learned: it is looked up like any other code table.
    expect(config(bank(20)).tables.district!.treatment).toBe('original');
    // A referenced table large enough to learn is synthesized.
    meta.tables.find((t) => t.name === 'status')!.rowCount = 500;
    expect(config(meta).tables.status!.treatment).toBe('synthesize');
  });
});

describe('defaultConfig with a table too small to learn that nothing references', () => {
  const table = (name: string, rowCount: number) => ({ name, rowCount, primaryKey: ['id'], columns: [col('id', 'integer', 'id'), col('value')] });
  it('leaves it out while another table is synthesized, and validates', () => {
    const meta = { tables: [table('sales', 5000), table('sales_by_store', 2)], relationships: [] } as unknown as DatasetMetadata;
    const c = defaultConfig(meta, { kind: 'sqlite', path: '/tmp/shop.sqlite' });
    expect(c.tables['sales_by_store']!.treatment).toBe('exclude');
    expect(c.tables['sales']!.treatment).toBe('synthesize');
    expect(validateConfig(c, meta).filter((p) => p.severity === 'error')).toEqual([]);
  });
  it('keeps a lone small table synthesized so validation names its row count', () => {
    const meta = { tables: [table('tiny', 12)], relationships: [] } as unknown as DatasetMetadata;
    const c = defaultConfig(meta, { kind: 'sqlite', path: '/tmp/tiny.sqlite' });
    expect(c.tables['tiny']!.treatment).toBe('synthesize');
    expect(validateConfig(c, meta).map((p) => p.code)).toContain('TOO_FEW_ROWS');
  });
});

describe('defaultConfig on a shop with two stores', () => {
  // store (2 rows) → address; staff (2 rows) → store, address; customer → store, address; rental → customer, staff.
  const meta: DatasetMetadata = {
    tables: [
      { name: 'address', columns: [col('id', 'integer', 'id'), col('city')], primaryKey: ['id'], rowCount: 600 },
      { name: 'store', columns: [col('id', 'integer', 'id'), col('address_id', 'integer', 'id')], primaryKey: ['id'], rowCount: 2 },
      {
        name: 'staff',
        columns: [col('id', 'integer', 'id'), col('store_id', 'integer', 'id'), col('address_id', 'integer', 'id')],
        primaryKey: ['id'],
        rowCount: 2,
      },
      {
        name: 'customer',
        columns: [col('id', 'integer', 'id'), col('store_id', 'integer', 'id'), col('address_id', 'integer', 'id'), col('age')],
        primaryKey: ['id'],
        rowCount: 600,
      },
      { name: 'film', columns: [col('id', 'integer', 'id'), col('length')], primaryKey: ['id'], rowCount: 1000 },
      {
        name: 'rental',
        columns: [col('id', 'integer', 'id'), col('customer_id', 'integer', 'id'), col('film_id', 'integer', 'id'), col('staff_id', 'integer', 'id')],
        primaryKey: ['id'],
        rowCount: 16000,
      },
    ],
    relationships: [
      ['store', 'address_id', 'address'],
      ['staff', 'store_id', 'store'],
      ['staff', 'address_id', 'address'],
      ['customer', 'store_id', 'store'],
      ['customer', 'address_id', 'address'],
      ['rental', 'customer_id', 'customer'],
      ['rental', 'film_id', 'film'],
      ['rental', 'staff_id', 'staff'],
    ].map(([childTable, c, parentTable]) => ({
      childTable: childTable!,
      childColumns: [c!],
      parentTable: parentTable!,
      parentColumns: ['id'],
      origin: 'declared' as const,
    })),
  };

  it('keeps the tables too small to learn as original data with what they reference, synthesizes the people and their rentals, and validates', () => {
    const c = config(meta);
    const treatment = Object.fromEntries(Object.entries(c.tables).map(([n, t]) => [n, t.treatment]));
    expect(treatment).toEqual({ address: 'original', store: 'original', staff: 'original', customer: 'synthesize', film: 'synthesize', rental: 'synthesize' });
    // Two roots (customer, film): no rule against it.
    expect(errors(validateConfig(c, meta))).toEqual([]);
  });
});

describe('validateConfig', () => {
  it('accepts a well-formed relational config with a lookup as original data', () => {
    const meta = bank();
    const ps = validateConfig(
      config(meta, (c) => (c.tables.status!.treatment = 'original')),
      meta,
    );
    expect(errors(ps)).toEqual([]);
  });

  it('accepts several roots: a second synthesized table without a synthesized parent is only too small', () => {
    const meta = bank();
    const ps = validateConfig(
      config(meta, (c) => (c.tables.status!.treatment = 'synthesize')),
      meta,
    ); // status synthesized -> second root (and too few rows)
    expect(errors(ps).map((p) => `${p.code} ${p.table}`)).toEqual(['TOO_FEW_ROWS status']);
    meta.tables.find((t) => t.name === 'status')!.rowCount = 500;
    expect(
      errors(
        validateConfig(
          config(meta, (c) => (c.tables.status!.treatment = 'synthesize')),
          meta,
        ),
      ),
    ).toEqual([]);
  });

  it('requires an inbound foreign key for original-data tables', () => {
    const meta = bank();
    const ps = validateConfig(
      config(meta, (c) => {
        c.tables.status!.treatment = 'original';
        c.foreignKeys = c.foreignKeys.filter((f) => f.parentTable !== 'status');
      }),
      meta,
    );
    const p = ps.find((x) => x.code === 'ORIGINAL_WITHOUT_INBOUND_FK');
    expect(p).toMatchObject({ severity: 'error', table: 'status', step: 'treatment' });
  });

  it('rejects a foreign key that does not target the primary key, and type mismatches', () => {
    const meta = bank();
    const ps = validateConfig(
      config(meta, (c) => {
        c.tables.status!.treatment = 'original';
        c.foreignKeys.push({ parentTable: 'district', parentColumns: ['region'], childTable: 'loan', childColumns: ['amount'], origin: 'user' });
      }),
      meta,
    );
    expect(codes(ps)).toContain('FK_TARGET_NOT_PK');
    expect(ps.find((p) => p.code === 'FK_TYPE_MISMATCH')).toMatchObject({ table: 'loan', column: 'amount' });
  });

  it('explains how to break a cycle', () => {
    const meta = bank();
    meta.tables[0]!.columns.push(col('main_account', 'integer', 'id'));
    const ps = validateConfig(
      config(meta, (c) => {
        c.tables.status!.treatment = 'original';
        c.foreignKeys.push({ parentTable: 'account', parentColumns: ['id'], childTable: 'district', childColumns: ['main_account'], origin: 'user' });
      }),
      meta,
    );
    const cycle = ps.find((p) => p.code === 'FK_CYCLE');
    expect(cycle?.message).toMatch(/district → account → district|account → district → account/);
    expect(cycle?.fix).toMatch(/Make one of its foreign keys non-context/);
  });

  it('accepts a self-reference on a synthesized table (generated as a forest), not a composite one', () => {
    const meta = bank();
    meta.tables[1]!.columns.push(col('parent_account', 'integer', 'id'));
    const self = { parentTable: 'account', parentColumns: ['id'], childTable: 'account', childColumns: ['parent_account'], origin: 'user' as const };
    expect(
      errors(
        validateConfig(
          config(meta, (c) => c.foreignKeys.push(self)),
          meta,
        ),
      ),
    ).toEqual([]);
    const kept = validateConfig(
      config(meta, (c) => (c.foreignKeys.push(self), (c.tables.account!.columns.parent_account!.treatment = 'keep'))),
      meta,
    );
    expect(errors(kept).map((p) => p.code)).toEqual(['FK_EXCLUDED_COLUMN']);
  });

  it('rejects composite foreign keys between synthesized tables but accepts them into original data', () => {
    const meta = bank();
    meta.tables[1]!.columns.push(col('branch', 'integer', 'id'));
    meta.tables[2]!.columns.push(col('account_branch', 'integer', 'id'));
    const composite = (c: SynthesisConfig) => {
      c.tables.status!.treatment = 'original';
      c.tables.account!.primaryKey = ['id', 'branch'];
      c.foreignKeys = c.foreignKeys.filter((f) => f.parentTable !== 'account');
      c.foreignKeys.push({
        parentTable: 'account',
        parentColumns: ['id', 'branch'],
        childTable: 'loan',
        childColumns: ['account_id', 'account_branch'],
        origin: 'user',
      });
    };
    const p = validateConfig(config(meta, composite), meta).find((x) => x.code === 'FK_COLUMN_COUNT');
    expect(p).toMatchObject({ severity: 'error', table: 'loan', step: 'foreign-keys' });
    expect(p?.message).toMatch(/composite key/);
    expect(p?.fix).toMatch(/single-column primary key|original data/);
    // The same composite key into a lookup kept as original data is fine (values drawn from its rows).
    const meta2 = bank();
    meta2.tables[3]!.columns.push(col('lang', 'string', 'id'));
    meta2.tables[2]!.columns.push(col('status_lang', 'string', 'id'));
    const ps = validateConfig(
      config(meta2, (c) => {
        c.tables.status!.treatment = 'original';
        c.tables.status!.primaryKey = ['code', 'lang'];
        c.foreignKeys = c.foreignKeys.filter((f) => f.parentTable !== 'status');
        c.foreignKeys.push({
          parentTable: 'status',
          parentColumns: ['code', 'lang'],
          childTable: 'loan',
          childColumns: ['status', 'status_lang'],
          origin: 'user',
        });
      }),
      meta2,
    );
    expect(errors(ps)).toEqual([]);
  });

  it('rejects foreign key columns that are not synthesized (kept, mocked, masked or nulled values break the links)', () => {
    const meta = bank();
    const ps = validateConfig(
      config(meta, (c) => {
        c.tables.status!.treatment = 'original';
        c.tables.loan!.columns.account_id!.treatment = 'mock';
      }),
      meta,
    );
    const p = ps.find((x) => x.code === 'FK_EXCLUDED_COLUMN' && x.severity === 'error');
    expect(p).toMatchObject({ table: 'loan', column: 'account_id', step: 'treatment' });
    expect(p?.fix).toMatch(/synthesize/);
  });

  it('uses data facts for primary-key uniqueness and nulls', () => {
    const meta = bank();
    const facts = { tables: { loan: { rowCount: 5000, pkDuplicates: 3, pkNulls: 2 } } };
    const ps = validateConfig(
      config(meta, (c) => (c.tables.status!.treatment = 'original')),
      meta,
      facts,
    );
    expect(ps.find((p) => p.code === 'PK_NOT_UNIQUE')?.message).toContain('3 duplicate');
    expect(ps.find((p) => p.code === 'PK_HAS_NULLS')?.message).toContain('2 row');
  });

  it('errors on too few rows and warns under 500 rows per column', () => {
    const tiny = bank(20);
    expect(
      codes(
        validateConfig(
          config(tiny, (c) => (c.tables.status!.treatment = 'original')),
          tiny,
        ),
      ),
    ).toContain('TOO_FEW_ROWS');
    const small = bank(600);
    const ps = validateConfig(
      config(small, (c) => (c.tables.status!.treatment = 'original')),
      small,
    );
    expect(errors(ps)).toEqual([]);
    expect(ps.find((p) => p.code === 'FEW_ROWS_PER_COLUMN')).toMatchObject({ severity: 'warning' });
  });

  it('warns when a sensitive column is kept or copied as original', () => {
    const meta = bank();
    const ps = validateConfig(
      config(meta, (c) => {
        c.tables.status!.treatment = 'original';
        c.tables.status!.columns.label!.sensitive = true;
        c.tables.loan!.columns.amount!.sensitive = true;
        c.tables.loan!.columns.amount!.treatment = 'keep';
      }),
      meta,
    );
    const w = ps.filter((p) => p.code === 'SENSITIVE_NOT_SYNTHESIZED');
    expect(w.map((p) => `${p.table}.${p.column}`).sort()).toEqual(['loan.amount', 'status.label']);
    expect(w.every((p) => p.severity === 'warning')).toBe(true);
  });

  it('reports unknown tables/columns, excluded PK columns and empty tables all at once', () => {
    const meta = bank();
    const ps = validateConfig(
      config(meta, (c) => {
        c.tables.status!.treatment = 'original';
        c.tables.ghost = { treatment: 'synthesize', primaryKey: [], columns: {} };
        c.tables.loan!.columns.nope = { included: true, sdtype: 'numerical', sensitive: false, treatment: 'synthesize', options: {} };
        c.tables.account!.columns.id!.included = false;
      }),
      meta,
    );
    expect(codes(ps)).toEqual(expect.arrayContaining(['UNKNOWN_TABLE', 'UNKNOWN_COLUMN', 'PK_EXCLUDED_COLUMN', 'FK_EXCLUDED_COLUMN']));
    for (const p of ps) expect(p.fix.length).toBeGreaterThan(10);
  });

  it('names every unknown column of a foreign key, on either side, and every excluded one', () => {
    const meta = bank();
    const unknown = { parentTable: 'account', parentColumns: ['acct.no'], childTable: 'loan', childColumns: ['acct ref'], origin: 'user' as const };
    const ps = validateConfig(
      config(meta, (c) => c.foreignKeys.push(unknown)),
      meta,
    ).filter((p) => p.code === 'FK_UNKNOWN_COLUMN');
    expect(ps.map((p) => [p.severity, p.table, p.column])).toEqual([
      ['error', 'loan', 'acct ref'],
      ['error', 'account', 'acct.no'],
    ]);
    const excluded = validateConfig(
      config(meta, (c) => ((c.tables.account!.columns.district_id!.included = false), (c.tables.district!.columns.id!.included = false))),
      meta,
    ).filter((p) => p.code === 'FK_EXCLUDED_COLUMN');
    expect(excluded.map((p) => [p.table, p.column])).toEqual([
      ['account', 'district_id'],
      ['district', 'id'],
    ]);
  });

  it('rejects an original-data table that references a synthesized one (its copied keys would dangle)', () => {
    const meta = bank();
    meta.tables[3]!.columns.push(col('district_id', 'integer', 'id'));
    meta.relationships.push({ parentTable: 'district', parentColumns: ['id'], childTable: 'status', childColumns: ['district_id'], origin: 'declared' });
    // (init keeps district as original data with it; the user sets it back to synthesize)
    const p = validateConfig(
      config(meta, (c) => ((c.tables.status!.treatment = 'original'), (c.tables.district!.treatment = 'synthesize'))),
      meta,
    ).find((x) => x.code === 'ORIGINAL_REFERENCES_SYNTHESIZED');
    expect(p).toMatchObject({ severity: 'error', table: 'status', column: 'district_id' });
    expect(p?.fix).toMatch(/Mark "district" as original data too/);
  });

  it('ignores excluded tables that are not in the metadata (the worker lists only the tables it reads)', () => {
    const meta = bank();
    const ps = validateConfig(
      config(meta, (c) => {
        c.tables.status!.treatment = 'original';
        c.tables.ghost = { treatment: 'exclude', primaryKey: [], columns: {} };
      }),
      meta,
    );
    expect(errors(ps)).toEqual([]);
  });

  it('requires at least one synthesized table', () => {
    const meta = bank();
    const ps = validateConfig(
      config(meta, (c) => {
        for (const t of Object.values(c.tables)) t.treatment = 'exclude';
      }),
      meta,
    );
    expect(codes(ps)).toEqual(['NO_TABLES']);
  });
});

describe('output width', () => {
  /** One table of `n` numeric columns (plus its id), 100k rows. */
  const wide = (n: number): DatasetMetadata => ({
    tables: [
      { name: 'wide', columns: [col('id', 'integer', 'id'), ...Array.from({ length: n - 1 }, (_, i) => col(`c${i}`))], primaryKey: ['id'], rowCount: 100_000 },
    ],
    relationships: [],
  });
  const widthErrors = (meta: DatasetMetadata, edit?: (c: SynthesisConfig) => void) =>
    errors(validateConfig(config(meta, edit), meta)).filter((p) => p.code === 'TOO_MANY_COLUMNS');
  const toDb = (kind: 'postgres' | 'mysql' | 'sqlite') => (c: SynthesisConfig) => {
    c.destination = {
      kind: 'database',
      target: kind === 'sqlite' ? { kind, path: '/tmp/out.sqlite' } : { kind, host: '127.0.0.1', user: '', database: 'out' },
      tableMode: 'create',
      batchSize: 10_000,
      parallel: 1,
    };
  };

  it('refuses a table wider than the local SQLite output (2,000 columns) before anything runs, naming the fix', () => {
    expect(widthErrors(wide(2000))).toEqual([]);
    const [p] = widthErrors(wide(2001));
    expect(p).toMatchObject({ table: 'wide', step: 'data', message: expect.stringContaining('2,001 columns') });
    expect(p!.message).toContain('at most 2,000');
    expect(p!.fix).toContain('Exclude at least 1 column of');
    // Excluding columns makes it valid.
    expect(widthErrors(wide(2001), (c) => (c.tables.wide!.columns.c0!.included = false))).toEqual([]);
  });

  it('uses each destination’s own limit: PostgreSQL 1,600, MySQL/MariaDB 1,017, SQLite 2,000', () => {
    expect(widthErrors(wide(1600), toDb('postgres'))).toEqual([]);
    expect(widthErrors(wide(1601), toDb('postgres'))[0]!.message).toContain('PostgreSQL holds at most 1,600');
    expect(widthErrors(wide(1017), toDb('mysql'))).toEqual([]);
    expect(widthErrors(wide(1018), toDb('mysql'))[0]!.message).toContain('InnoDB');
    expect(widthErrors(wide(2001), toDb('sqlite'))).toHaveLength(1);
  });
});
