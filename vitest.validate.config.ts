import { defineConfig } from 'vitest/config';

// `npm run validate`: the suites that read the real networks in ../shared/data.
export default defineConfig({
  test: {
    include: ['src/**/*.data.test.ts', 'sim/**/*.data.test.ts'],
    testTimeout: 120_000,
  },
});
