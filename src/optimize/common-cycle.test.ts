// Tests for the common cycle of a coordination group: chosen by the group's delay, not the longest.
import { describe, expect, it } from 'vitest';
import { delayByCycle } from './cycle-and-splits.ts';
import type { LaneModel, SignalTimingModel } from '../analysis/timing-model.ts';
import { commonCycle } from './common-cycle.ts';

function model(flows: number[]): SignalTimingModel {
  const lanes: LaneModel[] = flows.map((flow, index) => ({
    link: `approach-${index}`,
    lane: 0,
    flow,
    saturationFlow: 1800,
    signalGroup: String(index),
    rates: flows.map((_, stage) => (stage === index ? 1 : 0)),
    blockedAfter: flows.map(() => Infinity),
    storage: 100,
  }));
  return {
    signal: `J${flows.join('-')}`,
    lostTime: 4,
    stages: flows.map((_, index) => ({ id: String(index), intergreen: 5, yellow: 3, minGreen: 5 })),
    lanes,
  };
}

describe('commonCycle', () => {
  const busy = model([700, 650]);
  const quiet = model([150, 100]);
  const range = { min: 45, max: 150 };

  it('minimizes the group’s total delay over every cycle of the range', () => {
    const shared = commonCycle([busy, quiet], range);
    const total = (cycle: number) =>
      [busy, quiet].reduce(
        (sum, signal) => sum + delayByCycle(signal, { min: cycle, max: cycle })[0]!.delay,
        0,
      );
    for (let cycle = range.min; cycle <= range.max; cycle += 5) {
      expect(shared.delay).toBeLessThanOrEqual(total(cycle) + 1e-6);
    }
  });

  it('is not simply the longest of the members’ own cycles when a light signal would suffer', () => {
    const shared = commonCycle([busy, quiet], range);
    const [busyCycle, quietCycle] = shared.isolatedCycles;
    expect(busyCycle!).toBeGreaterThan(quietCycle!);
    expect(shared.cycleLength).toBeGreaterThanOrEqual(quietCycle!);
    expect(shared.cycleLength).toBeLessThanOrEqual(busyCycle!);
  });

  it('needs at least one signal', () => {
    expect(() => commonCycle([], range)).toThrow(/commonCycle/);
  });
});
