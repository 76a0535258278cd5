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
  /** Vehicles the lane stores before spilling back. */
  storage: number;
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
  /** Seconds per cycle no traffic moves: intergreens, plus lost time less yellow per stage (Webster's L). */
  lostTime: number;
}

/**
 * The effective green a lane gets per cycle, weighted by its discharge rate in each stage: the
 * greens of the stages it moves in (each only until a stopped movement blocks the lane), the
 * intergreens between two of them, and at the end of each run of green its yellow less the
 * model's lost time.
 *
 * @example
 * laneGreen(lane, model, [30, 40]) // => 29 for a lane protected in the first stage only, yellow 3, lost time 4
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
    green += Math.min(rate * greens[i]!, (3600 * lane.blockedAfter[i]!) / lane.saturationFlow);
    const next = lane.rates[(i + 1) % count]!;
    const stage = model.stages[i]!;
    green +=
      next > 0 ? Math.min(rate, next) * stage.intergreen : rate * (stage.yellow - model.lostTime);
  }
  return Math.max(green, 0);
}

/**
 * Seconds of delay charged per hour for each vehicle of queue beyond a lane's storage: a queue
 * that spills back blocks the intersection upstream, which an isolated delay formula cannot see.
 */
export const SPILLBACK_PENALTY = 3600;

/**
 * Total delay of a timing in pcu-seconds per hour, plus the spillback penalty for back of queue
 * beyond each lane's storage: the objective the optimizer minimizes.
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
    const args = { cycleLength, greenRatio, flow: lane.flow, saturationFlow: lane.saturationFlow };
    total += lane.flow * controlDelay(args, options);
    const overflow = backOfQueue(args, options) - lane.storage;
    if (overflow > 0) total += SPILLBACK_PENALTY * overflow;
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
      storage: lane.storage,
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
    lostTime: cycleLostTime(model),
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

/**
 * Webster's lost time L per cycle: each stage's intergreen, less the part of its yellow that
 * traffic uses (yellow − lost time).
 *
 * @example
 * cycleLostTime(model) // => 16 for four stages with 5 s yellow, 0 s all-red and 4 s lost time
 */
export function cycleLostTime(model: SignalTimingModel): number {
  return model.stages.reduce(
    (sum, stage) => sum + stage.intergreen - stage.yellow + model.lostTime,
    0,
  );
}
