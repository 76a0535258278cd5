// SUMO .net.xml importer: a hand-written four-leg junction, and one invalid net per problem.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sumoPhasesFromPlan } from '../../timing/sumo-program.ts';
import { InputFileError, type InputErrorCode } from '../errors.ts';
import type { NetworkSpec } from '../types.ts';
import { parseSumoNet } from './sumo-net.ts';

const fixtures = fileURLToPath(new URL('../../../fixtures/sumo/', import.meta.url));

function readFixture(name: string): string {
  return readFileSync(path.join(fixtures, name), 'utf8');
}

function parseError(name: string): InputFileError {
  try {
    parseSumoNet(readFixture(name), name);
  } catch (error) {
    if (error instanceof InputFileError) return error;
    throw error;
  }
  throw new Error(`${name} parsed without an error`);
}

describe('parseSumoNet on a four-leg signalised junction', () => {
  const file = 'four-leg-signalised.net.xml';
  const spec: NetworkSpec = parseSumoNet(readFixture(file), file);

  it('names the network after the file, in planar metres', () => {
    expect(spec.name).toBe('four-leg-signalised');
    expect(spec.source).toBe(file);
    expect(spec.coordinates).toBe('planar');
  });

  it('keeps real junctions, skips internal ones, and maps their types', () => {
    const kinds = Object.fromEntries(spec.intersections.map((node) => [node.id, node.kind]));
    expect(kinds).toEqual({
      N: 'boundary',
      E: 'boundary',
      S: 'boundary',
      W: 'boundary',
      C: 'signalized',
    });
    const centre = spec.intersections.find((node) => node.id === 'C');
    expect(centre?.position).toEqual([0, 0]);
    // The outline's four points are all 10 m from the centre.
    expect(centre?.radius).toBeCloseTo(10, 9);
  });

  it('makes a link of each normal edge, and none of internal, crossing or walking-area edges', () => {
    expect(spec.links.map((link) => link.id).sort()).toEqual(
      ['C2E', 'C2N', 'C2S', 'C2W', 'E2C', 'N2C', 'S2C', 'W2C'].sort(),
    );
  });

  it('reads lanes: index, length, speed, width (3.2 m when absent) and allow', () => {
    const north = spec.links.find((link) => link.id === 'N2C');
    expect(north?.name).toBe('North Road');
    expect(north?.lanes).toEqual([
      { index: 0, length: 190, speedLimit: 13.89, width: 3.2, allow: ['bus', 'passenger'] },
      { index: 1, length: 190, speedLimit: 13.89, width: 3.2 },
    ]);
    const east = spec.links.find((link) => link.id === 'E2C');
    expect(east?.lanes.map((lane) => lane.width)).toEqual([3.5, 3.5]);
  });

  it("takes the edge's shape, else the middle lane's, and the longest lane's length", () => {
    const links = Object.fromEntries(spec.links.map((link) => [link.id, link]));
    expect(links.N2C?.geometry).toEqual([
      [0, 200],
      [0, 0],
    ]);
    // C2N has no edge shape: lane 1 of two is the middle lane.
    expect(links.C2N?.geometry).toEqual([
      [1.6, 10],
      [1.6, 200],
    ]);
    // W2C's lanes are 190 and 185.5 m long.
    expect(links.W2C?.length).toBe(190);
  });

  it('groups lane connections by from and to edge, split where the lanes have their own link index', () => {
    const ids = spec.movements.map((movement) => movement.id);
    expect(ids).toContain('N2C>C2S@1');
    expect(ids).toContain('N2C>C2S@2');
    expect(ids).not.toContain('N2C>C2S');
    const west = spec.movements.find((movement) => movement.id === 'W2C>C2E');
    expect(west).toEqual({
      id: 'W2C>C2E',
      from: 'W2C',
      to: 'C2E',
      lanes: [
        { fromLane: 0, toLane: 0 },
        { fromLane: 1, toLane: 1 },
      ],
      turn: 'through',
      signal: 'GS_C',
      signalGroup: '13',
    });
    // 16 vehicle lane connections in 15 link indices; the internal and pedestrian ones are not movements.
    expect(spec.movements).toHaveLength(15);
    expect(spec.movements.flatMap((movement) => movement.lanes)).toHaveLength(16);
  });

  it('reads the turn from dir', () => {
    const turns = Object.fromEntries(spec.movements.map((m) => [m.id, m.turn]));
    expect(turns['N2C>C2W']).toBe('right');
    expect(turns['N2C>C2E']).toBe('left');
    expect(turns['E2C>C2W@5']).toBe('through');
  });

  it('makes one signal per tlLogic id, running the junction its connections enter', () => {
    expect(spec.signals).toHaveLength(1);
    const [signal] = spec.signals;
    expect(signal?.id).toBe('GS_C');
    expect(signal?.intersections).toEqual(['C']);
  });

  it('gives one signal group per link index, with minimum greens from minDur', () => {
    const groups = spec.signals[0]?.signalGroups ?? [];
    expect(groups.map((group) => group.id)).toEqual(
      Array.from({ length: 16 }, (_, index) => String(index)),
    );
    // North-south groups: minDur 10; east-west: 8; the west right turn, green only in
    // east-west, also 8.
    expect(groups[1]?.minGreen).toBe(10);
    expect(groups[5]?.minGreen).toBe(8);
    expect(groups[12]?.minGreen).toBe(8);
    expect(groups.every((group) => group.kind === 'vehicle' || group.id === '15')).toBe(true);
  });

  it('makes the link index of a pedestrian crossing a pedestrian group with its length', () => {
    const crossing = spec.signals[0]?.signalGroups[15];
    expect(crossing).toEqual({
      id: '15',
      index: 15,
      kind: 'pedestrian',
      minGreen: 8,
      crossingLength: 12.8,
      crosses: ['C2N', 'N2C'],
    });
  });

  it('keeps every program, the first in the file first', () => {
    const programs = spec.signals[0]?.programs ?? [];
    expect(programs.map((plan) => plan.id)).toEqual(['0', 'offpeak']);
    const [peak, offpeak] = programs;
    expect(peak?.cycleLength).toBe(72);
    expect(peak?.offset).toBe(10);
    expect(peak?.stages.map((stage) => stage.id)).toEqual(['north-south', 'east-west']);
    expect(peak?.stages.map((s) => [s.green, s.yellow, s.allRed, s.minGreen, s.maxGreen])).toEqual([
      [30, 4, 2, 10, 45],
      [30, 4, 2, 8, 45],
    ]);
    // The off-peak program starts 6 s before its first green: SUMO offset 5 + 6.
    expect(offpeak?.offset).toBe(11);
    expect(offpeak?.stages.map((s) => [s.id, s.green, s.yellow, s.allRed])).toEqual([
      ['2', 20, 4, 2],
      ['5', 20, 4, 2],
    ]);
  });

  it('writes the first program back as the same phases', () => {
    const signal = spec.signals[0];
    const plan = signal?.programs?.[0];
    if (!signal || !plan) throw new Error('no program');
    expect(sumoPhasesFromPlan(plan, signal.signalGroups.length)).toEqual([
      { duration: 30, state: 'GGGgrrrrGGGgrrrr', name: 'north-south' },
      { duration: 4, state: 'yyyyrrrryyyyrrrr' },
      { duration: 2, state: 'rrrrrrrrrrrrrrrr' },
      { duration: 30, state: 'rrrrgGGgrrrrGGgG', name: 'east-west' },
      { duration: 4, state: 'rrrryyyyrrrryyyy' },
      { duration: 2, state: 'rrrrrrrrrrrrrrrr' },
    ]);
  });
});

