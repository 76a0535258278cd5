// Network offset optimization, TRANSYT class: cyclic flow profiles, delay + K·stops, hill climbing.
import type { TimingPlan } from '../timing/types.ts';
import { offsetEvaluator, type OffsetEvaluator } from './network-offsets-evaluator.ts';
import {
  NetworkOffsetsError,
  wrapSteps,
  type NetworkOffsetsInput,
  type OffsetModelOptions,
} from './network-offsets-input.ts';
import { offsetModel, type OffsetModel } from './network-offsets-model.ts';
import { hillClimb, retrySets } from './network-offsets-search.ts';

export { NetworkOffsetsError, type NetworkOffsetsErrorCode } from './network-offsets-input.ts';
export type { NetworkOffsetsInput, OffsetModelOptions } from './network-offsets-input.ts';

export interface NetworkOffsetsOptions extends OffsetModelOptions {
  /**
   * Offset step sizes tried in turn, seconds, largest first; each is rounded to whole profile
   * steps. Default: a quarter cycle, halved until below 2 s, then one step (90 s: 23, 11, 6, 3, 1).
   */
  steps?: readonly number[];
  /** Searches from random offsets after the one from the plans' offsets. Default 0; needs `rng`. */
  restarts?: number;
  /** A seeded generator of numbers in [0, 1), for the restarts. */
  rng?: () => number;
  /** Passes over all signals per step size, at most; a pass that improves nothing ends the size. Default 20. */
  maxPasses?: number;
}

/** The measures of one link into a coordinated signal, at the offsets found. */
export interface OffsetLinkMeasures {
  link: string;
  signal: string;
  /** Coordinated signals whose departures reach this stop line; empty when arrivals are uniform. */
  upstreamSignals: string[];
  /** pcu/h arriving (capped at capacity). */
  flow: number;
  /** Uniform delay from the queue profile, veh·h/h. */
  uniformDelay: number;
  /** Random-and-oversaturation delay (HCM d2 × flow), veh·h/h. */
  randomDelay: number;
  /** Mean delay, seconds per vehicle: (uniform + random) / flow. */
  delayPerVehicle: number;
  /** Stops per hour. */
  stops: number;
  /** Stops per vehicle. */
  stopRate: number;
  /** The link's share of the performance index: delay + K·stops, veh·h/h. */
  performanceIndex: number;
}

/** The performance index after each pass of the hill climb. */
export interface OffsetSearchPass {
  /** 0 for the search from the plans' offsets, then 1, 2, … for the random restarts. */
  restart: number;
  /** Offset step size of the pass, seconds. */
  stepSize: number;
  performanceIndex: number;
  /** Evaluations so far, over all restarts. */
  evaluations: number;
}

export interface NetworkOffsetsResult {
  cycleLength: number;
  /** Signal id → offset, seconds in [0, cycleLength), to the plan's own offset reference. */
  offsets: Record<string, number>;
  /** The input plans with these offsets. */
  plans: Record<string, TimingPlan>;
  /**
   * Σ over stop-line lanes of uniform delay + random delay (veh·h/h) + K·stops/3600 (stops/h), K
   * in seconds per stop: veh·h/h in all.
   */
  performanceIndex: number;
  /** The same, at the input plans' offsets. */
  initialPerformanceIndex: number;
  /** Performance indices worked out (incrementally) during the search. */
  evaluations: number;
  perLink: OffsetLinkMeasures[];
  history: OffsetSearchPass[];
}

/**
 * Offsets for a group of signals on one cycle that minimize TRANSYT's performance index, delay +
 * K·stops, over cyclic flow profiles: each signal's departures travel its exit links dispersed by
 * Robertson's model to the next stop line, where a deterministic queue under that signal's greens
 * gives uniform delay, stops and departures; HCM's d2 adds random and oversaturation delay. The
 * search is TRANSYT's hill climb: for each step size, largest first, each signal's offset moves up
 * or down by the step while that lowers the index, in passes until one improves nothing; then
 * `restarts` more climbs from random offsets, keeping the best. A move re-evaluates only what it
 * can change (see `offsetEvaluator`). Splits and cycle are kept as planned.
 *
 * @throws {NetworkOffsetsError} on no plans, an unknown signal, plans with different cycles, a bad
 * flow, an option out of range, or `restarts` without `rng`.
 * @example
 * const result = optimizeOffsets(gridInput({ rows: 10, columns: 10 })); // the test fixture
 * result.initialPerformanceIndex // => 3121.8 veh·h/h at offsets 0
 * result.performanceIndex // => 2856.4, after 5,405 evaluations
 * result.offsets['n3_4'] // => 83
 */
