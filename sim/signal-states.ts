// Which colour a signal group shows at a time under a timing plan: green, yellow or red.
import { greenIntervals } from '../src/timing/intervals.ts';
import type { TimingPlan } from '../src/timing/types.ts';

export type SignalColour = 'green' | 'yellow' | 'red';

/** One signal group's schedule within its cycle: `[start, end)` green, then `[end, yellowEnd)` yellow. */
export interface GroupSchedule {
  cycleLength: number;
  offset: number;
  /** Flat `[start, end, yellowEnd, …]`, seconds after the offset reference; may exceed the cycle. */
  intervals: Float64Array;
  /** Green all the time (green in every stage, or dark/unsignalled). */
  alwaysGreen: boolean;
}

/**
 * The schedule of `signalGroup` under `plan`: green intervals from `greenIntervals`, each followed by
 * the yellow of the stage in which the green ends. A group green in no stage is always red.
 *
 * @example
 * groupSchedule(plan, 'north-through').intervals // => Float64Array [0, 40, 43]
 */
export function groupSchedule(plan: TimingPlan, signalGroup: string): GroupSchedule {
  const unsignalled = plan.unsignalled?.includes(signalGroup) ?? false;
  const intervals = greenIntervals(plan)[signalGroup] ?? [];
  const yellowOf = new Map(plan.stages.map((stage) => [stage.id, stage.yellow]));
  const flat: number[] = [];
  let alwaysGreen = unsignalled;
  for (const { start, end, stages } of intervals) {
    if (end - start >= plan.cycleLength) alwaysGreen = true;
    const last = stages[stages.length - 1];
    flat.push(start, end, end + (last === undefined ? 0 : (yellowOf.get(last) ?? 0)));
  }
  return {
    cycleLength: plan.cycleLength,
    offset: plan.offset,
    intervals: Float64Array.from(flat),
    alwaysGreen,
  };
}

/** 2 = green, 1 = yellow, 0 = red: the hot loop's encoding of a colour. */
export function colourCode(schedule: GroupSchedule, time: number): 0 | 1 | 2 {
  if (schedule.alwaysGreen) return 2;
  const { cycleLength, intervals } = schedule;
  const inCycle = (((time - schedule.offset) % cycleLength) + cycleLength) % cycleLength;
  let colour: 0 | 1 | 2 = 0;
  for (let index = 0; index < intervals.length; index += 3) {
    const start = intervals[index]!;
    const end = intervals[index + 1]!;
    const yellowEnd = intervals[index + 2]!;
    // An interval may run over the end of the cycle: test the moment in this cycle and the next.
    const later = inCycle + cycleLength;
    if ((inCycle >= start && inCycle < end) || (later >= start && later < end)) return 2;
    if ((inCycle >= end && inCycle < yellowEnd) || (later >= end && later < yellowEnd)) colour = 1;
  }
  return colour;
}

/**
 * The colour `signalGroup` shows at `time` under `plan` (the plan's offset applied: green at `t`
 * iff `(t − offset) mod cycle` falls in one of its green intervals).
 *
 * @example
 * signalColour(plan, 'north-through', 41) // => 'yellow'
 */
export function signalColour(plan: TimingPlan, signalGroup: string, time: number): SignalColour {
  const code = colourCode(groupSchedule(plan, signalGroup), time);
  return code === 2 ? 'green' : code === 1 ? 'yellow' : 'red';
}
