// Tests for the timing model: permissive gap acceptance, shared lanes, and a grid signal's lanes.
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../network/build.ts';
import { gridSpec } from '../network/grid.ts';
import { gapAcceptanceFlow, laneDischarge, timingModel } from './timing-model.ts';

describe('gapAcceptanceFlow', () => {
  it('is the follow-up rate with no opposing flow and falls as opposing flow grows', () => {
    expect(gapAcceptanceFlow(0, 4.5, 2.5)).toBe(1440);
    expect(gapAcceptanceFlow(500, 4.5, 2.5)).toBeCloseTo(912.3, 1);
    expect(gapAcceptanceFlow(1200, 4.5, 2.5)).toBeLessThan(gapAcceptanceFlow(600, 4.5, 2.5));
  });
});

describe('laneDischarge', () => {
  const shares = new Map([
    ['through', 0.8],
    ['left', 0.2],
  ]);

  it('moves at the harmonic mean of the movements that may go', () => {
    const discharge = laneDischarge(shares, (m: string) => (m === 'left' ? 0.5 : 1));
    expect(discharge.rate).toBeCloseTo(0.8333, 4);
    expect(discharge.blockedAfter).toBe(Infinity);
  });

  it('is blocked after P / (1 − P) vehicles when some of its traffic must stop', () => {
    expect(laneDischarge(shares, (m: string) => (m === 'left' ? 1 : 0))).toEqual({
      rate: 1,
      blockedAfter: 0.25,
    });
    expect(laneDischarge(shares, (m: string) => (m === 'left' ? 0 : 1)).blockedAfter).toBeCloseTo(
      4,
      9,
    );
    expect(laneDischarge(shares, () => 0)).toEqual({ rate: 0, blockedAfter: 0 });
  });
});

describe('timingModel on a grid signal', () => {
  const network = buildNetwork(gridSpec({ rows: 1, columns: 1, lanes: 2, spacing: 300 }));
  const signal = network.getAttribute('signals')['n0_0']!;
  const flows = Object.fromEntries(
    signal.signalGroups.flatMap((group) => group.movements).map((id) => [id, 200]),
  );
  const model = timingModel(network, signal, signal.programs[0]!, flows);

  it('has two lanes per approach with their flows, storage and turning-mix saturation flow', () => {
    expect(model.lanes).toHaveLength(8);
    const kerb = model.lanes.find((lane) => lane.link === 'n0_-1-n0_0' && lane.lane === 0)!;
    // Kerb lane: half the through (100) and all the right turn (200); right turns at 0.85.
    expect(kerb.flow).toBe(300);
    expect(kerb.saturationFlow).toBeCloseTo(1879 / (1 / 3 + 2 / 3 / 0.85), 0);
    expect(kerb.storage).toBe(40);
  });

  it('moves the kerb lane in its own stage only, and slows the lane shared with a permissive left', () => {
    const northbound = model.lanes.filter((lane) => lane.link === 'n0_-1-n0_0');
    expect(northbound[0]!.rates).toEqual([1, 0]);
    const shared = northbound.find((lane) => lane.lane === 1)!;
    expect(shared.rates[0]!).toBeGreaterThan(0);
    expect(shared.rates[0]!).toBeLessThan(1);
    expect(shared.rates[1]).toBe(0);
  });

  it('keeps the plan stages, their intergreens and minimum greens', () => {
    expect(model.stages).toEqual([
      { id: 'north-south', intergreen: 5, yellow: 3, minGreen: 5 },
      { id: 'east-west', intergreen: 5, yellow: 3, minGreen: 5 },
    ]);
  });
});
