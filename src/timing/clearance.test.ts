// Yellow, all-red and pedestrian intervals against published worked examples.
import { describe, expect, it } from 'vitest';
import {
  allRedClearance,
  crossingClearance,
  intergreen,
  pedestrianClearance,
  yellowChange,
} from './clearance.ts';

const FOOT = 0.3048;
const MPH = 0.44704;
/** The ITE deceleration, 10 ft/s², exactly in m/s². */
const TEN_FEET_PER_SECOND_SQUARED = 10 * FOOT;

/** The ITE formula in US units (v ft/s, a = 10 ft/s², g = 32.2 ft/s²), as the tables use it. */
function usYellow(mph: number, grade = 0): number {
  const feetPerSecond = (mph * 5280) / 3600;
  return 1 + feetPerSecond / (2 * 10 + 2 * 32.2 * grade);
}

describe('yellowChange', () => {
  it('gives 3.2 s at 30 mph on the level (methods.md T4; California MUTCD Table 4D-102)', () => {
    const yellow = yellowChange({
      approachSpeed: 30 * MPH,
      deceleration: TEN_FEET_PER_SECOND_SQUARED,
    });
    expect(Math.abs(yellow - 3.2)).toBeLessThan(0.05);
    expect(yellow).toBeCloseTo(3.2, 10); // on the level g drops out, so the US value is exact
  });

  it.each([
    [35, 3.57],
    [40, 3.93],
    [45, 4.3],
    [55, 5.03],
  ])('gives the US-unit value at %i mph (methods.md T4 script: %f s)', (mph, expected) => {
    const yellow = yellowChange({
      approachSpeed: mph * MPH,
      deceleration: TEN_FEET_PER_SECOND_SQUARED,
    });
    expect(Math.abs(yellow - expected)).toBeLessThan(0.05);
  });

  it.each([
    [30, 3.2],
    [35, 3.6],
    [40, 3.9],
    [45, 4.3],
    [55, 5.0],
  ])(
    'rounds to the tenth as California MUTCD Table 4D-102 does: %i mph → %f s',
    (mph, expected) => {
      const yellow = yellowChange({
        approachSpeed: mph * MPH,
        deceleration: TEN_FEET_PER_SECOND_SQUARED,
        round: 'tenth',
      });
      expect(yellow).toBe(expected);
    },
  );

  it('stays within 0.05 s of the US value with the metric default deceleration of 3.05 m/s²', () => {
    expect(Math.abs(yellowChange({ approachSpeed: 30 * MPH }) - 3.2)).toBeLessThan(0.05);
  });

  it.each([-0.06, -0.03, 0.02, 0.05])(
    'matches the US-unit formula on a grade of %f to 0.01 s (g = 9.81 vs 32.2 ft/s²)',
    (grade) => {
      const metric = yellowChange({
        approachSpeed: 40 * MPH,
        grade,
        deceleration: TEN_FEET_PER_SECOND_SQUARED,
      });
      expect(Math.abs(metric - usYellow(40, grade))).toBeLessThan(0.01);
    },
  );

  it('is longer downhill and shorter uphill', () => {
    const level = yellowChange({ approachSpeed: 15 });
    expect(yellowChange({ approachSpeed: 15, grade: -0.04 })).toBeGreaterThan(level);
    expect(yellowChange({ approachSpeed: 15, grade: 0.04 })).toBeLessThan(level);
  });

  it('rounds up to the next half second with half-up, keeping exact halves', () => {
    expect(yellowChange({ approachSpeed: 30 * MPH, round: 'half-up' })).toBe(3.5);
    expect(yellowChange({ approachSpeed: 2.5 * 6.1, round: 'half-up' })).toBe(3.5);
    expect(yellowChange({ approachSpeed: 2.6 * 6.1, round: 'half-up' })).toBe(4);
  });

  it.each([
    { approachSpeed: 0 },
    { approachSpeed: Number.NaN },
    { approachSpeed: 15, deceleration: 0 },
    { approachSpeed: 15, grade: -0.5 },
  ])('throws a RangeError for %o', (options) => {
    expect(() => yellowChange(options)).toThrow(RangeError);
  });
});

describe('allRedClearance', () => {
  it('is (W + L) / v: 30 m at 13.4 m/s with a 6.1 m vehicle', () => {
    expect(allRedClearance({ crossingWidth: 30, approachSpeed: 13.4 })).toBeCloseTo(
      36.1 / 13.4,
      12,
    );
  });

  it('takes another vehicle length', () => {
    expect(allRedClearance({ crossingWidth: 20, vehicleLength: 12, approachSpeed: 8 })).toBeCloseTo(
      4,
      12,
    );
  });

  it('throws a RangeError for a negative width or a zero speed', () => {
    expect(() => allRedClearance({ crossingWidth: -1, approachSpeed: 10 })).toThrow(RangeError);
    expect(() => allRedClearance({ crossingWidth: 10, approachSpeed: 0 })).toThrow(RangeError);
  });
});

