// A four-leg signalized crossing written as a spec: the shared fixture of the core's unit tests.
import type { LinkSpec, MovementSpec, NetworkSpec, Position } from './types.ts';

const arms: Record<string, Position> = { n: [0, 200], e: [200, 0], s: [0, -200], w: [-200, 0] };

/** A four-leg signalized crossing at the origin; each arm has an inbound and an outbound link. */
export function crossingSpec(): NetworkSpec {
  const lane = (index: number) => ({ index, length: 200, speedLimit: 13.89, width: 3.6 });
  const links: LinkSpec[] = Object.keys(arms).flatMap((arm) => [
    { id: `${arm}_in`, from: arm, to: 'C', lanes: [lane(0), lane(1)] },
    { id: `${arm}_out`, from: 'C', to: arm, lanes: [lane(0), lane(1)] },
  ]);
  const movements: MovementSpec[] = [];
  for (const from of Object.keys(arms)) {
    for (const to of Object.keys(arms)) {
      if (from === to) continue;
      movements.push({
        from: `${from}_in`,
        to: `${to}_out`,
        lanes: [{ fromLane: 0, toLane: 0 }],
        signal: 'C',
        signalGroup: `${from}${to}`,
      });
    }
  }
  return {
    name: 'crossing',
    coordinates: 'planar',
    source: 'crossing.json',
    intersections: [
      { id: 'C', kind: 'signalized', position: [0, 0] },
      ...Object.entries(arms).map(([id, position]) => ({
        id,
        kind: 'boundary' as const,
        position,
      })),
    ],
    links,
    movements,
    signals: [
      {
        id: 'C',
        intersections: ['C'],
        signalGroups: movements.map((movement) => ({ id: movement.signalGroup! })),
      },
    ],
  };
}
