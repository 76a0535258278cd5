// Time-of-day plans: a day of counts split into flow periods, a plan designed per period, a WAUT schedule.
import {
  busiestInterval,
  flowIntervals,
  type FlowInterval as CountedInterval,
} from '../demand/design-flows.ts';
import { CodedError } from '../coded-error.ts';
import { ckmeans } from 'simple-statistics';
import type { TurningFlows } from '../demand/types.ts';
import type { TimingPlan } from '../timing/types.ts';

/** Stable codes for a caller's mistakes here. Tests check codes, not message text. */
export type TimeOfDayErrorCode =
  | 'EMPTY_PROFILE'
  | 'BAD_INTERVAL'
  | 'NOT_CONTIGUOUS'
  | 'BAD_OPTION'
  | 'NO_PERIODS'
  | 'DUPLICATE_PERIOD_NAME'
  | 'NO_COUNTS_IN_PERIOD'
  | 'EMPTY_SCHEDULE'
  | 'NO_SIGNALS';

/** A caller's mistake; the message starts with the function name and says how to fix it. */
export class TimeOfDayError extends CodedError<TimeOfDayErrorCode> {}

/** One interval of a flow profile: seconds, and the flow over it (pcu/h, or veh/h). */
export interface FlowInterval {
  begin: number;
  end: number;
  flow: number;
}

/** A contiguous stretch of the day with one flow level, to be run with one plan. */
export interface DayPeriod {
  /** Seconds, on the profile's own clock (seconds since midnight for a counts file). */
  begin: number;
  end: number;
  /**
   * Flow level: 0 is the lowest, higher is busier; a level recurs (night at both ends). When k is
   * chosen by `dayPeriods`, every level from 0 to the highest holds at least one period.
   */
  level: number;
  /** Duration-weighted mean of the interval flows in the period, the profile's unit. */
  meanFlow: number;
  /** The highest interval flow in the period. */
  peakFlow: number;
  /** `am-peak`, `pm-peak`, `morning`, `midday`, `evening`, `night` or `all-day`; unique (see `dayPeriods`). */
  name: string;
}

export interface DayPeriodOptions {
  /** Number of flow levels k; by default the largest k ≤ `maxPeriods` whose levels all survive. */
  periods?: number;
  /** Shortest period, seconds: shorter runs merge into a neighbour. */
  minimumPeriod?: number;
  /** Most flow levels tried when `periods` is not given. */
  maxPeriods?: number;
}

const DAY = 86_400;
const MIDDAY = 43_200;

