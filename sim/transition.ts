// Plan transitions a controller can follow: from a cycle boundary to a new offset in a few cycles.
import type { TimingPlan } from '../src/timing/types.ts';

/** Seconds of misalignment below which a plan is taken as already on its offset. */
const ALIGNED = 1e-6;

/**
 * When `plan`'s first stage green starts, seconds, in the cycle that its offset puts at time 0:
 * the offset itself, or the offset less the first green when the offset is referenced to the
 * first stage's yellow.
 *
 * @example
 * firstGreenStart({ ...plan, offset: 10, offsetReference: 'first-stage-yellow-start' }) // => 10 − plan.stages[0].green
 */
export function firstGreenStart(plan: TimingPlan): number {
  const first = plan.stages[0];
  const shift = plan.offsetReference === 'first-stage-yellow-start' && first ? first.green : 0;
  return plan.offset - shift;
}

/**
 * The cycle-length changes, seconds each, that take `plan` from a cycle starting at `at` (its first
 * stage green starting then) to its own offset. Each cycle changes by at most `maxFraction` of the
 * cycle length, and a shortening by no more than the greens can give above their minimums; of
 * lengthening (dwell) and shortening the way with fewer cycles is taken (ties: the smaller change),
 * the change spread evenly over them. Empty when the plan is already on its offset. At most
 * `ceil(1 / maxFraction)` cycles, since lengthening is always possible.
 *
 * @example
 * // A 90 s plan, offset 0, starting at 30 s: shorten two cycles by 15 s (or lengthen by 60 s).
 * transitionAdjustments(plan, 30, 0.2) // => [-15, -15]
 */
export function transitionAdjustments(plan: TimingPlan, at: number, maxFraction: number): number[] {
  const cycle = plan.cycleLength;
  const late = (((firstGreenStart(plan) - at) % cycle) + cycle) % cycle;
  if (late < ALIGNED || cycle - late < ALIGNED) return [];
  const early = cycle - late;
  const slack = plan.stages.reduce(
    (sum, stage) => sum + Math.max(0, stage.green - stage.minGreen),
    0,
  );
  const longest = maxFraction * cycle;
  const shortest = Math.min(maxFraction * cycle, slack);
  const lengthening = Math.ceil(late / longest - 1e-9);
  const shortening = shortest > 0 ? Math.ceil(early / shortest - 1e-9) : Infinity;
  if (lengthening < shortening || (lengthening === shortening && late <= early)) {
    return Array.from({ length: lengthening }, () => late / lengthening);
  }
  return Array.from({ length: shortening }, () => -early / shortening);
}

/**
 * The stage greens of one cycle of `plan` changed by `adjustment` seconds: a lengthening is shared
 * in proportion to the greens, a shortening in proportion to each green's excess over its minimum,
 * so no green falls below its minimum (a green already below it is left as it is).
 *
 * @example
 * transitionGreens(plan, -8) // => [34, 38] for greens 40 and 40 with minimums 10 and 30
 */
export function transitionGreens(plan: TimingPlan, adjustment: number): number[] {
  const greens = plan.stages.map((stage) => stage.green);
  if (adjustment === 0) return greens;
  if (adjustment > 0) {
    const total = greens.reduce((sum, green) => sum + green, 0);
    return greens.map((green) =>
      total > 0 ? green + (adjustment * green) / total : green + adjustment / greens.length,
    );
  }
  const slacks = plan.stages.map((stage) => Math.max(0, stage.green - stage.minGreen));
  const slack = slacks.reduce((sum, excess) => sum + excess, 0);
  if (slack <= 0) return greens;
  const share = Math.min(1, -adjustment / slack);
  return greens.map((green, index) => green - share * slacks[index]!);
}
