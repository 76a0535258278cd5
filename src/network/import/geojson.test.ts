// Tests for the GeoJSON network importer: the fixtures, the invalid files, the defaults and the schema.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../../timing/validate.ts';
import { buildNetwork } from '../build.ts';
import type { InputErrorCode } from '../errors.ts';
import type { NetworkSpec, Position } from '../types.ts';
import { parseGeojsonNetwork } from './geojson.ts';
import { inputErrorOf } from '../input-error-of.ts';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/networks');
const INVALID = join(FIXTURES, 'invalid');
const SCHEMA = JSON.parse(
  readFileSync(join(import.meta.dirname, 'geojson.schema.json'), 'utf8'),
) as Schema;

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const load = (name: string): NetworkSpec =>
  parseGeojsonNetwork(readJson(join(FIXTURES, name)), name);

/** Metres between two lon/lat points on a sphere, equirectangular: independent of Turf. */
function flatDistance([lon1, lat1]: Position, [lon2, lat2]: Position): number {
  const radians = Math.PI / 180;
  const x = (lon2 - lon1) * radians * Math.cos(((lat1 + lat2) / 2) * radians);
  const y = (lat2 - lat1) * radians;
  return Math.hypot(x, y) * 6_371_008.8;
}

function codes(json: unknown): InputErrorCode[] {
  return inputErrorOf(() => parseGeojsonNetwork(json, 'test.geojson')).problems.map((p) => p.code);
}

function expectEveryLinkLengthPlausible(spec: NetworkSpec): void {
  const position = new Map(spec.intersections.map((node) => [node.id, node.position]));
  for (const link of spec.links) {
    const straight = flatDistance(position.get(link.from)!, position.get(link.to)!);
    expect(link.length! / straight, link.id).toBeCloseTo(1, 2);
    for (const lane of link.lanes) expect(lane.length).toBe(link.length);
  }
}