/**
 * Splits a day (or several) of interval flows into contiguous periods of similar flow, the
 * periods of a time-of-day schedule.
 *
 * The interval flows are clustered into k flow levels (Ckmeans, optimal 1-D k-means), each
 * interval labelled with its level, and consecutive intervals of one level joined into runs. Then,
 * repeatedly, the shortest run shorter than `minimumPeriod` (the earliest of equals) takes the level of the neighbouring run
 * whose level mean is closest to its own (ties: the longer neighbour, then the earlier) and joins
 * it, until every run is long enough or one run is left.
 *
 * **Choosing k** (when `periods` is not given), an elbow rule on the within-level sum of squares
 * (WSS): starting from one level, add a level while it pays, that is while one more level lowers
 * the WSS by at least 5 % of the total sum of squares about the mean flow, and the levels do not
 * yet fit the flows to within 5 % of the mean flow (root-mean-square), up to `maxPeriods` levels.
 * The second condition keeps a flat profile with count noise in one period. Then, should merging
 * leave a level without any period (a level seen only in ramps or spikes), k is lowered until
 * none is lost. `periods` and `maxPeriods` count flow levels; the number of periods is often
 * larger, since a level recurs (the night before and after the day, the two peaks).
 *
 * **Naming**, per day (a period belongs to the day of its midpoint): the `am-peak` is the period of
 * the highest level (then highest peak flow, then earliest) whose midpoint is before 12:00, the
 * `pm-peak` the same from 12:00 on; a period at the lowest level is never a peak. The other
 * periods are named by where they lie: before the am-peak (or before 12:00 when the day has none)
 * `night` at the lowest level and `morning` above it; after the pm-peak (or from 12:00 when none)
 * `night` and `evening`; between the two, `midday`. A single period is `all-day`. A name that
 * recurs gets `-2`, `-3`, … in time order (`night`, …, `night-2`), so names can serve as plan ids.
 *
 * @throws {TimeOfDayError} `EMPTY_PROFILE`, `BAD_INTERVAL` (end not after begin, a negative or
 * non-finite flow), `NOT_CONTIGUOUS` (a gap or an overlap), `BAD_OPTION`.
 * @example
 * const hourly = [80, 60, 50, 50, 70, 150, 400, 850, 950, 700, 600, 600, 580, 600, 620, 650, 750,
 *   950, 900, 600, 450, 350, 250, 150];
 * dayPeriods(hourly.map((flow, h) => ({ begin: h * 3600, end: (h + 1) * 3600, flow })))
 *   .map(({ name, begin, end }) => `${name} ${begin / 3600}–${end / 3600} h`)
 * // => ['night 0–6 h', 'morning 6–7 h', 'am-peak 7–9 h', 'midday 9–17 h', 'pm-peak 17–19 h',
 * //     'evening 19–20 h', 'evening-2 20–23 h', 'night-2 23–24 h']
 */
export function dayPeriods(
  profile: readonly FlowInterval[],
  options: DayPeriodOptions = {},
): DayPeriod[] {
  const { periods, minimumPeriod = 3600, maxPeriods = 6 } = options;
  checkCount('periods', periods);
  checkCount('maxPeriods', maxPeriods);
  if (!(Number.isFinite(minimumPeriod) && minimumPeriod >= 0)) {
    throw new TimeOfDayError(
      'BAD_OPTION',
      `dayPeriods: minimumPeriod is ${minimumPeriod}. Give the shortest period in seconds, zero or more (default 3600).`,
    );
  }
  const intervals = contiguousIntervals(profile);
  const flows = intervals.map((interval) => interval.flow);
  const distinct = new Set(flows).size;
  const merge = (levelCount: number) => {
    const levels = flowLevels(flows, levelCount);
    return {
      levels,
      runs: mergeShortRuns(levelRuns(levels.labels), intervals, levels.means, minimumPeriod),
    };
  };
  let levelCount =
    periods !== undefined
      ? Math.min(periods, distinct)
      : elbowLevelCount(flows, Math.min(maxPeriods, distinct));
  let chosen = merge(levelCount);
  while (periods === undefined && levelCount > 1 && levelsLost(chosen)) {
    levelCount -= 1;
    chosen = merge(levelCount);
  }
  return namePeriods(chosen.runs.map((run) => describeRun(run, intervals)));
}

/** One more level must explain at least this share of the flows' total sum of squares. */
const ELBOW_GAIN = 0.05;
/** Levels fitting the flows to within this share of the mean flow (root-mean-square) are enough. */
const FIT_TOLERANCE = 0.05;

/**
 * The elbow of the within-level sum of squares: levels are added while the next one explains at
 * least `ELBOW_GAIN` of the total and the levels do not yet fit within `FIT_TOLERANCE` of the mean.
 */
function elbowLevelCount(flows: readonly number[], most: number): number {
  const total = withinSumOfSquares(flows, 1);
  const tolerance = FIT_TOLERANCE * mean(flows);
  let levelCount = 1;
  let within = total;
  while (levelCount < most && Math.sqrt(within / flows.length) > tolerance) {
    const next = withinSumOfSquares(flows, levelCount + 1);
    if (within - next < ELBOW_GAIN * total) break;
    levelCount += 1;
    within = next;
  }
  return levelCount;
}

