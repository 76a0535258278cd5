// SUMO route files (.rou.xml) → vehicle demand: every vehicle, trip and flow on a checked route.
import { ProblemList } from '../../network/errors.ts';
import { readXmlRoot, type XmlElement } from '../../network/import/sumo-xml.ts';
import type { VehicleDemand } from '../types.ts';
import { readDemand } from './sumo-routes/demand.ts';
import { report } from './sumo-routes/problems.ts';
import { readRouteDefinitions } from './sumo-routes/routes.ts';
import type {
  DemandContext,
  DemandWindow,
  RoutableNetwork,
  SumoRoutesOptions,
  SumoVehicleType,
} from './sumo-routes/types.ts';
import { readVehicleTypeCatalogue } from './sumo-routes/vehicle-types.ts';

export type { RoutableNetwork, SumoRoutesOptions, SumoVehicleType };

/**
 * Reads a SUMO route file into vehicle demand: one `VehicleTrip` per vehicle, per trip and per
 * vehicle of a flow, sorted by departure, each with its route as edge (link) ids and its PCE.
 *
 * Reading rules, where SUMO leaves a choice or the engine simplifies:
 * - Each vehicle carries its vType's `vClass` as `vehicleClass` (`passenger` when the vType gives
 *   none) and its `length` when the vType gives one; a `vTypeDistribution` gives neither, its
 *   members may differ.
 * - A vehicle, trip or flow's `departSpeed` is kept as `departSpeed`: metres per second, or `max`
 *   for `max`, `desired` and `speedLimit` (and, simplified, `random`, `avg` and `last`). Absent, it
 *   stays absent: SUMO then inserts at 0 m/s, and so does greenwave's simulator.
 * - PCE comes from the vType's `vClass` (bicycle 0.2, moped and motorcycle 0.5, truck, trailer, bus
 *   and coach 3.5, anything else 1). `tlsCycleAdaptation.py` compares the type *id* with those
 *   names instead; the two agree whenever a type is named after its class (RESCO's `bus`). A
 *   `vTypeDistribution` counts the probability-weighted mean PCE of its members.
 * - A nested `<routeDistribution>` (or a vehicle `route` naming a top-level one) is replaced by its
 *   most probable route; ties go to the first listed. Every route in it is still checked.
 * - `trip`s and flows with `from`/`to` (and `via`) are routed with `network.route`, once per
 *   origin, destination and via list.
 * - Flows are expanded deterministically. `number`, `period` and `vehsPerHour` follow SUMO exactly
 *   (times in milliseconds; `number` alone spreads the vehicles evenly over `[begin, end)`).
 *   The random forms use their mean: `probability="p"` gives round(p × duration) vehicles at a
 *   headway of 1/p seconds, and `period="exp(X)"` gives round(X × duration) vehicles at 1/X.
 *   A flow without `begin` starts at `options.begin` (else 0); without `end` it ends at
 *   `options.end`, else after 24 h, as SUMO does. `<interval begin end>` supplies both to its flows.
 * - Only vehicles departing in `[options.begin, options.end)` are returned, but the whole file is
 *   checked: the same file gives the same errors whatever the window.
 * - Vehicles, trips and flows may refer to vTypes and routes anywhere in the file; a distribution
 *   may only name types or routes defined above it.
 * - `person`, `personFlow`, `container` and `containerFlow` are not traffic at the signals and are
 *   skipped, as are elements the reader does not know.
 *
 * @param xml The route file's text.
 * @param file The file's name, for messages and `InputFileError.file`.
 * @param network Edge lookups and a router; SUMO edge ids are the network's link ids.
 * @param options The demand window, seconds, `[begin, end)`; the whole file when absent.
 * @returns The demand, `source` set to `file`.
 * @throws {InputFileError} With every problem found: `PARSE_FAILED` (not XML), `FORMAT_UNKNOWN`
 *   (root is not `<routes>`), `UNKNOWN_LINK` (an edge not in the network), `ROUTE_NOT_CONNECTED`
 *   (consecutive edges without a connection), `NO_ROUTE` (a trip or flow that cannot be routed),
 *   `UNKNOWN_VEHICLE_TYPE`, `UNKNOWN_ROUTE` (a vehicle or flow `route`, a `refId` or a distribution's
 *   `routes` naming no route defined in the file), `MISSING_ATTRIBUTE`, `DUPLICATE_ID`, and
 *   `BAD_VALUE` (a bad number, or a non-numeric `depart` such as `triggered` or `now`: those
 *   vehicles have no time to place in the window). Nothing is returned half-read.
 * @throws {RangeError} When `options.begin` is after `options.end`.
 * @example
 * const xml = `<routes>
 *   <route id="main" edges="in out"/>
 *   <flow id="peak" route="main" begin="0" end="100" vehsPerHour="360"/>
 * </routes>`;
 * const demand = parseSumoRoutes(xml, 'peak.rou.xml', network, { begin: 0, end: 3600 });
 * demand.vehicles.map((vehicle) => vehicle.depart); // [0, 10, 20, …, 90]
 * demand.vehicles[0];
 * // { id: 'peak.0', depart: 0, route: ['in', 'out'], vehicleType: 'DEFAULT_VEHTYPE', pce: 1,
 * //   vehicleClass: 'passenger' }
 */
