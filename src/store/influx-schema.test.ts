// Rows ↔ InfluxDB points, queries with bound parameters, state chunks, URLs — without a server.
import fc from 'fast-check';
import { InfluxDB } from 'influx';
import { describe, expect, it } from 'vitest';
import { openInfluxStore, parseInfluxUrl } from './influx.ts';
import {
  INFLUX_SCHEMA,
  fromSeries,
  isRollupInterval,
  joinStateChunks,
  rollupSelect,
  selectRows,
  stateChunks,
  statePoints,
  toPoint,
} from './influx-schema.ts';
import { MAX_TIME_MS, MIN_TIME_MS, type MeasurementName, type RowKinds } from './rows.ts';

const client = new InfluxDB({
  host: '127.0.0.1',
  database: 'traffic',
  schema: INFLUX_SCHEMA.map((measurement) => ({ ...measurement })),
});

/** What the server would answer to `SELECT *` after storing these points: time, then keys in name order. */
function served(points: ReturnType<typeof toPoint>[]) {
  const columns = [
    'time',
    ...new Set(
      points.flatMap((point) => [
        ...Object.keys(point.tags ?? {}),
        ...Object.keys(point.fields ?? {}),
      ]),
    ),
  ].sort((a, b) => (a === 'time' ? -1 : b === 'time' ? 1 : a.localeCompare(b)));
  const values = points.map((point) =>
    columns.map((column) => {
      if (column === 'time') return Number(point.timestamp);
      const all: Record<string, unknown> = { ...point.tags, ...point.fields };
      return all[column] ?? null;
    }),
  );
  return { columns, values };
}

describe('toPoint and fromSeries', () => {
  const rows: { [Name in MeasurementName]: RowKinds[Name][] } = {
    detector: [
      {
        site: '1001',
        detector: '5',
        movement: 'NBT',
        lane: 2,
        startMs: 0,
        interval: 60,
        count: 3,
        occupancy: 0.1,
      },
      {
        site: '1001',
        detector: '6',
        startMs: 1_718_000_000_123,
        interval: 60,
        count: 0,
        occupancy: 0,
      },
    ],
    movement: [
      {
        site: '1001',
        movement: 'NBT',
        startMs: 1_718_000_000_123,
        interval: 300,
        count: 40,
        flow: 480,
      },
    ],
    hires: [{ site: '1001', timestampMs: 1_718_000_000_100, code: 82, param: 5 }],
    plan: [
      {
        site: '1001',
        planId: 'am',
        version: 7,
        appliedAtMs: 5,
        cycle: 120,
        offset: 17,
        planJson: '{"a":"\\"q\\""}',
      },
    ],
  };

  for (const name of Object.keys(rows) as MeasurementName[]) {
    it(`round-trips ${name} rows through points`, () => {
      const points = rows[name].map((row) => toPoint(name, row));
      expect(fromSeries(name, served(points))).toEqual(rows[name]);
    });
  }

  it('writes integer counts with the i suffix and keeps time 0 as a timestamp (node-influx drops a falsy one)', () => {
    const parsed = client.parsePoint(toPoint('detector', rows.detector[0]!), { precision: 'ms' });
    expect(parsed.castedTimestamp).toBe('0');
    expect(Object.fromEntries(parsed.fieldsPairs)).toEqual({ count: '3i', occupancy: '0.1' });
    expect(parsed.tagsNames.sort()).toEqual(['det', 'interval', 'lane', 'movement', 'site']);
  });

  it('makes the interval a tag, so rows of two lengths with one start are two points', () => {
    const [five, quarter] = [300, 900].map((interval) =>
      client.parsePoint(toPoint('detector', { ...rows.detector[0]!, interval }), {
        precision: 'ms',
      }),
    );
    expect(five!.tags).not.toEqual(quarter!.tags);
    expect(five!.castedTimestamp).toBe(quarter!.castedTimestamp);
    const movement = client.parsePoint(toPoint('movement', rows.movement[0]!), {
      precision: 'ms',
    });
    expect(movement.tagsNames.sort()).toEqual(['interval', 'movement', 'site']);
    expect(toPoint('detector', { ...rows.detector[0]!, interval: 0.5 }).tags).toMatchObject({
      interval: '0.5',
    });
  });

  it('reads rows written when the interval was a field, beside rows with the tag', () => {
    // InfluxDB names a field and a tag of one name `interval` and `interval_1` in `SELECT *`.
    const series = {
      columns: ['time', 'count', 'det', 'interval', 'interval_1', 'occupancy', 'site'],
      values: [
        [0, 5, '1', 300, null, 0.1, 'a'],
        [0, 20, '1', null, '900', 0.2, 'a'],
      ],
    };
    expect(fromSeries('detector', series).map((row) => [row.interval, row.count])).toEqual([
      [300, 5],
      [900, 20],
    ]);
  });
});

