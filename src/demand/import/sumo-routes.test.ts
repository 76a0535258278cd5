// Fixture tests for the SUMO route reader: hand-counted flows, PCE, routing, and files that must fail.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InputErrorCode } from '../../network/errors.ts';
import type { VehicleTrip } from '../types.ts';
import { parseSumoRoutes, readSumoVehicleTypes, type RoutableNetwork } from './sumo-routes.ts';
import { inputErrorOf } from '../../network/input-error-of.ts';

const fixtures = new URL('../../../fixtures/sumo-routes/', import.meta.url);

function readFixture(name: string): string {
  return readFileSync(new URL(name, fixtures), 'utf8');
}

/**
 * The test network, as links and the links each leads into:
 * `in → mid → outN | outE`, `side → mid`; `island` joins nothing.
 */
const SUCCESSORS: Readonly<Record<string, readonly string[]>> = {
  in: ['mid'],
  side: ['mid'],
  mid: ['outN', 'outE'],
  outN: [],
  outE: [],
  island: [],
};

/** Shortest path by links (breadth first), both ends included. */
function shortestPath(from: string, to: string): string[] | undefined {
  const previous = new Map<string, string | undefined>([[from, undefined]]);
  const queue = [from];
  for (let link = queue.shift(); link !== undefined; link = queue.shift()) {
    if (link === to) {
      const path: string[] = [];
      for (let step: string | undefined = to; step !== undefined; step = previous.get(step)) {
        path.unshift(step);
      }
      return path;
    }
    for (const next of SUCCESSORS[link] ?? []) {
      if (!previous.has(next)) {
        previous.set(next, link);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** A hand-made network with a BFS router that counts its calls. */
function fakeNetwork(): RoutableNetwork & { routeCalls: string[][] } {
  const routeCalls: string[][] = [];
  return {
    routeCalls,
    hasLink: (id) => id in SUCCESSORS,
    isConnected: (from, to) => (SUCCESSORS[from] ?? []).includes(to),
    route(from, to, via = []) {
      routeCalls.push([from, to, ...via]);
      const stops = [from, ...via, to];
      const path = [from];
      for (let index = 1; index < stops.length; index += 1) {
        const leg = shortestPath(stops[index - 1] ?? from, stops[index] ?? to);
        if (leg === undefined) return undefined;
        path.push(...leg.slice(1));
      }
      return path;
    },
  };
}

function departuresOf(vehicles: VehicleTrip[], flowId: string): number[] {
  return vehicles.filter((v) => v.id.startsWith(`${flowId}.`)).map((v) => v.depart);
}

function parse(xml: string, options?: { begin?: number; end?: number }): VehicleTrip[] {
  return parseSumoRoutes(xml, 'inline.rou.xml', fakeNetwork(), options).vehicles;
}

describe('parseSumoRoutes: small.rou.xml', () => {
  const file = 'fixtures/sumo-routes/small.rou.xml';
  const demand = parseSumoRoutes(readFixture('small.rou.xml'), file, fakeNetwork());
  const byId = new Map(demand.vehicles.map((vehicle) => [vehicle.id, vehicle]));

  it('reads 3 vehicles, 2 trips and 5 + 10 + 3 + 5 flow vehicles, and skips persons and containers', () => {
    expect(demand.vehicles).toHaveLength(28);
    expect(demand.source).toBe(file);
    expect(byId.has('p1')).toBe(false);
    expect(byId.has('c1')).toBe(false);
  });

  it('sorts the vehicles by departure', () => {
    const departs = demand.vehicles.map((vehicle) => vehicle.depart);
    expect(departs).toEqual([...departs].sort((a, b) => a - b));
    expect(demand.vehicles.slice(0, 3).map((vehicle) => vehicle.id)).toEqual([
      'fNumber.0',
      'fRate.0',
      'fProbability.0',
    ]);
  });

  it('spaces number="5" over 0–100 s evenly, as SUMO does: 0, 20, 40, 60, 80', () => {
    expect(departuresOf(demand.vehicles, 'fNumber')).toEqual([0, 20, 40, 60, 80]);
  });

  it('turns vehsPerHour="360" over 0–100 s into 10 vehicles at 0, 10, …, 90', () => {
    expect(departuresOf(demand.vehicles, 'fRate')).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it('gives period="10" over 10–40 s three vehicles, the end excluded', () => {
    expect(departuresOf(demand.vehicles, 'fPeriod')).toEqual([10, 20, 30]);
  });

  it('turns probability="0.05" over 100 s into its expected 5 vehicles, 20 s apart', () => {
    expect(departuresOf(demand.vehicles, 'fProbability')).toEqual([0, 20, 40, 60, 80]);
  });

  it('gives a bus 3.5 PCE, a bicycle 0.2, an untyped vehicle 1, and a distribution its weighted mean', () => {
    expect(byId.get('v2')).toMatchObject({ vehicleType: 'bus', pce: 3.5 });
    expect(byId.get('fPeriod.0')).toMatchObject({ vehicleType: 'bus', pce: 3.5 });
    expect(byId.get('t1')).toMatchObject({ vehicleType: 'bike', pce: 0.2 });
    expect(byId.get('v3')).toMatchObject({ vehicleType: 'DEFAULT_VEHTYPE', pce: 1 });
    expect(byId.get('t2')).toMatchObject({ vehicleType: 'mix', pce: 0.75 * 1 + 0.25 * 3.5 });
    const totalPce = demand.vehicles.reduce((sum, vehicle) => sum + vehicle.pce, 0);
    // car 1+5, bus 1+3 at 3.5, bike 0.2, mix 1.625, untyped 1+10+5
    expect(totalPce).toBeCloseTo(6 + 4 * 3.5 + 0.2 + 1.625 + 16, 10);
  });

  it('gives each vehicle its vType’s class and length, passenger and no length when untyped', () => {
    expect(byId.get('v2')).toMatchObject({ vehicleClass: 'bus', length: 12 });
    expect(byId.get('fNumber.0')).toMatchObject({ vehicleClass: 'passenger', length: 4.5 });
    expect(byId.get('v3')?.vehicleClass).toBe('passenger');
    expect(byId.get('v3')).not.toHaveProperty('length');
    // A distribution's members differ in class and length, so it gives neither.
    expect(byId.get('t2')).not.toHaveProperty('vehicleClass');
    expect(byId.get('t2')).not.toHaveProperty('length');
  });

  it('takes routes by reference, nested, and as the most probable of a distribution', () => {
    expect(byId.get('v1')?.route).toEqual(['in', 'mid', 'outN']);
    expect(byId.get('v2')?.route).toEqual(['in', 'mid', 'outE']);
    expect(byId.get('v3')?.route).toEqual(['in', 'mid', 'outE']);
    expect(byId.get('fNumber.3')?.route).toEqual(['in', 'mid', 'outN']);
    expect(byId.get('fPeriod.2')?.route).toEqual(['side', 'mid', 'outE']);
  });

  it('routes trips and from/to flows on the network, through via', () => {
    expect(byId.get('t1')?.route).toEqual(['side', 'mid', 'outE']);
    expect(byId.get('t2')?.route).toEqual(['in', 'mid', 'outN']);
    expect(byId.get('fRate.9')?.route).toEqual(['in', 'mid', 'outE']);
    expect(byId.get('fProbability.0')?.route).toEqual(['side', 'mid', 'outN']);
  });

  it('gives every vehicle its own route array', () => {
    const [first, second] = demand.vehicles.filter((vehicle) => vehicle.id.startsWith('fRate.'));
    expect(first?.route).not.toBe(second?.route);
  });
});

describe('parseSumoRoutes: the demand window', () => {
  const xml = readFixture('small.rou.xml');

  it('keeps departures in [begin, end): 11 of 28 in [10, 50)', () => {
    const vehicles = parse(xml, { begin: 10, end: 50 });
    expect(vehicles).toHaveLength(11);
    expect(departuresOf(vehicles, 'fNumber')).toEqual([20, 40]);
    expect(departuresOf(vehicles, 'fRate')).toEqual([10, 20, 30, 40]);
    expect(departuresOf(vehicles, 'fPeriod')).toEqual([10, 20, 30]);
    expect(departuresOf(vehicles, 'fProbability')).toEqual([20, 40]);
  });

  it('includes a vehicle departing at begin and excludes one departing at end', () => {
    expect(parse(xml, { begin: 3, end: 5 }).map((vehicle) => vehicle.id)).toEqual(['v2', 't2']);
  });

  it('keeps a flow vehicle its index in the whole flow', () => {
    const vehicles = parse(xml, { begin: 50, end: 100 });
    expect(vehicles.filter((v) => v.id.startsWith('fRate.')).map((v) => v.id)).toEqual([
      'fRate.5',
      'fRate.6',
      'fRate.7',
      'fRate.8',
      'fRate.9',
    ]);
  });

  it('takes a flow without begin or end from the window, as SUMO takes the run', () => {
    const vehicles = parse(
      '<routes><flow id="f" number="4" route="r"/><route id="r" edges="in mid"/></routes>',
      {
        begin: 100,
        end: 200,
      },
    );
    expect(vehicles.map((vehicle) => vehicle.depart)).toEqual([100, 125, 150, 175]);
  });

  it('refuses a window that ends before it begins', () => {
    expect(() =>
      parseSumoRoutes(xml, 'small.rou.xml', fakeNetwork(), { begin: 100, end: 50 }),
    ).toThrow(RangeError);
  });
});

describe('parseSumoRoutes: flow rules', () => {
  const flow = (attributes: string): number[] =>
    parse(`<routes><flow id="f" ${attributes} from="in" to="outN"/></routes>`).map((v) => v.depart);

  it('rounds up a period that does not divide the duration: period 30 over 0–100 s → 0, 30, 60, 90', () => {
    expect(flow('begin="0" end="100" period="30"')).toEqual([0, 30, 60, 90]);
  });

  it('gives vehsPerHour="1000" over an hour 1000 vehicles, 3.6 s apart', () => {
    const departs = flow('begin="0" end="3600" vehsPerHour="1000"');
    expect(departs).toHaveLength(1000);
    expect(departs.slice(0, 3)).toEqual([0, 3.6, 7.2]);
    expect(departs.at(-1)).toBe(3596.4);
  });

  it('reads period="exp(0.1)" as its mean headway, 10 s', () => {
    expect(flow('begin="0" end="100" period="exp(0.1)"')).toEqual([
      0, 10, 20, 30, 40, 50, 60, 70, 80, 90,
    ]);
  });

  it('rounds the expected count of a probability flow: 0.3 × 10 s → 3 vehicles, 1/0.3 s apart', () => {
    expect(flow('begin="0" end="10" probability="0.3"')).toEqual([0, 3.333, 6.667]);
  });

  it('stops a number + period flow after number vehicles', () => {
    expect(flow('begin="2" period="5" number="3"')).toEqual([2, 7, 12]);
  });

  it('spreads number over 24 h when neither the flow nor the window ends it, as SUMO does', () => {
    expect(flow('begin="0" number="4"')).toEqual([0, 21600, 43200, 64800]);
  });

  it('spaces number in whole milliseconds, cut down: 3 over 200 s → 0, 66.666, 133.332', () => {
    expect(flow('begin="0" end="200" number="3"')).toEqual([0, 66.666, 133.332]);
  });

  it('gives number="0" no vehicles', () => {
    expect(flow('begin="0" end="100" number="0"')).toEqual([]);
  });

  it('takes begin and end from an enclosing <interval>', () => {
    const vehicles = parse(`<routes><interval begin="100" end="130">
      <flow id="f" period="10" from="in" to="outN"/>
    </interval></routes>`);
    expect(vehicles.map((vehicle) => vehicle.depart)).toEqual([100, 110, 120]);
  });

  it('reads clock times: depart="07:00:00" is 25200 s', () => {
    const vehicles = parse('<routes><trip id="t" depart="07:00:00" from="in" to="outE"/></routes>');
    expect(vehicles[0]?.depart).toBe(25200);
  });
});

describe('parseSumoRoutes: vehicle types and route distributions', () => {
  it('weights a vTypeDistribution given as vTypes and probabilities', () => {
    const vehicles = parse(`<routes>
      <vType id="car"/><vType id="coach" vClass="coach"/><vType id="moto" vClass="motorcycle"/>
      <vTypeDistribution id="d" vTypes="car coach moto" probabilities="2 1 1"/>
      <trip id="t" type="d" depart="0" from="in" to="outN"/>
    </routes>`);
    expect(vehicles[0]?.pce).toBeCloseTo((2 * 1 + 3.5 + 0.5) / 4, 12);
  });

  it('lets a file redefine DEFAULT_VEHTYPE, which untyped vehicles then use', () => {
    const vehicles = parse(`<routes>
      <vTypeDistribution id="DEFAULT_VEHTYPE">
        <vType id="lorry" vClass="truck" probability="0.2"/><vType id="car" probability="0.8"/>
      </vTypeDistribution>
      <trip id="t" depart="0" from="in" to="outN"/>
    </routes>`);
    expect(vehicles[0]).toMatchObject({ vehicleType: 'DEFAULT_VEHTYPE', pce: 0.2 * 3.5 + 0.8 });
  });

  it('resolves a vehicle route naming a top-level routeDistribution to its most probable route', () => {
    const vehicles = parse(`<routes>
      <route id="north" edges="in mid outN" probability="1"/>
      <routeDistribution id="split">
        <route id="east" edges="in mid outE" probability="3"/>
        <route refId="north" probability="2"/>
      </routeDistribution>
      <vehicle id="a" depart="0" route="split"/>
      <vehicle id="b" depart="1" route="east"/>
    </routes>`);
    expect(vehicles.map((vehicle) => vehicle.route)).toEqual([
      ['in', 'mid', 'outE'],
      ['in', 'mid', 'outE'],
    ]);
  });

  it('breaks a tie between equally probable routes by taking the first listed', () => {
    const vehicles = parse(`<routes><vehicle id="v" depart="0"><routeDistribution>
      <route edges="side mid outN" probability="0.5"/><route edges="in mid outE" probability="0.5"/>
    </routeDistribution></vehicle></routes>`);
    expect(vehicles[0]?.route).toEqual(['side', 'mid', 'outN']);
  });

  it('reads a routeDistribution listing routes="…", each weighted by its own probability', () => {
    const vehicles = parse(`<routes>
      <route id="north" edges="in mid outN" probability="0.4"/>
      <route id="east" edges="side mid outE" probability="0.6"/>
      <routeDistribution id="split" routes="north east"/>
      <flow id="f" begin="0" end="10" number="1" route="split"/>
    </routes>`);
    expect(vehicles[0]?.route).toEqual(['side', 'mid', 'outE']);
  });

  it('lists the file’s vTypes with length and PCE', () => {
    const types = readSumoVehicleTypes(readFixture('small.rou.xml'), 'small.rou.xml');
    expect(types.map((type) => type.id)).toEqual([
      'car',
      'bus',
      'bike',
      'mixCar',
      'mixTruck',
      'mix',
    ]);
    expect(types[1]).toEqual({ id: 'bus', vehicleClass: 'bus', length: 12, pce: 3.5 });
    expect(types[5]).toEqual({ id: 'mix', pce: 1.625 });
  });
});

describe('parseSumoRoutes: routing', () => {
  it('routes each origin, destination and via once, however many trips share them', () => {
    const trips = Array.from(
      { length: 50 },
      (_, index) => `<trip id="t${index}" depart="${index}" from="in" to="outE"/>`,
    ).join('');
    const network = fakeNetwork();
    const xml = `<routes>${trips}<trip id="v" depart="0" from="in" to="outE" via="mid"/>
      <flow id="f" begin="0" end="100" period="1" from="in" to="outE"/></routes>`;
    const demand = parseSumoRoutes(xml, 'many.rou.xml', network);
    expect(demand.vehicles).toHaveLength(151);
    expect(network.routeCalls).toEqual([
      ['in', 'outE'],
      ['in', 'outE', 'mid'],
    ]);
  });
});

describe('parseSumoRoutes: depart speed', () => {
  const speeds = (attributes: string): Array<number | 'max' | undefined> =>
    parse(
      `<routes>
        <vehicle id="v" depart="0" ${attributes}><route edges="in mid"/></vehicle>
        <trip id="t" depart="1" from="in" to="outN" ${attributes}/>
        <flow id="f" begin="2" end="4" period="1" from="side" to="outE" ${attributes}/>
      </routes>`,
    ).map((vehicle) => vehicle.departSpeed);

  it('leaves departSpeed out when the file gives none: SUMO inserts at 0 m/s', () => {
    expect(speeds('')).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('reads a number as metres per second on vehicles, trips and every vehicle of a flow', () => {
    expect(speeds('departSpeed="8.5"')).toEqual([8.5, 8.5, 8.5, 8.5]);
  });

  it('reads max, desired and speedLimit as max', () => {
    for (const word of ['max', 'desired', 'speedLimit']) {
      expect(speeds(`departSpeed="${word}"`)).toEqual(['max', 'max', 'max', 'max']);
    }
  });

  it('refuses a negative or unknown departSpeed with BAD_VALUE', () => {
    for (const text of ['-1', 'fast']) {
      expect(inputErrorOf(() => speeds(`departSpeed="${text}"`)).code).toBe('BAD_VALUE');
    }
  });
});

describe('parseSumoRoutes: files that must fail', () => {
  const cases: Array<[file: string, code: InputErrorCode, element?: string]> = [
    ['unknown-edge-in-a-route.rou.xml', 'UNKNOWN_LINK', 'vehicle id="v12" route edges'],
    ['route-that-does-not-connect.rou.xml', 'ROUTE_NOT_CONNECTED', 'route id="shortcut" edges'],
    ['trip-with-no-path.rou.xml', 'NO_ROUTE', 'trip id="t1"'],
    ['unknown-vehicle-type.rou.xml', 'UNKNOWN_VEHICLE_TYPE', 'vehicle id="v1" type'],
    ['vehicle-naming-an-undefined-route.rou.xml', 'UNKNOWN_ROUTE', 'vehicle id="v1" route'],
    ['flow-with-two-rates.rou.xml', 'BAD_VALUE'],
    ['triggered-departure.rou.xml', 'BAD_VALUE', 'vehicle id="v1" depart'],
    ['unclosed-vehicle-element.rou.xml', 'PARSE_FAILED'],
    ['network-file-instead-of-routes.rou.xml', 'FORMAT_UNKNOWN'],
  ];

  it.each(cases)('%s → %s', (name, code, element) => {
    const file = `fixtures/sumo-routes/invalid/${name}`;
    const error = inputErrorOf(() =>
      parseSumoRoutes(readFixture(`invalid/${name}`), file, fakeNetwork()),
    );
    expect(error.file).toBe(file);
    expect(error.code).toBe(code);
    expect(error.problems.map((problem) => problem.code)).toEqual([code]);
    if (element !== undefined) expect(error.problems[0]?.element).toBe(element);
  });

  it('collects every problem of a file before it throws', () => {
    const xml = `<routes>
      <vehicle id="a" type="ghostType" depart="-1"><route edges="in nowhere"/></vehicle>
      <vehicle id="a" depart="0" route="missing"/>
      <flow id="f" begin="0" end="10" vehsPerHour="0" from="island" to="outN"/>
      <flow id="g" begin="0" end="10" probability="1.5" from="in" to="outN"/>
      <flow id="h" begin="20" end="10" period="1" from="in" to="outN"/>
      <flow id="k" from="in" to="outN"/>
    </routes>`;
    const error = inputErrorOf(() => parse(xml));
    expect(error.problems.map((problem) => problem.code)).toEqual([
      'BAD_VALUE', // depart -1
      'UNKNOWN_VEHICLE_TYPE',
      'UNKNOWN_LINK',
      'DUPLICATE_ID',
      'UNKNOWN_ROUTE', // route "missing"
      'NO_ROUTE', // island → outN
      'BAD_VALUE', // vehsPerHour 0
      'BAD_VALUE', // probability 1.5
      'BAD_VALUE', // ends before it begins
      'MISSING_ATTRIBUTE', // no amount
    ]);
  });

  it('fails a file whose only bad vehicle departs outside the window', () => {
    const xml = readFixture('invalid/unknown-vehicle-type.rou.xml');
    expect(inputErrorOf(() => parse(xml, { begin: 100, end: 200 })).code).toBe(
      'UNKNOWN_VEHICLE_TYPE',
    );
  });

  it('names the unknown edge of a trip by its role', () => {
    const error = inputErrorOf(() =>
      parse('<routes><trip id="t" depart="0" from="in" to="outN" via="ghost"/></routes>'),
    );
    expect(error.problems.map((problem) => [problem.code, problem.element])).toEqual([
      ['UNKNOWN_LINK', 'trip id="t" via'],
    ]);
  });

  it('reports a refId or a distribution member naming an undefined route as UNKNOWN_ROUTE', () => {
    const error = inputErrorOf(() =>
      parse(`<routes>
        <routeDistribution id="split" routes="ghost"><route refId="phantom"/></routeDistribution>
      </routes>`),
    );
    expect(error.problems.map((problem) => [problem.code, problem.element])).toEqual([
      ['UNKNOWN_ROUTE', 'routeDistribution id="split" route refId'],
      ['UNKNOWN_ROUTE', 'routeDistribution id="split" routes'],
    ]);
  });

  it('refuses a vehicle with no route at all', () => {
    expect(inputErrorOf(() => parse('<routes><vehicle id="v" depart="0"/></routes>')).code).toBe(
      'MISSING_ATTRIBUTE',
    );
  });
});
