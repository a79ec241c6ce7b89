import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of the shared public datasets (../shared/datasets from the repo root; env DOPPEL_DATASETS overrides). */
export const datasetsDir: string = process.env.DOPPEL_DATASETS ? resolve(process.env.DOPPEL_DATASETS) : resolve(repoRoot, '..', 'shared', 'datasets');

/** Path of a file inside the shared datasets folder. */
export function datasetPath(...parts: string[]): string {
  return resolve(datasetsDir, ...parts);
}