describe('selectRows', () => {
  it('passes every caller value as a bound parameter', () => {
    const select = selectRows('movement', {
      fromMs: 60_000,
      toMs: 120_000,
      filters: { site: `a' OR 1=1 --`, movement: 'NBT' },
    });
    expect(select).toEqual({
      text: 'SELECT * FROM "raw"."movement" WHERE time >= $from AND time < $to AND "site" = $site AND "movement" = $movement',
      placeholders: {
        from: '1970-01-01T00:01:00.000Z',
        to: '1970-01-01T00:02:00.000Z',
        site: `a' OR 1=1 --`,
        movement: 'NBT',
      },
    });
  });

  it('clamps to the storable times and skips ranges outside them', () => {
    const wide = selectRows('plan', { fromMs: -1e15, toMs: 1e15, filters: {} });
    expect(wide?.placeholders).toMatchObject({
      from: new Date(MIN_TIME_MS).toISOString(),
      to: new Date(MAX_TIME_MS + 1).toISOString(),
    });
    expect(wide?.text).toContain('FROM "aggregates"."plan"');
    expect(selectRows('hires', { fromMs: -1e15, toMs: MIN_TIME_MS, filters: {} })).toBeUndefined();
  });

  it('writes the rollup into the aggregates policy from the rows of one length, grouping by every tag', () => {
    expect(rollupSelect('my "db"', { where: 'time >= $from' })).toBe(
      'SELECT sum("count") AS "count", mean("occupancy") AS "occupancy", count("count") * 300 AS "covered" ' +
        'INTO "my \\"db\\""."aggregates"."detector_15m" FROM "my \\"db\\""."raw"."detector" ' +
        `WHERE "interval"::tag = '300' AND time >= $from GROUP BY time(15m), * fill(none)`,
    );
    expect(rollupSelect('traffic', { interval: 60 })).toContain(
      `count("count") * 60 AS "covered" INTO`,
    );
    expect(rollupSelect('traffic', { interval: 60 })).toContain(
      `WHERE "interval"::tag = '60' GROUP`,
    );
  });

  it('takes as rollup intervals only lengths that fill 15 minutes whole', () => {
    expect([60, 300, 900, 0.5].map(isRollupInterval)).toEqual([true, true, true, true]);
    expect([0, -300, 420, 1800, Number.NaN].map(isRollupInterval)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('state chunks', () => {
  it('splits any text into chunks that join back, never inside a surrogate pair', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.integer({ min: 2, max: 9 }),
        (json, size) => {
          const chunks = stateChunks(json, size);
          expect(chunks.join('')).toBe(json);
          for (const chunk of chunks) {
            expect(chunk.length).toBeLessThanOrEqual(size);
            const last = chunk.charCodeAt(chunk.length - 1);
            if (chunk !== chunks.at(-1)) expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
          }
        },
      ),
    );
  });

  it('reads the newest document and ignores chunks a longer older one left behind', () => {
    const long = statePoints('k', 'x'.repeat(40_000));
    const short = statePoints('k', '"short"');
    expect(long).toHaveLength(3);
    const series = served([...short, ...long.slice(short.length)]);
    expect(joinStateChunks('k', series)).toBe('"short"');
    expect(joinStateChunks('k', served(long))).toBe('x'.repeat(40_000));
    expect(
      joinStateChunks('k', { columns: ['time', 'part', 'parts'], values: [] }),
    ).toBeUndefined();
    expect(() => joinStateChunks('k', served([long[0]!, long[2]!]))).toThrow(
      expect.objectContaining({ code: 'CORRUPT_DATA' }),
    );
  });
});

describe('parseInfluxUrl', () => {
  it('reads credentials, port and database', () => {
    expect(parseInfluxUrl('http://engine:s%40cret@influx:8087/traffic')).toEqual({
      protocol: 'http',
      host: 'influx',
      port: 8087,
      username: 'engine',
      password: 's@cret',
      database: 'traffic',
    });
    expect(parseInfluxUrl('https://influx.example.org')).toEqual({
      protocol: 'https',
      host: 'influx.example.org',
      port: 443,
    });
  });

  it('refuses a rollup interval that does not fill 15 minutes whole, before connecting', async () => {
    await expect(
      openInfluxStore({ url: 'http://127.0.0.1:1/traffic', rollupInterval: 420 }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => parseInfluxUrl('influx:8086')).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    expect(() => parseInfluxUrl('not a url')).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});
