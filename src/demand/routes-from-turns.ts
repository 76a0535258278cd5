// Vehicles with routes from turning-movement flows: entering flows at the boundary, turning shares inside.
import { freeFlowTime } from '../network/routing.ts';
import type { RoadNetwork } from '../network/types.ts';
import type { TurningFlows, VehicleTrip } from './types.ts';

/** `poisson`: random arrivals (exponential headways); `uniform`: evenly spaced departures. */
export type DepartureSpacing = 'poisson' | 'uniform';

export interface RoutesFromTurnsOptions {
  /** Uniform random numbers in [0, 1), seeded by the caller (`seededRandom`), so runs repeat. */
  rng: () => number;
  /** How departures are spread over each count interval; default `poisson`. */
  departures?: DepartureSpacing;
  /** Window, seconds of the flows' clock; default the flows' own. Intervals are clipped to it. */
  begin?: number;
  end?: number;
  /** Vehicle type id written on every vehicle; default `car`. */
  vehicleType?: string;
  /** SUMO vClass; default `passenger`. */
  vehicleClass?: string;
  /** Passenger car equivalents per vehicle; default 1. */
  pce?: number;
  /** A route ends after this many links, so a vehicle cannot circle for ever; default 100. */
  maxLinks?: number;
}

/** Vehicles per exit link out of one link in one interval. */
type TurnTable = Map<string, Map<string, number>>;

interface CountInterval {
  begin: number;
  end: number;
  turns: TurnTable;
}

/**
 * Routed vehicles that reproduce turning-movement flows. Vehicles enter on the links leaving a
 * boundary intersection, as many per count interval as the movements out of that link counted in
 * it (scaled where the window clips the interval), departing in that interval: Poisson arrivals
 * (exponential headways at the interval's rate, so the number varies as real counts do) or evenly
 * spaced (the k-th vehicle when the running count passes k + ½, so totals carry over between
 * intervals and equal the counts to within one vehicle). At each stop line a vehicle picks its next
 * link with the shares of the movement flows out of its link in the interval in which it reaches
 * that stop line at free-flow speed (the whole window's shares when that interval counted none);
 * it leaves the network on a link with no counted movements out, or after `maxLinks` links.
 *
 * Counts on inner approaches act only through their shares: flow into the network comes from the
 * boundary, so inner movements get what upstream turns send them, which equals their counts only
 * when the counts conserve flow. Vehicles are sorted by departure; ids are `<entry link>.<n>`.
 *
 * @throws {RangeError} when a flow names a movement the network does not have, or the window is empty.
 * @example
 * // Jinshui Road, counts of 07:30–08:30 (`loadDemand(…, { begin: 27000, end: 30600 }).flows`)
 * routesFromTurns(network, flows, { rng: seededRandom(1), departures: 'uniform' })[0]
 * // => { id: 'jinshui-eb-0.0', depart: 27001.58…, route: ['jinshui-eb-0', 'jinshui-eb-1',
 * //      'jingsan-nb-out'], vehicleType: 'car', vehicleClass: 'passenger', pce: 1 }
 */
export function routesFromTurns(
  network: RoadNetwork,
  flows: TurningFlows,
  options: RoutesFromTurnsOptions,
): VehicleTrip[] {
  const { rng, departures = 'poisson', begin = flows.begin, end = flows.end } = options;
  if (!(end > begin)) {
    throw new RangeError(
      `routesFromTurns: the window [${begin}, ${end}) is empty. Give end > begin.`,
    );
  }
  const intervals = countIntervals(network, flows, begin, end);
  const whole = totalTurns(intervals);
  const entries = network.filterEdges(
    (_link, _attributes, source) => network.getNodeAttribute(source, 'kind') === 'boundary',
  );
  const vehicles: VehicleTrip[] = [];
  for (const entry of entries) {
    const times = departureTimes(entry, intervals, departures, rng);
    times.forEach((depart, index) => {
      vehicles.push({
        id: `${entry}.${index}`,
        depart,
        route: routeFrom(network, entry, depart, intervals, whole, options),
        vehicleType: options.vehicleType ?? 'car',
        vehicleClass: options.vehicleClass ?? 'passenger',
        pce: options.pce ?? 1,
      });
    });
  }
  return vehicles.sort((a, b) => a.depart - b.depart || compareText(a.id, b.id));
}

// ---- counts -----------------------------------------------------------------------------------

