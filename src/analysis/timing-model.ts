// A signal reduced to numbers for fast evaluation: lanes with flows and per-stage discharge rates.
import type { Movement, RoadNetwork, Signal } from '../network/types.ts';
import { pedestrianClearance } from '../timing/clearance.ts';
import type { TimingPlan } from '../timing/types.ts';

/** An approach lane at the stop line, as the timing sees it. */
export interface LaneModel {
  link: string;
  /** The lane's index; for a link too short to sort traffic, its lowest lane, the group standing for all. */
  lane: number;
  /** Demand, pcu/h. */
  flow: number;
  /** Protected saturation flow, pcu/h of green, with the lane's turning mix applied. */
  saturationFlow: number;
  /** The signal group carrying most of the lane's traffic: the lane moves when it is green. */
  signalGroup: string;
  /** Per stage, the share of the saturation flow discharged while the stage is green (0 = red). */
  rates: number[];
  /** Per stage, the vehicles the lane sends before a stopped movement blocks it (Infinity: never). */
  blockedAfter: number[];
  /** Vehicles the lane holds before its queue spills back into the intersection upstream. */
  storage: number;
}

export interface StageModel {
  id: string;
  /** Yellow + all-red after the stage, seconds. */
  intergreen: number;
  /** Yellow after the stage, seconds: traffic losing green uses part of it. */
  yellow: number;
  /** Shortest green the stage may get: its own, and its pedestrians' walk and clearance. */
  minGreen: number;
}

export interface SignalTimingModel {
  signal: string;
  stages: StageModel[];
  lanes: LaneModel[];
  /** Seconds of each green and its yellow that traffic cannot use (start-up and end). */
  lostTime: number;
}

export interface TimingModelOptions {
  /**
   * Lost time per green, seconds: a green of G followed by a yellow of Y moves traffic for
   * G + Y − lostTime. Default 4 s, SUMO's `tlsCycleAdaptation.py` value; SUMO 1.15's own vehicles
   * measure 4.2–4.5 s on a saturated approach (see the README).
   */
  lostTime?: number;
  /** Metres of lane a queued vehicle takes (length + gap): 7.5 m, SUMO's default car. */
  jamSpacing?: number;
  /** Critical gap for a permissive turn through opposing traffic, seconds. */
  criticalGap?: number;
  /** Follow-up headway of permissive turns, seconds. */
  followUpHeadway?: number;
}

function discharges(perStage: LaneDischarge[]): Pick<LaneModel, 'rates' | 'blockedAfter'> {
  return {
    rates: perStage.map((discharge) => discharge.rate),
    blockedAfter: perStage.map((discharge) => discharge.blockedAfter),
  };
}

/** Links shorter than this many queued vehicles act as one shared lane group. */
const SHORT_LINK_VEHICLES = 3;

/** Lost time per green, seconds (see `TimingModelOptions.lostTime`). */
export const DEFAULT_LOST_TIME = 4;
/** Metres a queued car takes (length + gap): SUMO's default car. */
export const DEFAULT_JAM_SPACING = 7.5;

/**
 * Whether a link is too short to hold a few queued vehicles: it cannot sort traffic into its
 * lanes, since vehicles queue upstream mixed, so its lanes act as one shared lane group.
 *
 * @example
 * isShortLink(network, 'E1') // => true for a 9 m link
 */
