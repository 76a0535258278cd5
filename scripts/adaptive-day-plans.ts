// The fixed plans of the adaptive-day comparison: a plan set per time-of-day period and one for the
// whole-day mean, the time-of-day schedule as the simulator runs it, and the table's arithmetic.
import { flowsAsTurning } from '../src/demand/turning-flows.ts';
import type { MovementFlow, TurningFlows } from '../src/demand/types.ts';
import type { RoadNetwork } from '../src/network/types.ts';
import { optimizeNetwork, type NetworkTimingOptions } from '../src/optimize/network-timing.ts';
import {
  dayPeriods,
  flowProfile,
  timeOfDayPlans,
  type DayPeriod,
  type TimeOfDayPlans,
} from '../src/optimize/time-of-day.ts';
import type { TimingPlan } from '../src/timing/types.ts';
import type { ScheduleEntry, SimulationResult } from '../sim/types.ts';

/** One set of plans, a plan per signal, run alone for the whole day. */
export interface PlanSet {
  name: string;
  /** What it was designed for, for the table. */
  designedFor: string;
  plans: Record<string, TimingPlan>;
}

/**
 * The whole window's mean flow of every movement, as one interval: the design flows of a plan
 * meant to run all day. Intervals a movement has no row in count as zero for it.
 *
 * @example
 * meanFlows({ begin: 0, end: 1800, interval: 900, flows: [
 *   { movement: 'a', begin: 0, end: 900, vehicles: 100, flow: 400 },
 *   { movement: 'a', begin: 900, end: 1800, vehicles: 50, flow: 200 }] }).flows
 * // => [{ movement: 'a', begin: 0, end: 1800, vehicles: 150, flow: 300 }]
 */
export function meanFlows(turning: TurningFlows): TurningFlows {
  const seconds = turning.end - turning.begin;
  if (!(seconds > 0)) {
    throw new RangeError(
      `meanFlows: the counts span ${turning.begin}–${turning.end} s; give counts that cover some time`,
    );
  }
  const vehicles = new Map<string, number>();
  for (const { movement, begin, end, flow } of turning.flows) {
    vehicles.set(movement, (vehicles.get(movement) ?? 0) + (flow * (end - begin)) / 3600);
  }
  const flows: MovementFlow[] = [...vehicles]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([movement, total]) => ({
      movement,
      begin: turning.begin,
      end: turning.end,
      vehicles: total,
      flow: (total * 3600) / seconds,
    }));
  return { begin: turning.begin, end: turning.end, interval: seconds, flows };
}

/**
 * The counts with every flow (and count) multiplied by `factor`: a heavier or lighter day of the
 * same shape.
 *
 * @example
 * scaleCounts(day, 1.2).flows[0].flow; // => 1.2 × day.flows[0].flow
 */
export function scaleCounts(turning: TurningFlows, factor: number): TurningFlows {
  if (!(Number.isFinite(factor) && factor > 0)) {
    throw new RangeError(`scaleCounts: factor is ${factor}; give a positive number such as 1.2`);
  }
  return {
    ...turning,
    flows: turning.flows.map((flow) => ({
      ...flow,
      vehicles: flow.vehicles * factor,
      flow: flow.flow * factor,
    })),
  };
}

/**
 * The time-of-day plans of a day of counts, exactly as `greenwave optimize --time-of-day` makes
 * them: the day split by `dayPeriods`, each period's plans by `optimizeNetwork` (TRANSYT offsets by
 * default) for its busiest interval.
 */
export function dayPlans(
  network: RoadNetwork,
  day: TurningFlows,
  options: NetworkTimingOptions = {},
): TimeOfDayPlans {
  const periods = dayPeriods(flowProfile(day));
  return timeOfDayPlans(day, periods, (movementFlows, period) =>
    planSetFor(network, flowsAsTurning(movementFlows, period), period.name, options),
  );
}

function planSetFor(
  network: RoadNetwork,
  turning: TurningFlows,
  planId: string,
  options: NetworkTimingOptions,
): Record<string, TimingPlan> {
  const result = optimizeNetwork(network, turning, { ...options, planId });
  return Object.fromEntries(result.signals.map(({ signal, plan }) => [signal, plan]));
}

/**
 * The candidates for the best single fixed plan: each period's plans of the time-of-day schedule
 * and a plan set for the whole day's mean flows.
 *
 * @example
 * fixedPlanSets(network, day, dayPlans(network, day)).map((set) => set.name)
 * // => ['night', 'am-peak', 'midday', 'pm-peak', 'evening', 'night-2', 'day-mean']
 */
export function fixedPlanSets(
  network: RoadNetwork,
  day: TurningFlows,
  timeOfDay: TimeOfDayPlans,
  options: NetworkTimingOptions = {},
): PlanSet[] {
  const sets = timeOfDay.periods.map((period): PlanSet => ({
    name: period.name,
    designedFor: `${clock(period.designInterval.begin)}–${clock(period.designInterval.end)}, ${Math.round(period.designInterval.flow)} pcu/h`,
    plans: period.plans,
  }));
  const mean = meanFlows(day);
  const total = mean.flows.reduce((sum, flow) => sum + flow.flow, 0);
  return [
    ...sets,
    {
      name: 'day-mean',
      designedFor: `mean ${clock(day.begin)}–${clock(day.end)}, ${Math.round(total)} pcu/h`,
      plans: planSetFor(network, mean, 'day-mean', options),
    },
  ];
}

/**
 * The time-of-day schedule as the simulator's `schedule` rows: from each period's begin, its plans.
 *
 * @example
 * simulatorSchedule(day).map((row) => row.from) // => [0, 23400, 34200, …]
 */
