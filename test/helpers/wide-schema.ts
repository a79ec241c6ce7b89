import Database from 'better-sqlite3';

export interface WideSchema {
  tables: string[];
  foreignKeys: number;
  root: string;
}

/**
 * Writes a SQLite file with `tableCount` related tables, as a large business schema looks: one
 * root (`t00_customer`), every other table referencing one or two earlier ones (about two foreign
 * keys per table), each with an integer key, a name, a date-only column, an amount and a few rows
 * whose foreign keys all have a parent. Deterministic for a given count.
 */
export function writeWideSchema(file: string, tableCount: number, rowsPerTable = 60): WideSchema {
  const nouns = [
    'customer',
    'order',
    'invoice',
    'product',
    'supplier',
    'shipment',
    'payment',
    'account',
    'branch',
    'employee',
    'contract',
    'ticket',
    'visit',
    'claim',
    'policy',
    'asset',
    'store',
    'region',
    'campaign',
    'refund',
  ];
  const tables = Array.from({ length: tableCount }, (_, i) => `t${String(i).padStart(2, '0')}_${nouns[i % nouns.length]}`);
  const db = new Database(file);
  let fks = 0;
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  try {
    db.pragma('journal_mode = DELETE');
    const tx = db.transaction(() => {
      tables.forEach((name, i) => {
        const parents: string[] = [];
        if (i > 0) parents.push(tables[i === 1 ? 0 : rand(i)]!);
        if (i > 1) {
          const second = tables[rand(i)]!;
          if (!parents.includes(second)) parents.push(second);
        }
        fks += parents.length;
        const cols = [
          '"id" INTEGER PRIMARY KEY',
          '"name" TEXT NOT NULL',
          '"opened_on" DATE',
          '"amount" REAL',
          ...parents.map((p) => `"${p}_id" INTEGER REFERENCES "${p}"("id")`),
        ];
        db.exec(`CREATE TABLE "${name}" (${cols.join(', ')})`);
        const insert = db.prepare(`INSERT INTO "${name}" VALUES (${cols.map(() => '?').join(', ')})`);
        for (let r = 1; r <= rowsPerTable; r++) {
          const day = String(1 + ((r * 3 + i) % 28)).padStart(2, '0');
          insert.run(r, `${name} ${r}`, `2024-0${1 + (r % 9)}-${day}`, Math.round((r * 37.5 + i) * 100) / 100, ...parents.map(() => 1 + rand(rowsPerTable)));
        }
      });
    });
    tx();
  } finally {
    db.close();
  }
  return { tables, foreignKeys: fks, root: tables[0]! };
}