describe('parseGeojsonNetwork: Jinshui Road, Zhengzhou', () => {
  const spec = load('zhengzhou-jinshui-road.geojson');
  const link = (id: string) => spec.links.find((l) => l.id === id)!;
  const movement = (id: string) => spec.movements.find((m) => m.id === id);

  it('reads 9 signalized crossings, 20 boundary nodes, 56 links and 10 detectors', () => {
    const kinds = spec.intersections.map((node) => node.kind);
    expect(kinds.filter((kind) => kind === 'signalized')).toHaveLength(9);
    expect(kinds.filter((kind) => kind === 'boundary')).toHaveLength(20);
    expect(spec.links).toHaveLength(56);
    expect(spec.signals).toHaveLength(9);
    expect(spec.detectors).toHaveLength(10);
    expect(spec.coordinates).toBe('lonlat');
    expect(spec.source).toBe('zhengzhou-jinshui-road.geojson');
  });

  it('measures every link from its geometry, close to the distance between its intersections', () => {
    expectEveryLinkLengthPlausible(spec);
    const blocks = spec.links.filter((l) => /^jinshui-eb-[1-8]$/.test(l.id));
    for (const block of blocks) expect(block.length).toBeGreaterThan(250);
    for (const block of blocks) expect(block.length).toBeLessThan(550);
    // irregular spacing: the longest block is well over the shortest
    const lengths = blocks.map((block) => block.length!);
    expect(Math.max(...lengths) - Math.min(...lengths)).toBeGreaterThan(150);
  });

  it('turns km/h and m/s speed limits into m/s, and lane objects into widths', () => {
    expect(link('jinshui-eb-0').lanes.map((lane) => lane.speedLimit)).toEqual([
      60 / 3.6,
      60 / 3.6,
      60 / 3.6,
    ]);
    expect(link('jinshui-eb-1').lanes.map((lane) => lane.width)).toEqual([3.5, 3.25, 3]);
    expect(link('jingsan-nb-in').lanes.map((lane) => lane.speedLimit)).toEqual([11.11, 11.11]);
  });

  it("keeps each intersection's name", () => {
    const weilai = spec.intersections.find((node) => node.id === 'weilai')!;
    expect(weilai.name).toBe('Jinshui Road / Weilai Road (金水路/未来路)');
  });

  it('keeps each lane\'s arrows from the link\'s "turns", rightmost lane first', () => {
    expect(link('jingsan-nb-in').lanes.map((lane) => lane.turns)).toEqual([
      ['right', 'through'],
      ['left', 'through'],
    ]);
  });

  it('assigns lanes by their arrows: right and through from lane 0, left from lane 2 only', () => {
    expect(movement('jinshui-eb-1>jingsan-sb-out')!.lanes).toEqual([{ fromLane: 0, toLane: 0 }]);
    expect(movement('jinshui-eb-1>jinshui-eb-2')!.lanes).toEqual([
      { fromLane: 0, toLane: 0 },
      { fromLane: 1, toLane: 1 },
    ]);
    expect(movement('jinshui-eb-1>jingsan-nb-out')!.lanes).toEqual([{ fromLane: 2, toLane: 1 }]);
    expect(movement('jinshui-eb-1>jinshui-wb-1')).toBeUndefined(); // no U-turn by default
  });

  it('keeps a listed U-turn, with its signal group', () => {
    expect(movement('jinshui-wb-7>jinshui-eb-7')).toMatchObject({
      turn: 'uturn',
      lanes: [{ fromLane: 2, toLane: 2 }],
      signal: 'JS-07',
      signalGroup: 'WB-U',
    });
  });

  it('gives every movement at a signal its signal group', () => {
    expect(spec.movements).toHaveLength(9 * 12 + 1);
    expect(spec.movements.filter((m) => m.signalGroup === undefined)).toEqual([]);
  });

  it('reads signal ids, pedestrian groups and plans', () => {
    expect(spec.signals.map((signal) => signal.id)).toContain('dongming'); // no id: the intersection's
    const weilai = spec.signals.find((signal) => signal.id === 'JS-07')!;
    expect(weilai.intersections).toEqual(['weilai']);
    expect(weilai.signalGroups.find((group) => group.id === 'P-W')).toEqual({
      id: 'P-W',
      kind: 'pedestrian',
      minGreen: 7,
      crosses: ['jinshui-eb-6', 'jinshui-wb-6'],
      crossingLength: 26,
    });
    expect(weilai.programs?.map((plan) => [plan.id, plan.cycleLength, plan.origin])).toEqual([
      ['weekday-peak', 140, 'geojson'],
      ['off-peak', 120, 'geojson'],
    ]);
    const jingwu = spec.signals.find((signal) => signal.id === 'JS-03')!;
    expect(jingwu.programs?.[0]?.id).toBe('plan-1');
  });

  it('has plans whose stages fill the cycle, with yellow 3 s and all-red 2 s', () => {
    for (const plan of spec.signals.flatMap((signal) => signal.programs ?? [])) {
      const filled = plan.stages.reduce((sum, s) => sum + s.green + s.yellow + s.allRed, 0);
      expect(filled, `${plan.signal} ${plan.id}`).toBe(plan.cycleLength);
      expect(plan.offset).toBeLessThan(plan.cycleLength);
      for (const stage of plan.stages) expect([stage.yellow, stage.allRed]).toEqual([3, 2]);
    }
  });

  it('places detectors given by position or by location near the stop line', () => {
    const detectors = spec.detectors!;
    const given = detectors.find((d) => d.id === 'jingsan-eb-stopline-0')!;
    expect(given.position).toBeCloseTo(link('jinshui-eb-1').length! - 3, 0);
    for (const detector of detectors.filter((d) => d.kind === 'stopline')) {
      const length = link(detector.link).length!;
      expect(length - detector.position, detector.id).toBeCloseTo(3, 0);
    }
    const advance = detectors.find((d) => d.kind === 'advance')!;
    expect(link(advance.link).length! - advance.position).toBeCloseTo(100, 0);
  });
});

