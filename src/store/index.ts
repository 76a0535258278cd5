// The store's public face: the Store interface, both implementations, and the choice between them.
import { openEmbeddedStore } from './embedded.ts';
import { openInfluxStore } from './influx.ts';
import type { Store } from './types.ts';

export * from './types.ts';
export { MAX_TIME_MS, MIN_TIME_MS } from './rows.ts';
export { openEmbeddedStore, EmbeddedStore, type EmbeddedStoreOptions } from './embedded.ts';
export {
  openInfluxStore,
  ensureSchema,
  parseInfluxUrl,
  InfluxStore,
  type InfluxStoreOptions,
} from './influx.ts';

export interface OpenStoreOptions {
  /** `INFLUX_URL`, e.g. `http://user:password@influx:8086/traffic`; without it, the embedded store. */
  influxUrl?: string;
  /** The embedded store's directory. */
  dataDir?: string;
  /** Days raw rows are kept (both stores). */
  rawRetentionDays?: number;
  /** The embedded store's retention clock (InfluxDB uses its own). */
  clock?: { now(): number };
  /** InfluxDB: the detector row length, s, its 15-minute rollup sums; default 300. */
  rollupInterval?: number;
}

/**
 * InfluxDB 1.x when a URL is given, the embedded store under `dataDir` otherwise.
 *
 * @example
 * const store = await openStore({ influxUrl: process.env.INFLUX_URL, dataDir: 'data/store' });
 */
export async function openStore({
  influxUrl,
  dataDir = 'data/store',
  rawRetentionDays = 7,
  clock,
  rollupInterval,
}: OpenStoreOptions = {}): Promise<Store> {
  if (influxUrl !== undefined && influxUrl !== '') {
    return openInfluxStore({
      url: influxUrl,
      rawRetention: `${rawRetentionDays}d`,
      ...(rollupInterval === undefined ? {} : { rollupInterval }),
    });
  }
  return openEmbeddedStore({
    dataDir,
    retentionDays: rawRetentionDays,
    ...(clock ? { clock } : {}),
  });
}
