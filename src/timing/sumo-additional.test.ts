// Tests for the SUMO additional file: static tlLogic per plan, offsets, escaped ids; actuated plans (free, coordinated) as actuated programs; net lanes.
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { planFromSumoPhases } from './sumo-program.ts';
import { sumoAdditional, sumoApproachLanes } from './sumo-additional.ts';

const phases = [
  { duration: 31, state: 'GGrr' },
  { duration: 4, state: 'yyrr' },
  { duration: 31, state: 'rrGG' },
  { duration: 4, state: 'rryy' },
];

describe('sumoAdditional', () => {
  it('writes the plan back as the phases it came from, with its offset', () => {
    const plan = planFromSumoPhases({ signal: 'J&1', programId: '0', offset: 12, phases });
    const xml = sumoAdditional([{ plan, linkCount: 4, programId: 'greenwave' }], 'a -- comment');
    expect(xml).toContain('<tlLogic id="J&#38;1" type="static" programID="greenwave" offset="12">');
    const written = [...xml.matchAll(/<phase duration="([^"]+)" state="([^"]+)"/g)].map(
      (match) => ({
        duration: Number(match[1]),
        state: match[2],
      }),
    );
    expect(written).toEqual(phases);
    expect(xml).not.toMatch(/<!--.*--.*-->/);
  });
});

describe('sumoAdditional, actuated plans', () => {
  const fixed = planFromSumoPhases({ signal: 'J1', programId: '0', offset: 12, phases });
  const free = { ...fixed, actuated: { passage: 2.5, free: true } };
  const lanes = [
    { id: 'west_0', length: 120, linkIndices: [0, 1] },
    { id: 'north_0', length: 90, linkIndices: [2, 3] },
  ];
  const parse = (xml: string) =>
    new XMLParser({
      htmlEntities: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (_name: string, _path: unknown, _leaf: boolean, attribute: boolean) => !attribute,
    }).parse(xml) as { additional: [Record<string, Record<string, string | object[]>[]>] };

  it('keeps fixed-time plans static, as written before', () => {
    const xml = sumoAdditional([{ plan: fixed, linkCount: 4, programId: 'p', lanes }]);
    expect(xml).toBe(sumoAdditional([{ plan: fixed, linkCount: 4, programId: 'p' }]));
    expect(xml).not.toContain('actuated');
  });

  it('writes a coordinated-actuated plan as a coordinated actuated tlLogic on the plan’s cycle and offset', () => {
    const coordinated = { ...fixed, actuated: { passage: 2 } };
    const xml = sumoAdditional([
      { plan: coordinated, linkCount: 4, programId: 'p', lanes, begin: 27_000 },
    ]);
    const [root] = parse(xml).additional;
    expect(root!['inductionLoop']).toHaveLength(2);
    const [logic] = root!['tlLogic'] as Record<string, string | Record<string, string>[]>[];
    // Offset 12 s, cycle 70 s: 27,000 s is 38 s into the cycle that began at 26,962 s.
    expect([logic!['type'], logic!['offset']]).toEqual(['actuated', '26962']);
    const params = logic!['param'] as Record<string, string>[];
    expect(params).toContainEqual({ key: 'coordinated', value: 'true' });
    expect(params).toContainEqual({ key: 'cycleTime', value: '70' });
    const written = logic!['phase'] as Record<string, string>[];
    expect(written[1]!.earlyTarget).toBe('c: >= 31 and 32 > c: and T0to1');
    expect(logic!['assignment']).toBeUndefined();
  });

  it('writes a free plan as an actuated tlLogic after its stop-line loops, all well-formed', () => {
    const xml = sumoAdditional([
      { plan: free, linkCount: 4, programId: 'free', lanes, begin: 27_000 },
    ]);
    const [root] = parse(xml).additional;
    expect(root!['inductionLoop']).toEqual([
      {
        id: 'J1_free_west_0',
        lane: 'west_0',
        pos: '90',
        length: '30',
        friendlyPos: 'true',
        file: 'NUL',
      },
      {
        id: 'J1_free_north_0',
        lane: 'north_0',
        pos: '60',
        length: '30',
        friendlyPos: 'true',
        file: 'NUL',
      },
    ]);
    const [logic] = root!['tlLogic'] as Record<string, string | Record<string, string>[]>[];
    // Four phases, 31 + 4 + 31 + 4 = 70 s: 27,000 s is 50 s into a round.
    expect([logic!['type'], logic!['programID'], logic!['offset']]).toEqual([
      'actuated',
      'free',
      '50',
    ]);
    const params = logic!['param'] as Record<string, string>[];
    expect(params).toContainEqual({ key: 'max-gap', value: '2.5' });
    expect(params).toContainEqual({ key: 'west_0', value: 'J1_free_west_0' });
    const written = logic!['phase'] as Record<string, string>[];
    expect(
      written.map((phase) => [phase.duration, phase.minDur, phase.maxDur, phase.next]),
    ).toEqual([
      ['31', '1', '86400', '1'],
      ['4', '4', '4', '2'],
      ['31', '5', '31', '3'],
      ['4', '4', '4', '0'],
    ]);
    expect(written[1]!.earlyTarget).toBe('c: >= 5 and (!D0 or c: >= callAt + 31) and T0to1');
    const conditions = logic!['condition'] as Record<string, string>[];
    expect(conditions).toContainEqual({ id: 'D1', value: '2.5 >= z:J1_free_north_0' });
    expect(logic!['assignment']).toHaveLength(3);
  });

  it('refuses an actuated plan without the lanes its detectors go on', () => {
    expect(() => sumoAdditional([{ plan: free, linkCount: 4, programId: 'free' }])).toThrow(
      /sumoApproachLanes/,
    );
    const coordinated = { ...fixed, actuated: { passage: 2 } };
    expect(() => sumoAdditional([{ plan: coordinated, linkCount: 4, programId: 'p' }])).toThrow(
      /sumoApproachLanes/,
    );
  });
});

describe('sumoApproachLanes', () => {
  const net = `<net>
    <edge id="w" from="a" to="c"><lane id="w_0" index="0" speed="13.9" length="120.50" shape="0,0 1,1"/><lane id="w_1" index="1" speed="13.9" length="120.50"/></edge>
    <edge id=":c_0" function="internal"><lane id=":c_0_0" index="0" speed="13.9" length="5.00"/></edge>
    <connection from="w" to="e" fromLane="0" toLane="0" via=":c_0_0" tl="C" linkIndex="0" dir="s" state="O"/>
    <connection from="w" to="e" fromLane="1" toLane="1" tl="C" linkIndex="0" dir="s" state="O"/>
    <connection from="w" to="n" fromLane="1" toLane="0" tl="C" linkIndex="1" dir="l" state="o"/>
    <connection from=":c_0" to="e" fromLane="0" toLane="0" dir="s" state="M"/>
  </net>`;

  it('lists the lanes entering each traffic light with the link indices leaving them', () => {
    expect(sumoApproachLanes(net)).toEqual({
      C: [
        { id: 'w_0', length: 120.5, linkIndices: [0] },
        { id: 'w_1', length: 120.5, linkIndices: [0, 1] },
      ],
    });
  });

  it('refuses a connection from a lane the net does not have', () => {
    expect(() => sumoApproachLanes(net.replace('id="w_1"', 'id="x_1"'))).toThrow(RangeError);
  });
});