describe('parseGeojsonNetwork: 3×3 grid', () => {
  const spec = load('grid-3x3.geojson');

  it('reads 9 signals, 12 boundary nodes and 48 links', () => {
    expect(spec.intersections).toHaveLength(21);
    expect(spec.intersections.filter((node) => node.kind === 'boundary')).toHaveLength(12);
    expect(spec.links).toHaveLength(48);
    expect(spec.signals).toHaveLength(9);
    expect(spec.detectors).toBeUndefined();
    expectEveryLinkLengthPlausible(spec);
    for (const link of spec.links.filter((l) => /-[12]$/.test(l.id))) {
      expect(link.length).toBeCloseTo(300, -1);
    }
  });

  it('gives lanes without arrows by turn: right from lane 0, left from the leftmost, through from all', () => {
    const movement = (id: string) => spec.movements.find((m) => m.id === id)!;
    // J22 from the west: row2-eb-1 → east row2-eb-2, south col2-sb-2, north col2-nb-1
    expect(movement('row2-eb-1>row2-eb-2').lanes).toEqual([
      { fromLane: 0, toLane: 0 },
      { fromLane: 1, toLane: 1 },
    ]);
    expect(movement('row2-eb-1>col2-sb-2').lanes).toEqual([{ fromLane: 0, toLane: 0 }]);
    expect(movement('row2-eb-1>col2-nb-1').lanes).toEqual([{ fromLane: 1, toLane: 1 }]);
    expect(spec.movements).toHaveLength(9 * 12);
  });
});

describe('parseGeojsonNetwork: buildNetwork and validatePlan accept the fixtures', () => {
  for (const name of ['zhengzhou-jinshui-road.geojson', 'grid-3x3.geojson']) {
    it(name, () => {
      const network = buildNetwork(load(name));
      const signals = Object.values(network.getAttribute('signals'));
      expect(signals.length).toBe(9);
      for (const signal of signals) {
        for (const plan of signal.programs) expect(validatePlan(plan, signal)).toEqual([]);
      }
    });
  }
});

describe('parseGeojsonNetwork: invalid files, one problem each', () => {
  const expected = readJson(join(INVALID, 'expected.json')) as Record<string, InputErrorCode>;
  const files = readdirSync(INVALID).filter((name) => name.endsWith('.geojson'));

  it('has an expected code for every file, and a file for every code', () => {
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const file of files) {
    it(file, () => {
      const error = inputErrorOf(() => parseGeojsonNetwork(readJson(join(INVALID, file)), file));
      expect(error.code).toBe(expected[file]);
      expect(error.file).toBe(file);
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]!.element).toMatch(/^features\[\d+\] \((intersection|link) "/);
      expect(error.problems[0]!.fix).not.toBe('');
    });
  }
});

// ---- small networks built here ------------------------------------------------------------------

type Json = Record<string, unknown>;

const CENTRE: Position = [113.65, 34.75];
/** Arms of a four-way crossing, 300 m from the centre. */
const ARMS = {
  N: [CENTRE[0], CENTRE[1] + 0.0027],
  S: [CENTRE[0], CENTRE[1] - 0.0027],
  E: [CENTRE[0] + 0.00328, CENTRE[1]],
  W: [CENTRE[0] - 0.00328, CENTRE[1]],
} satisfies Record<string, Position>;
type Arm = keyof typeof ARMS;

const point = (coordinates: Position, properties: Json): Json => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates },
  properties,
});
const line = (coordinates: Position[], properties: Json): Json => ({
  type: 'Feature',
  geometry: { type: 'LineString', coordinates },
  properties,
});

