// Tests for routes from turning flows: counts reproduced, routes connected, departures, shares in time.
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../network/build.ts';
import { crossingSpec } from '../network/crossing.fixture.ts';
import { gridSpec } from '../network/grid.ts';
import type { Movement, RoadNetwork } from '../network/types.ts';
import { seededRandom } from '../seeded-random.ts';
import { routesFromTurns } from './routes-from-turns.ts';
import type { MovementFlow, TurningFlows, VehicleTrip } from './types.ts';

const crossing = buildNetwork(crossingSpec());

/** Flows of `vehicles(movement, interval)` in each of `intervals` intervals of `length` seconds. */
function flowsOf(
  network: RoadNetwork,
  vehicles: (movement: Movement, interval: number) => number,
  { begin = 0, intervals = 4, length = 900 } = {},
): TurningFlows {
  const flows: MovementFlow[] = [];
  for (const movement of Object.values(network.getAttribute('movements'))) {
    for (let interval = 0; interval < intervals; interval++) {
      const count = vehicles(movement, interval);
      const start = begin + interval * length;
      flows.push({
        movement: movement.id,
        begin: start,
        end: start + length,
        vehicles: count,
        flow: (count * 3600) / length,
      });
    }
  }
  return { begin, end: begin + intervals * length, interval: length, flows };
}

