// Tests for aggregation: clock-aligned intervals, duplicates, late data, order of arrival, conservation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregateReadings,
  closeIntervals,
  closeStoredIntervals,
  createAggregation,
  intervalStartMs,
  openSince,
  type AggregationState,
  type IntervalAggregate,
} from './aggregate.ts';
import { siteShard } from './site-table.ts';
import { IngestError, type VolumeReading } from './types.ts';

const T0 = Date.parse('2026-11-28T07:00:00Z');
const MINUTE = 60_000;

function reading(
  detector: string,
  endMinute: number,
  count: number,
  occupancy = 0.1,
  interval = 60,
): VolumeReading {
  return {
    site: 'SA',
    detector,
    seq: endMinute,
    endMs: T0 + endMinute * MINUTE,
    interval,
    count,
    occupancy,
  };
}

/** Folds the readings in the given batches, then closes everything. */
function aggregateAll(
  batches: VolumeReading[][],
  state = createAggregation(),
): IntervalAggregate[] {
  for (const batch of batches) state = aggregateReadings(state, batch).state;
  return closeIntervals(state, T0 + 24 * 60 * MINUTE).closed;
}

/** Occupancy sums depend on the order of addition in the last bits: compare to 1e-9. */
function rounded(closed: IntervalAggregate[]) {
  return closed.map((aggregate) => ({
    ...aggregate,
    detectors: Object.fromEntries(
      Object.entries(aggregate.detectors)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([id, totals]) => [id, { ...totals, occupancy: Math.round(totals.occupancy * 1e9) }]),
    ),
  }));
}

