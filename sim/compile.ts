// The road network flattened into typed arrays for the hot loop: links, lanes, movements, signals.
import type { RoadNetwork, SignalGroup, TurnType } from '../src/network/types.ts';
import { crossingClearance } from '../src/timing/clearance.ts';
import type { ControlledGroup } from './signal-control.ts';

/** One signal as the simulator runs it: every signal group gets a colour slot. */
export interface CompiledSignal {
  id: string;
  /**
   * Signal groups with their colour slot, hi-res parameter (`SignalGroup.index + 1`) and, for a
   * pedestrian group with a crossing length, its walk and clearance (seconds).
   */
  groups: ControlledGroup[];
  /** Movements the signal controls, by index. */
  movements: number[];
}

/** The network as the simulator sees it. Lanes are numbered globally; `laneIndex` is 0 = rightmost. */
export interface CompiledNetwork {
  linkIds: string[];
  linkOf: Map<string, number>;
  linkLength: Float64Array;
  /** First global lane of each link; a link's lanes are consecutive. */
  linkFirstLane: Int32Array;
  linkLaneCount: Int32Array;
  laneLink: Int32Array;
  laneIndex: Int32Array;
  /** Free-flow speed of each lane (its limit, the reference for time lost), m/s. */
  laneSpeed: Float64Array;
  /** The speed drivers keep on a free lane: the limit less the mean dawdling, m/s. */
  laneCruiseSpeed: Float64Array;
  /** Newell's time lag τ of each lane, in steps: from the saturation headway and the jam spacing. */
  laneLagSteps: Float64Array;
  laneSaturationFlow: Float64Array;
  movementIds: string[];
  /**
   * `from * linkCount + to` → the movement a route names for that pair of links: the first of them
   * when the source splits the pair into several movements (a SUMO movement per link index).
   */
  movementOf: Map<number, number>;
  /**
   * For each movement and each lane index of its approach: the movement of the same pair of links
   * that owns that lane (its signal group, its conflicts, its counters), −1 when none does.
   */
  laneOwner: Int32Array[];
  /** Colour slot of each movement's signal group, −1 when it has no signal. */
  movementGroup: Int32Array;
  /** Signal index (in `signals`) of each movement, −1 when it has none. */
  movementSignalIndex: Int32Array;
  movementFrom: Int32Array;
  movementTo: Int32Array;
  movementTurn: TurnType[];
  /** For each movement, the global lanes of its approach that have a connection. */
  movementFromGlobal: Int32Array[];
  /** For each movement and each lane index of its approach: the global lanes it may enter. */
  movementTargets: Int32Array[][];
  /** For each movement, the lane indices of its approach that have a connection, ascending. */
  movementFromLanes: Int32Array[];
  /**
   * As `movementTargets`, over all movements of the same pair of links: the lanes a vehicle routed
   * from one link to the other may use, whichever of the split movements owns them.
   */
  routeTargets: Int32Array[][];
  /** As `movementFromLanes`, over all movements of the same pair of links. */
  routeFromLanes: Int32Array[];
  movementSignal: (string | undefined)[];
  movementSignalGroup: (string | undefined)[];
  signals: CompiledSignal[];
  signalOf: Map<string, number>;
  /** Number of colour slots (signal groups of all signals). */
  slotCount: number;
}

/**
 * Flattens `network` for the simulator. Newell's lag per lane is τ = 3600 / saturationFlow − jamSpacing
 * / speedLimit, so that a queue discharges at the lane's saturation flow; τ is kept at least one
 * step (the update reads only the leader's past), which caps a lane at 3600 / (step + jamSpacing /
 * speed) veh/h when its saturation flow is higher than that. Every signal group of every signal
 * gets a colour slot, and a movement naming a group its signal does not list gets one too.
 *
 * @example
 * compileNetwork(network, { step: 0.5, jamSpacing: 7.5 }).laneLagSteps // => Float64Array [2.3, …]
 */
