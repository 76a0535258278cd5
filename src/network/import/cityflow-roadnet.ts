// Reads a CityFlow roadnet (parsed JSON) into a NetworkSpec, each signal's built-in program kept as a timing plan.
import type { Stage, TimingPlan } from '../../timing/types.ts';
import { InputFileError, ProblemList } from '../errors.ts';
import type {
  GreenKind,
  IntersectionKind,
  IntersectionSpec,
  LaneConnection,
  LaneSpec,
  LinkSpec,
  MovementSpec,
  NetworkSpec,
  Position,
  SignalSpec,
  TurnType,
} from '../types.ts';

/** Minimum green of every signal group, seconds: CityFlow files carry none. */
const DEFAULT_MIN_GREEN = 5;

type RoadLinkType = 'go_straight' | 'turn_left' | 'turn_right';

const TURN_OF_ROAD_LINK: Record<RoadLinkType, TurnType> = {
  go_straight: 'through',
  turn_left: 'left',
  turn_right: 'right',
};

// ---- the file as read -------------------------------------------------------------------------

interface CityflowLane {
  width: number;
  maxSpeed: number;
}

interface CityflowRoad {
  id: string;
  element: string;
  startIntersection: string;
  endIntersection: string;
  points: Position[];
  lanes: CityflowLane[];
}

interface CityflowLaneLink {
  startLaneIndex: number;
  endLaneIndex: number;
}

interface CityflowRoadLink {
  type: RoadLinkType;
  startRoad: string;
  endRoad: string;
  laneLinks: CityflowLaneLink[];
}

/** A road link with the turn it makes (CityFlow's type, or a U-turn). */
interface TurningRoadLink extends CityflowRoadLink {
  turn: TurnType;
}

interface CityflowLightPhase {
  /** Seconds. */
  time: number;
  availableRoadLinks: number[];
}

interface CityflowTrafficLight {
  roadLinkIndices?: number[];
  lightphases: CityflowLightPhase[];
}

interface CityflowIntersection {
  id: string;
  virtual: boolean;
  point: Position;
  /** Junction radius, metres: CityFlow cuts the lane ends back by it. */
  width?: number;
  roadLinks: CityflowRoadLink[];
  trafficLight?: CityflowTrafficLight;
}

/** The roads read so far, to check road links against. */
interface Known {
  /** Every road id in the file, including roads that could not be read. */
  roadIds: Set<string>;
  /** The roads that were read whole. */
  roads: Map<string, CityflowRoad>;
}

/**
 * Reads a CityFlow `roadnet.json` (already parsed) into a network spec for `buildNetwork`.
 *
 * - A `virtual` intersection is a `boundary` node; CityFlow reads nothing of it but its point and
 *   roads, and so does this (its roadLinks, U-turns at the edge of the map, are not movements).
 * - An intersection with road links and a traffic light with light phases is `signalized`, with
 *   a signal of the same id whose signal group `String(i)` is road link `i`; any other is
 *   `unsignalized`.
 * - Each road is a link; each road link a movement, `startRoad>endRoad` (or
 *   `intersection#roadLinkIndex` when two road links join the same pair of roads).
 * - Lanes are renumbered from the kerb: CityFlow's lane 0 is the innermost one, ours the rightmost.
 * - The built-in program (CityFlow cycles through all light phases in order) is `programs[0]`:
 *   a stage per light phase, `phase-<i>`; a phase of right turns only (CoLight's 5 s change) is
 *   the all-red of the stage before it. Greens follow CityFlow's right of way: right turns and
 *   U-turns permissive, left turns permissive beside opposing through traffic, others protected.
 *
 * @param json the parsed file; `file` names it in errors.
 * @throws {InputFileError} listing every problem found (unknown intersections, roads or lanes,
 *   roads without lanes, light phases naming road links that do not exist, missing fields).
 * @example
 * const spec = parseCityflowRoadnet(JSON.parse(text), 'roadnet_3_4.json');
 * spec.signals[0]?.programs?.[0]?.cycleLength // => 245 (5 s transition + 8 × 30 s)
 */
