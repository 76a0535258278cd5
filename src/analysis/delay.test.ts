// Tests for HCM 2000 delay against the worked cases in methods.md §10.2 (T7) and HCM's tables.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backOfQueue,
  controlDelay,
  incrementalDelay,
  levelOfService,
  uniformDelay,
} from './delay.ts';

describe('HCM 2000 delay (methods.md T7)', () => {
  it('case 1: v = 800, c = 775, g/C = 0.40, C = 90, T = 0.25 → d1 27.00, d2 40.90, d 67.90, LOS E', () => {
    const degreeOfSaturation = 800 / 775;
    const d1 = uniformDelay(90, 0.4, degreeOfSaturation);
    const d2 = incrementalDelay(degreeOfSaturation, 775);
    expect(d1).toBeCloseTo(27.0, 2);
    expect(d2).toBeCloseTo(40.9, 1);
    expect(levelOfService(d1 + d2)).toBe('E');
  });

  it('case 2: v = 500, c = 900, g/C = 0.5, C = 80 → d1 13.85, d2 2.47, d 16.32, LOS B', () => {
    const delay = controlDelay({
      cycleLength: 80,
      greenRatio: 0.5,
      flow: 500,
      saturationFlow: 1800,
    });
    expect(uniformDelay(80, 0.5, 500 / 900)).toBeCloseTo(13.85, 2);
    expect(incrementalDelay(500 / 900, 900)).toBeCloseTo(2.47, 2);
    expect(delay).toBeCloseTo(16.32, 1);
    expect(levelOfService(delay)).toBe('B');
  });
});

describe('levelOfService', () => {
  it('uses the HCM thresholds and F for demand above capacity', () => {
    expect([5, 10, 15, 30, 50, 70, 90].map((delay) => levelOfService(delay))).toEqual([
      'A',
      'A',
      'B',
      'C',
      'D',
      'E',
      'F',
    ]);
    expect(levelOfService(30, 1.05)).toBe('F');
  });
});

describe('controlDelay', () => {
  it('is zero without demand and infinite without capacity', () => {
    expect(controlDelay({ cycleLength: 90, greenRatio: 0.5, flow: 0, saturationFlow: 1800 })).toBe(
      0,
    );
    expect(controlDelay({ cycleLength: 90, greenRatio: 0, flow: 100, saturationFlow: 1800 })).toBe(
      Infinity,
    );
  });

  it('does not decrease when demand grows, nor when green shrinks (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 40, max: 180 }),
        fc.double({ min: 0.1, max: 0.9, noNaN: true }),
        fc.double({ min: 1, max: 2000, noNaN: true }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        (cycleLength, greenRatio, flow, extra) => {
          const base = { cycleLength, greenRatio, flow, saturationFlow: 1800 };
          const delay = controlDelay(base);
          expect(controlDelay({ ...base, flow: flow + extra })).toBeGreaterThanOrEqual(
            delay - 1e-9,
          );
          expect(controlDelay({ ...base, greenRatio: greenRatio * 0.9 })).toBeGreaterThanOrEqual(
            delay - 1e-9,
          );
        },
      ),
    );
  });
});

describe('backOfQueue', () => {
  it('counts arrivals during red and discharge, plus overflow when near capacity', () => {
    // 400 veh/h, red 49.5 s: 5.5 vehicles, over (1 − 400/1800): 7.07; X = 0.49 is below X₀ = 0.70.
    const light = backOfQueue({
      cycleLength: 90,
      greenRatio: 0.45,
      flow: 400,
      saturationFlow: 1800,
    });
    expect(light).toBeCloseTo(7.071, 2);
    const heavy = backOfQueue({
      cycleLength: 90,
      greenRatio: 0.45,
      flow: 800,
      saturationFlow: 1800,
    });
    expect(heavy).toBeGreaterThan(((800 / 3600) * 49.5) / (1 - 800 / 1800));
  });
});
