// Tests for MAXBAND bandwidth maximization, checked against a brute force and a vehicle sweep.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bandwidthOutcome,
  CorridorError,
  CorridorInfeasibleError,
  corridorProblems,
  maximizeBandwidth,
} from './bandwidth.ts';
import { loopCycleRange } from './bandwidth-milp.ts';
import { resolveCorridor } from './bandwidth-input.ts';
import type { BandwidthResult, Corridor, CorridorSignal, LeadLagSetting } from './corridor.ts';

const fixtures = 'fixtures/corridors';
const readCorridor = (file: string): Corridor =>
  JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as Corridor;

/** Milliseconds of rounding in the result, plus solver tolerance. */
const ROUNDING = 2e-3;

// ---------------------------------------------------------------------------------------------
// Independent geometry: no MILP, only green windows on a circle of one cycle.

/** A green window a vehicle must meet, as start times at the first signal it passes (mod cycle). */
interface Window {
  start: number;
  length: number;
}

const modulo = (value: number, cycle: number) => ((value % cycle) + cycle) % cycle;

/**
 * The longest run of start times that falls inside every window (all arcs on a circle of length
 * `cycle`). Exact: a maximal run begins where one of the windows begins.
 */
function longestCommonRun(windows: readonly Window[], cycle: number): number {
  let best = 0;
  for (const candidate of windows) {
    let run = Infinity;
    for (const window of windows) {
      let into = modulo(candidate.start - window.start, cycle);
      if (into > cycle - 1e-9) into = 0;
      run = Math.min(run, into <= window.length + 1e-9 ? window.length - into : 0);
    }
    best = Math.max(best, run);
  }
  return Math.max(0, best);
}

/**
 * Greens in seconds of one signal at a given cycle, with their usable parts; `shift` is the inbound
 * green's start after the outbound green's (the signal's own `inboundGreenStart` by default).
 */
function greenWindows(
  signal: CorridorSignal,
  cycle: number,
  shift = signal.inboundGreenStart ?? 0,
) {
  const green = signal.greenSeconds ?? (signal.green ?? 0) * cycle;
  const inboundGreen = signal.inboundGreen !== undefined ? signal.inboundGreen * cycle : green;
  const queue = signal.queueClearance;
  const clearance =
    typeof queue === 'number'
      ? { outbound: queue, inbound: queue }
      : { outbound: queue?.outbound ?? 0, inbound: queue?.inbound ?? 0 };
  return {
    outbound: { start: clearance.outbound, length: green - clearance.outbound },
    inbound: { start: shift + clearance.inbound, length: inboundGreen - clearance.inbound },
  };
}

/** Both bandwidths, seconds, of given offsets and link travel times: the geometric definition. */
function geometricBands(
  corridor: Corridor,
  cycle: number,
  offsets: readonly number[],
  travelTimes: readonly { outbound: number; inbound: number }[],
): { outbound: number; inbound: number } {
  const { signals } = corridor;
  const outbound: Window[] = [];
  const inbound: Window[] = [];
  let fromFirst = 0;
  signals.forEach((signal, index) => {
    if (index > 0) fromFirst += travelTimes[index - 1]!.outbound;
    const windows = greenWindows(signal, cycle);
    outbound.push({
      start: offsets[index]! + windows.outbound.start - fromFirst,
      length: windows.outbound.length,
    });
  });
  let fromLast = 0;
  for (let index = signals.length - 1; index >= 0; index--) {
    if (index < signals.length - 1) fromLast += travelTimes[index]!.inbound;
    const windows = greenWindows(signals[index]!, cycle);
    inbound.push({
      start: offsets[index]! + windows.inbound.start - fromLast,
      length: windows.inbound.length,
    });
  }
  return { outbound: longestCommonRun(outbound, cycle), inbound: longestCommonRun(inbound, cycle) };
}

/** max b + k·b̄ over offsets on a grid (first signal at 0), for a fixed cycle and speed. */
function bruteForce(corridor: Corridor, step: number): number {
  const cycle = corridor.cycle.min;
  const speed = corridor.speed.min;
  const weight = corridor.inboundWeight ?? 1;
  const travelTimes = corridor.signals.slice(1).map((signal, index) => {
    const time = (signal.position - corridor.signals[index]!.position) / speed;
    return { outbound: time, inbound: time };
  });
  const steps = Math.round(cycle / step);
  let best = 0;
  const offsets = corridor.signals.map(() => 0);
  const search = (index: number): void => {
    if (index === offsets.length) {
      const bands = geometricBands(corridor, cycle, offsets, travelTimes);
      best = Math.max(best, bands.outbound + weight * bands.inbound);
      return;
    }
    for (let k = 0; k < steps; k++) {
      offsets[index] = k * step;
      search(index + 1);
    }
  };
  search(1);
  return best;
}

/**
 * Drives vehicles through the computed offsets at the computed link speeds, one starting every
 * `step` seconds over a cycle, and returns the longest run of start times meeting green at every
 * signal, in each direction. Sampled, unlike `geometricBands`: a second, independent reading.
 */
