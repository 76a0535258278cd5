// Tests for turning flows: timing along the route, intervals, PCE, and signal-group sums.
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../network/build.ts';
import { crossingSpec } from '../network/crossing.fixture.ts';
import { flowsAsTurning, signalGroupFlows, turningFlows } from './turning-flows.ts';
import type { VehicleTrip } from './types.ts';

const network = buildNetwork(crossingSpec());
const trip = (id: string, depart: number, route: string[], pce = 1): VehicleTrip => ({
  id,
  depart,
  route,
  vehicleType: 'car',
  pce,
});

describe('turningFlows', () => {
  it('counts each vehicle when it reaches the stop line at free-flow speed', () => {
    // 200 m at 13.89 m/s: the stop line is reached 14.4 s after departure.
    const vehicles = [
      trip('a', 0, ['s_in', 'n_out']),
      trip('b', 290, ['s_in', 'n_out']),
      trip('c', 10, ['w_in', 'e_out'], 3.5),
    ];
    const result = turningFlows(network, vehicles, { begin: 0, end: 600, interval: 300 });
    const through = result.flows.filter((flow) => flow.movement === 's_in>n_out');
    expect(through.map((flow) => flow.vehicles)).toEqual([1, 1]);
    expect(through.map((flow) => flow.flow)).toEqual([12, 12]);
    const heavy = result.flows.find((flow) => flow.movement === 'w_in>e_out' && flow.begin === 0)!;
    expect(heavy.vehicles).toBe(1);
    expect(heavy.flow).toBe(42); // 3.5 pcu in 300 s
  });

  it('leaves out vehicles reaching the stop line outside the window', () => {
    const result = turningFlows(network, [trip('late', 590, ['s_in', 'n_out'])], {
      begin: 0,
      end: 600,
    });
    expect(result.flows.every((flow) => flow.vehicles === 0)).toBe(true);
  });

  it('sums movements into signal groups', () => {
    const vehicles = Array.from({ length: 30 }, (_, i) =>
      trip(`v${i}`, i * 100, ['e_in', 'w_out']),
    );
    const result = turningFlows(network, vehicles, { begin: 0, end: 3600 });
    expect(signalGroupFlows(network, result.flows)).toEqual({ C: { ew: 30 } });
  });

  it('rejects an empty window', () => {
    expect(() => turningFlows(network, [], { begin: 10, end: 10 })).toThrow(RangeError);
  });
});

describe('flowsAsTurning', () => {
  it('spreads each rate over the window as one interval', () => {
    expect(flowsAsTurning({ a: 400, b: 0 }, { begin: 900, end: 2700 })).toEqual({
      begin: 900,
      end: 2700,
      interval: 1800,
      flows: [
        { movement: 'a', begin: 900, end: 2700, vehicles: 200, flow: 400 },
        { movement: 'b', begin: 900, end: 2700, vehicles: 0, flow: 0 },
      ],
    });
  });
});