export function simulatorSchedule(timeOfDay: TimeOfDayPlans): ScheduleEntry[] {
  const plansOf = new Map(timeOfDay.periods.map((period) => [period.name, period.plans]));
  return timeOfDay.schedule.map(({ begin, planId }) => {
    const plans = plansOf.get(planId);
    if (plans === undefined) {
      throw new RangeError(
        `simulatorSchedule: the schedule names plan ${planId}, which no period has; give the schedule timeOfDayPlans made with its periods`,
      );
    }
    return { from: begin, plans };
  });
}

/** What one run of a plan set (or the loop) gave, the measures the table compares. */
export interface RunMeasures {
  /** Mean timeLoss + departDelay of arrived vehicles, s/veh. */
  meanDelay: number;
  meanStops: number;
  arrived: number;
  vehicles: number;
  teleports: number;
  /** The arrived vehicles by the period their departure falls in: their count and mean delay. */
  byPeriod: Record<string, PeriodMeasures>;
}

export interface PeriodMeasures {
  arrived: number;
  /** s/veh. */
  meanDelay: number;
}

/**
 * The measures of a simulation's result, with the mean delay by departure period.
 *
 * @example
 * runMeasures(result, periods).byPeriod['am-peak'] // => { arrived: 14873, meanDelay: 53.7 }
 */
export function runMeasures(
  result: Pick<SimulationResult, 'totals' | 'vehicles'>,
  periods: readonly Pick<DayPeriod, 'name' | 'begin' | 'end'>[],
): RunMeasures {
  const sums = new Map<string, { delay: number; count: number }>();
  for (const vehicle of result.vehicles) {
    if (vehicle.arrival === undefined) continue;
    const period = periods.find(
      ({ begin, end }) => begin <= vehicle.depart && vehicle.depart < end,
    );
    if (period === undefined) continue;
    const sum = sums.get(period.name) ?? { delay: 0, count: 0 };
    sum.delay += vehicle.delay + vehicle.departDelay;
    sum.count += 1;
    sums.set(period.name, sum);
  }
  const { meanDelay, meanStops, arrived, vehicles, teleports } = result.totals;
  return {
    meanDelay,
    meanStops,
    arrived,
    vehicles,
    teleports,
    byPeriod: Object.fromEntries(
      periods
        .filter(({ name }) => sums.has(name))
        .map(({ name }) => {
          const { delay, count } = sums.get(name)!;
          return [name, { arrived: count, meanDelay: delay / count }];
        }),
    ),
  };
}

/** The mean of each measure over the seeds' runs (by-period means over the seeds that have it). */
export function averageMeasures(runs: readonly RunMeasures[]): RunMeasures {
  if (runs.length === 0) {
    throw new RangeError('averageMeasures: no runs; give the measures of one run per seed');
  }
  const mean = (pick: (run: RunMeasures) => number) =>
    runs.reduce((sum, run) => sum + pick(run), 0) / runs.length;
  const names = [...new Set(runs.flatMap((run) => Object.keys(run.byPeriod)))];
  return {
    meanDelay: mean((run) => run.meanDelay),
    meanStops: mean((run) => run.meanStops),
    arrived: mean((run) => run.arrived),
    vehicles: mean((run) => run.vehicles),
    teleports: mean((run) => run.teleports),
    byPeriod: Object.fromEntries(
      names.map((name) => {
        const having = runs.map((run) => run.byPeriod[name]).filter((entry) => entry !== undefined);
        const average = (pick: (entry: PeriodMeasures) => number) =>
          having.reduce((sum, entry) => sum + pick(entry), 0) / having.length;
        return [
          name,
          { arrived: average((entry) => entry.arrived), meanDelay: average((e) => e.meanDelay) },
        ];
      }),
    ),
  };
}

/**
 * Hindsight: each period run with whichever plan set did best in it, every vehicle with the mean
 * delay of its departure period under that set (no transitions, no interaction between periods).
 * Not a plan anyone could run, but a bound on what switching among the sets could gain.
 *
 * @example
 * hindsight([{ name: 'a', measures: a }, { name: 'b', measures: b }])
 * // => { meanDelay: 47.9, choice: { night: 'b', 'am-peak': 'a', … } }
 */
export function hindsight(
  rows: readonly { name: string; measures: Pick<RunMeasures, 'byPeriod'> }[],
): { meanDelay: number; choice: Record<string, string> } {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row.measures.byPeriod)))];
  const choice: Record<string, string> = {};
  let delay = 0;
  let arrived = 0;
  for (const name of names) {
    const best = rows
      .filter((row) => row.measures.byPeriod[name] !== undefined)
      .reduce((a, b) =>
        b.measures.byPeriod[name]!.meanDelay < a.measures.byPeriod[name]!.meanDelay ? b : a,
      );
    const period = best.measures.byPeriod[name]!;
    choice[name] = best.name;
    delay += period.meanDelay * period.arrived;
    arrived += period.arrived;
  }
  if (arrived === 0) {
    throw new RangeError('hindsight: no arrived vehicle in any period; give rows with measures');
  }
  return { meanDelay: delay / arrived, choice };
}

/**
 * The plan set with the lowest mean delay.
 *
 * @example
 * bestOf([{ name: 'a', measures: { meanDelay: 30 } }, { name: 'b', measures: { meanDelay: 25 } }]).name // => 'b'
 */
export function bestOf<T extends { measures: Pick<RunMeasures, 'meanDelay'> }>(
  rows: readonly T[],
): T {
  if (rows.length === 0) throw new RangeError('bestOf: no rows; give one row per plan set');
  return rows.reduce((best, row) =>
    row.measures.meanDelay < best.measures.meanDelay ? row : best,
  );
}

/** Seconds since midnight as hh:mm. */
export function clock(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
