// Optimizes one signal's plan from its movement flows: stage order, cycle length and greens.
import type { DelayOptions } from '../analysis/delay.ts';
import {
  measureTiming,
  totalDelaySeconds,
  type TimingMeasures,
} from '../analysis/evaluate-timing.ts';
import {
  timingModel,
  type SignalTimingModel,
  type TimingModelOptions,
} from '../analysis/timing-model.ts';
import type { RoadNetwork, Signal } from '../network/types.ts';
import { withIteIntergreens } from '../timing/intergreens.ts';
import type { TimingPlan } from '../timing/types.ts';
import { validatePlan } from '../timing/validate.ts';
import {
  optimizeSplits,
  optimizeTiming,
  totalIntergreen,
  type CycleRange,
  type OptimizedTiming,
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

/** A signal ready for timing: its chosen stage sequence, as a plan and as a model. */
export interface SignalStructure {
  signal: Signal;
  base: TimingPlan;
  structure: TimingPlan;
  model: SignalTimingModel;
  baseModel: SignalTimingModel;
  /** The structure's best timing on its own (the full cycle search that chose it). */
  timing: OptimizedTiming;
}

/**
 * A delay-minimizing plan for one signal with the stages of `basePlan` (by default the signal's
 * first program): the best order of those stages, then the cycle length and greens, keeping the
 * stages' minimum greens and the plan's intergreens (or ITE intergreens); offset kept within the
 * new cycle.
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
  const prepared = signalStructure(network, signal, movementFlows, options, basePlan);
  return timedSignal(prepared, prepared.timing, options);
}

/**
 * Chooses the stage sequence: every valid order of the base plan's stages is screened with
 * optimized splits at the base plan's cycle, and the best few get the full cycle search.
 *
 * @throws {RangeError} when the signal has no plan to take its stages from.
 */
export function signalStructure(
  network: RoadNetwork,
  signal: Signal,
  movementFlows: Readonly<Record<string, number>>,
  options: SignalTimingOptions = {},
  basePlan: TimingPlan | undefined = signal.programs[0],
): SignalStructure {
  if (!basePlan) {
    throw new RangeError(
      `optimizeSignal: signal "${signal.id}" has no plan to take its stages from; give one as basePlan`,
    );
  }
  const start =
    options.intergreens === 'ite' ? withIteIntergreens(basePlan, network, signal) : basePlan;
  const modelOf = (plan: TimingPlan) =>
    timingModel(network, signal, plan, movementFlows, options.model);
  const intervals = groupChangeIntervals(start);
  const candidates =
    options.sequence === 'keep'
      ? [start]
      : stageOrders(start.stages.length)
          .map((order) => reorderStages(start, order, intervals))
          .filter((candidate) => validatePlan(candidate, signal).length === 0);
  const models = (candidates.length > 0 ? candidates : [start]).map((plan) => ({
    plan,
    model: modelOf(plan),
  }));
  const screened =
    models.length === 1
      ? models
      : models
          .map((entry) => ({
            ...entry,
            delay: screeningDelay(entry.model, start.cycleLength, options.delay),
          }))
          .sort((a, b) => a.delay - b.delay)
          .slice(0, SEQUENCES_SEARCHED);
  const best = screened
    .map((entry) => ({ ...entry, timing: optimizeTiming(entry.model, timingOptions(options)) }))
    .sort((a, b) => a.timing.measures.totalDelay - b.timing.measures.totalDelay)[0]!;
  return {
    signal,
    base: basePlan,
    structure: best.plan,
    model: best.model,
    baseModel: modelOf(basePlan),
    timing: best.timing,
  };
}

/** The plan and measures of a signal given a timing of its structure's model. */
export function timedSignal(
  { signal, base, structure, baseModel }: SignalStructure,
  timing: OptimizedTiming,
  options: SignalTimingOptions = {},
): SignalTimingResult {
  const plan: TimingPlan = {
    ...structure,
    id: options.planId ?? 'greenwave',
    cycleLength: timing.cycleLength,
    offset: structure.offset % timing.cycleLength,
    stages: structure.stages.map((stage, index) => ({ ...stage, green: timing.greens[index]! })),
    origin: 'greenwave',
  };
  return {
    signal: signal.id,
    status: timing.status,
    plan,
    measures: timing.measures,
    before: measureTiming(
      baseModel,
      base.stages.map((stage) => stage.green),
      base.cycleLength,
      options.delay,
    ),
    ...(timing.websterCycle !== undefined ? { websterCycle: timing.websterCycle } : {}),
  };
}

/** The cycle and delay options of the signal options. */
export function timingOptions(options: SignalTimingOptions) {
  return {
    ...(options.cycle ? { cycle: options.cycle } : {}),
    ...(options.delay ? { delay: options.delay } : {}),
  };
}

/** Candidates screened at one cycle length before the full cycle search. */
const SEQUENCES_SEARCHED = 3;

function screeningDelay(model: SignalTimingModel, baseCycle: number, delay?: DelayOptions): number {
  const intergreens = totalIntergreen(model);
  const minimums = model.stages.reduce((sum, stage) => sum + stage.minGreen, 0);
  const cycleLength = Math.max(baseCycle, intergreens + minimums);
  const share = (cycleLength - intergreens) / model.stages.length;
  const start = model.stages.map((stage) => Math.max(share, stage.minGreen));
  const greens = optimizeSplits(model, cycleLength, start, delay);
  return totalDelaySeconds(model, greens, cycleLength, delay);
}
