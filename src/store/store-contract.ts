// The one test suite every Store implementation must pass (graphology's `specs(Graph)` idea).
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectorSpec, hiresSpec } from './rows.ts';
import {
  StoreError,
  type DetectorAggregate,
  type HiresEvent,
  type MovementAggregate,
  type PlanRecord,
  type Store,
} from './types.ts';

/** A freshly opened, empty store and the means to reopen it on the same data. */
export interface StoreHarness {
  store: Store;
  /** Closes `store` and opens the same data directory / database again (also updates `store`). */
  reopen(): Promise<Store>;
  /** "Now" of the clock the store's retention runs on, ms (InfluxDB: the server's wall clock). */
  nowMs: number;
  /** Closes the store and frees what opening made (directory, database). */
  dispose(): Promise<void>;
}

export interface StoreContractOptions {
  /** Runs of each property test; an implementation over the network may ask for fewer. */
  propertyRuns?: number;
}

const SECOND_MS = 1000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Registers the contract suite for one Store implementation. `open` is called once per test and
 * must return an empty store.
 *
 * @example
 * storeContract('embedded', async () => { const dataDir = await mkdtemp(...); ... return { store, reopen, nowMs, dispose } });
 */
export function storeContract(
  name: string,
  open: () => Promise<StoreHarness>,
  { propertyRuns = 40 }: StoreContractOptions = {},
): void {
  describe(`Store contract: ${name}`, () => {
    let harness: StoreHarness;
    /** A whole hour a few hours before now: inside the raw retention and in the past. */
    let base: number;

    beforeEach(async () => {
      harness = await open();
      base = Math.floor(harness.nowMs / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;
    });
    afterEach(async () => {
      await harness.dispose();
    });

    const detector = (overrides: Partial<DetectorAggregate> = {}): DetectorAggregate => ({
      site: '1001',
      detector: '5',
      startMs: base,
      interval: 60,
      count: 12,
      occupancy: 0.25,
      ...overrides,
    });
    const movement = (overrides: Partial<MovementAggregate> = {}): MovementAggregate => ({
      site: '1001',
      movement: 'NBT',
      startMs: base,
      interval: 300,
      count: 40,
      flow: 480,
      ...overrides,
    });
    const hires = (overrides: Partial<HiresEvent> = {}): HiresEvent => ({
      site: '1001',
      timestampMs: base,
      code: 82,
      param: 5,
      ...overrides,
    });
    const plan = (overrides: Partial<PlanRecord> = {}): PlanRecord => ({
      site: '1001',
      planId: 'am_peak',
      version: 7,
      appliedAtMs: base,
      cycle: 120,
      offset: 17.5,
      plan: {
        stages: [{ id: 'A', green: 44.5, greens: { '2': 'protected' } }],
        note: 'ünïcode ✓ 🚦',
      },
      ...overrides,
    });
    const all = (store: Store, fromMs = base - DAY_MS, toMs = base + DAY_MS) =>
      Promise.all([
        store.detectorAggregates({ fromMs, toMs }),
        store.movementAggregates({ fromMs, toMs }),
        store.hiresEvents({ fromMs, toMs }),
        store.planRecords({ fromMs, toMs }),
      ]);

    it('reads nothing from an empty store', async () => {
      expect(await all(harness.store)).toEqual([[], [], [], []]);
      expect(await harness.store.getState('plans')).toBeUndefined();
    });

    it('reads back what it wrote, field for field, at millisecond precision', async () => {
      const detectors = [
        detector({ startMs: base + 123, occupancy: 0.1 + 0.2 }),
        detector({
          detector: '6',
          movement: 'NBL',
          lane: 2,
          startMs: base + 123,
          count: 0,
          occupancy: 0,
        }),
      ];
      const movements = [movement({ startMs: base + 1, flow: 1234.5678 })];
      const events = [
        hires({ timestampMs: base + 100 }),
        hires({ timestampMs: base + 101, code: 1, param: 2 }),
      ];
      const plans = [plan({ appliedAtMs: base + 999 })];
      await harness.store.writeDetectorAggregates(detectors);
      await harness.store.writeMovementAggregates(movements);
      await harness.store.writeHiresEvents(events);
      await harness.store.writePlanRecords(plans);
      const [readDetectors, readMovements, readEvents, readPlans] = await all(harness.store);
      expect(readDetectors).toStrictEqual(detectors);
      expect(readMovements).toStrictEqual(movements);
      expect(readEvents).toStrictEqual(events);
      expect(readPlans).toStrictEqual(plans);
    });

    it('sorts by time, then site, then ids (strings in code-unit order, absent tags first)', async () => {
      const t = base + 500;
      const expected = [
        detector({ site: 'b', detector: '1', startMs: t - 1 }),
        detector({ site: 'B', detector: '9', startMs: t }),
        detector({ site: 'a', detector: '10', startMs: t }),
        detector({ site: 'a', detector: '9', startMs: t }),
        detector({ site: 'a', detector: '9', movement: 'NBL', startMs: t }),
        detector({ site: 'a', detector: '9', movement: 'NBT', startMs: t }),
        detector({ site: 'a', detector: '9', movement: 'NBT', lane: 1, startMs: t }),
        detector({ site: 'a', detector: '9', movement: 'NBT', lane: 2, startMs: t }),
      ];
      await harness.store.writeDetectorAggregates([...expected].reverse());
      expect(
        await harness.store.detectorAggregates({ fromMs: base, toMs: base + HOUR_MS }),
      ).toEqual(expected);

      const events = [
        hires({ site: 'a', timestampMs: t, code: 8, param: 2 }),
        hires({ site: 'a', timestampMs: t, code: 82, param: 2 }),
        hires({ site: 'a', timestampMs: t, code: 82, param: 10 }),
        hires({ site: 'b', timestampMs: t, code: 1, param: 1 }),
        hires({ site: 'a', timestampMs: t + 1, code: 1, param: 1 }),
      ];
      await harness.store.writeHiresEvents([
        events[3]!,
        events[2]!,
        events[4]!,
        events[0]!,
        events[1]!,
      ]);
      expect(await harness.store.hiresEvents({ fromMs: base, toMs: base + HOUR_MS })).toEqual(
        events,
      );

      const movements = [
        movement({ site: 'a', movement: 'SBT', startMs: t }),
        movement({ site: 'b', movement: 'EBL', startMs: t }),
        movement({ site: 'b', movement: 'NBT', startMs: t }),
      ];
      await harness.store.writeMovementAggregates([movements[2]!, movements[0]!, movements[1]!]);
      expect(
        await harness.store.movementAggregates({ fromMs: base, toMs: base + HOUR_MS }),
      ).toEqual(movements);

      const plans = [
        plan({ site: 'z', appliedAtMs: t - 1 }),
        plan({ site: 'a', appliedAtMs: t }),
        plan({ site: 'b', appliedAtMs: t }),
      ];
      await harness.store.writePlanRecords([plans[2]!, plans[1]!, plans[0]!]);
      expect(await harness.store.planRecords({ fromMs: base, toMs: base + HOUR_MS })).toEqual(
        plans,
      );
    });

    it('reads half-open ranges [fromMs, toMs) across hours', async () => {
      const times = [
        base - 1,
        base,
        base + 1,
        base + 999,
        base + 1000,
        base + HOUR_MS,
        base + 2 * HOUR_MS + 7,
      ];
      await harness.store.writeDetectorAggregates(times.map((startMs) => detector({ startMs })));
      await harness.store.writeHiresEvents(times.map((timestampMs) => hires({ timestampMs })));
      await harness.store.writePlanRecords(times.map((appliedAtMs) => plan({ appliedAtMs })));
      await harness.store.writeMovementAggregates(times.map((startMs) => movement({ startMs })));
      const between = async (fromMs: number, toMs: number) => {
        const [detectors, movements, events, plans] = await all(harness.store, fromMs, toMs);
        const detectorTimes = detectors.map((row) => row.startMs);
        expect(movements.map((row) => row.startMs)).toEqual(detectorTimes);
        expect(events.map((row) => row.timestampMs)).toEqual(detectorTimes);
        expect(plans.map((row) => row.appliedAtMs)).toEqual(detectorTimes);
        return detectorTimes;
      };
      expect(await between(base + 1, base + 1000)).toEqual([base + 1, base + 999]);
      expect(await between(base, base + 1)).toEqual([base]);
      expect(await between(base, base)).toEqual([]);
      expect(await between(base - 1, base + 2 * HOUR_MS + 7)).toEqual(times.slice(0, -1));
      expect(await between(base + 1001, base + 2 * HOUR_MS + 8)).toEqual([
        base + HOUR_MS,
        base + 2 * HOUR_MS + 7,
      ]);
    });

    it('filters by site and by detector or movement, exactly', async () => {
      await harness.store.writeDetectorAggregates([
        detector({ site: 'a', detector: '1' }),
        detector({ site: 'a', detector: '10' }),
        detector({ site: 'b', detector: '1' }),
      ]);
      await harness.store.writeMovementAggregates([
        movement({ site: 'a', movement: 'NBT' }),
        movement({ site: 'b', movement: 'NBT' }),
        movement({ site: 'b', movement: 'NBTR' }),
      ]);
      await harness.store.writeHiresEvents([hires({ site: 'a' }), hires({ site: 'ab' })]);
      await harness.store.writePlanRecords([plan({ site: 'a' }), plan({ site: 'b' })]);
      const range = { fromMs: base, toMs: base + 1 };
      const ids = (rows: readonly { site: string }[], field: string) =>
        rows.map(
          (row) => `${row.site}/${String((row as unknown as Record<string, unknown>)[field])}`,
        );
      expect(
        ids(await harness.store.detectorAggregates({ ...range, detector: '1' }), 'detector'),
      ).toEqual(['a/1', 'b/1']);
      expect(
        ids(await harness.store.detectorAggregates({ ...range, site: 'a' }), 'detector'),
      ).toEqual(['a/1', 'a/10']);
      expect(
        ids(
          await harness.store.detectorAggregates({ ...range, site: 'b', detector: '10' }),
          'detector',
        ),
      ).toEqual([]);
      expect(
        ids(await harness.store.movementAggregates({ ...range, movement: 'NBT' }), 'movement'),
      ).toEqual(['a/NBT', 'b/NBT']);
      expect(
        ids(await harness.store.movementAggregates({ ...range, site: 'b' }), 'movement'),
      ).toEqual(['b/NBT', 'b/NBTR']);
      expect(ids(await harness.store.hiresEvents({ ...range, site: 'a' }), 'code')).toEqual([
        'a/82',
      ]);
      expect(ids(await harness.store.planRecords({ ...range, site: 'b' }), 'planId')).toEqual([
        'b/am_peak',
      ]);
    });

    it('treats filter values as data, never as query text', async () => {
      const site = `x"y'z=1,2`;
      await harness.store.writeDetectorAggregates([
        detector({ site }),
        detector({ site: 'other' }),
      ]);
      const range = { fromMs: base, toMs: base + 1 };
      expect(
        (await harness.store.detectorAggregates({ ...range, site })).map((row) => row.site),
      ).toEqual([site]);
      expect(await harness.store.detectorAggregates({ ...range, site: `' OR ''='` })).toEqual([]);
      expect(
        await harness.store.detectorAggregates({
          ...range,
          site: `" OR "site" =~ /.*/ OR "site" = "`,
        }),
      ).toEqual([]);
    });

    it('overwrites a second write of the same identity; rows that differ in a tag are both kept', async () => {
      await harness.store.writeDetectorAggregates([
        detector({ count: 5 }),
        detector({ lane: 2, count: 6 }),
      ]);
      await harness.store.writeDetectorAggregates([detector({ count: 7, occupancy: 0.5 })]);
      expect(await harness.store.detectorAggregates({ fromMs: base, toMs: base + 1 })).toEqual([
        detector({ count: 7, occupancy: 0.5 }),
        detector({ lane: 2, count: 6 }),
      ]);
      await harness.store.writeMovementAggregates([movement({ count: 1 }), movement({ count: 2 })]);
      expect(await harness.store.movementAggregates({ fromMs: base, toMs: base + 1 })).toEqual([
        movement({ count: 2 }),
      ]);
      await harness.store.writePlanRecords([plan({ planId: 'old', version: 1 })]);
      await harness.store.writePlanRecords([plan({ planId: 'new', version: 2, plan: { n: 2 } })]);
      expect(await harness.store.planRecords({ fromMs: base, toMs: base + 1 })).toEqual([
        plan({ planId: 'new', version: 2, plan: { n: 2 } }),
      ]);
    });

    it('keeps two rows that differ only by interval: the 5- and 15-minute rows of one start', async () => {
      // Regression: the 900 s row overwrote the 300 s row with the same start (a third of the
      // 5-minute rows were lost in the ingest benchmark).
      const fiveMinutes = detector({ movement: 'NBT', lane: 1, interval: 300, count: 40 });
      const quarter = detector({ movement: 'NBT', lane: 1, interval: 900, count: 130 });
      await harness.store.writeDetectorAggregates([fiveMinutes]);
      await harness.store.writeDetectorAggregates([quarter]);
      expect(await harness.store.detectorAggregates({ fromMs: base, toMs: base + 1 })).toEqual([
        fiveMinutes,
        quarter,
      ]);
      await harness.store.writeMovementAggregates([
        movement({ interval: 900, count: 130, flow: 520 }),
        movement({ interval: 300, count: 40 }),
      ]);
      expect(await harness.store.movementAggregates({ fromMs: base, toMs: base + 1 })).toEqual([
        movement({ interval: 300, count: 40 }),
        movement({ interval: 900, count: 130, flow: 520 }),
      ]);
      // and each still overwrites a second write of its own interval
      await harness.store.writeDetectorAggregates([{ ...quarter, count: 131 }]);
      expect(
        (await harness.store.detectorAggregates({ fromMs: base, toMs: base + 1 })).map(
          (row) => row.count,
        ),
      ).toEqual([40, 131]);
      await harness.reopen();
      expect(await harness.store.detectorAggregates({ fromMs: base, toMs: base + 1 })).toHaveLength(
        2,
      );
    });

    it('keeps hi-res events with the same code and time but different params; drops exact repeats', async () => {
      await harness.store.writeHiresEvents([
        hires({ param: 5 }),
        hires({ param: 6 }),
        hires({ param: 5 }),
      ]);
      await harness.store.writeHiresEvents([hires({ param: 6 })]);
      expect(await harness.store.hiresEvents({ fromMs: base, toMs: base + 1 })).toEqual([
        hires({ param: 5 }),
        hires({ param: 6 }),
      ]);
    });

    it('treats empty writes as no-ops', async () => {
      await harness.store.writeDetectorAggregates([]);
      await harness.store.writeMovementAggregates([]);
      await harness.store.writeHiresEvents([]);
      await harness.store.writePlanRecords([]);
      expect(await all(harness.store)).toEqual([[], [], [], []]);
    });

    const badRows: [string, (store: Store) => Promise<void>, string][] = [
      [
        'count NaN',
        (s) => s.writeDetectorAggregates([detector(), detector({ count: Number.NaN })]),
        'count',
      ],
      [
        'negative count',
        (s) => s.writeDetectorAggregates([detector(), detector({ count: -1 })]),
        'count',
      ],
      [
        'fractional count',
        (s) => s.writeDetectorAggregates([detector(), detector({ count: 1.5 })]),
        'count',
      ],
      [
        'occupancy > 1',
        (s) => s.writeDetectorAggregates([detector(), detector({ occupancy: 1.2 })]),
        'occupancy',
      ],
      [
        'occupancy NaN',
        (s) => s.writeDetectorAggregates([detector(), detector({ occupancy: Number.NaN })]),
        'occupancy',
      ],
      [
        'missing site',
        (s) =>
          s.writeDetectorAggregates([
            detector(),
            { ...detector(), site: undefined as unknown as string },
          ]),
        'site',
      ],
      [
        'empty detector',
        (s) => s.writeDetectorAggregates([detector(), detector({ detector: '' })]),
        'detector',
      ],
      [
        'site with a space',
        (s) => s.writeDetectorAggregates([detector(), detector({ site: 'a b' })]),
        'site',
      ],
      [
        'fractional ms',
        (s) => s.writeDetectorAggregates([detector(), detector({ startMs: base + 0.5 })]),
        'startMs',
      ],
      [
        'zero interval',
        (s) => s.writeDetectorAggregates([detector(), detector({ interval: 0 })]),
        'interval',
      ],
      [
        'fractional lane',
        (s) => s.writeDetectorAggregates([detector(), detector({ lane: 1.5 })]),
        'lane',
      ],
      [
        'negative flow',
        (s) => s.writeMovementAggregates([movement(), movement({ flow: -1 })]),
        'flow',
      ],
      [
        'infinite flow',
        (s) => s.writeMovementAggregates([movement(), movement({ flow: Infinity })]),
        'flow',
      ],
      [
        'missing movement',
        (s) =>
          s.writeMovementAggregates([
            movement(),
            { ...movement(), movement: undefined as unknown as string },
          ]),
        'movement',
      ],
      ['code 256', (s) => s.writeHiresEvents([hires(), hires({ code: 256 })]), 'code'],
      ['negative param', (s) => s.writeHiresEvents([hires(), hires({ param: -1 })]), 'param'],
      [
        'timestamp NaN',
        (s) => s.writeHiresEvents([hires(), hires({ timestampMs: Number.NaN })]),
        'timestampMs',
      ],
      ['version 0', (s) => s.writePlanRecords([plan(), plan({ version: 0 })]), 'version'],
      ['plan undefined', (s) => s.writePlanRecords([plan(), plan({ plan: undefined })]), 'plan'],
      ['negative offset', (s) => s.writePlanRecords([plan(), plan({ offset: -1 })]), 'offset'],
      [
        'a row that is not an object',
        (s) => s.writeHiresEvents([hires(), null as unknown as HiresEvent]),
        'row',
      ],
    ];
    for (const [what, write, field] of badRows) {
      it(`rejects a batch with a bad row (${what}), naming row and field, writing none of it`, async () => {
        const failure = write(harness.store);
        await expect(failure).rejects.toBeInstanceOf(StoreError);
        await expect(failure).rejects.toMatchObject({ code: 'INVALID_ROW', row: 1, field });
        expect(await all(harness.store)).toEqual([[], [], [], []]);
      });
    }

    it('rejects malformed ranges with INVALID_RANGE', async () => {
      const store = harness.store;
      const bad = [
        store.detectorAggregates({ fromMs: Number.NaN, toMs: base }),
        store.movementAggregates({ fromMs: base + 1, toMs: base }),
        store.hiresEvents({ fromMs: base + 0.5, toMs: base + 10 }),
        store.planRecords({ fromMs: base, toMs: base + 10, site: 5 as unknown as string }),
      ];
      for (const query of bad) await expect(query).rejects.toMatchObject({ code: 'INVALID_RANGE' });
    });

    it('discards raw rows already older than the retention (7 days); keeps old plans', async () => {
      const old = harness.nowMs - 8 * DAY_MS;
      const recent = harness.nowMs - 6 * DAY_MS;
      await harness.store.writeDetectorAggregates([
        detector({ startMs: old }),
        detector({ startMs: recent }),
      ]);
      await harness.store.writeHiresEvents([hires({ timestampMs: old })]);
      await harness.store.writePlanRecords([plan({ appliedAtMs: old })]);
      const range = { fromMs: old - DAY_MS, toMs: harness.nowMs };
      expect((await harness.store.detectorAggregates(range)).map((row) => row.startMs)).toEqual([
        recent,
      ]);
      expect(await harness.store.hiresEvents(range)).toEqual([]);
      expect(await harness.store.planRecords(range)).toEqual([plan({ appliedAtMs: old })]);
    });

    it('keeps state documents per key: put, get, overwrite, JSON round trip', async () => {
      await harness.store.putState('plans', { '1001': { version: 3 } });
      await harness.store.putState('controllers/1001', ['online', null, 1.5]);
      await harness.store.putState('plans', { '1001': { version: 4 }, when: new Date(base) });
      expect(await harness.store.getState('plans')).toEqual({
        '1001': { version: 4 },
        when: new Date(base).toISOString(),
      });
      expect(await harness.store.getState('controllers/1001')).toEqual(['online', null, 1.5]);
      expect(await harness.store.getState('controllers')).toBeUndefined();
      await harness.store.putState('zero', 0);
      expect(await harness.store.getState('zero')).toBe(0);
    });

    it('keeps large state documents whole (beyond InfluxDB’s 64 KB string field)', async () => {
      const stages = Array.from({ length: 3000 }, (_, index) => ({
        id: `stage ${index} 🚦 ü`,
        green: index / 7,
      }));
      await harness.store.putState('network', { stages });
      expect(await harness.store.getState('network')).toEqual({ stages });
      await harness.store.putState('network', { stages: stages.slice(0, 2) });
      expect(await harness.store.getState('network')).toEqual({ stages: stages.slice(0, 2) });
    });

    it('rejects state it cannot keep with INVALID_STATE', async () => {
      await expect(harness.store.putState('a', undefined)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      await expect(harness.store.putState('a', { n: BigInt(1) })).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      await expect(harness.store.putState('has space', 1)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      await expect(harness.store.getState('')).rejects.toMatchObject({ code: 'INVALID_STATE' });
      expect(await harness.store.getState('a')).toBeUndefined();
    });

    it('survives close and reopen', async () => {
      await harness.store.writeDetectorAggregates([
        detector(),
        detector({ movement: 'NBT', lane: 1, startMs: base + HOUR_MS + 5 }),
      ]);
      await harness.store.writeMovementAggregates([movement()]);
      await harness.store.writeHiresEvents([hires(), hires({ param: 6 })]);
      await harness.store.writePlanRecords([plan()]);
      await harness.store.putState('plans', { '1001': { planId: 'am_peak', version: 7 } });
      const before = await all(harness.store);
      const store = await harness.reopen();
      expect(await all(store)).toEqual(before);
      expect(await store.getState('plans')).toEqual({ '1001': { planId: 'am_peak', version: 7 } });
      await store.writeDetectorAggregates([detector({ count: 99 })]);
      expect((await store.detectorAggregates({ fromMs: base, toMs: base + 1 }))[0]?.count).toBe(99);
    });

    it('applies calls in call order even when they are not awaited one by one', async () => {
      const store = harness.store;
      const writes = [
        store.writeDetectorAggregates([detector({ count: 1 })]),
        store.writeDetectorAggregates([detector({ count: 2 })]),
        store.putState('order', 'first'),
        store.putState('order', 'second'),
      ];
      const [rows, state] = await Promise.all([
        store.detectorAggregates({ fromMs: base, toMs: base + 1 }),
        store.getState('order'),
      ]);
      await Promise.all(writes);
      expect(rows.map((row) => row.count)).toEqual([2]);
      expect(state).toBe('second');
    });

    it('returns copies: changing a result changes nothing stored', async () => {
      await harness.store.writePlanRecords([plan()]);
      await harness.store.writeDetectorAggregates([detector()]);
      const [read] = await harness.store.planRecords({ fromMs: base, toMs: base + 1 });
      (read!.plan as { note: string }).note = 'changed';
      const [row] = await harness.store.detectorAggregates({ fromMs: base, toMs: base + 1 });
      row!.count = 1000;
      expect(await harness.store.planRecords({ fromMs: base, toMs: base + 1 })).toEqual([plan()]);
      expect(await harness.store.detectorAggregates({ fromMs: base, toMs: base + 1 })).toEqual([
        detector(),
      ]);
    });

    it('rejects calls after close with STORE_CLOSED; closing twice is harmless', async () => {
      await harness.store.close();
      await harness.store.close();
      await expect(harness.store.writeDetectorAggregates([detector()])).rejects.toMatchObject({
        code: 'STORE_CLOSED',
      });
      await expect(
        harness.store.hiresEvents({ fromMs: base, toMs: base + 1 }),
      ).rejects.toMatchObject({ code: 'STORE_CLOSED' });
      await expect(harness.store.getState('plans')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    });

    it('agrees with a model (last write wins per identity, half-open range, sorted) on random batches', async () => {
      let run = 0;
      const offsetMs = fc
        .integer({ min: 0, max: 6 })
        .chain((second) => fc.integer({ min: 0, max: 2 }).map((ms) => second * SECOND_MS + ms));
      const detectorRow = fc.record({
        site: fc.constantFrom('a', 'b'),
        detector: fc.constantFrom('1', '2'),
        movement: fc.constantFrom(undefined, 'NBT'),
        lane: fc.constantFrom(undefined, 1),
        offsetMs,
        interval: fc.constantFrom(60, 0.5),
        count: fc.integer({ min: 0, max: 100 }),
        occupancy: fc.double({ min: 0, max: 1, noNaN: true }),
      });
      const hiresRow = fc.record({
        site: fc.constantFrom('a', 'b'),
        code: fc.constantFrom(1, 82),
        param: fc.integer({ min: 0, max: 2 }),
        offsetMs,
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(detectorRow, { maxLength: 12 }), { maxLength: 4 }),
          fc.array(hiresRow, { maxLength: 20 }),
          fc.integer({ min: 0, max: 7000 }),
          fc.integer({ min: 0, max: 7000 }),
          fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
          async (batches, events, from, to, site) => {
            const window = base - ++run * 2 * HOUR_MS;
            const range = {
              fromMs: window + Math.min(from, to),
              toMs: window + Math.max(from, to),
              ...(site ? { site } : {}),
            };
            const model = new Map<string, DetectorAggregate>();
            for (const batch of batches) {
              const rows = batch.map(({ offsetMs: offset, movement: m, lane, ...row }) => ({
                ...row,
                ...(m === undefined ? {} : { movement: m }),
                ...(lane === undefined ? {} : { lane }),
                startMs: window + offset,
              }));
              await harness.store.writeDetectorAggregates(rows);
              for (const row of rows) model.set(detectorSpec.identity(row), row);
            }
            const hiresRows = events.map(({ offsetMs: offset, ...row }) => ({
              ...row,
              timestampMs: window + offset,
            }));
            await harness.store.writeHiresEvents(hiresRows);
            const hiresModel = new Map(hiresRows.map((row) => [hiresSpec.identity(row), row]));
            const inRange = (time: number, rowSite: string) =>
              time >= range.fromMs && time < range.toMs && (site === undefined || rowSite === site);
            expect(await harness.store.detectorAggregates(range)).toEqual(
              [...model.values()]
                .filter((row) => inRange(row.startMs, row.site))
                .sort(detectorSpec.compare),
            );
            expect(await harness.store.hiresEvents(range)).toEqual(
              [...hiresModel.values()]
                .filter((row) => inRange(row.timestampMs, row.site))
                .sort(hiresSpec.compare),
            );
          },
        ),
        { numRuns: propertyRuns },
      );
    });
  });
}
