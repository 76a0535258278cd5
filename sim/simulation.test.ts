// Tests for the stepped simulation: equal to simulate, plan changes, schedules, teleports, outputs.
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../src/network/build.ts';
import { gridSpec } from '../src/network/grid.ts';
import { seededRandom } from '../src/seeded-random.ts';
import type { TimingPlan } from '../src/timing/types.ts';
import { randomTrips } from './random-trips.ts';
import { trip, twoStagePlan } from './scenarios.fixture.ts';
import { createSimulation, simulate } from './simulate.ts';
import { firstGreenStart } from './transition.ts';
import type { CrossingEvent, StepSnapshot } from './types.ts';

describe('createSimulation on a 3×3 grid', () => {
  const network = buildNetwork(gridSpec({ rows: 3, columns: 3, spacing: 200 }));
  const trips = randomTrips(network, {
    flowPerEntry: 400,
    begin: 0,
    end: 600,
    rng: seededRandom(5),
  });
  const options = { begin: 0, end: 600, rng: seededRandom(1) };
  const whole = simulate(network, trips, {}, { ...options, rng: seededRandom(1) });

  it('gives simulate’s result when advanced to the end at once', () => {
    const stepped = createSimulation(network, trips, {}, { ...options, rng: seededRandom(1) });
    expect(stepped.advance(600).result()).toEqual(whole);
    expect(stepped.time).toBe(600);
    // Past the end nothing more happens.
    expect(stepped.advance(900).time).toBe(600);
  });

  it('gives the same result advanced in uneven pieces, and with the demand added as it comes', () => {
    const pieces = createSimulation(network, [], {}, { ...options, rng: seededRandom(1) });
    for (let time = 0; time < 600; time += 37.3) {
      pieces.addTrips(
        trips.filter((vehicle) => vehicle.depart >= time && vehicle.depart < time + 37.3),
      );
      pieces.advance(time + 37.3);
    }
    expect(pieces.advance(600).result()).toEqual(whole);
  });

  it('reports the run so far in the middle, vehicles conserved', () => {
    const partial = createSimulation(network, trips, {}, { ...options, rng: seededRandom(1) });
    const { totals, end, vehicles } = partial.advance(300).result();
    expect(end).toBe(300);
    expect(totals.vehicles).toBe(trips.filter((vehicle) => vehicle.depart <= 300).length);
    expect(totals.inserted + totals.waiting).toBe(totals.vehicles);
    expect(vehicles.filter((vehicle) => vehicle.arrival !== undefined)).toHaveLength(
      totals.arrived,
    );
  });

  it('counts per movement what crossed it, per signal the sum of its movements', () => {
    const crossings: CrossingEvent[] = [];
    const result = simulate(
      network,
      trips,
      {},
      {
        ...options,
        rng: seededRandom(1),
        observer: { crossing: (event) => crossings.push(event) },
      },
    );
    for (const movement of result.movements) {
      expect(movement.throughput).toBe(
        crossings.filter((event) => event.movement === movement.id).length,
      );
      expect(movement.maxQueue).toBeGreaterThanOrEqual(movement.meanQueue);
      expect(movement.meanDelay).toBeGreaterThanOrEqual(0);
    }
    expect(result.signals).toHaveLength(9);
    for (const signal of result.signals) {
      const mine = result.movements.filter((movement) => movement.signal === signal.id);
      const sum = (key: 'throughput' | 'stops' | 'meanQueue') =>
        mine.reduce((total, movement) => total + movement[key], 0);
      expect(signal.throughput).toBe(sum('throughput'));
      expect(signal.stops).toBe(sum('stops'));
      expect(signal.meanQueue).toBeCloseTo(sum('meanQueue'), 9);
      expect(signal.maxQueue).toBeLessThanOrEqual(
        mine.reduce((total, movement) => total + movement.maxQueue, 0),
      );
      expect(signal.maxQueue).toBeGreaterThan(0);
    }
  });

  it('samples trajectories on the links asked for, every so many seconds', () => {
    const link = 'n0_1-n1_1';
    const result = simulate(
      network,
      trips,
      {},
      {
        ...options,
        rng: seededRandom(1),
        trajectories: { links: [link], every: 2 },
      },
    );
    const samples = result.trajectories!;
    expect(samples.length).toBeGreaterThan(100);
    const last = new Map<string, number>();
    for (const sample of samples) {
      expect(sample.link).toBe(link);
      expect(sample.time % 2).toBe(0);
      expect(sample.position).toBeGreaterThanOrEqual(0);
      expect(sample.position).toBeLessThanOrEqual(200 + 1e-9);
      expect(sample.speed).toBeLessThanOrEqual(13.89 + 1e-9);
      expect(sample.position).toBeGreaterThanOrEqual(last.get(sample.vehicle) ?? 0);
      last.set(sample.vehicle, sample.position);
    }
    expect(whole.trajectories).toBeUndefined();
  });
});

