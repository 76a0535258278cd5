// Tests for movement counts: lane shares from priors, one counting detector per lane, conservation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DetectorTotals } from './aggregate.ts';
import { detectorMap } from './detector-map.ts';
import { MOVEMENTS, twoCrossings } from './ingest.fixture.ts';
import { apportion, countingDetectors, laneShares, movementTotals } from './movement-counts.ts';

const map = detectorMap(twoCrossings());
const totals = (count: number, covered = 300): DetectorTotals => ({
  count,
  occupancy: 0.1,
  covered,
  readings: covered / 60,
});

describe('laneShares', () => {
  it('gives a lane serving one movement all of it, and splits a shared lane by per-lane priors', () => {
    const shares = laneShares(map, {
      [MOVEMENTS.westThrough]: 800,
      [MOVEMENTS.westRight]: 100,
      [MOVEMENTS.westLeft]: 200,
    });
    // Through leaves from two lanes: 400 per lane against the right turn's 100.
    expect(shares['w_in@0']).toEqual({ [MOVEMENTS.westRight]: 0.2, [MOVEMENTS.westThrough]: 0.8 });
    expect(shares['w_in@1']).toEqual({ [MOVEMENTS.westThrough]: 1 });
    expect(shares['w_in@2']).toEqual({ [MOVEMENTS.westLeft]: 1 });
  });

  it('splits equally when a movement of the lane has no prior, or all priors are zero', () => {
    expect(laneShares(map)['n_in@0']).toEqual({
      [MOVEMENTS.northLeft]: 0.5,
      [MOVEMENTS.northRight]: 0.5,
    });
    expect(laneShares(map, { [MOVEMENTS.northLeft]: 300 })['n_in@0']).toEqual({
      [MOVEMENTS.northLeft]: 0.5,
      [MOVEMENTS.northRight]: 0.5,
    });
    expect(
      laneShares(map, { [MOVEMENTS.northLeft]: 0, [MOVEMENTS.northRight]: 0 })['n_in@0'],
    ).toEqual({ [MOVEMENTS.northLeft]: 0.5, [MOVEMENTS.northRight]: 0.5 });
  });
});

describe('countingDetectors', () => {
  it('takes the stop-line detector over the advance one on the same lane, and the advance one when the stop line is out', () => {
    const data = { 'w-0': totals(10), 'w-1': totals(20), 'w-adv-1': totals(21), 'w-2': totals(4) };
    expect(countingDetectors(map, data)).toEqual({
      'w_in@0': 'w-0',
      'w_in@1': 'w-1',
      'w_in@2': 'w-2',
    });
    expect(countingDetectors(map, data, new Set(['w-1']))['w_in@1']).toBe('w-adv-1');
    expect(countingDetectors(map, { ...data, 'w-1': totals(0, 0) })['w_in@1']).toBe('w-adv-1');
  });
});

describe('movementTotals', () => {
  it('splits a shared lane in whole vehicles by the shares, and gives flows per seconds covered', () => {
    const shares = laneShares(map, { [MOVEMENTS.westThrough]: 800, [MOVEMENTS.westRight]: 100 });
    const result = movementTotals(
      map,
      { 'w-0': totals(25), 'w-1': totals(30, 150), 'w-adv-1': totals(31) },
      { shares },
    );
    expect(result[MOVEMENTS.westRight]).toEqual({
      site: 'SA',
      count: 5,
      flow: 60,
      measuredLanes: 1,
      lanes: 1,
    });
    expect(result[MOVEMENTS.westThrough]).toEqual({
      site: 'SA',
      count: 50,
      flow: (20 / 300 + 30 / 150) * 3600,
      measuredLanes: 2,
      lanes: 2,
    });
    expect(result[MOVEMENTS.westLeft]).toBeUndefined();
  });

  it('adds up to the counting detectors’ counts, whatever the counts and shares', () => {
    const ids = map.sites.SA!.concat(map.sites.SB!);
    fc.assert(
      fc.property(
        fc.array(fc.nat(500), { minLength: ids.length, maxLength: ids.length }),
        fc.array(fc.double({ min: 0, max: 2000, noNaN: true }), { minLength: 8, maxLength: 8 }),
        fc.subarray(ids),
        (counts, priors, excludedIds) => {
          const data = Object.fromEntries(ids.map((id, index) => [id, totals(counts[index]!)]));
          const prior = Object.fromEntries(
            Object.values(MOVEMENTS).map((id, index) => [id, priors[index]!]),
          );
          const excluded = new Set(excludedIds);
          const result = movementTotals(map, data, { shares: laneShares(map, prior), excluded });
          const counted = Object.values(countingDetectors(map, data, excluded)).reduce(
            (total, id) => total + data[id]!.count,
            0,
          );
          const split = Object.values(result).reduce((total, entry) => total + entry.count, 0);
          expect(split).toBe(counted);
          expect(Object.values(result).every((entry) => Number.isInteger(entry.count))).toBe(true);
        },
      ),
    );
  });
});

describe('apportion', () => {
  it('splits by largest remainder, ties to the earlier movement', () => {
    expect(apportion(10, ['a', 'b', 'c'], { a: 0.5, b: 0.25, c: 0.25 })).toEqual([5, 3, 2]);
    expect(apportion(1, ['a', 'b'], { a: 0.5, b: 0.5 })).toEqual([1, 0]);
    expect(apportion(0, ['a'], { a: 1 })).toEqual([0]);
  });

  it('always gives whole parts that add up to the count, each within one of its exact share', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }),
        (count, weights) => {
          const total = weights.reduce((sum, weight) => sum + weight, 0);
          const names = weights.map((_, index) => `m${index}`);
          const shares = Object.fromEntries(
            names.map((name, index) => [name, weights[index]! / total]),
          );
          const parts = apportion(count, names, shares);
          expect(parts.reduce((sum, part) => sum + part, 0)).toBe(count);
          parts.forEach((part, index) => {
            expect(Number.isInteger(part)).toBe(true);
            expect(Math.abs(part - count * shares[names[index]!]!)).toBeLessThan(1 + 1e-9);
          });
        },
      ),
    );
  });
});
