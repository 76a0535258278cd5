// Tests for cycle and splits: Webster and SUMO-tool reference cases, policies, and invariants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureTiming, totalDelaySeconds } from '../analysis/evaluate-timing.ts';
import type { LaneModel, SignalTimingModel } from '../analysis/timing-model.ts';
import {
  maxDegreeOfSaturation,
  optimizeTiming,
  websterCycle,
  websterSplits,
} from './cycle-and-splits.ts';

/** One lane per stage, each green in its own stage only: the textbook isolated intersection. */
function model(
  flows: number[],
  { saturationFlow = 1800, yellow = 3, allRed = 2, minGreen = 5 } = {},
): SignalTimingModel {
  const lanes: LaneModel[] = flows.map((flow, index) => ({
    link: `approach-${index}`,
    lane: 0,
    flow,
    saturationFlow,
    signalGroup: String(index),
    rates: flows.map((_, stage) => (stage === index ? 1 : 0)),
    blockedAfter: flows.map(() => Infinity),
    storage: 100,
  }));
  return {
    signal: 'J',
    lostTime: 4,
    stages: flows.map((_, index) => ({
      id: String(index),
      intergreen: yellow + allRed,
      yellow,
      minGreen,
    })),
    lanes,
  };
}

describe('Webster (methods.md §10.1)', () => {
  it('T1: q 500 and 300 pcu/h, s 1600, L 16 s → Y 0.5, C₀ 58 s', () => {
    expect(websterCycle(500 / 1600 + 300 / 1600, 16)).toBe(58);
  });

  it('T2: y 0.4 and 0.3, L 12 s → C₀ 76.7 s', () => {
    expect(websterCycle(0.4 + 0.3, 12)).toBeCloseTo(76.67, 2);
  });

  it('is undefined when the demand needs more than the whole cycle', () => {
    expect(websterCycle(1, 12)).toBeUndefined();
  });
});

describe("SUMO's tlsCycleAdaptation defaults (methods.md T6)", () => {
  // Headway 2 s (1800 veh/h/lane), lost time 4 s per phase, yellow 4 s: displayed green = g − 4 + 4.
  it('two phases, 600 and 400 veh/h on one lane each → C 38 s, greens 18 and 12 s', () => {
    const ratios = [600 / 1800, 400 / 1800];
    const cycle = Math.round(websterCycle(ratios[0]! + ratios[1]!, 8)!);
    expect(cycle).toBe(38);
    expect(websterSplits(ratios, cycle, 8).map(Math.round)).toEqual([18, 12]);
  });

  it('four phases, 900 and 700 veh/h on two lanes, 300 and 200 on one → C 104, greens 30/24/20/14', () => {
    const ratios = [900 / 3600, 700 / 3600, 300 / 1800, 200 / 1800];
    const cycle = Math.round(
      websterCycle(
        ratios.reduce((a, b) => a + b),
        16,
      )!,
    );
    expect(cycle).toBe(104);
    expect(websterSplits(ratios, cycle, 16).map(Math.round)).toEqual([30, 24, 20, 14]);
  });
});

