// Lint rules: typescript-eslint's recommended set, plus the rule that keeps the pure core pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const core = [
  'src/network/**',
  'src/demand/**',
  'src/timing/**',
  'src/analysis/**',
  'src/optimize/**',
  'sim/**',
];
const edgeModules = [
  'fastify',
  'mqtt',
  'aedes',
  'influx',
  'node:fs',
  'node:fs/promises',
  'fs',
  'node:net',
  'node:http',
  'node:child_process',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['bin/**/*.js', '*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: core,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: edgeModules.map((name) => ({
            name,
            message:
              'The pure core reads no files, sockets or services: do I/O in an adapter at the edge (cli, api, store).',
          })),
          patterns: [
            {
              group: ['**/cli/**', '**/api/**', '**/store/**', '**/controllers/**', '**/ingest/**'],
              message: 'The core must not import the edges.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'The core reads no clock: pass time in.' },
        { object: 'Math', property: 'random', message: 'Pass an rng in, so results repeat.' },
      ],
    },
  },
  {
    // The live loop's logic is pure too: the engine and the field do its I/O and own its clock.
    files: ['src/controllers/**', 'src/ingest/**'],
    ignores: ['**/*.test.ts', '**/*.fixture.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: edgeModules.map((name) => ({
            name,
            message:
              'Protocol and ingest logic is pure: plain data in and out; the engine does the I/O.',
          })),
          patterns: [
            {
              group: ['**/engine/**', '**/mqtt/**', '**/api/**', '**/cli/**'],
              message: 'Protocol and ingest logic must not import the adapters.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pass time in (ms since the epoch).' },
        { object: 'Math', property: 'random', message: 'Pass an rng in, so results repeat.' },
      ],
    },
  },
);
