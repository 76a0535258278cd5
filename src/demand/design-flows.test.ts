// Tests for design flows: the peak interval of the movements asked for.
import { describe, expect, it } from 'vitest';
import { designFlows } from './design-flows.ts';
import type { TurningFlows } from './types.ts';

const turning: TurningFlows = {
  begin: 0,
  end: 2700,
  interval: 900,
  flows: [
    { movement: 'a', begin: 0, end: 900, vehicles: 100, flow: 400 },
    { movement: 'b', begin: 0, end: 900, vehicles: 25, flow: 100 },
    { movement: 'a', begin: 900, end: 1800, vehicles: 150, flow: 600 },
    { movement: 'b', begin: 900, end: 1800, vehicles: 5, flow: 20 },
    { movement: 'c', begin: 1800, end: 2700, vehicles: 500, flow: 2000 },
  ],
};

describe('designFlows', () => {
  it('takes the interval in which the given movements carry the most traffic together', () => {
    expect(designFlows(turning, ['a', 'b'])).toEqual({ a: 600, b: 20 });
    expect(designFlows(turning)).toEqual({ c: 2000 });
  });

  it('keeps to a window and is empty without flows', () => {
    expect(designFlows(turning, ['a', 'b'], { end: 900 })).toEqual({ a: 400, b: 100 });
    expect(designFlows(turning, ['z'])).toEqual({});
  });
});
