// The jam spacing of a fleet: what the trips say of their vehicles' lengths, SUMO's gap added.
import { DEFAULT_JAM_SPACING } from '../src/analysis/timing-model.ts';
import type { VehicleTrip } from '../src/demand/types.ts';

/** SUMO's default standstill gap behind the vehicle ahead (vType `minGap`), metres. */
export const SUMO_MIN_GAP = 2.5;

/**
 * Metres of lane a standing vehicle takes: the trips' mean vehicle length plus SUMO's `minGap`
 * when every trip gives its length (SUMO route files with a vType `length`), else the default
 * jam spacing (7.5 m, SUMO's default 5 m car with its 2.5 m gap).
 *
 * @example
 * fleetJamSpacing([{ id: 'a', depart: 0, route: ['L1'], vehicleType: 'pkw', pce: 1, length: 4.3 }]) // => 6.8
 * fleetJamSpacing([]) // => 7.5
 */
export function fleetJamSpacing(trips: readonly VehicleTrip[]): number {
  if (trips.length === 0) return DEFAULT_JAM_SPACING;
  let total = 0;
  for (const trip of trips) {
    if (!(trip.length !== undefined && trip.length > 0)) return DEFAULT_JAM_SPACING;
    total += trip.length;
  }
  // To the centimetre, as vehicle lengths are given (the sum of 4,494 × 4.3 m drifts to 6.7999…98;
  // the simulator's room checks tolerate such drift themselves, see `roomNeeded`).
  return Math.round((total / trips.length + SUMO_MIN_GAP) * 100) / 100;
}
