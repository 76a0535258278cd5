// Tests for the SUMO routes writer: order, vehicle types, routes, and a round trip through the reader.
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../../network/build.ts';
import { crossingSpec } from '../../network/crossing.fixture.ts';
import { parseSumoRoutes } from '../import/sumo-routes.ts';
import type { VehicleTrip } from '../types.ts';
import { sumoRoutesXml } from './sumo-routes-writer.ts';

const trip = (id: string, depart: number, route: string[], extra: Partial<VehicleTrip> = {}) => ({
  id,
  depart,
  route,
  vehicleType: 'car',
  pce: 1,
  ...extra,
});

const vehicles: VehicleTrip[] = [
  trip('late', 30.25, ['w_in', 'e_out'], { vehicleClass: 'passenger' }),
  trip('bus.1', 10, ['n_in', 's_out'], { vehicleType: 'bus', vehicleClass: 'bus', length: 12 }),
  trip('early', 0.0004, ['s_in', 'w_out']),
  trip('also-10', 10, ['e_in', 'n_out']),
];

describe('sumoRoutesXml', () => {
  const xml = sumoRoutesXml(vehicles, { comment: 'test -- demand' });

  it('writes well-formed XML with the vehicles sorted by departure, ties in input order', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    const order = [...xml.matchAll(/<vehicle id="([^"]+)"/g)].map((match) => match[1]);
    expect(order).toEqual(['early', 'bus.1', 'also-10', 'late']);
    expect(xml).toContain('<!-- test — demand -->');
  });

  it('writes one vType per type with its class and length, before the vehicles', () => {
    expect(xml).toContain('<vType id="car" vClass="passenger"/>');
    expect(xml).toContain('<vType id="bus" vClass="bus" length="12"/>');
    expect(xml.indexOf('<vType')).toBeLessThan(xml.indexOf('<vehicle'));
  });

  it('writes explicit routes and departure options', () => {
    expect(xml).toContain(
      '<vehicle id="late" type="car" depart="30.25" departLane="best" departSpeed="max">\n        <route edges="w_in e_out"/>',
    );
    const custom = sumoRoutesXml([vehicles[0]!], { departLane: 'free', departSpeed: '0' });
    expect(custom).toContain('departLane="free" departSpeed="0"');
  });

  it('writes a vehicle’s own departSpeed over the option, and reads it back', () => {
    const own = sumoRoutesXml([
      trip('slow', 0, ['w_in', 'e_out'], { departSpeed: 0 }),
      trip('fast', 1, ['w_in', 'e_out'], { departSpeed: 'max' }),
      trip('given', 2, ['w_in', 'e_out'], { departSpeed: 7.5 }),
      trip('default', 3, ['w_in', 'e_out']),
    ]);
    const speeds = [...own.matchAll(/departSpeed="([^"]+)"/g)].map((match) => match[1]);
    expect(speeds).toEqual(['0', 'max', '7.5', 'max']);
    const routing = { hasLink: () => true, isConnected: () => true, route: () => undefined };
    const read = parseSumoRoutes(own, 'own.rou.xml', routing).vehicles;
    expect(read.map((vehicle) => vehicle.departSpeed)).toEqual([0, 'max', 7.5, 'max']);
  });

  it('reads back as the same vehicles through the SUMO route reader', () => {
    const network = buildNetwork(crossingSpec());
    const movements = Object.values(network.getAttribute('movements'));
    const routing = {
      hasLink: (id: string) => network.hasEdge(id),
      isConnected: (from: string, to: string) =>
        movements.some((movement) => movement.from === from && movement.to === to),
      route: () => undefined,
    };
    const read = parseSumoRoutes(xml, 'written.rou.xml', routing).vehicles;
    expect(read.map((v) => [v.id, v.depart, v.route, v.vehicleType])).toEqual([
      ['early', 0, ['s_in', 'w_out'], 'car'],
      ['bus.1', 10, ['n_in', 's_out'], 'bus'],
      ['also-10', 10, ['e_in', 'n_out'], 'car'],
      ['late', 30.25, ['w_in', 'e_out'], 'car'],
    ]);
    expect(read[1]?.pce).toBe(3.5);
  });

  it('rejects a vehicle without a route, or with an id SUMO cannot read', () => {
    expect(() => sumoRoutesXml([trip('a', 0, [])])).toThrow(RangeError);
    expect(() => sumoRoutesXml([trip('a b', 0, ['w_in'])])).toThrow(RangeError);
    expect(() => sumoRoutesXml([trip('a', 0, ['w;in'])])).toThrow(RangeError);
    expect(() => sumoRoutesXml([trip('a', Number.NaN, ['w_in'])])).toThrow(RangeError);
  });
});