describe('optimizeTiming', () => {
  it('minimizes delay: never worse than Webster splits at the same cycle', () => {
    const signal = model([700, 300]);
    const result = optimizeTiming(signal);
    expect(result.status).toBe('optimal');
    // Lost time L = 2 × (intergreen 5 − yellow 3 + lost time 4) = 12 s; displayed green = g + 1.
    const [first] = websterSplits([700 / 1800, 300 / 1800], result.cycleLength, 12).map((g) =>
      Math.round(g + 1),
    );
    const webster = [first!, result.cycleLength - 10 - first!];
    expect(totalDelaySeconds(signal, result.greens, result.cycleLength)).toBeLessThanOrEqual(
      totalDelaySeconds(signal, webster, result.cycleLength) + 1e-6,
    );
    expect(result.greens[0]!).toBeGreaterThan(result.greens[1]!);
  });

  it('zero demand: the shortest cycle, every stage its minimum plus an equal share (no division by zero)', () => {
    const result = optimizeTiming(model([0, 0, 0]), { cycle: { min: 40, max: 120 } });
    expect(result.status).toBe('no-demand');
    expect(result.cycleLength).toBe(40);
    expect(result.greens).toEqual([9, 8, 8]);
    expect(Number.isFinite(result.measures.delay)).toBe(true);
  });

  it('oversaturated (Y ≥ 1): the longest cycle and splits that balance degree of saturation', () => {
    const signal = model([1300, 900]);
    const result = optimizeTiming(signal, { cycle: { min: 45, max: 150 } });
    expect(result.status).toBe('oversaturated');
    expect(result.cycleLength).toBe(150);
    const [first, second] = result.measures.lanes.map((lane) => lane.degreeOfSaturation);
    expect(first!).toBeGreaterThan(1);
    expect(Math.abs(first! - second!)).toBeLessThan(0.05);
    expect(result.websterCycle).toBeUndefined();
  });

  it('oversaturated by a blocked shared lane: the cycle with the most capacity, not the longest', () => {
    // Lane 0 shares through and left; the left is red in the first stage, so each green it sends
    // only the run of throughs before the first left (blockedAfter vehicles): its capacity per hour
    // falls as the cycle grows, and the longest cycle would serve it worst.
    const signal = model([300, 400]);
    signal.lanes[0] = { ...signal.lanes[0]!, flow: 500, blockedAfter: [4, 0] };
    const result = optimizeTiming(signal, { cycle: { min: 45, max: 150 } });
    expect(result.status).toBe('oversaturated');
    expect(result.cycleLength).toBeLessThan(150);
    const longest = optimizeTiming(signal, { cycle: { min: 150, max: 150 } });
    expect(result.measures.criticalDegreeOfSaturation).toBeLessThan(
      longest.measures.criticalDegreeOfSaturation,
    );
  });

  it('a single demanded stage still gives the others their minimum', () => {
    const result = optimizeTiming(model([600, 0]));
    expect(result.greens[1]).toBe(5);
  });
});

describe('optimizeTiming properties', () => {
  const flows = fc.array(fc.integer({ min: 0, max: 800 }), { minLength: 2, maxLength: 4 });

  it('stages fill the cycle, every green at least its minimum, cycle within range', () => {
    fc.assert(
      fc.property(flows, (demand) => {
        const signal = model(demand);
        const result = optimizeTiming(signal, { cycle: { min: 45, max: 150 } });
        const used = result.greens.reduce((a, b) => a + b, 0) + demand.length * 5;
        expect(used).toBeCloseTo(result.cycleLength, 6);
        for (const green of result.greens) expect(green).toBeGreaterThanOrEqual(5);
        expect(result.cycleLength).toBeGreaterThanOrEqual(45);
        expect(result.cycleLength).toBeLessThanOrEqual(150);
      }),
      { numRuns: 60 },
    );
  });

  it('delay does not increase when demand drops', () => {
    fc.assert(
      fc.property(flows, fc.double({ min: 0.3, max: 0.95, noNaN: true }), (demand, factor) => {
        const high = optimizeTiming(model(demand));
        const low = optimizeTiming(model(demand.map((flow) => Math.floor(flow * factor))));
        if (high.status !== 'optimal' || low.status !== 'optimal') return;
        expect(low.measures.totalDelay).toBeLessThanOrEqual(high.measures.totalDelay * 1.01 + 1e-9);
      }),
      { numRuns: 40 },
    );
  });

  it('reports the measures of the timing it returns', () => {
    const signal = model([500, 400, 200]);
    const result = optimizeTiming(signal);
    expect(result.measures).toEqual(measureTiming(signal, result.greens, result.cycleLength));
    expect(maxDegreeOfSaturation(signal, result.greens, result.cycleLength)).toBeCloseTo(
      result.measures.criticalDegreeOfSaturation,
      9,
    );
  });
});
