// Reads a CityFlow flow file (parsed JSON) into routed vehicles: one per departure of each flow entry.
import { InputFileError, ProblemList } from '../../network/errors.ts';
import type { VehicleDemand, VehicleTrip } from '../types.ts';

export interface CityflowFlowOptions {
  /** Consecutive link pairs a route may take, as `${from}>${to}` (the network's movements). */
  roadLinkPairs?: ReadonlySet<string>;
  /** Link ids of the network; when given, every road of a route must be one. */
  linkIds?: ReadonlySet<string>;
}

/** Every vehicle of a CityFlow file gets this vehicle type: the files give parameters, not names. */
const VEHICLE_TYPE = 'cityflow';

/**
 * One passenger car unit per vehicle. Every CityFlow file here uses a single 5 m car for all its
 * vehicles; deriving a PCE from `vehicle.length` would be a guess with nothing to check it against.
 */
const PCE = 1;

/** More departures than this from one entry is a unit mistake (an interval in hours, say). */
const MAX_DEPARTURES_PER_ENTRY = 1_000_000;

/** Slack in counting intervals up to `endTime`: 0.3 / 0.1 is 2.9999999999999996. */
const TIME_TOLERANCE = 1e-9;

interface FlowEntry {
  position: number;
  route: string[];
  startTime: number;
  endTime: number;
  interval: number;
}

/**
 * Reads a CityFlow `flow.json` (already parsed): an array of flow entries, each generating a
 * vehicle at `startTime`, `startTime + interval`, … up to `endTime` inclusive, on the entry's
 * `route` of road ids (which are greenwave link ids). Vehicle `k` of entry `i` is `flow_i_k`, as
 * in CityFlow. In the real data every entry has `startTime == endTime`: one vehicle each.
 *
 * @param json the parsed file; `file` names it in errors.
 * @param options `linkIds` and `roadLinkPairs` of the network, to check every route against it.
 * @throws {InputFileError} listing every problem: `NO_ROUTE` for an empty route, `BAD_VALUE` for
 *   times that are not finite or an interval that is not positive, `UNKNOWN_LINK` for a road not
 *   in `linkIds`, `ROUTE_NOT_CONNECTED` for consecutive roads not in `roadLinkPairs`.
 * @example
 * parseCityflowFlow(
 *   [{ route: ['road_0_1_0', 'road_1_1_0'], interval: 5, startTime: 0, endTime: 10 }],
 *   'flow.json',
 * ).vehicles.map((vehicle) => `${vehicle.id}@${vehicle.depart}`)
 * // => ['flow_0_0@0', 'flow_0_1@5', 'flow_0_2@10']
 */
export function parseCityflowFlow(
  json: unknown,
  file: string,
  options: CityflowFlowOptions = {},
): VehicleDemand {
  if (!Array.isArray(json)) {
    throw new InputFileError(file, [
      {
        code: 'FORMAT_UNKNOWN',
        element: 'flow file',
        message: 'is not a JSON array.',
        fix: 'Give a CityFlow flow file: an array of {"vehicle", "route", "interval", "startTime", "endTime"}.',
      },
    ]);
  }
  const problems = new ProblemList(file);
  const entries: FlowEntry[] = [];
  json.forEach((raw: unknown, position) => {
    const entry = readFlowEntry(raw, position, problems);
    if (!entry) return;
    checkRoute(entry, options, problems);
    entries.push(entry);
  });
  problems.throwIfAny();
  return { source: file, vehicles: entries.flatMap(vehiclesOf) };
}

