// Tests for detectors in a run: counts equal crossings, occupancy under a queue, hi-res events.
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../src/network/build.ts';
import { gridSpec } from '../src/network/grid.ts';
import { seededRandom } from '../src/seeded-random.ts';
import { trip, twoStagePlan } from './scenarios.fixture.ts';
import { createSimulation } from './simulate.ts';
import { signalColour } from './signal-states.ts';
import type { CrossingEvent, DetectorReading, HiResEvent } from './types.ts';

const APPROACH = 'n0_-1-n0_0';
const EXIT = 'n0_0-n0_1';

describe('detectors on a one-lane approach to one signal', () => {
  const spec = gridSpec({ rows: 1, columns: 1, lanes: 1, spacing: 300 });
  // One detector from the network (advance), one from the options (stop line).
  const network = buildNetwork({
    ...spec,
    detectors: [{ id: 'advance', link: APPROACH, lane: 0, position: 150, length: 2 }],
  });
  const plan = twoStagePlan('n0_0', ['north-through'], 30, ['east-through'], 40);
  const trips = Array.from({ length: 150 }, (_, index) =>
    trip(`v${index}`, index * 6 + (index % 3), [APPROACH, EXIT]),
  );
  const crossings: CrossingEvent[] = [];
  const simulation = createSimulation(
    network,
    trips,
    { n0_0: plan },
    {
      begin: 0,
      end: 1200,
      rng: seededRandom(1),
      detection: {
        detectors: [{ id: 'stop-line', link: APPROACH, lane: 0, position: 295, length: 5 }],
      },
      observer: { crossing: (event) => crossings.push(event) },
    },
  );
  const readings: DetectorReading[] = [];
  const events: HiResEvent[] = [];
  for (let time = 0; time <= 1200; time += 100) {
    simulation.advance(time);
    readings.push(...simulation.detectorReadings());
    events.push(...simulation.hiResEvents());
  }
  const total = (detector: string) =>
    readings
      .filter((reading) => reading.detector === detector)
      .reduce((sum, reading) => sum + reading.count, 0);

  it('reports every detector each minute, the intervals back to back', () => {
    for (const detector of ['advance', 'stop-line']) {
      const mine = readings.filter((reading) => reading.detector === detector);
      expect(mine).toHaveLength(20);
      mine.forEach((reading, index) => {
        expect(reading.begin).toBe(index * 60);
        expect(reading.end).toBe(index * 60 + 60);
        expect(reading.occupancy).toBeGreaterThanOrEqual(0);
        expect(reading.occupancy).toBeLessThanOrEqual(1);
      });
    }
  });

  it('counts every vehicle that crossed over it, once', () => {
    const crossed = crossings.filter((event) => event.from === APPROACH && event.lane === 0);
    expect(crossed.length).toBeGreaterThan(100);
    expect(total('stop-line')).toBe(crossed.length);
    expect(total('advance')).toBe(crossed.length);
  });

  it('names each detector its channel: the ordinal among its signal’s detectors', () => {
    expect(simulation.detectorChannels()).toEqual([
      { detector: 'advance', signal: 'n0_0', channel: 1 },
      { detector: 'stop-line', signal: 'n0_0', channel: 2 },
    ]);
  });

  it('turns each detector on and off in turn, on as often as it counts a vehicle at most', () => {
    for (const channel of [1, 2]) {
      const mine = events.filter(
        (event) => event.param === channel && (event.code === 81 || event.code === 82),
      );
      mine.forEach((event, index) => {
        expect(event.code).toBe(index % 2 === 0 ? 82 : 81);
        if (index > 0) expect(event.time).toBeGreaterThanOrEqual(mine[index - 1]!.time);
      });
      const ons = mine.filter((event) => event.code === 82).length;
      expect(ons).toBeGreaterThan(10);
      expect(ons).toBeLessThanOrEqual(total(channel === 1 ? 'advance' : 'stop-line'));
    }
  });

  it('sends phase events that agree with signalColour, the parameter the group index + 1', () => {
    const index = network
      .getAttribute('signals')
      .n0_0!.signalGroups.find((group) => group.id === 'north-through')!.index;
    const phase = events.filter((event) => event.code < 81 && event.param === index + 1);
    // Greens begin at 80, 160, …, 1200 (the run starts in a green: no event at 0).
    expect(phase.filter((event) => event.code === 1).map((event) => event.time)).toEqual(
      Array.from({ length: 15 }, (_, cycle) => 80 * (cycle + 1)),
    );
    for (const event of phase) {
      const before = signalColour(plan, 'north-through', event.time - 0.01);
      const after = signalColour(plan, 'north-through', event.time);
      if (event.code === 1) expect([before, after]).toEqual(['red', 'green']);
      if (event.code === 8) expect([before, after]).toEqual(['green', 'yellow']);
      if (event.code === 9) expect([before, after]).toEqual(['yellow', 'red']);
    }
    expect(events.map((event) => event.time)).toEqual(
      [...events.map((event) => event.time)].sort((a, b) => a - b),
    );
  });
});

describe('a detector under a stopped queue', () => {
  it('is occupied all the time (the 5 m bodies leave 2.5 m gaps, shorter than the zone)', () => {
    const network = buildNetwork(gridSpec({ rows: 1, columns: 1, lanes: 1, spacing: 300 }));
    // Red for north for 300 s: a queue builds over a detector 200 m before the stop line.
    const plan = twoStagePlan('n0_0', ['east-through'], 295, ['north-through'], 30);
    const trips = Array.from({ length: 60 }, (_, index) =>
      trip(`v${index}`, index * 2, [APPROACH, EXIT]),
    );
    const simulation = createSimulation(
      network,
      trips,
      { n0_0: plan },
      {
        begin: 0,
        end: 300,
        rng: seededRandom(1),
        detection: {
          detectors: [{ id: 'queue', link: APPROACH, lane: 0, position: 100, length: 3 }],
          interval: 60,
        },
      },
    );
    const readings = simulation.advance(300).detectorReadings();
    // The queue reaches the detector within the first two minutes and stands still after.
    for (const reading of readings.slice(2)) expect(reading.occupancy).toBeGreaterThan(0.99);
    expect(readings[0]!.occupancy).toBeLessThan(0.5);
    expect(readings.slice(2).map((reading) => reading.count)).toEqual([0, 0, 0]);
  });

  it('rejects a detector on a lane the link does not have', () => {
    const network = buildNetwork(gridSpec({ rows: 1, columns: 1, lanes: 1 }));
    expect(() =>
      createSimulation(
        network,
        [],
        {},
        {
          begin: 0,
          rng: seededRandom(1),
          detection: { detectors: [{ id: 'x', link: APPROACH, lane: 3, position: 0 }] },
        },
      ),
    ).toThrow(expect.objectContaining({ code: 'BAD_DETECTOR' }));
  });
});