function withinSumOfSquares(flows: readonly number[], levelCount: number): number {
  return ckmeans(flows, levelCount).reduce((sum, cluster) => {
    const centre = mean(cluster);
    return sum + cluster.reduce((squares, flow) => squares + (flow - centre) ** 2, 0);
  }, 0);
}

/** True when merging left some level without a period of its own. */
function levelsLost({ levels, runs }: { levels: FlowLevels; runs: Run[] }): boolean {
  return new Set(runs.map((run) => run.level)).size < levels.means.length;
}

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new TimeOfDayError(
      'BAD_OPTION',
      `dayPeriods: ${name} is ${value}. Give a whole number of flow levels, 1 or more.`,
    );
  }
}

/** The profile sorted by begin, checked to be well-formed and without gaps or overlaps. */
function contiguousIntervals(profile: readonly FlowInterval[]): FlowInterval[] {
  if (profile.length === 0) {
    throw new TimeOfDayError(
      'EMPTY_PROFILE',
      'dayPeriods: the profile is empty. Give one { begin, end, flow } per count interval.',
    );
  }
  const sorted = [...profile].sort((a, b) => a.begin - b.begin);
  sorted.forEach(({ begin, end, flow }, index) => {
    if (!(Number.isFinite(begin) && Number.isFinite(end) && end > begin)) {
      throw new TimeOfDayError(
        'BAD_INTERVAL',
        `dayPeriods: interval ${begin}–${end} s does not end after it begins. Give begin < end in seconds.`,
      );
    }
    if (!(Number.isFinite(flow) && flow >= 0)) {
      throw new TimeOfDayError(
        'BAD_INTERVAL',
        `dayPeriods: interval ${begin}–${end} s has flow ${flow}. Give a flow of zero or more.`,
      );
    }
    const previous = sorted[index - 1];
    if (previous && Math.abs(previous.end - begin) > 1e-6) {
      const what = previous.end < begin ? 'a gap' : 'an overlap';
      throw new TimeOfDayError(
        'NOT_CONTIGUOUS',
        `dayPeriods: ${what} between the interval ending at ${previous.end} s and the one beginning at ${begin} s. Give contiguous intervals; fill uncounted ones by interpolation before splitting the day.`,
      );
    }
  });
  return sorted;
}

interface FlowLevels {
  /** Level of each interval, 0 the lowest. */
  labels: number[];
  /** Mean flow of each level, ascending. */
  means: number[];
}

/**
 * Ckmeans into k levels; each flow labelled with the highest level whose smallest member it
 * reaches (Ckmeans may split equal flows between two clusters), levels then renumbered 0… densely.
 */
function flowLevels(flows: readonly number[], levelCount: number): FlowLevels {
  const floors = ckmeans(flows, levelCount)
    .filter((cluster) => cluster.length > 0)
    .map((cluster) => cluster[0]!);
  const raw = flows.map((flow) => floors.filter((floor) => flow >= floor).length - 1);
  const used = [...new Set(raw)].sort((a, b) => a - b);
  const labels = raw.map((level) => used.indexOf(level));
  const means = used.map((_, level) => mean(flows.filter((_, i) => labels[i] === level)));
  return { labels, means };
}

/** A run of consecutive intervals at one level: `first` to `last` inclusive. */
interface Run {
  first: number;
  last: number;
  level: number;
}

function levelRuns(labels: readonly number[]): Run[] {
  return joinSameLevel(labels.map((level, index) => ({ first: index, last: index, level })));
}

function joinSameLevel(runs: readonly Run[]): Run[] {
  const joined: Run[] = [];
  for (const run of runs) {
    const previous = joined.at(-1);
    if (previous && previous.level === run.level) {
      joined[joined.length - 1] = { ...previous, last: run.last };
    } else {
      joined.push(run);
    }
  }
  return joined;
}

