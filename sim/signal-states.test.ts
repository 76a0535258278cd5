// Tests for signal colours under a plan: green, yellow, all-red, offsets and greens over the cycle end.
import { describe, expect, it } from 'vitest';
import type { TimingPlan } from '../src/timing/types.ts';
import { signalColour } from './signal-states.ts';

const plan: TimingPlan = {
  id: 'p',
  signal: 's',
  cycleLength: 90,
  offset: 10,
  offsetReference: 'first-stage-green-start',
  stages: [
    {
      id: 'A',
      greens: { a: 'protected', both: 'protected' },
      green: 40,
      yellow: 3,
      allRed: 2,
      minGreen: 5,
    },
    {
      id: 'B',
      greens: { b: 'protected', both: 'protected' },
      green: 35,
      yellow: 4,
      allRed: 1,
      minGreen: 5,
    },
  ],
};

describe('signalColour', () => {
  it.each([
    ['a', 10, 'green'],
    ['a', 49.9, 'green'],
    ['a', 50, 'yellow'],
    ['a', 53, 'red'],
    ['a', 5, 'red'],
    ['b', 55, 'green'],
    ['b', 90, 'yellow'],
    ['b', 94, 'red'],
    ['b', 100, 'red'],
    ['both', 52, 'green'],
    ['never', 20, 'red'],
  ] as const)('%s at %s s is %s', (group, time, colour) => {
    expect(signalColour(plan, group, time)).toBe(colour);
  });

  it('shifts with the offset reference: yellow start puts the first green before it', () => {
    const yellowReferenced = { ...plan, offsetReference: 'first-stage-yellow-start' as const };
    expect(signalColour(yellowReferenced, 'a', 10)).toBe('yellow');
    expect(signalColour(yellowReferenced, 'a', 9.9)).toBe('green');
    expect(signalColour(yellowReferenced, 'a', -30)).toBe('green');
  });
});
