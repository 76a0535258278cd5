// The virtual field's vehicles: drawn from a day of turning counts window by window, day after day.
import { routesFromTurns } from '../demand/routes-from-turns.ts';
import type { TurningFlows, VehicleTrip } from '../demand/types.ts';
import type { RoadNetwork } from '../network/types.ts';

/** Seconds in a day: the counts' clock starts again at midnight. */
export const DAY = 86_400;

/**
 * Routed vehicles departing in `[begin, end)` of the simulation's clock (seconds since midnight of
 * its first day, so past 86 400 on the next days), drawn from `day` (one day of counts, seconds
 * since midnight) by `routesFromTurns` with Poisson arrivals: each day repeats the counts, each
 * draw its own vehicles. Ids are `{begin}/{routesFromTurns id}`, unique across windows that do not
 * overlap. A window the counts do not cover gives no vehicles.
 *
 * @throws {RangeError} when the window is empty, or a flow names a movement the network lacks.
 * @example
 * tripsFromCounts(network, day, { begin: 27000, end: 27900, rng: seededRandom(1) })[0];
 * // => { id: '27000/jinshui-eb-0.0', depart: 27003.1…, route: ['jinshui-eb-0', …], … }
 * tripsFromCounts(network, day, { begin: DAY + 27000, end: DAY + 27900, rng })[0].depart; // => 113403.…
 */
export function tripsFromCounts(
  network: RoadNetwork,
  day: TurningFlows,
  { begin, end, rng }: { begin: number; end: number; rng: () => number },
): VehicleTrip[] {
  if (!(end > begin)) {
    throw new RangeError(
      `tripsFromCounts: the window [${begin}, ${end}) is empty; give end > begin`,
    );
  }
  const trips: VehicleTrip[] = [];
  for (let from = begin; from < end;) {
    const midnight = (Math.floor(from / DAY) + 1) * DAY;
    const to = Math.min(end, midnight);
    const shift = midnight - DAY;
    const window = { begin: Math.max(from - shift, day.begin), end: Math.min(to - shift, day.end) };
    if (window.end > window.begin) {
      const drawn = routesFromTurns(network, day, { rng, ...window });
      for (const trip of drawn) {
        trips.push({ ...trip, id: `${from}/${trip.id}`, depart: trip.depart + shift });
      }
    }
    from = to;
  }
  return trips;
}
