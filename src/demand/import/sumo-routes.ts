// SUMO route files (.rou.xml) → vehicle demand: every vehicle, trip and flow on a checked route.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ProblemList } from '../../network/errors.ts';
import type { VehicleDemand, VehicleTrip } from '../types.ts';

/** The road network as the route reader needs it; SUMO edge ids are the graph's link ids. */
export interface RoutableNetwork {
  hasLink(id: string): boolean;
  /** True when a movement leads from link `from` into link `to`. */
  isConnected(from: string, to: string): boolean;
  /** Links from `from` to `to`, through `via` in order, both ends included; undefined without a path. */
  route(from: string, to: string, via?: string[]): string[] | undefined;
}

export interface SumoRoutesOptions {
  /** Start of the demand window, seconds (SUMO `<time><begin>`); also the begin of a flow that gives none. */
  begin?: number;
  /** End of the window, seconds, exclusive (SUMO `<time><end>`); also the end of a flow that gives none. */
  end?: number;
}

/** A `vType` or `vTypeDistribution` of a route file, as the demand sees it. */
export interface SumoVehicleType {
  id: string;
  /** SUMO `vClass`, `passenger` when the file gives none; absent for a `vTypeDistribution`. */
  vehicleClass?: string;
  /** Vehicle length, metres, when the file gives it. */
  length?: number;
  /** Passenger car equivalents; for a distribution, the probability-weighted mean of its members. */
  pce: number;
}

interface XmlElement {
  tag: string;
  attributes: Readonly<Record<string, string | undefined>>;
  children: XmlElement[];
}

/** Demand window, seconds, `[begin, end)`. */
interface DemandWindow {
  begin: number;
  end: number;
}

/** Begin and end a flow falls back on: an enclosing `<interval>`, else the options. */
interface FlowDefaults {
  begin?: number;
  end?: number;
}

interface DemandContext {
  network: RoutableNetwork;
  problems: ProblemList;
  vehicleTypes: ReadonlyMap<string, SumoVehicleType>;
  routes: ReadonlyMap<string, RouteDefinition>;
  /** Trip routes by `from to via…`, so each origin–destination pair is routed once. */
  tripRoutes: Map<string, string[] | undefined>;
  vehicleIds: Set<string>;
  window: DemandWindow;
}

/** A flow's departures: `begin + i × headway` for `i` in `0 … count − 1`. */
interface FlowSchedule {
  begin: number;
  headway: number;
  count: number;
}

/** PCE by vClass, the weights of SUMO's `tlsCycleAdaptation.py`; any other class counts 1. */
const PCE_BY_VEHICLE_CLASS: Readonly<Record<string, number>> = {
  bicycle: 0.2,
  moped: 0.5,
  motorcycle: 0.5,
  truck: 3.5,
  trailer: 3.5,
  bus: 3.5,
  coach: 3.5,
};

/** Types SUMO defines without a file; a file may redefine each once. */
const BUILT_IN_VEHICLE_TYPES: readonly SumoVehicleType[] = [
  { id: 'DEFAULT_VEHTYPE', vehicleClass: 'passenger', pce: 1 },
  { id: 'DEFAULT_BIKETYPE', vehicleClass: 'bicycle', pce: 0.2 },
  { id: 'DEFAULT_TAXITYPE', vehicleClass: 'taxi', pce: 1 },
];

/** SUMO's default flow duration when neither the flow nor the run gives an end. */
const DAY = 24 * 3600;
const ROOT_TAGS = new Set(['routes', 'additional']);
const RATE_ATTRIBUTES = ['period', 'vehsPerHour', 'probability'] as const;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

interface NumberRule {
  test(value: number): boolean;
  requirement: string;
}
const TIME: NumberRule = { test: (v) => v >= 0, requirement: 'a time of 0 s or later' };
const POSITIVE: NumberRule = { test: (v) => v > 0, requirement: 'a number greater than 0' };
const NON_NEGATIVE: NumberRule = { test: (v) => v >= 0, requirement: 'a number of 0 or more' };
const PROBABILITY: NumberRule = {
  test: (v) => v > 0 && v <= 1,
  requirement: 'a probability per second above 0 and at most 1',
};
const COUNT: NumberRule = {
  test: (v) => Number.isInteger(v) && v >= 0,
  requirement: 'a whole number of 0 or more',
};

