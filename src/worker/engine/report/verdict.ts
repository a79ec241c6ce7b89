/**
 * The plain-language privacy verdict of a report, for a privacy officer: what was measured, what
 * it means, and whether it is reassuring. Thresholds:
 * - DCR share ≤ 0.53: strong (synthetic rows are as far from the training people as from unseen
 *   people); ≤ 0.60: acceptable; above: at risk (the model memorised part of its training data).
 * - Any synthetic row equal to a training row that is unique there: at risk.
 * - Median synthetic distance under half the holdout's: at least acceptable, not strong.
 * - 5th-percentile NNDR under half the holdout's (rows sitting on isolated records): acceptable.
 * - Singling-out, linkability, attribute inference (attacks.ts): at risk when the lower end of
 *   the 95% interval of the risk against the control set is above ATTACK_RISK_THRESHOLD.
 * - Membership-inference AUC of the distance attacker: above MIA_AUC_ACCEPTABLE acceptable,
 *   above MIA_AUC_AT_RISK at risk.
 */
import { ATTACK_RISK_THRESHOLD, MIA_AUC_ACCEPTABLE, MIA_AUC_AT_RISK, type AttackResult } from '../evaluate/attacks';
import type { PrivacyResult } from '../evaluate/privacy';
import type { ProtectionChecks, ReportJson } from '../../../report/schema';

type Verdict = ReportJson['summary']['privacy'];

export interface TablePrivacy {
  table: string;
  privacy: PrivacyResult | null;
  checks?: ProtectionChecks | null;
}

/** Lines about rare categories and extremes that the synthetic data still reproduces. */
function checkLines(checks: ProtectionChecks | null | undefined): string[] {
  if (!checks) return [];
  const lines: string[] = [];
  const rare = checks.rare.filter((r) => r.syntheticRows > 0);
  if (rare.length) {
    const rows = rare.reduce((s, r) => s + r.syntheticRows, 0);
    lines.push(`${rows} synthetic row(s) carry a category that is rare in the real data (${rare.map((r) => r.column).join(', ')})`);
  }
  const ext = checks.extremes.filter((e) => e.reachesExtreme);
  if (ext.length) lines.push(`the synthetic data reaches a rare real minimum or maximum in ${ext.map((e) => e.column).join(', ')}`);
  return lines;
}

function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** Lines and levels of the auditor's attacks. */
function attackLines(a: AttackResult | null | undefined, worse: (l: 'acceptable' | 'at-risk') => void): string[] {
  if (!a) return [];
  const lines: string[] = [];
  const named: [string, AttackResult['singlingOut']][] = [
    ['singling-out', a.singlingOut],
    ['linkability', a.linkability],
    [`attribute inference${a.inference ? ` (${a.inference.column})` : ''}`, a.inference],
  ];
  const risky = named.filter(([, r]) => r && r.riskLow > ATTACK_RISK_THRESHOLD);
  for (const [name, r] of risky) {
    worse('at-risk');
    lines.push(
      `the ${name} attack succeeds on ${pct(r!.attackRate)} of training records against ${pct(r!.controlRate)} of unseen ones (risk ${pct(r!.risk)}, at least ${pct(r!.riskLow)} at 95%; threshold ${pct(ATTACK_RISK_THRESHOLD, 0)})`,
    );
  }
  const quiet = named.filter(([, r]) => r && r.riskLow <= ATTACK_RISK_THRESHOLD).map(([n]) => n);
  if (quiet.length)
    lines.push(
      `the ${quiet.join(', ')} attack${quiet.length > 1 ? 's' : ''} do${quiet.length > 1 ? '' : 'es'} no measurably better on training records than on unseen ones`,
    );
  const auc = a.membershipAuc;
  if (auc !== null) {
    if (auc > MIA_AUC_AT_RISK) worse('at-risk');
    else if (auc > MIA_AUC_ACCEPTABLE) worse('acceptable');
    lines.push(
      `a distance-based membership attacker tells training records from unseen ones with AUC ${auc.toFixed(2)} (0.50 = cannot tell; above ${MIA_AUC_ACCEPTABLE} is a signal, above ${MIA_AUC_AT_RISK} a risk)`,
    );
  }
  return lines;
}

const rank = { strong: 0, acceptable: 1, 'at-risk': 2, 'not-measured': -1 } as const;