export function parseCityflowRoadnet(json: unknown, file: string): NetworkSpec {
  if (!isObject(json)) {
    throw new InputFileError(file, [
      {
        code: 'FORMAT_UNKNOWN',
        element: 'roadnet',
        message: 'is not a JSON object.',
        fix: 'Give a CityFlow roadnet: an object with "intersections" and "roads" arrays.',
      },
    ]);
  }
  const problems = new ProblemList(file);
  const rawIntersections = required(json, 'intersections', 'roadnet', list, problems) ?? [];
  const rawRoads = required(json, 'roads', 'roadnet', list, problems) ?? [];
  const intersectionIds = collectIds(rawIntersections, 'intersections', problems);
  const roadIds = collectIds(rawRoads, 'roads', problems);

  const roads = rawRoads
    .map((raw, index) => readRoad(raw, index, intersectionIds, problems))
    .filter(isDefined);
  const known: Known = { roadIds, roads: new Map(roads.map((r) => [r.id, r])) };
  const intersections = rawIntersections
    .map((raw, index) => readIntersection(raw, index, known, problems))
    .filter(isDefined);
  checkLaneLengths(roads, intersections, problems);
  problems.throwIfAny();

  return toNetworkSpec(file, intersections, roads);
}

// ---- reading fields -----------------------------------------------------------------------------

type JsonObject = { readonly [key: string]: unknown };

/** What a field must be, and how to say so in a fix. */
interface Expectation<T> {
  test: (value: unknown) => value is T;
  description: string;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

const text: Expectation<string> = {
  test: (value): value is string => typeof value === 'string' && value.length > 0,
  description: 'a non-empty string',
};
const finite: Expectation<number> = {
  test: (value): value is number => typeof value === 'number' && Number.isFinite(value),
  description: 'a finite number',
};
const positive: Expectation<number> = {
  test: (value): value is number => finite.test(value) && value > 0,
  description: 'a number greater than 0',
};
const nonNegative: Expectation<number> = {
  test: (value): value is number => finite.test(value) && value >= 0,
  description: 'a number of at least 0',
};
const index: Expectation<number> = {
  test: (value): value is number =>
    Number.isInteger(value) && typeof value === 'number' && value >= 0,
  description: 'a whole number of at least 0',
};
const flag: Expectation<boolean> = {
  test: (value): value is boolean => typeof value === 'boolean',
  description: 'true or false',
};
const list: Expectation<unknown[]> = {
  test: (value): value is unknown[] => Array.isArray(value),
  description: 'an array',
};
const object: Expectation<JsonObject> = { test: isObject, description: 'an object' };
const roadLinkType: Expectation<RoadLinkType> = {
  test: (value): value is RoadLinkType => typeof value === 'string' && value in TURN_OF_ROAD_LINK,
  description: '"go_straight", "turn_left" or "turn_right"',
};

function required<T>(
  from: JsonObject,
  key: string,
  element: string,
  expected: Expectation<T>,
  problems: ProblemList,
): T | undefined {
  if (from[key] === undefined) {
    problems.add(
      'MISSING_ATTRIBUTE',
      element,
      `has no "${key}".`,
      `Add "${key}": ${expected.description}.`,
    );
    return undefined;
  }
  return optional(from, key, element, expected, problems);
}

function optional<T>(
  from: JsonObject,
  key: string,
  element: string,
  expected: Expectation<T>,
  problems: ProblemList,
): T | undefined {
  const value = from[key];
  if (value === undefined) return undefined;
  if (expected.test(value)) return value;
  problems.add(
    'BAD_VALUE',
    element,
    `"${key}" is ${shown(value)}, not ${expected.description}.`,
    `Make "${key}" ${expected.description}.`,
  );
  return undefined;
}

/** A value as it appears in the file, cut short. */
function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
}

/** Each element of an array read by `read`, or undefined when any of them is bad. */
function readEach<T>(
  values: unknown[],
  element: (position: number) => string,
  read: (value: JsonObject, element: string) => T | undefined,
  problems: ProblemList,
): T[] | undefined {
  const items = values.map((value, position) => {
    const at = element(position);
    if (isObject(value)) return read(value, at);
    problems.add(
      'BAD_VALUE',
      at,
      `is ${shown(value)}, not an object.`,
      'Write it as a JSON object.',
    );
    return undefined;
  });
  return items.every(isDefined) ? items : undefined;
}

