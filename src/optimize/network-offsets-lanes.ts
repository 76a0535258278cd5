// Stop-line streams for offset optimization: each lane's GO profile over the cycle and where its traffic goes.
import type { FlowProfile } from '../analysis/cyclic-flow-profiles.ts';
import {
  isShortLink,
  timingModel,
  type LaneModel,
  type SignalTimingModel,
} from '../analysis/timing-model.ts';
import type { Movement, RoadNetwork, Signal } from '../network/types.ts';
import { stageStartTimes } from '../timing/intervals.ts';
import type { TimingPlan } from '../timing/types.ts';

/** One lane (or shared lane group) at a stop line, as the offset model sees it. */
export interface LaneStream {
  signal: string;
  /** The approach link the lane is on. */
  link: string;
  lane: number;
  signalGroup: string;
  /** Demand, pcu/h. */
  flow: number;
  /** pcu/h of green, turning mix applied (from the timing model). */
  saturationFlow: number;
  /** pcu/h: what the GO profile lets through in an hour. */
  capacity: number;
  /** GO profile: discharge capacity per step, veh/s, on the signal's own clock (0 = offset reference). */
  go: FlowProfile;
  /** Exit link → share of the lane's departures that take it. */
  exits: Map<string, number>;
  /** Vehicles the lane holds before its queue spills back (from the timing model). */
  storage: number;
}

export interface LaneStreamOptions {
  /** Steps per cycle. */
  steps: number;
  /** Lost time per green, seconds, as in the timing model: effective green = green + yellow − lost time. */
  lostTime: number;
  /** Seconds from the start of green to the start of effective green (start-up lost time). */
  startLag: number;
  /** Metres a queued vehicle takes, as in the timing model (it decides which links are short). */
  jamSpacing: number;
}

/**
 * The stop-line streams of a signal under a plan: the lanes of `timingModel` (same lane groups,
 * saturation flows and permissive rates as the capacity analysis), each with its GO profile and
 * the shares of its traffic going to each exit link.
 *
 * @example
 * laneStreams(network, signal, plan, flows, { steps: 90, lostTime: 4, startLag: 2, jamSpacing: 7.5 })[0]
 * // => { link: 'n0_-1-n0_0', lane: 0, flow: 487.5, capacity: 772.3, go: Float64Array(90),
 * //      exits: Map { 'n0_0-n0_1' => 0.69, 'n0_0-n1_0' => 0.31 }, … } (grid fixture, n0_0)
 */
export function laneStreams(
  network: RoadNetwork,
  signal: Signal,
  plan: TimingPlan,
  movementFlows: Readonly<Record<string, number>>,
  options: LaneStreamOptions,
): LaneStream[] {
  const model = timingModel(network, signal, plan, movementFlows, {
    lostTime: options.lostTime,
    jamSpacing: options.jamSpacing,
  });
  const movements = network.getAttribute('movements');
  const controlled = signal.signalGroups.flatMap((group) =>
    group.movements.map((id) => movements[id]!),
  );
  const starts = stageStartTimes(plan);
  return model.lanes.map((lane): LaneStream => {
    const go = goProfile(lane, model, plan, starts, options);
    const capacity = (sumOf(go) * 3600) / options.steps;
    return {
      signal: signal.id,
      link: lane.link,
      lane: lane.lane,
      signalGroup: lane.signalGroup,
      flow: lane.flow,
      saturationFlow: lane.saturationFlow,
      capacity,
      go,
      exits: laneExits(network, lane, controlled, movementFlows, options.jamSpacing),
      storage: lane.storage,
    };
  });
}

/**
 * A lane's GO profile: saturation flow times its discharge rate while its stages are green, as
 * `laneGreen` counts them (a green cut short where a stopped movement blocks the lane, the
 * intergreen between two stages it moves in), with the effective green `startLag` late and
 * ending `yellow + startLag − lostTime` after the green, so it lasts green + yellow − lost time.
 */
