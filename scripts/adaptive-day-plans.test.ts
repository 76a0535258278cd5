// The adaptive-day comparison's arithmetic: mean and scaled counts, the schedule rows, measures by period, hindsight.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TurningFlows } from '../src/demand/types.ts';
import type { TimeOfDayPlans } from '../src/optimize/time-of-day.ts';
import type { TimingPlan } from '../src/timing/types.ts';
import type { SimulationResult, VehicleResult } from '../sim/types.ts';
import {
  averageMeasures,
  bestOf,
  clock,
  hindsight,
  meanFlows,
  runMeasures,
  scaleCounts,
  simulatorSchedule,
  type RunMeasures,
} from './adaptive-day-plans.ts';

const counts: TurningFlows = {
  begin: 0,
  end: 2700,
  interval: 900,
  flows: [
    { movement: 'a', begin: 0, end: 900, vehicles: 100, flow: 400 },
    { movement: 'a', begin: 900, end: 1800, vehicles: 50, flow: 200 },
    { movement: 'a', begin: 1800, end: 2700, vehicles: 75, flow: 300 },
    { movement: 'b', begin: 900, end: 1800, vehicles: 30, flow: 120 },
  ],
};

describe('meanFlows', () => {
  it('averages each movement over the whole span, intervals without a row counting as zero', () => {
    expect(meanFlows(counts)).toEqual({
      begin: 0,
      end: 2700,
      interval: 2700,
      flows: [
        { movement: 'a', begin: 0, end: 2700, vehicles: 225, flow: 300 },
        { movement: 'b', begin: 0, end: 2700, vehicles: 30, flow: 40 },
      ],
    });
  });

  it('refuses counts that span no time', () => {
    expect(() => meanFlows({ ...counts, end: 0 })).toThrow(/meanFlows/);
  });
});

describe('scaleCounts', () => {
  it('multiplies every flow and count, and keeps the intervals', () => {
    const scaled = scaleCounts(counts, 1.5);
    expect(scaled.flows.map((flow) => [flow.flow, flow.vehicles])).toEqual([
      [600, 150],
      [300, 75],
      [450, 112.5],
      [180, 45],
    ]);
    expect(scaled.flows.map((flow) => flow.begin)).toEqual(counts.flows.map((flow) => flow.begin));
  });

  it('scales the day mean by the same factor (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 5, noNaN: true }), (factor) => {
        const scaled = meanFlows(scaleCounts(counts, factor)).flows;
        meanFlows(counts).flows.forEach((flow, index) => {
          expect(scaled[index]!.flow).toBeCloseTo(flow.flow * factor, 6);
        });
      }),
    );
  });

  it('refuses a factor that is not positive', () => {
    expect(() => scaleCounts(counts, 0)).toThrow(/scaleCounts/);
    expect(() => scaleCounts(counts, Number.NaN)).toThrow(/scaleCounts/);
  });
});

describe('simulatorSchedule', () => {
  const plan = (id: string) => ({ id, signal: 'J1' }) as TimingPlan;
  const day = {
    periods: [
      { name: 'night', plans: { J1: plan('night') } },
      { name: 'am-peak', plans: { J1: plan('am-peak') } },
    ],
    schedule: [
      { begin: 0, end: 25200, planId: 'night' },
      { begin: 25200, end: 36000, planId: 'am-peak' },
      { begin: 36000, end: 86400, planId: 'night' },
    ],
  } as unknown as TimeOfDayPlans;

  it("gives each schedule entry's plans from its begin", () => {
    expect(simulatorSchedule(day).map((row) => [row.from, row.plans['J1']!.id])).toEqual([
      [0, 'night'],
      [25200, 'am-peak'],
      [36000, 'night'],
    ]);
  });

  it('refuses a schedule naming a plan no period has', () => {
    const broken = { ...day, schedule: [{ begin: 0, end: 86400, planId: 'pm-peak' }] };
    expect(() => simulatorSchedule(broken)).toThrow(/pm-peak/);
  });
});