/** A four-way crossing C: links `W-in` (W → C), `W-out` (C → W), and so on; no signal. */
function crossing(options: { lanes?: Record<string, unknown>; extra?: Json[] } = {}): Json {
  const arms = Object.keys(ARMS) as Arm[];
  const features: Json[] = [
    point(CENTRE, { type: 'intersection', id: 'C', kind: 'priority' }),
    ...arms.map((arm) => point(ARMS[arm], { type: 'intersection', id: arm, kind: 'boundary' })),
    ...arms.flatMap((arm) => [
      line([ARMS[arm], CENTRE], {
        type: 'link',
        id: `${arm}-in`,
        from: arm,
        to: 'C',
        lanes: options.lanes?.[`${arm}-in`] ?? 2,
      }),
      line([CENTRE, ARMS[arm]], { type: 'link', id: `${arm}-out`, from: 'C', to: arm, lanes: 2 }),
    ]),
    ...(options.extra ?? []),
  ];
  return { type: 'FeatureCollection', features };
}

/** Replaces the properties of the feature with `id` (the first of `type`). */
function edit(json: Json, type: string, id: string, change: (properties: Json) => Json): Json {
  const features = (json.features as Json[]).map((feature) => {
    const properties = feature.properties as Json;
    return properties.type === type && properties.id === id
      ? { ...feature, properties: change(properties) }
      : feature;
  });
  return { ...json, features };
}

const signalized = (json: Json, signal: Json): Json =>
  edit(json, 'intersection', 'C', (p) => ({ ...p, kind: 'signalized', signal }));

const twoStagePlan = {
  cycleLength: 60,
  stages: [
    { id: 'S1', greens: { EW: 'protected' }, green: 25, yellow: 3, allRed: 2, minGreen: 5 },
    { id: 'S2', greens: { NS: 'protected' }, green: 25, yellow: 3, allRed: 2, minGreen: 5 },
  ],
};
const signal = {
  signalGroups: [
    { id: 'EW', movements: ['W-in>E-out', 'E-in>W-out'] },
    { id: 'NS', movements: ['N-in>S-out', 'S-in>N-out'] },
  ],
  plans: [twoStagePlan],
};

describe('parseGeojsonNetwork: defaults', () => {
  const spec = parseGeojsonNetwork(crossing({ lanes: { 'W-in': 3 } }), 'dir/crossing.geojson');
  const westIn = spec.links.find((l) => l.id === 'W-in')!;

  it('names the network after the file, lanes 3.5 m wide at 13.89 m/s', () => {
    expect(spec.name).toBe('crossing');
    expect(westIn.lanes).toHaveLength(3);
    expect(westIn.lanes[2]).toEqual({
      index: 2,
      length: westIn.length,
      width: 3.5,
      speedLimit: 13.89,
    });
    expect(westIn.length).toBeCloseTo(300, -1);
    expect(westIn.geometry).toEqual([ARMS.W, CENTRE]);
  });

  it('gives no name or lane arrows where the file gives none', () => {
    expect(spec.intersections.some((node) => 'name' in node)).toBe(false);
    expect(spec.links.flatMap((link) => link.lanes).some((lane) => 'turns' in lane)).toBe(false);
  });

  it('lets every approach reach every exit but its own way back, lanes by turn', () => {
    const fromWest = spec.movements.filter((m) => m.from === 'W-in');
    expect(fromWest.map((m) => m.to).sort()).toEqual(['E-out', 'N-out', 'S-out']);
    const lanesTo = (to: string) => fromWest.find((m) => m.to === to)!.lanes;
    expect(lanesTo('S-out')).toEqual([{ fromLane: 0, toLane: 0 }]); // right
    expect(lanesTo('N-out')).toEqual([{ fromLane: 2, toLane: 1 }]); // left, leftmost to leftmost
    expect(lanesTo('E-out')).toEqual([
      { fromLane: 0, toLane: 0 },
      { fromLane: 1, toLane: 1 },
      { fromLane: 2, toLane: 1 },
    ]);
    expect(spec.movements.every((m) => m.turn === undefined)).toBe(true);
    expect(spec.movements).toHaveLength(12);
  });

  it('accepts the file as text', () => {
    const text = JSON.stringify(crossing());
    expect(parseGeojsonNetwork(text, 'x.geojson').links).toHaveLength(8);
  });

  it('drops a default movement that no lane arrow allows', () => {
    const noLeft = edit(crossing(), 'link', 'W-in', (p) => ({
      ...p,
      turns: [['right', 'through'], ['through']],
    }));
    const targets = parseGeojsonNetwork(noLeft, 'x.geojson')
      .movements.filter((m) => m.from === 'W-in')
      .map((m) => m.to);
    expect(targets.sort()).toEqual(['E-out', 'S-out']);
  });

  it('reads a signal: its id, movements by group, plans with defaults', () => {
    const result = parseGeojsonNetwork(signalized(crossing(), signal), 'x.geojson');
    expect(result.signals).toEqual([
      {
        id: 'C',
        intersections: ['C'],
        signalGroups: [
          { id: 'EW', kind: 'vehicle' },
          { id: 'NS', kind: 'vehicle' },
        ],
        programs: [
          {
            id: 'plan-1',
            signal: 'C',
            cycleLength: 60,
            offset: 0,
            offsetReference: 'first-stage-green-start',
            stages: twoStagePlan.stages,
            origin: 'geojson',
          },
        ],
      },
    ]);
    const controlled = result.movements.filter((m) => m.signal === 'C');
    expect(controlled.map((m) => `${m.id}:${m.signalGroup}`).sort()).toEqual([
      'E-in>W-out:EW',
      'N-in>S-out:NS',
      'S-in>N-out:NS',
      'W-in>E-out:EW',
    ]);
  });

  it('reads a detector position from its location on the link', () => {
    const detector = point([CENTRE[0] - 0.00011, CENTRE[1] - 0.00002], {
      type: 'detector',
      id: 'D1',
      link: 'W-in',
      lane: 1,
    });
    const result = parseGeojsonNetwork(crossing({ extra: [detector] }), 'x.geojson');
    const westLength = result.links.find((l) => l.id === 'W-in')!.length!;
    expect(result.detectors).toHaveLength(1);
    expect(westLength - result.detectors![0]!.position).toBeCloseTo(10, 0);
  });
});

