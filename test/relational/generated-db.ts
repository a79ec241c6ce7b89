/**
 * Small generated relational databases with known structure (tests and bench): the awkward shapes
 * real schemas have, built from a seed so that a test can say what the synthetic copy must keep.
 * - shop: customers and products (two roots), orders under both; an order's amount depends on its
 *   product's price, its quantity on its customer's segment.
 * - staff: a self-referencing manager link, a forest four levels deep.
 * - cycle: departments with a head (a staff member), staff in a department.
 * - registry: people with yearly records ordered by an integer grade (no date), each record also
 *   referencing a class kept as original data (2,000 rows) whose own grade equals the record's, of
 *   a school a person keeps across their records; a record's score depends on the class's track.
 */
import Database from 'better-sqlite3';
import type { SynthesisConfig } from '../../src/shared/config';
import { defaultConfig } from '../../src/shared/defaults';
import type { ColumnMeta, DatasetMetadata, Relationship, TableMeta } from '../../src/shared/metadata';
import type { CellValue, Row, RowBatch } from '../../src/shared/values';
import { createRng, type Rng } from '../../src/worker/engine/rng';

export interface GeneratedDb {
  metadata: DatasetMetadata;
  tables: Record<string, RowBatch>;
  config: SynthesisConfig;
}

export type Col = [name: string, storage: ColumnMeta['storageType'], sdtype: ColumnMeta['sdtype']];

function tableMeta(name: string, cols: Col[], rows: number, pk: string[]): TableMeta {
  return {
    name,
    primaryKey: pk,
    rowCount: rows,
    columns: cols.map(([n, storageType, sdtype]) => ({ name: n, storageType, sdtype, nullable: !pk.includes(n) })),
  };
}

export const fk = (childTable: string, childColumn: string, parentTable: string, parentColumn = 'id'): Relationship => ({
  childTable,
  childColumns: [childColumn],
  parentTable,
  parentColumns: [parentColumn],
  origin: 'declared',
});

