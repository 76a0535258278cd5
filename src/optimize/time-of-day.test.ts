// Tests for time-of-day plans: day periods from a flow profile, plans per period, SUMO WAUT switching.
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MovementFlow, TurningFlows } from '../demand/types.ts';
import { loadDemand, loadNetwork } from '../io/load.ts';
import type { TimingPlan } from '../timing/types.ts';
import {
  dayPeriods,
  flowProfile,
  sumoWaut,
  timeOfDayPlans,
  TimeOfDayError,
  type DayPeriod,
  type FlowInterval,
  type TimeOfDayErrorCode,
} from './time-of-day.ts';

const HOUR = 3600;
const QUARTER = 900;

/** A day of 15-minute intervals, each given the flow of the first stretch it falls in. */
function quarterHours(stretches: [untilHour: number, flow: number][], days = 1): FlowInterval[] {
  return Array.from({ length: 96 * days }, (_, index) => {
    const begin = index * QUARTER;
    const hour = (begin % 86_400) / HOUR;
    const flow = stretches.find(([untilHour]) => hour < untilHour)![1];
    return { begin, end: begin + QUARTER, flow };
  });
}

/** Night, morning shoulder, 07–09 peak, midday, 16:30–18:30 peak, evening, night. */
const DOUBLE_PEAK: [number, number][] = [
  [6, 100],
  [7, 400],
  [9, 1000],
  [16.5, 550],
  [18.5, 1050],
  [22, 350],
  [24, 100],
];

/** Multiplies each flow by 1 ± `spread`, from a seeded linear congruential generator. */
function withNoise(profile: FlowInterval[], spread: number, seed = 7): FlowInterval[] {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return profile.map((interval) => ({
    ...interval,
    flow: interval.flow * (1 + spread * (2 * next() - 1)),
  }));
}

const named = (periods: DayPeriod[], name: string) => periods.find((p) => p.name === name);

function codeOf(run: () => unknown): TimeOfDayErrorCode | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof TimeOfDayError) return error.code;
    throw error;
  }
  return undefined;
}

/** The invariants every split must keep: contiguous, covering the profile, long enough. */
function expectWellFormed(periods: DayPeriod[], profile: FlowInterval[], minimumPeriod: number) {
  const begins = profile.map((interval) => interval.begin);
  const ends = profile.map((interval) => interval.end);
  expect(periods[0]!.begin).toBe(Math.min(...begins));
  expect(periods.at(-1)!.end).toBe(Math.max(...ends));
  periods.forEach((period, index) => {
    expect(period.end).toBeGreaterThan(period.begin);
    if (index > 0) expect(period.begin).toBe(periods[index - 1]!.end);
    if (periods.length > 1) expect(period.end - period.begin).toBeGreaterThanOrEqual(minimumPeriod);
    expect(period.peakFlow).toBeGreaterThanOrEqual(period.meanFlow - 1e-9);
    if (index > 0) expect(period.level).not.toBe(periods[index - 1]!.level);
  });
  expect(new Set(periods.map((period) => period.name)).size).toBe(periods.length);
}

