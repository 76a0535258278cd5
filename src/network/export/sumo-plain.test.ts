// Tests for the SUMO plain XML export: nodes, edges, explicit connections, link indices, projection.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { TimingPlan } from '../../timing/types.ts';
import { buildNetwork } from '../build.ts';
import { crossingSpec } from '../crossing.fixture.ts';
import { parseGeojsonNetwork } from '../import/geojson.ts';
import type { RoadNetwork } from '../types.ts';
import {
  planarProjection,
  plansWithLinkIndices,
  sumoLinkIndices,
  sumoPlainNetwork,
} from './sumo-plain.ts';

const JINSHUI = join(
  import.meta.dirname,
  '../../../fixtures/networks/zhengzhou-jinshui-road.geojson',
);

function jinshui(): RoadNetwork {
  const json: unknown = JSON.parse(readFileSync(JINSHUI, 'utf8'));
  return buildNetwork(parseGeojsonNetwork(json, JINSHUI));
}

type Attributes = Record<string, string>;

/** Every element `name` of an XML text, as attribute maps (independent of the writer's layout). */
function elements(xml: string, name: string): Attributes[] {
  expect(XMLValidator.validate(xml)).toBe(true);
  const found: Attributes[] = [];
  const visit = (node: unknown, key: string): void => {
    if (Array.isArray(node)) return node.forEach((item) => visit(item, key));
    if (typeof node !== 'object' || node === null) return;
    if (key === name) found.push(node as Attributes);
    for (const [child, value] of Object.entries(node)) visit(value, child);
  };
  visit(new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml), '');
  return found;
}

/** A two-stage plan for the crossing: north–south groups, then east–west ones. */
function crossingPlan(): TimingPlan {
  const greens = (arms: string[]) =>
    Object.fromEntries(
      ['n', 'e', 's', 'w'].flatMap((from) =>
        ['n', 'e', 's', 'w']
          .filter((to) => to !== from && arms.includes(from))
          .map((to) => [`${from}${to}`, 'permissive' as const]),
      ),
    );
  return {
    id: 'two-stage',
    signal: 'C',
    cycleLength: 60,
    offset: 5,
    offsetReference: 'first-stage-green-start',
    stages: [
      { id: 'ns', greens: greens(['n', 's']), green: 25, yellow: 3, allRed: 2, minGreen: 5 },
      { id: 'ew', greens: greens(['e', 'w']), green: 25, yellow: 3, allRed: 2, minGreen: 5 },
    ],
  };
}

describe('sumoPlainNetwork on a planar crossing', () => {
  const network = buildNetwork(crossingSpec());

  it('writes nodes at their own x/y, the signal as a traffic light named by its signal', () => {
    const nodes = elements(sumoPlainNetwork(network).nodes, 'node');
    expect(nodes.find((node) => node.id === 'C')).toMatchObject({
      x: '0.00',
      y: '0.00',
      type: 'traffic_light',
      tl: 'C',
    });
    expect(nodes.find((node) => node.id === 'n')).toMatchObject({ y: '200.00', type: 'priority' });
    const [location] = elements(sumoPlainNetwork(network).nodes, 'location');
    expect(location?.projParameter).toBe('!');
  });

  it('writes each link with its lanes, rightmost first, speed and width', () => {
    const edges = elements(sumoPlainNetwork(network).edges, 'edge');
    expect(edges).toHaveLength(8);
    const wIn = edges.find((edge) => edge.id === 'w_in') as unknown as Attributes & {
      lane: Attributes[];
    };
    expect(wIn).toMatchObject({ from: 'w', to: 'C', numLanes: '2', speed: '13.89' });
    expect(wIn.shape).toBe('-200.00,0.00 0.00,0.00');
    expect(wIn.lane.map((lane) => [lane.index, lane.width])).toEqual([
      ['0', '3.60'],
      ['1', '3.60'],
    ]);
  });

  it('gives every lane connection, and declares edges without movements connectionless', () => {
    const connections = elements(sumoPlainNetwork(network).connections, 'connection');
    const movements = Object.values(network.getAttribute('movements'));
    const laneConnections = movements.flatMap((movement) =>
      movement.lanes.map(
        (lane) => `${movement.from}>${movement.to}:${lane.fromLane}>${lane.toLane}`,
      ),
    );
    const written = connections
      .filter((connection) => connection.to !== undefined)
      .map((c) => `${c.from}>${c.to}:${c.fromLane}>${c.toLane}`);
    expect(written.sort()).toEqual(laneConnections.sort());
    const bare = connections.filter((connection) => connection.to === undefined);
    expect(bare.map((connection) => connection.from).sort()).toEqual([
      'e_out',
      'n_out',
      's_out',
      'w_out',
    ]);
  });

  it('leaves a signal without a program to netconvert', () => {
    const plain = sumoPlainNetwork(network);
    expect(plain.defaultPrograms).toEqual(['C']);
    expect(plain.linkIndices).toEqual({});
    expect(elements(plain.trafficLights, 'tlLogic')).toEqual([]);
  });

  it('writes a given program, one link index per signal group shared by its connections', () => {
    const plain = sumoPlainNetwork(network, { plans: { C: crossingPlan() } });
    const [logic] = elements(plain.trafficLights, 'tlLogic') as unknown as (Attributes & {
      phase: Attributes[];
    })[];
    expect(logic).toMatchObject({ id: 'C', type: 'static', programID: '0', offset: '5' });
    // Groups ne, ns, nw, en, …: north and south are positions 0–2 and 6–8.
    expect(logic!.phase.map((phase) => [phase.duration, phase.state])).toEqual([
      ['25', 'gggrrrgggrrr'],
      ['3', 'yyyrrryyyrrr'],
      ['2', 'rrrrrrrrrrrr'],
      ['25', 'rrrgggrrrggg'],
      ['3', 'rrryyyrrryyy'],
      ['2', 'rrrrrrrrrrrr'],
    ]);
    const indices = elements(plain.trafficLights, 'connection').map((c) => [
      `${c.from}>${c.to}`,
      c.linkIndex,
    ]);
    expect(indices).toHaveLength(12);
    expect(Object.fromEntries(indices)).toMatchObject({ 'n_in>e_out': '0', 'w_in>s_out': '11' });
    expect(plain.linkIndices.C?.linkCount).toBe(12);
  });

  it('refuses ids SUMO cannot read', () => {
    const spec = crossingSpec();
    spec.links[0] = { ...spec.links[0]!, id: 'n in' };
    spec.movements = spec.movements.map((movement) =>
      movement.from === 'n_in' ? { ...movement, from: 'n in' } : movement,
    );
    expect(() => sumoPlainNetwork(buildNetwork(spec))).toThrow(RangeError);
  });
});