describe('parseSumoNet on invalid nets', () => {
  /** File name → the code of the first problem (the error's code). */
  const expected: Record<string, InputErrorCode> = {
    'connection-to-a-missing-lane.net.xml': 'UNKNOWN_LANE',
    'connection-without-a-to-lane.net.xml': 'MISSING_ATTRIBUTE',
    'lane-without-a-length.net.xml': 'MISSING_ATTRIBUTE',
    'link-with-no-lanes.net.xml': 'LINK_WITHOUT_LANES',
    'phases-of-different-lengths.net.xml': 'STATE_LENGTH_MISMATCH',
    'routes-file-instead-of-a-network.net.xml': 'FORMAT_UNKNOWN',
    'several-problems-at-once.net.xml': 'LINK_WITHOUT_LANES',
    'state-string-of-the-wrong-length.net.xml': 'STATE_LENGTH_MISMATCH',
    'traffic-light-with-no-program.net.xml': 'UNKNOWN_SIGNAL',
    'unknown-edge-in-connection.net.xml': 'UNKNOWN_LINK',
    'xml-that-is-not-well-formed.net.xml': 'PARSE_FAILED',
  };

  it('has an expected code for every invalid fixture', () => {
    expect(readdirSync(path.join(fixtures, 'invalid')).sort()).toEqual(
      Object.keys(expected).sort(),
    );
  });

  it.each(Object.entries(expected))('%s fails with %s, naming the file', (name, code) => {
    const error = parseError(`invalid/${name}`);
    expect(error.code).toBe(code);
    expect(error.file).toBe(`invalid/${name}`);
    expect(error.problems.every((problem) => problem.fix.length > 0)).toBe(true);
  });

  it('names the connection at fault as in the file', () => {
    const error = parseError('invalid/connection-to-a-missing-lane.net.xml');
    expect(error.problems.map((problem) => problem.element)).toEqual([
      'connection from="A2B" to="B2C" fromLane="0" toLane="3"',
    ]);
  });

  it('reports every problem at once, without knock-on problems', () => {
    const error = parseError('invalid/several-problems-at-once.net.xml');
    expect(error.problems.map((problem) => problem.code)).toEqual([
      'LINK_WITHOUT_LANES',
      'STATE_LENGTH_MISMATCH',
      'UNKNOWN_LANE',
      'UNKNOWN_LINK',
      'UNKNOWN_SIGNAL',
    ]);
  });

  it('fails on text that is not XML', () => {
    expect(() => parseSumoNet('not xml at all', 'x.net.xml')).toThrow(InputFileError);
  });
});