describe('dayPeriods', () => {
  it('finds the am-peak and pm-peak of a clear double peak at their times', () => {
    const profile = quarterHours(DOUBLE_PEAK);
    const periods = dayPeriods(profile);
    expectWellFormed(periods, profile, HOUR);
    expect(named(periods, 'am-peak')).toMatchObject({ begin: 7 * HOUR, end: 9 * HOUR });
    expect(named(periods, 'pm-peak')).toMatchObject({ begin: 16.5 * HOUR, end: 18.5 * HOUR });
    expect(named(periods, 'pm-peak')!.peakFlow).toBe(1050);
    expect(periods.map((period) => period.name)).toEqual([
      'night',
      'morning',
      'am-peak',
      'midday',
      'pm-peak',
      'evening',
      'night-2',
    ]);
  });

  it('keeps the peaks in place when the counts are noisy', () => {
    const profile = withNoise(quarterHours(DOUBLE_PEAK), 0.08);
    const periods = dayPeriods(profile);
    expectWellFormed(periods, profile, HOUR);
    expect(named(periods, 'am-peak')).toMatchObject({ begin: 7 * HOUR, end: 9 * HOUR });
    expect(named(periods, 'pm-peak')).toMatchObject({ begin: 16.5 * HOUR, end: 18.5 * HOUR });
  });

  it('chooses the number of levels at the elbow (the example in the JSDoc)', () => {
    // WSS / total for k = 1…5: 1, 0.216, 0.085, 0.031, 0.021; the fifth level would explain 1 %.
    const hourly = [
      80, 60, 50, 50, 70, 150, 400, 850, 950, 700, 600, 600, 580, 600, 620, 650, 750, 950, 900, 600,
      450, 350, 250, 150,
    ];
    const profile = hourly.map((flow, h) => ({ begin: h * HOUR, end: (h + 1) * HOUR, flow }));
    const periods = dayPeriods(profile);
    expect(new Set(periods.map((period) => period.level)).size).toBe(4);
    expect(
      periods.map(({ name, begin, end }) => `${name} ${begin / HOUR}–${end / HOUR} h`),
    ).toEqual([
      'night 0–6 h',
      'morning 6–7 h',
      'am-peak 7–9 h',
      'midday 9–17 h',
      'pm-peak 17–19 h',
      'evening 19–20 h',
      'evening-2 20–23 h',
      'night-2 23–24 h',
    ]);
  });

  it('gives a flat profile one all-day period', () => {
    const profile = quarterHours([[24, 640]]);
    expect(dayPeriods(profile)).toEqual([
      { begin: 0, end: 86_400, level: 0, meanFlow: 640, peakFlow: 640, name: 'all-day' },
    ]);
  });

  it('keeps a flat profile with a few percent of count noise in one period', () => {
    expect(dayPeriods(withNoise(quarterHours([[24, 640]]), 0.03))).toHaveLength(1);
  });

  it('merges a short spike into its neighbours instead of giving it a period', () => {
    const profile = quarterHours([
      [6, 100],
      [12, 600],
      [12.25, 2000],
      [18, 600],
      [24, 100],
    ]);
    const periods = dayPeriods(profile);
    expectWellFormed(periods, profile, HOUR);
    expect(periods.map(({ begin, end }) => [begin / HOUR, end / HOUR])).toEqual([
      [0, 6],
      [6, 18],
      [18, 24],
    ]);
    expect(periods[1]!.peakFlow).toBe(2000);
  });

  it('merges a short run into the neighbour whose level is closest', () => {
    // 06:00–06:30 at 800 lies between night (100) and the peak (900): it joins the peak.
    const profile = quarterHours([
      [6, 100],
      [6.5, 800],
      [9, 900],
      [24, 100],
    ]);
    const periods = dayPeriods(profile, { periods: 3 });
    expect(named(periods, 'am-peak')).toMatchObject({ begin: 6 * HOUR, end: 9 * HOUR });
  });

  it('honours minimumPeriod and a fixed number of levels', () => {
    const profile = withNoise(quarterHours(DOUBLE_PEAK), 0.05);
    const periods = dayPeriods(profile, { periods: 2, minimumPeriod: 2 * HOUR });
    expectWellFormed(periods, profile, 2 * HOUR);
    expect(new Set(periods.map((period) => period.level))).toEqual(new Set([0, 1]));
  });

  it('names one am-peak and one pm-peak per day of a longer profile', () => {
    const periods = dayPeriods(quarterHours(DOUBLE_PEAK, 2));
    const peaks = periods.filter((period) => period.name.includes('peak'));
    expect(peaks.map(({ name, begin }) => [name, begin / HOUR])).toEqual([
      ['am-peak', 7],
      ['pm-peak', 16.5],
      ['am-peak-2', 31],
      ['pm-peak-2', 40.5],
    ]);
  });

  it('reads intervals in any order and leaves the input alone', () => {
    const profile = quarterHours(DOUBLE_PEAK);
    const reversed = [...profile].reverse();
    const copy = structuredClone(reversed);
    expect(dayPeriods(reversed)).toEqual(dayPeriods(profile));
    expect(reversed).toEqual(copy);
  });

  it('rejects an empty, broken or gapped profile and bad options with coded errors', () => {
    const profile = quarterHours(DOUBLE_PEAK);
    expect(codeOf(() => dayPeriods([]))).toBe('EMPTY_PROFILE');
    expect(codeOf(() => dayPeriods([{ begin: 10, end: 10, flow: 1 }]))).toBe('BAD_INTERVAL');
    expect(codeOf(() => dayPeriods([{ begin: 0, end: 900, flow: -1 }]))).toBe('BAD_INTERVAL');
    expect(codeOf(() => dayPeriods([{ begin: 0, end: 900, flow: NaN }]))).toBe('BAD_INTERVAL');
    const gap = profile.filter((_, index) => index !== 40);
    expect(codeOf(() => dayPeriods(gap))).toBe('NOT_CONTIGUOUS');
    const overlap = [...profile, { begin: 450, end: 1350, flow: 5 }];
    expect(codeOf(() => dayPeriods(overlap))).toBe('NOT_CONTIGUOUS');
    expect(codeOf(() => dayPeriods(profile, { periods: 0 }))).toBe('BAD_OPTION');
    expect(codeOf(() => dayPeriods(profile, { maxPeriods: 2.5 }))).toBe('BAD_OPTION');
    expect(codeOf(() => dayPeriods(profile, { minimumPeriod: -1 }))).toBe('BAD_OPTION');
    expect(() => dayPeriods(gap)).toThrow(/^dayPeriods: /);
  });

  it('keeps coverage, contiguity and the minimum period for any profile', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 3000 }), { minLength: 1, maxLength: 150 }),
        fc.constantFrom(300, 900, 3600),
        fc.nat({ max: 86_400 }),
        fc.constantFrom(0, 900, 3600, 7200),
        fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
        (flows, interval, start, minimumPeriod, periods) => {
          const profile = flows.map((flow, index) => ({
            begin: start + index * interval,
            end: start + (index + 1) * interval,
            flow,
          }));
          const result = dayPeriods(profile, { minimumPeriod, periods });
          expectWellFormed(result, profile, minimumPeriod);
          const levels = new Set(result.map((period) => period.level));
          expect(Math.max(...levels)).toBeLessThan(periods ?? 6);
          // Choosing k keeps only levels that hold a period: 0 to the highest, none skipped.
          if (periods === undefined) expect(levels.size).toBe(Math.max(...levels) + 1);
        },
      ),
      { numRuns: 200 },
    );
  });
});