describe('plan changes', () => {
  const network = buildNetwork(gridSpec({ rows: 1, columns: 1, lanes: 1, spacing: 300 }));
  const approach = 'n0_-1-n0_0';
  const trips = Array.from({ length: 200 }, (_, index) =>
    trip(`v${index}`, index * 4, [approach, 'n0_0-n0_1']),
  );
  const morning = twoStagePlan('n0_0', ['north-through'], 40, ['east-through'], 40);
  const evening = twoStagePlan('n0_0', ['north-through'], 30, ['east-through'], 20, { offset: 37 });
  const options = { begin: 0, end: 800, rng: seededRandom(1), detection: {} };

  it('starts a new plan at the end of the cycle and reaches its offset through a transition', () => {
    const simulation = createSimulation(network, trips, { n0_0: morning }, options);
    simulation.advance(100);
    simulation.setPlan('n0_0', evening);
    expect(simulation.planStatus('n0_0')).toEqual({
      active: morning,
      pending: evening,
      transitionCycles: 0,
    });
    simulation.advance(180);
    expect(simulation.activePlan('n0_0')).toBe(evening);
    simulation.advance(800);
    expect(simulation.planStatus('n0_0')).toEqual({ active: evening, transitionCycles: 0 });
    const index = network
      .getAttribute('signals')
      .n0_0!.signalGroups.find((group) => group.id === 'north-through')!.index;
    const greens = simulation
      .hiResEvents()
      .filter((event) => event.param === index + 1 && event.code === 1)
      .map((event) => event.time);
    // 90 and 180 under the morning plan, then shorter and longer cycles, then on the offset.
    expect(greens.slice(0, 2)).toEqual([90, 180]);
    const aligned = greens.filter(
      (time) => (time - firstGreenStart(evening)) % evening.cycleLength === 0,
    );
    expect(aligned.length).toBeGreaterThan(5);
    expect(greens.indexOf(aligned[0]!)).toBeLessThanOrEqual(2 + Math.ceil(1 / 0.2));
    expect(greens.slice(greens.indexOf(aligned[0]!))).toEqual(aligned);
  });

  it('runs a time-of-day schedule as setPlan at the same moments', () => {
    const schedule = [
      { from: 0, plans: { n0_0: morning } },
      { from: 300, plans: { n0_0: evening } },
    ];
    const scheduled = simulate(network, trips, {}, { ...options, schedule });
    const steered = createSimulation(network, trips, { n0_0: morning }, options);
    steered.advance(300).setPlan('n0_0', evening);
    expect(steered.advance(800).result()).toEqual(scheduled);
    const fixed = simulate(network, trips, { n0_0: morning }, options);
    expect(fixed.totals).not.toEqual(scheduled.totals);
  });

  it('refuses an unknown signal or a plan with no stages, and a schedule for a signal not in the network', () => {
    const simulation = createSimulation(network, trips, {}, options);
    expect(() => simulation.setPlan('nowhere', evening)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_SIGNAL' }),
    );
    expect(() => simulation.activePlan('nowhere')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_SIGNAL' }),
    );
    const empty: TimingPlan = { ...evening, stages: [] };
    expect(() => simulation.setPlan('n0_0', empty)).toThrow(
      expect.objectContaining({ code: 'BAD_PLAN' }),
    );
    expect(() =>
      simulate(network, trips, {}, { ...options, schedule: [{ from: 0, plans: { x: evening } }] }),
    ).toThrow(expect.objectContaining({ code: 'UNKNOWN_SIGNAL' }));
    expect(() => simulate(network, trips, {}, { ...options, maxCycleAdjustment: 0 })).toThrow(
      expect.objectContaining({ code: 'BAD_OPTIONS' }),
    );
    const endless = createSimulation(network, trips, {}, { begin: 0, rng: seededRandom(1) });
    expect(() => endless.advance(Infinity)).toThrow(
      expect.objectContaining({ code: 'BAD_OPTIONS' }),
    );
    expect(endless.advance(60).time).toBe(60);
  });
});