export function compileNetwork(
  network: RoadNetwork,
  { step, jamSpacing, dawdling = 0 }: { step: number; jamSpacing: number; dawdling?: number },
): CompiledNetwork {
  const linkIds = network.edges();
  const linkOf = new Map(linkIds.map((id, index) => [id, index]));
  const linkLength = new Float64Array(linkIds.length);
  const linkFirstLane = new Int32Array(linkIds.length);
  const linkLaneCount = new Int32Array(linkIds.length);
  const laneLink: number[] = [];
  const laneIndex: number[] = [];
  const laneSpeed: number[] = [];
  const laneCruiseSpeed: number[] = [];
  const laneLagSteps: number[] = [];
  const laneSaturationFlow: number[] = [];
  linkIds.forEach((id, link) => {
    const attributes = network.getEdgeAttributes(id);
    linkLength[link] = attributes.length;
    linkFirstLane[link] = laneLink.length;
    const lanes = [...attributes.lanes].sort((a, b) => a.index - b.index);
    linkLaneCount[link] = lanes.length;
    lanes.forEach((lane, index) => {
      const speed = lane.speedLimit > 0 ? lane.speedLimit : attributes.speedLimit;
      const cruise = speed - Math.min(dawdling, speed / 2);
      const lag = 3600 / lane.saturationFlow - jamSpacing / cruise;
      laneLink.push(link);
      laneIndex.push(index);
      laneSpeed.push(speed);
      laneCruiseSpeed.push(cruise);
      laneLagSteps.push(Math.max(1, lag / step));
      laneSaturationFlow.push(lane.saturationFlow);
    });
  });

  const signals: CompiledSignal[] = [];
  const signalOf = new Map<string, number>();
  const slotOf = new Map<string, number>();
  let slotCount = 0;
  const signalIndex = (id: string): number => {
    let index = signalOf.get(id);
    if (index === undefined) {
      index = signals.length;
      signalOf.set(id, index);
      const groups = (network.getAttribute('signals')[id]?.signalGroups ?? []).map((group) => ({
        id: group.id,
        slot: slotCount++,
        param: group.index + 1,
        ...pedestrianGreen(group),
      }));
      for (const group of groups) slotOf.set(`${id}\u0000${group.id}`, group.slot);
      signals.push({ id, groups, movements: [] });
    }
    return index;
  };
  for (const id of Object.keys(network.getAttribute('signals'))) signalIndex(id);
  const movements = Object.values(network.getAttribute('movements'));
  const movementOf = new Map<number, number>();
  const movementGroup = new Int32Array(movements.length).fill(-1);
  const movementSignalIndex = new Int32Array(movements.length).fill(-1);
  const movementTargets: Int32Array[][] = [];
  const movementFromLanes: Int32Array[] = [];
  const pairMovements = new Map<number, number[]>();
  movements.forEach((movement, index) => {
    const from = linkOf.get(movement.from)!;
    const to = linkOf.get(movement.to)!;
    const pair = from * linkIds.length + to;
    if (!movementOf.has(pair)) movementOf.set(pair, index);
    pairMovements.set(pair, [...(pairMovements.get(pair) ?? []), index]);
    if (movement.signal !== undefined && movement.signalGroup !== undefined) {
      const signal = signals[signalIndex(movement.signal)]!;
      const key = `${movement.signal}\u0000${movement.signalGroup}`;
      let slot = slotOf.get(key);
      if (slot === undefined) {
        slot = slotCount++;
        slotOf.set(key, slot);
        signal.groups.push({ id: movement.signalGroup, slot, param: signal.groups.length + 1 });
      }
      movementGroup[index] = slot;
      movementSignalIndex[index] = signalOf.get(movement.signal)!;
      signal.movements.push(index);
    }
    const targets: number[][] = Array.from({ length: linkLaneCount[from]! }, () => []);
    for (const { fromLane, toLane } of movement.lanes) {
      if (fromLane < targets.length && toLane < linkLaneCount[to]!) {
        targets[fromLane]!.push(linkFirstLane[to]! + toLane);
      }
    }
    movementTargets.push(targets.map((lanes) => Int32Array.from(lanes)));
    movementFromLanes.push(
      Int32Array.from(targets.flatMap((lanes, lane) => (lanes.length > 0 ? [lane] : []))),
    );
  });
  const movementFrom = Int32Array.from(movements, (movement) => linkOf.get(movement.from)!);
  const { laneOwner, routeTargets, routeFromLanes } = splitMovements(
    pairMovements,
    movementTargets,
    movements.length,
  );
  return {
    linkIds,
    linkOf,
    linkLength,
    linkFirstLane,
    linkLaneCount,
    laneLink: Int32Array.from(laneLink),
    laneIndex: Int32Array.from(laneIndex),
    laneSpeed: Float64Array.from(laneSpeed),
    laneCruiseSpeed: Float64Array.from(laneCruiseSpeed),
    laneLagSteps: Float64Array.from(laneLagSteps),
    laneSaturationFlow: Float64Array.from(laneSaturationFlow),
    movementIds: movements.map((movement) => movement.id),
    movementOf,
    laneOwner,
    movementGroup,
    movementSignalIndex,
    movementFrom,
    movementTo: Int32Array.from(movements, (movement) => linkOf.get(movement.to)!),
    movementTurn: movements.map((movement) => movement.turn),
    movementFromGlobal: movementFromLanes.map((lanes, movement) =>
      lanes.map((lane) => linkFirstLane[movementFrom[movement]!]! + lane),
    ),
    movementTargets,
    movementFromLanes,
    routeTargets,
    routeFromLanes,
    movementSignal: movements.map((movement) => movement.signal),
    movementSignalGroup: movements.map((movement) => movement.signalGroup),
    signals,
    signalOf,
    slotCount,
  };
}