/** The count intervals inside the window, in time order, with vehicles per link pair. */
function countIntervals(
  network: RoadNetwork,
  flows: TurningFlows,
  begin: number,
  end: number,
): CountInterval[] {
  const movements = network.getAttribute('movements');
  const byBegin = new Map<number, CountInterval>();
  for (const flow of flows.flows) {
    const movement = movements[flow.movement];
    if (!movement) {
      throw new RangeError(
        `routesFromTurns: flow of movement "${flow.movement}", which the network does not have. Give flows of this network's movements.`,
      );
    }
    const clippedBegin = Math.max(flow.begin, begin);
    const clippedEnd = Math.min(flow.end, end);
    if (!(clippedEnd > clippedBegin)) continue;
    const share = (clippedEnd - clippedBegin) / (flow.end - flow.begin);
    let interval = byBegin.get(clippedBegin);
    if (!interval) {
      interval = { begin: clippedBegin, end: clippedEnd, turns: new Map() };
      byBegin.set(clippedBegin, interval);
    }
    addTurn(interval.turns, movement.from, movement.to, flow.vehicles * share);
  }
  return [...byBegin.values()].sort((a, b) => a.begin - b.begin);
}

function addTurn(turns: TurnTable, from: string, to: string, vehicles: number): void {
  let exits = turns.get(from);
  if (!exits) turns.set(from, (exits = new Map()));
  exits.set(to, (exits.get(to) ?? 0) + vehicles);
}

function totalTurns(intervals: CountInterval[]): TurnTable {
  const total: TurnTable = new Map();
  for (const { turns } of intervals) {
    for (const [from, exits] of turns) {
      for (const [to, vehicles] of exits) addTurn(total, from, to, vehicles);
    }
  }
  return total;
}

function vehiclesOutOf(turns: TurnTable, link: string): number {
  let total = 0;
  for (const vehicles of turns.get(link)?.values() ?? []) total += vehicles;
  return total;
}

// ---- departures -------------------------------------------------------------------------------

function departureTimes(
  entry: string,
  intervals: CountInterval[],
  spacing: DepartureSpacing,
  rng: () => number,
): number[] {
  const times: number[] = [];
  let carried = 0;
  for (const { begin, end, turns } of intervals) {
    const count = vehiclesOutOf(turns, entry);
    if (count <= 0) continue;
    const duration = end - begin;
    if (spacing === 'poisson') {
      const headway = duration / count;
      for (let time = begin - headway * Math.log(1 - rng()); time < end;) {
        times.push(time);
        time -= headway * Math.log(1 - rng());
      }
    } else {
      // The k-th vehicle leaves when the running count, `carried` at `begin`, reaches k + 1/2.
      for (let k = Math.ceil(carried - 0.5); k + 0.5 < carried + count; k++) {
        times.push(begin + ((k + 0.5 - carried) / count) * duration);
      }
      carried += count;
    }
  }
  return times;
}

// ---- routes -----------------------------------------------------------------------------------

function routeFrom(
  network: RoadNetwork,
  entry: string,
  depart: number,
  intervals: CountInterval[],
  whole: TurnTable,
  { rng, maxLinks = 100 }: RoutesFromTurnsOptions,
): string[] {
  const route = [entry];
  let time = depart;
  for (let link = entry; route.length < maxLinks;) {
    time += freeFlowTime(network, link);
    const turns = intervalAt(intervals, time).turns;
    const exits = vehiclesOutOf(turns, link) > 0 ? turns.get(link) : whole.get(link);
    const next = exits ? pick(exits, rng) : undefined;
    if (next === undefined) break;
    route.push(next);
    link = next;
  }
  return route;
}

/** The interval holding `time`; the first or last one for times outside the window. */
function intervalAt(intervals: CountInterval[], time: number): CountInterval {
  let chosen = intervals[0]!;
  for (const interval of intervals) {
    if (interval.begin > time) break;
    chosen = interval;
  }
  return chosen;
}

/** An exit link drawn with probability proportional to its vehicles; none when all are zero. */
function pick(exits: Map<string, number>, rng: () => number): string | undefined {
  let total = 0;
  for (const vehicles of exits.values()) total += vehicles;
  if (!(total > 0)) return undefined;
  let draw = rng() * total;
  let last: string | undefined;
  for (const [link, vehicles] of exits) {
    if (vehicles <= 0) continue;
    last = link;
    draw -= vehicles;
    if (draw < 0) return link;
  }
  return last;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