function readPoint(from: JsonObject, element: string, problems: ProblemList): Position | undefined {
  const x = required(from, 'x', element, finite, problems);
  const y = required(from, 'y', element, finite, problems);
  return x === undefined || y === undefined ? undefined : [x, y];
}

/** Elements are named by id when they have one: easier to find in a file than an index. */
function elementName(collection: string, raw: unknown, position: number): string {
  return isObject(raw) && text.test(raw.id)
    ? `${collection}[${JSON.stringify(raw.id)}]`
    : `${collection}[${position}]`;
}

function collectIds(raws: unknown[], collection: string, problems: ProblemList): Set<string> {
  const ids = new Set<string>();
  raws.forEach((raw, position) => {
    if (!isObject(raw) || !text.test(raw.id)) return;
    if (ids.has(raw.id)) {
      problems.add(
        'DUPLICATE_ID',
        `${collection}[${position}]`,
        `has the id "${raw.id}" of an earlier element.`,
        `Give each of the ${collection} its own id.`,
      );
    }
    ids.add(raw.id);
  });
  return ids;
}

// ---- roads --------------------------------------------------------------------------------------

function readRoad(
  raw: unknown,
  position: number,
  intersectionIds: Set<string>,
  problems: ProblemList,
): CityflowRoad | undefined {
  const element = elementName('roads', raw, position);
  if (!isObject(raw)) {
    problems.add(
      'BAD_VALUE',
      element,
      `is ${shown(raw)}, not an object.`,
      'Write each road as a JSON object.',
    );
    return undefined;
  }
  const id = required(raw, 'id', element, text, problems);
  const startIntersection = readRoadEnd(
    raw,
    'startIntersection',
    element,
    intersectionIds,
    problems,
  );
  const endIntersection = readRoadEnd(raw, 'endIntersection', element, intersectionIds, problems);
  const points = readRoadPoints(raw, element, problems);
  const lanes = readLanes(raw, element, problems);
  if (!id || !startIntersection || !endIntersection || !points || !lanes) return undefined;
  return { id, element, startIntersection, endIntersection, points, lanes };
}

function readRoadEnd(
  raw: JsonObject,
  key: 'startIntersection' | 'endIntersection',
  element: string,
  intersectionIds: Set<string>,
  problems: ProblemList,
): string | undefined {
  const id = required(raw, key, element, text, problems);
  if (id === undefined || intersectionIds.has(id)) return id;
  problems.add(
    'UNKNOWN_INTERSECTION',
    element,
    `"${key}" is "${id}", which is not among the intersections.`,
    `Add intersection "${id}" or name one that exists.`,
  );
  return undefined;
}

function readRoadPoints(
  raw: JsonObject,
  element: string,
  problems: ProblemList,
): Position[] | undefined {
  const values = required(raw, 'points', element, list, problems);
  if (!values) return undefined;
  const points = readEach(
    values,
    (position) => `${element}.points[${position}]`,
    (value, at) => readPoint(value, at, problems),
    problems,
  );
  if (points && points.length < 2) {
    problems.add(
      'BAD_VALUE',
      element,
      `has ${points.length} point(s); a road's centre line needs at least two.`,
      'Give the points from the start intersection to the end intersection.',
    );
    return undefined;
  }
  return points;
}

function readLanes(
  raw: JsonObject,
  element: string,
  problems: ProblemList,
): CityflowLane[] | undefined {
  const values = required(raw, 'lanes', element, list, problems);
  if (!values) return undefined;
  if (values.length === 0) {
    problems.add(
      'LINK_WITHOUT_LANES',
      element,
      'has no lanes.',
      'Give the road at least one lane: {"width": 4, "maxSpeed": 11.111}.',
    );
    return undefined;
  }
  return readEach(
    values,
    (position) => `${element}.lanes[${position}]`,
    (value, at) => {
      const width = required(value, 'width', at, positive, problems);
      const maxSpeed = required(value, 'maxSpeed', at, positive, problems);
      return width === undefined || maxSpeed === undefined ? undefined : { width, maxSpeed };
    },
    problems,
  );
}