export function privacyVerdict(tables: TablePrivacy[], dp: { epsilon: number; delta?: number } | null): Verdict {
  const measured = tables.filter((t): t is TablePrivacy & { privacy: PrivacyResult } => t.privacy !== null);
  if (measured.length === 0) {
    return {
      level: 'not-measured',
      headline: 'Privacy was not measured: no real rows were held out from training to compare with.',
      details: ['Run the synthesis again with a holdout (the default) to measure distances to closest records.'],
      dcrShare: null,
      exactMatches: null,
      exactMatchesUnique: null,
    };
  }
  const state: { level: 'strong' | 'acceptable' | 'at-risk' } = { level: 'strong' };
  const worse = (l: 'acceptable' | 'at-risk'): void => {
    if (rank[l] > rank[state.level]) state.level = l;
  };
  const details: string[] = [];
  let exact = 0;
  let exactUnique = 0;
  let shareSum = 0;
  let shareN = 0;
  const multi = measured.length > 1;
  for (const { table, privacy: p, checks } of measured) {
    exact += p.exactMatches;
    exactUnique += p.exactMatchesUnique;
    const lines: string[] = [];
    if (p.dcrShare === null) {
      lines.push('distances were not compared with a holdout (too few rows to hold some out of training)');
    } else {
      shareSum += p.dcrShare;
      shareN++;
      if (p.dcrShare > 0.6) {
        worse('at-risk');
        lines.push(
          `${pct(p.dcrShare)} of synthetic rows are closer to a training record than to an unseen real record (50% is ideal): the model reproduces part of its training data`,
        );
      } else if (p.dcrShare > 0.53) {
        worse('acceptable');
        lines.push(
          `${pct(p.dcrShare)} of synthetic rows are closer to a training record than to an unseen real record (50% is ideal): slightly closer to the training data than fresh data would be`,
        );
      } else {
        lines.push(`synthetic rows are as close to unseen real records as to the training records (DCR share ${pct(p.dcrShare)}; 50% is ideal)`);
      }
    }
    const uniqueRate = p.uniqueMatchRate;
    const chance = p.holdoutUniqueMatchRate;
    if (p.exactMatchesUnique > 0 && chance !== null && chance > 0 && uniqueRate <= chance * 1.5 + 0.001) {
      lines.push(
        `${p.exactMatchesUnique} synthetic row(s) equal a training record that is unique in the real data, about as often as unseen real records do (${pct(uniqueRate, 2)} vs ${pct(chance, 2)}): with few columns, such coincidences are expected and are not copies`,
      );
    } else if (p.exactMatchesUnique > 0) {
      worse('at-risk');
      lines.push(`${p.exactMatchesUnique} synthetic row(s) reproduce a training record that is unique in the real data`);
    } else if (p.exactMatches > 0) {
      const baseline = p.holdoutExactMatchRate;
      lines.push(
        `${p.exactMatches} synthetic row(s) equal a training record, but only records that are common in the real data (none is unique)` +
          (baseline !== null ? `; ${pct(baseline)} of unseen real rows also equal one` : ''),
      );
    } else {
      lines.push('no synthetic row equals a training record');
    }
    const hold = p.dcr.holdout;
    if (hold && hold.median > 0 && p.dcr.synthetic.median < hold.median / 2) {
      worse('acceptable');
      lines.push(
        `synthetic rows are typically much nearer to a training record (median distance ${p.dcr.synthetic.median.toFixed(3)}) than unseen real rows are (${hold.median.toFixed(3)})`,
      );
    }
    const holdNndr = p.nndr.holdout;
    if (holdNndr && holdNndr.p5 > 0 && p.nndr.synthetic.p5 < holdNndr.p5 / 2) {
      worse('acceptable');
      lines.push(
        `some synthetic rows sit on isolated training records (5th-percentile NNDR ${p.nndr.synthetic.p5.toFixed(2)} vs ${holdNndr.p5.toFixed(2)} for unseen real rows)`,
      );
    }
    lines.push(...attackLines(p.attacks, worse));
    const extra = checkLines(checks);
    if (extra.length) {
      worse('acceptable');
      lines.push(...extra);
    }
    if (multi) details.push(`${table}: ${lines.join('; ')}.`);
    else details.push(...lines.map((l) => `${l.charAt(0).toUpperCase()}${l.slice(1)}.`));
  }
  if (dp) details.push(`Training was differentially private (ε = ${dp.epsilon}${dp.delta !== undefined ? `, δ = ${dp.delta}` : ''}).`);
  const share = shareN ? shareSum / shareN : null;
  const level = state.level;
  if (shareN === 0 && level !== 'at-risk') {
    return {
      level: 'not-measured',
      headline:
        'Privacy only partly measured: no synthetic row copies a unique real record, but there were too few rows to hold some out and compare distances.',
      details,
      dcrShare: null,
      exactMatches: exact,
      exactMatchesUnique: exactUnique,
    };
  }
  const headline =
    level === 'strong'
      ? 'Strong privacy: the synthetic data is no closer to the people it was trained on than to people it never saw, and it copies no unique real record.'
      : level === 'acceptable'
        ? 'Acceptable privacy: no unique real record is copied, but some points below deserve a look before the data is shared.'
        : 'Privacy at risk: the synthetic data reproduces training records. Review before sharing it (stronger rare-category protection, fewer epochs or differential privacy).';
  return { level, headline, details, dcrShare: share, exactMatches: exact, exactMatchesUnique: exactUnique };
}
