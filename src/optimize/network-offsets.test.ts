// Tests for network offset optimization: platoon progression on arterials, search invariants, errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { laneGreen } from '../analysis/evaluate-timing.ts';
import { timingModel } from '../analysis/timing-model.ts';
import { freeFlowTime } from '../network/routing.ts';
import { laneStreams } from './network-offsets-lanes.ts';
import {
  evaluateOffsets,
  NetworkOffsetsError,
  optimizeOffsets,
  type NetworkOffsetsErrorCode,
  type NetworkOffsetsInput,
} from './network-offsets.ts';
import { seededRandom } from '../seeded-random.ts';
import { arterialInput, gridInput } from './network-offsets.fixture.ts';

/** The downstream offset, relative to the upstream one, that a full scan finds best. */
function bestRelativeOffset(input: NetworkOffsetsInput, upstream: string, downstream: string) {
  const cycle = input.plans[upstream]!.cycleLength;
  const indices = Array.from(
    { length: cycle },
    (_, offset) => evaluateOffsets(input, { [upstream]: 0, [downstream]: offset }).performanceIndex,
  );
  return indices.indexOf(Math.min(...indices));
}

function relative(offsets: Record<string, number>, upstream: string, downstream: string) {
  return (((offsets[downstream]! - offsets[upstream]!) % 90) + 90) % 90;
}

describe('optimizeOffsets on a two-signal arterial with a one-way platoon', () => {
  it.each([300, 600, 900])(
    'sets the downstream offset near the travel time, at the best of a full scan (%i m)',
    (spacing) => {
      const input = arterialInput({ spacing });
      const travelTime = freeFlowTime(input.network, 'n0_0-n1_0');
      const result = optimizeOffsets(input);
      const found = relative(result.offsets, 'n0_0', 'n1_0');
      // The platoon leader takes β·Ta (β = 0.8) and its body trails: the best start of green
      // lies between the two.
      expect(found).toBeGreaterThanOrEqual(0.75 * travelTime);
      expect(found).toBeLessThanOrEqual(travelTime);
      expect(found).toBe(bestRelativeOffset(input, 'n0_0', 'n1_0'));
    },
  );

  it('follows the platoon through a priority junction between the signals', () => {
    const input = arterialInput({ signals: 3, spacing: 300, unsignalized: ['n1_0'] });
    const travelTime =
      freeFlowTime(input.network, 'n0_0-n1_0') + freeFlowTime(input.network, 'n1_0-n2_0');
    const result = optimizeOffsets(input);
    const found = relative(result.offsets, 'n0_0', 'n2_0');
    expect(found).toBeGreaterThanOrEqual(0.75 * travelTime);
    expect(found).toBeLessThanOrEqual(travelTime);
    const link = result.perLink.find((measures) => measures.link === 'n1_0-n2_0')!;
    expect(link.upstreamSignals).toEqual(['n0_0']);
  });

  it('cuts delay and stops on the coordinated link, not on the one from the boundary', () => {
    const input = arterialInput({ spacing: 600 });
    const before = evaluateOffsets(input, { n0_0: 0, n1_0: 0 }).perLink;
    const after = optimizeOffsets(input).perLink;
    const of = (list: typeof before, link: string) => list.find((m) => m.link === link)!;
    expect(of(after, 'n0_0-n1_0').delayPerVehicle).toBeLessThan(
      of(before, 'n0_0-n1_0').delayPerVehicle / 2,
    );
    expect(of(after, 'n0_0-n1_0').stopRate).toBeLessThan(of(before, 'n0_0-n1_0').stopRate / 2);
    expect(of(after, 'n-1_0-n0_0').delayPerVehicle).toBeCloseTo(
      of(before, 'n-1_0-n0_0').delayPerVehicle,
      9,
    );
    expect(of(after, 'n-1_0-n0_0').upstreamSignals).toEqual([]);
  });
});

