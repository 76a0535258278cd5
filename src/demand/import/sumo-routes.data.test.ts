// Validation on the RESCO route files: vehicle counts and windows from the data README, vTypes and buses.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSumoRoutes, readSumoVehicleTypes, type RoutableNetwork } from './sumo-routes.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dataDirectory = process.env.GREENWAVE_DATA ?? path.resolve(repositoryRoot, '../shared/data');
const resco = path.join(dataDirectory, 'resco');

function readRoutes(map: string): string {
  return readFileSync(path.join(resco, map, `${map}.rou.xml`), 'utf8');
}

/** Every edge exists and joins every other; a trip drives straight from origin to destination. */
const anyNetwork: RoutableNetwork = {
  hasLink: () => true,
  isConnected: () => true,
  route: (from, to) => [from, to],
};

describe('parseSumoRoutes on the RESCO route files', () => {
  it('cologne3: 4494 vehicles in the file, 2856 departing in the simulated hour 25200–28800 s', () => {
    const xml = readRoutes('cologne3');
    const all = parseSumoRoutes(xml, 'cologne3.rou.xml', anyNetwork);
    const peak = parseSumoRoutes(xml, 'cologne3.rou.xml', anyNetwork, { begin: 25200, end: 28800 });
    expect(all.vehicles).toHaveLength(4494);
    expect(peak.vehicles).toHaveLength(2856);
    expect(peak.vehicles.every((v) => v.depart >= 25200 && v.depart < 28800)).toBe(true);
    expect(peak.vehicles.every((v) => v.vehicleType === 'pkw' && v.pce === 1)).toBe(true);
    expect(all.vehicles.every((v) => v.route.length >= 1)).toBe(true);
  });

  it('cologne1: 2015 trips, all in 25200–28800 s', () => {
    const demand = parseSumoRoutes(readRoutes('cologne1'), 'cologne1.rou.xml', anyNetwork, {
      begin: 25200,
      end: 28800,
    });
    expect(demand.vehicles).toHaveLength(2015);
  });

  it('ingolstadt1: 45 vTypes; 1716 trips in 57600–61200 s, of which 17 buses at 3.5 PCE', () => {
    const xml = readRoutes('ingolstadt1');
    expect(readSumoVehicleTypes(xml, 'ingolstadt1.rou.xml')).toHaveLength(45);
    const demand = parseSumoRoutes(xml, 'ingolstadt1.rou.xml', anyNetwork, {
      begin: 57600,
      end: 61200,
    });
    expect(demand.vehicles).toHaveLength(1716);
    const buses = demand.vehicles.filter((v) => v.vehicleType === 'bus');
    expect(buses).toHaveLength(17);
    expect(buses.every((bus) => bus.pce === 3.5)).toBe(true);
    expect(demand.vehicles.filter((v) => v.pce !== 3.5).every((v) => v.pce === 1)).toBe(true);
  });
});