// ---- intersections ------------------------------------------------------------------------------

function readIntersection(
  raw: unknown,
  position: number,
  known: Known,
  problems: ProblemList,
): CityflowIntersection | undefined {
  const element = elementName('intersections', raw, position);
  if (!isObject(raw)) {
    problems.add(
      'BAD_VALUE',
      element,
      `is ${shown(raw)}, not an object.`,
      'Write each intersection as a JSON object.',
    );
    return undefined;
  }
  const id = required(raw, 'id', element, text, problems);
  const rawPoint = required(raw, 'point', element, object, problems);
  const point = rawPoint && readPoint(rawPoint, `${element}.point`, problems);
  const virtual = required(raw, 'virtual', element, flag, problems);
  checkIntersectionRoads(raw, element, known.roadIds, problems);
  if (!id || !point || virtual === undefined) return undefined;
  if (virtual) {
    // CityFlow reads nothing more of a virtual intersection; its width may still give a radius.
    const width = optional(raw, 'width', element, nonNegative, problems);
    return { id, virtual, point, ...(width === undefined ? {} : { width }), roadLinks: [] };
  }
  const width = required(raw, 'width', element, nonNegative, problems);
  const roadLinks = readRoadLinks(raw, id, element, known, problems);
  const rawLight = optional(raw, 'trafficLight', element, object, problems);
  const trafficLight =
    rawLight &&
    roadLinks &&
    readTrafficLight(rawLight, `${element}.trafficLight`, roadLinks.length, problems);
  if (width === undefined || !roadLinks || (rawLight && !trafficLight)) return undefined;
  return { id, virtual, point, width, roadLinks, ...(trafficLight ? { trafficLight } : {}) };
}

function checkIntersectionRoads(
  raw: JsonObject,
  element: string,
  roadIds: Set<string>,
  problems: ProblemList,
): void {
  const roads = optional(raw, 'roads', element, list, problems) ?? [];
  roads.forEach((road, position) => {
    if (typeof road === 'string' && roadIds.has(road)) return;
    problems.add(
      'UNKNOWN_LINK',
      `${element}.roads[${position}]`,
      `names road ${shown(road)}, which is not among the roads.`,
      'Name a road of the file, or remove the entry.',
    );
  });
}

function readRoadLinks(
  raw: JsonObject,
  intersection: string,
  element: string,
  known: Known,
  problems: ProblemList,
): CityflowRoadLink[] | undefined {
  const values = required(raw, 'roadLinks', element, list, problems);
  return (
    values &&
    readEach(
      values,
      (position) => `${element}.roadLinks[${position}]`,
      (value, at) => readRoadLink(value, at, intersection, known, problems),
      problems,
    )
  );
}

function readRoadLink(
  raw: JsonObject,
  element: string,
  intersection: string,
  known: Known,
  problems: ProblemList,
): CityflowRoadLink | undefined {
  const type = required(raw, 'type', element, roadLinkType, problems);
  const startRoad = readRoadLinkEnd(raw, 'startRoad', element, known.roadIds, problems);
  const endRoad = readRoadLinkEnd(raw, 'endRoad', element, known.roadIds, problems);
  const start = startRoad === undefined ? undefined : known.roads.get(startRoad);
  const end = endRoad === undefined ? undefined : known.roads.get(endRoad);
  const atIntersection =
    start && end && checkAtIntersection(start, end, intersection, element, problems);
  const values = required(raw, 'laneLinks', element, list, problems);
  const laneLinks =
    values &&
    readEach(
      values,
      (position) => `${element}.laneLinks[${position}]`,
      (value, at) => readLaneLink(value, at, start, end, problems),
      problems,
    );
  if (laneLinks && laneLinks.length === 0) {
    problems.add(
      'BAD_VALUE',
      element,
      'has no laneLinks, so no vehicle can make this movement.',
      'Add a laneLink from a lane of the start road to a lane of the end road.',
    );
    return undefined;
  }
  if (!type || !startRoad || !endRoad || !atIntersection || !laneLinks) return undefined;
  return { type, startRoad, endRoad, laneLinks };
}

