// Intergreens for a signal's stages from the ITE formulas and the network's own geometry.
import type { RoadNetwork, Signal } from '../network/types.ts';
import { intergreen, type ChangeIntervalRounding, type Intergreen } from './clearance.ts';
import type { TimingPlan } from './types.ts';

export interface SignalIntergreenOptions {
  /** Decimal grade of every approach, + uphill. */
  grade?: number;
  round?: ChangeIntervalRounding;
  /** Clamp to the MUTCD limits: yellow 3–6 s, all-red at most 6 s. Default true. */
  clampToMutcd?: boolean;
}

/** Lane width assumed where the network gives none, metres. */
const LANE_WIDTH = 3.5;

/**
 * The ITE yellow and all-red of each vehicle signal group of a signal: the approach speed is the
 * fastest speed limit among the group's approaches, the width to clear is the intersection's
 * diameter (twice its radius) or, when the network gives no radius, the widest road at the
 * intersection (the lanes of both directions).
 *
 * @example
 * groupIntergreens(network, signal)['2'] // => { yellow: 3.3, allRed: 2.4 }
 */
export function groupIntergreens(
  network: RoadNetwork,
  signal: Signal,
  { grade = 0, round = 'tenth', clampToMutcd = true }: SignalIntergreenOptions = {},
): Record<string, Intergreen> {
  const movements = network.getAttribute('movements');
  const result: Record<string, Intergreen> = {};
  for (const group of signal.signalGroups) {
    if (group.kind !== 'vehicle' || group.movements.length === 0) continue;
    let approachSpeed = 0;
    let crossingWidth = 0;
    for (const id of group.movements) {
      const movement = movements[id]!;
      approachSpeed = Math.max(
        approachSpeed,
        network.getEdgeAttribute(movement.from, 'speedLimit'),
      );
      crossingWidth = Math.max(crossingWidth, intersectionWidth(network, movement.intersection));
    }
    result[group.id] = intergreen({ approachSpeed, crossingWidth, grade, round, clampToMutcd });
  }
  return result;
}

/** Metres a vehicle crosses inside an intersection: its diameter, or its widest road. */
export function intersectionWidth(network: RoadNetwork, intersection: string): number {
  const radius = network.getNodeAttribute(intersection, 'radius');
  if (radius !== undefined && radius > 0) return 2 * radius;
  let widest = 0;
  network.forEachEdge(intersection, (_, link) => {
    const width = link.lanes.reduce((sum, lane) => sum + (lane.width || LANE_WIDTH), 0);
    widest = Math.max(widest, width);
  });
  return 2 * widest;
}

/**
 * The plan with each stage's yellow and all-red set from the ITE formulas: the longest among the
 * signal groups that lose green at the end of the stage. Greens are kept, so the cycle length
 * becomes the sum of the new stage durations; the offset is kept (folded into the new cycle).
 *
 * @example
 * withIteIntergreens(plan, network, signal).stages.map((stage) => stage.yellow) // => [3.7, 3.3]
 */
export function withIteIntergreens(
  plan: TimingPlan,
  network: RoadNetwork,
  signal: Signal,
  options: SignalIntergreenOptions = {},
): TimingPlan {
  const byGroup = groupIntergreens(network, signal, options);
  const stages = plan.stages.map((stage, index) => {
    const next = plan.stages[(index + 1) % plan.stages.length]!;
    const losing = Object.keys(stage.greens).filter((group) => !(group in next.greens));
    const intervals = losing.map((group) => byGroup[group]).filter((value) => value !== undefined);
    if (intervals.length === 0) return stage;
    return {
      ...stage,
      yellow: Math.max(...intervals.map((value) => value.yellow)),
      allRed: Math.max(...intervals.map((value) => value.allRed)),
    };
  });
  const cycleLength = stages.reduce(
    (sum, stage) => sum + stage.green + stage.yellow + stage.allRed,
    0,
  );
  return { ...plan, stages, cycleLength, offset: plan.offset % cycleLength };
}