/**
 * Reads a SUMO route file into vehicle demand: one {@link VehicleTrip} per vehicle, per trip and per
 * vehicle of a flow, sorted by departure, each with its route as edge (link) ids and its PCE.
 *
 * Reading rules, where SUMO leaves a choice or the engine simplifies:
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
 *   `UNKNOWN_VEHICLE_TYPE`, `MISSING_ATTRIBUTE` (a required attribute, or a vehicle whose `route`
 *   names no route defined in the file: the route, not an edge, is missing), `DUPLICATE_ID`, and
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
 * // { id: 'peak.0', depart: 0, route: ['in', 'out'], vehicleType: 'DEFAULT_VEHTYPE', pce: 1 }
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

// ---------------------------------------------------------------------------------------------
// XML

function readRoot(xml: string, problems: ProblemList): XmlElement | undefined {
  // The parser accepts broken XML silently, so the validator decides whether the text is XML.
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    problems.add(
      'PARSE_FAILED',
      col === undefined ? `line ${line}` : `line ${line}, column ${col}`,
      `The file is not well-formed XML: ${msg}`,
      'Repair the XML at that position (SUMO would refuse the file too).',
    );
    return undefined;
  }
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
  });
  const roots = toElements(parser.parse(xml) as unknown);
  const root = roots[0];
  if (roots.length === 1 && root !== undefined && ROOT_TAGS.has(root.tag)) return root;
  problems.add(
    'FORMAT_UNKNOWN',
    roots.map((element) => element.tag).join(', ') || 'document',
    'The root element is not <routes>, so this is not a SUMO route file.',
    'Give a SUMO route file (.rou.xml) whose root element is <routes>.',
  );
  return undefined;
}

/** fast-xml-parser's ordered output (`[{ tag: [children], ':@': {attributes} }]`) as elements. */
function toElements(nodes: unknown): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  return nodes.flatMap((node: unknown): XmlElement[] => {
    if (typeof node !== 'object' || node === null) return [];
    const entries = node as Record<string, unknown>;
    // ':@' holds the attributes, '#text' and '#comment' are not elements, '?xml' is the prolog.
    const tag = Object.keys(entries).find((key) => !/^[:#?]/.test(key));
    if (tag === undefined) return [];
    return [{ tag, attributes: toAttributes(entries[':@']), children: toElements(entries[tag]) }];
  });
}

function toAttributes(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([name, text]) => [name, String(text)]));
}

function describe(element: XmlElement): string {
  const id = element.attributes.id;
  return id === undefined ? element.tag : `${element.tag} id="${id}"`;
}

function childrenTagged(element: XmlElement, tag: string): XmlElement[] {
  return element.children.filter((child) => child.tag === tag);
}

function splitIds(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((id) => id !== '');
}

// ---------------------------------------------------------------------------------------------
// Numbers and times

function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  return DECIMAL.test(trimmed) ? Number(trimmed) : undefined;
}

/** SUMO times: seconds (`25200.5`) or clock time `[D:]HH:MM:SS`. */
function parseTime(text: string): number | undefined {
  const parts = text.split(':');
  if (parts.length === 1) return parseDecimal(text);
  if (parts.length > 4) return undefined;
  const unitSeconds = [DAY, 3600, 60, 1].slice(4 - parts.length);
  let seconds = 0;
  for (const [index, part] of parts.entries()) {
    const value = parseDecimal(part);
    if (value === undefined || value < 0) return undefined;
    seconds += value * (unitSeconds[index] ?? 0);
  }
  return seconds;
}

/** SUMO keeps time in whole milliseconds. */
function roundToMilliseconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** The attribute as a number obeying `rule`; undefined when absent, or bad (then a problem). */
function readNumber(
  element: XmlElement,
  name: string,
  where: string,
  rule: NumberRule,
  problems: ProblemList,
  parse: (text: string) => number | undefined = parseDecimal,
): number | undefined {
  const text = element.attributes[name];
  if (text === undefined) return undefined;
  const value = parse(text);
  if (value !== undefined && Number.isFinite(value) && rule.test(value)) return value;
  problems.add(
    'BAD_VALUE',
    `${where} ${name}`,
    `${name}="${text}" is not ${rule.requirement}.`,
    `Give ${name} as ${rule.requirement}.`,
  );
  return undefined;
}

