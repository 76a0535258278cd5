// Regression tests for what the SUMO comparison found broken: split movements, depart speed, blocked shared lanes, start-up, right of way.
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../src/network/build.ts';
import type { LaneConnection, MovementSpec, NetworkSpec } from '../src/network/types.ts';
import { seededRandom } from '../src/seeded-random.ts';
import type { VehicleTrip } from '../src/demand/types.ts';
import type { TimingPlan } from '../src/timing/types.ts';
import { compileNetwork } from './compile.ts';
import { trip, twoStagePlan } from './scenarios.fixture.ts';
import { simulate } from './simulate.ts';
import type { CrossingEvent, SimulationOptions, StepSnapshot } from './types.ts';

const SPEED = 13.89;
const LENGTH = 200;

/**
 * One intersection C with a west and a south arm in, an east and a north arm out; `lanes` lanes on
 * every link but `n_out`, which has one. Signalized (each movement's `signalGroup` its group) when
 * any movement names a group, else a priority junction.
 */
function junction(movements: MovementSpec[], lanes = 2): NetworkSpec {
  const lane = (index: number) => ({ index, length: LENGTH, speedLimit: SPEED, width: 3.6 });
  const laneList = (count: number) => Array.from({ length: count }, (_, index) => lane(index));
  const signalized = movements.some((movement) => movement.signalGroup !== undefined);
  const groups = [...new Set(movements.flatMap((movement) => movement.signalGroup ?? []))];
  return {
    name: 'junction',
    coordinates: 'planar',
    intersections: [
      { id: 'C', kind: signalized ? 'signalized' : 'priority', position: [0, 0] },
      { id: 'w', kind: 'boundary', position: [-LENGTH, 0] },
      { id: 'e', kind: 'boundary', position: [LENGTH, 0] },
      { id: 's', kind: 'boundary', position: [0, -LENGTH] },
      { id: 'n', kind: 'boundary', position: [0, LENGTH] },
    ],
    links: [
      { id: 'w_in', from: 'w', to: 'C', lanes: laneList(lanes) },
      { id: 'e_out', from: 'C', to: 'e', lanes: laneList(lanes) },
      { id: 's_in', from: 's', to: 'C', lanes: laneList(lanes) },
      { id: 'n_out', from: 'C', to: 'n', lanes: laneList(1) },
    ],
    movements: signalized ? movements.map((movement) => ({ ...movement, signal: 'C' })) : movements,
    signals: signalized
      ? [{ id: 'C', intersections: ['C'], signalGroups: groups.map((id) => ({ id })) }]
      : [],
  };
}

function run(
  spec: NetworkSpec,
  trips: VehicleTrip[],
  plans: Record<string, TimingPlan>,
  options: Partial<SimulationOptions> = {},
  step?: (snapshot: StepSnapshot) => void,
) {
  const crossings: CrossingEvent[] = [];
  const result = simulate(buildNetwork(spec), trips, plans, {
    begin: 0,
    end: 300,
    rng: seededRandom(1),
    // Kinematics to the step: no dawdling unless a test asks for it.
    dawdling: 0,
    observer: { crossing: (event) => crossings.push(event), ...(step ? { step } : {}) },
    ...options,
  });
  return { result, crossings };
}

describe('movements split by link index (SUMO `a>b@6`, `a>b@7`)', () => {
  const through = (lane: number, group: string): MovementSpec => ({
    id: `w_in>e_out@${group}`,
    from: 'w_in',
    to: 'e_out',
    lanes: [{ fromLane: lane, toLane: lane }],
    signalGroup: group,
  });
  const spec = junction([through(0, 'T0'), through(1, 'T1')]);

  it('lets a route use the lanes of every movement of its pair of links, each owned by its movement', () => {
    const net = compileNetwork(buildNetwork(spec), { step: 0.5, jamSpacing: 7.5 });
    const [first, second] = [0, 1].map((index) => net.movementIds.indexOf(`w_in>e_out@T${index}`));
    const routed = net.movementOf.get(
      net.linkOf.get('w_in')! * net.linkIds.length + net.linkOf.get('e_out')!,
    )!;
    expect([...net.routeFromLanes[routed]!]).toEqual([0, 1]);
    expect([...net.laneOwner[routed]!]).toEqual([first, second]);
  });

  it('discharges on both lanes, and each lane stops on its own movement’s red', () => {
    const trips = Array.from({ length: 40 }, (_, index) =>
      trip(`v${index}`, index, ['w_in', 'e_out']),
    );
    // T1 never gets a green: its lane must not discharge, T0's must.
    const plan = twoStagePlan('C', ['T0'], 60, ['T0'], 20);
    const { crossings } = run(spec, trips, { C: plan });
    expect(crossings.filter((event) => event.lane === 0).length).toBeGreaterThan(10);
    expect(crossings.filter((event) => event.lane === 1)).toEqual([]);
    const both = run(spec, trips, { C: twoStagePlan('C', ['T0', 'T1'], 60, ['T0', 'T1'], 20) });
    expect(both.crossings.filter((event) => event.lane === 1).length).toBeGreaterThan(5);
    expect(both.crossings.every((event) => event.signalGroup === `T${event.lane}`)).toBe(true);
  });
});

