// The InfluxDB store against a real influxd 1.x: the Store contract, the schema, the 15-minute rollup, a server restart.
import { InfluxDB } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxStore, openInfluxStore } from './influx.ts';
import { openStore } from './index.ts';
import { startInfluxd, type InfluxdProcess } from './influxd.ts';
import { storeContract } from './store-contract.ts';
import type { DetectorAggregate, Store } from './types.ts';

let influxd: InfluxdProcess;
let databases = 0;

beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.dispose();
});

async function freshStore(options: { aggregateRetention?: string } = {}) {
  const database = `greenwave_test_${++databases}`;
  const open = () => openInfluxStore({ url: `${influxd.url}/${database}`, ...options });
  return { database, open, store: await open() };
}

storeContract(
  'InfluxDB 1.x',
  async () => {
    const { database, open, store } = await freshStore();
    const harness = {
      store: store as Store,
      nowMs: Date.now(),
      async reopen() {
        await harness.store.close();
        harness.store = await open();
        return harness.store;
      },
      async dispose() {
        await harness.store.close();
        await store.influx.dropDatabase(database);
      },
    };
    return harness;
  },
  { propertyRuns: 12 },
);

describe('openInfluxStore against influxd', () => {
  const HOUR_MS = 3_600_000;
  const QUARTER_MS = 900_000;

  it('creates the retention policies (raw the default) and the rollup query, and brings older ones up to date', async () => {
    const database = `greenwave_test_${++databases}`;
    const admin = new InfluxDB({ host: '127.0.0.1', port: influxd.port, database });
    // What an older release might have left: a 5-minute rollup under the same name.
    await admin.createDatabase(database);
    await admin.createRetentionPolicy('raw', { duration: '1d', replication: 1, isDefault: true });
    await admin.createRetentionPolicy('aggregates', { duration: 'INF', replication: 1 });
    await admin.createContinuousQuery(
      'cq_detector_15m',
      `SELECT sum("count") AS "count" INTO "${database}"."aggregates"."detector_15m" FROM "${database}"."raw"."detector" GROUP BY time(5m), *`,
      database,
    );
    const open = (aggregateRetention?: string) =>
      openInfluxStore({
        url: `${influxd.url}/${database}`,
        ...(aggregateRetention ? { aggregateRetention } : {}),
      });
    const store = await open('52w');
    const policies = async () =>
      Object.fromEntries(
        (await admin.showRetentionPolicies(database)).map((policy) => [policy.name, policy]),
      );
    expect(await policies()).toMatchObject({
      raw: { duration: '168h0m0s', default: true },
      aggregates: { duration: '8736h0m0s', default: false },
      state: { duration: '0s', default: false },
    });
    const queries = await admin.showContinousQueries(database);
    expect(queries.map((query) => query.name)).toEqual(['cq_detector_15m']);
    const definition = queries[0]!.query;
    expect(definition).toMatch(/RESAMPLE\s+FOR 1h/);
    expect(definition).toContain(`INTO ${database}.aggregates.detector_15m`);
    expect(definition).toContain(`FROM ${database}.raw.detector`);
    expect(definition).toMatch(/GROUP BY time\(15m\), \*/);
    await store.close();
    await (await open()).close(); // at every start: same schema again, no error
    expect((await policies()).aggregates).toMatchObject({ duration: '0s' });
    expect(await admin.showContinousQueries(database)).toHaveLength(1);
    await admin.dropDatabase(database);
  });

  it('runs the rollup query by hand into 15-minute sums per detector, tags kept as tags', async () => {
    const { database, store } = await freshStore();
    const quarter = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
    const minute = (
      site: string,
      det: string,
      index: number,
      count: number,
    ): DetectorAggregate => ({
      site,
      detector: det,
      movement: 'NBT',
      lane: 1,
      startMs: quarter + index * 60_000,
      interval: 60,
      count,
      occupancy: count / 100,
    });
    const rows = [
      ...Array.from({ length: 15 }, (_, index) => minute('1001', '5', index, index + 1)), // 1..15 → 120
      ...Array.from({ length: 10 }, (_, index) => minute('1001', '5', 15 + index, 2)), // 10 minutes of the next quarter → 20
      minute('1002', '7', 3, 9),
    ];
    await store.writeDetectorAggregates(rows);
    await store.rollupDetectors({ fromMs: quarter, toMs: quarter + 2 * QUARTER_MS });

    const influx = new InfluxDB({ host: '127.0.0.1', port: influxd.port, database });
    const sums = await influx.query<{
      count: number;
      occupancy: number;
      covered: number;
      site: string;
      det: string;
      movement: string;
      lane: string;
    }>('SELECT * FROM "aggregates"."detector_15m" WHERE time >= $from AND time < $to', {
      placeholders: {
        from: new Date(quarter).toISOString(),
        to: new Date(quarter + HOUR_MS).toISOString(),
      },
      precision: 'ms',
    });
    const read = sums
      .map(({ time, count, occupancy, covered, site, det, movement, lane }) => ({
        startMs: time.getTime(),
        site,
        det,
        movement,
        lane,
        count,
        occupancy: Number(occupancy.toFixed(6)),
        covered,
      }))
      .sort((a, b) => a.startMs - b.startMs || a.site.localeCompare(b.site));
    expect(read).toEqual([
      {
        startMs: quarter,
        site: '1001',
        det: '5',
        movement: 'NBT',
        lane: '1',
        count: 120,
        occupancy: 0.08,
        covered: 900,
      },
      {
        startMs: quarter,
        site: '1002',
        det: '7',
        movement: 'NBT',
        lane: '1',
        count: 9,
        occupancy: 0.09,
        covered: 60,
      },
      {
        startMs: quarter + QUARTER_MS,
        site: '1001',
        det: '5',
        movement: 'NBT',
        lane: '1',
        count: 20,
        occupancy: 0.02,
        covered: 600,
      },
    ]);
    const tagKeys = await influx.query<{ tagKey: string }>(
      'SHOW TAG KEYS FROM "aggregates"."detector_15m"',
    );
    expect(tagKeys.map((row) => row.tagKey).sort()).toEqual(['det', 'lane', 'movement', 'site']);
    await store.close();
    await influx.dropDatabase(database);
  });

  it('keeps rows and state across a restart of influxd itself', async () => {
    const { database, open, store } = await freshStore();
    const startMs = Math.floor(Date.now() / 1000) * 1000 - HOUR_MS + 7;
    await store.writeHiresEvents([
      { site: '1001', timestampMs: startMs, code: 82, param: 5 },
      { site: '1001', timestampMs: startMs, code: 82, param: 6 },
    ]);
    await store.putState('plans', { '1001': { version: 3 } });
    await store.close();
    await influxd.stop();
    await influxd.start();
    const reopened: InfluxStore = await open();
    expect(await reopened.hiresEvents({ fromMs: startMs, toMs: startMs + 1 })).toHaveLength(2);
    expect(await reopened.getState('plans')).toEqual({ '1001': { version: 3 } });
    await reopened.close();
    await reopened.influx.dropDatabase(database);
  });

  it('is what openStore opens for an INFLUX_URL, with the raw retention it is given', async () => {
    const database = `greenwave_test_${++databases}`;
    const store = await openStore({ influxUrl: `${influxd.url}/${database}`, rawRetentionDays: 3 });
    expect(store).toBeInstanceOf(InfluxStore);
    const policies = await (store as InfluxStore).influx.showRetentionPolicies(database);
    expect(policies.find((policy) => policy.name === 'raw')).toMatchObject({
      duration: '72h0m0s',
      default: true,
    });
    await store.close();
    await (store as InfluxStore).influx.dropDatabase(database);
  });
});