function requireId(element: XmlElement, where: string, problems: ProblemList): string | undefined {
  const id = element.attributes.id;
  if (id === undefined) {
    problems.add('MISSING_ATTRIBUTE', where, `<${element.tag}> has no id.`, 'Give it a unique id.');
  }
  return id;
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

// ---------------------------------------------------------------------------------------------
// Vehicle types

function passengerCarEquivalent(vehicleClass: string): number {
  return PCE_BY_VEHICLE_CLASS[vehicleClass] ?? 1;
}

interface TypeMember {
  type: SumoVehicleType;
  probability: number;
}

/** All types a vehicle may name: SUMO's built-ins, then the file's in file order. */
function readVehicleTypeCatalogue(
  elements: XmlElement[],
  problems: ProblemList,
  fileTypes: SumoVehicleType[] = [],
): Map<string, SumoVehicleType> {
  const catalogue = new Map(BUILT_IN_VEHICLE_TYPES.map((type) => [type.id, type]));
  const declaredProbability = new Map<string, number>();
  const define = (type: SumoVehicleType | undefined, where: string): void => {
    if (type === undefined) return;
    if (fileTypes.some((defined) => defined.id === type.id)) {
      problems.add(
        'DUPLICATE_ID',
        where,
        `vType "${type.id}" is defined twice.`,
        'Give each vType and vTypeDistribution its own id.',
      );
      return;
    }
    fileTypes.push(type);
    catalogue.set(type.id, type);
  };
  for (const element of elements) {
    if (element.tag === 'vType') {
      const member = readVehicleType(element, describe(element), problems);
      if (member) declaredProbability.set(member.type.id, member.probability);
      define(member?.type, describe(element));
    }
    if (element.tag !== 'vTypeDistribution') continue;
    const members = childrenTagged(element, 'vType').flatMap((child) => {
      const where = `${describe(element)} ${describe(child)}`;
      const member = readVehicleType(child, where, problems);
      define(member?.type, where);
      return member ? [member] : [];
    });
    define(
      readTypeDistribution(element, members, catalogue, declaredProbability, problems),
      describe(element),
    );
  }
  return catalogue;
}

function readVehicleType(
  element: XmlElement,
  where: string,
  problems: ProblemList,
): TypeMember | undefined {
  const id = requireId(element, where, problems);
  const vehicleClass = element.attributes.vClass ?? 'passenger';
  const length = readNumber(element, 'length', where, POSITIVE, problems);
  const probability = readNumber(element, 'probability', where, NON_NEGATIVE, problems) ?? 1;
  if (id === undefined) return undefined;
  const type: SumoVehicleType = { id, vehicleClass, pce: passengerCarEquivalent(vehicleClass) };
  if (length !== undefined) type.length = length;
  return { type, probability };
}

/** A distribution of nested `vType`s and/or `vTypes="a b"` (`probabilities="0.3 0.7"`). */
function readTypeDistribution(
  element: XmlElement,
  nested: TypeMember[],
  catalogue: ReadonlyMap<string, SumoVehicleType>,
  declaredProbability: ReadonlyMap<string, number>,
  problems: ProblemList,
): SumoVehicleType | undefined {
  const where = describe(element);
  const id = requireId(element, where, problems);
  const named = splitIds(element.attributes.vTypes);
  const given = splitIds(element.attributes.probabilities).map(parseDecimal);
  const hasGiven = element.attributes.probabilities !== undefined;
  if (
    hasGiven &&
    (given.length !== named.length || !given.every((p) => p !== undefined && p >= 0))
  ) {
    problems.add(
      'BAD_VALUE',
      `${where} probabilities`,
      `probabilities="${element.attributes.probabilities}" does not give one number of 0 or more per vType.`,
      'Give one probability per id in vTypes, in the same order, separated by spaces.',
    );
    return undefined;
  }
  const referenced = named.flatMap((typeId, index): TypeMember[] => {
    const type = catalogue.get(typeId);
    if (type === undefined) {
      problems.add(
        'UNKNOWN_VEHICLE_TYPE',
        `${where} vTypes`,
        `vType "${typeId}" is not defined above this distribution.`,
        `Define <vType id="${typeId}"/> before the distribution, or remove it from vTypes.`,
      );
      return [];
    }
    const probability = hasGiven ? given[index] : declaredProbability.get(typeId);
    return [{ type, probability: probability ?? 1 }];
  });
  const members = [...nested, ...referenced];
  const total = members.reduce((sum, member) => sum + member.probability, 0);
  if (!(total > 0)) {
    problems.add(
      'BAD_VALUE',
      where,
      'The distribution has no member with a probability above 0.',
      'Give it vTypes with probabilities that are numbers of 0 or more, not all 0.',
    );
    return undefined;
  }
  if (id === undefined) return undefined;
  const pce =
    members.reduce((sum, member) => sum + member.probability * member.type.pce, 0) / total;
  return { id, pce };
}

function lookUpVehicleType(
  element: XmlElement,
  where: string,
  context: DemandContext,
): SumoVehicleType | undefined {
  const typeId = element.attributes.type ?? 'DEFAULT_VEHTYPE';
  const type = context.vehicleTypes.get(typeId);
  if (type === undefined) {
    context.problems.add(
      'UNKNOWN_VEHICLE_TYPE',
      `${where} type`,
      `vType "${typeId}" is not defined in this file.`,
      `Define <vType id="${typeId}" vClass="…"/> in the route file, or name a vType it defines.`,
    );
  }
  return type;
}

// ---------------------------------------------------------------------------------------------
// Routes

/** A route as defined in the file: its edges and its `probability` within a distribution. */
interface RouteDefinition {
  id?: string;
  edges: string[];
  probability: number;
}

/** Top-level routes, and top-level route distributions as their most probable route. */
function readRouteDefinitions(
  elements: XmlElement[],
  network: RoutableNetwork,
  problems: ProblemList,
): Map<string, RouteDefinition> {
  const routes = new Map<string, RouteDefinition>();
  const define = (
    id: string | undefined,
    route: RouteDefinition | undefined,
    where: string,
  ): void => {
    if (id === undefined || route === undefined) return;
    if (routes.has(id)) {
      problems.add(
        'DUPLICATE_ID',
        where,
        `route "${id}" is defined twice.`,
        'Give each route its own id.',
      );
      return;
    }
    routes.set(id, route);
  };
  for (const element of elements) {
    const where = describe(element);
    if (element.tag === 'route') {
      const route = readRoute(element, where, routes, network, problems);
      define(requireId(element, where, problems), route, where);
    }
    if (element.tag !== 'routeDistribution') continue;
    const members = readRouteDistribution(element, where, routes, network, problems);
    for (const member of members) define(member.id, member, `${where} route id="${member.id}"`);
    define(requireId(element, where, problems), mostProbable(members), where);
  }
  return routes;
}

/** A `route` with `edges` (checked against the network) or a `refId` to a route defined above. */
function readRoute(
  element: XmlElement,
  where: string,
  routes: ReadonlyMap<string, RouteDefinition>,
  network: RoutableNetwork,
  problems: ProblemList,
): RouteDefinition | undefined {
  const { id, refId } = element.attributes;
  const probability = readNumber(element, 'probability', where, NON_NEGATIVE, problems);
  const byReference = element.attributes.edges === undefined && refId !== undefined;
  const referenced = byReference
    ? lookUpRoute(refId, `${where} refId`, routes, problems)
    : undefined;
  const edges = byReference ? referenced?.edges : readEdges(element, where, network, problems);
  if (edges === undefined) return undefined;
  const route: RouteDefinition = {
    edges,
    probability: probability ?? referenced?.probability ?? 1,
  };
  if (id !== undefined) route.id = id;
  return route;
}

/** The members of a `routeDistribution`: nested routes and `routes="a b"` ids defined above. */
function readRouteDistribution(
  element: XmlElement,
  where: string,
  routes: ReadonlyMap<string, RouteDefinition>,
  network: RoutableNetwork,
  problems: ProblemList,
): RouteDefinition[] {
  const nested = childrenTagged(element, 'route').flatMap((child) => {
    const route = readRoute(child, `${where} ${describe(child)}`, routes, network, problems);
    return route ? [route] : [];
  });
  const named = splitIds(element.attributes.routes).flatMap((routeId) => {
    const route = lookUpRoute(routeId, `${where} routes`, routes, problems);
    // Without its id: a member named here is used, not defined again.
    return route ? [{ edges: route.edges, probability: route.probability }] : [];
  });
  return [...nested, ...named];
}

/** The route with the highest probability; the first listed on a tie. */
function mostProbable(routes: RouteDefinition[]): RouteDefinition | undefined {
  return routes.reduce<RouteDefinition | undefined>(
    (best, route) => (best === undefined || route.probability > best.probability ? route : best),
    undefined,
  );
}

function lookUpRoute(
  routeId: string,
  where: string,
  routes: ReadonlyMap<string, RouteDefinition>,
  problems: ProblemList,
): RouteDefinition | undefined {
  const route = routes.get(routeId);
  if (route === undefined) {
    problems.add(
      'MISSING_ATTRIBUTE',
      where,
      `route "${routeId}" is not defined in this file.`,
      `Define <route id="${routeId}" edges="…"/> at the top level of the file, or name a route it defines.`,
    );
  }
  return route;
}

function readEdges(
  element: XmlElement,
  where: string,
  network: RoutableNetwork,
  problems: ProblemList,
): string[] | undefined {
  const edges = splitIds(element.attributes.edges);
  if (edges.length === 0) {
    problems.add(
      'MISSING_ATTRIBUTE',
      `${where} edges`,
      'The route lists no edges.',
      'Give edges="…" with the edge ids the vehicle drives, separated by spaces.',
    );
    return undefined;
  }
  // A faulty route is still defined, so the vehicles using it add no second problem.
  checkRoute(edges, `${where} edges`, network, problems);
  return edges;
}

/** Every edge in the network and each consecutive pair joined by a connection. */
function checkRoute(
  edges: string[],
  where: string,
  network: RoutableNetwork,
  problems: ProblemList,
): void {
  const unknown = new Set(edges.filter((edge) => !network.hasLink(edge)));
  for (const edge of unknown) {
    problems.add(
      'UNKNOWN_LINK',
      where,
      `Edge "${edge}" is not in the network.`,
      `Replace "${edge}" with an edge id from the net file (a non-internal <edge>), or load the net file this route file was made for.`,
    );
  }
  const gaps = consecutivePairs(edges).filter(
    ([from, to]) => !unknown.has(from) && !unknown.has(to) && !network.isConnected(from, to),
  );
  for (const [from, to] of gaps) {
    problems.add(
      'ROUTE_NOT_CONNECTED',
      where,
      `Edge "${from}" is not connected to edge "${to}".`,
      `Add the edges the vehicle drives between "${from}" and "${to}", or give from/to (a trip) and let the reader route it.`,
    );
  }
}

function consecutivePairs(edges: string[]): Array<[string, string]> {
  return edges.flatMap((from, index): Array<[string, string]> => {
    const to = edges[index + 1];
    return to === undefined ? [] : [[from, to]];
  });
}

/** A vehicle's, trip's or flow's route: nested, by id, or routed from `from`/`to`/`via`. */
function resolveRoute(
  element: XmlElement,
  where: string,
  context: DemandContext,
): string[] | undefined {
  const { network, problems, routes } = context;
  const nestedRoute = childrenTagged(element, 'route')[0];
  if (nestedRoute !== undefined) {
    return readRoute(nestedRoute, `${where} route`, routes, network, problems)?.edges;
  }
  const nestedDistribution = childrenTagged(element, 'routeDistribution')[0];
  if (nestedDistribution !== undefined) {
    const distributionWhere = `${where} routeDistribution`;
    const members = readRouteDistribution(
      nestedDistribution,
      distributionWhere,
      routes,
      network,
      problems,
    );
    return mostProbable(members)?.edges;
  }
  const { route, from, to } = element.attributes;
  if (route !== undefined) return lookUpRoute(route, `${where} route`, routes, problems)?.edges;
  if (from !== undefined && to !== undefined)
    return routeTrip(from, to, splitIds(element.attributes.via), where, context);
  problems.add(
    'MISSING_ATTRIBUTE',
    where,
    `<${element.tag}> has no route.`,
    'Give route="<route id>", a nested <route edges="…"/>, or from and to edge ids (taz and junction origins are not supported).',
  );
  return undefined;
}

function routeTrip(
  from: string,
  to: string,
  via: string[],
  where: string,
  context: DemandContext,
): string[] | undefined {
  const { network, problems, tripRoutes } = context;
  const ends: Array<[string, string[]]> = [
    ['from', [from]],
    ['via', via],
    ['to', [to]],
  ];
  let known = true;
  for (const [role, edges] of ends) {
    for (const edge of edges.filter((id) => !network.hasLink(id))) {
      known = false;
      problems.add(
        'UNKNOWN_LINK',
        `${where} ${role}`,
        `Edge "${edge}" is not in the network.`,
        `Replace "${edge}" with an edge id from the net file (a non-internal <edge>).`,
      );
    }
  }
  if (!known) return undefined;
  const key = [from, to, ...via].join(' ');
  if (!tripRoutes.has(key))
    tripRoutes.set(key, network.route(from, to, via.length > 0 ? via : undefined));
  const route = tripRoutes.get(key);
  if (route === undefined || route.length === 0) {
    const through = via.length > 0 ? ` via ${via.map((edge) => `"${edge}"`).join(', ')}` : '';
    problems.add(
      'NO_ROUTE',
      where,
      `No path leads from edge "${from}" to edge "${to}"${through}.`,
      'Pick from/to edges the network connects (check the connections and lane permissions), or give an explicit route.',
    );
    return undefined;
  }
  return route;
}

// ---------------------------------------------------------------------------------------------
// Vehicles, trips and flows

function readDemand(
  elements: XmlElement[],
  context: DemandContext,
  defaults: FlowDefaults,
): VehicleTrip[] {
  return elements.flatMap((element): VehicleTrip[] => {
    switch (element.tag) {
      case 'vehicle':
      case 'trip': {
        const vehicle = readVehicle(element, context);
        return vehicle ? [vehicle] : [];
      }
      case 'flow':
        return readFlow(element, context, defaults);
      case 'interval':
        return readDemand(
          element.children,
          context,
          readIntervalDefaults(element, defaults, context.problems),
        );
      default:
        return [];
    }
  });
}

function readVehicle(element: XmlElement, context: DemandContext): VehicleTrip | undefined {
  const where = describe(element);
  const id = requireUniqueVehicleId(element, where, context);
  const depart = readDeparture(element, where, context.problems);
  const type = lookUpVehicleType(element, where, context);
  const route = resolveRoute(element, where, context);
  if (id === undefined || depart === undefined || type === undefined || route === undefined)
    return undefined;
  return { id, depart, route: [...route], vehicleType: type.id, pce: type.pce };
}

function requireUniqueVehicleId(
  element: XmlElement,
  where: string,
  context: DemandContext,
): string | undefined {
  const id = requireId(element, where, context.problems);
  if (id === undefined) return undefined;
  if (context.vehicleIds.has(id)) {
    context.problems.add(
      'DUPLICATE_ID',
      where,
      `Vehicle id "${id}" is used twice.`,
      'Give each vehicle, trip and flow its own id.',
    );
    return undefined;
  }
  context.vehicleIds.add(id);
  return id;
}

function readDeparture(
  element: XmlElement,
  where: string,
  problems: ProblemList,
): number | undefined {
  const text = element.attributes.depart;
  if (text === undefined) {
    problems.add(
      'MISSING_ATTRIBUTE',
      where,
      `<${element.tag}> has no depart time.`,
      'Give depart="<seconds>".',
    );
    return undefined;
  }
  const seconds = parseTime(text);
  if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) return seconds;
  problems.add(
    'BAD_VALUE',
    `${where} depart`,
    `depart="${text}" is not a departure time in seconds.`,
    'Give depart as seconds (e.g. "25200") or HH:MM:SS; triggered, now and the other symbolic departures have no time to place in the demand window.',
  );
  return undefined;
}