// ---- timeOfDayPlans --------------------------------------------------------------------------

const plan = (signal: string, cycleLength: number): TimingPlan => ({
  id: 'designed',
  signal,
  cycleLength,
  offset: 0,
  offsetReference: 'first-stage-green-start',
  stages: [],
});

/** Two movements, eight 15-minute intervals from 07:00; totals peak at 07:30 and at 08:45. */
function twoHoursOfCounts(): TurningFlows {
  const eastbound = [400, 600, 700, 500, 300, 300, 200, 200];
  const northbound = [100, 100, 150, 600, 200, 250, 300, 500];
  const flows: MovementFlow[] = [];
  eastbound.forEach((flow, index) => {
    const begin = 7 * HOUR + index * QUARTER;
    const end = begin + QUARTER;
    const north = northbound[index]!;
    flows.push({ movement: 'E>W', begin, end, vehicles: flow / 4, flow });
    flows.push({ movement: 'S>N', begin, end, vehicles: north / 4, flow: north });
  });
  return { begin: 7 * HOUR, end: 9 * HOUR, interval: QUARTER, flows };
}

const twoPeriods: DayPeriod[] = [
  { begin: 7 * HOUR, end: 8 * HOUR, level: 1, meanFlow: 0, peakFlow: 0, name: 'am-peak' },
  { begin: 8 * HOUR, end: 9 * HOUR, level: 0, meanFlow: 0, peakFlow: 0, name: 'midday' },
];

