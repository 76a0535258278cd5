// Fixture tests for the CityFlow roadnet importer: a CoLight-style intersection, and one bad file per fault.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InputErrorCode } from '../errors.ts';
import type { MovementSpec, NetworkSpec } from '../types.ts';
import { parseCityflowRoadnet } from './cityflow-roadnet.ts';
import { inputErrorOf } from '../input-error-of.ts';

const fixtures = new URL('../../../fixtures/cityflow/', import.meta.url);

function readFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));
}

/** A copy of the one-intersection roadnet, changed by `change`, as plain JSON. */
type RoadnetJson = {
  intersections: {
    id: string;
    roadLinks: {
      type: string;
      startRoad: string;
      endRoad: string;
      laneLinks: { startLaneIndex: number; endLaneIndex: number }[];
    }[];
    trafficLight: { lightphases: { time: number; availableRoadLinks: number[] }[] };
  }[];
};

function changedRoadnet(change: (roadnet: RoadnetJson) => void): unknown {
  const roadnet = readFixture('one-intersection.roadnet.json') as RoadnetJson;
  change(roadnet);
  return roadnet;
}

function junctionOf(roadnet: RoadnetJson): RoadnetJson['intersections'][number] {
  const junction = roadnet.intersections.find(
    (intersection) => intersection.id === 'intersection_1_1',
  );
  if (!junction) throw new Error('fixture has no intersection_1_1');
  return junction;
}