function goProfile(
  lane: LaneModel,
  model: SignalTimingModel,
  plan: TimingPlan,
  starts: readonly number[],
  { steps, lostTime, startLag }: LaneStreamOptions,
): FlowProfile {
  const profile = new Float64Array(steps);
  const cycle = plan.cycleLength;
  const add = (from: number, to: number, rate: number) =>
    addSegment(profile, from, to, (rate * lane.saturationFlow) / 3600, cycle);
  const count = plan.stages.length;
  for (let index = 0; index < count; index++) {
    const rate = lane.rates[index]!;
    if (rate <= 0) continue;
    const stage = plan.stages[index]!;
    const start = starts[index]!;
    const blocked = (3600 * lane.blockedAfter[index]!) / (lane.saturationFlow * rate);
    const green = Math.min(stage.green, blocked);
    add(start, start + green, rate);
    const before = lane.rates[(index - 1 + count) % count]!;
    const after = lane.rates[(index + 1) % count]!;
    const end = start + stage.green;
    if (after > 0) add(end, end + model.stages[index]!.intergreen, Math.min(rate, after));
    else {
      const gain = stage.yellow + startLag - lostTime;
      if (gain >= 0) add(end, end + gain, rate);
      else add(start + green + gain, start + green, -rate);
    }
    if (before <= 0) add(start, start + startLag, -rate);
  }
  for (let index = 0; index < steps; index++) {
    if (profile[index]! < 1e-12) profile[index] = 0;
  }
  return profile;
}

/** Adds `rate` veh/s over `[from, to)` seconds of the cycle, by the share of each step covered. */
function addSegment(
  profile: FlowProfile,
  from: number,
  to: number,
  rate: number,
  cycle: number,
): void {
  const steps = profile.length;
  const step = cycle / steps;
  let remaining = Math.min(to - from, cycle);
  let time = ((from % cycle) + cycle) % cycle;
  while (remaining > 1e-9) {
    const index = Math.min(Math.floor(time / step + 1e-9), steps - 1);
    const piece = Math.min(remaining, (index + 1) * step - time);
    if (piece > 0) profile[index]! += (rate * piece) / step;
    remaining -= Math.max(piece, 0);
    time = (index + 1) * step;
    if (time >= cycle - 1e-9) time = 0;
  }
}

/**
 * Where a lane's traffic goes: each movement on it contributes its flow shared evenly over its
 * lanes (a short link's lanes count as one, as in `timingModel`); shares are of the lane's total.
 * A lane with no flow sends its traffic by the movements' lane counts alone.
 */
function laneExits(
  network: RoadNetwork,
  lane: LaneModel,
  controlled: readonly Movement[],
  movementFlows: Readonly<Record<string, number>>,
  jamSpacing: number,
): Map<string, number> {
  const short = isShortLink(network, lane.link, jamSpacing);
  const flows = new Map<string, number>();
  const counts = new Map<string, number>();
  let total = 0;
  let totalCount = 0;
  for (const movement of controlled) {
    if (movement.from !== lane.link) continue;
    const fromLanes = [...new Set(movement.lanes.map((connection) => connection.fromLane))];
    const used = short ? fromLanes.length : fromLanes.includes(lane.lane) ? 1 : 0;
    if (used === 0 || fromLanes.length === 0) continue;
    const share = used / fromLanes.length;
    const flow = (movementFlows[movement.id] ?? 0) * share;
    flows.set(movement.to, (flows.get(movement.to) ?? 0) + flow);
    counts.set(movement.to, (counts.get(movement.to) ?? 0) + share);
    total += flow;
    totalCount += share;
  }
  const weights = total > 0 ? flows : counts;
  const sum = total > 0 ? total : totalCount;
  return new Map([...weights].map(([link, weight]) => [link, sum > 0 ? weight / sum : 0]));
}

function sumOf(profile: FlowProfile): number {
  let total = 0;
  for (let index = 0; index < profile.length; index++) total += profile[index]!;
  return total;
}