export function optimizeOffsets(
  input: NetworkOffsetsInput,
  options: NetworkOffsetsOptions = {},
): NetworkOffsetsResult {
  const { restarts = 0, rng, maxPasses = 20 } = options;
  if (!Number.isInteger(restarts) || restarts < 0) {
    throw new NetworkOffsetsError(
      'BAD_OPTION',
      `optimizeOffsets: restarts ${restarts}; give a whole number ≥ 0`,
    );
  }
  if (!Number.isInteger(maxPasses) || maxPasses < 1) {
    throw new NetworkOffsetsError(
      'BAD_OPTION',
      `optimizeOffsets: maxPasses ${maxPasses}; give a whole number ≥ 1`,
    );
  }
  if (restarts > 0 && !rng) {
    throw new NetworkOffsetsError(
      'NO_RNG',
      'optimizeOffsets: restarts need options.rng, a seeded generator of numbers in [0, 1)',
    );
  }
  const model = offsetModel(input, options);
  const stepSizes = offsetStepSizes(model, options.steps);
  const evaluator = offsetEvaluator(model);
  const initialPerformanceIndex = evaluator.performanceIndex();
  const history: OffsetSearchPass[] = [];
  let evaluations = 0;
  const climbOptions = {
    stepSizes,
    maxPasses,
    tolerance: 1e-9 * Math.max(1, initialPerformanceIndex),
    retry: retrySets(model),
  };
  const climb = (restart: number) => {
    evaluations += hillClimb(evaluator, {
      ...climbOptions,
      onPass: (stepSize, climbed) =>
        history.push({
          restart,
          stepSize: stepSize * model.step,
          performanceIndex: evaluator.performanceIndex(),
          evaluations: evaluations + climbed,
        }),
    });
  };
  climb(0);
  let best = Int32Array.from(model.signals, (_, signal) => evaluator.offset(signal));
  let bestIndex = evaluator.performanceIndex();
  for (let restart = 1; restart <= restarts; restart++) {
    evaluator.setOffsets(Array.from(model.signals, () => Math.floor(rng!() * model.steps)));
    climb(restart);
    if (evaluator.performanceIndex() < bestIndex) {
      best = Int32Array.from(model.signals, (_, signal) => evaluator.offset(signal));
      bestIndex = evaluator.performanceIndex();
    }
  }
  evaluator.setOffsets(best);
  const offsets = offsetsInSeconds(model, best);
  return {
    cycleLength: model.cycleLength,
    offsets,
    plans: Object.fromEntries(
      Object.entries(input.plans).map(([id, plan]) => [id, { ...plan, offset: offsets[id]! }]),
    ),
    performanceIndex: evaluator.performanceIndex(),
    initialPerformanceIndex,
    evaluations,
    perLink: linkMeasures(model, evaluator),
    history,
  };
}

/**
 * The performance index and link measures of given offsets (seconds by signal id; a signal left
 * out keeps its plan's offset), evaluated from scratch.
 *
 * @example
 * evaluateOffsets(arterialInput({ spacing: 600 }), { n0_0: 0, n1_0: 37 }).performanceIndex
 * // => 8.80 veh·h/h (17.66 with both offsets 0)
 */
export function evaluateOffsets(
  input: NetworkOffsetsInput,
  offsets: Readonly<Record<string, number>> = {},
  options: OffsetModelOptions = {},
): { performanceIndex: number; perLink: OffsetLinkMeasures[] } {
  const model = offsetModel(input, options);
  const steps = Int32Array.from(model.signals, (id, signal) =>
    offsets[id] === undefined
      ? model.initialOffsets[signal]!
      : wrapSteps(offsets[id] / model.step, model.steps),
  );
  const evaluator = offsetEvaluator(model, steps);
  return {
    performanceIndex: evaluator.performanceIndex(),
    perLink: linkMeasures(model, evaluator),
  };
}

/** Step sizes in whole profile steps, distinct, largest first. */
function offsetStepSizes(model: OffsetModel, steps: readonly number[] | undefined): number[] {
  const seconds = steps ?? defaultStepSizes(model.cycleLength, model.step);
  if (seconds.length === 0 || seconds.some((size) => !(size > 0) || !Number.isFinite(size))) {
    throw new NetworkOffsetsError(
      'BAD_OPTION',
      `optimizeOffsets: steps [${seconds.join(', ')}]; give offset step sizes in seconds, each > 0`,
    );
  }
  const inSteps = seconds.map((size) => Math.max(1, Math.round(size / model.step)));
  return [...new Set(inSteps)].sort((a, b) => b - a);
}

function defaultStepSizes(cycleLength: number, step: number): number[] {
  const sizes: number[] = [];
  for (let size = cycleLength / 4; size >= 2 * step; size /= 2) sizes.push(size);
  sizes.push(step);
  return sizes;
}

function offsetsInSeconds(model: OffsetModel, steps: Int32Array): Record<string, number> {
  return Object.fromEntries(
    model.signals.map((id, signal) => {
      const seconds = steps[signal]! * model.step;
      return [id, seconds >= model.cycleLength ? 0 : seconds];
    }),
  );
}

function linkMeasures(model: OffsetModel, evaluator: OffsetEvaluator): OffsetLinkMeasures[] {
  const { delay, stops } = evaluator.laneMeasures();
  const byLink = new Map<string, OffsetLinkMeasures>();
  const upstream = new Map(
    model.approaches.map((approach) => [
      approach.link,
      [
        ...new Set(
          approach.terms.map((term) => model.signals[model.sources[term.source]!.signal]!),
        ),
      ].sort(),
    ]),
  );
  model.lanes.forEach((lane, index) => {
    let measures = byLink.get(lane.link);
    if (!measures) {
      measures = {
        link: lane.link,
        signal: lane.signal,
        upstreamSignals: upstream.get(lane.link) ?? [],
        flow: 0,
        uniformDelay: 0,
        randomDelay: 0,
        delayPerVehicle: 0,
        stops: 0,
        stopRate: 0,
        performanceIndex: 0,
      };
      byLink.set(lane.link, measures);
    }
    measures.flow += Math.min(lane.flow, lane.capacity);
    measures.uniformDelay += delay[index]!;
    measures.randomDelay += model.laneRandomDelay[index]!;
    measures.stops += stops[index]! * 3600;
    measures.performanceIndex +=
      delay[index]! + model.laneRandomDelay[index]! + model.stopWeight * stops[index]!;
  });
  return [...byLink.values()]
    .map((measures) => ({
      ...measures,
      delayPerVehicle:
        measures.flow > 0
          ? ((measures.uniformDelay + measures.randomDelay) * 3600) / measures.flow
          : 0,
      stopRate: measures.flow > 0 ? measures.stops / measures.flow : 0,
    }))
    .sort((a, b) => a.link.localeCompare(b.link));
}
