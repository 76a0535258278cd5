import { defineConfig } from 'vitest/config';

// `npm run test:services`: suites against real Mosquitto (MQTT 5) and InfluxDB 1.x, which each
// suite starts itself from Debian's binaries on a free port (no system service is assumed).
export default defineConfig({
  test: {
    include: ['src/**/*.services.test.ts', 'sim/**/*.services.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
