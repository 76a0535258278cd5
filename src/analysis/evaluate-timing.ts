// Measures of a timing: capacity, degree of saturation, delay, level of service and queue per lane.
import {
  backOfQueue,
  controlDelay,
  levelOfService,
  type DelayOptions,
  type LevelOfService,
} from './delay.ts';
import type { LaneModel, SignalTimingModel } from './timing-model.ts';

export interface LaneMeasures {
  link: string;
  lane: number;
  signalGroup: string;
  /** pcu/h. */
  flow: number;
  saturationFlow: number;
  /** Green the lane gets per cycle at its protected rate, seconds. */
  effectiveGreen: number;
  /** pcu/h. */
  capacity: number;
  flowRatio: number;
  degreeOfSaturation: number;
  /** Control delay, seconds per vehicle. */
  delay: number;
  levelOfService: LevelOfService;
  /** Back of queue, vehicles. */
  queue: number;
}

export interface TimingMeasures {
  cycleLength: number;
  /** Displayed green of each stage, seconds. */
  greens: number[];
  lanes: LaneMeasures[];
  /** Flow-weighted mean control delay, seconds per pcu. */
  delay: number;
  /** Total delay, pcu-hours per hour. */
  totalDelay: number;
  levelOfService: LevelOfService;
  /** The highest lane degree of saturation. */
  criticalDegreeOfSaturation: number;
  /** Sum over stages of the highest flow ratio of a lane green only in that stage (Webster's Y). */
  criticalFlowRatio: number;
  /** Intergreens per cycle, seconds (Webster's L). */
  lostTime: number;
}

/**
 * The green a lane gets per cycle, weighted by its discharge rate in each stage; the intergreen
 * between two stages counts when the lane stays green across it.
 *
 * @example
 * laneGreen(lane, model, [30, 40]) // => 30 for a lane protected in the first stage only
 */
export function laneGreen(
  lane: LaneModel,
  model: SignalTimingModel,
  greens: readonly number[],
): number {
  const count = model.stages.length;
  let green = 0;
  for (let i = 0; i < count; i++) {
    const rate = lane.rates[i]!;
    if (rate === 0) continue;
    green += rate * greens[i]!;
    const next = lane.rates[(i + 1) % count]!;
    if (next > 0) green += Math.min(rate, next) * model.stages[i]!.intergreen;
  }
  return green;
}

/**
 * Total delay of a timing in pcu-seconds per hour: the objective the optimizer minimizes.
 *
 * @example
 * totalDelaySeconds(model, [30, 40], 80) // => 412345
 */
export function totalDelaySeconds(
  model: SignalTimingModel,
  greens: readonly number[],
  cycleLength: number,
  options: DelayOptions = {},
): number {
  let total = 0;
  for (const lane of model.lanes) {
    if (lane.flow === 0) continue;
    const greenRatio = Math.min(laneGreen(lane, model, greens) / cycleLength, 1);
    total +=
      lane.flow *
      controlDelay(
        { cycleLength, greenRatio, flow: lane.flow, saturationFlow: lane.saturationFlow },
        options,
      );
  }
  return total;
}

/**
 * Every measure of a timing, per lane and for the signal.
 *
 * @example
 * measureTiming(model, [30, 40], 80).levelOfService // => 'C'
 */
export function measureTiming(
  model: SignalTimingModel,
  greens: readonly number[],
  cycleLength: number,
  options: DelayOptions = {},
): TimingMeasures {
  const lanes = model.lanes.map((lane): LaneMeasures => {
    const effectiveGreen = laneGreen(lane, model, greens);
    const greenRatio = Math.min(effectiveGreen / cycleLength, 1);
    const capacity = lane.saturationFlow * greenRatio;
    const degreeOfSaturation = lane.flow === 0 ? 0 : capacity > 0 ? lane.flow / capacity : Infinity;
    const args = { cycleLength, greenRatio, flow: lane.flow, saturationFlow: lane.saturationFlow };
    const delay = controlDelay(args, options);
    return {
      link: lane.link,
      lane: lane.lane,
      signalGroup: lane.signalGroup,
      flow: lane.flow,
      saturationFlow: lane.saturationFlow,
      effectiveGreen,
      capacity,
      flowRatio: lane.flow / lane.saturationFlow,
      degreeOfSaturation,
      delay,
      levelOfService: levelOfService(delay, degreeOfSaturation),
      queue: backOfQueue(args, options),
    };
  });
  const flow = lanes.reduce((sum, lane) => sum + lane.flow, 0);
  const totalDelay = lanes.reduce(
    (sum, lane) => sum + (lane.flow > 0 ? lane.flow * lane.delay : 0),
    0,
  );
  const delay = flow > 0 ? totalDelay / flow : 0;
  const criticalDegreeOfSaturation = Math.max(0, ...lanes.map((lane) => lane.degreeOfSaturation));
  return {
    cycleLength,
    greens: [...greens],
    lanes,
    delay,
    totalDelay: totalDelay / 3600,
    levelOfService: levelOfService(delay, criticalDegreeOfSaturation),
    criticalDegreeOfSaturation,
    criticalFlowRatio: criticalFlowRatio(model),
    lostTime: model.stages.reduce((sum, stage) => sum + stage.intergreen, 0),
  };
}

/**
 * Webster's Y: for each stage, the highest flow ratio among the lanes that move in that stage
 * alone (at their rate), summed. Lanes green in several stages share them and are left out.
 *
 * @example
 * criticalFlowRatio(model) // => 0.55
 */
export function criticalFlowRatio(model: SignalTimingModel): number {
  return model.stages.reduce(
    (sum, _, index) => sum + Math.max(0, ...stageFlowRatios(model, index)),
    0,
  );
}

/** Flow ratios of the lanes that move in one stage only. */
export function stageFlowRatios(model: SignalTimingModel, index: number): number[] {
  return model.lanes
    .filter((lane) => lane.rates[index]! > 0 && lane.rates.filter((rate) => rate > 0).length === 1)
    .map((lane) => lane.flow / (lane.saturationFlow * lane.rates[index]!));
}
