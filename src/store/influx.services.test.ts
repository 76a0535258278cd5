// The InfluxDB store against a real influxd 1.x: the Store contract, the schema, the 15-minute rollup, a server restart.
import { FieldType, InfluxDB } from 'influx';
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
    expect(definition).toMatch(/GROUP BY time\(15m\), \* fill\(none\)/);
    expect(definition).toContain(`WHERE interval::tag = '300'`);
    await store.close();
    await (await open()).close(); // at every start: same schema again, no error
    expect((await policies()).aggregates).toMatchObject({ duration: '0s' });
    expect(await admin.showContinousQueries(database)).toHaveLength(1);
    await admin.dropDatabase(database);
  });

  /** 15-minute sums as the rollup wrote them, between `fromMs` and `toMs`. */
  async function rollupRows(database: string, fromMs: number, toMs: number) {
    const influx = new InfluxDB({ host: '127.0.0.1', port: influxd.port, database });
    const sums = await influx.query<{
      count: number;
      occupancy: number;
      covered: number;
      site: string;
      det: string;
      movement: string;
      lane: string;
      interval: string;
    }>('SELECT * FROM "aggregates"."detector_15m" WHERE time >= $from AND time < $to', {
      placeholders: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
      precision: 'ms',
    });
    const rows = sums
      .map(({ time, count, occupancy, covered, site, det, movement, lane, interval }) => ({
        startMs: time.getTime(),
        site,
        det,
        movement,
        lane,
        interval,
        count,
        occupancy: Number(occupancy.toFixed(6)),
        covered,
      }))
      .sort((a, b) => a.startMs - b.startMs || a.site.localeCompare(b.site));
    const tagKeys = await influx.query<{ tagKey: string }>(
      'SHOW TAG KEYS FROM "aggregates"."detector_15m"',
    );
    return { rows, tagKeys: tagKeys.map((row) => row.tagKey).sort() };
  }

  const row = (
    site: string,
    det: string,
    startMs: number,
    interval: number,
    count: number,
  ): DetectorAggregate => ({
    site,
    detector: det,
    movement: 'NBT',
    lane: 1,
    startMs,
    interval,
    count,
    occupancy: count / 100,
  });

  it('runs the rollup query by hand into 15-minute sums of the 5-minute rows, tags kept as tags', async () => {
    const { database, store } = await freshStore();
    const quarter = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
    const fiveMinutes = (site: string, det: string, index: number, count: number) =>
      row(site, det, quarter + index * 300_000, 300, count);
    const rows = [
      fiveMinutes('1001', '5', 0, 10),
      fiveMinutes('1001', '5', 1, 20),
      fiveMinutes('1001', '5', 2, 30), // → 60 in the first quarter
      fiveMinutes('1001', '5', 3, 4), // 5 minutes of the next quarter → 4, covered 300
      fiveMinutes('1002', '7', 1, 9),
      // The engine's 15-minute rows of the same detectors and starts, and a 1-minute row: the
      // rollup must not count their vehicles again.
      row('1001', '5', quarter, 900, 60),
      row('1001', '5', quarter + QUARTER_MS, 900, 4),
      row('1002', '7', quarter, 900, 9),
      row('1001', '5', quarter, 60, 2),
    ];
    await store.writeDetectorAggregates(rows);
    expect(
      await store.detectorAggregates({ fromMs: quarter, toMs: quarter + HOUR_MS }),
    ).toHaveLength(rows.length);
    await store.rollupDetectors({ fromMs: quarter, toMs: quarter + 2 * QUARTER_MS });

    const { rows: sums, tagKeys } = await rollupRows(database, quarter, quarter + HOUR_MS);
    const tags = { movement: 'NBT', lane: '1', interval: '300' };
    expect(sums).toEqual([
      {
        startMs: quarter,
        site: '1001',
        det: '5',
        ...tags,
        count: 60,
        occupancy: 0.2,
        covered: 900,
      },
      {
        startMs: quarter,
        site: '1002',
        det: '7',
        ...tags,
        count: 9,
        occupancy: 0.09,
        covered: 300,
      },
      {
        startMs: quarter + QUARTER_MS,
        site: '1001',
        det: '5',
        ...tags,
        count: 4,
        occupancy: 0.04,
        covered: 300,
      },
    ]);
    expect(tagKeys).toEqual(['det', 'interval', 'lane', 'movement', 'site']);
    await store.close();
    await store.influx.dropDatabase(database);
  });

  it('rolls up the row length it is given, and reads rows written when the interval was a field', async () => {
    const database = `greenwave_test_${++databases}`;
    const quarter = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
    const store = await openInfluxStore({ url: `${influxd.url}/${database}`, rollupInterval: 60 });
    // A row as an older release wrote it: `interval` a field, not a tag.
    const admin = new InfluxDB({
      host: '127.0.0.1',
      port: influxd.port,
      database,
      schema: [
        {
          measurement: 'detector',
          tags: ['site', 'det', 'movement', 'lane'],
          fields: {
            count: FieldType.INTEGER,
            occupancy: FieldType.FLOAT,
            interval: FieldType.FLOAT,
          },
        },
      ],
    });
    await admin.writePoints(
      [
        {
          measurement: 'detector',
          tags: { site: '1001', det: '5', movement: 'NBT', lane: '1' },
          fields: { count: 45, occupancy: 0.1, interval: 900 },
          timestamp: String(quarter - QUARTER_MS),
        },
      ],
      { precision: 'ms', retentionPolicy: 'raw' },
    );
    const minutes = Array.from({ length: 15 }, (_, index) =>
      row('1001', '5', quarter + index * 60_000, 60, index + 1),
    ); // 1..15 → 120
    await store.writeDetectorAggregates([...minutes, row('1001', '5', quarter, 300, 15)]);
    await store.rollupDetectors({ fromMs: quarter - QUARTER_MS, toMs: quarter + QUARTER_MS });
    const { rows: sums } = await rollupRows(database, quarter - QUARTER_MS, quarter + HOUR_MS);
    expect(
      sums.map(({ startMs, count, covered, interval }) => ({ startMs, count, covered, interval })),
    ).toEqual([{ startMs: quarter, count: 120, covered: 900, interval: '60' }]);
    const read = await store.detectorAggregates({
      fromMs: quarter - QUARTER_MS,
      toMs: quarter + 1,
    });
    expect(
      read.map(({ startMs, interval, count }) => [startMs - quarter, interval, count]),
    ).toEqual([
      [-QUARTER_MS, 900, 45],
      [0, 60, 1],
      [0, 300, 15],
    ]);
    await store.close();
    await admin.dropDatabase(database);
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