describe('parseGeojsonNetwork: problems', () => {
  it('rejects what is not a FeatureCollection, and text that is not JSON', () => {
    expect(codes({ type: 'Feature' })).toEqual(['FORMAT_UNKNOWN']);
    expect(codes('{ "type": ')).toEqual(['PARSE_FAILED']);
  });

  it('reports a wrong geometry type, an unknown feature type and an unknown version', () => {
    const json = crossing({
      extra: [
        point(CENTRE, { type: 'link', id: 'L', from: 'W', to: 'C', lanes: 1 }),
        point(CENTRE, { type: 'junction', id: 'J' }),
      ],
    });
    expect(codes({ ...json, greenwave: { version: 2 } })).toEqual([
      'BAD_VALUE', // version
      'BAD_VALUE', // properties.type "junction"
      'BAD_VALUE', // a link drawn as a Point
    ]);
  });

  it('collects every problem instead of stopping at the first', () => {
    let json = crossing({ lanes: { 'W-in': [] } });
    json = edit(json, 'link', 'N-in', (p) => ({ ...p, to: 'Q' }));
    json = edit(json, 'link', 'S-in', (p) => ({ ...p, speedLimit: 10, speedKmh: 36 }));
    expect(codes(json).sort()).toEqual(['BAD_VALUE', 'LINK_WITHOUT_LANES', 'UNKNOWN_INTERSECTION']);
  });

  it('reports a link drawn backwards, from its downstream intersection', () => {
    const json = edit(crossing(), 'link', 'W-in', (p) => ({ ...p, from: 'C', to: 'W' }));
    const error = inputErrorOf(() => parseGeojsonNetwork(json, 'x.geojson'));
    expect(error.problems.map((p) => p.code)).toEqual(['BAD_VALUE', 'BAD_VALUE']);
    expect(error.problems[0]!.element).toBe('features[11] (link "W-in")');
  });

  it('reports listed movements to unknown links, lanes and intersections', () => {
    const json = edit(crossing(), 'link', 'W-in', (p) => ({
      ...p,
      movements: [
        { to: 'Z-out' },
        { to: 'E-out', lanes: [[5, 0]] },
        { to: 'W-in' }, // leaves W, not C
        { to: 'N-out', turn: 'left', lanes: [[1, 1]] },
      ],
    }));
    const problems = inputErrorOf(() => parseGeojsonNetwork(json, 'x.geojson')).problems;
    expect(problems.map((p) => p.code)).toEqual([
      'UNKNOWN_LINK',
      'UNKNOWN_LANE',
      'MOVEMENT_NOT_AT_INTERSECTION',
    ]);
    expect(problems[0]!.element).toBe('features[11] (link "W-in") movements[0]');
  });

  it('reports signal groups naming movements elsewhere, not allowed or twice', () => {
    const json = signalized(crossing(), {
      ...signal,
      signalGroups: [
        { id: 'EW', movements: ['W-in>E-out', 'E-in>W-out', 'C-x>W-out'] },
        { id: 'NS', movements: ['N-in>S-out', 'N-in>N-out', 'W-in>E-out'] },
      ],
    });
    expect(codes(json)).toEqual([
      'UNKNOWN_LINK', // C-x
      'MOVEMENT_NOT_AT_INTERSECTION', // a U-turn, not allowed by default
      'BAD_VALUE', // W-in>E-out is already in EW
    ]);
  });

  it('reports a signalized intersection without a signal, and a signal where there is none', () => {
    const bare = edit(crossing(), 'intersection', 'C', (p) => ({ ...p, kind: 'signalized' }));
    expect(codes(bare)).toEqual(['MISSING_ATTRIBUTE']);
    const boundary = edit(crossing(), 'intersection', 'W', (p) => ({ ...p, signal }));
    expect(codes(boundary)).toEqual(['BAD_VALUE']);
  });

  it('reports an intersection name that is not a non-empty string', () => {
    const json = edit(crossing(), 'intersection', 'C', (p) => ({ ...p, name: 3 }));
    expect(codes(json)).toEqual(['BAD_VALUE']);
  });

  it('reports a detector on a missing lane or far from its link', () => {
    const detectors = [
      point(CENTRE, { type: 'detector', id: 'D1', link: 'W-in', lane: 4, position: 10 }),
      point(ARMS.N, { type: 'detector', id: 'D2', link: 'W-in', lane: 0 }),
    ];
    expect(codes(crossing({ extra: detectors }))).toEqual(['UNKNOWN_LANE', 'BAD_VALUE']);
  });
});