function vehicleSweep(corridor: Corridor, result: BandwidthResult, step = 0.01) {
  const { cycle } = result;
  const { signals } = corridor;
  const windows = signals.map((signal, index) =>
    greenWindows(signal, cycle, chosenShift(signal, result.signals[index]!)),
  );
  const offsets = result.signals.map((signal) => signal.offset);
  const lengths = signals.slice(1).map((signal, i) => signal.position - signals[i]!.position);
  const inGreen = (time: number, window: Window, offset: number) =>
    modulo(time - offset - window.start, cycle) <= window.length + 1e-9;
  const meetsGreen = (start: number, direction: 'outbound' | 'inbound') => {
    let time = start;
    const order = signals.map((_, i) => (direction === 'outbound' ? i : signals.length - 1 - i));
    return order.every((index, k) => {
      if (k > 0) {
        const link = direction === 'outbound' ? index - 1 : index;
        time += lengths[link]! / result.links[link]![direction];
      }
      return inGreen(time, windows[index]![direction], offsets[index]!);
    });
  };
  const samples = Math.round(cycle / step);
  const longestRun = (direction: 'outbound' | 'inbound') => {
    const ok = Array.from({ length: samples }, (_, k) => meetsGreen(k * step, direction));
    if (ok.every(Boolean)) return cycle;
    let run = 0;
    let best = 0;
    for (let k = 0; k < 2 * samples; k++) {
      run = ok[k % samples] ? run + 1 : 0;
      best = Math.max(best, run);
    }
    return best === 0 ? 0 : (best - 1) * step;
  };
  return { outbound: longestRun('outbound'), inbound: longestRun('inbound') };
}

/** A copy of `signal` without one field. */
function without(signal: CorridorSignal, field: keyof CorridorSignal): CorridorSignal {
  const copy = { ...signal };
  delete copy[field];
  return copy;
}

/**
 * The inbound shift of a signal under the result's lead/lag choices, derived here from the
 * phasing model (both rings start at the barrier; a leading left delays its opposing through):
 * δ·l − δ̄·l̄. Without `leftTurn`, the corridor's own shift.
 */
function chosenShift(signal: CorridorSignal, entry: BandwidthResult['signals'][number]): number {
  const left = signal.leftTurn;
  if (!left) return signal.inboundGreenStart ?? 0;
  const leads = (direction: 'outbound' | 'inbound') => entry.leftTurns?.[direction] === 'lead';
  return (
    (leads('outbound') ? (left.outbound ?? 0) : 0) - (leads('inbound') ? (left.inbound ?? 0) : 0)
  );
}

/**
 * Every lead/lag pattern the corridor allows, each as the same corridor with the lefts replaced by
 * the inbound shift they make: optimized lefts (longer than 0 s) lead or lag, fixed ones as given.
 */
function leadLagPatterns(corridor: Corridor): Corridor[] {
  const shiftsOf = (signal: CorridorSignal): number[] => {
    const left = signal.leftTurn;
    if (!left) return [signal.inboundGreenStart ?? 0];
    const setting = left.leadLag ?? 'optimize';
    const options = (seconds: number | undefined) =>
      !seconds ? [0] : setting === 'optimize' ? [0, seconds] : setting === 'lead' ? [seconds] : [0];
    return options(left.outbound).flatMap((outbound) =>
      options(left.inbound).map((inbound) => outbound - inbound),
    );
  };
  let patterns: CorridorSignal[][] = [[]];
  for (const signal of corridor.signals) {
    const plain = without(signal, 'leftTurn');
    patterns = patterns.flatMap((before) =>
      shiftsOf(signal).map((inboundGreenStart) => [...before, { ...plain, inboundGreenStart }]),
    );
  }
  return patterns.map((signals) => ({ ...corridor, signals }));
}

// ---------------------------------------------------------------------------------------------
// Random corridors.

