// Fixture tests for the CityFlow flow importer: departures, routes checked against a roadnet, bad files.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InputErrorCode } from '../../network/errors.ts';
import { parseCityflowRoadnet } from '../../network/import/cityflow-roadnet.ts';
import { parseCityflowFlow, type CityflowFlowOptions } from './cityflow-flow.ts';
import { inputErrorOf } from '../../network/input-error-of.ts';

const fixtures = new URL('../../../fixtures/cityflow/', import.meta.url);

function readFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));
}

/** The link ids and road link pairs of the one-intersection roadnet. */
function networkOptions(): CityflowFlowOptions {
  const spec = parseCityflowRoadnet(readFixture('one-intersection.roadnet.json'), 'roadnet.json');
  return {
    linkIds: new Set(spec.links.map((link) => link.id)),
    roadLinkPairs: new Set(spec.movements.map((movement) => `${movement.from}>${movement.to}`)),
  };
}

describe('parseCityflowFlow: one intersection', () => {
  const file = 'fixtures/cityflow/one-intersection.flow.json';
  const demand = parseCityflowFlow(
    readFixture('one-intersection.flow.json'),
    file,
    networkOptions(),
  );

  it('sends one vehicle per departure: three single vehicles and a flow of three', () => {
    expect(demand.source).toBe(file);
    expect(demand.vehicles.map((vehicle) => [vehicle.id, vehicle.depart])).toEqual([
      ['flow_0_0', 0],
      ['flow_1_0', 3],
      ['flow_2_0', 7],
      ['flow_3_0', 60],
      ['flow_3_1', 70],
      ['flow_3_2', 80],
    ]);
  });

  it('routes each vehicle on the entry roads, as one car', () => {
    expect(demand.vehicles[1]).toEqual({
      id: 'flow_1_0',
      depart: 3,
      route: ['road_1_0_1', 'road_1_1_2'],
      vehicleType: 'cityflow',
      pce: 1,
    });
  });
});

describe('parseCityflowFlow: departures', () => {
  const entry = (startTime: number, endTime: number, interval: number): unknown => [
    { route: ['a'], startTime, endTime, interval },
  ];
  const departures = (json: unknown): number[] =>
    parseCityflowFlow(json, 'flow.json').vehicles.map((vehicle) => vehicle.depart);

  it('includes endTime when the interval lands on it, even in floating point', () => {
    // 0.3 / 0.1 is 2.9999999999999996 in floating point: the vehicle at 0.3 s must still depart.
    expect(departures(entry(0, 0.3, 0.1))).toHaveLength(4);
  });

  it('stops before endTime when the interval does not land on it', () => {
    expect(departures(entry(10, 25, 10))).toEqual([10, 20]);
  });

  it('sends one vehicle when startTime equals endTime, whatever the interval', () => {
    expect(departures(entry(42, 42, 0))).toEqual([42]);
  });

  it('checks no route against a network it was not given', () => {
    const json = [{ route: ['x', 'y'], startTime: 0, endTime: 0, interval: 1 }];
    expect(parseCityflowFlow(json, 'flow.json').vehicles).toHaveLength(1);
  });
});

describe('parseCityflowFlow: bad files', () => {
  const cases: [file: string, code: InputErrorCode][] = [
    ['route-that-does-not-connect.flow.json', 'ROUTE_NOT_CONNECTED'],
    ['route-through-a-missing-road.flow.json', 'UNKNOWN_LINK'],
    ['flow-with-an-empty-route.flow.json', 'NO_ROUTE'],
    ['flow-over-a-minute-with-no-interval.flow.json', 'BAD_VALUE'],
    ['flow-without-an-end-time.flow.json', 'MISSING_ATTRIBUTE'],
  ];

  it.each(cases)('%s → %s', (file, code) => {
    const path = `fixtures/cityflow/invalid/${file}`;
    const error = inputErrorOf(() =>
      parseCityflowFlow(readFixture(`invalid/${file}`), path, networkOptions()),
    );
    expect(error.code).toBe(code);
    expect(error.file).toBe(path);
    expect(error.problems.map((problem) => problem.code)).toEqual([code]);
  });

  it('names the flow entry and the pair of roads that do not connect', () => {
    const error = inputErrorOf(() =>
      parseCityflowFlow(
        readFixture('invalid/route-that-does-not-connect.flow.json'),
        'flow.json',
        networkOptions(),
      ),
    );
    expect(error.problems[0]?.element).toBe('flows[0].route[1..2]');
    expect(error.problems[0]?.message).toContain('road_1_1_3');
    expect(error.problems[0]?.message).toContain('road_1_1_0');
  });

  it.each([null, {}, 'flows', 7])('rejects %j, which is not an array', (json) => {
    expect(inputErrorOf(() => parseCityflowFlow(json, 'bad.json')).code).toBe('FORMAT_UNKNOWN');
  });

  it('rejects times that are not finite numbers', () => {
    const json = [{ route: ['a'], startTime: '0', endTime: 0, interval: 1 }];
    expect(inputErrorOf(() => parseCityflowFlow(json, 'bad.json')).code).toBe('BAD_VALUE');
  });

  it('rejects an endTime before the startTime', () => {
    const json = [{ route: ['a'], startTime: 10, endTime: 5, interval: 1 }];
    expect(inputErrorOf(() => parseCityflowFlow(json, 'bad.json')).code).toBe('BAD_VALUE');
  });
});
