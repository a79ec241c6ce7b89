import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'stream', 'url', 'worker_threads', 'zlib', 'util', 'events', 'readline', 'buffer'];
const nodeImportPatterns = [{ group: ['node:*', ...nodeBuiltins], message: 'No Node imports here (layering: see STYLE.md).' }];

export default tseslint.config(
  { ignores: ['node_modules', 'out', 'dist', 'test/e2e/screenshots', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only src/main/electron imports electron.' }] }],
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'shared is pure TypeScript.' }],
        patterns: [...nodeImportPatterns, { group: ['../data/*', '../worker/*', '../main/*', '../renderer/*', '**/data/**', '**/worker/**', '**/main/**', '**/renderer/**'], message: 'shared imports nothing from other layers.' }],
      }],
    },
  },
  {
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer talks to main only through the API.' }],
        patterns: [...nodeImportPatterns, { group: ['**/data/**', '**/worker/**', '**/main/**'], message: 'The renderer imports only shared and itself.' }],
      }],
    },
  },
  {
    files: ['src/data/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'Only src/main/electron imports electron.' }],
        patterns: [{ group: ['**/renderer/**', '**/main/**', '**/worker/**', '**/report/**'], message: 'data imports only shared and itself.' }],
      }],
    },
  },
  {
    files: ['src/report/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'Only src/main/electron imports electron.' }],
        patterns: [{ group: ['**/renderer/**', '**/main/**', '**/worker/**'], message: 'report imports only shared, data and itself.' }],
      }],
    },
  },
  {
    files: ['src/worker/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'Only src/main/electron imports electron.' }],
        patterns: [{ group: ['**/renderer/**', '**/main/**'], message: 'worker does not import main or renderer.' }],
      }],
    },
  },
  {
    files: ['src/main/**'],
    ignores: ['src/main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'Only src/main/electron imports electron.' }],
        patterns: [{ group: ['**/renderer/**', '**/worker/**'], message: 'main talks to the worker only through the job protocol (src/shared/job.ts); move what both need to data or report.' }],
      }],
    },
  },
  {
    files: ['src/main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/renderer/**', '**/worker/**'], message: 'main talks to the worker only through the job protocol (src/shared/job.ts); move what both need to data or report.' }],
      }],
    },
  },
);