function mergeShortRuns(
  start: readonly Run[],
  intervals: readonly FlowInterval[],
  levelMeans: readonly number[],
  minimumPeriod: number,
): Run[] {
  const duration = (run: Run) => intervals[run.last]!.end - intervals[run.first]!.begin;
  let runs = [...start];
  while (runs.length > 1) {
    let shortest = -1;
    runs.forEach((run, index) => {
      const shorter = shortest < 0 || duration(run) < duration(runs[shortest]!);
      if (duration(run) < minimumPeriod && shorter) shortest = index;
    });
    if (shortest < 0) break;
    const run = runs[shortest]!;
    const neighbours = [runs[shortest - 1], runs[shortest + 1]].filter((n) => n !== undefined);
    const gap = (neighbour: Run) => Math.abs(levelMeans[neighbour.level]! - levelMeans[run.level]!);
    const target = neighbours.reduce((best, neighbour) =>
      gap(neighbour) < gap(best) ||
      (gap(neighbour) === gap(best) && duration(neighbour) > duration(best))
        ? neighbour
        : best,
    );
    runs = joinSameLevel(
      runs.map((other) => (other === run ? { ...run, level: target.level } : other)),
    );
  }
  return runs;
}

function describeRun(run: Run, intervals: readonly FlowInterval[]): Omit<DayPeriod, 'name'> {
  const inRun = intervals.slice(run.first, run.last + 1);
  const seconds = (interval: FlowInterval) => interval.end - interval.begin;
  const begin = inRun[0]!.begin;
  const end = inRun.at(-1)!.end;
  return {
    begin,
    end,
    level: run.level,
    meanFlow:
      inRun.reduce((sum, interval) => sum + interval.flow * seconds(interval), 0) / (end - begin),
    peakFlow: Math.max(...inRun.map((interval) => interval.flow)),
  };
}

type UnnamedPeriod = Omit<DayPeriod, 'name'>;

function namePeriods(periods: readonly UnnamedPeriod[]): DayPeriod[] {
  if (periods.length === 1) return [{ ...periods[0]!, name: 'all-day' }];
  const lowest = Math.min(...periods.map((period) => period.level));
  const dayOf = (period: UnnamedPeriod) => Math.floor(midpoint(period) / DAY);
  const names = periods.map((period) => {
    const day = dayOf(period);
    const sameDay = periods.filter((other) => dayOf(other) === day);
    const noon = day * DAY + MIDDAY;
    const amPeak = busiest(sameDay.filter((p) => p.level > lowest && midpoint(p) < noon));
    const pmPeak = busiest(sameDay.filter((p) => p.level > lowest && midpoint(p) >= noon));
    if (period === amPeak) return 'am-peak';
    if (period === pmPeak) return 'pm-peak';
    if (midpoint(period) < (amPeak?.begin ?? noon))
      return period.level === lowest ? 'night' : 'morning';
    if (midpoint(period) >= (pmPeak?.end ?? noon))
      return period.level === lowest ? 'night' : 'evening';
    return 'midday';
  });
  const seen = new Map<string, number>();
  return periods.map((period, index) => {
    const name = names[index]!;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return { ...period, name: count === 1 ? name : `${name}-${count}` };
  });
}

/** Highest level, then highest peak flow, then earliest. */
function busiest(periods: readonly UnnamedPeriod[]): UnnamedPeriod | undefined {
  return periods.reduce<UnnamedPeriod | undefined>(
    (best, period) =>
      !best ||
      period.level > best.level ||
      (period.level === best.level && period.peakFlow > best.peakFlow)
        ? period
        : best,
    undefined,
  );
}