export function isShortLink(
  network: RoadNetwork,
  link: string,
  jamSpacing = DEFAULT_JAM_SPACING,
): boolean {
  return network.getEdgeAttribute(link, 'length') < SHORT_LINK_VEHICLES * jamSpacing;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Saturation-flow factors by turn (HCM 2000: exclusive right 0.85, protected left 0.95). */
const TURN_FACTOR: Record<Movement['turn'], number> = {
  through: 1,
  right: 0.85,
  left: 0.95,
  uturn: 0.8,
};

/**
 * Reduces a signal, the stage structure of a plan and the movement flows (pcu/h by movement id)
 * to a `SignalTimingModel`. Each approach lane gets the flows of the movements using it (a
 * movement's flow shared evenly over its lanes), a saturation flow with the turning mix applied,
 * and per stage a discharge rate: 1 when its signal group is protected, the gap-acceptance share
 * `v·e^(−v·tc) / (1 − e^(−v·tf))` of the conflicting protected flow v when it is permissive, 0 when
 * it is red.
 *
 * @example
 * const model = timingModel(network, signal, signal.programs[0], { 'E1>E2': 420, … });
 * model.lanes[0] // => { link: 'E1', lane: 0, flow: 210, saturationFlow: 1615, signalGroup: '0', rates: [1, 0, 0, 0] }
 */
export function timingModel(
  network: RoadNetwork,
  signal: Signal,
  plan: TimingPlan,
  movementFlows: Readonly<Record<string, number>>,
  {
    criticalGap = 4.5,
    followUpHeadway = 2.5,
    lostTime = DEFAULT_LOST_TIME,
    jamSpacing = DEFAULT_JAM_SPACING,
  }: TimingModelOptions = {},
): SignalTimingModel {
  const movements = network.getAttribute('movements');
  const lanes = new Map<
    string,
    { link: string; lanes: Set<number>; flows: Map<Movement, number> }
  >();
  for (const group of signal.signalGroups) {
    for (const id of group.movements) {
      const movement = movements[id]!;
      const fromLanes = [...new Set(movement.lanes.map((connection) => connection.fromLane))];
      const share = (movementFlows[id] ?? 0) / Math.max(fromLanes.length, 1);
      const short = isShortLink(network, movement.from, jamSpacing);
      for (const lane of fromLanes) {
        const key = `${movement.from}\u0000${short ? '*' : lane}`;
        let entry = lanes.get(key);
        if (!entry)
          lanes.set(key, (entry = { link: movement.from, lanes: new Set(), flows: new Map() }));
        entry.lanes.add(lane);
        entry.flows.set(movement, (entry.flows.get(movement) ?? 0) + share);
      }
    }
  }

  const served = new Set(plan.stages.flatMap((stage) => Object.keys(stage.greens)));
  const laneModels: (Omit<LaneModel, 'rates' | 'blockedAfter'> & {
    shares: Map<Movement, number>;
  })[] = [];
  for (const { link, lanes: laneSet, flows } of lanes.values()) {
    const [governing] = [...flows].sort((a, b) => b[1] - a[1] || a[0].id.localeCompare(b[0].id));
    const signalGroup = governing![0].signalGroup!;
    if (!served.has(signalGroup)) continue;
    const flow = [...flows.values()].reduce((sum, value) => sum + value, 0);
    const grouped = network.getEdgeAttributes(link).lanes.filter((l) => laneSet.has(l.index));
    const lane = Math.min(...laneSet);
    const shares = new Map(
      [...flows].map(([movement, value]) => [movement, flow > 0 ? value / flow : 1 / flows.size]),
    );
    laneModels.push({
      link,
      lane,
      flow,
      saturationFlow: sum(grouped.map((l) => l.saturationFlow)) * turnFactor(flows, flow),
      signalGroup,
      storage: sum(grouped.map((l) => l.length)) / jamSpacing,
      shares,
    });
  }

  const conflicting = conflictMap(signal);
  const followUp = 3600 / followUpHeadway;
  const movementRate = (group: string, stageIndex: number): number => {
    const stage = plan.stages[stageIndex]!;
    const kind = stage.greens[group];
    if (kind === undefined) return 0;
    if (kind === 'protected') return 1;
    const opposing = laneModels
      .filter(
        (other) =>
          stage.greens[other.signalGroup] === 'protected' &&
          conflicting.get(group)?.has(other.signalGroup),
      )
      .reduce((sum, other) => sum + other.flow, 0);
    return Math.min(1, gapAcceptanceFlow(opposing, criticalGap, followUpHeadway) / followUp);
  };

  return {
    signal: signal.id,
    stages: plan.stages.map((stage, index) => ({
      id: stage.id,
      intergreen: stage.yellow + stage.allRed,
      yellow: stage.yellow,
      minGreen: Math.max(stage.minGreen, pedestrianMinimum(signal, plan, index)),
    })),
    lostTime,
    lanes: laneModels.map(({ shares, ...laneModel }) => ({
      ...laneModel,
      ...discharges(
        plan.stages.map((_, index) =>
          laneDischarge(shares, (movement) => movementRate(movement.signalGroup!, index)),
        ),
      ),
    })),
  };
}

/** How a lane discharges while a stage is green. */
export interface LaneDischarge {
  /** Share of the lane's saturation flow while it moves (0 = red). */
  rate: number;
  /** Vehicles it can send before a vehicle whose movement is red reaches the stop line and blocks it. */
  blockedAfter: number;
}

/**
 * The discharge of a lane whose movements may have different signals: the movements that may go
 * discharge at the harmonic mean of their rates (a slow permissive turner holds up those behind
 * it) until a vehicle of a stopped movement reaches the stop line. With a share P of the lane's
 * traffic free to go, the run of vehicles before the first stopped one averages P / (1 − P).
 *
 * @example
 * laneDischarge(new Map([[through, 0.8], [left, 0.2]]), (m) => (m === left ? 0.5 : 1))
 * // => { rate: 0.833, blockedAfter: Infinity }
 * laneDischarge(new Map([[through, 0.8], [left, 0.2]]), (m) => (m === left ? 1 : 0))
 * // => { rate: 1, blockedAfter: 0.25 }
 */
export function laneDischarge<T>(
  shares: ReadonlyMap<T, number>,
  rateOf: (movement: T) => number,
): LaneDischarge {
  let moving = 0;
  let time = 0;
  let total = 0;
  for (const [movement, share] of shares) {
    total += share;
    const rate = rateOf(movement);
    if (rate <= 0 || share <= 0) continue;
    moving += share;
    time += share / rate;
  }
  if (moving <= 0) return { rate: 0, blockedAfter: 0 };
  const stopped = total - moving;
  return { rate: moving / time, blockedAfter: stopped > 1e-9 ? moving / stopped : Infinity };
}

/**
 * Vehicles per hour a permissive movement can send through an opposing flow (veh/h), by gap
 * acceptance with exponential headways: `v·e^(−v·tc) / (1 − e^(−v·tf))`, v in veh/s; `3600/tf`
 * with no opposing flow.
 *
 * @example
 * gapAcceptanceFlow(500, 4.5, 2.5) // => 912.3
 */
export function gapAcceptanceFlow(
  opposingFlow: number,
  criticalGap: number,
  followUpHeadway: number,
): number {
  if (opposingFlow <= 0) return 3600 / followUpHeadway;
  const perSecond = opposingFlow / 3600;
  return (
    (3600 * perSecond * Math.exp(-perSecond * criticalGap)) /
    (1 - Math.exp(-perSecond * followUpHeadway))
  );
}

function turnFactor(flows: Map<Movement, number>, total: number): number {
  if (total <= 0) {
    const turns = [...flows.keys()].map((movement) => TURN_FACTOR[movement.turn]);
    return Math.min(...turns);
  }
  let inverse = 0;
  for (const [movement, flow] of flows) inverse += flow / total / TURN_FACTOR[movement.turn];
  return 1 / inverse;
}

function conflictMap(signal: Signal): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const { a, b } of signal.conflicts) {
    if (!map.has(a)) map.set(a, new Set());
    if (!map.has(b)) map.set(b, new Set());
    map.get(a)!.add(b);
    map.get(b)!.add(a);
  }
  return map;
}

/** The walk and clearance a stage must hold for pedestrian groups that start and end in it. */
function pedestrianMinimum(signal: Signal, plan: TimingPlan, index: number): number {
  const stage = plan.stages[index]!;
  const count = plan.stages.length;
  const before = plan.stages[(index - 1 + count) % count]!;
  const after = plan.stages[(index + 1) % count]!;
  let minimum = 0;
  for (const group of signal.signalGroups) {
    if (group.kind !== 'pedestrian' || group.crossingLength === undefined) continue;
    if (!(group.id in stage.greens) || group.id in before.greens || group.id in after.greens)
      continue;
    minimum = Math.max(
      minimum,
      pedestrianClearance({ crossingLength: group.crossingLength }).total,
    );
  }
  return minimum;
}