function readIntervalDefaults(
  element: XmlElement,
  outer: FlowDefaults,
  problems: ProblemList,
): FlowDefaults {
  const where = describe(element);
  return {
    begin: readNumber(element, 'begin', where, TIME, problems, parseTime) ?? outer.begin,
    end: readNumber(element, 'end', where, TIME, problems, parseTime) ?? outer.end,
  };
}

function readFlow(
  element: XmlElement,
  context: DemandContext,
  defaults: FlowDefaults,
): VehicleTrip[] {
  const where = describe(element);
  const id = requireUniqueVehicleId(element, where, context);
  const type = lookUpVehicleType(element, where, context);
  const route = resolveRoute(element, where, context);
  const schedule = readFlowSchedule(element, where, defaults, context.problems);
  if (id === undefined || type === undefined || route === undefined || schedule === undefined)
    return [];
  return departuresInWindow(schedule, context.window).map(({ index, depart }) => ({
    id: `${id}.${index}`,
    depart,
    route: [...route],
    vehicleType: type.id,
    pce: type.pce,
  }));
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
  const rates = RATE_ATTRIBUTES.filter((name) => element.attributes[name] !== undefined);
  const hasNumber = element.attributes.number !== undefined;
  const hasEnd = element.attributes.end !== undefined;
  if (rates.length > 1 || (rates.length === 1 && hasNumber && hasEnd)) {
    problems.add(
      'BAD_VALUE',
      `${where} ${[...rates, ...(hasNumber ? ['number'] : []), ...(hasEnd ? ['end'] : [])].join(' ')}`,
      'The flow gives conflicting amounts.',
      'Give one of period, vehsPerHour or probability, with end or number (not both); or number with end.',
    );
    return undefined;
  }
  if (rates.length === 0 && !hasNumber) {
    problems.add(
      'MISSING_ATTRIBUTE',
      where,
      'The flow gives no amount.',
      'Give vehsPerHour, period, probability or number.',
    );
    return undefined;
  }
  const begin =
    readNumber(element, 'begin', where, TIME, problems, parseTime) ?? defaults.begin ?? 0;
  const givenEnd = readNumber(element, 'end', where, TIME, problems, parseTime);
  const number = readNumber(element, 'number', where, COUNT, problems);
  const headway = readHeadway(element, where, problems);
  if (problems.problems.length > problemsBefore) return undefined;
  if (givenEnd !== undefined && givenEnd < begin) {
    problems.add(
      'BAD_VALUE',
      `${where} end`,
      `The flow ends (${givenEnd} s) before it begins (${begin} s).`,
      'Give an end after begin.',
    );
    return undefined;
  }
  const end = givenEnd ?? defaults.end ?? begin + DAY;
  return flowSchedule(begin, Math.max(0, end - begin), number, headway);
}

