// The corridor of a row of signals under their plans: the arterial as default, positions, through
// greens, and the bands the offsets leave, checked by hand and against a brute-force scan.
// Run: npx vitest run src/analysis/time-space-corridor.test.ts
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { timeSpaceDiagram } from './time-space.ts';
import { loadDemo, type Demo } from '../engine/engine.fixture.ts';
import type { TimingPlan } from '../timing/types.ts';
import {
  arterialSites,
  corridorOfPlans,
  CorridorProblem,
  defaultCorridorSites,
  fittedBandwidth,
} from './time-space-corridor.ts';

const ARTERIAL = [
  'JS-01',
  'JS-02',
  'JS-03',
  'JS-04',
  'JS-05',
  'JS-06',
  'JS-07',
  'JS-08',
  'dongming',
];

/** The widest band by marking every 0.1 s of the cycle green at all signals: slow, obviously right. */
function scannedBandwidth(greens: { start: number; green: number }[], cycle: number): number {
  const slots = Math.round(cycle * 10);
  const open = Array.from({ length: slots }, (_, slot) =>
    greens.every(
      ({ start, green }) => ((((slot + 0.5) / 10 - start) % cycle) + cycle) % cycle < green,
    ),
  );
  if (open.every(Boolean)) return cycle;
  let best = 0;
  let run = 0;
  for (let slot = 0; slot < 2 * slots; slot++) {
    run = open[slot % slots] ? run + 1 : 0;
    best = Math.max(best, Math.min(run, slots));
  }
  return best / 10;
}

describe('fittedBandwidth', () => {
  it('gives the textbook alternate-offset bands: half-cycle greens, half-cycle travel', () => {
    // Greens of 40 s in an 80 s cycle at offsets 0/40/0…, 40 s between signals: seen from the
    // first signal every green starts at 0 (mod 80), so the band is the whole 40 s green.
    const greens = [0, 40, 0, 40, 0].map((offset, index) => ({
      start: offset - 40 * index,
      green: 40,
    }));
    expect(fittedBandwidth(greens, 80)).toBe(40);
  });

  it.each([
    {
      greens: [
        [0, 40],
        [10, 40],
      ],
      band: 30,
      why: 'the overlap of shifted greens',
    },
    {
      greens: [
        [0, 40],
        [40, 40],
      ],
      band: 0,
      why: 'none without an overlap',
    },
    {
      greens: [
        [70, 30],
        [-5, 20],
      ],
      band: 20,
      why: 'the overlap across the cycle boundary',
    },
    {
      greens: [
        [0, 0],
        [0, 40],
      ],
      band: 0,
      why: 'none through a signal with no green',
    },
    {
      greens: [
        [3, 80],
        [9, 80],
      ],
      band: 80,
      why: 'the cycle when all is green',
    },
  ])('is $band s for $greens: $why', ({ greens, band }) => {
    const shifted = greens.map(([start, green]) => ({ start: start!, green: green! }));
    expect(fittedBandwidth(shifted, 80)).toBe(band);
  });

  it('agrees with a scan of every band start', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            start: fc.integer({ min: -1200, max: 1200 }).map((tenths) => tenths / 10),
            green: fc.integer({ min: 10, max: 700 }).map((tenths) => tenths / 10),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (greens) => {
          expect(fittedBandwidth(greens, 80)).toBeCloseTo(scannedBandwidth(greens, 80), 1);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the demo corridor (Jinshui Road)', () => {
  let demo: Demo;
  let programs: Record<string, TimingPlan>;
  beforeAll(async () => {
    demo = await loadDemo();
    programs = Object.fromEntries(
      demo.sites.map((site) => [site, demo.signals[site]!.programs[0]!]),
    );
  });

  it('finds the arterial: all nine signals, west to east', () => {
    expect(arterialSites(demo.network)).toEqual(ARTERIAL);
  });

  it("defaults to the arterial's longest stretch on one cycle when cycles differ", () => {
    // The network's programs: 140 s at JS-01/02, 120 s at JS-03 to JS-06, 140 s at JS-07 …
    expect(defaultCorridorSites(demo.network, programs)).toEqual([
      'JS-03',
      'JS-04',
      'JS-05',
      'JS-06',
    ]);
    const common = Object.fromEntries(
      ARTERIAL.map((site) => [site, { ...programs[site]!, cycleLength: 100 }]),
    );
    expect(defaultCorridorSites(demo.network, common)).toEqual(ARTERIAL);
  });

  it('sets positions, through greens and the band between JS-03 and JS-04 as by hand', () => {
    const { corridor, result, sites } = corridorOfPlans(demo.network, ['JS-03', 'JS-04'], programs);
    const length = demo.network.getEdgeAttribute('jinshui-eb-3', 'length');
    const speed = demo.network.getEdgeAttribute('jinshui-eb-3', 'speedLimit');
    expect(sites.map((site) => site.position)).toEqual([0, length]);
    // Both run EB-T and WB-T in their first stage: 45 s from the offset (40 s, 75 s).
    expect(sites[0]!.outbound).toEqual({
      movement: 'jinshui-eb-2>jinshui-eb-3',
      signalGroup: 'EB-T',
      start: 40,
      green: 45,
    });
    expect(sites[1]!.inbound).toMatchObject({ signalGroup: 'WB-T', start: 75, green: 45 });
    expect(result.signals).toEqual([
      { id: 'JS-03', offset: 0 },
      { id: 'JS-04', offset: 35 },
    ]);
    // Outbound: leave JS-03 in [40, 85), reach JS-04 after length/speed s, whose green is [75, 120).
    const travel = length / speed;
    const outbound = 85 - (75 - travel);
    expect(result.bandwidth.outbound).toBeCloseTo(outbound, 1);
    expect(result.bandwidth.outbound).toBeLessThanOrEqual(outbound);
    // Inbound: leave JS-04 in [75, 120), arrive at JS-03 in [75 + travel, 120 + travel) ≈
    // [100.8, 145.8), while its green is [40, 85) and [160, 205): no band.
    expect(result.bandwidth.inbound).toBe(0);
    expect(corridor.signals[1]).toMatchObject({
      id: 'JS-04',
      greenSeconds: 45,
      inboundGreen: 45 / 120,
    });
    const diagram = timeSpaceDiagram(corridor, result);
    expect(diagram.bands.outbound.start).not.toBeNull();
  });

  it('names what is wrong with a row of sites', () => {
    const problem = (sites: string[], plans = programs) => {
      try {
        corridorOfPlans(demo.network, sites, plans);
      } catch (error) {
        return (error as CorridorProblem).code;
      }
      return 'none';
    };
    expect(problem(['JS-03'])).toBe('TOO_FEW_SITES');
    expect(problem(['JS-03', 'JS-03'])).toBe('TOO_FEW_SITES');
    expect(problem(['JS-03', 'nowhere'])).toBe('UNKNOWN_SITE');
    expect(problem(['JS-03', 'JS-04'], { 'JS-03': programs['JS-03']! })).toBe('UNKNOWN_SITE');
    expect(problem(['JS-01', 'JS-03'])).toBe('NO_COMMON_CYCLE');
    expect(problem(['JS-03', 'JS-05'])).toBe('none');
  });
});
