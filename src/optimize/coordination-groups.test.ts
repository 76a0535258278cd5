// Tests for coordination groups: arterials, priority intersections, manual lists, random grids.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../network/build.ts';
import { gridSpec } from '../network/grid.ts';
import type { NetworkSpec, RoadNetwork } from '../network/types.ts';
import { coordinationGroups, couplingIndex } from './coordination-groups.ts';

/** Through movements along the east–west streets get `arterial` pcu/h, every other movement `other`. */
function arterialFlows(
  network: RoadNetwork,
  { arterial, other }: { arterial: number; other: number },
): Record<string, number> {
  const flows: Record<string, number> = {};
  for (const movement of Object.values(network.getAttribute('movements'))) {
    const [from, to] = network.extremities(movement.from);
    const eastWest =
      network.getNodeAttribute(from, 'position')[1] === network.getNodeAttribute(to, 'position')[1];
    flows[movement.id] = movement.turn === 'through' && eastWest ? arterial : other;
  }
  return flows;
}

function uniformFlows(network: RoadNetwork, flow: number): Record<string, number> {
  return Object.fromEntries(Object.keys(network.getAttribute('movements')).map((id) => [id, flow]));
}

const signalsOf = (groups: ReturnType<typeof coordinationGroups>) =>
  groups.map((group) => group.signals);

describe('couplingIndex', () => {
  it('divides two-way flow by the distance in feet', () => {
    // 1,000 veh/h over 2,000 ft (609.6 m): Yagoda's threshold, 0.5.
    expect(couplingIndex(1000, 609.6)).toBeCloseTo(0.5, 12);
    expect(couplingIndex(500, 304.8)).toBeCloseTo(0.5, 12);
    expect(couplingIndex(0, 0)).toBe(0);
  });
});

