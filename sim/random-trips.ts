// Random trips between a network's boundary links, for tests and benchmarks of the simulator.
import { fastestRoute, successors } from '../src/network/routing.ts';
import type { RoadNetwork } from '../src/network/types.ts';
import type { VehicleTrip } from '../src/demand/types.ts';

export interface RandomTripsOptions {
  /** Vehicles per hour entering on each entry link (Poisson arrivals). */
  flowPerEntry: number;
  begin: number;
  end: number;
  rng: () => number;
}

/**
 * Trips from every link that starts at a boundary to a random link that ends at one (not straight
 * back), routed by free-flow time, departing as a Poisson process of `flowPerEntry` veh/h per entry.
 *
 * @example
 * randomTrips(network, { flowPerEntry: 300, begin: 0, end: 3600, rng: seededRandom(1) }).length // ≈ 300 × entries
 */
export function randomTrips(
  network: RoadNetwork,
  { flowPerEntry, begin, end, rng }: RandomTripsOptions,
): VehicleTrip[] {
  const isBoundary = (node: string) => network.getNodeAttribute(node, 'kind') === 'boundary';
  const entries = network.filterEdges((_, __, source) => isBoundary(source));
  const exits = network.filterEdges((_, __, ___, target) => isBoundary(target));
  const next = successors(network);
  const routes = new Map<string, string[] | undefined>();
  const trips: VehicleTrip[] = [];
  for (const entry of entries) {
    const back = exits.filter((exit) => network.target(exit) !== network.source(entry));
    for (let time = begin - (Math.log(1 - rng()) * 3600) / flowPerEntry; time < end;) {
      const exit = back[Math.floor(rng() * back.length)]!;
      const key = `${entry} ${exit}`;
      if (!routes.has(key)) routes.set(key, fastestRoute(network, next, entry, exit));
      const route = routes.get(key);
      if (route) {
        trips.push({
          id: `${entry}#${trips.length}`,
          depart: time,
          route,
          vehicleType: 'car',
          pce: 1,
        });
      }
      time -= (Math.log(1 - rng()) * 3600) / flowPerEntry;
    }
  }
  return trips.sort((a, b) => a.depart - b.depart);
}
