// Tests for the demand estimate: measured, partial and prior movements, faults kept out, coverage.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { designFlows } from '../demand/design-flows.ts';
import type { IntervalAggregate } from './aggregate.ts';
import { detectorPriorFlows, estimateDemand } from './demand-estimate.ts';
import { detectorMap } from './detector-map.ts';
import { MOVEMENTS, twoCrossings } from './ingest.fixture.ts';
import { IngestError } from './types.ts';

const map = detectorMap(twoCrossings());
const T0 = Date.parse('2026-11-28T07:00:00Z');
const FIVE = 300_000;
const NOW = T0 + 3 * FIVE;

/** Three closed 5-minute intervals (07:00–07:15), each detector counting `counts[id]` per interval. */
function intervals(counts: Record<string, number>, which = [0, 1, 2]): IntervalAggregate[] {
  return which.map((index) => ({
    interval: 300,
    startMs: T0 + index * FIVE,
    endMs: T0 + (index + 1) * FIVE,
    detectors: Object.fromEntries(
      Object.entries(counts).map(([id, count]) => [
        id,
        { count, occupancy: 0.1, covered: 300, readings: 5 },
      ]),
    ),
  }));
}

const PRIOR = {
  [MOVEMENTS.westRight]: 100,
  [MOVEMENTS.westThrough]: 800,
  [MOVEMENTS.westLeft]: 200,
  [MOVEMENTS.northLeft]: 150,
  [MOVEMENTS.northRight]: 50,
  [MOVEMENTS.eastThroughA]: 700,
  [MOVEMENTS.westThroughB]: 900,
};

/** 25 vehicles in 5 minutes is 300 veh/h. */
const COUNTS = { 'w-0': 25, 'w-1': 40, 'w-adv-1': 41, 'w-2': 15, 'ba-0': 30 };

