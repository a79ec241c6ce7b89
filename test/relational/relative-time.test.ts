import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/shared/defaults';
import type { DatasetMetadata } from '../../src/shared/metadata';
import type { Row } from '../../src/shared/values';
import { buildPlan } from '../../src/worker/engine/relational/plan';
import { planRelativeTimes, toAbsolute, toRelative } from '../../src/worker/engine/relational/relative-time';

// account (opened) → loan (granted, due): a loan is granted weeks after the account opens and falls due a year later.
const metadata: DatasetMetadata = {
  tables: [
    {
      name: 'account',
      primaryKey: ['id'],
      rowCount: 60,
      columns: [
        { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
        { name: 'opened', storageType: 'date', sdtype: 'datetime', nullable: false },
      ],
    },
    {
      name: 'loan',
      primaryKey: ['id'],
      rowCount: 60,
      columns: [
        { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
        { name: 'account_id', storageType: 'integer', sdtype: 'id', nullable: false },
        { name: 'granted', storageType: 'date', sdtype: 'datetime', nullable: false },
        { name: 'due', storageType: 'date', sdtype: 'datetime', nullable: false },
      ],
    },
  ],
  relationships: [{ parentTable: 'account', parentColumns: ['id'], childTable: 'loan', childColumns: ['account_id'], origin: 'declared' }],
};
const day = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const accounts: Row[] = Array.from({ length: 60 }, (_, i) => [i + 1, iso(Date.UTC(1993, 0, 1) + i * 17 * day)]);
const loans: Row[] = accounts.map((a, i) => {
  const granted = Date.parse(a[1] as string) + (20 + (i % 9)) * day;
  return [i + 1, a[0]!, iso(granted), iso(granted + 365 * day)];
});
const link = Int32Array.from(loans, (_, i) => i);

describe('dates relative to an anchor', () => {
  const config = defaultConfig(metadata, { kind: 'sqlite', path: '/tmp/x.sqlite' });
  const plan = buildPlan(config)!;
  const rows = { account: { columns: ['id', 'opened'], rows: accounts }, loan: { columns: ['id', 'account_id', 'granted', 'due'], rows: loans } };
  const specs = planRelativeTimes(config, plan, rows, { loan: link });

  it("learns the loan's grant from its account's opening and its due date from its own grant", () => {
    expect(specs.account).toEqual([]);
    expect(specs.loan!.map((s) => [s.column, s.parentTable, s.parentColumn])).toEqual([
      ['due', null, 'granted'],
      ['granted', 'account', 'opened'],
    ]);
    expect(specs.loan!.every((s) => s.granularity === day && s.format !== null)).toBe(true);
  });

  it('round-trips: offsets as dates for the model, the same texts back on the same anchors', () => {
    const learned = toRelative(rows.loan, link, rows.account, specs.loan!);
    // What the model sees: small offsets from one base instant, not the calendar dates.
    const grantedOffsets = learned.rows.map((r) => (r[2] as Date).getTime());
    expect(Math.max(...grantedOffsets) - Math.min(...grantedOffsets)).toBe(8 * day);
    expect(learned.rows.every((r) => (r[3] as Date).getTime() === (learned.rows[0]![3] as Date).getTime())).toBe(true);
    toAbsolute(learned, link, rows.account, specs.loan!);
    expect(learned.rows).toEqual(loans);
  });

  it('learns dates as they are under differential privacy (the private ranges are chosen on them)', () => {
    const dp = structuredClone(config);
    dp.settings.privacy.differentialPrivacy.enabled = true;
    expect(planRelativeTimes(dp, plan, rows, { loan: link }).loan).toEqual([]);
  });
});