describe('sumoPlainNetwork on Jinshui Road (lon/lat)', () => {
  const network = jinshui();
  const plain = sumoPlainNetwork(network);

  it('projects so that straight links keep their length', () => {
    const projection = planarProjection(network);
    network.forEachEdge((link, attributes) => {
      const points = attributes.geometry.map(projection.project);
      let length = 0;
      for (let i = 1; i < points.length; i++) {
        length += Math.hypot(points[i]![0] - points[i - 1]![0], points[i]![1] - points[i - 1]![1]);
      }
      expect(Math.abs(length / attributes.length - 1), link).toBeLessThan(1e-3);
    });
    expect(projection.projParameter).toMatch(/^\+proj=eqc /);
  });

  it('writes one tlLogic per signal, as long as its vehicle groups', () => {
    const logics = elements(plain.trafficLights, 'tlLogic') as unknown as (Attributes & {
      phase: Attributes[];
    })[];
    expect(logics.map((logic) => logic.id)).toEqual(Object.keys(network.getAttribute('signals')));
    const weilai = logics.find((logic) => logic.id === 'JS-07')!;
    // 13 vehicle groups; its 4 pedestrian groups are not exported.
    const lengths = (logic: { phase: Attributes[] }) =>
      new Set(logic.phase.map((phase) => phase.state?.length));
    expect(lengths(weilai)).toEqual(new Set([13]));
    for (const logic of logics.filter((other) => other.id !== 'JS-07')) {
      expect(lengths(logic), logic.id).toEqual(new Set([8]));
    }
  });

  it('maps every signalled lane connection to its group position, the U-turn included', () => {
    const connections = elements(plain.trafficLights, 'connection');
    const laneConnections = Object.values(network.getAttribute('movements')).reduce(
      (count, movement) => count + movement.lanes.length,
      0,
    );
    expect(connections).toHaveLength(laneConnections);
    const uturn = connections.find((c) => c.from === 'jinshui-wb-7' && c.to === 'jinshui-eb-7');
    expect(uturn).toMatchObject({ tl: 'JS-07', linkIndex: '6' });
    expect(sumoLinkIndices(network)['JS-07']?.groups['WB-U']).toBe(6);
  });
});

describe('plansWithLinkIndices', () => {
  const network = jinshui();
  const signal = network.getAttribute('signals')['JS-07']!;

  it('re-keys greens by link index and drops pedestrian groups', () => {
    const [plan] = plansWithLinkIndices(network, signal.programs);
    const original = signal.programs[0]!;
    const pedestrian = new Set(
      signal.signalGroups.filter((group) => group.kind === 'pedestrian').map((group) => group.id),
    );
    const indices = sumoLinkIndices(network)['JS-07']!.groups;
    plan!.stages.forEach((stage, position) => {
      const expected = Object.entries(original.stages[position]!.greens)
        .filter(([group]) => !pedestrian.has(group))
        .map(([group, kind]) => [String(indices[group]), kind]);
      expect(Object.entries(stage.greens).sort()).toEqual(expected.sort());
    });
    expect(plan!.cycleLength).toBe(original.cycleLength);
  });

  it('rejects a plan naming a group the signal does not have', () => {
    const bad: TimingPlan = { ...signal.programs[0]!, stages: [] };
    bad.stages = [
      { id: 'x', greens: { nope: 'protected' }, green: 10, yellow: 3, allRed: 0, minGreen: 5 },
    ];
    expect(() => plansWithLinkIndices(network, [bad])).toThrow(RangeError);
    expect(() => plansWithLinkIndices(network, [{ ...bad, signal: 'nowhere' }])).toThrow(
      RangeError,
    );
  });
});