const vehicle = (depart: number, delay: number, departDelay: number, arrived = true) =>
  ({
    id: `v${depart}`,
    depart,
    delay,
    departDelay,
    stops: 1,
    waitingTime: 0,
    ...(arrived ? { arrival: depart + 100, entered: depart + departDelay } : {}),
  }) as VehicleResult;

const periods = [
  { name: 'night', begin: 0, end: 3600 },
  { name: 'day', begin: 3600, end: 7200 },
];

describe('runMeasures', () => {
  it('buckets the arrived vehicles by departure period, delay = timeLoss + departDelay', () => {
    const result = {
      vehicles: [
        vehicle(10, 20, 0),
        vehicle(20, 30, 10),
        vehicle(4000, 50, 0),
        vehicle(5000, 999, 0, false),
      ],
      totals: { meanDelay: 33.3, meanStops: 1, arrived: 3, vehicles: 4, teleports: 0 },
    } as unknown as SimulationResult;
    expect(runMeasures(result, periods)).toEqual({
      meanDelay: 33.3,
      meanStops: 1,
      arrived: 3,
      vehicles: 4,
      teleports: 0,
      byPeriod: { night: { arrived: 2, meanDelay: 30 }, day: { arrived: 1, meanDelay: 50 } },
    });
  });
});

const measures = (meanDelay: number, byPeriod: RunMeasures['byPeriod']): RunMeasures => ({
  meanDelay,
  meanStops: 1,
  arrived: 100,
  vehicles: 100,
  teleports: 0,
  byPeriod,
});

describe('averageMeasures', () => {
  it('means every measure over the runs', () => {
    const average = averageMeasures([
      measures(30, { night: { arrived: 10, meanDelay: 20 } }),
      measures(40, { night: { arrived: 20, meanDelay: 30 } }),
    ]);
    expect(average.meanDelay).toBe(35);
    expect(average.byPeriod).toEqual({ night: { arrived: 15, meanDelay: 25 } });
  });

  it('refuses no runs', () => {
    expect(() => averageMeasures([])).toThrow(/averageMeasures/);
  });
});

describe('bestOf and hindsight', () => {
  const rows = [
    {
      name: 'short',
      measures: measures(36, {
        night: { arrived: 60, meanDelay: 30 },
        day: { arrived: 40, meanDelay: 45 },
      }),
    },
    {
      name: 'long',
      measures: measures(38, {
        night: { arrived: 60, meanDelay: 40 },
        day: { arrived: 40, meanDelay: 35 },
      }),
    },
  ];

  it('bestOf takes the lowest mean delay', () => {
    expect(bestOf(rows).name).toBe('short');
  });

  it('hindsight takes the best set per period, weighted by the arrived vehicles', () => {
    expect(hindsight(rows)).toEqual({
      meanDelay: (60 * 30 + 40 * 35) / 100,
      choice: { night: 'short', day: 'long' },
    });
  });

  it('hindsight is never worse than the best fixed set (property)', () => {
    const delay = fc.double({ min: 0, max: 500, noNaN: true });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.tuple(delay, delay), { minLength: 1, maxLength: 5 }),
        (nightArrived, dayArrived, delays) => {
          // one demand: the same vehicles per period under every set
          const candidates = delays.map(([night, day], index) => ({
            name: `set-${index}`,
            measures: measures(
              (nightArrived * night + dayArrived * day) / (nightArrived + dayArrived),
              {
                night: { arrived: nightArrived, meanDelay: night },
                day: { arrived: dayArrived, meanDelay: day },
              },
            ),
          }));
          expect(hindsight(candidates).meanDelay).toBeLessThanOrEqual(
            bestOf(candidates).measures.meanDelay + 1e-9,
          );
        },
      ),
    );
  });
});

describe('clock', () => {
  it('writes seconds since midnight as hh:mm', () => {
    expect([0, 23_400, 86_400].map(clock)).toEqual(['00:00', '06:30', '24:00']);
  });
});
