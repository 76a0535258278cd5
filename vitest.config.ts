import { configDefaults, defineConfig } from 'vitest/config';

// `npm test`: everything but the suites that read ../shared/data (`npm run validate`) and those
// that start real services, Mosquitto and InfluxDB (`npm run test:services`).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'sim/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: [...configDefaults.exclude, '**/*.data.test.ts', '**/*.services.test.ts'],
    testTimeout: 20_000,
  },
});