function midpoint(period: { begin: number; end: number }): number {
  return (period.begin + period.end) / 2;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

// ---- profile and plans from turning flows ---------------------------------------------------

/**
 * The total flow of every count interval, summed over the movements: the profile `dayPeriods`
 * splits. Intervals with no rows are left out (not zero), so a gap in the counts shows as one.
 *
 * @example
 * flowProfile(parseCounts(text, 'day.csv', has)).slice(0, 1)
 * // => [{ begin: 0, end: 900, flow: 2376 }] (fixtures/counts/zhengzhou-jinshui-weekday.csv)
 */
export function flowProfile(turning: TurningFlows): FlowInterval[] {
  return flowIntervals(turning).map(({ begin, end, flow }) => ({ begin, end, flow }));
}

/** One period with what it was designed for and the plans designed. */
export interface PeriodPlans extends DayPeriod {
  /** The count interval designed for: the period's busiest (highest total flow). */
  designInterval: FlowInterval;
  /** Movement id → flow in that interval, pcu/h; movements counted elsewhere but not there are 0. */
  designFlows: Record<string, number>;
  /** Signal id → plan, each with the period's name as its id. */
  plans: Record<string, TimingPlan>;
}

/** From `begin` run the plans with id `planId`, until `end`. */
export interface ScheduleEntry {
  begin: number;
  end: number;
  planId: string;
}

export interface TimeOfDayPlans {
  periods: PeriodPlans[];
  schedule: ScheduleEntry[];
}

/** Designs the plans of one period: signal id → plan. The CLI passes one calling `optimizeSignal`. */
export type PlanFor = (
  movementFlows: Record<string, number>,
  period: DayPeriod,
) => Record<string, TimingPlan>;

/**
 * Plans for every period of the day, and the schedule that switches between them.
 *
 * Each period is designed for its peak 15-minute flow rate, as HCM practice designs for the peak
 * 15 minutes rather than the hourly mean: of the count intervals beginning within the period (the
 * counts' own interval, 900 s for 15-minute counts), the one with the highest total flow, and its
 * movement flows (pcu/h) go to `planFor`. Plans get the period's name as their id, so the
 * schedule's `planId` names SUMO programs and controller plans alike.
 *
 * @throws {TimeOfDayError} `NO_PERIODS`, `DUPLICATE_PERIOD_NAME`, `NO_COUNTS_IN_PERIOD`.
 * @example
 * const day = timeOfDayPlans(turning, dayPeriods(flowProfile(turning)), (flows) =>
 *   Object.fromEntries(signals.map((s) => [s.id, optimizeSignal(network, s, flows).plan])),
 * );
 * day.schedule[1] // => { begin: 23400, end: 34200, planId: 'am-peak' } (the Jinshui Road fixture)
 */
export function timeOfDayPlans(
  turning: TurningFlows,
  periods: readonly DayPeriod[],
  planFor: PlanFor,
): TimeOfDayPlans {
  if (periods.length === 0) {
    throw new TimeOfDayError(
      'NO_PERIODS',
      'timeOfDayPlans: no periods given. Split the day first with dayPeriods(flowProfile(turning)).',
    );
  }
  const names = periods.map((period) => period.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) {
    throw new TimeOfDayError(
      'DUPLICATE_PERIOD_NAME',
      `timeOfDayPlans: two periods are named "${repeated}"; names become plan ids. Give every period its own name.`,
    );
  }
  const intervals = flowIntervals(turning);
  const movements = [...new Set(turning.flows.map((flow) => flow.movement))].sort();
  const planned = periods.map((period): PeriodPlans => {
    const design = designInterval(intervals, period);
    const designFlows = () =>
      Object.fromEntries(movements.map((id) => [id, design.movementFlows[id] ?? 0]));
    const plans = Object.fromEntries(
      Object.entries(planFor(designFlows(), period)).map(([signal, plan]) => [
        signal,
        { ...plan, id: period.name },
      ]),
    );
    const { begin, end, flow } = design;
    return { ...period, designInterval: { begin, end, flow }, designFlows: designFlows(), plans };
  });
  return {
    periods: planned,
    schedule: periods.map(({ begin, end, name }) => ({ begin, end, planId: name })),
  };
}

/** The interval beginning within the period with the highest total flow; the earliest on a tie. */
function designInterval(intervals: readonly CountedInterval[], period: DayPeriod): CountedInterval {
  const busiestOne = busiestInterval(intervals, period);
  if (!busiestOne) {
    throw new TimeOfDayError(
      'NO_COUNTS_IN_PERIOD',
      `timeOfDayPlans: period "${period.name}" (${period.begin}–${period.end} s) has no count interval. Split the day from the same counts' profile.`,
    );
  }
  return busiestOne;
}

// ---- SUMO program switching -----------------------------------------------------------------

export interface SumoWautOptions {
  /** The WAUT's id. */
  id?: string;
  /** Simulation time at which the schedule's clock reads 0: SUMO switches at refTime + time. */
  refTime?: number;
  /** Repeat the switches with this period, seconds (86400 for a daily schedule); none by default. */
  period?: number;
  /** Switching procedure (`GSP`, `Stretch`); SUMO's default switches immediately. */
  procedure?: 'Immediate' | 'GSP' | 'Stretch';
  /** Switch all junctions of the WAUT together. */
  synchron?: boolean;
}

/**
 * SUMO program switching for a time-of-day schedule: a `<WAUT>` starting with the first
 * period's program and one `<wautSwitch>` wherever the plan changes, and a `<wautJunction>` per
 * signal. A fragment to place inside `<additional>`, after the programs `sumoAdditional` writes
 * with the plan ids as their `programID`s. SUMO switches at `refTime + time`; the times are the
 * schedule's own (seconds since midnight for a counts file).
 *
 * @throws {TimeOfDayError} `EMPTY_SCHEDULE`, `NO_SIGNALS`.
 * @example
 * sumoWaut([{ begin: 0, end: 25200, planId: 'night' }, { begin: 25200, end: 32400, planId: 'am-peak' }], ['J1'])
 * // => '    <WAUT id="greenwave-time-of-day" refTime="0" startProg="night">\n' +
 * //    '        <wautSwitch time="0" to="night"/>\n        <wautSwitch time="25200" to="am-peak"/>\n' +
 * //    '    </WAUT>\n    <wautJunction wautID="greenwave-time-of-day" junctionID="J1"/>\n'
 */
export function sumoWaut(
  schedule: readonly ScheduleEntry[],
  signals: readonly string[],
  options: SumoWautOptions = {},
): string {
  const { id = 'greenwave-time-of-day', refTime = 0, period, procedure, synchron } = options;
  if (schedule.length === 0) {
    throw new TimeOfDayError(
      'EMPTY_SCHEDULE',
      'sumoWaut: the schedule is empty. Give the schedule from timeOfDayPlans.',
    );
  }
  if (signals.length === 0) {
    throw new TimeOfDayError(
      'NO_SIGNALS',
      'sumoWaut: no signals given. Give the ids of the signals (SUMO tlLogic ids) the schedule runs.',
    );
  }
  const entries = [...schedule].sort((a, b) => a.begin - b.begin);
  const switches = entries.filter(
    (entry, index) => index === 0 || entry.planId !== entries[index - 1]!.planId,
  );
  const wautAttributes = [
    `id="${escapeXml(id)}"`,
    `refTime="${seconds(refTime)}"`,
    `startProg="${escapeXml(entries[0]!.planId)}"`,
    ...(period !== undefined ? [`period="${seconds(period)}"`] : []),
  ];
  const junctionAttributes = [
    ...(procedure !== undefined ? [`procedure="${procedure}"`] : []),
    ...(synchron !== undefined ? [`synchron="${synchron}"`] : []),
  ];
  return [
    `    <WAUT ${wautAttributes.join(' ')}>`,
    ...switches.map(
      (entry) =>
        `        <wautSwitch time="${seconds(entry.begin)}" to="${escapeXml(entry.planId)}"/>`,
    ),
    '    </WAUT>',
    ...signals.map(
      (signal) =>
        `    <wautJunction ${[`wautID="${escapeXml(id)}"`, `junctionID="${escapeXml(signal)}"`, ...junctionAttributes].join(' ')}/>`,
    ),
    '',
  ].join('\n');
}

function seconds(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
