// The time-of-day prior: a day of counts as the flows to expect now, the period the clock is in,
// and that period's plans (the schedule the engine falls back to when detectors fail).
import { flowIntervals, type FlowInterval } from '../demand/design-flows.ts';
import type { TurningFlows } from '../demand/types.ts';
import type { RoadNetwork } from '../network/types.ts';
import { optimizeNetwork, type NetworkTimingOptions } from '../optimize/network-timing.ts';
import {
  dayPeriods,
  flowProfile,
  timeOfDayPlans,
  type DayPeriod,
  type DayPeriodOptions,
} from '../optimize/time-of-day.ts';
import type { TimingPlan } from '../timing/types.ts';
import { EngineError } from './errors.ts';

export interface TimeOfDayPrior {
  /** The IANA time zone the counts' clock (seconds since midnight) is read in. */
  readonly timeZone: string;
  readonly periods: readonly DayPeriod[];
  /** Movement → veh/h in the count interval the time of day of `ms` falls in. */
  flowsAt(ms: number): Record<string, number>;
  /** The period the time of day of `ms` falls in. */
  periodAt(ms: number): DayPeriod;
  /** The period's plans by signal id (computed once per period, then kept), ids the period's name. */
  plansAt(ms: number): { period: DayPeriod; plans: Record<string, TimingPlan> };
}

export interface TimeOfDayPriorOptions {
  /** IANA zone of the counts' clock, e.g. `Asia/Shanghai`; default `UTC`. */
  timeZone?: string;
  /** Options of `optimizeNetwork` for the periods' plans (the engine passes its own). */
  optimize?: NetworkTimingOptions;
  /** Options of `dayPeriods`. */
  periods?: DayPeriodOptions;
}

/**
 * The prior from a day of turning counts (`loadDemand` of a counts file, 15-minute intervals,
 * seconds since midnight): the day split into periods (`dayPeriods`), each period's plans designed
 * for its peak 15 minutes (`timeOfDayPlans` with `optimizeNetwork`) when first asked for.
 *
 * @throws {EngineError} `BAD_PRIOR` when the counts hold no interval or the time zone is unknown.
 * @example
 * const prior = timeOfDayPrior(network, (await loadDemand('weekday.csv', network, { interval: 900 })).flows,
 *   { timeZone: 'Asia/Shanghai' });
 * prior.periodAt(Date.parse('2026-11-30T00:00:00Z')).name; // => 'am-peak' (08:00 in Zhengzhou)
 */
export function timeOfDayPrior(
  network: RoadNetwork,
  day: TurningFlows,
  { timeZone = 'UTC', optimize = {}, periods: periodOptions = {} }: TimeOfDayPriorOptions = {},
): TimeOfDayPrior {
  const intervals = flowIntervals(day);
  if (intervals.length === 0) {
    throw new EngineError(
      'BAD_PRIOR',
      'timeOfDayPrior: the counts hold no interval; give a day of turning counts (a counts CSV loaded with loadDemand)',
    );
  }
  secondOfDay(0, timeZone); // throws BAD_PRIOR for an unknown zone, now rather than at the first cycle
  const periods = dayPeriods(flowProfile(day), periodOptions);
  const plans = new Map<string, Record<string, TimingPlan>>();
  const periodOf = (ms: number) => {
    const second = secondOfDay(ms, timeZone);
    return (
      periods.find((period) => period.begin <= second && second < period.end) ??
      nearest(periods, second)
    );
  };
  return {
    timeZone,
    periods,
    flowsAt(ms) {
      const second = secondOfDay(ms, timeZone);
      const interval =
        intervals.find((entry) => entry.begin <= second && second < entry.end) ??
        nearest(intervals, second);
      return { ...interval.movementFlows };
    },
    periodAt: periodOf,
    plansAt(ms) {
      const period = periodOf(ms);
      let periodPlans = plans.get(period.name);
      if (periodPlans === undefined) {
        periodPlans = timeOfDayPlans(day, [period], (movementFlows) => {
          const turning: TurningFlows = {
            begin: period.begin,
            end: period.end,
            interval: period.end - period.begin,
            flows: Object.entries(movementFlows).map(([movement, flow]) => ({
              movement,
              begin: period.begin,
              end: period.end,
              vehicles: 0,
              flow,
            })),
          };
          const result = optimizeNetwork(network, turning, { ...optimize, planId: period.name });
          return Object.fromEntries(result.signals.map(({ signal, plan }) => [signal, plan]));
        }).periods[0]!.plans;
        plans.set(period.name, periodPlans);
      }
      return { period, plans: periodPlans };
    },
  };
}

/** The entry whose span is closest to `second` (counts with gaps, or a day shorter than 24 h). */
function nearest<T extends Pick<FlowInterval, 'begin' | 'end'>>(
  entries: readonly T[],
  second: number,
): T {
  const distance = (entry: T) =>
    second < entry.begin ? entry.begin - second : second >= entry.end ? second - entry.end : 0;
  return entries.reduce((best, entry) => (distance(entry) < distance(best) ? entry : best));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Seconds since local midnight in `timeZone` of the instant `ms`.
 *
 * @throws {EngineError} `BAD_PRIOR` for a zone `Intl` does not know.
 * @example
 * secondOfDay(Date.parse('2026-11-30T00:30:00Z'), 'Asia/Shanghai'); // => 30600 (08:30)
 */
export function secondOfDay(ms: number, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        hourCycle: 'h23',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new EngineError(
        'BAD_PRIOR',
        `secondOfDay: unknown time zone ${JSON.stringify(timeZone)}; give an IANA zone such as "UTC" or "Asia/Shanghai"`,
      );
    }
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(
    format.formatToParts(new Date(ms)).map((part) => [part.type, part.value]),
  );
  const fraction = (((ms % 1000) + 1000) % 1000) / 1000;
  return Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second) + fraction;
}
