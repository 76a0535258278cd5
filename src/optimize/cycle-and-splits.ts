// Cycle length and green splits that minimize total delay, with Webster's cycle as the start.
import type { DelayOptions } from '../analysis/delay.ts';
import {
  criticalFlowRatio,
  cycleLostTime,
  laneGreen,
  measureTiming,
  stageFlowRatios,
  totalDelaySeconds,
  type TimingMeasures,
} from '../analysis/evaluate-timing.ts';
import type { SignalTimingModel } from '../analysis/timing-model.ts';

export interface CycleRange {
  /** Seconds. */
  min: number;
  max: number;
}

/**
 * How a timing was reached: `optimal` minimizes delay over the cycle range; `oversaturated` means
 * no timing in the range keeps every lane below capacity, so the cycle is the one whose balanced
 * splits give the lowest highest degree of saturation (usually the longest; shorter when a shared
 * lane is blocked by a stopped turner, whose capacity per hour falls as the cycle grows) and the
 * splits balance the degrees of saturation; `no-demand` means there is no flow at all, so the
 * cycle is the shortest allowed and every stage runs its minimum plus an equal share.
 */
export type TimingStatus = 'optimal' | 'oversaturated' | 'no-demand';

export interface TimingOptions {
  cycle?: CycleRange;
  delay?: DelayOptions;
  /** Round greens to this many seconds (1 s when the intergreens are whole seconds, else 0.1 s). */
  resolution?: number;
}

export interface OptimizedTiming {
  status: TimingStatus;
  cycleLength: number;
  /** Displayed green of each stage, seconds. */
  greens: number[];
  measures: TimingMeasures;
  /** Webster's cycle for the same demand: undefined when Y ≥ 1. */
  websterCycle?: number;
}

/**
 * 45–150 s. Below 45 s a crossing of about 13 m on each axis cannot get its walk and clearance
 * (7 s + 13 m / 1.07 m/s ≈ 19 s per axis, plus intergreens), and four-stage plans leave greens
 * too short to use; 150 s bounds the wait of a driver at red.
 */
export const DEFAULT_CYCLE_RANGE: CycleRange = { min: 45, max: 150 };

/**
 * Webster's optimum cycle `(1.5·L + 5) / (1 − Y)`, seconds; undefined when Y ≥ 1 (no cycle serves
 * the demand).
 *
 * @example
 * websterCycle(0.5, 16) // => 58 (methods.md T1)
 */
export function websterCycle(criticalFlowRatio: number, lostTime: number): number | undefined {
  if (criticalFlowRatio >= 1) return undefined;
  return (1.5 * lostTime + 5) / (1 - criticalFlowRatio);
}

/**
 * The cycle and greens of a signal's stages that minimize total control delay (HCM 2000), subject
 * to each stage's minimum green (pedestrian walk and clearance included), the intergreens and the
 * cycle range. For each whole-second cycle in the range the splits are found by exchanging green
 * between stages in shrinking steps (the delay is convex in the greens, so this reaches the
 * optimum to the step size); the cycle with the least total delay wins. With no demand, or when
 * the demand exceeds what the longest cycle can serve, the explicit policies of `TimingStatus`
 * apply.
 *
 * @example
 * optimizeTiming(model, { cycle: { min: 40, max: 120 } })
 * // => { status: 'optimal', cycleLength: 64, greens: [27, 21], measures: {…}, websterCycle: 61.3 }
 */
export function optimizeTiming(
  model: SignalTimingModel,
  options: TimingOptions = {},
): OptimizedTiming {
  const range = options.cycle ?? DEFAULT_CYCLE_RANGE;
  const intergreens = totalIntergreen(model);
  const minimums = model.stages.map((stage) => stage.minGreen);
  const shortest = shortestCycle(model, range);
  const longest = Math.max(range.max, shortest);
  const resolution = options.resolution ?? (Number.isInteger(intergreens) ? 1 : 0.1);
  const webster = websterCycle(criticalFlowRatio(model), cycleLostTime(model));
  const result = (
    status: TimingStatus,
    cycleLength: number,
    rawGreens: number[],
  ): OptimizedTiming => {
    const greens = roundGreens(rawGreens, minimums, cycleLength - intergreens, resolution);
    return {
      status,
      cycleLength,
      greens,
      measures: measureTiming(model, greens, cycleLength, options.delay),
      ...(webster !== undefined ? { websterCycle: webster } : {}),
    };
  };

  if (model.lanes.every((lane) => lane.flow === 0)) {
    return result('no-demand', shortest, spreadEvenly(minimums, shortest - intergreens));
  }
  const balanced = balanceSaturation(model, longest);
  if (maxDegreeOfSaturation(model, balanced, longest) >= 1) {
    const most = mostCapacity(model, { min: shortest, max: longest });
    if (most.degreeOfSaturation >= 1) {
      return result('oversaturated', most.cycleLength, most.greens);
    }
  }

  const best = delayByCycle(model, { min: shortest, max: longest }, options.delay).reduce((a, b) =>
    b.delay < a.delay - 1e-6 ? b : a,
  );
  return result('optimal', best.cycleLength, best.greens);
}