describe('coordinationGroups on a 1×4 arterial', () => {
  const arterial = buildNetwork(gridSpec({ rows: 1, columns: 4, spacing: 300 }));
  const heavy = arterialFlows(arterial, { arterial: 800, other: 50 });

  it('groups the four signals when the arterial is busy and the spacing short', () => {
    const groups = coordinationGroups(arterial, heavy);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      id: 'group-1',
      signals: ['n0_0', 'n1_0', 'n2_0', 'n3_0'],
      reason: 'coupled',
    });
    expect(groups[0]!.pairs.map((pair) => [pair.from, pair.to])).toEqual([
      ['n0_0', 'n1_0'],
      ['n1_0', 'n2_0'],
      ['n2_0', 'n3_0'],
    ]);
    // By hand: into n0_0→n1_0, 800 through + 50 right + 50 left = 900 pcu/h, the same back:
    // 1,800 veh/h over 300 m = 984.25 ft gives 1.8288; 300 m at 13.89 m/s is 21.6 s.
    const [first] = groups[0]!.pairs;
    expect(first!.flow).toBe(1800);
    expect(first!.distance).toBe(300);
    expect(first!.travelTime).toBeCloseTo(300 / 13.89, 9);
    expect(first!.couplingIndex).toBeCloseTo(1.8288, 9);
  });

  it('leaves each signal alone when the spacing is too long to drive in maxTravelTime', () => {
    const far = buildNetwork(gridSpec({ rows: 1, columns: 4, spacing: 2000 }));
    const groups = coordinationGroups(far, arterialFlows(far, { arterial: 3000, other: 50 }));
    expect(signalsOf(groups)).toEqual([['n0_0'], ['n1_0'], ['n2_0'], ['n3_0']]);
    expect(groups.map((group) => group.reason)).toEqual([
      'isolated',
      'isolated',
      'isolated',
      'isolated',
    ]);
    // 144 s of driving: coupled once the limit allows it.
    expect(
      coordinationGroups(far, arterialFlows(far, { arterial: 3000, other: 50 }), {
        maxTravelTime: 150,
      }),
    ).toHaveLength(1);
  });

  it('leaves each signal alone when the flows are light (coupling index below 0.5)', () => {
    // 2 × (100 + 20 + 20) = 280 veh/h over 984 ft: index 0.28.
    const light = arterialFlows(arterial, { arterial: 100, other: 20 });
    const groups = coordinationGroups(arterial, light);
    expect(groups.map((group) => group.reason)).toEqual([
      'isolated',
      'isolated',
      'isolated',
      'isolated',
    ]);
    expect(coordinationGroups(arterial, light, { minCouplingIndex: 0.25 })).toHaveLength(1);
  });

  it('keeps signals named apart on their own, splitting the arterial', () => {
    const groups = coordinationGroups(arterial, heavy, { manual: { apart: ['n1_0'] } });
    expect(groups.map(({ id, signals, reason }) => ({ id, signals, reason }))).toEqual([
      { id: 'group-1', signals: ['n0_0'], reason: 'isolated' },
      { id: 'group-2', signals: ['n1_0'], reason: 'manual' },
      { id: 'group-3', signals: ['n2_0', 'n3_0'], reason: 'coupled' },
    ]);
    expect(groups[1]!.pairs).toEqual([]);
  });

  it('runs signals named together as one group, even uncoupled', () => {
    const far = buildNetwork(gridSpec({ rows: 1, columns: 4, spacing: 2000 }));
    const groups = coordinationGroups(far, uniformFlows(far, 100), {
      manual: { together: [['n3_0', 'n0_0']] },
    });
    expect(groups.map(({ id, signals, reason }) => ({ id, signals, reason }))).toEqual([
      { id: 'group-1', signals: ['n0_0', 'n3_0'], reason: 'manual' },
      { id: 'group-2', signals: ['n1_0'], reason: 'isolated' },
      { id: 'group-3', signals: ['n2_0'], reason: 'isolated' },
    ]);
    expect(groups[0]!.pairs).toEqual([]);
  });

  it('merges a together list with the groups its signals are coupled in', () => {
    const groups = coordinationGroups(arterial, heavy, {
      manual: { apart: ['n1_0'], together: [['n0_0', 'n3_0']] },
    });
    expect(signalsOf(groups)).toEqual([['n0_0', 'n2_0', 'n3_0'], ['n1_0']]);
    expect(groups[0]!.reason).toBe('manual');
    expect(groups[0]!.pairs.map((pair) => [pair.from, pair.to])).toEqual([['n2_0', 'n3_0']]);
  });

  it('throws a RangeError for a caller mistake', () => {
    const cases: Parameters<typeof coordinationGroups>[2][] = [
      { maxTravelTime: 0 },
      { maxTravelTime: Number.NaN },
      { minCouplingIndex: -1 },
      { manual: { apart: ['nowhere'] } },
      { manual: { together: [['n0_0', 'nowhere']] } },
      { manual: { together: [['n0_0', 'n1_0']], apart: ['n1_0'] } },
    ];
    for (const options of cases) {
      expect(() => coordinationGroups(arterial, heavy, options)).toThrow(RangeError);
    }
    expect(() => coordinationGroups(arterial, { 'no>such': 10 })).toThrow(RangeError);
    const negative = { ...heavy, [Object.keys(heavy)[0]!]: -5 };
    expect(() => coordinationGroups(arterial, negative)).toThrow(RangeError);
  });
});

/**
 * Two signals, A and B, 400 m apart with a priority intersection P between them:
 * w — A — P — B — e, one lane each way, 10 m/s, 200 m per link.
 */