describe('optimizeOffsets on grids', () => {
  const grid = gridInput({ rows: 3, columns: 3 });

  it('never lets the performance index rise during a climb, and ends at most where it began', () => {
    const result = optimizeOffsets(grid, { restarts: 2, rng: seededRandom(1) });
    for (const restart of [0, 1, 2]) {
      const passes = result.history.filter((pass) => pass.restart === restart);
      expect(passes.length).toBeGreaterThan(0);
      passes.slice(1).forEach((pass, index) => {
        expect(pass.performanceIndex).toBeLessThanOrEqual(passes[index]!.performanceIndex + 1e-9);
      });
    }
    expect(result.history[0]!.performanceIndex).toBeLessThanOrEqual(result.initialPerformanceIndex);
    expect(result.performanceIndex).toBeLessThan(result.initialPerformanceIndex);
    expect(result.performanceIndex).toBeCloseTo(
      Math.min(...result.history.map((pass) => pass.performanceIndex)),
      9,
    );
  });

  it('reports the index a fresh evaluation of its offsets gives, and links that sum to it', () => {
    const result = optimizeOffsets(grid);
    const fresh = evaluateOffsets(grid, result.offsets);
    expect(result.performanceIndex).toBeCloseTo(fresh.performanceIndex, 9);
    const total = result.perLink.reduce((sum, link) => sum + link.performanceIndex, 0);
    expect(total).toBeCloseTo(result.performanceIndex, 9);
    expect(evaluateOffsets(grid).performanceIndex).toBeCloseTo(result.initialPerformanceIndex, 9);
  });

  it('gives offsets in [0, cycle) on the profile steps, from any start and seed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 89 }), { minLength: 9, maxLength: 9 }),
        fc.integer(),
        fc.constantFrom(1, 2, 3),
        (starts, seed, profileStep) => {
          const ids = Object.keys(grid.plans).sort();
          const plans = Object.fromEntries(
            ids.map((id, index) => [id, { ...grid.plans[id]!, offset: starts[index]! }]),
          );
          const result = optimizeOffsets(
            { ...grid, plans },
            { restarts: 1, rng: seededRandom(seed), profileStep, sweeps: 1 },
          );
          for (const offset of Object.values(result.offsets)) {
            expect(offset).toBeGreaterThanOrEqual(0);
            expect(offset).toBeLessThan(90);
            expect(offset % profileStep).toBe(0);
          }
          for (const [id, plan] of Object.entries(result.plans))
            expect(plan.offset).toBe(result.offsets[id]);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('repeats itself exactly with the same seed', () => {
    const run = () => optimizeOffsets(grid, { restarts: 2, rng: seededRandom(42) });
    expect(run()).toEqual(run());
  });

  it('keeps a common shift of all offsets free: the index depends on differences only', () => {
    const offsets = {
      n0_0: 10,
      n1_0: 40,
      n2_0: 70,
      n0_1: 5,
      n1_1: 25,
      n2_1: 80,
      n0_2: 0,
      n1_2: 33,
      n2_2: 61,
    };
    const shifted = Object.fromEntries(
      Object.entries(offsets).map(([id, o]) => [id, (o + 17) % 90]),
    );
    expect(evaluateOffsets(grid, shifted).performanceIndex).toBeCloseTo(
      evaluateOffsets(grid, offsets).performanceIndex,
      9,
    );
  });

  it('counts a stop as K seconds of delay: the index grows with the stop weight', () => {
    const light = evaluateOffsets(grid, {}, { stopWeight: 0 });
    const heavy = evaluateOffsets(grid, {}, { stopWeight: 40 });
    const stopsPerHour = light.perLink.reduce((sum, link) => sum + link.stops, 0);
    expect(heavy.performanceIndex - light.performanceIndex).toBeCloseTo(
      (40 * stopsPerHour) / 3600,
      6,
    );
  });
});

describe('laneStreams', () => {
  const { network, plans, movementFlows } = gridInput({ rows: 1, columns: 1 });
  const signal = network.getAttribute('signals')['n0_0']!;
  const plan = plans['n0_0']!;
  const options = { steps: 90, lostTime: 4, startLag: 2, jamSpacing: 7.5 };
  const streams = laneStreams(network, signal, plan, movementFlows, options);

  it("lets each lane through as much per cycle as the timing model's effective green", () => {
    const model = timingModel(network, signal, plan, movementFlows);
    const greens = plan.stages.map((stage) => stage.green);
    expect(streams).toHaveLength(model.lanes.length);
    streams.forEach((stream, index) => {
      const lane = model.lanes[index]!;
      const expected = (lane.saturationFlow * laneGreen(lane, model, greens)) / 90;
      expect(stream.capacity).toBeCloseTo(expected, 9);
    });
  });

  it('starts effective green 2 s into the green and ends it 1 s into the yellow (3 s yellow, 4 s lost)', () => {
    // North–south is the first stage: green 0–40 s, yellow 40–43 s.
    const southbound = streams.find((stream) => stream.link === 'n0_1-n0_0' && stream.lane === 0)!;
    const saturation = southbound.saturationFlow / 3600;
    const open = [...southbound.go].map((flow) => (flow > 0 ? 1 : 0)).join('');
    expect(open).toBe('00' + '1'.repeat(39) + '0'.repeat(49));
    expect(southbound.go[10]).toBeCloseTo(saturation, 12);
  });

  it("sends each lane's traffic to the exits of its movements, in proportion to their flows", () => {
    const kerbLane = streams.find((stream) => stream.link === 'n0_1-n0_0' && stream.lane === 0)!;
    // Lane 0 carries half the 450 through and all 100 right turners.
    expect(kerbLane.exits.get('n0_0-n0_-1')).toBeCloseTo(225 / 325, 12);
    expect(kerbLane.exits.get('n0_0-n-1_0')).toBeCloseTo(100 / 325, 12);
  });
});

describe('optimizeOffsets input errors', () => {
  const grid = gridInput({ rows: 1, columns: 2 });
  const codeOf = (run: () => unknown): NetworkOffsetsErrorCode | undefined => {
    try {
      run();
    } catch (error) {
      if (error instanceof NetworkOffsetsError) return error.code;
      throw error;
    }
    return undefined;
  };

  it('names each caller mistake with a code', () => {
    const plan = grid.plans['n0_0']!;
    expect(codeOf(() => optimizeOffsets({ ...grid, plans: {} }))).toBe('NO_SIGNALS');
    expect(codeOf(() => optimizeOffsets({ ...grid, plans: { ...grid.plans, x: plan } }))).toBe(
      'UNKNOWN_SIGNAL',
    );
    expect(
      codeOf(() =>
        optimizeOffsets({ ...grid, plans: { ...grid.plans, n0_0: { ...plan, cycleLength: 80 } } }),
      ),
    ).toBe('CYCLE_MISMATCH');
    expect(codeOf(() => optimizeOffsets({ ...grid, movementFlows: { 'no>such': 10 } }))).toBe(
      'BAD_FLOW',
    );
    const movement = Object.keys(grid.movementFlows)[0]!;
    expect(codeOf(() => optimizeOffsets({ ...grid, movementFlows: { [movement]: -1 } }))).toBe(
      'BAD_FLOW',
    );
    expect(codeOf(() => optimizeOffsets(grid, { restarts: 1 }))).toBe('NO_RNG');
    expect(codeOf(() => optimizeOffsets(grid, { sweeps: 0 }))).toBe('BAD_OPTION');
    expect(codeOf(() => optimizeOffsets(grid, { steps: [] }))).toBe('BAD_OPTION');
    expect(codeOf(() => optimizeOffsets(grid, { alpha: -1 }))).toBe('BAD_OPTION');
    expect(() => optimizeOffsets({ ...grid, plans: {} })).toThrow(RangeError);
  });
});
