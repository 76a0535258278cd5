// Optimizes one signal's plan from its movement flows, keeping the plan's stage structure.
import type { DelayOptions } from '../analysis/delay.ts';
import {
  measureTiming,
  totalDelaySeconds as totalDelayOf,
  type TimingMeasures,
} from '../analysis/evaluate-timing.ts';
import { timingModel, type TimingModelOptions } from '../analysis/timing-model.ts';
import type { RoadNetwork, Signal } from '../network/types.ts';
import { withIteIntergreens } from '../timing/intergreens.ts';
import type { TimingPlan } from '../timing/types.ts';
import { validatePlan } from '../timing/validate.ts';
import {
  optimizeSplits,
  optimizeTiming,
  type CycleRange,
  type TimingStatus,
} from './cycle-and-splits.ts';
import { groupChangeIntervals, reorderStages, stageOrders } from './stage-sequence.ts';

export interface SignalTimingOptions {
  cycle?: CycleRange;
  /** Keep the plan's own yellows and all-reds (`plan`, the default) or compute them by ITE (`ite`). */
  intergreens?: 'plan' | 'ite';
  delay?: DelayOptions;
  model?: TimingModelOptions;
  /** Id of the plan written. */
  planId?: string;
  /** Try every order of the stages (`optimize`, the default) or keep the plan's (`keep`). */
  sequence?: 'optimize' | 'keep';
}

export interface SignalTimingResult {
  signal: string;
  status: TimingStatus;
  plan: TimingPlan;
  measures: TimingMeasures;
  /** The same measures for the plan it started from, under the same demand. */
  before: TimingMeasures;
  websterCycle?: number;
}

/**
 * A delay-minimizing plan for one signal with the stage sequence of `basePlan` (by default the
 * signal's first program): new cycle length and greens, the same stages, minimum greens and
 * intergreens (or ITE intergreens), offset kept within the new cycle.
 *
 * @example
 * optimizeSignal(network, signal, { 'E1>E2': 420, … }).plan.cycleLength // => 64
 */
export function optimizeSignal(
  network: RoadNetwork,
  signal: Signal,
  movementFlows: Readonly<Record<string, number>>,
  options: SignalTimingOptions = {},
  basePlan: TimingPlan | undefined = signal.programs[0],
): SignalTimingResult {
  if (!basePlan) {
    throw new RangeError(
      `optimizeSignal: signal "${signal.id}" has no plan to take its stages from; give one as basePlan`,
    );
  }
  const start =
    options.intergreens === 'ite' ? withIteIntergreens(basePlan, network, signal) : basePlan;
  const structure = bestSequence(network, signal, start, movementFlows, options);
  const model = timingModel(network, signal, structure, movementFlows, options.model);
  const timing = optimizeTiming(model, {
    ...(options.cycle ? { cycle: options.cycle } : {}),
    ...(options.delay ? { delay: options.delay } : {}),
  });
  const plan: TimingPlan = {
    ...structure,
    id: options.planId ?? 'greenwave',
    cycleLength: timing.cycleLength,
    offset: structure.offset % timing.cycleLength,
    stages: structure.stages.map((stage, index) => ({ ...stage, green: timing.greens[index]! })),
    origin: 'greenwave',
  };
  const baseModel =
    options.intergreens === 'ite'
      ? timingModel(network, signal, basePlan, movementFlows, options.model)
      : model;
  return {
    signal: signal.id,
    status: timing.status,
    plan,
    measures: timing.measures,
    before: measureTiming(
      baseModel,
      basePlan.stages.map((stage) => stage.green),
      basePlan.cycleLength,
      options.delay,
    ),
    ...(timing.websterCycle !== undefined ? { websterCycle: timing.websterCycle } : {}),
  };
}

/** Candidates screened at one cycle length before the full cycle search. */
const SEQUENCES_SEARCHED = 3;

/**
 * The stage order with the least delay: every valid order is screened with optimized splits at
 * the base plan's cycle, and the best few get the full cycle search.
 */
function bestSequence(
  network: RoadNetwork,
  signal: Signal,
  plan: TimingPlan,
  movementFlows: Readonly<Record<string, number>>,
  options: SignalTimingOptions,
): TimingPlan {
  if (options.sequence === 'keep') return plan;
  const intervals = groupChangeIntervals(plan);
  const candidates = stageOrders(plan.stages.length)
    .map((order) => reorderStages(plan, order, intervals))
    .filter((candidate) => validatePlan(candidate, signal).length === 0);
  if (candidates.length <= 1) return plan;
  const screened = candidates
    .map((candidate) => {
      const model = timingModel(network, signal, candidate, movementFlows, options.model);
      const lostTime = model.stages.reduce((sum, stage) => sum + stage.intergreen, 0);
      const cycleLength = Math.max(
        plan.cycleLength,
        lostTime + model.stages.reduce((sum, stage) => sum + stage.minGreen, 0),
      );
      const spare = cycleLength - lostTime;
      const start = model.stages.map(() => spare / model.stages.length);
      const greens = optimizeSplits(
        model,
        cycleLength,
        start.map((green, i) => Math.max(green, model.stages[i]!.minGreen)),
        options.delay,
      );
      return { candidate, model, delay: totalDelayOf(model, greens, cycleLength, options.delay) };
    })
    .sort((a, b) => a.delay - b.delay)
    .slice(0, SEQUENCES_SEARCHED);
  const searched = screened.map(({ candidate, model }) => ({
    candidate,
    delay: optimizeTiming(model, {
      ...(options.cycle ? { cycle: options.cycle } : {}),
      ...(options.delay ? { delay: options.delay } : {}),
    }).measures.totalDelay,
  }));
  return searched.sort((a, b) => a.delay - b.delay)[0]!.candidate;
}
