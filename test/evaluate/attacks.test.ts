import { describe, expect, it } from 'vitest';
import { ATTACK_RISK_THRESHOLD, MIA_AUC_ACCEPTABLE, MIA_AUC_AT_RISK, evaluateAttacks, membershipAuc } from '../../src/worker/engine/evaluate/attacks';
import { people, peopleSpecs } from '../helpers/people';

describe('auditor attacks against a control set', () => {
  const train = people(800, 1);
  const control = people(800, 2);

  it('flags a synthetic set made by copying training rows, on every attack', () => {
    const copied = { columns: train.columns, rows: train.rows.map((r) => [...r]) };
    const a = evaluateAttacks({ train, control, synthetic: copied, columns: peopleSpecs, attacks: 300 })!;
    expect(a.singlingOut!.riskLow).toBeGreaterThan(ATTACK_RISK_THRESHOLD);
    expect(a.linkability!.riskLow).toBeGreaterThan(ATTACK_RISK_THRESHOLD);
    expect(a.inference!.riskLow).toBeGreaterThan(ATTACK_RISK_THRESHOLD);
    expect(a.membershipAuc!).toBeGreaterThan(MIA_AUC_AT_RISK);
    expect(a.singlingOut!.attackRate).toBeGreaterThan(a.singlingOut!.controlRate);
  });

  it('does not flag a fresh sample of the same distribution', () => {
    const fresh = people(800, 3);
    const a = evaluateAttacks({ train, control, synthetic: fresh, columns: peopleSpecs, attacks: 300 })!;
    expect(a.singlingOut!.riskLow).toBeLessThanOrEqual(ATTACK_RISK_THRESHOLD);
    expect(a.linkability!.riskLow).toBeLessThanOrEqual(ATTACK_RISK_THRESHOLD);
    expect(a.inference!.riskLow).toBeLessThanOrEqual(ATTACK_RISK_THRESHOLD);
    expect(a.membershipAuc!).toBeLessThan(MIA_AUC_ACCEPTABLE);
    expect(a.inferenceColumns.length).toBeGreaterThan(1);
  });

  it('membership AUC: 1 when every member is closer, 0.5 when the distances do not differ', () => {
    expect(membershipAuc(Float64Array.from([0, 0, 0.1]), Float64Array.from([0.2, 0.3]))).toBe(1);
    expect(membershipAuc(Float64Array.from([0.2, 0.2]), Float64Array.from([0.2, 0.2]))).toBe(0.5);
  });

  it('needs a control set', () => {
    expect(evaluateAttacks({ train, control: { columns: train.columns, rows: [] }, synthetic: train, columns: peopleSpecs })).toBeNull();
  });
});
