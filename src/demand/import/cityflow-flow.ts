// Reads a CityFlow flow file (parsed JSON) into routed vehicles: one per departure of each flow entry.
import { InputFileError, ProblemList } from '../../network/errors.ts';
import {
  fieldsOf,
  finite,
  list,
  text,
  type Expectation,
  type Fields,
} from '../../network/import/json-fields.ts';
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
  const problems = new ProblemList(file);
  if (!Array.isArray(json)) {
    problems.add(
      'FORMAT_UNKNOWN',
      'flow file',
      'is not a JSON array.',
      'Give a CityFlow flow file: an array of {"vehicle", "route", "interval", "startTime", "endTime"}.',
    );
    throw new InputFileError(file, problems.problems);
  }
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

/** A flow entry's route: consecutive road ids, at least one. */
const roadIds: Expectation<unknown[]> = { test: list.test, description: 'an array of road ids' };

/** A flow entry's times are in seconds. */
const seconds: Expectation<number> = { test: finite.test, description: 'a number of seconds' };

function readFlowEntry(
  raw: unknown,
  position: number,
  problems: ProblemList,
): FlowEntry | undefined {
  const fields = fieldsOf(
    raw,
    `flows[${position}]`,
    problems,
    'Write each flow entry as a JSON object.',
  );
  if (!fields) return undefined;
  const route = readRoute(fields);
  const startTime = fields.required('startTime', seconds);
  const endTime = fields.required('endTime', seconds);
  const interval = fields.required('interval', seconds);
  if (!route || startTime === undefined || endTime === undefined || interval === undefined) {
    return undefined;
  }
  return checkTimes({ position, route, startTime, endTime, interval }, fields);
}

function readRoute(fields: Fields): string[] | undefined {
  const route = fields.required('route', roadIds);
  if (!route) return undefined;
  if (route.length === 0) {
    return fields.problem(
      'NO_ROUTE',
      'has an empty route.',
      'List at least one road id in "route".',
    );
  }
  const bad = route.findIndex((road) => !text.test(road));
  if (bad >= 0) {
    fields.problems.add(
      'BAD_VALUE',
      `${fields.element}.route[${bad}]`,
      'is not a road id.',
      'Give road ids as strings.',
    );
    return undefined;
  }
  return route.map(String);
}

function departureCount({ startTime, endTime, interval }: FlowEntry): number {
  if (endTime <= startTime) return 1;
  return Math.floor((endTime - startTime) / interval + TIME_TOLERANCE) + 1;
}

/** The entry, when its times make a flow CityFlow can run. */
function checkTimes(entry: FlowEntry, fields: Fields): FlowEntry | undefined {
  const { startTime, endTime, interval } = entry;
  if (endTime < startTime) {
    return fields.problem(
      'BAD_VALUE',
      `"endTime" ${endTime} is before "startTime" ${startTime}; CityFlow would send no vehicle.`,
      'Give an "endTime" at or after "startTime" (equal for a single vehicle).',
    );
  }
  if (endTime > startTime && interval <= 0) {
    return fields.problem(
      'BAD_VALUE',
      `"interval" is ${interval}, so the flow from ${startTime} s to ${endTime} s never ends.`,
      'Give a positive "interval": the seconds between two vehicles of the flow.',
    );
  }
  if (departureCount(entry) > MAX_DEPARTURES_PER_ENTRY) {
    return fields.problem(
      'BAD_VALUE',
      `would send ${departureCount(entry)} vehicles.`,
      'Check that "interval", "startTime" and "endTime" are in seconds.',
    );
  }
  return entry;
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