/**
 * SUMO splits one pair of links into a movement per link index (`a>b@6`, `a>b@7`), each with its
 * own lanes and signal group. A vehicle routed from `a` to `b` may use the lanes of all of them:
 * its lane choice reads the union, and each lane answers to the movement that owns it.
 */
function splitMovements(
  pairMovements: ReadonlyMap<number, number[]>,
  movementTargets: Int32Array[][],
  movementCount: number,
): Pick<CompiledNetwork, 'laneOwner' | 'routeTargets' | 'routeFromLanes'> {
  const laneOwner: Int32Array[] = new Array<Int32Array>(movementCount);
  const routeTargets: Int32Array[][] = new Array<Int32Array[]>(movementCount);
  const routeFromLanes: Int32Array[] = new Array<Int32Array>(movementCount);
  for (const siblings of pairMovements.values()) {
    const laneCount = movementTargets[siblings[0]!]!.length;
    const union: number[][] = Array.from({ length: laneCount }, () => []);
    const owners: number[][] = Array.from({ length: laneCount }, () => []);
    for (const sibling of siblings) {
      movementTargets[sibling]!.forEach((targets, lane) => {
        if (targets.length > 0) owners[lane]!.push(sibling);
        for (const target of targets) if (!union[lane]!.includes(target)) union[lane]!.push(target);
      });
    }
    const targets = union.map((lanes) => Int32Array.from(lanes.sort((a, b) => a - b)));
    const fromLanes = Int32Array.from(
      union.flatMap((lanes, lane) => (lanes.length > 0 ? [lane] : [])),
    );
    for (const movement of siblings) {
      // A lane two split movements share answers to the movement asking, when it is one of them.
      laneOwner[movement] = Int32Array.from(owners, (candidates) =>
        candidates.length === 0 ? -1 : candidates.includes(movement) ? movement : candidates[0]!,
      );
      routeTargets[movement] = targets;
      routeFromLanes[movement] = fromLanes;
    }
  }
  return { laneOwner, routeTargets, routeFromLanes };
}

/** A pedestrian group's mark, with its walk and clearance when it has a crossing length (as `validatePlan`). */
function pedestrianGreen(group: SignalGroup): { pedestrian?: true; pedestrianGreen?: number } {
  if (group.kind !== 'pedestrian') return {};
  const total = crossingClearance(group.crossingLength)?.total;
  return total === undefined ? { pedestrian: true } : { pedestrian: true, pedestrianGreen: total };
}