function readRoadLinkEnd(
  raw: JsonObject,
  key: 'startRoad' | 'endRoad',
  element: string,
  roadIds: Set<string>,
  problems: ProblemList,
): string | undefined {
  const road = required(raw, key, element, text, problems);
  if (road === undefined || roadIds.has(road)) return road;
  problems.add(
    'UNKNOWN_LINK',
    element,
    `"${key}" is "${road}", which is not among the roads.`,
    `Add road "${road}" or name a road that exists.`,
  );
  return undefined;
}

function checkAtIntersection(
  start: CityflowRoad,
  end: CityflowRoad,
  intersection: string,
  element: string,
  problems: ProblemList,
): boolean {
  const fits = start.endIntersection === intersection && end.startIntersection === intersection;
  if (!fits) {
    problems.add(
      'MOVEMENT_NOT_AT_INTERSECTION',
      element,
      `joins road "${start.id}" (ending at "${start.endIntersection}") to road "${end.id}" ` +
        `(starting at "${end.startIntersection}"), not at "${intersection}".`,
      `List the road link under the intersection both roads meet at, or correct its roads.`,
    );
  }
  return fits;
}

function readLaneLink(
  raw: JsonObject,
  element: string,
  start: CityflowRoad | undefined,
  end: CityflowRoad | undefined,
  problems: ProblemList,
): CityflowLaneLink | undefined {
  const startLaneIndex = readLaneIndex(raw, 'startLaneIndex', element, start, problems);
  const endLaneIndex = readLaneIndex(raw, 'endLaneIndex', element, end, problems);
  if (startLaneIndex === undefined || endLaneIndex === undefined) return undefined;
  return { startLaneIndex, endLaneIndex };
}

function readLaneIndex(
  raw: JsonObject,
  key: 'startLaneIndex' | 'endLaneIndex',
  element: string,
  road: CityflowRoad | undefined,
  problems: ProblemList,
): number | undefined {
  const lane = required(raw, key, element, index, problems);
  if (lane === undefined || !road || lane < road.lanes.length) return lane;
  problems.add(
    'UNKNOWN_LANE',
    element,
    `"${key}" is ${lane}, but road "${road.id}" has ${road.lanes.length} lane(s).`,
    `Use a lane index from 0 to ${road.lanes.length - 1} (0 is the innermost lane).`,
  );
  return undefined;
}

function readTrafficLight(
  raw: JsonObject,
  element: string,
  roadLinkCount: number,
  problems: ProblemList,
): CityflowTrafficLight | undefined {
  const indices = optional(raw, 'roadLinkIndices', element, list, problems);
  const roadLinkIndices =
    indices && readRoadLinkIndices(indices, `${element}.roadLinkIndices`, roadLinkCount, problems);
  const values = required(raw, 'lightphases', element, list, problems);
  const lightphases =
    values &&
    readEach(
      values,
      (position) => `${element}.lightphases[${position}]`,
      (value, at) => readLightPhase(value, at, roadLinkCount, problems),
      problems,
    );
  if (!lightphases || (indices && !roadLinkIndices)) return undefined;
  return { ...(roadLinkIndices ? { roadLinkIndices } : {}), lightphases };
}

function readLightPhase(
  raw: JsonObject,
  element: string,
  roadLinkCount: number,
  problems: ProblemList,
): CityflowLightPhase | undefined {
  const time = required(raw, 'time', element, positive, problems);
  const values = required(raw, 'availableRoadLinks', element, list, problems);
  const availableRoadLinks =
    values && readRoadLinkIndices(values, `${element}.availableRoadLinks`, roadLinkCount, problems);
  return time === undefined || !availableRoadLinks ? undefined : { time, availableRoadLinks };
}

/** Road link indices, each checked against the intersection's road links; duplicates dropped. */
function readRoadLinkIndices(
  values: unknown[],
  element: string,
  roadLinkCount: number,
  problems: ProblemList,
): number[] | undefined {
  const bad = values
    .map((value, position) => ({ value, position }))
    .filter(({ value }) => !index.test(value) || value >= roadLinkCount);
  for (const { value, position } of bad) {
    problems.add(
      'UNKNOWN_SIGNAL_GROUP',
      `${element}[${position}]`,
      `is ${shown(value)}, but the intersection has road links 0 to ${roadLinkCount - 1}.`,
      'Name road links by their index in the intersection\'s "roadLinks" array.',
    );
  }
  return bad.length > 0 ? undefined : [...new Set(values.filter(index.test))];
}