export function assemble(defs: { name: string; cols: Col[]; rows: Row[]; pk?: string[] }[], relationships: Relationship[]): GeneratedDb {
  const metadata: DatasetMetadata = { tables: defs.map((d) => tableMeta(d.name, d.cols, d.rows.length, d.pk ?? ['id'])), relationships };
  const tables = Object.fromEntries(defs.map((d) => [d.name, { columns: d.cols.map((c) => c[0]), rows: d.rows }]));
  const config = defaultConfig(metadata, { kind: 'sqlite', path: '/generated.sqlite' });
  config.settings.device = 'wasm';
  config.settings.epochs = 4;
  return { metadata, tables, config };
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;

/** Customers (segment) and products (category, price) as two roots; orders reference both. */
export function shopDb(opts: { customers?: number; products?: number; seed?: number } = {}): GeneratedDb {
  const rng = createRng(opts.seed ?? 1);
  const nc = opts.customers ?? 300;
  const np = opts.products ?? 120;
  const segments = ['retail', 'business'] as const;
  const customers: Row[] = Array.from({ length: nc }, (_, i) => [i + 1, segments[i % 3 === 0 ? 1 : 0]!, 20 + rng.int(50)]);
  const categories = ['book', 'tool', 'toy', 'food'] as const;
  const products: Row[] = Array.from({ length: np }, (_, i) => {
    const cat = pick(rng, categories);
    const base = { book: 15, tool: 80, toy: 30, food: 6 }[cat];
    return [i + 1, cat, Math.round(base * Math.exp(0.3 * rng.normal()) * 100) / 100];
  });
  const orders: Row[] = [];
  // Popular products: a few products take most orders, some none.
  const weight = products.map((_, i) => (i % 10 === 0 ? 0 : 1 / (1 + (i % 17))));
  const total = weight.reduce((a, b) => a + b, 0);
  const drawProduct = (): number => {
    let u = rng.next() * total;
    for (let i = 0; i < weight.length; i++) if ((u -= weight[i]!) <= 0) return i;
    return weight.length - 1;
  };
  for (const c of customers) {
    const business = c[1] === 'business';
    const n = business ? 3 + rng.int(6) : rng.int(4);
    for (let k = 0; k < n; k++) {
      const p = products[drawProduct()]!;
      const quantity = business ? 5 + rng.int(10) : 1 + rng.int(2);
      orders.push([orders.length + 1, c[0]!, p[0]!, quantity, Math.round(quantity * Number(p[2]) * 100) / 100]);
    }
  }
  return assemble(
    [
      {
        name: 'customers',
        cols: [
          ['id', 'integer', 'id'],
          ['segment', 'string', 'categorical'],
          ['age', 'integer', 'numerical'],
        ],
        rows: customers,
      },
      {
        name: 'products',
        cols: [
          ['id', 'integer', 'id'],
          ['category', 'string', 'categorical'],
          ['price', 'float', 'numerical'],
        ],
        rows: products,
      },
      {
        name: 'orders',
        cols: [
          ['id', 'integer', 'id'],
          ['customer_id', 'integer', 'id'],
          ['product_id', 'integer', 'id'],
          ['quantity', 'integer', 'numerical'],
          ['amount', 'float', 'numerical'],
        ],
        rows: orders,
      },
    ],
    [fk('orders', 'customer_id', 'customers'), fk('orders', 'product_id', 'products')],
  );
}

/** Staff with a manager link four levels deep: 1 director per ~40 staff, the title and salary follow the level. */
export function staffDb(opts: { staff?: number; seed?: number } = {}): GeneratedDb {
  const rng = createRng(opts.seed ?? 2);
  const n = opts.staff ?? 400;
  const titles = ['director', 'manager', 'lead', 'engineer'] as const;
  const share = [0.025, 0.1, 0.25, 0.625];
  const rows: Row[] = [];
  const byLevel: number[][] = [[], [], [], []];
  share.forEach((s, level) => {
    const count = Math.max(1, Math.round(s * n));
    for (let k = 0; k < count; k++) {
      const id = rows.length + 1;
      const above = level > 0 ? byLevel[level - 1]! : [];
      // Uneven teams: the first managers of a level take more reports.
      const boss = above.length ? above[Math.min(above.length - 1, Math.floor(above.length * rng.next() ** 1.5))]! : null;
      rows.push([id, titles[level]!, Math.round(150_000 / (1 + level) + 5_000 * rng.normal()), boss]);
      byLevel[level]!.push(id);
    }
  });
  return assemble(
    [
      {
        name: 'staff',
        cols: [
          ['id', 'integer', 'id'],
          ['title', 'string', 'categorical'],
          ['salary', 'integer', 'numerical'],
          ['manager_id', 'integer', 'id'],
        ],
        rows,
      },
    ],
    [fk('staff', 'manager_id', 'staff')],
  );
}

/** Departments headed by a staff member, staff working in a department: a cycle (every column nullable). */
export function cycleDb(opts: { seed?: number } = {}): GeneratedDb {
  const rng = createRng(opts.seed ?? 3);
  const departments: Row[] = [];
  const staff: Row[] = [];
  for (let d = 1; d <= 60; d++) {
    const size = 2 + rng.int(8);
    const first = staff.length + 1;
    for (let k = 0; k < size; k++) staff.push([staff.length + 1, d, 30_000 + 2_000 * size + rng.int(10_000)]);
    departments.push([d, first, pick(rng, ['sales', 'ops', 'research'] as const)]);
  }
  return assemble(
    [
      {
        name: 'departments',
        cols: [
          ['id', 'integer', 'id'],
          ['head_id', 'integer', 'id'],
          ['kind', 'string', 'categorical'],
        ],
        rows: departments,
      },
      {
        name: 'staff',
        cols: [
          ['id', 'integer', 'id'],
          ['department_id', 'integer', 'id'],
          ['salary', 'integer', 'numerical'],
        ],
        rows: staff,
      },
    ],
    [fk('departments', 'head_id', 'staff'), fk('staff', 'department_id', 'departments')],
  );
}

/**
 * A registry: people (the entity) with yearly records ordered by an integer grade (no date); each
 * record also references a class (2,000 rows, kept as original data) whose own grade is the
 * record's, of a school that a person keeps across their records in 96% of people; a record's
 * score depends on its class's track (advanced classes score higher).
 */
export function registryDb(opts: { people?: number; seed?: number } = {}): GeneratedDb {
  const rng = createRng(opts.seed ?? 4);
  const schoolsN = 100;
  const grades = 10;
  const regions = ['north', 'south', 'east', 'west'] as const;
  const schools: Row[] = Array.from({ length: schoolsN }, (_, i) => [i + 1, regions[i % 4]!]);
  // Two classes per school and grade: one advanced, one regular.
  const classes: Row[] = [];
  const classOf = new Map<string, number[]>();
  for (let s = 1; s <= schoolsN; s++)
    for (let g = 1; g <= grades; g++)
      for (const track of ['advanced', 'regular'] as const) {
        const id = classes.length + 1;
        classes.push([id, s, g, track, 18 + rng.int(14)]);
        classOf.set(`${s}/${g}`, [...(classOf.get(`${s}/${g}`) ?? []), id]);
      }
  const people: Row[] = [];
  const records: Row[] = [];
  const n = opts.people ?? 700;
  for (let i = 1; i <= n; i++) {
    const support = rng.next() < 0.3 ? 'yes' : 'no';
    people.push([i, rng.next() < 0.5 ? 'f' : 'm', support]);
    let school = 1 + rng.int(schoolsN);
    const start = 1 + rng.int(3);
    const years = 3 + rng.int(6);
    const moves = rng.next() < 0.04;
    const gapAt = rng.next() < 0.02 ? 1 + rng.int(Math.max(1, years - 1)) : -1;
    let grade = start;
    for (let k = 0; k < years && grade <= grades; k++, grade++) {
      if (k === gapAt) grade++;
      if (grade > grades) break;
      if (moves && k === Math.floor(years / 2)) school = 1 + ((school + rng.int(schoolsN - 1)) % schoolsN);
      const options = classOf.get(`${school}/${grade}`)!;
      // Stronger students in the advanced class more often.
      const cls = classes[options[rng.next() < (support === 'yes' ? 0.35 : 0.55) ? 0 : 1]! - 1]!;
      const advanced = cls[3] === 'advanced' ? 1 : 0;
      const score = Math.round(55 + 14 * advanced + 1.5 * grade - 4 * (support === 'yes' ? 1 : 0) + 7 * rng.normal());
      records.push([records.length + 1, i, grade, cls[0]!, score]);
    }
  }
  return assemble(
    [
      {
        name: 'schools',
        cols: [
          ['id', 'integer', 'id'],
          ['region', 'string', 'categorical'],
        ],
        rows: schools,
      },
      {
        name: 'classes',
        cols: [
          ['id', 'integer', 'id'],
          ['school_id', 'integer', 'id'],
          ['grade', 'integer', 'numerical'],
          ['track', 'string', 'categorical'],
          ['size', 'integer', 'numerical'],
        ],
        rows: classes,
      },
      {
        name: 'people',
        cols: [
          ['id', 'integer', 'id'],
          ['sex', 'string', 'categorical'],
          ['support', 'string', 'categorical'],
        ],
        rows: people,
      },
      {
        name: 'records',
        cols: [
          ['id', 'integer', 'id'],
          ['person_id', 'integer', 'id'],
          ['grade', 'integer', 'numerical'],
          ['class_id', 'integer', 'id'],
          ['score', 'integer', 'numerical'],
        ],
        rows: records,
      },
    ],
    [fk('classes', 'school_id', 'schools'), fk('records', 'person_id', 'people'), fk('records', 'class_id', 'classes')],
  );
}

/** Writes a generated database to a SQLite file (declared keys), for the CLI and the pipeline. */
export function writeSqlite(db: GeneratedDb, file: string): void {
  const sql = new Database(file);
  try {
    const typeOf = (s: ColumnMeta['storageType']): string =>
      s === 'integer' || s === 'bigint' ? 'INTEGER' : s === 'float' || s === 'decimal' ? 'REAL' : 'TEXT';
    for (const t of db.metadata.tables) {
      const fks = db.metadata.relationships.filter((r) => r.childTable === t.name);
      const cols = t.columns.map((c) => `"${c.name}" ${typeOf(c.storageType)}${c.nullable ? '' : ' NOT NULL'}`);
      const keys = [
        t.primaryKey.length ? `PRIMARY KEY (${t.primaryKey.map((c) => `"${c}"`).join(', ')})` : null,
        ...fks.map((r) => `FOREIGN KEY ("${r.childColumns[0]}") REFERENCES "${r.parentTable}" ("${r.parentColumns[0]}")`),
      ].filter(Boolean);
      sql.exec(`CREATE TABLE "${t.name}" (${[...cols, ...keys].join(', ')})`);
      const batch = db.tables[t.name]!;
      const ins = sql.prepare(`INSERT INTO "${t.name}" (${batch.columns.map((c) => `"${c}"`).join(', ')}) VALUES (${batch.columns.map(() => '?').join(', ')})`);
      sql.transaction((rows: Row[]) => {
        for (const r of rows) ins.run(...r.map((v: CellValue) => (v instanceof Date ? v.toISOString() : typeof v === 'boolean' ? Number(v) : v)));
      })(batch.rows);
    }
  } finally {
    sql.close();
  }
}

/**
 * A club with awkward names and text keys: members ("Mitglied Liste", keys like `M-0007`) and
 * course groups ("Kurs/Gruppe", keys like `g:site-3/L2#14`), two synthesized roots; each
 * member's visits ("Besuch (2024)", under their member: the most rows per parent) reference a
 * group whose level is the visit's own level, at the site the member keeps across visits (95% of
 * members); a visit's minutes depend on the group's format (long courses 40 minutes more).
 * `dropIn`: share of visits in no group (an empty FK value). `rooms`: each visit also takes place
 * in a room ("Raum", keyed by house and room number: a composite text key) of the member's site
 * (as house) whose level is the visit's.
 */
export function clubDb(opts: { members?: number; seed?: number; groupsPerLevel?: number; dropIn?: number; rooms?: boolean } = {}): GeneratedDb {
  const rng = createRng(opts.seed ?? 5);
  const sites = ['Nord-Halle', 'Süd Platz', 'Ost/3', 'West 4', 'Zentrum'] as const;
  const levels = ['L1', 'L2', 'L3'] as const;
  const groups: Row[] = [];
  const bySiteLevel = new Map<string, Row[]>();
  let g = 0;
  for (const site of sites)
    for (const level of levels)
      for (let k = 0; k < (opts.groupsPerLevel ?? 24); k++) {
        const row: Row = [
          `g:${site.toLowerCase().replace(/[^a-z]/g, '')}-${sites.indexOf(site)}/${level}#${g++}`,
          site,
          level,
          rng.next() < 0.3 ? 'lang' : 'kurz',
        ];
        groups.push(row);
        bySiteLevel.set(`${site}|${level}`, [...(bySiteLevel.get(`${site}|${level}`) ?? []), row]);
      }
  const rooms: Row[] = [];
  const roomsAt = new Map<string, Row[]>();
  for (const site of sites)
    for (const level of levels)
      for (let k = 0; k < 8; k++) {
        const row: Row = [site, `R ${level}.${k + 1}`, level, rng.next() < 0.5 ? 'Saal' : 'Studio'];
        rooms.push(row);
        roomsAt.set(`${site}|${level}`, [...(roomsAt.get(`${site}|${level}`) ?? []), row]);
      }
  const members: Row[] = [];
  const visits: Row[] = [];
  const n = opts.members ?? 300;
  for (let i = 1; i <= n; i++) {
    const id = `M-${String(i).padStart(4, '0')}`;
    const age = 18 + rng.int(50);
    members.push([id, age, rng.next() < 0.4 ? 'gold' : 'basis']);
    let site = pick(rng, sites);
    const moves = rng.next() < 0.05;
    const count = 3 + rng.int(7);
    for (let k = 0; k < count; k++) {
      if (moves && k === Math.floor(count / 2)) site = sites[(sites.indexOf(site) + 1 + rng.int(sites.length - 1)) % sites.length]!;
      const level = levels[Math.min(2, Math.floor((k * 3) / count))]!;
      const grp = pick(rng, bySiteLevel.get(`${site}|${level}`)!);
      const minutes = Math.round(45 + (grp[3] === 'lang' ? 40 : 0) + 0.2 * age + 6 * rng.normal());
      // Drop-in visits (none by default) belong to no group.
      const room = pick(rng, roomsAt.get(`${site}|${level}`)!);
      visits.push([`v${visits.length + 1}`, id, rng.next() < (opts.dropIn ?? 0) ? null : grp[0]!, level, minutes, ...(opts.rooms ? [room[0]!, room[1]!] : [])]);
    }
  }
  return assemble(
    [
      {
        name: 'Mitglied Liste',
        cols: [
          ['Mitglied-Nr', 'string', 'id'],
          ['Alter', 'integer', 'numerical'],
          ['Tarif', 'string', 'categorical'],
        ],
        rows: members,
        pk: ['Mitglied-Nr'],
      },
      {
        name: 'Kurs/Gruppe',
        cols: [
          ['Gruppe ID', 'string', 'id'],
          ['Ort', 'string', 'categorical'],
          ['Stufe', 'string', 'categorical'],
          ['Format', 'string', 'categorical'],
        ],
        rows: groups,
        pk: ['Gruppe ID'],
      },
      {
        name: 'Besuch (2024)',
        cols: [
          ['Besuch-Nr', 'string', 'id'],
          ['Mitglied', 'string', 'id'],
          ['Gruppe', 'string', 'id'],
          ['Stufe', 'string', 'categorical'],
          ['Minuten', 'integer', 'numerical'],
          ...(opts.rooms
            ? ([
                ['Haus', 'string', 'id'],
                ['Raum', 'string', 'id'],
              ] as Col[])
            : []),
        ],
        rows: visits,
        pk: ['Besuch-Nr'],
      },
      ...(opts.rooms
        ? [
            {
              name: 'Raum',
              cols: [
                ['Haus', 'string', 'id'],
                ['Raum-Nr', 'string', 'id'],
                ['Stufe', 'string', 'categorical'],
                ['Typ', 'string', 'categorical'],
              ] as Col[],
              rows: rooms,
              pk: ['Haus', 'Raum-Nr'],
            },
          ]
        : []),
    ],
    [
      fk('Besuch (2024)', 'Mitglied', 'Mitglied Liste', 'Mitglied-Nr'),
      fk('Besuch (2024)', 'Gruppe', 'Kurs/Gruppe', 'Gruppe ID'),
      ...(opts.rooms
        ? [
            {
              childTable: 'Besuch (2024)',
              childColumns: ['Haus', 'Raum'],
              parentTable: 'Raum',
              parentColumns: ['Haus', 'Raum-Nr'],
              origin: 'declared' as const,
            },
          ]
        : []),
    ],
  );
}

/**
 * Three generations: accounts ("shop.accounts", text keys like `AC-00042`) with an integer-keyed
 * order per some of them ("orders") and lines under each order ("order lines"); a line's price
 * depends on its order's channel. `reference`: the channels are rows of "ref.channels" (text keys
 * with dots and slashes, `channels` of them), each of a region of "ref.regions" (`regions`), and
 * an order names its channel by key ("channel_id").
 */
export function familyDb(opts: { accounts?: number; seed?: number; reference?: { channels: number; regions: number } } = {}): GeneratedDb {
  const rng = createRng(opts.seed ?? 4);
  const n = opts.accounts ?? 300;
  const ref = opts.reference;
  const tiers = ['basic', 'plus', 'pro'] as const;
  const regions: Row[] = Array.from({ length: ref?.regions ?? 0 }, (_, i) => [`R.${i}/${['north', 'south-east', 'west'][i % 3]}`, `Region ${i}`]);
  const channelRows: Row[] = Array.from({ length: ref?.channels ?? 0 }, (_, i) => [
    `ch:${i % 2 ? 'web' : 'store'}/${i}.x`,
    regions[i % regions.length]![0]!,
    i % 2 ? 'online' : 'shop',
  ]);
  const channels: { value: string; online: boolean }[] = ref
    ? channelRows.map((r) => ({ value: String(r[0]), online: r[2] === 'online' }))
    : [
        { value: 'web', online: true },
        { value: 'store', online: false },
      ];
  const accounts: Row[] = [];
  const orders: Row[] = [];
  const lines: Row[] = [];
  for (let i = 1; i <= n; i++) {
    const id = `AC-${String(i).padStart(5, '0')}`;
    const tier = pick(rng, tiers);
    accounts.push([id, tier, 18 + rng.int(60)]);
    for (let k = rng.int(tier === 'pro' ? 5 : 3); k > 0; k--) {
      const oid = 1000 + orders.length;
      const channel = pick(rng, channels);
      orders.push([oid, id, channel.value, 1 + rng.int(3)]);
      for (let m = 1 + rng.int(3); m > 0; m--)
        lines.push([`L${lines.length + 1}`, oid, Math.round((channel.online ? 20 : 60) * Math.exp(0.2 * rng.normal()) * 100) / 100]);
    }
  }
  const referenceTables = [
    {
      name: 'ref.regions',
      cols: [
        ['id', 'string', 'id'],
        ['name', 'string', 'categorical'],
      ] as Col[],
      rows: regions,
    },
    {
      name: 'ref.channels',
      cols: [
        ['id', 'string', 'id'],
        ['region_id', 'string', 'id'],
        ['kind', 'string', 'categorical'],
      ] as Col[],
      rows: channelRows,
    },
  ];
  return assemble(
    [
      ...(ref ? referenceTables : []),
      {
        name: 'shop.accounts',
        cols: [
          ['id', 'string', 'id'],
          ['tier', 'string', 'categorical'],
          ['age', 'integer', 'numerical'],
        ],
        rows: accounts,
      },
      {
        name: 'orders',
        cols: [
          ['id', 'integer', 'id'],
          ['account_id', 'string', 'id'],
          ref ? ['channel_id', 'string', 'id'] : ['channel', 'string', 'categorical'],
          ['priority', 'integer', 'numerical'],
        ],
        rows: orders,
      },
      {
        name: 'order lines',
        cols: [
          ['id', 'string', 'id'],
          ['order_id', 'integer', 'id'],
          ['price', 'float', 'numerical'],
        ],
        rows: lines,
      },
    ],
    [
      fk('orders', 'account_id', 'shop.accounts'),
      ...(ref ? [fk('orders', 'channel_id', 'ref.channels')] : []),
      fk('order lines', 'order_id', 'orders'),
      ...(ref ? [fk('ref.channels', 'region_id', 'ref.regions')] : []),
    ],
  );
}
