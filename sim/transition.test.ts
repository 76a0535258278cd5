// Tests for plan transitions: the offset is reached, within bounds, with no green below its minimum.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimingPlan } from '../src/timing/types.ts';
import { firstGreenStart, transitionAdjustments, transitionGreens } from './transition.ts';

const planArbitrary = fc
  .record({
    greens: fc.array(fc.record({ green: fc.integer({ min: 5, max: 60 }), spare: fc.nat(30) }), {
      minLength: 1,
      maxLength: 5,
    }),
    offsetFraction: fc.double({ min: 0, max: 0.999, noNaN: true }),
    yellowReferenced: fc.boolean(),
  })
  .map(({ greens, offsetFraction, yellowReferenced }): TimingPlan => {
    const stages = greens.map(({ green, spare }, index) => ({
      id: `s${index}`,
      greens: { [`g${index}`]: 'protected' as const },
      green: green + spare,
      yellow: 3,
      allRed: 2,
      minGreen: green,
    }));
    const cycleLength = stages.reduce((sum, stage) => sum + stage.green + 5, 0);
    return {
      id: 'p',
      signal: 's',
      cycleLength,
      offset: offsetFraction * cycleLength,
      offsetReference: yellowReferenced ? 'first-stage-yellow-start' : 'first-stage-green-start',
      stages,
    };
  });

function plan(greens: [number, number][], offset: number): TimingPlan {
  const stages = greens.map(([green, minGreen], index) => ({
    id: `s${index}`,
    greens: { [`g${index}`]: 'protected' as const },
    green,
    yellow: 3,
    allRed: 2,
    minGreen,
  }));
  const cycleLength = stages.reduce((sum, stage) => sum + stage.green + 5, 0);
  return {
    id: 'p',
    signal: 's',
    cycleLength,
    offset,
    offsetReference: 'first-stage-green-start',
    stages,
  };
}

describe('transitionAdjustments', () => {
  it('shortens when that is quicker: 90 s cycle, 30 s late, two cycles of −15 s', () => {
    expect(
      transitionAdjustments(
        plan(
          [
            [40, 5],
            [40, 5],
          ],
          0,
        ),
        30,
        0.2,
      ),
    ).toEqual([-15, -15]);
  });

  it('lengthens when the greens have no room to give: minimums equal to the greens', () => {
    const adjustments = transitionAdjustments(
      plan(
        [
          [40, 40],
          [40, 40],
        ],
        0,
      ),
      30,
      0.2,
    );
    expect(adjustments).toEqual([15, 15, 15, 15]);
  });

  it('needs nothing when the cycle already starts on the offset', () => {
    expect(
      transitionAdjustments(
        plan(
          [
            [40, 5],
            [40, 5],
          ],
          10,
        ),
        190,
        0.2,
      ),
    ).toEqual([]);
  });

  it('reaches the offset, never changes a cycle by more than the fraction, within ceil(1 / fraction) cycles', () => {
    fc.assert(
      fc.property(
        planArbitrary,
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: 0.05, max: 0.5, noNaN: true }),
        (timing, at, fraction) => {
          const adjustments = transitionAdjustments(timing, at, fraction);
          const cycle = timing.cycleLength;
          expect(adjustments.length).toBeLessThanOrEqual(Math.ceil(1 / fraction));
          for (const adjustment of adjustments) {
            expect(Math.abs(adjustment)).toBeLessThanOrEqual(fraction * cycle + 1e-9);
          }
          const start = at + adjustments.reduce((sum, adjustment) => sum + cycle + adjustment, 0);
          const misalignment = (((start - firstGreenStart(timing)) % cycle) + cycle) % cycle;
          expect(Math.min(misalignment, cycle - misalignment)).toBeLessThan(1e-6);
        },
      ),
    );
  });
});

describe('transitionGreens', () => {
  it('keeps every green at least its minimum and fills the changed cycle exactly', () => {
    fc.assert(
      fc.property(
        planArbitrary,
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: 0.05, max: 0.5, noNaN: true }),
        (timing, at, fraction) => {
          for (const adjustment of transitionAdjustments(timing, at, fraction)) {
            const greens = transitionGreens(timing, adjustment);
            greens.forEach((green, index) => {
              expect(green).toBeGreaterThanOrEqual(timing.stages[index]!.minGreen - 1e-9);
            });
            const total = greens.reduce((sum, green, index) => {
              const stage = timing.stages[index]!;
              return sum + green + stage.yellow + stage.allRed;
            }, 0);
            expect(total).toBeCloseTo(timing.cycleLength + adjustment, 6);
          }
        },
      ),
    );
  });

  it('shares a lengthening in proportion to the greens', () => {
    expect(
      transitionGreens(
        plan(
          [
            [30, 5],
            [60, 5],
          ],
          0,
        ),
        9,
      ),
    ).toEqual([33, 66]);
  });
});