/**
 * CityFlow cuts each lane back by the junction radius at every non-virtual end: a road shorter
 * than its two junctions would leave lanes of no length.
 */
function checkLaneLengths(
  roads: CityflowRoad[],
  intersections: CityflowIntersection[],
  problems: ProblemList,
): void {
  const byId = new Map(intersections.map((intersection) => [intersection.id, intersection]));
  for (const road of roads) {
    const start = byId.get(road.startIntersection);
    const end = byId.get(road.endIntersection);
    if (!start || !end || laneLength(road, start, end) > 0) continue;
    problems.add(
      'BAD_VALUE',
      road.element,
      `is ${polylineLength(road.points).toFixed(1)} m long, no longer than the junction widths ` +
        `at its ends (${junctionCut(start)} m + ${junctionCut(end)} m), so its lanes have no length.`,
      'Lengthen the road or reduce the "width" of its intersections.',
    );
  }
}

// ---- the spec -----------------------------------------------------------------------------------

function toNetworkSpec(
  file: string,
  intersections: CityflowIntersection[],
  roads: CityflowRoad[],
): NetworkSpec {
  const intersectionsById = new Map(
    intersections.map((intersection) => [intersection.id, intersection]),
  );
  const roadsById = new Map(roads.map((road) => [road.id, road]));
  const junctions = intersections.filter((intersection) => !intersection.virtual);
  const pairCounts = countRoadPairs(junctions);
  return {
    name:
      file
        .split(/[\\/]/)
        .pop()
        ?.replace(/\.json$/i, '') || file,
    coordinates: 'planar',
    source: file,
    intersections: intersections.map(toIntersectionSpec),
    links: roads.map((road) => toLinkSpec(road, intersectionsById)),
    movements: junctions.flatMap((intersection) =>
      toMovementSpecs(intersection, roadsById, pairCounts),
    ),
    signals: junctions
      .filter(isSignalized)
      .map((intersection) => toSignalSpec(intersection, roadsById)),
  };
}

function isSignalized(intersection: CityflowIntersection): boolean {
  return (
    !intersection.virtual &&
    intersection.roadLinks.length > 0 &&
    (intersection.trafficLight?.lightphases.length ?? 0) > 0
  );
}

function intersectionKind(intersection: CityflowIntersection): IntersectionKind {
  if (intersection.virtual) return 'boundary';
  return isSignalized(intersection) ? 'signalized' : 'unsignalized';
}

function toIntersectionSpec(intersection: CityflowIntersection): IntersectionSpec {
  return {
    id: intersection.id,
    kind: intersectionKind(intersection),
    position: intersection.point,
    ...(intersection.width === undefined ? {} : { radius: intersection.width }),
  };
}

function polylineLength(points: Position[]): number {
  return points.reduce((length, point, position) => {
    const previous = points[position - 1];
    return previous ? length + Math.hypot(point[0] - previous[0], point[1] - previous[1]) : length;
  }, 0);
}

/** How far CityFlow cuts a lane back at this end, metres: the junction radius, none at the map's edge. */
function junctionCut(intersection: CityflowIntersection): number {
  return intersection.virtual ? 0 : (intersection.width ?? 0);
}

/** Stop line to stop line, metres: what CityFlow's vehicles drive and queue on. */
function laneLength(
  road: CityflowRoad,
  start: CityflowIntersection,
  end: CityflowIntersection,
): number {
  return polylineLength(road.points) - junctionCut(start) - junctionCut(end);
}

/**
 * CityFlow numbers a road's lanes from its centre line outwards (0 = innermost, the left-turn lane
 * in right-hand traffic); greenwave numbers them from the kerb (0 = rightmost), as SUMO does.
 */
function laneIndexFromKerb(cityflowIndex: number, laneCount: number): number {
  return laneCount - 1 - cityflowIndex;
}