const readingsArbitrary = fc.uniqueArray(
  fc.record({
    detector: fc.constantFrom('w-0', 'w-1', 'w-2', 'ba-0'),
    minute: fc.integer({ min: 1, max: 40 }),
    count: fc.nat(30),
    occupancy: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  { selector: ({ detector, minute }) => `${detector}@${minute}`, maxLength: 80 },
);
const toReadings = (
  records: { detector: string; minute: number; count: number; occupancy: number }[],
) =>
  records.map(({ detector, minute, count, occupancy }) =>
    reading(detector, minute, count, occupancy),
  );

describe('intervalStartMs', () => {
  it('puts a reading in the clock-aligned interval holding its midpoint', () => {
    expect(intervalStartMs({ endMs: T0 + 5 * MINUTE, interval: 60 }, 300)).toBe(T0);
    expect(intervalStartMs({ endMs: T0 + 5 * MINUTE + 20_000, interval: 60 }, 300)).toBe(T0);
    expect(intervalStartMs({ endMs: T0 + 5 * MINUTE + 40_000, interval: 60 }, 300)).toBe(
      T0 + 5 * MINUTE,
    );
    expect(intervalStartMs({ endMs: T0 + 15 * MINUTE, interval: 300 }, 900)).toBe(T0);
  });
});

describe('aggregateReadings and closeIntervals', () => {
  it('sums counts and takes occupancy as the mean weighted by seconds covered', () => {
    const closed = aggregateAll([
      [
        reading('w-0', 1, 10, 0.2),
        reading('w-0', 2, 6, 0.4),
        reading('w-0', 2.5, 3, 0.1, 30),
        reading('w-1', 4, 5, 0.3),
      ],
    ]);
    const five = closed.find((aggregate) => aggregate.interval === 300)!;
    expect(five).toMatchObject({ startMs: T0, endMs: T0 + 5 * MINUTE });
    expect(five.detectors['w-0']!.count).toBe(19);
    expect(five.detectors['w-0']!.occupancy).toBeCloseTo(
      (0.2 * 60 + 0.4 * 60 + 0.1 * 30) / 150,
      12,
    );
    expect(five.detectors['w-0']).toMatchObject({ covered: 150, readings: 3 });
    expect(five.detectors['w-1']).toMatchObject({ count: 5, covered: 60, readings: 1 });
    const quarter = closed.find((aggregate) => aggregate.interval === 900)!;
    expect(quarter.detectors['w-0']!.count).toBe(19);
  });

  it('keeps an interval open through the grace period, then emits it once and refuses later data', () => {
    let state = createAggregation({ intervals: [300], grace: 120 });
    state = aggregateReadings(state, [reading('w-0', 5, 4)]).state;
    const early = closeIntervals(state, T0 + 6 * MINUTE);
    expect(early.closed).toEqual([]);
    const late = aggregateReadings(early.state, [reading('w-0', 4, 2)]);
    expect(late.fresh).toHaveLength(1);
    const due = closeIntervals(late.state, T0 + 7 * MINUTE);
    expect(due.closed).toHaveLength(1);
    expect(due.closed[0]!.detectors['w-0']!.count).toBe(6);
    expect(closeIntervals(due.state, T0 + 8 * MINUTE).closed).toEqual([]);
    const tooLate = aggregateReadings(due.state, [reading('w-0', 3, 9)]);
    expect(tooLate.fresh).toEqual([]);
    expect(tooLate.late).toMatchObject([{ code: 'interval-closed', detector: 'w-0', seq: 3 }]);
  });

  it('lands data too late for the 5-minute interval in the 15-minute one while that is open', () => {
    let state = createAggregation({ intervals: [300, 900], grace: 60 });
    state = closeIntervals(state, T0 + 6 * MINUTE).state;
    const result = aggregateReadings(state, [reading('w-0', 2, 7)]);
    expect(result.fresh).toHaveLength(1);
    expect(result.late).toEqual([]);
    const closed = closeIntervals(result.state, T0 + 20 * MINUTE).closed;
    expect(closed.map(({ interval, detectors }) => [interval, detectors['w-0']?.count])).toEqual([
      [900, 7],
    ]);
  });

  it('never counts a redelivered reading twice, and says which were duplicates', () => {
    let state = createAggregation();
    const first = aggregateReadings(state, [reading('w-0', 1, 5), reading('w-0', 2, 5)]);
    state = first.state;
    const again = aggregateReadings(state, [
      reading('w-0', 2, 5),
      reading('w-0', 3, 1),
      reading('w-0', 3, 1),
    ]);
    expect(again.fresh.map((fresh) => fresh.endMs)).toEqual([T0 + 3 * MINUTE]);
    expect(again.duplicates).toHaveLength(2);
    const closed = closeIntervals(again.state, T0 + 60 * MINUTE).closed;
    expect(closed[0]!.detectors['w-0']!.count).toBe(11);
  });

  it('does not change the state it is given', () => {
    const state = aggregateReadings(createAggregation(), [reading('w-0', 1, 5)]).state;
    const frozen = structuredClone(state);
    aggregateReadings(state, [reading('w-0', 2, 5), reading('w-1', 1, 3)]);
    closeIntervals(state, T0 + 60 * MINUTE);
    expect(state).toEqual(frozen);
  });

  it('copies only the part of the site a message comes from (regression: every detector was copied per message)', () => {
    const sites = Array.from({ length: 40 }, (_, index) => `S${index}`);
    const all = sites.map((site) => ({ ...reading('w-0', 1, 5), site, detector: `${site}-0` }));
    const before = aggregateReadings(createAggregation(), all).state;
    const after = aggregateReadings(before, [
      { ...reading('w-0', 2, 3), site: 'S7', detector: 'S7-0' },
    ]).state;
    const touched = siteShard('S7');
    after.levels.forEach((level, index) => {
      const [key] = Object.keys(level.open);
      const was = before.levels[index]!.open[key!]!.sites;
      const now = level.open[key!]!.sites;
      for (const shard of Object.keys(was)) {
        if (shard === touched) expect(now[shard]).not.toBe(was[shard]);
        else expect(now[shard], shard).toBe(was[shard]);
      }
    });
  });

  it('closes the intervals a store already holds, so that they are not stored again with less', () => {
    let state = createAggregation({ intervals: [300, 900], grace: 120 });
    expect(openSince(state)).toBeUndefined();
    // readings to 07:09: 07:00–07:05 and 07:05–07:10 open at 5 minutes, 07:00–07:15 at 15
    state = aggregateReadings(
      state,
      [1, 2, 6, 9].map((minute) => reading('w-0', minute, 1)),
    ).state;
    expect(openSince(state)).toBe(T0);
    const stored = [
      { interval: 300, startMs: T0 }, // stored after the state was saved
      { interval: 900, startMs: T0 - 15 * MINUTE }, // before it: no open interval ends by then
    ];
    const closed = closeStoredIntervals(state, stored);
    expect(closed.levels.map((level) => level.closedThroughMs)).toEqual([T0 + 5 * MINUTE, T0]);
    expect(Object.keys(closed.levels[0]!.open)).toEqual([String(T0 + 5 * MINUTE)]);
    expect(closed.levels[1]!.open).toEqual(state.levels[1]!.open);
    // what it emits at the end is the open rest, and a late reading for 07:00–07:05 is refused
    const rest = closeIntervals(closed, T0 + 24 * 60 * MINUTE).closed;
    expect(rest.map(({ interval, startMs }) => [interval, startMs - T0])).toEqual([
      [900, 0],
      [300, 5 * MINUTE],
    ]);
    expect(aggregateReadings(closed, [reading('w-1', 3, 1)]).late).toHaveLength(0); // 900 s open
    expect(closeStoredIntervals(state, [])).toBe(state);
  });

  it('throws BAD_OPTION on an interval that is not positive', () => {
    expect(() => createAggregation({ intervals: [0] })).toThrow(IngestError);
    expect(() => createAggregation({ intervals: [] })).toThrow(IngestError);
  });

  it('conserves counts: every interval length sums to the readings, per detector', () => {
    fc.assert(
      fc.property(readingsArbitrary, (records) => {
        const readings = toReadings(records);
        const closed = aggregateAll([readings]);
        for (const interval of [300, 900]) {
          for (const detector of ['w-0', 'w-1', 'w-2', 'ba-0']) {
            const aggregated = closed
              .filter((aggregate) => aggregate.interval === interval)
              .reduce((total, aggregate) => total + (aggregate.detectors[detector]?.count ?? 0), 0);
            const sent = readings
              .filter((entry) => entry.detector === detector)
              .reduce((total, entry) => total + entry.count, 0);
            expect(aggregated).toBe(sent);
          }
        }
      }),
    );
  });

  it('gives the same aggregates whatever the order of arrival, the batching and the redeliveries', () => {
    fc.assert(
      fc.property(
        readingsArbitrary.chain((records) =>
          fc.tuple(
            fc.constant(records),
            fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }),
            fc.subarray(records),
            fc.nat(80),
          ),
        ),
        ([records, shuffled, redelivered, cut]) => {
          const once = aggregateAll([toReadings(records)]);
          const arrivals = toReadings([...shuffled, ...redelivered]);
          const messy = aggregateAll([arrivals.slice(0, cut), arrivals.slice(cut)]);
          expect(rounded(messy)).toEqual(rounded(once));
        },
      ),
    );
  });

  it('emits each interval once, however often it is closed', () => {
    fc.assert(
      fc.property(
        readingsArbitrary,
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 10 }),
        (records, ticks) => {
          let state: AggregationState = aggregateReadings(
            createAggregation(),
            toReadings(records),
          ).state;
          const emitted: IntervalAggregate[] = [];
          for (const minute of [...ticks].sort((a, b) => a - b)) {
            const result = closeIntervals(state, T0 + minute * MINUTE);
            emitted.push(...result.closed);
            state = result.state;
          }
          const rest = closeIntervals(state, T0 + 24 * 60 * MINUTE).closed;
          const keys = [...emitted, ...rest].map(
            (aggregate) => `${aggregate.interval}@${aggregate.startMs}`,
          );
          expect(new Set(keys).size).toBe(keys.length);
          const inOrder = [...emitted, ...rest].sort(
            (a, b) => a.startMs - b.startMs || a.interval - b.interval,
          );
          expect(rounded(inOrder)).toEqual(rounded(aggregateAll([toReadings(records)])));
        },
      ),
    );
  });
});
