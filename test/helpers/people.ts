/** A generated table of people (no shared dataset): for the privacy attacks and the report. */
import type { CellValue, RowBatch } from '../../src/shared';
import type { ColumnSpec } from '../../src/worker/engine/evaluate/columns';
import { rng } from '../../src/worker/engine/evaluate/sample';

/** People: age, income (depends on age and job), job, city, a yes/no flag and a score. */
export function people(n: number, seed: number): RowBatch {
  const r = rng(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const jobs = ['clerk', 'nurse', 'driver', 'teacher', 'engineer', 'cook'];
  const cities = ['Lyon', 'Graz', 'Porto', 'Ghent', 'Turku', 'Brno', 'Cork', 'Split'];
  const rows: CellValue[][] = [];
  for (let i = 0; i < n; i++) {
    const age = 18 + Math.floor(r() * 60);
    const job = jobs[Math.floor(r() * jobs.length)]!;
    const income = Math.round(20000 + age * 400 + jobs.indexOf(job) * 3000 + normal() * 5000);
    rows.push([age, income, job, cities[Math.floor(r() * cities.length)]!, r() < 0.3 ? 'yes' : 'no', Math.round(r() * 1000) / 10]);
  }
  return { columns: ['age', 'income', 'job', 'city', 'member', 'score'], rows };
}

export const peopleSpecs: ColumnSpec[] = [
  { name: 'age', sdtype: 'numerical' },
  { name: 'income', sdtype: 'numerical' },
  { name: 'job', sdtype: 'categorical' },
  { name: 'city', sdtype: 'categorical' },
  { name: 'member', sdtype: 'categorical' },
  { name: 'score', sdtype: 'numerical' },
];