describe('teleports, as SUMO’s time-to-teleport', () => {
  // Two signals west to east; the second never lets eastbound traffic go.
  const network = buildNetwork(gridSpec({ rows: 1, columns: 2, lanes: 1, spacing: 150 }));
  const route = ['n-1_0-n0_0', 'n0_0-n1_0', 'n1_0-n2_0'];
  const go = twoStagePlan('n0_0', ['east-through'], 80, ['north-through'], 0);
  go.stages[1]!.greens = { 'east-through': 'protected' };
  const plans = {
    n0_0: go,
    n1_0: twoStagePlan('n1_0', ['north-through'], 80, ['west-through'], 10),
  };
  const trips = Array.from({ length: 60 }, (_, index) => trip(`v${index}`, index * 3, route));

  function run(timeToTeleport?: number) {
    const snapshots: Omit<StepSnapshot, 'lanes'>[] = [];
    const result = simulate(network, trips, plans, {
      begin: 0,
      end: 1500,
      rng: seededRandom(1),
      ...(timeToTeleport !== undefined ? { timeToTeleport } : {}),
      observer: { step: ({ lanes: _lanes, ...counts }) => snapshots.push(counts) },
    });
    return { result, snapshots };
  }

  it('moves a vehicle that stood 300 s at the front of a lane on along its route', () => {
    const { result, snapshots } = run();
    const teleported = result.vehicles.filter((vehicle) => vehicle.teleports !== undefined);
    expect(result.totals.teleports).toBeGreaterThan(2);
    expect(teleported.reduce((sum, vehicle) => sum + vehicle.teleports!, 0)).toBe(
      result.totals.teleports,
    );
    // The first one reached the red at about 25 s: it went at about 325 s, and then arrived.
    const first = result.vehicles.find((vehicle) => vehicle.id === 'v0')!;
    expect(first.teleports).toBe(1);
    expect(first.travelTime).toBeGreaterThan(300);
    expect(first.travelTime).toBeLessThan(340);
    for (const snapshot of snapshots) {
      expect(snapshot.inserted).toBe(
        snapshot.arrived + snapshot.inNetwork + snapshot.inJunction + snapshot.teleporting,
      );
    }
  });

  it('carries a vehicle whose next link is full along its route, off the lanes for a while', () => {
    // Eastbound traffic fills the middle link; a northbound vehicle turning right into it waits
    // at a red that never ends, and when it goes the middle link is full.
    const full = [
      ...trips,
      trip('right-turner', 60, ['n0_-1-n0_0', 'n0_0-n1_0', 'n1_0-n2_0']),
    ].sort((a, b) => a.depart - b.depart);
    const always = { ...plans, n0_0: { ...go, stages: [go.stages[1]!, go.stages[1]!] } };
    let between = 0;
    const result = simulate(network, full, always, {
      begin: 0,
      end: 800,
      rng: seededRandom(1),
      observer: {
        step: (snapshot) => {
          between = Math.max(between, snapshot.teleporting);
          expect(snapshot.inserted).toBe(
            snapshot.arrived + snapshot.inNetwork + snapshot.inJunction + snapshot.teleporting,
          );
        },
      },
    });
    expect(between).toBe(1);
    const turner = result.vehicles.find((vehicle) => vehicle.id === 'right-turner')!;
    expect(turner.teleports).toBeGreaterThanOrEqual(1);
  });

  it('never teleports when the time is 0 or less: the blocked vehicles stay', () => {
    const { result } = run(0);
    expect(result.totals.teleports).toBe(0);
    expect(result.totals.arrived).toBe(0);
  });
});