describe('pedestrianClearance', () => {
  it('gives FDW 38 s, Walk 26 s, 64 s for 130 ft with the pushbutton 60 ft back (MUTCD 2009; methods.md T3)', () => {
    const clearance = pedestrianClearance({
      crossingLength: 130 * FOOT,
      pushbuttonDistance: 60 * FOOT,
      walkingSpeed: 3.5 * FOOT,
      totalWalkingSpeed: 3.0 * FOOT,
    });
    expect(clearance).toEqual({ walk: 26, flashingDontWalk: 38, total: 64 });
  });

  it('gives the same for the T3 example with the rounded metric default speeds', () => {
    const clearance = pedestrianClearance({
      crossingLength: 130 * FOOT,
      pushbuttonDistance: 60 * FOOT,
    });
    expect(clearance).toEqual({ walk: 26, flashingDontWalk: 38, total: 64 });
  });

  it('gives 7 + 33 = 40 s for the T3 crossing under the 2003 rules (4 ft/s, no whole-walk check)', () => {
    const clearance = pedestrianClearance({
      crossingLength: 130 * FOOT,
      pushbuttonDistance: 0,
      walkingSpeed: 4 * FOOT,
      totalWalkingSpeed: 4 * FOOT,
    });
    expect(clearance).toEqual({ walk: 7, flashingDontWalk: 33, total: 40 });
  });

  it('rounds 133 ft at 3.5 ft/s to 38 s, not 39 (floating point gives 38.00000000000001)', () => {
    const clearance = pedestrianClearance({
      crossingLength: 133 * FOOT,
      walkingSpeed: 3.5 * FOOT,
    });
    expect(clearance.flashingDontWalk).toBe(38);
  });

  it('keeps the 7 s minimum walk on a short crossing', () => {
    expect(pedestrianClearance({ crossingLength: 10 })).toEqual({
      walk: 7,
      flashingDontWalk: 10,
      total: 17,
    });
  });

  it('measures the whole walk from 6 ft behind the curb when there is no pushbutton distance', () => {
    // 40 m: FDW ⌈40 / 1.07⌉ = 38; whole walk ⌈(40 + 1.8288) / 0.91⌉ = 46, so Walk = 8.
    expect(pedestrianClearance({ crossingLength: 40 })).toEqual({
      walk: 8,
      flashingDontWalk: 38,
      total: 46,
    });
  });

  it('throws a RangeError for a negative crossing or a zero walking speed', () => {
    expect(() => pedestrianClearance({ crossingLength: -3 })).toThrow(RangeError);
    expect(() => pedestrianClearance({ crossingLength: 10, walkingSpeed: 0 })).toThrow(RangeError);
  });
});

describe('intergreen', () => {
  it('is the yellow and the all-red for the movement', () => {
    expect(intergreen({ approachSpeed: 13.4, crossingWidth: 30, grade: 0.02 })).toEqual({
      yellow: yellowChange({ approachSpeed: 13.4, grade: 0.02 }),
      allRed: allRedClearance({ crossingWidth: 30, approachSpeed: 13.4 }),
    });
  });

  it('rounds both intervals', () => {
    expect(intergreen({ approachSpeed: 30 * MPH, crossingWidth: 30, round: 'tenth' })).toEqual({
      yellow: 3.2,
      allRed: 2.7,
    });
  });

  it('clamps to the MUTCD limits only when asked: yellow 3–6 s, all-red at most 6 s', () => {
    const slowAndWide = { approachSpeed: 4, crossingWidth: 40 };
    expect(intergreen(slowAndWide).yellow).toBeLessThan(3);
    expect(intergreen(slowAndWide).allRed).toBeGreaterThan(6);
    expect(intergreen({ ...slowAndWide, clampToMutcd: true })).toEqual({ yellow: 3, allRed: 6 });
    const fastDownhill = { approachSpeed: 30, crossingWidth: 20, grade: -0.06 };
    expect(intergreen(fastDownhill).yellow).toBeGreaterThan(6);
    expect(intergreen({ ...fastDownhill, clampToMutcd: true }).yellow).toBe(6);
  });
});

describe('crossingClearance', () => {
  it('is the MUTCD walk and clearance of a usable crossing length, and nothing without one', () => {
    expect(crossingClearance(15)).toEqual(pedestrianClearance({ crossingLength: 15 }));
    expect(crossingClearance(15)?.total).toBe(22);
    for (const length of [undefined, -1, Number.NaN, Infinity]) {
      expect(crossingClearance(length)).toBeUndefined();
    }
  });
});
