// A network of one link between two boundary nodes: enough for the app's routes without an engine.
import { buildNetwork } from '../network/build.ts';
import type { RoadNetwork } from '../network/types.ts';

/** Two boundary nodes 100 m apart and the one-lane link between them, planar coordinates. */
export function oneLinkNetwork(): RoadNetwork {
  return buildNetwork({
    name: 'two-nodes',
    coordinates: 'planar',
    intersections: [
      { id: 'a', kind: 'boundary', position: [0, 0] },
      { id: 'b', kind: 'boundary', position: [100, 0] },
    ],
    links: [
      {
        id: 'ab',
        from: 'a',
        to: 'b',
        lanes: [{ index: 0, length: 100, speedLimit: 10, width: 3.5 }],
      },
    ],
    movements: [],
    signals: [],
  });
}
