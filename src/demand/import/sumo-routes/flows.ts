// Flows: SUMO's rules for begin, end, number and rate, expanded into the vehicles of the window.
import type { ProblemList } from '../../../network/errors.ts';
import {
  COUNT,
  describe,
  parseDecimal,
  type XmlElement,
} from '../../../network/import/sumo-xml.ts';
import type { VehicleTrip } from '../../types.ts';
import {
  DAY,
  POSITIVE,
  PROBABILITY,
  parseTime,
  readNumber,
  readTime,
  roundToMilliseconds,
} from './numbers.ts';
import { report } from './problems.ts';
import type { DemandContext, DemandWindow, FlowDefaults } from './types.ts';
import { lookUpVehicleType } from './vehicle-types.ts';
import { resolveRoute } from './vehicle-route.ts';
import { readDepartSpeed, requireUniqueVehicleId, toVehicleTrip } from './vehicles.ts';

const RATE_ATTRIBUTES = ['period', 'vehsPerHour', 'probability'] as const;

/** A flow's departures: `begin + i × headway` for `i` in `0 … count − 1`. */
interface FlowSchedule {
  begin: number;
  headway: number;
  count: number;
}

/** Seconds between vehicles; `random` for the forms SUMO draws at random, read as their mean. */
interface Headway {
  seconds: number;
  random: boolean;
}

/** The flow's vehicles departing in the window, `id.index` as SUMO names them. */
export function readFlow(
  element: XmlElement,
  context: DemandContext,
  defaults: FlowDefaults,
): VehicleTrip[] {
  const where = describe(element);
  const id = requireUniqueVehicleId(element, where, context);
  const type = lookUpVehicleType(element, where, context);
  const route = resolveRoute(element, where, context);
  const schedule = readFlowSchedule(element, where, defaults, context.problems);
  const departSpeed = readDepartSpeed(element, where, context.problems);
  if (id === undefined || type === undefined || route === undefined || schedule === undefined)
    return [];
  return departuresInWindow(schedule, context.window).map(({ index, depart }) =>
    toVehicleTrip(`${id}.${index}`, depart, route, type, departSpeed),
  );
}

/** The flow's departures inside the window, each with its index in the whole flow (SUMO's `id.index`). */
function departuresInWindow(
  schedule: FlowSchedule,
  window: DemandWindow,
): Array<{ index: number; depart: number }> {
  const { begin, headway, count } = schedule;
  // Start one headway before the window, so rounding never drops its first vehicle.
  const first = headway > 0 ? Math.max(0, Math.floor((window.begin - begin) / headway) - 1) : 0;
  const inWindow: Array<{ index: number; depart: number }> = [];
  for (let index = first; index < count; index += 1) {
    const depart = roundToMilliseconds(begin + index * headway);
    if (depart >= window.end) break;
    if (depart >= window.begin) inWindow.push({ index, depart });
  }
  return inWindow;
}

/** When a flow's vehicles depart, following SUMO's rules for begin, end, number and rate. */
function readFlowSchedule(
  element: XmlElement,
  where: string,
  defaults: FlowDefaults,
  problems: ProblemList,
): FlowSchedule | undefined {
  const problemsBefore = problems.problems.length;
  const given = (name: string): boolean => element.attributes[name] !== undefined;
  const rates = RATE_ATTRIBUTES.filter(given);
  if (rates.length > 1 || (rates.length === 1 && given('number') && given('end'))) {
    const amounts = [...rates, ...['number', 'end'].filter(given)];
    report(problems, 'conflictingAmounts', `${where} ${amounts.join(' ')}`);
    return undefined;
  }
  if (rates.length === 0 && !given('number')) {
    report(problems, 'noAmount', where);
    return undefined;
  }
  const begin = readTime(element, 'begin', where, problems) ?? defaults.begin ?? 0;
  const givenEnd = readTime(element, 'end', where, problems);
  const number = readNumber(element, 'number', where, COUNT, problems);
  const headway = readHeadway(element, where, problems);
  if (problems.problems.length > problemsBefore) return undefined;
  if (givenEnd !== undefined && givenEnd < begin) {
    report(problems, 'endsBeforeBegin', `${where} end`, givenEnd, begin);
    return undefined;
  }
  const end = givenEnd ?? defaults.end ?? begin + DAY;
  return flowSchedule(begin, Math.max(0, end - begin), number, headway);
}

function flowSchedule(
  begin: number,
  duration: number,
  number: number | undefined,
  headway: Headway | undefined,
): FlowSchedule {
  if (headway === undefined) {
    // number alone: SUMO spreads the vehicles evenly, (end − begin) / number in whole milliseconds.
    const count = number ?? 0;
    const spacing = count > 0 ? Math.trunc(Math.round(duration * 1000) / count) / 1000 : 0;
    return { begin, headway: spacing, count };
  }
  if (number !== undefined) return { begin, headway: headway.seconds, count: number };
  const count = headway.random
    ? Math.round(duration / headway.seconds)
    : Math.ceil(Math.round(duration * 1000) / Math.round(headway.seconds * 1000));
  return { begin, headway: headway.seconds, count };
}

/** Seconds between vehicles from `period`, `vehsPerHour` or `probability`. */
function readHeadway(
  element: XmlElement,
  where: string,
  problems: ProblemList,
): Headway | undefined {
  const period = element.attributes.period;
  if (period !== undefined && /^\s*exp\(/.test(period)) {
    const rate = parseDecimal(period.trim().replace(/^exp\((.*)\)$/, '$1'));
    if (rate !== undefined && rate > 0 && Number.isFinite(rate))
      return { seconds: 1 / rate, random: true };
    report(problems, 'badExponentialPeriod', `${where} period`, period);
    return undefined;
  }
  const fixedPeriod = readNumber(element, 'period', where, POSITIVE, problems, parseTime);
  const hourlyRate = readNumber(element, 'vehsPerHour', where, POSITIVE, problems);
  const perSecond = readNumber(element, 'probability', where, PROBABILITY, problems);
  if (perSecond !== undefined) return { seconds: 1 / perSecond, random: true };
  const seconds = fixedPeriod ?? (hourlyRate === undefined ? undefined : 3600 / hourlyRate);
  if (seconds === undefined) return undefined;
  if (roundToMilliseconds(seconds) > 0)
    return { seconds: roundToMilliseconds(seconds), random: false };
  const attribute = period === undefined ? 'vehsPerHour' : 'period';
  report(problems, 'headwayBelowResolution', `${where} ${attribute}`, seconds);
  return undefined;
}
