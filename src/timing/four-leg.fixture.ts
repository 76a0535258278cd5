// Test fixture: a hand-built four-leg signal and a three-stage plan that is valid for it.
import type { Signal, SignalGroup } from '../network/types.ts';
import type { TimingPlan } from './types.ts';

/**
 * Signal `J1` at a four-leg crossroads, right-hand traffic, eight signal groups:
 * `0` northbound through, `1` northbound left, `2` southbound through, `3` southbound left,
 * `4` eastbound through, `5` westbound through, `6` pedestrians walking north–south (over the east
 * and west legs, 20 m), `7` pedestrians walking east–west (over the north and south legs, 24 m).
 * Every conflict is listed by hand. Returns a fresh object each call, so tests may change it.
 */
export function fourLegSignal(): Signal {
  const vehicle = (id: string, minGreen: number): SignalGroup => ({
    id,
    index: Number(id),
    kind: 'vehicle',
    minGreen,
    movements: [],
  });
  const pedestrian = (id: string, crossingLength: number): SignalGroup => ({
    id,
    index: Number(id),
    kind: 'pedestrian',
    minGreen: 7,
    crossingLength,
    movements: [],
  });
  const crossing = (a: string, b: string) => ({ a, b, kind: 'crossing' as const });
  return {
    id: 'J1',
    intersections: ['J1'],
    signalGroups: [
      vehicle('0', 10),
      vehicle('1', 5),
      vehicle('2', 10),
      vehicle('3', 5),
      vehicle('4', 10),
      vehicle('5', 10),
      pedestrian('6', 20),
      pedestrian('7', 24),
    ],
    conflicts: [
      // north–south throughs against east–west throughs
      crossing('0', '4'),
      crossing('0', '5'),
      crossing('2', '4'),
      crossing('2', '5'),
      // lefts against the opposing through and the cross street
      crossing('1', '2'),
      crossing('3', '0'),
      crossing('1', '4'),
      crossing('1', '5'),
      crossing('3', '4'),
      crossing('3', '5'),
      // pedestrians against the vehicles that cross their crosswalks
      crossing('6', '4'),
      crossing('6', '5'),
      crossing('6', '1'),
      crossing('6', '3'),
      crossing('7', '0'),
      crossing('7', '2'),
      crossing('7', '1'),
      crossing('7', '3'),
    ],
    programs: [],
  };
}

/**
 * A 90 s plan for `J1`: stage A protected lefts 1 and 3 (10 + 3 + 1 s); stage B north–south
 * throughs with the lefts now permissive and pedestrians 6 (30 + 4 + 2 s); stage C east–west
 * throughs with pedestrians 7 (34 + 4 + 2 s). Offset 12 s to the start of stage A's green.
 */
export function leadLeftPlan(): TimingPlan {
  return {
    id: 'am-peak',
    signal: 'J1',
    cycleLength: 90,
    offset: 12,
    offsetReference: 'first-stage-green-start',
    stages: [
      {
        id: 'A',
        greens: { '1': 'protected', '3': 'protected' },
        green: 10,
        yellow: 3,
        allRed: 1,
        minGreen: 5,
      },
      {
        id: 'B',
        greens: {
          '0': 'protected',
          '2': 'protected',
          '1': 'permissive',
          '3': 'permissive',
          '6': 'protected',
        },
        green: 30,
        yellow: 4,
        allRed: 2,
        minGreen: 10,
      },
      {
        id: 'C',
        greens: { '4': 'protected', '5': 'protected', '7': 'protected' },
        green: 34,
        yellow: 4,
        allRed: 2,
        minGreen: 10,
      },
    ],
    origin: 'greenwave',
  };
}