function throughPrioritySpec({ turnAtP = true } = {}): NetworkSpec {
  const lane = [{ index: 0, length: 200, speedLimit: 10, width: 3.5 }];
  const link = (from: string, to: string) => ({ id: `${from}-${to}`, from, to, lanes: lane });
  const straight = (from: string, to: string, signal?: string) => ({
    from,
    to,
    lanes: [{ fromLane: 0, toLane: 0 }],
    ...(signal ? { signal, signalGroup: 'through' } : {}),
  });
  return {
    name: 'through-priority',
    coordinates: 'planar',
    intersections: [
      { id: 'w', kind: 'boundary', position: [-200, 0] },
      { id: 'A', kind: 'signalized', position: [0, 0] },
      { id: 'P', kind: 'priority', position: [200, 0] },
      { id: 'B', kind: 'signalized', position: [400, 0] },
      { id: 'e', kind: 'boundary', position: [600, 0] },
    ],
    links: [
      link('w', 'A'),
      link('A', 'P'),
      link('P', 'B'),
      link('B', 'e'),
      link('e', 'B'),
      link('B', 'P'),
      link('P', 'A'),
      link('A', 'w'),
    ],
    movements: [
      straight('w-A', 'A-P', 'A'),
      ...(turnAtP ? [straight('A-P', 'P-B')] : []),
      straight('P-B', 'B-e', 'B'),
      straight('e-B', 'B-P', 'B'),
      straight('B-P', 'P-A'),
      straight('P-A', 'A-w', 'A'),
    ],
    signals: ['A', 'B'].map((id) => ({
      id,
      intersections: [id],
      signalGroups: [{ id: 'through' }],
    })),
  };
}

describe('coordinationGroups through a priority intersection', () => {
  const flows = { 'w-A>A-P': 600, 'e-B>B-P': 600 };

  it('couples signals joined through an unsignalized intersection', () => {
    const groups = coordinationGroups(buildNetwork(throughPrioritySpec()), flows);
    expect(groups).toHaveLength(1);
    // 1,200 veh/h over 400 m (1,312.3 ft): 0.9144; 2 × 200 m at 10 m/s: 40 s.
    expect(groups[0]!.pairs).toEqual([
      {
        from: 'A',
        to: 'B',
        distance: 400,
        travelTime: 40,
        flow: 1200,
        couplingIndex: expect.closeTo(0.9144, 9),
      },
    ]);
    expect(
      coordinationGroups(buildNetwork(throughPrioritySpec()), flows, { maxTravelTime: 39 }),
    ).toHaveLength(2);
  });

  it('respects turns: no movement from A toward B leaves only the flow from B', () => {
    const network = buildNetwork(throughPrioritySpec({ turnAtP: false }));
    // Only B → A: 600 veh/h over 1,312 ft, 0.457, below 0.5.
    expect(signalsOf(coordinationGroups(network, flows))).toEqual([['A'], ['B']]);
    const groups = coordinationGroups(network, flows, { minCouplingIndex: 0.45 });
    expect(groups[0]!.pairs).toMatchObject([{ from: 'B', to: 'A', flow: 600 }]);
  });
});

/** The expected partition of a grid, worked out from the grid's layout, not from paths. */
function expectedGridGroups(
  network: RoadNetwork,
  flows: Record<string, number>,
  { rows, columns, spacing }: { rows: number; columns: number; spacing: number },
  { maxTravelTime, minCouplingIndex }: { maxTravelTime: number; minCouplingIndex: number },
): string[][] {
  const inflow = (link: string) =>
    Object.entries(flows)
      .filter(([id]) => id.endsWith(`>${link}`))
      .reduce((sum, [, flow]) => sum + flow, 0);
  const node = (column: number, row: number) => `n${column}_${row}`;
  const label = new Map<string, string>();
  const labelOf = (signal: string): string => {
    const up = label.get(signal) ?? signal;
    return up === signal ? signal : labelOf(up);
  };
  const travelTime = spacing / network.getEdgeAttribute(`${node(0, 0)}-n0_-1`, 'speedLimit');
  for (let column = 0; column < columns; column++) {
    for (let row = 0; row < rows; row++) {
      for (const [a, b] of [
        [node(column, row), node(column + 1, row)],
        [node(column, row), node(column, row + 1)],
      ] as const) {
        if (!network.hasNode(b) || network.getNodeAttribute(b, 'kind') !== 'signalized') continue;
        const flow = inflow(`${a}-${b}`) + inflow(`${b}-${a}`);
        if (travelTime > maxTravelTime || flow / (spacing / 0.3048) < minCouplingIndex) continue;
        const [rootA, rootB] = [labelOf(a), labelOf(b)].sort();
        if (rootA !== rootB) label.set(rootB!, rootA!);
      }
    }
  }
  const groups = new Map<string, string[]>();
  for (const signal of Object.keys(network.getAttribute('signals')).sort()) {
    groups.set(labelOf(signal), [...(groups.get(labelOf(signal)) ?? []), signal]);
  }
  return [...groups.values()];
}