function isObject(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readFlowEntry(
  raw: unknown,
  position: number,
  problems: ProblemList,
): FlowEntry | undefined {
  const element = `flows[${position}]`;
  if (!isObject(raw)) {
    problems.add(
      'BAD_VALUE',
      element,
      'is not an object.',
      'Write each flow entry as a JSON object.',
    );
    return undefined;
  }
  const route = readRoute(raw.route, element, problems);
  const startTime = readTime(raw, 'startTime', element, problems);
  const endTime = readTime(raw, 'endTime', element, problems);
  const interval = readTime(raw, 'interval', element, problems);
  if (!route || startTime === undefined || endTime === undefined || interval === undefined) {
    return undefined;
  }
  const entry = { position, route, startTime, endTime, interval };
  return checkTimes(entry, element, problems) ? entry : undefined;
}

function readRoute(value: unknown, element: string, problems: ProblemList): string[] | undefined {
  if (value === undefined) {
    problems.add(
      'MISSING_ATTRIBUTE',
      element,
      'has no "route".',
      'Add "route": the road ids in driving order.',
    );
    return undefined;
  }
  if (!Array.isArray(value)) {
    problems.add(
      'BAD_VALUE',
      element,
      '"route" is not an array.',
      'Make "route" an array of road ids.',
    );
    return undefined;
  }
  if (value.length === 0) {
    problems.add(
      'NO_ROUTE',
      element,
      'has an empty route.',
      'List at least one road id in "route".',
    );
    return undefined;
  }
  const bad = value.findIndex((road: unknown) => typeof road !== 'string' || road.length === 0);
  if (bad >= 0) {
    problems.add(
      'BAD_VALUE',
      `${element}.route[${bad}]`,
      'is not a road id.',
      'Give road ids as strings.',
    );
    return undefined;
  }
  return value.map(String);
}

function readTime(
  raw: { readonly [key: string]: unknown },
  key: 'startTime' | 'endTime' | 'interval',
  element: string,
  problems: ProblemList,
): number | undefined {
  const value = raw[key];
  if (value === undefined) {
    problems.add('MISSING_ATTRIBUTE', element, `has no "${key}".`, `Add "${key}" in seconds.`);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.add(
      'BAD_VALUE',
      element,
      `"${key}" is ${JSON.stringify(value)}, not a finite number.`,
      `Give "${key}" in seconds as a number.`,
    );
    return undefined;
  }
  return value;
}

function departureCount({ startTime, endTime, interval }: FlowEntry): number {
  if (endTime <= startTime) return 1;
  return Math.floor((endTime - startTime) / interval + TIME_TOLERANCE) + 1;
}

function checkTimes(entry: FlowEntry, element: string, problems: ProblemList): boolean {
  if (entry.endTime < entry.startTime) {
    problems.add(
      'BAD_VALUE',
      element,
      `"endTime" ${entry.endTime} is before "startTime" ${entry.startTime}; CityFlow would send no vehicle.`,
      'Give an "endTime" at or after "startTime" (equal for a single vehicle).',
    );
    return false;
  }
  if (entry.endTime > entry.startTime && entry.interval <= 0) {
    problems.add(
      'BAD_VALUE',
      element,
      `"interval" is ${entry.interval}, so the flow from ${entry.startTime} s to ${entry.endTime} s never ends.`,
      'Give a positive "interval": the seconds between two vehicles of the flow.',
    );
    return false;
  }
  if (departureCount(entry) > MAX_DEPARTURES_PER_ENTRY) {
    problems.add(
      'BAD_VALUE',
      element,
      `would send ${departureCount(entry)} vehicles.`,
      'Check that "interval", "startTime" and "endTime" are in seconds.',
    );
    return false;
  }
  return true;
}

/** Every road must be a link, and every two consecutive roads joined by a road link. */
function checkRoute(entry: FlowEntry, options: CityflowFlowOptions, problems: ProblemList): void {
  const { linkIds, roadLinkPairs } = options;
  const element = `flows[${entry.position}]`;
  const unknown = new Set<number>();
  entry.route.forEach((road, position) => {
    if (!linkIds || linkIds.has(road)) return;
    unknown.add(position);
    problems.add(
      'UNKNOWN_LINK',
      `${element}.route[${position}]`,
      `is road "${road}", which the network does not have.`,
      'Name a road of the roadnet file that goes with this flow file.',
    );
  });
  if (!roadLinkPairs) return;
  entry.route.slice(1).forEach((road, step) => {
    const previous = entry.route[step];
    if (unknown.has(step) || unknown.has(step + 1) || roadLinkPairs.has(`${previous}>${road}`))
      return;
    problems.add(
      'ROUTE_NOT_CONNECTED',
      `${element}.route[${step}..${step + 1}]`,
      `goes from road "${previous}" to road "${road}", but no road link joins them.`,
      'Insert the roads in between, or add the road link to the roadnet.',
    );
  });
}

function vehiclesOf(entry: FlowEntry): VehicleTrip[] {
  return Array.from({ length: departureCount(entry) }, (_, k) => ({
    id: `flow_${entry.position}_${k}`,
    // k × interval, not a running sum: no drift over a long flow.
    depart: entry.startTime + k * entry.interval,
    route: [...entry.route],
    vehicleType: VEHICLE_TYPE,
    pce: PCE,
  }));
}
