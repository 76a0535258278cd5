// The common cycle of a coordination group: the one that minimizes the group's total delay.
import type { DelayOptions } from '../analysis/delay.ts';
import type { SignalTimingModel } from '../analysis/timing-model.ts';
import {
  DEFAULT_CYCLE_RANGE,
  delayByCycle,
  shortestCycle,
  type CycleRange,
} from './cycle-and-splits.ts';

export interface CommonCycle {
  cycleLength: number;
  /** Total delay of the group at that cycle, pcu-seconds per hour. */
  delay: number;
  /** The cycle each signal would take alone, for comparison. */
  isolatedCycles: number[];
}

/**
 * The cycle length shared by a coordination group: every whole-second cycle from the longest of
 * the members' shortest feasible cycles to the range's maximum is tried, each member's splits
 * optimized for it, and the cycle with the least total delay of the group wins — not simply the
 * longest of the members' own optimum cycles (what SUMO's `tlsCycleAdaptation.py -u` does).
 *
 * @example
 * commonCycle([modelA, modelB], { min: 45, max: 150 }) // => { cycleLength: 72, delay: 81234, isolatedCycles: [64, 72] }
 */
export function commonCycle(
  models: readonly SignalTimingModel[],
  range: CycleRange = DEFAULT_CYCLE_RANGE,
  delay?: DelayOptions,
): CommonCycle {
  if (models.length === 0) throw new RangeError('commonCycle: give at least one signal model');
  const shortest = Math.max(...models.map((model) => shortestCycle(model, range)));
  const longest = Math.max(range.max, shortest);
  const totals = new Map<number, number>();
  const isolatedCycles = models.map((model) => {
    const entries = delayByCycle(model, range, delay);
    for (const entry of entries) {
      if (entry.cycleLength < shortest || entry.cycleLength > longest) continue;
      totals.set(entry.cycleLength, (totals.get(entry.cycleLength) ?? 0) + entry.delay);
    }
    return entries.reduce((a, b) => (b.delay < a.delay - 1e-6 ? b : a)).cycleLength;
  });
  let best = { cycleLength: shortest, delay: Infinity };
  for (const [cycleLength, total] of [...totals].sort((a, b) => a[0] - b[0])) {
    if (total < best.delay - 1e-6) best = { cycleLength, delay: total };
  }
  return { ...best, isolatedCycles };
}