describe('depart speed', () => {
  const spec = junction([
    { from: 'w_in', to: 'e_out', lanes: [{ fromLane: 0, toLane: 0, priority: 'major' }] },
  ]);
  const delayOf = (extra: Partial<VehicleTrip>) =>
    run(spec, [{ ...trip('v', 0, ['w_in', 'e_out']), ...extra }], {}).result.vehicles[0]!.delay;

  it('enters at 0 m/s when the trip gives no departSpeed, as SUMO does: it loses v / 2a', () => {
    expect(delayOf({})).toBeCloseTo(SPEED / (2 * 2.6), 0);
  });

  it('enters at the speed limit with departSpeed max, and in between with a number', () => {
    expect(delayOf({ departSpeed: 'max' })).toBeLessThan(0.5);
    const half = delayOf({ departSpeed: SPEED / 2 });
    expect(half).toBeGreaterThan(0.5);
    expect(half).toBeLessThan(delayOf({}));
  });
});

describe('a shared lane blocked by a turning vehicle waiting on red', () => {
  const lanes = (...pairs: [number, number][]): LaneConnection[] =>
    pairs.map(([fromLane, toLane]) => ({ fromLane, toLane }));
  const spec = junction([
    { from: 'w_in', to: 'e_out', lanes: lanes([0, 0], [1, 1]), signalGroup: 'T' },
    { from: 'w_in', to: 'n_out', lanes: lanes([1, 0]), signalGroup: 'L' },
  ]);
  // Through green 0–40 s, left green 45–65 s.
  const plan = twoStagePlan('C', ['T'], 40, ['L'], 20);

  it('lets the through vehicles behind it change to the other through lane and go in their green', () => {
    const trips = [
      trip('left', 0, ['w_in', 'n_out']),
      ...Array.from({ length: 8 }, (_, index) =>
        trip(`T${index}`, 2 + index * 2, ['w_in', 'e_out']),
      ),
    ];
    let queuedBehind = 0;
    const { crossings } = run(spec, trips, { C: plan }, { end: 70 }, (snapshot) => {
      const shared = snapshot.lanes().find((lane) => lane.link === 'w_in' && lane.lane === 1)!;
      if (shared.vehicles[0] === 'left') {
        queuedBehind = Math.max(queuedBehind, shared.vehicles.length - 1);
      }
    });
    // Through vehicles did queue behind the left turner, and none waited for the next cycle.
    expect(queuedBehind).toBeGreaterThan(0);
    const through = crossings.filter((event) => event.vehicle.startsWith('T'));
    expect(through).toHaveLength(8);
    expect(Math.max(...through.map((event) => event.time))).toBeLessThan(43);
  });
});

