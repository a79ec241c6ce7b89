import { defaultConfig, type DatasetMetadata, type TableMeta } from '../../src/shared';

function table(name: string, rowCount: number, cols: [string, 'integer' | 'string' | 'float'][], pk: string[]): TableMeta {
  return {
    name,
    rowCount,
    primaryKey: pk,
    columns: cols.map(([n, t]) => ({
      name: n,
      storageType: t,
      sdtype: t === 'string' ? 'categorical' : n.endsWith('Id') ? 'id' : 'numerical',
      nullable: true,
    })),
  };
}

/** A small shop: Customer <- Invoice <- InvoiceLine -> Product -> Category (a lookup table). */
export function shopMetadata(): DatasetMetadata {
  return {
    tables: [
      table(
        'Customer',
        500,
        [
          ['CustomerId', 'integer'],
          ['Name', 'string'],
          ['Email', 'string'],
          ['Country', 'string'],
        ],
        ['CustomerId'],
      ),
      table(
        'Invoice',
        2000,
        [
          ['InvoiceId', 'integer'],
          ['CustomerId', 'integer'],
          ['Total', 'float'],
        ],
        ['InvoiceId'],
      ),
      table(
        'InvoiceLine',
        6000,
        [
          ['InvoiceLineId', 'integer'],
          ['InvoiceId', 'integer'],
          ['ProductId', 'integer'],
          ['Quantity', 'integer'],
        ],
        ['InvoiceLineId'],
      ),
      table(
        'Product',
        300,
        [
          ['ProductId', 'integer'],
          ['CategoryId', 'integer'],
          ['Price', 'float'],
        ],
        ['ProductId'],
      ),
      table(
        'Category',
        12,
        [
          ['CategoryId', 'integer'],
          ['Label', 'string'],
        ],
        ['CategoryId'],
      ),
    ],
    relationships: [
      { childTable: 'Invoice', childColumns: ['CustomerId'], parentTable: 'Customer', parentColumns: ['CustomerId'], origin: 'declared' },
      { childTable: 'InvoiceLine', childColumns: ['InvoiceId'], parentTable: 'Invoice', parentColumns: ['InvoiceId'], origin: 'declared' },
      { childTable: 'InvoiceLine', childColumns: ['ProductId'], parentTable: 'Product', parentColumns: ['ProductId'], origin: 'declared' },
      { childTable: 'Product', childColumns: ['CategoryId'], parentTable: 'Category', parentColumns: ['CategoryId'], origin: 'declared' },
    ],
  };
}

export function shopConfig() {
  const metadata = shopMetadata();
  return { metadata, config: defaultConfig(metadata, { kind: 'sqlite', path: '/tmp/shop.sqlite' }) };
}

/** n tables in a chain-and-star shape, each with 8 columns. */
export function wideMetadata(n: number): DatasetMetadata {
  const tables: TableMeta[] = [];
  const relationships: DatasetMetadata['relationships'] = [];
  for (let i = 0; i < n; i++) {
    const cols: [string, 'integer' | 'string' | 'float'][] = [[`T${i}Id`, 'integer']];
    if (i > 0) cols.push([`T${Math.floor((i - 1) / 2)}Id`, 'integer']);
    while (cols.length < 8) cols.push([`c${cols.length}`, cols.length % 2 ? 'string' : 'float']);
    tables.push(table(`T${i}`, 1000, cols, [`T${i}Id`]));
    if (i > 0) {
      const p = Math.floor((i - 1) / 2);
      relationships.push({ childTable: `T${i}`, childColumns: [`T${p}Id`], parentTable: `T${p}`, parentColumns: [`T${p}Id`], origin: 'declared' });
    }
  }
  return { tables, relationships };
}
