// Who a movement yields to: on a permissive green, or by right of way without signals; precomputed.
import { movementsConflict, type MovementPath } from '../src/network/conflicts.ts';
import type { RightOfWay, RoadNetwork, TurnType } from '../src/network/types.ts';
import type { CompiledNetwork } from './compile.ts';

/** Priority among movements that are both permissive: a through movement goes before a right turn, and so on. */
const TURN_RANK: Record<TurnType, number> = { through: 3, right: 2, left: 1, uturn: 0 };

const DEFAULT_GAPS: Record<TurnType, number> = { left: 4.5, uturn: 4.5, through: 4, right: 4 };

/** Rank of a right of way without signals: a minor or stop connection yields to a major one. */
const RIGHT_OF_WAY_RANK: Record<RightOfWay, number> = { major: 2, minor: 1, stop: 1, equal: 1 };

/** For each movement, flat `[other, outranks, …]`: `outranks` is 1 when `other` goes first even when both are permissive. */
export interface YieldTable {
  yieldTo: Int32Array[];
  /** 1 for a movement without a signal that yields by right of way (it drives as on a permissive green). */
  yieldsWithoutSignal: Uint8Array;
  /** Critical gap of each movement, seconds. */
  criticalGap: Float64Array;
}

/**
 * The movements each movement must yield to while its green is permissive: those of the signal
 * groups its own group conflicts with (`Signal.conflicts`), whose paths cross (`movementsConflict`)
 * or merge into a lane they both enter. A protected green of the other movement always wins; when both are
 * permissive the higher turn rank (through, right, left, U-turn; then the lower index) goes first,
 * so two permissive movements never wait for each other.
 *
 * @example
 * yieldTable(network, net).yieldTo[leftTurn] // => Int32Array [opposingThrough, 1, opposingRight, 1]
 */
export function yieldTable(
  network: RoadNetwork,
  net: CompiledNetwork,
  gaps: Partial<Record<TurnType, number>> = {},
): YieldTable {
  const movementCount = net.movementIds.length;
  const indexOf = new Map(net.movementIds.map((id, index) => [id, index]));
  const pairs: number[][] = Array.from({ length: movementCount }, () => []);
  const paths = new Map<number, MovementPath>();
  const pathOf = (movement: number): MovementPath => {
    let path = paths.get(movement);
    if (!path) {
      const spec = network.getAttribute('movements')[net.movementIds[movement]!]!;
      path = {
        id: spec.id,
        intersection: spec.intersection,
        entryLeg: (network.getEdgeAttribute(spec.from, 'arrivalBearing') + 180) % 360,
        exitLeg: network.getEdgeAttribute(spec.to, 'departureBearing'),
        entryLink: spec.from,
        exitLink: spec.to,
        turn: spec.turn,
      };
      paths.set(movement, path);
    }
    return path;
  };
  // Two movements into one link meet only where they share a lane of it (SUMO's rule too).
  const shareLane = (first: number, second: number): boolean => {
    const lanes = new Set(net.movementTargets[first]!.flatMap((targets) => [...targets]));
    return net.movementTargets[second]!.some((targets) => targets.some((lane) => lanes.has(lane)));
  };
  const outranks = (other: number, movement: number): number => {
    const difference = TURN_RANK[net.movementTurn[other]!] - TURN_RANK[net.movementTurn[movement]!];
    return difference > 0 || (difference === 0 && other < movement) ? 1 : 0;
  };
  for (const signal of Object.values(network.getAttribute('signals'))) {
    const groupMovements = new Map(
      signal.signalGroups.map((group) => [
        group.id,
        group.movements.flatMap((id) => {
          const index = indexOf.get(id);
          return index === undefined ? [] : [index];
        }),
      ]),
    );
    for (const { a, b } of signal.conflicts) {
      for (const first of groupMovements.get(a) ?? []) {
        for (const second of groupMovements.get(b) ?? []) {
          const kind = movementsConflict(pathOf(first), pathOf(second));
          if (kind === undefined || (kind === 'merging' && !shareLane(first, second))) continue;
          pairs[first]!.push(second, outranks(second, first));
          pairs[second]!.push(first, outranks(first, second));
        }
      }
    }
  }
  const yieldsWithoutSignal = rightOfWay(network, net, pairs, pathOf, shareLane);
  const gapOf = { ...DEFAULT_GAPS, ...gaps };
  return {
    yieldTo: pairs.map((flat) => Int32Array.from(flat)),
    yieldsWithoutSignal,
    criticalGap: Float64Array.from(net.movementTurn, (turn) => gapOf[turn]),
  };
}

/**
 * Right of way where no signal rules (SUMO priority and right-before-left junctions): a movement
 * without a signal group yields to the movements of the same intersection it crosses or merges
 * with (into a shared lane) whose connections rank higher (major over minor and stop), and an
 * `equal` one to an `equal` one entering from its right. Adds `[other, 1]` to `pairs`; returns which
 * movements yield at all.
 */
function rightOfWay(
  network: RoadNetwork,
  net: CompiledNetwork,
  pairs: number[][],
  pathOf: (movement: number) => MovementPath,
  shareLane: (first: number, second: number) => boolean,
): Uint8Array {
  const yields = new Uint8Array(net.movementIds.length);
  const specs = network.getAttribute('movements');
  const byIntersection = new Map<string, number[]>();
  net.movementIds.forEach((id, movement) => {
    const spec = specs[id]!;
    if (net.movementGroup[movement]! >= 0 || spec.lanes[0]?.priority === undefined) return;
    byIntersection.set(spec.intersection, [
      ...(byIntersection.get(spec.intersection) ?? []),
      movement,
    ]);
  });
  const rightOfWayOf = (movement: number) => specs[net.movementIds[movement]!]!.lanes[0]!.priority!;
  for (const movements of byIntersection.values()) {
    for (const movement of movements) {
      const own = rightOfWayOf(movement);
      for (const other of movements) {
        if (net.movementFrom[other] === net.movementFrom[movement]) continue;
        const theirs = rightOfWayOf(other);
        const first =
          RIGHT_OF_WAY_RANK[theirs] > RIGHT_OF_WAY_RANK[own] ||
          (own === 'equal' && theirs === 'equal' && fromTheRight(pathOf(movement), pathOf(other)));
        if (!first) continue;
        const kind = movementsConflict(pathOf(movement), pathOf(other));
        if (kind === undefined || (kind === 'merging' && !shareLane(movement, other))) continue;
        pairs[movement]!.push(other, 1);
        yields[movement] = 1;
      }
    }
  }
  return yields;
}

/** Whether `other` enters the intersection from the leg to the right of `movement`'s. */
function fromTheRight(movement: MovementPath, other: MovementPath): boolean {
  const turn = (movement.entryLeg - other.entryLeg + 360) % 360;
  return turn > 45 && turn < 135;
}

/**
 * Seconds to cover `distance` metres from `speed`, accelerating at `acceleration` up to
 * `freeSpeed`: the earliest a vehicle can get there, since car following only holds it back.
 *
 * @example
 * timeToCover(50, 0, 2.6, 13.89) // => ≈ 6.3
 */
export function timeToCover(
  distance: number,
  speed: number,
  acceleration: number,
  freeSpeed: number,
): number {
  if (distance <= 0) return 0;
  const start = Math.min(speed, freeSpeed);
  const accelerating = (freeSpeed * freeSpeed - start * start) / (2 * acceleration);
  if (distance <= accelerating) {
    return (Math.sqrt(start * start + 2 * acceleration * distance) - start) / acceleration;
  }
  return (freeSpeed - start) / acceleration + (distance - accelerating) / freeSpeed;
}