/** Vehicles per `from>to` link pair over all routes. */
function pairCounts(vehicles: VehicleTrip[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { route } of vehicles) {
    for (let i = 1; i < route.length; i++) {
      const pair = `${route[i - 1]}>${route[i]}`;
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
  }
  return counts;
}

/** Different counts per movement and interval: 20 to 130 vehicles per 15 minutes. */
const crossingCounts = flowsOf(
  crossing,
  (movement, interval) =>
    20 + ((movement.id.charCodeAt(0) * 7 + movement.id.length * 13 + interval * 11) % 111),
);

describe('routesFromTurns on one crossing', () => {
  it('generates about as many vehicles per movement as counted (Poisson arrivals)', () => {
    const vehicles = routesFromTurns(crossing, crossingCounts, { rng: seededRandom(7) });
    const generated = pairCounts(vehicles);
    for (const movement of Object.values(crossing.getAttribute('movements'))) {
      const counted = crossingCounts.flows
        .filter((flow) => flow.movement === movement.id)
        .reduce((sum, flow) => sum + flow.vehicles, 0);
      // Poisson numbers split by chance among the turns: within four standard deviations.
      const got = generated.get(`${movement.from}>${movement.to}`) ?? 0;
      expect(Math.abs(got - counted), movement.id).toBeLessThan(4 * Math.sqrt(counted));
    }
  });

  it('enters exactly the counted vehicles per approach and interval when evenly spaced', () => {
    const vehicles = routesFromTurns(crossing, crossingCounts, {
      rng: seededRandom(7),
      departures: 'uniform',
    });
    for (const approach of ['n_in', 'e_in', 's_in', 'w_in']) {
      for (let interval = 0; interval < 4; interval++) {
        const counted = crossingCounts.flows
          .filter(
            (flow) => flow.begin === interval * 900 && flow.movement.startsWith(`${approach}>`),
          )
          .reduce((sum, flow) => sum + flow.vehicles, 0);
        const entered = vehicles.filter(
          (v) => v.route[0] === approach && Math.floor(v.depart / 900) === interval,
        );
        expect(entered).toHaveLength(counted);
        const gaps = entered.slice(1).map((v, i) => v.depart - entered[i]!.depart);
        for (const gap of gaps) expect(gap).toBeCloseTo(900 / counted, 6);
      }
    }
  });

  it('carries fractions of a vehicle over to the next interval', () => {
    const half = flowsOf(crossing, (movement) => (movement.id === 'n_in>s_out' ? 2.5 : 0));
    const vehicles = routesFromTurns(crossing, half, {
      rng: seededRandom(1),
      departures: 'uniform',
    });
    expect(vehicles.map((v) => v.depart)).toEqual([
      180, 540, 900, 1260, 1620, 1980, 2340, 2700, 3060, 3420,
    ]);
  });

  it('starts every route at a boundary, follows movements, sorts by departure and repeats', () => {
    const options = { rng: seededRandom(3) };
    const vehicles = routesFromTurns(crossing, crossingCounts, options);
    const pairs = new Set(
      Object.values(crossing.getAttribute('movements')).map((m) => `${m.from}>${m.to}`),
    );
    for (const { route, depart } of vehicles) {
      expect(crossing.getNodeAttribute(crossing.source(route[0]!), 'kind')).toBe('boundary');
      for (let i = 1; i < route.length; i++)
        expect(pairs.has(`${route[i - 1]}>${route[i]}`)).toBe(true);
      expect(depart).toBeGreaterThanOrEqual(0);
      expect(depart).toBeLessThan(3600);
    }
    const departs = vehicles.map((v) => v.depart);
    expect(departs).toEqual([...departs].sort((a, b) => a - b));
    expect(new Set(vehicles.map((v) => v.id)).size).toBe(vehicles.length);
    expect(routesFromTurns(crossing, crossingCounts, { rng: seededRandom(3) })).toEqual(vehicles);
    expect(routesFromTurns(crossing, crossingCounts, { rng: seededRandom(4) })).not.toEqual(
      vehicles,
    );
  });

  it('clips intervals to the window and scales their counts', () => {
    const vehicles = routesFromTurns(crossing, crossingCounts, {
      rng: seededRandom(1),
      departures: 'uniform',
      begin: 450,
      end: 900,
    });
    const counted = crossingCounts.flows
      .filter((flow) => flow.begin === 0)
      .reduce((sum, flow) => sum + flow.vehicles, 0);
    expect(Math.abs(vehicles.length - counted / 2)).toBeLessThanOrEqual(4);
    expect(vehicles.every((v) => v.depart >= 450 && v.depart < 900)).toBe(true);
  });

  it('rejects flows of unknown movements and an empty window', () => {
    const unknown: TurningFlows = {
      ...crossingCounts,
      flows: [{ movement: 'x>y', begin: 0, end: 900, vehicles: 1, flow: 4 }],
    };
    expect(() => routesFromTurns(crossing, unknown, { rng: seededRandom(1) })).toThrow(RangeError);
    expect(() =>
      routesFromTurns(crossing, crossingCounts, { rng: seededRandom(1), begin: 900, end: 900 }),
    ).toThrow(RangeError);
  });
});

describe('routesFromTurns through several signals', () => {
  // Two signals 300 m apart on an east–west street: n0_0 (west) and n1_0 (east).
  const corridor = buildNetwork(gridSpec({ rows: 1, columns: 2, lanes: 1 }));
  const inner = 'n0_0-n1_0';
  const entry = 'n-1_0-n0_0';

  it('turns at the downstream signal with its shares', () => {
    const shares: Record<string, number> = { through: 60, right: 30, left: 10 };
    const flows = flowsOf(corridor, (movement) => {
      if (movement.from === entry) return movement.turn === 'through' ? 100 : 0;
      if (movement.from === inner) return shares[movement.turn]!;
      return 0;
    });
    const vehicles = routesFromTurns(corridor, flows, {
      rng: seededRandom(11),
      departures: 'uniform',
    });
    expect(vehicles).toHaveLength(400);
    const counts = pairCounts(vehicles);
    const movements = Object.values(corridor.getAttribute('movements')).filter(
      (m) => m.from === inner,
    );
    for (const movement of movements) {
      const expected = 4 * shares[movement.turn]!;
      const got = counts.get(`${inner}>${movement.to}`) ?? 0;
      // Binomial spread of 400 choices: within four standard deviations.
      const p = expected / 400;
      expect(Math.abs(got - expected), movement.turn).toBeLessThan(
        4 * Math.sqrt(400 * p * (1 - p)) + 1,
      );
    }
    expect(vehicles.every((v) => v.route.length === 3)).toBe(true);
  });

  it('uses the shares of the interval in which the vehicle reaches the stop line', () => {
    // Through at the west signal in both intervals; at the east one, all straight on in the
    // first interval and all right in the second.
    const flows = flowsOf(
      corridor,
      (movement, interval) => {
        if (movement.from === entry) return movement.turn === 'through' ? 10 : 0;
        if (movement.from === inner)
          return movement.turn === (interval === 0 ? 'through' : 'right') ? 10 : 0;
        return 0;
      },
      { intervals: 2, length: 300 },
    );
    const vehicles = routesFromTurns(corridor, flows, {
      rng: seededRandom(2),
      departures: 'uniform',
    });
    const speed = corridor.getEdgeAttributes(entry).speedLimit;
    for (const vehicle of vehicles) {
      const arrival = vehicle.depart + (2 * 300) / speed;
      const turn = arrival < 300 ? 'n1_0-n2_0' : 'n1_0-n1_-1';
      expect(vehicle.route[2], vehicle.id).toBe(turn);
    }
    // Some leave in the first interval but reach the east signal in the second.
    const late = vehicles.filter((v) => v.depart < 300 && v.route[2] === 'n1_0-n1_-1');
    expect(late.length).toBeGreaterThan(0);
  });

  it('ends a route that would circle for ever after maxLinks links', () => {
    // Around a 2 × 2 block every inner approach turns right only: vehicles circle the block.
    const block = buildNetwork(gridSpec({ rows: 2, columns: 2, lanes: 1 }));
    const boundary = (link: string) =>
      block.getNodeAttribute(block.source(link), 'kind') === 'boundary';
    const flows = flowsOf(block, (movement) =>
      boundary(movement.from) ? 10 : movement.turn === 'right' ? 10 : 0,
    );
    const vehicles = routesFromTurns(block, flows, { rng: seededRandom(5), maxLinks: 9 });
    expect(Math.max(...vehicles.map((v) => v.route.length))).toBe(9);
  });
});
