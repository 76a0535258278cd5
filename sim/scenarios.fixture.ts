// Small scenarios shared by the simulator's tests: trips and two-stage plans on one signal.
import type { VehicleTrip } from '../src/demand/types.ts';
import type { TimingPlan } from '../src/timing/types.ts';

/** A car on `route` departing at `depart`. */
export function trip(id: string, depart: number, route: string[]): VehicleTrip {
  return { id, depart, route, vehicleType: 'car', pce: 1 };
}

/**
 * Two stages on one signal: `first` green for `firstGreen` s, then `second`; yellow 3, all-red 2,
 * minimum green 5; every green protected unless named in `permissive`.
 */
export function twoStagePlan(
  signal: string,
  first: string[],
  firstGreen: number,
  second: string[],
  secondGreen: number,
  { offset = 0, permissive = [] }: { offset?: number; permissive?: string[] } = {},
): TimingPlan {
  const stage = (id: string, groups: string[], green: number) => ({
    id,
    greens: Object.fromEntries(
      groups.map((group) => [
        group,
        permissive.includes(group) ? ('permissive' as const) : ('protected' as const),
      ]),
    ),
    green,
    yellow: 3,
    allRed: 2,
    minGreen: 5,
  });
  return {
    id: `${signal}-${firstGreen}-${secondGreen}-${offset}`,
    signal,
    cycleLength: firstGreen + secondGreen + 10,
    offset,
    offsetReference: 'first-stage-green-start',
    stages: [stage('first', first, firstGreen), stage('second', second, secondGreen)],
  };
}
