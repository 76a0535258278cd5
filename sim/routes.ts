// A trip's route as link and movement indices, checked against the network.
import type { VehicleTrip } from '../src/demand/types.ts';
import { SimulationError } from './errors.ts';

/**
 * The links of `trip`'s route and the movements joining them, as indices into the compiled
 * network; `caller` names the function in error messages.
 *
 * @throws {SimulationError} `EMPTY_ROUTE`, `UNKNOWN_LINK`, `ROUTE_NOT_CONNECTED`.
 * @example
 * compileRoute('simulate', trip, net.linkOf, net.movementOf, net.linkIds.length) // => [Int32Array [3, 7], Int32Array [12]]
 */
export function compileRoute(
  caller: string,
  trip: VehicleTrip,
  linkOf: ReadonlyMap<string, number>,
  movementOf: ReadonlyMap<number, number>,
  linkCount: number,
): [Int32Array, Int32Array] {
  if (trip.route.length === 0) {
    throw new SimulationError(
      'EMPTY_ROUTE',
      `${caller}: vehicle ${trip.id} has no route; give it at least one link`,
    );
  }
  const route = Int32Array.from(
    trip.route.map((id) => {
      const link = linkOf.get(id);
      if (link === undefined) {
        throw new SimulationError(
          'UNKNOWN_LINK',
          `${caller}: vehicle ${trip.id} uses link ${id}, which is not in the network; route it on this network`,
        );
      }
      return link;
    }),
  );
  const movements = new Int32Array(route.length - 1);
  for (let index = 0; index + 1 < route.length; index++) {
    const movement = movementOf.get(route[index]! * linkCount + route[index + 1]!);
    if (movement === undefined) {
      throw new SimulationError(
        'ROUTE_NOT_CONNECTED',
        `${caller}: vehicle ${trip.id} goes from ${trip.route[index]} to ${trip.route[index + 1]}, which no movement joins; fix its route`,
      );
    }
    movements[index] = movement;
  }
  return [route, movements];
}
