// Lane counts into movement counts: one counting detector per lane, shared lanes split by turning shares.
import type { DetectorMap, MappedDetector } from './detector-map.ts';
import type { DetectorTotals } from './aggregate.ts';

/** A movement's share of each lane it leaves from: lane key → movement → share (sums to 1). */
export type LaneShares = Record<string, Record<string, number>>;

/** Counting preference by detector kind: a dedicated count detector, then the stop line, then advance. */
const KIND_PREFERENCE: Record<MappedDetector['kind'], number> = {
  count: 0,
  stopline: 1,
  advance: 2,
};

/**
 * How each lane's traffic divides among the movements leaving from it. A lane serving one
 * movement gives it all; a shared lane splits by the movements' prior flows per lane (a
 * movement's prior, veh/h, over the number of lanes it leaves from — so a through movement on
 * two lanes weighs half per lane), or equally when a movement of the lane has no prior or all
 * are zero.
 *
 * @example
 * laneShares(map, { 'jinshui-eb-1>jinshui-eb-2': 800, 'jinshui-eb-1>jingsan-sb-out': 100 })['jinshui-eb-1@0']
 * // => { 'jinshui-eb-1>jingsan-sb-out': 0.2, 'jinshui-eb-1>jinshui-eb-2': 0.8 } (through on 2 lanes: 400 per lane)
 */
export function laneShares(map: DetectorMap, prior?: Readonly<Record<string, number>>): LaneShares {
  if (prior === undefined) {
    // Without a prior the shares depend on the map alone: every tick asks, so keep them.
    let equal = equalLaneShares.get(map);
    if (!equal) {
      equal = laneSharesOf(map, undefined);
      equalLaneShares.set(map, equal);
    }
    return equal;
  }
  return laneSharesOf(map, prior);
}

/** Shares without a prior, per map. Callers only read them. */
const equalLaneShares = new WeakMap<DetectorMap, LaneShares>();

function laneSharesOf(map: DetectorMap, prior: Readonly<Record<string, number>> | undefined) {
  const shares: LaneShares = {};
  for (const lane of Object.values(map.lanes)) {
    const { movements } = lane;
    if (movements.length === 0) continue;
    const perLane = movements.map((movement) => {
      const flow = prior?.[movement];
      const lanes = map.movements[movement]?.lanes.length ?? 1;
      return flow !== undefined && Number.isFinite(flow) && flow >= 0 ? flow / lanes : undefined;
    });
    const total = perLane.reduce<number>((sum, flow) => sum + (flow ?? 0), 0);
    const usePrior = perLane.every((flow) => flow !== undefined) && total > 0;
    shares[lane.key] = Object.fromEntries(
      movements.map((movement, index) => [
        movement,
        usePrior ? perLane[index]! / total : 1 / movements.length,
      ]),
    );
  }
  return shares;
}

/**
 * For each lane, the detector whose count stands for the lane: among those with data (`covered`
 * > 0) and not `excluded`, a dedicated count detector first, then a stop-line one, then an
 * advance one (ATSPM practice: turning-movement counts from lane-by-lane count detectors, stop-bar
 * presence loops next, advance loops last), the lowest channel on a tie. Several detectors on one
 * lane never count the same vehicles twice.
 *
 * @example
 * countingDetectors(map, aggregate.detectors)['jinshui-eb-6@1'] // => 'weilai-eb-stopline-1' (not the advance one)
 */
export function countingDetectors(
  map: DetectorMap,
  totals: Readonly<Record<string, Pick<DetectorTotals, 'covered'>>>,
  excluded: ReadonlySet<string> = new Set(),
): Record<string, string> {
  const chosen: Record<string, string> = {};
  for (const lane of Object.values(map.lanes)) {
    let best: MappedDetector | undefined;
    for (const id of lane.detectors) {
      const detector = map.detectors[id]!;
      if (excluded.has(id) || !((totals[id]?.covered ?? 0) > 0)) continue;
      if (!best || preferred(detector, best)) best = detector;
    }
    if (best) chosen[lane.key] = best.id;
  }
  return chosen;
}

/** One movement's counts over one interval, from the lanes it leaves from. */
export interface MovementTotals {
  site: string;
  /** Vehicles, whole: each lane's count apportioned by largest remainder, so counts are conserved. */
  count: number;
  /** veh/h: each lane's part over the seconds that lane's detector covered. */
  flow: number;
  /** Lanes of the movement with a counting detector. */
  measuredLanes: number;
  /** Lanes the movement leaves from. */
  lanes: number;
}

/**
 * Movement counts from one interval's detector totals: each lane's counting detector
 * (`countingDetectors`) gives its count to the movements leaving from the lane by `shares`
 * (`laneShares`), apportioned in whole vehicles by largest remainder. Movements with no measured
 * lane are left out. The movement counts add up exactly to the counting detectors' counts.
 *
 * @example
 * // lane 0 (25 vehicles in 300 s) shares through 0.8 / right 0.2, lane 1 counted 30 in 150 s:
 * movementTotals(map, closed.detectors, { shares: laneShares(map, { 'w_in>ab': 800, 'w_in>a_s': 100 }) })['w_in>ab']
 * // => { site: 'SA', count: 50, flow: 960, measuredLanes: 2, lanes: 2 }
 */
export function movementTotals(
  map: DetectorMap,
  totals: Readonly<Record<string, DetectorTotals>>,
  {
    shares = laneShares(map),
    excluded = new Set<string>(),
  }: { shares?: LaneShares; excluded?: ReadonlySet<string> } = {},
): Record<string, MovementTotals> {
  const result: Record<string, MovementTotals> = {};
  for (const [key, detector] of Object.entries(countingDetectors(map, totals, excluded))) {
    const lane = map.lanes[key]!;
    const { count, covered } = totals[detector]!;
    const laneShare = shares[key] ?? equalShares(lane.movements);
    const parts = apportion(count, lane.movements, laneShare);
    lane.movements.forEach((movement, index) => {
      const mapped = map.movements[movement];
      const entry = (result[movement] ??= {
        site: mapped?.site ?? lane.site,
        count: 0,
        flow: 0,
        measuredLanes: 0,
        lanes: mapped?.lanes.length ?? 1,
      });
      entry.count += parts[index]!;
      entry.flow += (parts[index]! / covered) * 3600;
      entry.measuredLanes += 1;
    });
  }
  return result;
}

/**
 * Splits a whole count by shares into whole parts that add up to it (largest remainder; ties to
 * the earlier movement).
 *
 * @example
 * apportion(10, ['a', 'b', 'c'], { a: 0.5, b: 0.25, c: 0.25 }) // => [5, 3, 2]
 */
export function apportion(
  count: number,
  movements: readonly string[],
  shares: Readonly<Record<string, number>>,
): number[] {
  const exact = movements.map((movement) => count * (shares[movement] ?? 0));
  const parts = exact.map(Math.floor);
  let left = count - parts.reduce((sum, part) => sum + part, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (let i = 0; left > 0 && order.length > 0; i = (i + 1) % order.length, left--) {
    parts[order[i]!.index]! += 1;
  }
  return parts;
}

function equalShares(movements: readonly string[]): Record<string, number> {
  return Object.fromEntries(movements.map((movement) => [movement, 1 / movements.length]));
}

function preferred(candidate: MappedDetector, best: MappedDetector): boolean {
  const byKind = KIND_PREFERENCE[candidate.kind] - KIND_PREFERENCE[best.kind];
  return byKind < 0 || (byKind === 0 && candidate.channel < best.channel);
}