// ---- the schema ---------------------------------------------------------------------------------

type Schema = { [keyword: string]: unknown };

/**
 * The subset of JSON Schema 2020-12 the format's schema uses: enough to check that the fixtures
 * have every required field of the right type, without a validator dependency.
 */
function schemaErrors(schema: Schema, value: unknown, path = '$'): string[] {
  const at = (message: string) => [`${path}: ${message}`];
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref.replace('#/$defs/', '');
    const errors = schemaErrors((SCHEMA.$defs as Record<string, Schema>)[target]!, value, path);
    if (errors.length > 0) return errors;
  }
  if ('const' in schema && value !== schema.const) return at(`is not ${String(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return at('is not in the enum');
  if (typeof schema.type === 'string' && !hasType(value, schema.type)) {
    return at(`is not of type ${schema.type}`);
  }
  const errors: string[] = [];
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(...at('< min'));
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(...at('> max'));
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
      errors.push(...at('is not above the exclusive minimum'));
    }
  }
  if (typeof value === 'string' && typeof schema.pattern === 'string') {
    if (!new RegExp(schema.pattern).test(value)) errors.push(...at('does not match the pattern'));
  }
  if (Array.isArray(value)) errors.push(...arrayErrors(schema, value, path));
  if (isJson(value)) errors.push(...objectErrors(schema, value, path));
  if (Array.isArray(schema.oneOf)) {
    const passing = (schema.oneOf as Schema[]).filter((s) => !schemaErrors(s, value, path).length);
    if (passing.length !== 1) errors.push(...at(`matches ${passing.length} of oneOf`));
  }
  if (isJson(schema.not) && schemaErrors(schema.not, value, path).length === 0) {
    errors.push(...at('matches "not"'));
  }
  if (isJson(schema.if)) {
    const branch = schemaErrors(schema.if, value, path).length === 0 ? schema.then : schema.else;
    if (isJson(branch)) errors.push(...schemaErrors(branch, value, path));
  }
  return errors;
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, type: string): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return isJson(value);
  return typeof value === type;
}

function arrayErrors(schema: Schema, value: unknown[], path: string): string[] {
  const errors: string[] = [];
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
    errors.push(`${path}: has fewer than ${schema.minItems} items`);
  }
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
    errors.push(`${path}: has more than ${schema.maxItems} items`);
  }
  const prefix = Array.isArray(schema.prefixItems) ? (schema.prefixItems as Schema[]) : [];
  value.forEach((item, index) => {
    const itemSchema = prefix[index] ?? (isJson(schema.items) ? schema.items : undefined);
    if (itemSchema) errors.push(...schemaErrors(itemSchema, item, `${path}[${index}]`));
  });
  return errors;
}

function objectErrors(schema: Schema, value: Json, path: string): string[] {
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const errors = required
    .filter((key) => value[key] === undefined)
    .map((key) => `${path}: has no ${key}`);
  const properties = isJson(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
  for (const [key, item] of Object.entries(value)) {
    const itemSchema =
      properties[key] ?? (isJson(schema.additionalProperties) ? schema.additionalProperties : null);
    if (itemSchema) errors.push(...schemaErrors(itemSchema, item, `${path}.${key}`));
  }
  return errors;
}

// `if` holds conditions on fields, not fields: left out.
const SUBSCHEMAS = ['items', 'additionalProperties', 'not', 'then', 'else'];
const SUBSCHEMA_LISTS = ['prefixItems', 'oneOf'];

/** Every entry of every `properties` in the schema, with its path. */
function schemaProperties(schema: Schema, path = '$'): [string, Schema][] {
  const named = (map: unknown, prefix: string): [string, Schema][] =>
    isJson(map) ? Object.entries(map).map(([key, s]) => [`${prefix}.${key}`, s as Schema]) : [];
  const own = named(schema.properties, `${path}.properties`);
  const children: [string, Schema][] = [
    ...own,
    ...named(schema.$defs, `${path}.$defs`),
    ...SUBSCHEMAS.filter((key) => isJson(schema[key])).map((key): [string, Schema] => [
      `${path}.${key}`,
      schema[key] as Schema,
    ]),
    ...SUBSCHEMA_LISTS.flatMap((key) =>
      Array.isArray(schema[key])
        ? (schema[key] as Schema[]).map((s, i): [string, Schema] => [`${path}.${key}[${i}]`, s])
        : [],
    ),
  ];
  return [...own, ...children.flatMap(([at, child]) => schemaProperties(child, at))];
}

describe('geojson.schema.json', () => {
  it('is a draft 2020-12 schema that describes every field', () => {
    expect(SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const undocumented = schemaProperties(SCHEMA)
      .filter(([, property]) => typeof property.description !== 'string')
      .map(([path]) => path);
    expect(undocumented).toEqual([]);
  });

  for (const name of ['zhengzhou-jinshui-road.geojson', 'grid-3x3.geojson']) {
    it(`accepts ${name}`, () => {
      expect(schemaErrors(SCHEMA, readJson(join(FIXTURES, name)))).toEqual([]);
    });
  }

  it('rejects the invalid files it can see (shapes), passing the rest to the importer', () => {
    const files = readdirSync(INVALID).filter((file) => file.endsWith('.geojson'));
    const rejected = files
      .filter((file) => schemaErrors(SCHEMA, readJson(join(INVALID, file))).length > 0)
      .map((file) => basename(file));
    expect(rejected.sort()).toEqual([
      'link-with-no-lanes.geojson',
      'speed-limit-that-is-not-a-number.geojson',
    ]);
  });
});