function movement(spec: NetworkSpec, id: string): MovementSpec {
  const found = spec.movements.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no movement ${id}`);
  return found;
}

describe('parseCityflowRoadnet: one CoLight-style intersection', () => {
  const spec = parseCityflowRoadnet(
    readFixture('one-intersection.roadnet.json'),
    'fixtures/cityflow/one-intersection.roadnet.json',
  );

  it('reads the junction as signalized and the four virtual nodes as boundaries', () => {
    expect(spec.coordinates).toBe('planar');
    expect(spec.name).toBe('one-intersection.roadnet');
    const kinds = Object.fromEntries(spec.intersections.map((node) => [node.id, node.kind]));
    expect(kinds).toEqual({
      intersection_1_1: 'signalized',
      intersection_0_1: 'boundary',
      intersection_2_1: 'boundary',
      intersection_1_0: 'boundary',
      intersection_1_2: 'boundary',
    });
    expect(spec.intersections.find((node) => node.id === 'intersection_1_1')).toMatchObject({
      position: [0, 0],
      radius: 15,
    });
  });

  it('reads each road as a link whose lanes run stop line to stop line', () => {
    expect(spec.links).toHaveLength(8);
    const inbound = spec.links.find((link) => link.id === 'road_0_1_0');
    expect(inbound).toMatchObject({
      from: 'intersection_0_1',
      to: 'intersection_1_1',
      geometry: [
        [-300, 0],
        [0, 0],
      ],
      length: 300,
    });
    // The 15 m junction radius is cut off at the junction end only: the other end is virtual.
    expect(
      inbound?.lanes.map((lane) => [lane.index, lane.length, lane.speedLimit, lane.width]),
    ).toEqual([
      [0, 285, 11.111, 4],
      [1, 285, 11.111, 4],
      [2, 285, 11.111, 4],
    ]);
  });

  it('numbers lanes from the kerb: the right turn leaves from CityFlow lane 2, our lane 0', () => {
    const right = movement(spec, 'road_0_1_0>road_1_1_3');
    expect(right.turn).toBe('right');
    expect(right.lanes).toEqual([
      { fromLane: 0, toLane: 2 },
      { fromLane: 0, toLane: 1 },
      { fromLane: 0, toLane: 0 },
    ]);
    const left = movement(spec, 'road_0_1_0>road_1_1_1');
    expect(left.turn).toBe('left');
    expect(new Set(left.lanes.map((lane) => lane.fromLane))).toEqual(new Set([2]));
  });

  it('makes one movement per road link, each on its signal group', () => {
    expect(spec.movements).toHaveLength(12);
    const turns = spec.movements.map((candidate) => candidate.turn);
    expect(turns.filter((turn) => turn === 'through')).toHaveLength(4);
    expect(turns.filter((turn) => turn === 'left')).toHaveLength(4);
    expect(turns.filter((turn) => turn === 'right')).toHaveLength(4);
    expect(movement(spec, 'road_1_2_3>road_1_1_3')).toMatchObject({
      from: 'road_1_2_3',
      to: 'road_1_1_3',
      signal: 'intersection_1_1',
      signalGroup: '11',
    });
  });

  it('gives the signal one vehicle signal group per road link', () => {
    expect(spec.signals).toHaveLength(1);
    const signal = spec.signals[0];
    expect(signal?.intersections).toEqual(['intersection_1_1']);
    expect(signal?.signalGroups.map((group) => group.id)).toEqual(
      Array.from({ length: 12 }, (_, index) => String(index)),
    );
    expect(signal?.signalGroups[7]).toEqual({ id: '7', index: 7, kind: 'vehicle', minGreen: 5 });
  });

  it('keeps the built-in program: 8 stages, the 5 s right-turn phase as the last all-red', () => {
    const plan = spec.signals[0]?.programs?.[0];
    expect(plan).toMatchObject({
      id: 'cityflow',
      signal: 'intersection_1_1',
      cycleLength: 245,
      offset: 5,
      offsetReference: 'first-stage-green-start',
      origin: 'cityflow',
    });
    expect(plan?.stages.map((stage) => stage.id)).toEqual(
      Array.from({ length: 8 }, (_, index) => `phase-${index + 1}`),
    );
    expect(plan?.stages.map((stage) => stage.allRed)).toEqual([0, 0, 0, 0, 0, 0, 0, 5]);
    const filled = plan?.stages.reduce(
      (sum, stage) => sum + stage.green + stage.yellow + stage.allRed,
      0,
    );
    expect(filled).toBe(245);
    expect(plan?.stages[0]?.greens).toEqual({
      '0': 'protected',
      '7': 'protected',
      '2': 'permissive',
      '3': 'permissive',
      '6': 'permissive',
      '10': 'permissive',
    });
    // The two left turns of phase 3 do not cross (opposing lefts): both protected.
    expect(plan?.stages[2]?.greens).toMatchObject({ '1': 'protected', '8': 'protected' });
  });
});

describe('parseCityflowRoadnet: details of the conversion', () => {
  it('reads a road link back to where its road came from as a U-turn', () => {
    const json = changedRoadnet((roadnet) => {
      junctionOf(roadnet).roadLinks.push({
        type: 'turn_left',
        startRoad: 'road_0_1_0',
        endRoad: 'road_1_1_2',
        laneLinks: [{ startLaneIndex: 0, endLaneIndex: 0 }],
      });
    });
    const spec = parseCityflowRoadnet(json, 'u-turn.json');
    expect(movement(spec, 'road_0_1_0>road_1_1_2').turn).toBe('uturn');
  });

  it('lets a U-turn yield, and a left turn beside opposing through traffic', () => {
    const json = changedRoadnet((roadnet) => {
      const junction = junctionOf(roadnet);
      junction.roadLinks.push({
        type: 'turn_left',
        startRoad: 'road_0_1_0',
        endRoad: 'road_1_1_2',
        laneLinks: [{ startLaneIndex: 0, endLaneIndex: 0 }],
      });
      // Phase 1 (the two throughs) now also releases the westbound approach's left turn and U-turn.
      junction.trafficLight.lightphases[1]?.availableRoadLinks.push(1, 12);
      // Phase 5 (the westbound approach alone) releases its U-turn too.
      junction.trafficLight.lightphases[5]?.availableRoadLinks.push(12);
    });
    const stages = parseCityflowRoadnet(json, 'permitted-left.json').signals[0]?.programs?.[0]
      ?.stages;
    expect(stages?.[0]?.greens).toMatchObject({
      '0': 'protected',
      '7': 'protected',
      '1': 'permissive',
      '12': 'permissive',
    });
    // Beside its own approach's through traffic only, the left turn is protected.
    expect(stages?.[4]?.greens).toMatchObject({
      '0': 'protected',
      '1': 'protected',
      '12': 'permissive',
    });
  });

  it('drops repeated lane links', () => {
    const json = changedRoadnet((roadnet) => {
      const through = junctionOf(roadnet).roadLinks[0];
      through?.laneLinks.push({ startLaneIndex: 1, endLaneIndex: 0 });
    });
    const spec = parseCityflowRoadnet(json, 'repeated-lane-link.json');
    expect(movement(spec, 'road_0_1_0>road_1_1_0').lanes).toHaveLength(3);
  });

  it('names movements by intersection and road link index when two join the same roads', () => {
    const json = changedRoadnet((roadnet) => {
      const through = junctionOf(roadnet).roadLinks[0];
      if (through) junctionOf(roadnet).roadLinks.push({ ...through });
    });
    const ids = parseCityflowRoadnet(json, 'twin-road-links.json').movements.map((m) => m.id);
    expect(ids).toContain('intersection_1_1#0');
    expect(ids).toContain('intersection_1_1#12');
    expect(ids).not.toContain('road_0_1_0>road_1_1_0');
  });

  it('folds a transition phase in mid-cycle into the stage before it, offset 0', () => {
    const json = changedRoadnet((roadnet) => {
      const phases = junctionOf(roadnet).trafficLight.lightphases;
      const [transition] = phases.splice(0, 1);
      if (transition) phases.splice(2, 0, transition);
    });
    const plan = parseCityflowRoadnet(json, 'mid-cycle-transition.json').signals[0]?.programs?.[0];
    expect(plan?.offset).toBe(0);
    expect(plan?.stages.map((stage) => stage.id)).toEqual(
      [0, 1, 3, 4, 5, 6, 7, 8].map((index) => `phase-${index}`),
    );
    expect(plan?.stages.map((stage) => stage.allRed)).toEqual([0, 5, 0, 0, 0, 0, 0, 0]);
  });

  it('reads an intersection without light phases as unsignalized, with no signal', () => {
    const json = changedRoadnet((roadnet) => {
      junctionOf(roadnet).trafficLight.lightphases = [];
    });
    const spec = parseCityflowRoadnet(json, 'no-light-phases.json');
    expect(spec.intersections.find((node) => node.id === 'intersection_1_1')?.kind).toBe(
      'unsignalized',
    );
    expect(spec.signals).toEqual([]);
    expect(spec.movements.every((m) => m.signal === undefined && m.signalGroup === undefined)).toBe(
      true,
    );
  });

  it('ignores the road links of a virtual intersection, as CityFlow does', () => {
    const json = changedRoadnet((roadnet) => {
      const edge = roadnet.intersections.find((node) => node.id === 'intersection_0_1');
      edge?.roadLinks.push({
        type: 'turn_left',
        startRoad: 'road_1_1_2',
        endRoad: 'road_0_1_0',
        laneLinks: [{ startLaneIndex: 0, endLaneIndex: 0 }],
      });
    });
    expect(parseCityflowRoadnet(json, 'edge-u-turn.json').movements).toHaveLength(12);
  });

  it('does not change its input', () => {
    const json = readFixture('one-intersection.roadnet.json');
    const copy = structuredClone(json);
    parseCityflowRoadnet(json, 'one-intersection.roadnet.json');
    expect(json).toEqual(copy);
  });
});

describe('parseCityflowRoadnet: bad files', () => {
  const cases: [file: string, code: InputErrorCode][] = [
    ['road-link-to-a-missing-road.json', 'UNKNOWN_LINK'],
    ['road-with-no-lanes.json', 'LINK_WITHOUT_LANES'],
    ['lane-index-beyond-the-road.json', 'UNKNOWN_LANE'],
    ['road-to-a-missing-intersection.json', 'UNKNOWN_INTERSECTION'],
    ['phase-releasing-a-road-link-that-does-not-exist.json', 'UNKNOWN_SIGNAL_GROUP'],
    ['road-without-a-start-intersection.json', 'MISSING_ATTRIBUTE'],
    ['two-roads-with-the-same-id.json', 'DUPLICATE_ID'],
    ['road-link-against-the-direction-of-its-roads.json', 'MOVEMENT_NOT_AT_INTERSECTION'],
  ];

  it.each(cases)('%s → %s', (file, code) => {
    const path = `fixtures/cityflow/invalid/${file}`;
    const error = inputErrorOf(() => parseCityflowRoadnet(readFixture(`invalid/${file}`), path));
    expect(error.code).toBe(code);
    expect(error.file).toBe(path);
    // Exactly the one fault the file was written to show: no knock-on problems.
    expect(error.problems.map((problem) => problem.code)).toEqual([code]);
    expect(error.problems[0]?.fix).not.toBe('');
  });

  it('names the road link by intersection and index', () => {
    const error = inputErrorOf(() =>
      parseCityflowRoadnet(readFixture('invalid/road-link-to-a-missing-road.json'), 'x.json'),
    );
    expect(error.problems[0]?.element).toBe('intersections["junction"].roadLinks[0]');
  });

  it.each([null, [], 'roadnet', 42])('rejects %j, which is not an object', (json) => {
    expect(inputErrorOf(() => parseCityflowRoadnet(json, 'bad.json')).code).toBe('FORMAT_UNKNOWN');
  });

  it('reports a file without roads as missing them', () => {
    expect(inputErrorOf(() => parseCityflowRoadnet({ intersections: [] }, 'bad.json')).code).toBe(
      'MISSING_ATTRIBUTE',
    );
  });

  it('reports every problem of a file, not only the first', () => {
    const json = changedRoadnet((roadnet) => {
      const [first, second] = junctionOf(roadnet).roadLinks;
      if (first) first.endRoad = 'nowhere';
      if (second) second.laneLinks[0] = { startLaneIndex: 0, endLaneIndex: 7 };
    });
    const codes = inputErrorOf(() => parseCityflowRoadnet(json, 'two-faults.json')).problems.map(
      (problem) => problem.code,
    );
    expect(codes).toEqual(['UNKNOWN_LINK', 'UNKNOWN_LANE']);
  });
});