describe('estimateDemand', () => {
  it('regression: a cycle soon after a boundary, before the last interval closes, still measures', () => {
    // 10 s after 07:15 the 07:10–07:15 interval waits out its grace period: only the two before
    // it are closed, and the first of them starts just before the 900 s window.
    const estimate = estimateDemand(map, intervals(COUNTS, [0, 1]), {
      nowMs: NOW + 10_000,
      prior: PRIOR,
    });
    expect(estimate.movements[MOVEMENTS.westThrough]).toMatchObject({ source: 'measured' });
    const settled = estimateDemand(map, intervals(COUNTS), { nowMs: NOW, prior: PRIOR });
    expect(estimate.coverage).toEqual(settled.coverage);
  });

  it('measures movements from their lanes, splits shared lanes by the prior, and falls back to it elsewhere', () => {
    const estimate = estimateDemand(map, intervals(COUNTS), { nowMs: NOW, prior: PRIOR });
    // Lane 0 (300 veh/h) splits right 0.2 / through 0.8; lane 1 (480 veh/h) is all through.
    expect(estimate.movements[MOVEMENTS.westRight]).toMatchObject({ flow: 60, source: 'measured' });
    expect(estimate.movements[MOVEMENTS.westThrough]).toMatchObject({
      flow: 240 + 480,
      source: 'measured',
      measuredLanes: 2,
      lanes: 2,
      detectors: ['w-0', 'w-1'],
    });
    expect(estimate.movements[MOVEMENTS.westLeft]).toMatchObject({ flow: 180, source: 'measured' });
    // ba has a detector on lane 0 only: lane 1 takes the link's mean lane rate (the same 360 veh/h).
    expect(estimate.movements[MOVEMENTS.eastThroughA]).toMatchObject({
      flow: 720,
      source: 'partial',
      measuredLanes: 1,
      lanes: 2,
    });
    expect(estimate.movements[MOVEMENTS.northLeft]).toMatchObject({ flow: 150, source: 'prior' });
    expect(estimate.movements[MOVEMENTS.eastThroughB]).toMatchObject({ flow: 0, source: 'none' });
    expect(estimate.coverage).toEqual({
      measured: 3,
      partial: 1,
      prior: 3,
      none: 1,
      total: 8,
      share: 0.5,
    });
  });

  it('gives the optimizer TurningFlows over the window, leaving out movements it knows nothing of', () => {
    const { flows } = estimateDemand(map, intervals(COUNTS), { nowMs: NOW, prior: PRIOR });
    expect(flows).toMatchObject({ begin: T0 / 1000, end: NOW / 1000, interval: 900 });
    expect(flows.flows.map((flow) => flow.movement)).not.toContain(MOVEMENTS.eastThroughB);
    expect(flows.flows.find((flow) => flow.movement === MOVEMENTS.westLeft)).toEqual({
      movement: MOVEMENTS.westLeft,
      begin: T0 / 1000,
      end: NOW / 1000,
      vehicles: 45,
      flow: 180,
    });
    expect(designFlows(flows, [MOVEMENTS.westLeft, MOVEMENTS.northLeft])).toEqual({
      [MOVEMENTS.westLeft]: 180,
      [MOVEMENTS.northLeft]: 150,
    });
  });

  it('counts a lane from its advance detector while the stop-line one is faulty, and from neither when both are', () => {
    const faults = { 'w-1': [{ fault: 'stuck-on' as const, fromMs: T0, toMs: Infinity }] };
    const advance = estimateDemand(map, intervals(COUNTS), { nowMs: NOW, prior: PRIOR, faults });
    expect(advance.movements[MOVEMENTS.westThrough]).toMatchObject({
      flow: 240 + 492,
      source: 'measured',
      detectors: ['w-0', 'w-adv-1'],
    });
    const both = estimateDemand(map, intervals(COUNTS), {
      nowMs: NOW,
      prior: PRIOR,
      faults: { ...faults, 'w-adv-1': [{ fault: 'chattering', fromMs: T0, toMs: Infinity }] },
    });
    // Lane 1 takes the mean of lanes 0 and 2 (300 and 180 veh/h).
    expect(both.movements[MOVEMENTS.westThrough]).toMatchObject({
      flow: 240 + 240,
      source: 'partial',
      detectors: ['w-0'],
    });
  });

  it('falls back to the prior, marked so, when a movement’s only detector is faulty', () => {
    const estimate = estimateDemand(map, intervals(COUNTS), {
      nowMs: NOW,
      prior: PRIOR,
      faults: { 'w-2': [{ fault: 'stuck-off', fromMs: T0 + FIVE, toMs: T0 + 2 * FIVE }] },
    });
    // Two healthy intervals of three: 600 s of 900 is enough coverage.
    expect(estimate.movements[MOVEMENTS.westLeft]).toMatchObject({ flow: 180, source: 'measured' });
    const longer = estimateDemand(map, intervals(COUNTS), {
      nowMs: NOW,
      prior: PRIOR,
      faults: { 'w-2': [{ fault: 'stuck-off', fromMs: T0, toMs: T0 + 2 * FIVE }] },
    });
    expect(longer.movements[MOVEMENTS.westLeft]).toMatchObject({ flow: 200, source: 'prior' });
  });

  it('needs data over half the window for a lane to count as measured', () => {
    const thin = estimateDemand(map, intervals(COUNTS, [2]), { nowMs: NOW, prior: PRIOR });
    expect(thin.coverage.share).toBe(0);
    expect(
      estimateDemand(map, intervals(COUNTS, [2]), { nowMs: NOW, prior: PRIOR, minCoverage: 0.3 })
        .coverage.measured,
    ).toBe(3);
  });

  it('reads only the aggregates of one length within the window', () => {
    const old = intervals({ 'w-2': 500 }).map((entry) => ({
      ...entry,
      startMs: entry.startMs - 3 * FIVE,
      endMs: entry.endMs - 3 * FIVE,
    }));
    const quarter: IntervalAggregate = {
      ...intervals({ 'w-2': 900 })[0]!,
      interval: 900,
      endMs: NOW,
    };
    const estimate = estimateDemand(map, [...intervals(COUNTS), ...old, quarter], {
      nowMs: NOW,
      prior: PRIOR,
    });
    expect(estimate.movements[MOVEMENTS.westLeft]!.flow).toBe(180);
  });

  it('is never moved by what a detector reported while faulty', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), (duringFault, stuckAdvance) => {
        const aggregates = intervals(COUNTS).map((aggregate, index) =>
          index === 1
            ? {
                ...aggregate,
                detectors: {
                  ...aggregate.detectors,
                  'w-2': { count: duringFault, occupancy: 1, covered: 300, readings: 5 },
                  'w-adv-1': { count: stuckAdvance, occupancy: 1, covered: 300, readings: 5 },
                },
              }
            : aggregate,
        );
        const faults = {
          'w-2': [{ fault: 'chattering' as const, fromMs: T0 + FIVE, toMs: T0 + 2 * FIVE }],
          'w-adv-1': [{ fault: 'stuck-on' as const, fromMs: T0, toMs: Infinity }],
        };
        const estimate = estimateDemand(map, aggregates, { nowMs: NOW, prior: PRIOR, faults });
        expect(estimate.movements[MOVEMENTS.westLeft]!.flow).toBe(180);
        expect(estimate.movements[MOVEMENTS.westThrough]!.flow).toBe(720);
      }),
    );
  });

  it('throws BAD_OPTION on a window that is not positive', () => {
    expect(() => estimateDemand(map, [], { nowMs: NOW, window: 0 })).toThrow(IngestError);
  });
});

describe('detectorPriorFlows', () => {
  it('expects each lane’s detectors to see the movements leaving from it, each spread over its lanes', () => {
    const expected = detectorPriorFlows(map, PRIOR);
    expect(expected['w-0']).toBe(100 + 400);
    expect(expected['w-1']).toBe(400);
    expect(expected['w-adv-1']).toBe(400);
    expect(expected['w-2']).toBe(200);
    expect(expected['stopline:ab:1']).toBe(450);
    expect(expected['stopline:e_in:0']).toBeUndefined();
  });
});