function toLinkSpec(
  road: CityflowRoad,
  intersections: Map<string, CityflowIntersection>,
): LinkSpec {
  const start = intersections.get(road.startIntersection);
  const end = intersections.get(road.endIntersection);
  const length = polylineLength(road.points);
  const lanesLength = start && end ? laneLength(road, start, end) : length;
  const lanes: LaneSpec[] = road.lanes
    .map((lane, cityflowIndex) => ({
      index: laneIndexFromKerb(cityflowIndex, road.lanes.length),
      length: lanesLength,
      speedLimit: lane.maxSpeed,
      width: lane.width,
    }))
    .reverse();
  return {
    id: road.id,
    from: road.startIntersection,
    to: road.endIntersection,
    lanes,
    geometry: road.points.map(([x, y]) => [x, y]),
    length,
  };
}

function roadPair(roadLink: CityflowRoadLink): string {
  return `${roadLink.startRoad}>${roadLink.endRoad}`;
}

function countRoadPairs(intersections: CityflowIntersection[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const roadLink of intersections.flatMap((intersection) => intersection.roadLinks)) {
    counts.set(roadPair(roadLink), (counts.get(roadPair(roadLink)) ?? 0) + 1);
  }
  return counts;
}

/**
 * Road links under signal control: those the traffic light lists, and any a light phase releases.
 * CityFlow itself controls every road link of a signal (one in no phase is always red); a file
 * without `roadLinkIndices` is read that way.
 */
function controlledRoadLinks(intersection: CityflowIntersection): number[] {
  const light = intersection.trafficLight;
  if (!isSignalized(intersection) || !light) return [];
  const listed = light.roadLinkIndices ?? intersection.roadLinks.map((_, position) => position);
  const released = light.lightphases.flatMap((phase) => phase.availableRoadLinks);
  return [...new Set([...listed, ...released])].sort((a, b) => a - b);
}

function toMovementSpecs(
  intersection: CityflowIntersection,
  roads: Map<string, CityflowRoad>,
  pairCounts: Map<string, number>,
): MovementSpec[] {
  const controlled = new Set(controlledRoadLinks(intersection));
  return intersection.roadLinks.map((roadLink, position) => {
    const pair = roadPair(roadLink);
    const signalGroup = controlled.has(position)
      ? { signal: intersection.id, signalGroup: String(position) }
      : {};
    return {
      id: pairCounts.get(pair) === 1 ? pair : `${intersection.id}#${position}`,
      from: roadLink.startRoad,
      to: roadLink.endRoad,
      lanes: laneConnections(roadLink, roads),
      turn: turnOf(roadLink, roads),
      ...signalGroup,
    };
  });
}

function laneConnections(
  roadLink: CityflowRoadLink,
  roads: Map<string, CityflowRoad>,
): LaneConnection[] {
  const fromLanes = roads.get(roadLink.startRoad)?.lanes.length ?? 0;
  const toLanes = roads.get(roadLink.endRoad)?.lanes.length ?? 0;
  const unique = new Map<string, LaneConnection>();
  for (const { startLaneIndex, endLaneIndex } of roadLink.laneLinks) {
    const connection = {
      fromLane: laneIndexFromKerb(startLaneIndex, fromLanes),
      toLane: laneIndexFromKerb(endLaneIndex, toLanes),
    };
    unique.set(`${connection.fromLane}>${connection.toLane}`, connection);
  }
  return [...unique.values()];
}

/** CityFlow's type, except a road link back to where its start road came from, which is a U-turn. */
function turnOf(roadLink: CityflowRoadLink, roads: Map<string, CityflowRoad>): TurnType {
  const start = roads.get(roadLink.startRoad);
  const end = roads.get(roadLink.endRoad);
  if (start && end && start.startIntersection === end.endIntersection) return 'uturn';
  return TURN_OF_ROAD_LINK[roadLink.type];
}

function toSignalSpec(
  intersection: CityflowIntersection,
  roads: Map<string, CityflowRoad>,
): SignalSpec {
  const controlled = controlledRoadLinks(intersection);
  const roadLinks = intersection.roadLinks.map((roadLink) => ({
    ...roadLink,
    turn: turnOf(roadLink, roads),
  }));
  return {
    id: intersection.id,
    intersections: [intersection.id],
    signalGroups: controlled.map((position) => ({
      id: String(position),
      index: position,
      kind: 'vehicle',
      minGreen: DEFAULT_MIN_GREEN,
    })),
    programs: intersection.trafficLight
      ? [cityflowProgram(intersection.id, intersection.trafficLight, roadLinks)]
      : [],
  };
}

