import { configDefaults, defineConfig } from 'vitest/config';

// `npm test`: everything but the suites that read ../shared/data (those run in `npm run validate`).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'sim/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: [...configDefaults.exclude, '**/*.data.test.ts'],
    testTimeout: 20_000,
  },
});
