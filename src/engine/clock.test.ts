import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';

describe('ManualClock', () => {
  it('runs due timers in time order with now() at each timer', () => {
    const clock = new ManualClock(1_000);
    const seen: [string, number][] = [];
    clock.setTimer(300, () => seen.push(['b', clock.now()]));
    clock.setTimer(100, () => seen.push(['a', clock.now()]));
    clock.setTimer(900, () => seen.push(['late', clock.now()]));
    clock.advance(500);
    expect(seen).toEqual([
      ['a', 1_100],
      ['b', 1_300],
    ]);
    expect(clock.now()).toBe(1_500);
    expect(clock.pending).toBe(1);
  });

  it('runs timers that timers set, when they fall due within the advance', () => {
    const clock = new ManualClock(0);
    const ticks: number[] = [];
    const tick = () => {
      ticks.push(clock.now());
      clock.setTimer(60_000, tick);
    };
    clock.setTimer(60_000, tick);
    clock.advance(180_000);
    expect(ticks).toEqual([60_000, 120_000, 180_000]);
  });

  it('cancels a timer', () => {
    const clock = new ManualClock(0);
    let ran = false;
    const cancel = clock.setTimer(10, () => (ran = true));
    cancel();
    clock.advance(100);
    expect(ran).toBe(false);
  });

  it('refuses to go back in time', () => {
    expect(() => new ManualClock(0).advance(-1)).toThrow(/advance/);
  });
});
