// Tests for the fleet's jam spacing: vehicle lengths from the trips plus SUMO's minGap.
import { describe, expect, it } from 'vitest';
import { fleetJamSpacing } from './fleet.ts';
import { trip } from './scenarios.fixture.ts';

describe('fleetJamSpacing', () => {
  it('is the mean length plus 2.5 m, to the centimetre (RESCO’s 4.3 m cars: 6.8 m)', () => {
    const cars = Array.from({ length: 4494 }, (_, index) => ({
      ...trip(`v${index}`, index, ['a']),
      length: 4.3,
    }));
    // Summed, 4494 × 4.3 m drifts to 6.7999…98 m: the spacing that locked cologne3 up.
    expect(fleetJamSpacing(cars)).toBe(6.8);
    expect(fleetJamSpacing([...cars.slice(0, 1), { ...cars[1]!, length: 12 }])).toBe(10.65);
  });

  it('keeps the default 7.5 m when a trip does not give its length, or there are none', () => {
    expect(fleetJamSpacing([])).toBe(7.5);
    expect(fleetJamSpacing([{ ...trip('a', 0, ['a']), length: 4.3 }, trip('b', 0, ['a'])])).toBe(
      7.5,
    );
  });
});