const signalArbitrary = (cycleMax: number) =>
  fc.record(
    {
      spacing: fc.integer({ min: 150, max: 700 }),
      green: fc.oneof(
        fc.integer({ min: 25, max: 70 }).map((percent) => ({ green: percent / 100 })),
        fc.integer({ min: 20, max: Math.min(50, cycleMax - 10) }).map((s) => ({ greenSeconds: s })),
      ),
      inboundGreen: fc.option(fc.integer({ min: 25, max: 70 }), { nil: undefined }),
      inboundGreenStart: fc.option(fc.integer({ min: -20, max: 20 }), { nil: undefined }),
      queueClearance: fc.option(
        fc.record({
          outbound: fc.integer({ min: 0, max: 8 }),
          inbound: fc.integer({ min: 0, max: 8 }),
        }),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['spacing', 'green'] },
  );

function corridorArbitrary(options: {
  signals: { min: number; max: number };
  fixedCycleAndSpeed?: boolean;
  constraints?: boolean;
}): fc.Arbitrary<Corridor> {
  return fc
    .record({
      cycleMin: fc.integer({ min: 50, max: 100 }),
      cycleSpread: fc.integer({ min: 0, max: 60 }),
      speedMin: fc.integer({ min: 8, max: 14 }),
      speedSpread: fc.integer({ min: 0, max: 6 }),
      maxSpeedChange: fc.option(fc.integer({ min: 2, max: 30 }), { nil: undefined }),
      inboundWeight: fc.integer({ min: 1, max: 12 }).map((quarters) => quarters / 4),
      bandRatio: fc.option(fc.integer({ min: 2, max: 10 }), { nil: undefined }),
    })
    .chain((settings) => {
      const fixed = options.fixedCycleAndSpeed === true;
      const cycle = {
        min: settings.cycleMin,
        max: fixed ? settings.cycleMin : settings.cycleMin + settings.cycleSpread,
      };
      return fc
        .array(signalArbitrary(cycle.max), {
          minLength: options.signals.min,
          maxLength: options.signals.max,
        })
        .map((drawn): Corridor => {
          let position = 0;
          const signals = drawn.map((signal, index): CorridorSignal => {
            if (index > 0) position += signal.spacing;
            return {
              id: `S${index + 1}`,
              position,
              ...signal.green,
              ...(signal.inboundGreen !== undefined && { inboundGreen: signal.inboundGreen / 100 }),
              ...(signal.inboundGreenStart !== undefined && {
                inboundGreenStart: signal.inboundGreenStart,
              }),
              ...(signal.queueClearance && { queueClearance: signal.queueClearance }),
            };
          });
          const constraints = options.constraints === true;
          return {
            cycle,
            speed: {
              min: settings.speedMin,
              max: fixed ? settings.speedMin : settings.speedMin + settings.speedSpread,
            },
            inboundWeight: settings.inboundWeight,
            ...(constraints &&
              settings.maxSpeedChange !== undefined && {
                maxSpeedChange: settings.maxSpeedChange / 1000,
              }),
            ...(constraints &&
              settings.bandRatio !== undefined && {
                bandRatio: { min: settings.bandRatio / 10, max: settings.bandRatio / 5 },
              }),
            signals,
          };
        });
    });
}

/**
 * Gives about half the signals protected lefts of 0–15 s each way (replacing any
 * `inboundGreenStart`), shortened where a left and its opposing through would fill the longest
 * cycle, with `leadLag` as given (the default, 'optimize', when left out).
 */
function withLeftTurns(corridor: Corridor, leadLag?: LeadLagSetting): fc.Arbitrary<Corridor> {
  const seconds = fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined, freq: 4 });
  const left = fc.option(fc.record({ outbound: seconds, inbound: seconds }), {
    nil: undefined,
    freq: 2,
  });
  const longest = corridor.cycle.max;
  return fc.tuple(...corridor.signals.map(() => left)).map((lefts) => ({
    ...corridor,
    signals: corridor.signals.map((signal, index): CorridorSignal => {
      const drawn = lefts[index];
      if (!drawn) return signal;
      const green = signal.greenSeconds ?? (signal.green ?? 0) * longest;
      const inboundGreen =
        signal.inboundGreen !== undefined ? signal.inboundGreen * longest : green;
      const fit = (value: number | undefined, through: number) =>
        value === undefined
          ? undefined
          : Math.max(0, Math.min(value, Math.floor(longest - through - 1)));
      const plain = without(signal, 'inboundGreenStart');
      const outbound = fit(drawn.outbound, inboundGreen);
      const inbound = fit(drawn.inbound, green);
      return {
        ...plain,
        leftTurn: {
          ...(outbound !== undefined && { outbound }),
          ...(inbound !== undefined && { inbound }),
          ...(leadLag && { leadLag }),
        },
      };
    }),
  }));
}

const smallestGreens = (corridor: Corridor, cycle: number) => {
  const windows = corridor.signals.map((signal) => greenWindows(signal, cycle));
  return {
    outbound: Math.min(...windows.map((window) => window.outbound.length)),
    inbound: Math.min(...windows.map((window) => window.inbound.length)),
  };
};

// ---------------------------------------------------------------------------------------------

