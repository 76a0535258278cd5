// Conflicts between signal groups, from where each movement enters and leaves its intersection.
import { normalizeDegrees } from './geometry.ts';
import type { Conflict, Movement, SignalGroup } from './types.ts';

/** Where a movement meets the intersection: the compass angles of its entry and exit points. */
export interface MovementPath {
  id: string;
  intersection: string;
  /** Bearing from the intersection centre out along the arrival leg. */
  entryLeg: number;
  /** Bearing from the intersection centre out along the departure leg. */
  exitLeg: number;
  entryLink: string;
  exitLink: string;
  turn: Movement['turn'];
}

// Right-hand traffic: arrivals keep to the counter-clockwise side of their leg, departures to the
// clockwise side, so each leg contributes two distinct points on the intersection's circle.
const SIDE = 0.01;

/**
 * True when two movements cannot both move with priority: their paths cross inside the
 * intersection (the chords between entry and exit points interleave on a circle round it), or they
 * merge into the same link. Movements from one approach never conflict with each other.
 *
 * @example
 * // northbound through against eastbound through at a 4-leg crossing
 * movementsConflict(
 *   { id: 'n', intersection: 'J', entryLeg: 180, exitLeg: 0, entryLink: 's_in', exitLink: 'n_out', turn: 'through' },
 *   { id: 'e', intersection: 'J', entryLeg: 270, exitLeg: 90, entryLink: 'w_in', exitLink: 'e_out', turn: 'through' },
 * ) // => 'crossing'
 */
export function movementsConflict(a: MovementPath, b: MovementPath): Conflict['kind'] | undefined {
  if (a.intersection !== b.intersection || a.entryLink === b.entryLink) return undefined;
  if (a.exitLink === b.exitLink) return 'merging';
  if (a.turn === 'uturn' || b.turn === 'uturn') return 'crossing';
  const [a1, a2] = chord(a);
  const [b1, b2] = chord(b);
  return insideArc(a1, a2, b1) !== insideArc(a1, a2, b2) ? 'crossing' : undefined;
}

function chord(path: MovementPath): [number, number] {
  return [normalizeDegrees(path.entryLeg - SIDE), normalizeDegrees(path.exitLeg + SIDE)];
}

/** Whether `angle` lies strictly inside the clockwise arc from `start` to `end`. */
function insideArc(start: number, end: number, angle: number): boolean {
  const span = normalizeDegrees(end - start);
  const offset = normalizeDegrees(angle - start);
  return offset > 0 && offset < span;
}

/**
 * The conflicting pairs among a signal's groups: vehicle groups conflict when any of their
 * movements do; a pedestrian group conflicts with every vehicle group entering or leaving a link
 * it crosses. Each pair appears once, with `a` before `b` in the signal's group order.
 */
export function signalGroupConflicts(
  groups: SignalGroup[],
  paths: ReadonlyMap<string, MovementPath>,
): Conflict[] {
  const conflicts: Conflict[] = [];
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const kind = groupConflict(groups[i]!, groups[j]!, paths);
      if (kind) conflicts.push({ a: groups[i]!.id, b: groups[j]!.id, kind });
    }
  }
  return conflicts;
}

function groupConflict(
  a: SignalGroup,
  b: SignalGroup,
  paths: ReadonlyMap<string, MovementPath>,
): Conflict['kind'] | undefined {
  if (a.kind === 'pedestrian' && b.kind === 'pedestrian') return undefined;
  if (a.kind === 'pedestrian' || b.kind === 'pedestrian') {
    const [walk, drive] = a.kind === 'pedestrian' ? [a, b] : [b, a];
    const crossed = new Set(walk.crosses ?? []);
    const meets = drive.movements.some((id) => {
      const path = paths.get(id);
      return path !== undefined && (crossed.has(path.entryLink) || crossed.has(path.exitLink));
    });
    return meets ? 'crossing' : undefined;
  }
  let found: Conflict['kind'] | undefined;
  for (const idA of a.movements) {
    for (const idB of b.movements) {
      const pathA = paths.get(idA);
      const pathB = paths.get(idB);
      if (!pathA || !pathB) continue;
      const kind = movementsConflict(pathA, pathB);
      if (kind === 'crossing') return kind;
      found ??= kind;
    }
  }
  return found;
}