describe('start-up at the beginning of green', () => {
  const spec = junction(
    [{ from: 'w_in', to: 'e_out', lanes: [{ fromLane: 0, toLane: 0 }], signalGroup: 'T' }],
    1,
  );
  // Red until 40 s (the other stage), then green for 40 s.
  const plan = { ...twoStagePlan('C', ['X'], 35, ['T'], 40), offset: 0 };
  const trips = Array.from({ length: 20 }, (_, index) =>
    trip(`v${index}`, index * 2, ['w_in', 'e_out']),
  );

  it('lets the first queued driver go startReaction after the green starts, not at once', () => {
    const greenStart = 40;
    for (const startReaction of [0, 1, 2.5]) {
      const { crossings } = run(spec, trips, { C: plan }, { end: 100, startReaction });
      const first = Math.min(...crossings.map((event) => event.time));
      expect(first).toBeGreaterThanOrEqual(greenStart + startReaction - 1e-9);
      expect(first).toBeLessThanOrEqual(greenStart + startReaction + 0.5 + 1e-9);
    }
  });

  it('loses about HCM’s 2 s of start-up time over the first four vehicles by default', () => {
    const { crossings, result } = run(spec, trips, { C: plan }, { end: 100 });
    const times = crossings.map((event) => event.time).sort((a, b) => a - b);
    const saturationHeadway =
      3600 / buildNetwork(spec).getEdgeAttribute('w_in', 'lanes')[0]!.saturationFlow;
    const lost = times[3]! - 40 - 4 * saturationHeadway;
    expect(lost).toBeGreaterThan(1.5);
    expect(lost).toBeLessThan(2.5);
    expect(result.totals.arrived).toBeGreaterThan(10);
  });
});

describe('right of way at a priority junction', () => {
  const spec = junction(
    [
      { from: 'w_in', to: 'e_out', lanes: [{ fromLane: 0, toLane: 0, priority: 'major' }] },
      { from: 's_in', to: 'n_out', lanes: [{ fromLane: 0, toLane: 0, priority: 'minor' }] },
    ],
    1,
  );
  const major = Array.from({ length: 31 }, (_, index) =>
    trip(`major${index}`, index * 2, ['w_in', 'e_out']),
  );
  const minor = trip('minor', 0, ['s_in', 'n_out']);
  const crossingOf = (crossings: CrossingEvent[], vehicle: string) =>
    crossings.find((event) => event.vehicle === vehicle)!.time;

  it('holds a minor-road vehicle while the major road runs at headways below its critical gap', () => {
    const { crossings, result } = run(
      spec,
      [minor, ...major],
      {},
      { end: 200, timeToImpatience: 0 },
    );
    const lastMajor = Math.max(...major.map((vehicle) => crossingOf(crossings, vehicle.id)));
    // It may wait inside the junction (crossing its stop line), but leaves it only after the stream.
    const left = result.vehicles.find((vehicle) => vehicle.id === 'minor')!;
    expect(left.arrival! - LENGTH / SPEED).toBeGreaterThan(lastMajor);
  });

  it('grows impatient like SUMO’s minor vehicles: after standing long enough it takes a short gap', () => {
    // At the speed limit from the start, so that the stream keeps its 2 s headways.
    const stream = Array.from({ length: 150 }, (_, index) => ({
      ...trip(`major${index}`, index * 2, ['w_in', 'e_out']),
      departSpeed: 'max' as const,
    }));
    const lastOf = (crossings: CrossingEvent[]) =>
      Math.max(...stream.map((vehicle) => crossingOf(crossings, vehicle.id)));
    const arrivalOf = (outcome: ReturnType<typeof run>) =>
      outcome.result.vehicles.find((vehicle) => vehicle.id === 'minor')!.arrival!;
    const patient = run(spec, [minor, ...stream], {}, { end: 1200, timeToImpatience: 0 });
    expect(arrivalOf(patient) - LENGTH / SPEED).toBeGreaterThan(lastOf(patient.crossings));
    const impatient = run(spec, [minor, ...stream], {}, { end: 1200 });
    // 2 s headways fall below 4 s × (1 − waited / 180 s) after 90 s standing.
    expect(arrivalOf(impatient) - LENGTH / SPEED).toBeLessThan(200);
    expect(arrivalOf(impatient) - LENGTH / SPEED).toBeGreaterThan(80);
  });

  it('lets the minor-road vehicle go at once on an empty major road, and never holds the major road', () => {
    const alone = run(spec, [minor], {}, { end: 100 });
    expect(alone.result.vehicles[0]!.delay).toBeLessThan(3);
    const both = run(spec, [minor, ...major], {}, { end: 200 });
    const majorOnly = run(spec, major, {}, { end: 200 });
    for (const vehicle of major) {
      expect(crossingOf(both.crossings, vehicle.id)).toBe(
        crossingOf(majorOnly.crossings, vehicle.id),
      );
    }
  });
});