// ---- the built-in program -------------------------------------------------------------------------

/**
 * A light phase that releases only right turns (or nothing). CoLight-family files open with one,
 * 5 s long, and use it as the yellow/all-red change between the real phases.
 */
function isTransitionPhase(phase: CityflowLightPhase, roadLinks: CityflowRoadLink[]): boolean {
  return phase.availableRoadLinks.every((position) => roadLinks[position]?.type === 'turn_right');
}

/**
 * The program CityFlow runs when no agent drives the lights: every light phase in turn, for its
 * `time`, from phase 0 at t = 0. Each phase is a stage, except a transition phase, which becomes
 * the all-red of the stage before it (cyclically). Right turns run in every phase, so the
 * transition's right turns stay green through that all-red in CityFlow; the plan does not show it.
 */
function cityflowProgram(
  signal: string,
  light: CityflowTrafficLight,
  roadLinks: TurningRoadLink[],
): TimingPlan {
  const phases = light.lightphases.map((phase, position) => ({
    phase,
    position,
    transition: isTransitionPhase(phase, roadLinks),
  }));
  // A program of transition phases only has nothing to fold them into: each stays a stage.
  const firstStage = Math.max(
    0,
    phases.findIndex(({ transition }) => !transition),
  );
  const foldsTransitions = phases.some(({ transition }) => !transition);
  const inCycleOrder = [...phases.slice(firstStage), ...phases.slice(0, firstStage)];

  const stages: Stage[] = [];
  for (const { phase, position, transition } of inCycleOrder) {
    const previous = stages[stages.length - 1];
    if (foldsTransitions && transition && previous) {
      previous.allRed += phase.time;
    } else {
      stages.push(toStage(phase, position, roadLinks));
    }
  }
  const cycleLength = sumOfTimes(light.lightphases);
  return {
    id: 'cityflow',
    signal,
    cycleLength,
    // Cycle time 0 is the start of light phase 0; the offset is read at the first stage's green.
    offset: sumOfTimes(light.lightphases.slice(0, firstStage)) % cycleLength,
    offsetReference: 'first-stage-green-start',
    stages,
    origin: 'cityflow',
  };
}

function toStage(phase: CityflowLightPhase, position: number, roadLinks: TurningRoadLink[]): Stage {
  const released = phase.availableRoadLinks.flatMap((index) => {
    const roadLink = roadLinks[index];
    return roadLink ? [{ index, roadLink }] : [];
  });
  const greens: Record<string, GreenKind> = {};
  for (const { index, roadLink } of released) {
    greens[String(index)] = greenKind(
      roadLink,
      released.map((other) => other.roadLink),
    );
  }
  return {
    id: `phase-${position}`,
    greens,
    green: phase.time,
    yellow: 0,
    allRed: 0,
    // Never above the file's own green, so the imported program stays a valid plan.
    minGreen: Math.min(DEFAULT_MIN_GREEN, phase.time),
  };
}

/**
 * How a road link moves in a phase. CityFlow gives right of way at a crossing by type, straight
 * before left before right, so: a right turn always yields (it runs in every phase, as a right
 * turn on red); a left turn yields when traffic from another approach goes straight in the same
 * phase (a permitted left, as in the Atlanta files); a U-turn always yields, as U-turning drivers
 * must; anything else is protected.
 */
function greenKind(roadLink: TurningRoadLink, released: TurningRoadLink[]): GreenKind {
  if (roadLink.type === 'turn_right' || roadLink.turn === 'uturn') return 'permissive';
  const opposed = released.some(
    (other) => other.type === 'go_straight' && other.startRoad !== roadLink.startRoad,
  );
  return roadLink.type === 'turn_left' && opposed ? 'permissive' : 'protected';
}

function sumOfTimes(phases: CityflowLightPhase[]): number {
  return phases.reduce((total, phase) => total + phase.time, 0);
}