export function parseSumoRoutes(
  xml: string,
  file: string,
  network: RoutableNetwork,
  options: SumoRoutesOptions = {},
): VehicleDemand {
  const window = readWindow(options);
  const problems = new ProblemList(file);
  const root = readRoot(xml, problems);
  problems.throwIfAny();
  const elements = root?.children ?? [];
  const context: DemandContext = {
    network,
    problems,
    vehicleTypes: readVehicleTypeCatalogue(elements, problems),
    routes: readRouteDefinitions(elements, network, problems),
    tripRoutes: new Map(),
    vehicleIds: new Set(),
    window,
  };
  const vehicles = readDemand(elements, context, { begin: options.begin, end: options.end });
  problems.throwIfAny();
  const inWindow = vehicles.filter((v) => v.depart >= window.begin && v.depart < window.end);
  return { source: file, vehicles: inWindow.sort((a, b) => a.depart - b.depart) };
}

/**
 * Reads the vehicle types a SUMO route file defines (`vType`, also inside a `vTypeDistribution`,
 * and the distributions themselves), in file order, with their PCE.
 *
 * @throws {InputFileError} `PARSE_FAILED`, `FORMAT_UNKNOWN`, `MISSING_ATTRIBUTE`, `DUPLICATE_ID`,
 *   `BAD_VALUE`, `UNKNOWN_VEHICLE_TYPE` (a distribution naming an undefined type).
 * @example
 * readSumoVehicleTypes('<routes><vType id="bus" vClass="bus" length="12"/></routes>', 'bus.rou.xml');
 * // [{ id: 'bus', vehicleClass: 'bus', length: 12, pce: 3.5 }]
 */
export function readSumoVehicleTypes(xml: string, file: string): SumoVehicleType[] {
  const problems = new ProblemList(file);
  const root = readRoot(xml, problems);
  problems.throwIfAny();
  const fileTypes: SumoVehicleType[] = [];
  readVehicleTypeCatalogue(root?.children ?? [], problems, fileTypes);
  problems.throwIfAny();
  return fileTypes;
}

/** The `<routes>` (or `<additional>`) element; undefined, with a problem, for anything else. */
function readRoot(xml: string, problems: ProblemList): XmlElement | undefined {
  return readXmlRoot(xml, ['routes', 'additional'], {
    notXml: (position, detail) => report(problems, 'notXml', position, detail),
    wrongRoot: (found) => report(problems, 'notRouteFile', found),
  });
}

function readWindow(options: SumoRoutesOptions): DemandWindow {
  const begin = options.begin ?? -Infinity;
  const end = options.end ?? Infinity;
  if (Number.isNaN(begin) || Number.isNaN(end) || begin > end) {
    throw new RangeError(
      `parseSumoRoutes: options.begin (${begin}) must be a number of seconds no later than options.end (${end}).`,
    );
  }
  return { begin, end };
}
