// The road network and plans flattened into typed arrays for the hot loop: links, lanes, movements.
import type { RoadNetwork } from '../src/network/types.ts';
import type { TimingPlan } from '../src/timing/types.ts';
import { SimulationError } from './errors.ts';
import { groupSchedule, type GroupSchedule } from './signal-states.ts';

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
  /** Free-flow speed of each lane, m/s. */
  laneSpeed: Float64Array;
  /** Newell's time lag τ of each lane, in steps: from the saturation headway and the jam spacing. */
  laneLagSteps: Float64Array;
  laneSaturationFlow: Float64Array;
  movementIds: string[];
  /** `from * linkCount + to` → movement index. */
  movementOf: Map<number, number>;
  /** Signal-group schedule index of each movement, −1 when it has no signal. */
  movementGroup: Int32Array;
  /** For each movement and each lane index of its approach: the global lanes it may enter. */
  movementTargets: Int32Array[][];
  /** For each movement, the lane indices of its approach that have a connection, ascending. */
  movementFromLanes: Int32Array[];
  movementSignal: (string | undefined)[];
  movementSignalGroup: (string | undefined)[];
  groups: GroupSchedule[];
}

/**
 * Flattens `network` for `simulate`. Newell's lag per lane is τ = 3600 / saturationFlow − jamSpacing
 * / speedLimit, so that a queue discharges at the lane's saturation flow; τ is kept at least one
 * step (the update reads only the leader's past), which caps a lane at 3600 / (step + jamSpacing /
 * speed) veh/h when its saturation flow is higher than that.
 *
 * @throws {SimulationError} `MISSING_PLAN` when a signal that controls a movement has no plan.
 */
export function compileNetwork(
  network: RoadNetwork,
  plans: Readonly<Record<string, TimingPlan>>,
  { step, jamSpacing }: { step: number; jamSpacing: number },
): CompiledNetwork {
  const linkIds = network.edges();
  const linkOf = new Map(linkIds.map((id, index) => [id, index]));
  const linkLength = new Float64Array(linkIds.length);
  const linkFirstLane = new Int32Array(linkIds.length);
  const linkLaneCount = new Int32Array(linkIds.length);
  const laneLink: number[] = [];
  const laneIndex: number[] = [];
  const laneSpeed: number[] = [];
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
      const lag = 3600 / lane.saturationFlow - jamSpacing / speed;
      laneLink.push(link);
      laneIndex.push(index);
      laneSpeed.push(speed);
      laneLagSteps.push(Math.max(1, lag / step));
      laneSaturationFlow.push(lane.saturationFlow);
    });
  });

  const groupOf = new Map<string, number>();
  const groups: GroupSchedule[] = [];
  const signals = network.getAttribute('signals');
  const movements = Object.values(network.getAttribute('movements'));
  const movementOf = new Map<number, number>();
  const movementGroup = new Int32Array(movements.length);
  const movementTargets: Int32Array[][] = [];
  const movementFromLanes: Int32Array[] = [];
  movements.forEach((movement, index) => {
    const from = linkOf.get(movement.from)!;
    const to = linkOf.get(movement.to)!;
    movementOf.set(from * linkIds.length + to, index);
    movementGroup[index] = -1;
    if (movement.signal !== undefined && movement.signalGroup !== undefined) {
      const key = `${movement.signal}\u0000${movement.signalGroup}`;
      let group = groupOf.get(key);
      if (group === undefined) {
        const plan = plans[movement.signal] ?? signals[movement.signal]?.programs[0];
        if (!plan) {
          throw new SimulationError(
            'MISSING_PLAN',
            `simulate: signal ${movement.signal} has no plan; pass one in plans["${movement.signal}"] or load a network with its programs`,
          );
        }
        group = groups.length;
        groups.push(groupSchedule(plan, movement.signalGroup));
        groupOf.set(key, group);
      }
      movementGroup[index] = group;
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
  return {
    linkIds,
    linkOf,
    linkLength,
    linkFirstLane,
    linkLaneCount,
    laneLink: Int32Array.from(laneLink),
    laneIndex: Int32Array.from(laneIndex),
    laneSpeed: Float64Array.from(laneSpeed),
    laneLagSteps: Float64Array.from(laneLagSteps),
    laneSaturationFlow: Float64Array.from(laneSaturationFlow),
    movementIds: movements.map((movement) => movement.id),
    movementOf,
    movementGroup,
    movementTargets,
    movementFromLanes,
    movementSignal: movements.map((movement) => movement.signal),
    movementSignalGroup: movements.map((movement) => movement.signalGroup),
    groups,
  };
}