function flowSchedule(
  begin: number,
  duration: number,
  number: number | undefined,
  headway: { seconds: number; random: boolean } | undefined,
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

/** Seconds between vehicles from `period`, `vehsPerHour` or `probability`; `random` for the mean forms. */
function readHeadway(
  element: XmlElement,
  where: string,
  problems: ProblemList,
): { seconds: number; random: boolean } | undefined {
  const period = element.attributes.period;
  if (period !== undefined && /^\s*exp\(/.test(period)) {
    const rate = parseDecimal(period.trim().replace(/^exp\((.*)\)$/, '$1'));
    if (rate !== undefined && rate > 0 && Number.isFinite(rate))
      return { seconds: 1 / rate, random: true };
    problems.add(
      'BAD_VALUE',
      `${where} period`,
      `period="${period}" is not exp(rate) with a rate in vehicles per second above 0.`,
      'Give period="exp(0.1)" for a Poisson arrival of 0.1 vehicles per second, or a fixed period in seconds.',
    );
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
  problems.add(
    'BAD_VALUE',
    `${where} ${period === undefined ? 'vehsPerHour' : 'period'}`,
    `The headway ${seconds} s is below SUMO's 1 ms resolution.`,
    'Give a period of at least 0.001 s (vehsPerHour up to 3,600,000).',
  );
  return undefined;
}
