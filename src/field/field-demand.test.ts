// Vehicles drawn from a day of counts window by window, across midnight.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TurningFlows } from '../demand/types.ts';
import type { RoadNetwork } from '../network/types.ts';
import { seededRandom } from '../seeded-random.ts';
import { loadDemoNetwork } from './field.fixture.ts';
import { DAY, tripsFromCounts } from './field-demand.ts';

let network: RoadNetwork;
let day: TurningFlows;
beforeAll(async () => {
  ({ network, day } = await loadDemoNetwork());
});

/** Vehicles entering the network in [begin, end) by the counts: the boundary links' movements. */
function countedEntries(begin: number, end: number): number {
  const movements = network.getAttribute('movements');
  let total = 0;
  for (const flow of day.flows) {
    const from = movements[flow.movement]!.from;
    const source = network.source(from);
    if (network.getNodeAttribute(source, 'kind') !== 'boundary') continue;
    const overlap = Math.min(end, flow.end) - Math.max(begin, flow.begin);
    if (overlap > 0) total += (flow.vehicles * overlap) / (flow.end - flow.begin);
  }
  return total;
}

describe('tripsFromCounts', () => {
  it('draws about as many vehicles as the counts let in, departing inside the window', () => {
    const trips = tripsFromCounts(network, day, {
      begin: 27_000,
      end: 30_600,
      rng: seededRandom(3),
    });
    const expected = countedEntries(27_000, 30_600);
    // Poisson arrivals: within five standard deviations of the counted total
    expect(Math.abs(trips.length - expected)).toBeLessThan(5 * Math.sqrt(expected));
    expect(trips.every((trip) => trip.depart >= 27_000 && trip.depart < 30_600)).toBe(true);
    expect(new Set(trips.map((trip) => trip.id)).size).toBe(trips.length);
  });

  it("repeats the day's counts on the next day, with vehicles of their own", () => {
    const today = tripsFromCounts(network, day, {
      begin: 27_000,
      end: 27_900,
      rng: seededRandom(1),
    });
    const tomorrow = tripsFromCounts(network, day, {
      begin: DAY + 27_000,
      end: DAY + 27_900,
      rng: seededRandom(1),
    });
    expect(tomorrow).toHaveLength(today.length);
    tomorrow.forEach((trip, index) =>
      expect(trip.depart - DAY).toBeCloseTo(today[index]!.depart, 6),
    );
    expect(tomorrow.map((trip) => trip.route)).toEqual(today.map((trip) => trip.route));
    expect(tomorrow[0]!.id).toBe(`${DAY + 27_000}/${today[0]!.id.split('/')[1]}`);
  });

  it('splits a window at midnight, drawing each side from its own end of the day', () => {
    const across = tripsFromCounts(network, day, {
      begin: DAY - 900,
      end: DAY + 900,
      rng: seededRandom(2),
    });
    const late = across.filter((trip) => trip.depart < DAY);
    const early = across.filter((trip) => trip.depart >= DAY);
    expect(late.length).toBeGreaterThan(0);
    expect(early.length).toBeGreaterThan(0);
    expect(late.every((trip) => trip.id.startsWith(`${DAY - 900}/`))).toBe(true);
    expect(early.every((trip) => trip.id.startsWith(`${DAY}/`))).toBe(true);
    expect(new Set(across.map((trip) => trip.id)).size).toBe(across.length);
  });

  it('repeats with the same seed', () => {
    const draw = () =>
      tripsFromCounts(network, day, { begin: 61_200, end: 62_100, rng: seededRandom(9) });
    expect(draw()).toEqual(draw());
  });

  it('refuses an empty window', () => {
    expect(() =>
      tripsFromCounts(network, day, { begin: 100, end: 100, rng: seededRandom(1) }),
    ).toThrow(RangeError);
  });
});