/** Seconds of yellow and all-red per cycle: the stages' intergreens. */
export function totalIntergreen(model: SignalTimingModel): number {
  return sum(model.stages.map((stage) => stage.intergreen));
}

/** The shortest cycle a model's stages fit in: minimum greens plus intergreens, and the range's minimum. */
export function shortestCycle(
  model: SignalTimingModel,
  range: CycleRange = DEFAULT_CYCLE_RANGE,
): number {
  const needed = model.stages.reduce(
    (total, stage) => total + stage.minGreen + stage.intergreen,
    0,
  );
  return Math.max(range.min, Math.ceil(needed - 1e-9));
}

/**
 * For every whole-second cycle of the range (from the shortest the stages fit in), the
 * delay-minimizing greens and their total delay (pcu-seconds per hour, with the spillback
 * penalty). Each cycle's search starts from the previous cycle's greens.
 *
 * @example
 * delayByCycle(model, { min: 60, max: 62 }).map((entry) => entry.cycleLength) // => [60, 61, 62]
 */
export function delayByCycle(
  model: SignalTimingModel,
  range: CycleRange,
  delay?: DelayOptions,
): { cycleLength: number; greens: number[]; delay: number }[] {
  const intergreens = totalIntergreen(model);
  const minimums = model.stages.map((stage) => stage.minGreen);
  const shortest = shortestCycle(model, range);
  const entries: { cycleLength: number; greens: number[]; delay: number }[] = [];
  let greens = websterGreens(model, shortest);
  for (let cycleLength = shortest; cycleLength <= Math.max(range.max, shortest); cycleLength++) {
    greens = optimizeSplits(
      model,
      cycleLength,
      rescale(greens, minimums, cycleLength - intergreens),
      delay,
    );
    entries.push({
      cycleLength,
      greens,
      delay: totalDelaySeconds(model, greens, cycleLength, delay),
    });
  }
  return entries;
}

/**
 * The greens for a fixed cycle that minimize total delay, starting from `start`.
 *
 * @example
 * optimizeSplits(model, 90, [40, 40]) // => [47.5, 32.5]
 */
export function optimizeSplits(
  model: SignalTimingModel,
  cycleLength: number,
  start: readonly number[],
  delay?: DelayOptions,
): number[] {
  return exchangeGreen(model, start, (greens) =>
    totalDelaySeconds(model, greens, cycleLength, delay),
  );
}

/**
 * Greens for a fixed cycle that balance the lanes' degrees of saturation: the smallest highest
 * degree of saturation, ties broken by total delay.
 *
 * @example
 * balanceSaturation(model, 150) // => [70.2, 61.8]
 */
export function balanceSaturation(model: SignalTimingModel, cycleLength: number): number[] {
  const intergreens = totalIntergreen(model);
  const minimums = model.stages.map((stage) => stage.minGreen);
  const start = rescale(websterGreens(model, cycleLength), minimums, cycleLength - intergreens);
  return exchangeGreen(
    model,
    start,
    (greens) =>
      maxDegreeOfSaturation(model, greens, cycleLength) * 1e9 +
      totalDelaySeconds(model, greens, cycleLength),
  );
}

/**
 * The cycle of the range (whole seconds) whose saturation-balancing splits leave the lowest
 * highest degree of saturation, the longest of equals: where the demand comes closest to fitting.
 *
 * @example
 * mostCapacity(model, { min: 60, max: 150 }) // => { cycleLength: 150, greens: [70.2, 61.8], degreeOfSaturation: 1.12 }
 */
export function mostCapacity(
  model: SignalTimingModel,
  range: CycleRange,
): { cycleLength: number; greens: number[]; degreeOfSaturation: number } {
  let best = { cycleLength: range.max, greens: [] as number[], degreeOfSaturation: Infinity };
  for (let cycleLength = range.max; cycleLength >= range.min; cycleLength--) {
    const greens = balanceSaturation(model, cycleLength);
    const degreeOfSaturation = maxDegreeOfSaturation(model, greens, cycleLength);
    if (degreeOfSaturation < best.degreeOfSaturation - 1e-6) {
      best = { cycleLength, greens, degreeOfSaturation };
    }
  }
  return best;
}