describe('timeOfDayPlans', () => {
  it('designs each period for its busiest count interval and names plans after the period', () => {
    const calls: { flows: Record<string, number>; period: string }[] = [];
    const result = timeOfDayPlans(twoHoursOfCounts(), twoPeriods, (flows, period) => {
      calls.push({ flows, period: period.name });
      return { J1: plan('J1', 60 + flows['E>W']! / 10), J2: plan('J2', 90) };
    });
    // 07:30 (700 + 150 = 850) and 07:45 (500 + 600 = 1100): the total decides, not one movement.
    expect(calls).toEqual([
      { flows: { 'E>W': 500, 'S>N': 600 }, period: 'am-peak' },
      { flows: { 'E>W': 200, 'S>N': 500 }, period: 'midday' },
    ]);
    expect(result.periods[0]!.designInterval).toEqual({
      begin: 7.75 * HOUR,
      end: 8 * HOUR,
      flow: 1100,
    });
    expect(result.periods[0]!.plans.J1).toMatchObject({ id: 'am-peak', cycleLength: 110 });
    expect(result.periods[1]!.plans.J2).toMatchObject({ id: 'midday', signal: 'J2' });
    expect(result.schedule).toEqual([
      { begin: 7 * HOUR, end: 8 * HOUR, planId: 'am-peak' },
      { begin: 8 * HOUR, end: 9 * HOUR, planId: 'midday' },
    ]);
  });

  it('gives a movement not counted in the design interval a flow of zero', () => {
    const count = (movement: string, begin: number, flow: number): MovementFlow => ({
      movement,
      begin,
      end: begin + QUARTER,
      vehicles: flow / 4,
      flow,
    });
    const turning: TurningFlows = {
      begin: 7 * HOUR,
      end: 7.5 * HOUR,
      interval: QUARTER,
      flows: [
        count('E>W', 7 * HOUR, 100),
        count('S>N', 7 * HOUR, 100),
        count('E>W', 7.25 * HOUR, 900),
      ],
    };
    const seen: Record<string, number>[] = [];
    timeOfDayPlans(turning, twoPeriods.slice(0, 1), (movementFlows) => {
      seen.push(movementFlows);
      return {};
    });
    expect(seen).toEqual([{ 'E>W': 900, 'S>N': 0 }]);
  });

  it('rejects no periods, repeated names and a period without counts', () => {
    const turning = twoHoursOfCounts();
    const none = () => ({});
    expect(codeOf(() => timeOfDayPlans(turning, [], none))).toBe('NO_PERIODS');
    const twice = twoPeriods.map((period) => ({ ...period, name: 'midday' }));
    expect(codeOf(() => timeOfDayPlans(turning, twice, none))).toBe('DUPLICATE_PERIOD_NAME');
    const evening = [{ ...twoPeriods[0]!, begin: 18 * HOUR, end: 19 * HOUR }];
    expect(codeOf(() => timeOfDayPlans(turning, evening, none))).toBe('NO_COUNTS_IN_PERIOD');
  });
});

// ---- sumoWaut ----------------------------------------------------------------------------------

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  htmlEntities: true,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

