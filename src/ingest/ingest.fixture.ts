// Two signalized crossings as a spec, detectors on some approaches only: the ingest tests' network.
import { buildNetwork } from '../network/build.ts';
import type { MovementSpec, NetworkSpec, RoadNetwork } from '../network/types.ts';

const lane = (index: number) => ({ index, length: 200, speedLimit: 13.89, width: 3.6 });
const lanes = (count: number) => Array.from({ length: count }, (_, index) => lane(index));

/**
 * A (signal SA) and B (signal SB) on an east–west street:
 * - `w_in` enters A on 3 lanes: lane 0 right (to `a_s`) and through (to `ab`), lane 1 through,
 *   lane 2 left (to `a_n`); stop-line detectors `w-0`, `w-1`, `w-2` and an advance `w-adv-1`;
 * - `n_in` enters A on 1 lane shared by a left (to `ab`) and a right (to `a_w`): no detector;
 * - `ba` enters A on 2 lanes, through to `a_w`: a detector `ba-0` on lane 0 only;
 * - `ab` and `e_in` enter B on 2 lanes each, through: no detector at B (so B gets implied ones);
 * - `a_w` leaves A for the boundary: a detector `exit-0` there belongs to no site.
 */
export function twoCrossingsSpec(): NetworkSpec {
  const movements: MovementSpec[] = [
    {
      from: 'w_in',
      to: 'a_s',
      lanes: [{ fromLane: 0, toLane: 0 }],
      signal: 'SA',
      signalGroup: 'WT',
    },
    {
      from: 'w_in',
      to: 'ab',
      lanes: [
        { fromLane: 0, toLane: 0 },
        { fromLane: 1, toLane: 1 },
      ],
      signal: 'SA',
      signalGroup: 'WT',
    },
    {
      from: 'w_in',
      to: 'a_n',
      lanes: [{ fromLane: 2, toLane: 0 }],
      signal: 'SA',
      signalGroup: 'WL',
    },
    { from: 'n_in', to: 'ab', lanes: [{ fromLane: 0, toLane: 1 }], signal: 'SA', signalGroup: 'N' },
    {
      from: 'n_in',
      to: 'a_w',
      lanes: [{ fromLane: 0, toLane: 0 }],
      signal: 'SA',
      signalGroup: 'N',
    },
    {
      from: 'ba',
      to: 'a_w',
      lanes: [
        { fromLane: 0, toLane: 0 },
        { fromLane: 1, toLane: 1 },
      ],
      signal: 'SA',
      signalGroup: 'ET',
    },
    {
      from: 'ab',
      to: 'b_e',
      lanes: [
        { fromLane: 0, toLane: 0 },
        { fromLane: 1, toLane: 1 },
      ],
      signal: 'SB',
      signalGroup: 'WT',
    },
    {
      from: 'e_in',
      to: 'ba',
      lanes: [
        { fromLane: 0, toLane: 0 },
        { fromLane: 1, toLane: 1 },
      ],
      signal: 'SB',
      signalGroup: 'ET',
    },
  ];
  const stopLine = (id: string, link: string, laneIndex: number) => ({
    id,
    link,
    lane: laneIndex,
    position: 198,
    length: 2,
    kind: 'stopline' as const,
  });
  return {
    name: 'two crossings',
    coordinates: 'planar',
    source: 'two-crossings.json',
    intersections: [
      { id: 'A', kind: 'signalized', position: [0, 0] },
      { id: 'B', kind: 'signalized', position: [300, 0] },
      { id: 'w', kind: 'boundary', position: [-200, 0] },
      { id: 'n', kind: 'boundary', position: [0, 200] },
      { id: 's', kind: 'boundary', position: [0, -200] },
      { id: 'e', kind: 'boundary', position: [500, 0] },
    ],
    links: [
      { id: 'w_in', from: 'w', to: 'A', lanes: lanes(3) },
      { id: 'a_w', from: 'A', to: 'w', lanes: lanes(2) },
      { id: 'n_in', from: 'n', to: 'A', lanes: lanes(1) },
      { id: 'a_n', from: 'A', to: 'n', lanes: lanes(1) },
      { id: 'a_s', from: 'A', to: 's', lanes: lanes(1) },
      { id: 'ab', from: 'A', to: 'B', lanes: lanes(2) },
      { id: 'ba', from: 'B', to: 'A', lanes: lanes(2) },
      { id: 'b_e', from: 'B', to: 'e', lanes: lanes(2) },
      { id: 'e_in', from: 'e', to: 'B', lanes: lanes(2) },
    ],
    movements,
    signals: [
      {
        id: 'SA',
        intersections: ['A'],
        signalGroups: [{ id: 'WT' }, { id: 'WL' }, { id: 'N' }, { id: 'ET' }],
      },
      { id: 'SB', intersections: ['B'], signalGroups: [{ id: 'WT' }, { id: 'ET' }] },
    ],
    detectors: [
      stopLine('w-0', 'w_in', 0),
      stopLine('w-1', 'w_in', 1),
      stopLine('w-2', 'w_in', 2),
      { id: 'w-adv-1', link: 'w_in', lane: 1, position: 120, length: 2, kind: 'advance' },
      stopLine('ba-0', 'ba', 0),
      stopLine('exit-0', 'a_w', 0),
    ],
  };
}

/** The built two-crossings network. */
export const twoCrossings = (): RoadNetwork => buildNetwork(twoCrossingsSpec());

/** Movement ids of the two-crossings network, by what they are. */
export const MOVEMENTS = {
  westRight: 'w_in>a_s',
  westThrough: 'w_in>ab',
  westLeft: 'w_in>a_n',
  northLeft: 'n_in>ab',
  northRight: 'n_in>a_w',
  eastThroughA: 'ba>a_w',
  westThroughB: 'ab>b_e',
  eastThroughB: 'e_in>ba',
} as const;