/** The highest degree of saturation of any lane with demand. */
export function maxDegreeOfSaturation(
  model: SignalTimingModel,
  greens: readonly number[],
  cycleLength: number,
): number {
  let highest = 0;
  for (const lane of model.lanes) {
    if (lane.flow === 0) continue;
    const capacity = (lane.saturationFlow * laneGreen(lane, model, greens)) / cycleLength;
    highest = Math.max(highest, capacity > 0 ? lane.flow / capacity : Infinity);
  }
  return highest;
}

const STEPS = [8, 4, 2, 1, 0.5, 0.25, 0.1];

/** Moves green between stages, largest gain first, in shrinking steps, never below a minimum. */
function exchangeGreen(
  model: SignalTimingModel,
  start: readonly number[],
  objective: (greens: number[]) => number,
): number[] {
  const greens = [...start];
  const minimums = model.stages.map((stage) => stage.minGreen);
  let current = objective(greens);
  for (const step of STEPS) {
    for (;;) {
      let bestMove: [number, number] | undefined;
      let bestValue = current;
      for (let from = 0; from < greens.length; from++) {
        if (greens[from]! - step < minimums[from]! - 1e-9) continue;
        for (let to = 0; to < greens.length; to++) {
          if (to === from) continue;
          greens[from]! -= step;
          greens[to]! += step;
          const value = objective(greens);
          greens[from]! += step;
          greens[to]! -= step;
          if (value < bestValue - 1e-9) {
            bestValue = value;
            bestMove = [from, to];
          }
        }
      }
      if (!bestMove) break;
      greens[bestMove[0]]! -= step;
      greens[bestMove[1]]! += step;
      current = bestValue;
    }
  }
  return greens;
}

/**
 * Webster's effective greens: the cycle less the lost time, shared by critical flow ratio,
 * `g_i = (C − L)·y_i / Y`; shared equally when there is no flow.
 *
 * @example
 * websterSplits([600 / 1800, 400 / 1800], 38, 8) // => [18, 12] (methods.md T6)
 */
export function websterSplits(
  flowRatios: readonly number[],
  cycleLength: number,
  lostTime: number,
): number[] {
  const total = sum(flowRatios);
  const available = cycleLength - lostTime;
  return flowRatios.map((ratio) =>
    total > 0 ? (ratio / total) * available : available / flowRatios.length,
  );
}

/** Webster's greens for a model at a cycle, as displayed greens kept at their minimums. */
function websterGreens(model: SignalTimingModel, cycleLength: number): number[] {
  const intergreens = totalIntergreen(model);
  const ratios = model.stages.map((_, index) => Math.max(0, ...stageFlowRatios(model, index)));
  const minimums = model.stages.map((stage) => stage.minGreen);
  return rescale(
    websterSplits(ratios, cycleLength, intergreens),
    minimums,
    cycleLength - intergreens,
  );
}

/** Scales greens to a new total, keeping each at least its minimum. */
function rescale(greens: readonly number[], minimums: readonly number[], total: number): number[] {
  const spare = total - sum(minimums);
  const extra = greens.map((green, index) => Math.max(0, green - minimums[index]!));
  const extraTotal = sum(extra);
  return minimums.map((minimum, index) =>
    extraTotal > 0
      ? minimum + (extra[index]! / extraTotal) * spare
      : minimum + spare / minimums.length,
  );
}

function spreadEvenly(minimums: readonly number[], total: number): number[] {
  const share = (total - sum(minimums)) / minimums.length;
  return minimums.map((minimum) => minimum + share);
}

/**
 * Rounds greens to the resolution keeping their total (largest remainders first) and minimums.
 */
function roundGreens(
  greens: readonly number[],
  minimums: readonly number[],
  total: number,
  resolution: number,
): number[] {
  const units = greens.map((green) => green / resolution);
  const floors = units.map((unit, index) =>
    Math.max(Math.floor(unit + 1e-9), Math.ceil(minimums[index]! / resolution - 1e-9)),
  );
  let remaining = Math.round(total / resolution) - sum(floors);
  const order = units
    .map((unit, index) => ({ index, remainder: unit - Math.floor(unit + 1e-9) }))
    .sort((a, b) => b.remainder - a.remainder);
  for (let i = 0; remaining > 0; i = (i + 1) % order.length, remaining--)
    floors[order[i]!.index]! += 1;
  for (let i = order.length - 1; remaining < 0; i = (i - 1 + order.length) % order.length) {
    const index = order[i]!.index;
    if ((floors[index]! - 1) * resolution >= minimums[index]! - 1e-9) {
      floors[index]! -= 1;
      remaining++;
    }
  }
  const rounded = floors.map((unit) => Math.round(unit * resolution * 1000) / 1000);
  // The last stage absorbs the floating-point remainder so the stages fill the cycle exactly.
  const drift = total - sum(rounded);
  rounded[rounded.length - 1] = Math.round((rounded[rounded.length - 1]! + drift) * 1e6) / 1e6;
  return rounded;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