describe('sumoWaut', () => {
  const schedule = [
    { begin: 0, end: 25_200, planId: 'night' },
    { begin: 25_200, end: 32_400, planId: 'am-peak' },
    { begin: 32_400, end: 36_000, planId: 'am-peak' },
    { begin: 36_000, end: 86_400, planId: 'midday' },
  ];

  it('writes a WAUT switching where the plan changes and one wautJunction per signal', () => {
    const xml = sumoWaut(schedule, ['JS-01', 'JS-02']);
    const additional = parser.parse(`<additional>${xml}</additional>`).additional[0];
    expect(additional.WAUT).toEqual([
      {
        id: 'greenwave-time-of-day',
        refTime: '0',
        startProg: 'night',
        wautSwitch: [
          { time: '0', to: 'night' },
          { time: '25200', to: 'am-peak' },
          { time: '36000', to: 'midday' },
        ],
      },
    ]);
    expect(additional.wautJunction).toEqual([
      { wautID: 'greenwave-time-of-day', junctionID: 'JS-01' },
      { wautID: 'greenwave-time-of-day', junctionID: 'JS-02' },
    ]);
    expect(xml.startsWith('    <WAUT ')).toBe(true);
  });

  it('writes the options as attributes and escapes ids', () => {
    const xml = sumoWaut([{ begin: 3600, end: 7200, planId: 'a&b' }], ['J"1'], {
      id: 'weekday',
      refTime: 100,
      period: 86_400,
      procedure: 'GSP',
      synchron: true,
    });
    const additional = parser.parse(`<additional>${xml}</additional>`).additional[0];
    expect(additional.WAUT[0]).toMatchObject({
      id: 'weekday',
      refTime: '100',
      period: '86400',
      startProg: 'a&b',
    });
    expect(additional.wautJunction[0]).toEqual({
      wautID: 'weekday',
      junctionID: 'J"1',
      procedure: 'GSP',
      synchron: 'true',
    });
  });

  it('rejects an empty schedule and no signals', () => {
    expect(codeOf(() => sumoWaut([], ['J1']))).toBe('EMPTY_SCHEDULE');
    expect(codeOf(() => sumoWaut(schedule, []))).toBe('NO_SIGNALS');
  });
});

// ---- the demo network's weekday counts -------------------------------------------------------

const fixture = (path: string) => fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url));

describe('Jinshui Road weekday counts', () => {
  it('splits into an am-peak and a pm-peak designed for the peak direction', async () => {
    const { network } = await loadNetwork(fixture('networks/zhengzhou-jinshui-road.geojson'));
    const { flows } = await loadDemand(fixture('counts/zhengzhou-jinshui-weekday.csv'), network);
    const counted = new Set(flows.flows.map((flow) => flow.movement));
    expect(counted).toEqual(new Set(Object.keys(network.getAttribute('movements'))));
    expect(flows).toMatchObject({ begin: 0, end: 86_400, interval: 900 });

    const profile = flowProfile(flows);
    const periods = dayPeriods(profile);
    expectWellFormed(periods, profile, HOUR);
    const amPeak = named(periods, 'am-peak')!;
    const pmPeak = named(periods, 'pm-peak')!;
    expect(amPeak.begin).toBeLessThanOrEqual(7.5 * HOUR);
    expect(amPeak.end).toBeGreaterThanOrEqual(9 * HOUR);
    expect(amPeak.end - amPeak.begin).toBeLessThanOrEqual(4 * HOUR);
    expect(pmPeak.begin).toBeLessThanOrEqual(17.5 * HOUR);
    expect(pmPeak.end).toBeGreaterThanOrEqual(19 * HOUR);
    expect(pmPeak.end - pmPeak.begin).toBeLessThanOrEqual(4 * HOUR);

    const day = timeOfDayPlans(flows, periods, () => ({}));
    const through = (period: DayPeriod, movement: string) =>
      day.periods.find((p) => p.name === period.name)!.designFlows[movement]!;
    const eastbound = 'jinshui-eb-4>jinshui-eb-5';
    const westbound = 'jinshui-wb-5>jinshui-wb-4';
    expect(through(amPeak, eastbound)).toBeGreaterThan(through(amPeak, westbound));
    expect(through(pmPeak, westbound)).toBeGreaterThan(through(pmPeak, eastbound));
    expect(through(amPeak, eastbound)).toBeGreaterThan(600);
    expect(through(amPeak, eastbound)).toBeLessThan(1000);
  });
});