const randomGrid = fc
  .record({
    rows: fc.integer({ min: 1, max: 4 }),
    columns: fc.integer({ min: 1, max: 4 }),
    spacing: fc.integer({ min: 100, max: 1200 }),
    maxTravelTime: fc.constantFrom(20, 60, 90),
    minCouplingIndex: fc.double({ min: 0, max: 2, noNaN: true }),
  })
  .chain((grid) => {
    const network = buildNetwork(gridSpec(grid));
    const ids = Object.keys(network.getAttribute('movements'));
    const signals = Object.keys(network.getAttribute('signals'));
    return fc.record({
      grid: fc.constant(grid),
      network: fc.constant(network),
      flows: fc
        .array(fc.integer({ min: 0, max: 1500 }), { minLength: ids.length, maxLength: ids.length })
        .map((values) => Object.fromEntries(ids.map((id, index) => [id, values[index]!]))),
      apart: fc.subarray(signals),
      together: fc.subarray(signals),
    });
  });

describe('coordinationGroups on random grids', () => {
  it('puts every signal in exactly one group, grouped as the layout says', () => {
    fc.assert(
      fc.property(randomGrid, ({ grid, network, flows }) => {
        const options = {
          maxTravelTime: grid.maxTravelTime,
          minCouplingIndex: grid.minCouplingIndex,
        };
        const groups = coordinationGroups(network, flows, options);
        const listed = groups.flatMap((group) => group.signals).sort();
        expect(listed).toEqual(Object.keys(network.getAttribute('signals')).sort());
        expect(signalsOf(groups)).toEqual(expectedGridGroups(network, flows, grid, options));
        groups.forEach((group, index) => {
          expect(group.id).toBe(`group-${index + 1}`);
          expect(group.reason).toBe(group.pairs.length > 0 ? 'coupled' : 'isolated');
          for (const pair of group.pairs) {
            expect(pair.travelTime).toBeLessThanOrEqual(grid.maxTravelTime);
            expect(pair.couplingIndex).toBeGreaterThanOrEqual(grid.minCouplingIndex);
          }
        });
      }),
      { numRuns: 60 },
    );
  });

  it('honours manual lists: apart alone, together in one group, every signal once', () => {
    fc.assert(
      fc.property(randomGrid, ({ network, flows, apart, together }) => {
        const inTogether = together.filter((signal) => !apart.includes(signal));
        const groups = coordinationGroups(network, flows, {
          manual: { apart, together: [inTogether] },
        });
        const listed = groups.flatMap((group) => group.signals).sort();
        expect(listed).toEqual(Object.keys(network.getAttribute('signals')).sort());
        for (const signal of apart) {
          expect(groups.find((group) => group.signals.includes(signal))).toMatchObject({
            signals: [signal],
            pairs: [],
            reason: 'manual',
          });
        }
        if (inTogether.length > 0) {
          const holding = groups.filter((group) =>
            group.signals.some((signal) => inTogether.includes(signal)),
          );
          expect(holding).toHaveLength(1);
          expect(holding[0]!.reason).toBe('manual');
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('coordinationGroups on a 32×32 grid', () => {
  it('groups 1,024 busy signals into one group joined by every neighbouring pair', () => {
    const network = buildNetwork(gridSpec({ rows: 32, columns: 32 }));
    const groups = coordinationGroups(network, uniformFlows(network, 400));
    expect(groups).toHaveLength(1);
    expect(groups[0]!.signals).toHaveLength(1024);
    expect(groups[0]!.pairs).toHaveLength(2 * 32 * 31);
  });
});