describe('maximizeBandwidth', () => {
  it('gives the textbook alternate system full bands: equal spacing, travel time half the cycle', async () => {
    // The alternate system of two-way progression, worked by hand: with L/v = C/2 and 50 %
    // greens, offsets alternate 0, C/2 and b = b̄ = g. Full bands both ways need 2L/v to be a whole
    // number of cycles, and 80 s is the only such cycle in 60–120 s.
    const result = await maximizeBandwidth(readCorridor('equal-spacing-half-cycle-travel.json'));
    expect(result.cycle).toBeCloseTo(80, 3);
    expect(result.bandwidth.outbound).toBeCloseTo(40, 3);
    expect(result.bandwidth.inbound).toBeCloseTo(40, 3);
    expect(result.efficiency).toBeCloseTo(0.5, 4);
    expect(result.signals.map((signal) => signal.offset)).toEqual([0, 40, 0, 40, 0]);
    expect(result.links.every((link) => link.outbound === 10 && link.inbound === 10)).toBe(true);
  });

  it('loses the full band when the cycle is pinned away from twice the travel time', async () => {
    const corridor = readCorridor('equal-spacing-half-cycle-travel.json');
    const result = await maximizeBandwidth({ ...corridor, cycle: { min: 100, max: 100 } });
    const bands = result.bandwidth.outbound + result.bandwidth.inbound;
    expect(bands).toBeLessThan(100 - 1);
  });

  it('equals a brute-force search over offsets on 2–3 signals (fixed cycle and speed)', async () => {
    const step = 0.5;
    await fc.assert(
      fc.asyncProperty(
        corridorArbitrary({ signals: { min: 2, max: 3 }, fixedCycleAndSpeed: true }),
        async (corridor) => {
          // The search takes each direction's widest band, absent or not: the one-way model.
          const result = await maximizeBandwidth({ ...corridor, allowOneWay: true });
          const weight = corridor.inboundWeight ?? 1;
          const claimed = result.bandwidth.outbound + weight * result.bandwidth.inbound;
          const searched = bruteForce(corridor, step);
          // The grid cannot beat the exact optimum; rounding the optimal offsets to the grid costs
          // each band at most one step.
          expect(searched).toBeLessThanOrEqual(claimed + (1 + weight) * ROUNDING);
          expect(claimed - searched).toBeLessThanOrEqual((1 + weight) * (step + ROUNDING));
        },
      ),
      { numRuns: 25, seed: 20260601 },
    );
  });

  it('claims bands that vehicles driving the offsets at the link speeds get, and no wider', async () => {
    const corridors = [
      readCorridor('zhengzhou-jinshui-road.json'),
      readCorridor('equal-spacing-half-cycle-travel.json'),
      ...fc.sample(corridorArbitrary({ signals: { min: 2, max: 6 } }), { numRuns: 12, seed: 7 }),
    ];
    for (const corridor of corridors) {
      const result = await maximizeBandwidth(corridor);
      const driven = vehicleSweep(corridor, result);
      // Sampling every 10 ms, a run of k starts spans (k − 1)·10 ms of a band shorter than
      // (k + 1)·10 ms: within 20 ms below the claim (plus rounding), and a band 50 ms wider fails.
      for (const direction of ['outbound', 'inbound'] as const) {
        expect(driven[direction]).toBeGreaterThanOrEqual(result.bandwidth[direction] - 0.025);
        expect(driven[direction]).toBeLessThan(result.bandwidth[direction] + 0.05);
      }
    }
  });

  it('reproduces the band of a shifted inbound green in closed form', async () => {
    // Two signals, 400 m at 10 m/s, cycle 80 s: travel 40 s = C/2. Outbound green 0.5 from the
    // offset; at B the inbound green starts 20 s late. Outbound full (40 s) forces B's offset to
    // 40 s; inbound then leaves B in [60, 100) and reaches A in [100, 140) ≡ [20, 60), overlapping
    // A's green [0, 40) by 20 s. Giving up outbound band buys inbound band one for one, so with
    // weight 1 the optimum is 60 s for any split; with a heavier inbound weight, inbound takes 40.
    const corridor: Corridor = {
      cycle: { min: 80, max: 80 },
      speed: { min: 10, max: 10 },
      signals: [
        { id: 'A', position: 0, green: 0.5 },
        { id: 'B', position: 400, green: 0.5, inboundGreenStart: 20 },
      ],
    };
    const even = await maximizeBandwidth(corridor);
    expect(even.bandwidth.outbound + even.bandwidth.inbound).toBeCloseTo(60, 3);
    const inboundFirst = await maximizeBandwidth({ ...corridor, inboundWeight: 2 });
    expect(inboundFirst.bandwidth).toEqual({ outbound: 20, inbound: 40 });
  });

  it('never gives a band wider than the smallest through green, nor an offset outside [0, C)', async () => {
    await fc.assert(
      fc.asyncProperty(
        corridorArbitrary({ signals: { min: 2, max: 7 }, constraints: true }),
        async (corridor) => {
          const result = await maximizeBandwidth(corridor);
          const smallest = smallestGreens(corridor, result.cycle);
          expect(result.bandwidth.outbound).toBeLessThanOrEqual(smallest.outbound + ROUNDING);
          expect(result.bandwidth.inbound).toBeLessThanOrEqual(smallest.inbound + ROUNDING);
          expect(result.bandwidth.outbound).toBeGreaterThanOrEqual(0);
          expect(result.bandwidth.inbound).toBeGreaterThanOrEqual(0);
          expect(result.signals[0]!.offset).toBe(0);
          for (const { offset } of result.signals) {
            expect(offset).toBeGreaterThanOrEqual(0);
            expect(offset).toBeLessThan(result.cycle);
          }
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  });

  it('keeps the cycle, link speeds, speed changes and band ratio within their ranges', async () => {
    await fc.assert(
      fc.asyncProperty(
        corridorArbitrary({ signals: { min: 3, max: 7 }, constraints: true }),
        async (corridor) => {
          const result = await maximizeBandwidth(corridor);
          expect(result.cycle).toBeGreaterThanOrEqual(corridor.cycle.min - ROUNDING);
          expect(result.cycle).toBeLessThanOrEqual(corridor.cycle.max + ROUNDING);
          for (const link of result.links) {
            for (const speed of [link.outbound, link.inbound]) {
              expect(speed).toBeGreaterThanOrEqual(corridor.speed.min - 1e-3);
              expect(speed).toBeLessThanOrEqual(corridor.speed.max + 1e-3);
            }
          }
          if (corridor.maxSpeedChange !== undefined) {
            for (const direction of ['outbound', 'inbound'] as const) {
              const slowness = result.links.map((link) => 1 / link[direction]);
              for (let i = 1; i < slowness.length; i++) {
                const change = Math.abs(slowness[i]! - slowness[i - 1]!);
                expect(change).toBeLessThanOrEqual(corridor.maxSpeedChange + 1e-5);
              }
            }
          }
          const ratio = corridor.bandRatio;
          if (ratio) {
            const { outbound, inbound } = result.bandwidth;
            expect(outbound).toBeGreaterThanOrEqual(ratio.min * inbound - ROUNDING * 4);
            expect(outbound).toBeLessThanOrEqual(ratio.max * inbound + ROUNDING * 4);
          }
        },
      ),
      { numRuns: 40, seed: 3 },
    );
  });

  it('favours the inbound band as its weight grows', async () => {
    const corridor = readCorridor('zhengzhou-jinshui-road.json');
    const outboundFirst = await maximizeBandwidth({ ...corridor, inboundWeight: 0.25 });
    const inboundFirst = await maximizeBandwidth({ ...corridor, inboundWeight: 4 });
    expect(inboundFirst.bandwidth.inbound / inboundFirst.cycle).toBeGreaterThanOrEqual(
      outboundFirst.bandwidth.inbound / outboundFirst.cycle - 1e-4,
    );
    expect(outboundFirst.bandwidth.outbound / outboundFirst.cycle).toBeGreaterThanOrEqual(
      inboundFirst.bandwidth.outbound / inboundFirst.cycle - 1e-4,
    );
  });

  it('holds equal bands when the band ratio is pinned to 1', async () => {
    const corridor = readCorridor('zhengzhou-jinshui-road.json');
    const result = await maximizeBandwidth({ ...corridor, bandRatio: { min: 1, max: 1 } });
    expect(result.bandwidth.outbound).toBeCloseTo(result.bandwidth.inbound, 2);
    expect(result.bandwidth.outbound).toBeGreaterThan(0);
  });

  it('bounds the whole cycles of every loop without cutting off the textbook solution', () => {
    const corridor = resolveCorridor(readCorridor('equal-spacing-half-cycle-travel.json'));
    // t + t̄ = 80 s over a 120–60 s cycle is 0.67–1.33 cycles; the w's add at most 1.5 either way
    // (a usable green of 0.5, and 1 for a band that may be absent): m in [−0.83, 2.83]. The
    // alternate system needs m = 1 (t + t̄ = 1 cycle at C = 80 s).
    for (let link = 0; link < corridor.signals.length - 1; link++) {
      expect(loopCycleRange(corridor, link)).toEqual({ min: 0, max: 2 });
    }
  });
});

describe('maximizeBandwidth on corridors with no band', () => {
  it('returns QUEUE_CLEARANCE_FILLS_GREEN as data, naming the signal', async () => {
    const corridor = readCorridor('infeasible/queue-clearance-longer-than-the-green.json');
    const outcome = await bandwidthOutcome(corridor);
    expect(outcome).toMatchObject({
      status: 'infeasible',
      code: 'QUEUE_CLEARANCE_FILLS_GREEN',
      signal: 'B',
    });
  });

  it('throws CorridorInfeasibleError with the same code from maximizeBandwidth', async () => {
    const corridor = readCorridor('infeasible/queue-clearance-longer-than-the-green.json');
    const error = await maximizeBandwidth(corridor).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorridorInfeasibleError);
    expect((error as CorridorInfeasibleError).code).toBe('QUEUE_CLEARANCE_FILLS_GREEN');
    expect((error as Error).message).toMatch(/^maximizeBandwidth:/);
  });

  it('finds a band once the cycle range lets the green hold the queue', async () => {
    const corridor = readCorridor('infeasible/queue-clearance-longer-than-the-green.json');
    const result = await maximizeBandwidth({ ...corridor, cycle: { min: 60, max: 120 } });
    // B's usable outbound green is 0.3·C − 30 s: at most 6 s at 120 s.
    expect(result.bandwidth.outbound).toBeLessThanOrEqual(0.3 * result.cycle - 30 + ROUNDING);
  });
});

describe('maximizeBandwidth input checks', () => {
  const expected: Record<string, { code: 'MISSING' | 'BAD_VALUE'; field: string }> = {
    'a-cycle-range-whose-minimum-exceeds-its-maximum.json': { code: 'BAD_VALUE', field: 'cycle' },
    'a-green-in-seconds-longer-than-the-longest-cycle.json': {
      code: 'BAD_VALUE',
      field: 'signals[1].greenSeconds',
    },
    'a-green-of-the-whole-cycle.json': { code: 'BAD_VALUE', field: 'signals[1].green' },
    'a-left-turn-that-does-not-fit-beside-its-opposing-through.json': {
      code: 'BAD_VALUE',
      field: 'signals[1].leftTurn.inbound',
    },
    'a-negative-left-turn-green.json': { code: 'BAD_VALUE', field: 'signals[1].leftTurn.outbound' },
    'a-negative-queue-clearance.json': {
      code: 'BAD_VALUE',
      field: 'signals[1].queueClearance.inbound',
    },
    'a-signal-without-a-green.json': { code: 'MISSING', field: 'signals[0].green' },
    'no-speed-range.json': { code: 'MISSING', field: 'speed' },
    'only-one-signal.json': { code: 'BAD_VALUE', field: 'signals' },
    'positions-that-do-not-increase.json': { code: 'BAD_VALUE', field: 'signals[2].position' },
    'two-signals-with-one-id.json': { code: 'BAD_VALUE', field: 'signals[1].id' },
  };

  it('has an expectation for every invalid fixture', () => {
    expect(readdirSync(join(fixtures, 'invalid')).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [file, problem] of Object.entries(expected)) {
    it(`rejects ${file.replace(/\.json$/, '').replaceAll('-', ' ')}`, async () => {
      const error = await maximizeBandwidth(readCorridor(`invalid/${file}`)).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(CorridorError);
      const { problems, message } = error as CorridorError;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject(problem);
      expect(message).toMatch(/^maximizeBandwidth: .* Fix: /);
    });
  }

  it('reports every problem of a corridor at once', async () => {
    const corridor = {
      cycle: { min: 0, max: 100 },
      speed: { min: 10, max: 14 },
      inboundWeight: -1,
      signals: [
        { id: 'A', position: 0, green: 0 },
        { id: 'B', position: 0, green: 0.5, inboundGreen: 1.5 },
      ],
    } as Corridor;
    const error = (await maximizeBandwidth(corridor).catch((caught: unknown) => caught)) as {
      problems: { field: string }[];
    };
    expect(error.problems.map((problem) => problem.field)).toEqual([
      'cycle',
      'inboundWeight',
      'signals[0].green',
      'signals[1].position',
      'signals[1].inboundGreen',
    ]);
  });
});

describe('two-way progression by default', () => {
  it('gives both directions a band on the Jinshui Road corridor unless one-way is allowed', async () => {
    const corridor = JSON.parse(
      readFileSync('fixtures/corridors/zhengzhou-jinshui-road.json', 'utf8'),
    );
    const twoWay = await maximizeBandwidth(corridor);
    expect(twoWay.bandwidth.outbound).toBeGreaterThan(0);
    expect(twoWay.bandwidth.inbound).toBeGreaterThan(0);
    const oneWay = await maximizeBandwidth({ ...corridor, allowOneWay: true });
    const total = (result: typeof twoWay) => result.bandwidth.outbound + result.bandwidth.inbound;
    expect(total(oneWay)).toBeGreaterThanOrEqual(total(twoWay) - 1e-6);
  });
});

describe('speed range per link', () => {
  it('keeps each link within its own speed range', async () => {
    const corridor = JSON.parse(
      readFileSync('fixtures/corridors/equal-spacing-half-cycle-travel.json', 'utf8'),
    );
    corridor.speed = { min: 8, max: 14 };
    corridor.signals[1].speedToNext = { min: 12, max: 12 };
    const result = await maximizeBandwidth(corridor);
    expect(result.links[1]).toMatchObject({ outbound: 12, inbound: 12 });
    for (const link of result.links) {
      for (const speed of [link.outbound, link.inbound]) {
        expect(speed).toBeGreaterThanOrEqual(8 - 1e-6);
        expect(speed).toBeLessThanOrEqual(14 + 1e-6);
      }
    }
  });

  it('names the signal of a bad link speed range', () => {
    const corridor = JSON.parse(
      readFileSync('fixtures/corridors/equal-spacing-half-cycle-travel.json', 'utf8'),
    );
    corridor.signals[2].speedToNext = { min: 15, max: 10 };
    expect(corridorProblems(corridor).map((problem) => problem.field)).toContain(
      'signals[2].speedToNext',
    );
  });
});

describe('left-turn lead/lag', () => {
  const total = (corridor: Corridor, result: BandwidthResult) =>
    result.bandwidth.outbound + (corridor.inboundWeight ?? 1) * result.bandwidth.inbound;

  it('beats both fixed sequences when only lead–lag lines the inbound green up', async () => {
    // A → B: 300 m at 10 m/s = 30 s, cycle 80 s, greens 40 s. A full outbound band puts B's
    // offset at 30 s; the inbound band then leaves B at 30 + σ and reaches A at 60 + σ, which
    // meets A's inbound green [0, 40) whole only for σ = 20 s: B's outbound left (20 s) leading,
    // its inbound left (10 s) lagging. Lead–lead gives σ = 10 s (80 − 10 = 70 s of band in all),
    // lag–lag σ = 0 (60 s).
    const corridor = readCorridor('left-turn-lead-lag-beats-both-fixed-sequences.json');
    const withSequence = (leadLag: LeadLagSetting): Corridor => ({
      ...corridor,
      signals: corridor.signals.map((signal) =>
        signal.leftTurn ? { ...signal, leftTurn: { ...signal.leftTurn, leadLag } } : signal,
      ),
    });
    const optimized = await maximizeBandwidth(corridor);
    expect(optimized.bandwidth).toEqual({ outbound: 40, inbound: 40 });
    expect(optimized.signals[1]).toEqual({
      id: 'B',
      offset: 30,
      leftTurns: { outbound: 'lead', inbound: 'lag' },
      inboundGreenStart: 20,
    });
    expect(optimized.signals[0]).toEqual({ id: 'A', offset: 0 });
    const lead = await maximizeBandwidth(withSequence('lead'));
    expect(total(corridor, lead)).toBeCloseTo(70, 3);
    expect(lead.signals[1]).toMatchObject({
      leftTurns: { outbound: 'lead', inbound: 'lead' },
      inboundGreenStart: 10,
    });
    const lag = await maximizeBandwidth(withSequence('lag'));
    expect(total(corridor, lag)).toBeCloseTo(60, 3);
    expect(lag.signals[1]).toMatchObject({
      leftTurns: { outbound: 'lag', inbound: 'lag' },
      inboundGreenStart: 0,
    });
  });

  it('equals a brute-force search over every lead/lag pattern and offsets on 2–3 signals', async () => {
    const step = 1;
    const corridors = corridorArbitrary({
      signals: { min: 2, max: 3 },
      fixedCycleAndSpeed: true,
    }).chain((corridor) => withLeftTurns(corridor));
    await fc.assert(
      fc.asyncProperty(corridors, async (corridor) => {
        const result = await maximizeBandwidth({ ...corridor, allowOneWay: true });
        const weight = corridor.inboundWeight ?? 1;
        const claimed = total(corridor, result);
        const patterns = leadLagPatterns(corridor);
        const searched = Math.max(...patterns.map((pattern) => bruteForce(pattern, step)));
        expect(searched).toBeLessThanOrEqual(claimed + (1 + weight) * ROUNDING);
        expect(claimed - searched).toBeLessThanOrEqual((1 + weight) * (step + ROUNDING));
        // The chosen pattern alone reaches the claim too.
        const chosen = {
          ...corridor,
          signals: corridor.signals.map((signal, index) => {
            const plain = without(signal, 'leftTurn');
            return { ...plain, inboundGreenStart: chosenShift(signal, result.signals[index]!) };
          }),
        };
        expect(claimed - bruteForce(chosen, step)).toBeLessThanOrEqual(
          (1 + weight) * (step + ROUNDING),
        );
      }),
      { numRuns: 20, seed: 20260602 },
    );
  });

  it('claims bands that vehicles get with the chosen lead/lag, cycle and speeds varying', async () => {
    const corridors = fc.sample(
      corridorArbitrary({ signals: { min: 2, max: 6 } }).chain((corridor) =>
        withLeftTurns(corridor),
      ),
      { numRuns: 15, seed: 11 },
    );
    corridors.push(readCorridor('left-turn-lead-lag-beats-both-fixed-sequences.json'));
    for (const corridor of corridors) {
      // One-way allowed: no ratio between the bands, so each is the widest its offsets give (with
      // MAXBAND's b = b̄ a band may be held below what its greens would pass, and "no wider" fails).
      const result = await maximizeBandwidth({ ...corridor, allowOneWay: true });
      corridor.signals.forEach((signal, index) => {
        const entry = result.signals[index]!;
        if (!signal.leftTurn) {
          expect(entry.leftTurns).toBeUndefined();
          return;
        }
        // A choice for every left longer than 0 s, and the shift the phasing model gives.
        for (const direction of ['outbound', 'inbound'] as const) {
          expect(entry.leftTurns?.[direction] !== undefined).toBe(
            (signal.leftTurn[direction] ?? 0) > 0,
          );
        }
        expect(entry.inboundGreenStart).toBeCloseTo(chosenShift(signal, entry), 6);
      });
      const driven = vehicleSweep(corridor, result);
      for (const direction of ['outbound', 'inbound'] as const) {
        expect(driven[direction]).toBeGreaterThanOrEqual(result.bandwidth[direction] - 0.025);
        expect(driven[direction]).toBeLessThan(result.bandwidth[direction] + 0.05);
      }
    }
  });

  it("gives the same result for fixed 'lead' or 'lag' as for the inboundGreenStart they make", async () => {
    for (const leadLag of ['lead', 'lag'] as const) {
      const corridors = fc.sample(
        corridorArbitrary({ signals: { min: 2, max: 6 }, constraints: true }).chain((corridor) =>
          withLeftTurns(corridor, leadLag),
        ),
        { numRuns: 8, seed: leadLag === 'lead' ? 5 : 6 },
      );
      for (const corridor of corridors) {
        const [equivalent] = leadLagPatterns(corridor);
        const fixed = await maximizeBandwidth(corridor);
        const shifted = await maximizeBandwidth(equivalent!);
        expect(fixed.bandwidth).toEqual(shifted.bandwidth);
        expect(fixed.cycle).toEqual(shifted.cycle);
        expect(fixed.signals.map(({ id, offset }) => ({ id, offset }))).toEqual(shifted.signals);
        fixed.signals.forEach((entry, index) => {
          const signal = corridor.signals[index]!;
          expect(entry.inboundGreenStart ?? signal.inboundGreenStart ?? 0).toBeCloseTo(
            equivalent!.signals[index]!.inboundGreenStart ?? 0,
            6,
          );
          for (const direction of ['outbound', 'inbound'] as const) {
            if ((signal.leftTurn?.[direction] ?? 0) > 0)
              expect(entry.leftTurns?.[direction]).toBe(leadLag);
          }
        });
      }
    }
  });

  it('never loses band to lead/lag freedom: optimizing is at least as wide as either fixed sequence', async () => {
    const corridors = fc.sample(
      corridorArbitrary({ signals: { min: 3, max: 8 } }).chain((corridor) =>
        withLeftTurns(corridor),
      ),
      { numRuns: 10, seed: 17 },
    );
    for (const corridor of corridors) {
      const perCycle = async (leadLag?: LeadLagSetting) => {
        const result = await maximizeBandwidth({
          ...corridor,
          signals: corridor.signals.map((signal) =>
            signal.leftTurn && leadLag
              ? { ...signal, leftTurn: { ...signal.leftTurn, leadLag } }
              : signal,
          ),
        });
        return total(corridor, result) / result.cycle;
      };
      const optimized = await perCycle();
      expect(optimized).toBeGreaterThanOrEqual((await perCycle('lead')) - 1e-4);
      expect(optimized).toBeGreaterThanOrEqual((await perCycle('lag')) - 1e-4);
    }
  });

  it('reports bad left-turn fields with their paths', () => {
    const corridor = readCorridor('left-turn-lead-lag-beats-both-fixed-sequences.json');
    const withLeft = (leftTurn: unknown, extra: object = {}) =>
      corridorProblems({
        ...corridor,
        signals: [corridor.signals[0]!, { ...corridor.signals[1]!, leftTurn, ...extra }],
      } as Corridor).map(({ code, field }) => ({ code, field }));
    expect(withLeft({ outbound: -1 })).toEqual([
      { code: 'BAD_VALUE', field: 'signals[1].leftTurn.outbound' },
    ]);
    // 40 s of inbound through + 40 s of outbound left fill the 80 s cycle.
    expect(withLeft({ outbound: 40 })).toEqual([
      { code: 'BAD_VALUE', field: 'signals[1].leftTurn.outbound' },
    ]);
    expect(withLeft({ outbound: 39.5 })).toEqual([]);
    expect(withLeft({ inbound: 'ten' })).toEqual([
      { code: 'BAD_VALUE', field: 'signals[1].leftTurn.inbound' },
    ]);
    expect(withLeft({ outbound: 10, leadLag: 'first' })).toEqual([
      { code: 'BAD_VALUE', field: 'signals[1].leftTurn.leadLag' },
    ]);
    expect(withLeft(12)).toEqual([{ code: 'BAD_VALUE', field: 'signals[1].leftTurn' }]);
    expect(withLeft({ outbound: 10 }, { inboundGreenStart: 10 })).toEqual([
      { code: 'BAD_VALUE', field: 'signals[1].leftTurn' },
    ]);
  });

  it('rules out the cycles at which a left does not fit beside its opposing through', async () => {
    // B's inbound through is 40 s whatever the cycle; its 45 s outbound left needs a cycle ≥ 85 s.
    const result = await maximizeBandwidth({
      cycle: { min: 60, max: 120 },
      speed: { min: 10, max: 10 },
      signals: [
        { id: 'A', position: 0, green: 0.5 },
        { id: 'B', position: 400, greenSeconds: 40, leftTurn: { outbound: 45, inbound: 0 } },
      ],
    });
    expect(result.cycle).toBeGreaterThanOrEqual(85 - ROUNDING);
    expect(result.signals[1]!.leftTurns).toMatchObject({ outbound: expect.any(String) });
    expect(result.signals[1]!.leftTurns).not.toHaveProperty('inbound');
  });
});
