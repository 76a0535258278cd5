// A signal reduced to numbers for fast evaluation: lanes with flows and per-stage discharge rates.
import type { Movement, RoadNetwork, Signal } from '../network/types.ts';
import { pedestrianClearance } from '../timing/clearance.ts';
import type { TimingPlan } from '../timing/types.ts';

/** An approach lane at the stop line, as the timing sees it. */
export interface LaneModel {
  link: string;
  lane: number;
  /** Demand, pcu/h. */
  flow: number;
  /** Protected saturation flow, pcu/h of green, with the lane's turning mix applied. */
  saturationFlow: number;
  /** The signal group carrying most of the lane's traffic: the lane moves when it is green. */
  signalGroup: string;
  /** Per stage, the share of the saturation flow discharged while the stage is green (0 = red). */
  rates: number[];
}

export interface StageModel {
  id: string;
  /** Yellow + all-red after the stage, seconds. */
  intergreen: number;
  /** Shortest green the stage may get: its own, and its pedestrians' walk and clearance. */
  minGreen: number;
}

export interface SignalTimingModel {
  signal: string;
  stages: StageModel[];
  lanes: LaneModel[];
}

export interface TimingModelOptions {
  /** Critical gap for a permissive turn through opposing traffic, seconds. */
  criticalGap?: number;
  /** Follow-up headway of permissive turns, seconds. */
  followUpHeadway?: number;
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
  { criticalGap = 4.5, followUpHeadway = 2.5 }: TimingModelOptions = {},
): SignalTimingModel {
  const movements = network.getAttribute('movements');
  const lanes = new Map<string, { link: string; lane: number; flows: Map<Movement, number> }>();
  for (const group of signal.signalGroups) {
    for (const id of group.movements) {
      const movement = movements[id]!;
      const fromLanes = [...new Set(movement.lanes.map((connection) => connection.fromLane))];
      const share = (movementFlows[id] ?? 0) / Math.max(fromLanes.length, 1);
      for (const lane of fromLanes) {
        const key = `${movement.from}\u0000${lane}`;
        let entry = lanes.get(key);
        if (!entry) lanes.set(key, (entry = { link: movement.from, lane, flows: new Map() }));
        entry.flows.set(movement, (entry.flows.get(movement) ?? 0) + share);
      }
    }
  }

  const served = new Set(plan.stages.flatMap((stage) => Object.keys(stage.greens)));
  const laneModels: (Omit<LaneModel, 'rates'> & { shares: Map<Movement, number> })[] = [];
  for (const { link, lane, flows } of lanes.values()) {
    const [governing] = [...flows].sort((a, b) => b[1] - a[1] || a[0].id.localeCompare(b[0].id));
    const signalGroup = governing![0].signalGroup!;
    if (!served.has(signalGroup)) continue;
    const flow = [...flows.values()].reduce((sum, value) => sum + value, 0);
    const laneSaturation = network
      .getEdgeAttributes(link)
      .lanes.find((l) => l.index === lane)!.saturationFlow;
    const shares = new Map(
      [...flows].map(([movement, value]) => [movement, flow > 0 ? value / flow : 1 / flows.size]),
    );
    laneModels.push({
      link,
      lane,
      flow,
      saturationFlow: laneSaturation * turnFactor(flows, flow),
      signalGroup,
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
      minGreen: Math.max(stage.minGreen, pedestrianMinimum(signal, plan, index)),
    })),
    lanes: laneModels.map(({ shares, ...laneModel }) => ({
      ...laneModel,
      rates: plan.stages.map((_, index) =>
        sharedLaneRate(shares, (movement) => movementRate(movement.signalGroup!, index)),
      ),
    })),
  };
}

/**
 * The discharge rate of a lane whose movements may have different signals: the movements that
 * may go discharge at the harmonic mean of their rates (a slow permissive turner holds up those
 * behind it), and only while no vehicle of a stopped movement is at the head of the lane, which is
 * taken as the share of the lane's traffic that may go.
 *
 * @example
 * sharedLaneRate(new Map([[through, 0.8], [left, 0.2]]), (m) => (m === left ? 0.5 : 1)) // => 0.833
 */
export function sharedLaneRate<T>(
  shares: ReadonlyMap<T, number>,
  rateOf: (movement: T) => number,
): number {
  let moving = 0;
  let time = 0;
  for (const [movement, share] of shares) {
    const rate = rateOf(movement);
    if (rate <= 0 || share <= 0) continue;
    moving += share;
    time += share / rate;
  }
  return moving > 0 ? (moving * moving) / time : 0;
}
/**
 * Vehicles per hour a permissive movement can send through an opposing flow (veh/h), by gap
 * acceptance with exponential headways: `v·e^(−v·tc) / (1 − e^(−v·tf))`, v in veh/s; `3600/tf`
 * with no opposing flow.
 *
 * @example
 * gapAcceptanceFlow(500, 4.5, 2.5) // => 914
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
