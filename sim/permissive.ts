// Who a permissive movement yields to: conflicting movements of conflicting signal groups, precomputed.
import { movementsConflict, type MovementPath } from '../src/network/conflicts.ts';
import type { RoadNetwork, TurnType } from '../src/network/types.ts';
import type { CompiledNetwork } from './compile.ts';

/** Priority among movements that are both permissive: a through movement goes before a right turn, and so on. */
const TURN_RANK: Record<TurnType, number> = { through: 3, right: 2, left: 1, uturn: 0 };

const DEFAULT_GAPS: Record<TurnType, number> = { left: 4.5, uturn: 4.5, through: 4, right: 4 };

/** For each movement, flat `[other, outranks, …]`: `outranks` is 1 when `other` goes first even when both are permissive. */
export interface YieldTable {
  yieldTo: Int32Array[];
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
  const gapOf = { ...DEFAULT_GAPS, ...gaps };
  return {
    yieldTo: pairs.map((flat) => Int32Array.from(flat)),
    criticalGap: Float64Array.from(net.movementTurn, (turn) => gapOf[turn]),
  };
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