describe('parseSumoNet on small variations', () => {
  const net = (body: string): string => `<net>
    <junction id="A" type="priority" x="0" y="0"/>
    <junction id="B" type="right_before_left" x="100" y="0" shape="100,5 105,0 100,-5 95,0 100,5"/>
    ${body}
  </net>`;

  it('maps priority and right-before-left junctions, measuring a closed outline once per point', () => {
    const spec = parseSumoNet(net(''), 'small.net.xml');
    expect(spec.intersections).toEqual([
      { id: 'A', kind: 'priority', position: [0, 0] },
      { id: 'B', kind: 'unsignalized', position: [100, 0], radius: 5 },
    ]);
  });

  it('keeps a sidewalk-only edge, with its allow list', () => {
    const spec = parseSumoNet(
      net(
        `<edge id="A2B" from="A" to="B"><lane id="A2B_0" index="0" allow="pedestrian" speed="2.78" length="100" width="2.00"/></edge>`,
      ),
      'small.net.xml',
    );
    expect(spec.links[0]?.lanes[0]?.allow).toEqual(['pedestrian']);
  });

  it('keeps the right of way of connections no signal controls (state M, m, =, s), and none under a signal', () => {
    const xml =
      net(`<edge id="A2B" from="A" to="B"><lane index="0" speed="10" length="100"/><lane index="1" speed="10" length="100"/></edge>
      <edge id="B2A" from="B" to="A"><lane index="0" speed="10" length="100"/><lane index="1" speed="10" length="100"/></edge>
      <tlLogic id="B" programID="0" offset="0"><phase duration="10" state="G"/></tlLogic>
      <connection from="A2B" to="B2A" fromLane="0" toLane="0" dir="t" state="M"/>
      <connection from="A2B" to="B2A" fromLane="1" toLane="1" dir="t" state="m"/>
      <connection from="B2A" to="A2B" fromLane="0" toLane="0" dir="t" state="="/>
      <connection from="B2A" to="A2B" fromLane="1" toLane="1" tl="B" linkIndex="0" dir="t" state="O"/>`);
    const lanes = parseSumoNet(xml, 'small.net.xml').movements.map((movement) => movement.lanes);
    expect(lanes).toEqual([
      [
        { fromLane: 0, toLane: 0, priority: 'major' },
        { fromLane: 1, toLane: 1, priority: 'minor' },
      ],
      [{ fromLane: 0, toLane: 0, priority: 'equal' }],
      [{ fromLane: 1, toLane: 1 }],
    ]);
  });

  it('reports a linkIndex that is not a whole number', () => {
    const xml = net(`<edge id="A2B" from="A" to="B"><lane index="0" speed="10" length="100"/></edge>
      <edge id="B2A" from="B" to="A"><lane index="0" speed="10" length="100"/></edge>
      <tlLogic id="B" programID="0" offset="0"><phase duration="10" state="G"/></tlLogic>
      <connection from="A2B" to="B2A" fromLane="0" toLane="0" tl="B" linkIndex="first" dir="t"/>`);
    expect(() => parseSumoNet(xml, 'small.net.xml')).toThrow(
      expect.objectContaining({ code: 'BAD_VALUE' }),
    );
  });

  it('reports two programs of one light with the same programID', () => {
    const xml = net(`<tlLogic id="B" programID="0"><phase duration="10" state="G"/></tlLogic>
      <tlLogic id="B" programID="0"><phase duration="20" state="G"/></tlLogic>`);
    expect(() => parseSumoNet(xml, 'small.net.xml')).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_ID' }),
    );
  });
});
