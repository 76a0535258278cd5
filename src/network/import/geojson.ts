// Reads greenwave's own GeoJSON network format (described by geojson.schema.json) into a NetworkSpec.
import { distance, length, lineString, nearestPointOnLine } from '@turf/turf';
import type { OffsetReference, Stage, TimingPlan } from '../../timing/types.ts';
import { InputFileError, ProblemList } from '../errors.ts';
import { endBearing, startBearing } from '../geometry.ts';
import { classifyTurn } from '../turns.ts';
import type {
  DetectorSpec,
  GreenKind,
  IntersectionKind,
  IntersectionSpec,
  LaneConnection,
  LaneSpec,
  LinkSpec,
  MovementSpec,
  NetworkSpec,
  Position,
  SignalGroupSpec,
  SignalSpec,
  TurnType,
} from '../types.ts';

/** Metres: the width of a lane that gives none. */
const DEFAULT_LANE_WIDTH = 3.5;
/** Metres per second (50 km/h): the speed limit of a link that gives none. */
const DEFAULT_SPEED_LIMIT = 13.89;
/** The format version this reader knows (`"greenwave": { "version": 1 }`). */
const FORMAT_VERSION = 1;
/**
 * Metres a link's end may lie from its intersection's point, beyond the intersection's radius: lines
 * drawn by hand end near, not on, the point; farther than this, from/to are likely swapped.
 */
const END_TOLERANCE = 50;
/** Metres a detector's point may lie from its link's centre line when its position is derived. */
const DETECTOR_TOLERANCE = 50;

const INTERSECTION_KINDS = ['signalized', 'priority', 'unsignalized', 'boundary'] as const;
const TURN_TYPES = ['left', 'through', 'right', 'uturn'] as const;
const GREEN_KINDS = ['protected', 'permissive'] as const;
const OFFSET_REFERENCES = ['first-stage-green-start', 'first-stage-yellow-start'] as const;
const DETECTOR_KINDS = ['stopline', 'advance', 'count'] as const;
const SIGNAL_GROUP_KINDS = ['vehicle', 'pedestrian'] as const;
const FEATURE_TYPES = ['intersection', 'link', 'detector'] as const;

/**
 * Reads a network in greenwave's GeoJSON format: a FeatureCollection (WGS84 lon/lat) of
 * `intersection` points, `link` line strings drawn from upstream to downstream, and `detector`
 * points; see `geojson.schema.json` for every field.
 *
 * - Link and lane lengths come from the line's geodesic length in metres.
 * - Lanes default to 3.5 m wide and to the link's speed limit (13.89 m/s, 50 km/h, when none).
 * - A link without `movements` may turn into every link leaving its downstream intersection except
 *   the one leading straight back (the U-turn). Lanes are assigned by turn: from the lanes whose
 *   `turns` arrows allow it, else the rightmost lane turns right, the leftmost turns left and every
 *   lane goes through. The turn itself is not written: `buildNetwork` derives it the same way.
 * - Each signalized intersection's `signal` becomes a SignalSpec (id: the signal's or the
 *   intersection's), its signal groups' movements get `signal` and `signalGroup`, and its `plans`
 *   become timing plans with origin `geojson`.
 * - A detector without `position` is placed where its point projects onto the link.
 *
 * Pure: reads no file. Accepts the parsed JSON, or its text.
 *
 * @param json the parsed file (or its text); `file` names it in errors and becomes `source`.
 * @throws {InputFileError} listing every problem found: missing or badly typed fields, wrong
 *   geometry types, duplicate ids, links without lanes, references to unknown intersections, links,
 *   lanes or signal groups, signal groups naming movements the intersection does not have.
 * @example
 * const spec = parseGeojsonNetwork(JSON.parse(text), 'zhengzhou-jinshui-road.geojson');
 * spec.signals.length // => 9
 * spec.links[0]?.lanes[0]?.width // => 3.5
 */
export function parseGeojsonNetwork(json: unknown, file: string): NetworkSpec {
  const root = readRoot(json, file);
  const problems = new ProblemList(file);
  const name = optional(root, 'name', 'FeatureCollection', text, problems) ?? baseName(file);
  checkVersion(root, problems);
  const features = classifyFeatures(root.features, problems);

  const intersections = readIntersections(features.intersection, problems);
  const links = readLinks(features.link, intersections, problems);
  const movements = links.parsed.flatMap((link) => linkMovements(link, links, problems));
  const signals = readSignals(intersections.parsed, movements, links, problems);
  checkFeatureIds(features.detector, 'detector', problems);
  const detectors = features.detector
    .map((raw) => readDetector(raw, links, problems))
    .filter(isDefined);
  problems.throwIfAny();

  return {
    name,
    coordinates: 'lonlat',
    source: file,
    intersections: intersections.parsed.map((intersection) => intersection.spec),
    links: links.parsed.map((link) => link.spec),
    movements: movements.map((movement) => ({
      ...movement,
      ...signals.controlOf.get(movementId(movement)),
    })),
    signals: signals.specs,
    ...(detectors.length > 0 ? { detectors } : {}),
  };
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

function oneOf<T extends string>(values: readonly T[]): Expectation<T> {
  return {
    test: (value): value is T => typeof value === 'string' && values.some((v) => v === value),
    description: values.map((value) => `"${value}"`).join(', '),
  };
}

const text: Expectation<string> = {
  test: (value): value is string => typeof value === 'string' && value.length > 0,
  description: 'a non-empty string',
};
const finite: Expectation<number> = {
  test: (value): value is number => typeof value === 'number' && Number.isFinite(value),
  description: 'a number',
};
const positive: Expectation<number> = {
  test: (value): value is number => finite.test(value) && value > 0,
  description: 'a number greater than 0',
};
const nonNegative: Expectation<number> = {
  test: (value): value is number => finite.test(value) && value >= 0,
  description: 'a number of at least 0',
};
const laneIndex: Expectation<number> = {
  test: (value): value is number => Number.isInteger(value) && (value as number) >= 0,
  description: 'a whole number of at least 0',
};
const list: Expectation<unknown[]> = {
  test: (value): value is unknown[] => Array.isArray(value),
  description: 'an array',
};
const object: Expectation<JsonObject> = { test: isObject, description: 'an object' };
const texts: Expectation<string[]> = {
  test: (value): value is string[] =>
    Array.isArray(value) && value.every((item) => text.test(item)),
  description: 'an array of non-empty strings',
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

function baseName(file: string): string {
  return (file.split(/[\\/]/).pop() ?? file).replace(/\.(geo)?json$/i, '');
}

function checkUniqueIds(
  entries: [id: string, element: string][],
  kind: string,
  problems: ProblemList,
): void {
  const seen = new Set<string>();
  for (const [id, element] of entries) {
    if (seen.has(id)) {
      problems.add(
        'DUPLICATE_ID',
        element,
        `has the id "${id}" of an earlier ${kind}.`,
        `Give each ${kind} its own id.`,
      );
    }
    seen.add(id);
  }
}

/** The ids the features give, reporting each one given twice. */
function checkFeatureIds(raws: RawFeature[], kind: string, problems: ProblemList): Set<string> {
  const entries = raws.flatMap((raw): [string, string][] =>
    text.test(raw.properties.id) ? [[raw.properties.id, raw.element]] : [],
  );
  checkUniqueIds(entries, kind, problems);
  return new Set(entries.map(([id]) => id));
}

// ---- the collection and its features ------------------------------------------------------------

type FeatureType = (typeof FEATURE_TYPES)[number];

/** A feature of a known type, with where it sits in the file. */
interface RawFeature {
  element: string;
  properties: JsonObject;
  geometry: unknown;
}

function readRoot(json: unknown, file: string): JsonObject & { features: unknown[] } {
  let root = json;
  if (typeof json === 'string') {
    try {
      root = JSON.parse(json) as unknown;
    } catch (error) {
      throw new InputFileError(file, [
        {
          code: 'PARSE_FAILED',
          element: 'file',
          message: `is not JSON: ${(error as Error).message}.`,
          fix: 'Save the network as a GeoJSON (JSON) file.',
        },
      ]);
    }
  }
  if (!isObject(root) || root.type !== 'FeatureCollection' || !Array.isArray(root.features)) {
    throw new InputFileError(file, [
      {
        code: 'FORMAT_UNKNOWN',
        element: 'file',
        message: 'is not a GeoJSON FeatureCollection.',
        fix: 'Give an object with "type": "FeatureCollection" and a "features" array.',
      },
    ]);
  }
  return root as JsonObject & { features: unknown[] };
}

function checkVersion(root: JsonObject, problems: ProblemList): void {
  const greenwave = optional(root, 'greenwave', 'FeatureCollection', object, problems);
  const version = greenwave && greenwave.version;
  if (version === undefined || version === FORMAT_VERSION) return;
  problems.add(
    'BAD_VALUE',
    'FeatureCollection greenwave',
    `"version" is ${shown(version)}; this reader knows version ${FORMAT_VERSION}.`,
    `Write the file in version ${FORMAT_VERSION} of the format, or leave "version" out.`,
  );
}

/** Sorts the features by `properties.type`, reporting those that are not one of ours. */
function classifyFeatures(
  features: unknown[],
  problems: ProblemList,
): Record<FeatureType, RawFeature[]> {
  const sorted: Record<FeatureType, RawFeature[]> = { intersection: [], link: [], detector: [] };
  features.forEach((feature, position) => {
    const at = `features[${position}]`;
    if (!isObject(feature) || feature.type !== 'Feature') {
      problems.add(
        'BAD_VALUE',
        at,
        'is not a GeoJSON Feature.',
        'Give an object with "type": "Feature", a "geometry" and "properties".',
      );
      return;
    }
    const properties = required(feature, 'properties', at, object, problems);
    const type = properties && required(properties, 'type', at, oneOf(FEATURE_TYPES), problems);
    if (!properties || !type) return;
    const id = text.test(properties.id) ? ` (${type} ${JSON.stringify(properties.id)})` : '';
    sorted[type].push({ element: `${at}${id}`, properties, geometry: feature.geometry });
  });
  return sorted;
}

function readPosition(value: unknown): Position | undefined {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) return undefined;
  const [longitude, latitude] = value as unknown[];
  if (!finite.test(longitude) || !finite.test(latitude)) return undefined;
  if (Math.abs(longitude) > 180 || Math.abs(latitude) > 90) return undefined;
  return [longitude, latitude];
}

/** The geometry's coordinates when it is of the type the feature needs. */
function readGeometry(
  raw: RawFeature,
  type: 'Point' | 'LineString',
  kind: FeatureType,
  problems: ProblemList,
): unknown {
  const geometry = raw.geometry;
  if (!isObject(geometry) || geometry.type !== type) {
    const found = isObject(geometry) ? shown(geometry.type) : shown(geometry);
    problems.add(
      'BAD_VALUE',
      raw.element,
      `has geometry ${found}; a ${kind} is a ${type}.`,
      `Draw the ${kind} as a ${type}.`,
    );
    return undefined;
  }
  return geometry.coordinates;
}

const BAD_POSITION_FIX =
  'Give [longitude, latitude] in WGS84 degrees (not GCJ-02 or BD-09, nor a projected system).';

function readPoint(
  raw: RawFeature,
  kind: FeatureType,
  problems: ProblemList,
): Position | undefined {
  const coordinates = readGeometry(raw, 'Point', kind, problems);
  if (coordinates === undefined) return undefined;
  const position = readPosition(coordinates);
  if (!position) {
    problems.add(
      'BAD_VALUE',
      raw.element,
      `has coordinates ${shown(coordinates)}.`,
      BAD_POSITION_FIX,
    );
  }
  return position;
}

function readLine(raw: RawFeature, problems: ProblemList): Position[] | undefined {
  const coordinates = readGeometry(raw, 'LineString', 'link', problems);
  if (coordinates === undefined) return undefined;
  const positions = Array.isArray(coordinates) ? coordinates.map(readPosition) : [];
  if (positions.length >= 2 && positions.every(isDefined)) return positions;
  problems.add(
    'BAD_VALUE',
    raw.element,
    `has line coordinates ${shown(coordinates)}.`,
    `Give at least two positions. ${BAD_POSITION_FIX}`,
  );
  return undefined;
}

// ---- intersections ------------------------------------------------------------------------------

interface ParsedIntersection {
  spec: IntersectionSpec;
  element: string;
  /** The raw `signal` object, read once the movements are known. */
  signal: unknown;
}

interface Intersections {
  parsed: ParsedIntersection[];
  byId: Map<string, ParsedIntersection>;
  /** Every id given, also of intersections that could not be read: no second report for those. */
  ids: Set<string>;
}

function readIntersections(raws: RawFeature[], problems: ProblemList): Intersections {
  const ids = checkFeatureIds(raws, 'intersection', problems);
  const parsed = raws.map((raw) => readIntersection(raw, problems)).filter(isDefined);
  const byId = new Map<string, ParsedIntersection>();
  for (const intersection of parsed) {
    if (!byId.has(intersection.spec.id)) byId.set(intersection.spec.id, intersection);
  }
  return { parsed: [...byId.values()], byId, ids };
}

function readIntersection(raw: RawFeature, problems: ProblemList): ParsedIntersection | undefined {
  const { properties, element } = raw;
  const id = required(properties, 'id', element, text, problems);
  const kind: IntersectionKind | undefined = required(
    properties,
    'kind',
    element,
    oneOf(INTERSECTION_KINDS),
    problems,
  );
  const radius = optional(properties, 'radius', element, nonNegative, problems);
  const position = readPoint(raw, 'intersection', problems);
  if (!id || !kind || !position) return undefined;
  return {
    spec: { id, kind, position, ...(radius !== undefined ? { radius } : {}) },
    element,
    signal: properties.signal,
  };
}

// ---- links and lanes ----------------------------------------------------------------------------

interface ParsedLink {
  spec: LinkSpec & { geometry: Position[] };
  element: string;
  /** Lane-use arrows per lane (index 0 rightmost), when the file gives them. */
  laneTurns?: TurnType[][];
  /** The raw `movements` array, when the file lists the link's movements. */
  movements?: unknown[];
}

interface Links {
  parsed: ParsedLink[];
  byId: Map<string, ParsedLink>;
  /** Every id given, also of links that could not be read: no second report for those. */
  ids: Set<string>;
  /** Links by the intersection they leave. */
  leaving: Map<string, ParsedLink[]>;
}

function readLinks(raws: RawFeature[], intersections: Intersections, problems: ProblemList): Links {
  const ids = checkFeatureIds(raws, 'link', problems);
  const byId = new Map<string, ParsedLink>();
  for (const raw of raws) {
    const link = readLink(raw, intersections, problems);
    if (link && !byId.has(link.spec.id)) byId.set(link.spec.id, link);
  }
  const parsed = [...byId.values()];
  const leaving = new Map<string, ParsedLink[]>();
  for (const link of parsed)
    leaving.set(link.spec.from, [...(leaving.get(link.spec.from) ?? []), link]);
  return { parsed, byId, ids, leaving };
}

function readLink(
  raw: RawFeature,
  intersections: Intersections,
  problems: ProblemList,
): ParsedLink | undefined {
  const { properties, element } = raw;
  const id = required(properties, 'id', element, text, problems);
  const from = readLinkEnd(properties, 'from', element, intersections, problems);
  const to = readLinkEnd(properties, 'to', element, intersections, problems);
  const name = optional(properties, 'name', element, text, problems);
  const speedLimit = readSpeed(properties, element, problems) ?? DEFAULT_SPEED_LIMIT;
  const lanes = readLanes(properties, element, speedLimit, problems);
  const laneTurns = readLaneTurns(properties, element, lanes?.length, problems);
  const movements = optional(properties, 'movements', element, list, problems);
  const geometry = readLine(raw, problems);
  if (!id || !from || !to || !geometry) return undefined;
  checkLinkEnds(geometry, from, to, element, problems);

  const linkLength = length(lineString(geometry), { units: 'meters' });
  const spec = {
    id,
    from: from.spec.id,
    to: to.spec.id,
    // A link with bad lanes is kept with none, so that its movements are still known.
    lanes: (lanes ?? []).map((lane, index): LaneSpec => ({ index, length: linkLength, ...lane })),
    geometry,
    length: linkLength,
    ...(name !== undefined ? { name } : {}),
  };
  return {
    spec,
    element,
    ...(laneTurns ? { laneTurns } : {}),
    ...(movements ? { movements } : {}),
  };
}

function readLinkEnd(
  properties: JsonObject,
  key: 'from' | 'to',
  element: string,
  intersections: Intersections,
  problems: ProblemList,
): ParsedIntersection | undefined {
  const id = required(properties, key, element, text, problems);
  if (id === undefined) return undefined;
  const intersection = intersections.byId.get(id);
  if (!intersection && !intersections.ids.has(id)) {
    problems.add(
      'UNKNOWN_INTERSECTION',
      element,
      `"${key}" is "${id}", which is not among the intersections.`,
      `Add an intersection point with id "${id}", or name one that exists.`,
    );
  }
  return intersection;
}

/** A link is drawn from its upstream to its downstream intersection; far-off ends mean a mix-up. */
function checkLinkEnds(
  geometry: Position[],
  from: ParsedIntersection,
  to: ParsedIntersection,
  element: string,
  problems: ProblemList,
): void {
  const ends: [Position, ParsedIntersection, string][] = [
    [geometry[0]!, from, 'starts'],
    [geometry[geometry.length - 1]!, to, 'ends'],
  ];
  for (const [end, intersection, verb] of ends) {
    const gap = distance(end, intersection.spec.position, { units: 'meters' });
    if (gap <= END_TOLERANCE + (intersection.spec.radius ?? 0)) continue;
    problems.add(
      'BAD_VALUE',
      element,
      `${verb} ${Math.round(gap)} m from its intersection "${intersection.spec.id}".`,
      `Draw the line from "${from.spec.id}" to "${to.spec.id}" (upstream to downstream), or correct "from" and "to".`,
    );
  }
}

/** Metres per second from `speedLimit` (m/s) or `speedKmh`; undefined when neither is given. */
function readSpeed(from: JsonObject, element: string, problems: ProblemList): number | undefined {
  const metresPerSecond = optional(from, 'speedLimit', element, positive, problems);
  const kmh = optional(from, 'speedKmh', element, positive, problems);
  if (from.speedLimit !== undefined && from.speedKmh !== undefined) {
    problems.add(
      'BAD_VALUE',
      element,
      'gives both "speedLimit" and "speedKmh".',
      'Give the speed limit once: "speedLimit" in m/s or "speedKmh" in km/h.',
    );
    return undefined;
  }
  return metresPerSecond ?? (kmh === undefined ? undefined : kmh / 3.6);
}

type LaneTemplate = Omit<LaneSpec, 'index' | 'length'>;

/** The lanes from `lanes`: a count, or one object per lane from the right. Undefined when bad. */
function readLanes(
  properties: JsonObject,
  element: string,
  speedLimit: number,
  problems: ProblemList,
): LaneTemplate[] | undefined {
  const lanes = properties.lanes;
  if (lanes === undefined || lanes === 0 || (Array.isArray(lanes) && lanes.length === 0)) {
    problems.add(
      'LINK_WITHOUT_LANES',
      element,
      lanes === undefined ? 'has no "lanes".' : `has "lanes": ${shown(lanes)}.`,
      'Give "lanes" as a count of at least 1, or an array of lane objects from the rightmost lane.',
    );
    return undefined;
  }
  if (Number.isInteger(lanes) && (lanes as number) > 0) {
    return Array.from({ length: lanes as number }, () => ({
      width: DEFAULT_LANE_WIDTH,
      speedLimit,
    }));
  }
  if (!Array.isArray(lanes)) {
    problems.add(
      'BAD_VALUE',
      element,
      `"lanes" is ${shown(lanes)}.`,
      'Give "lanes" as a whole number of at least 1, or an array of lane objects.',
    );
    return undefined;
  }
  const read = lanes.map((lane, index) =>
    readLane(lane, `${element} lanes[${index}]`, speedLimit, problems),
  );
  return read.every(isDefined) ? read : undefined;
}

function readLane(
  lane: unknown,
  element: string,
  speedLimit: number,
  problems: ProblemList,
): LaneTemplate | undefined {
  if (!isObject(lane)) {
    problems.add(
      'BAD_VALUE',
      element,
      `is ${shown(lane)}, not a lane object.`,
      'Write each lane as an object, e.g. { "width": 3.25 }, or give "lanes" as a count.',
    );
    return undefined;
  }
  const width = optional(lane, 'width', element, positive, problems);
  const saturationFlow = optional(lane, 'saturationFlow', element, positive, problems);
  const allow = optional(lane, 'allow', element, texts, problems);
  const laneSpeed = readSpeed(lane, element, problems);
  return {
    width: width ?? DEFAULT_LANE_WIDTH,
    speedLimit: laneSpeed ?? speedLimit,
    ...(saturationFlow !== undefined ? { saturationFlow } : {}),
    ...(allow !== undefined ? { allow } : {}),
  };
}

/** `turns`: the lane-use arrows of each lane, rightmost first, e.g. [["right","through"],["left"]]. */
function readLaneTurns(
  properties: JsonObject,
  element: string,
  laneCount: number | undefined,
  problems: ProblemList,
): TurnType[][] | undefined {
  const turns = properties.turns;
  if (turns === undefined) return undefined;
  const isTurn = oneOf(TURN_TYPES).test;
  const valid =
    Array.isArray(turns) &&
    turns.every((lane) => Array.isArray(lane) && lane.length > 0 && lane.every(isTurn));
  if (!valid) {
    problems.add(
      'BAD_VALUE',
      element,
      `"turns" is ${shown(turns)}.`,
      'Give one array of turns per lane, rightmost first, e.g. [["right", "through"], ["left"]].',
    );
    return undefined;
  }
  if (laneCount !== undefined && turns.length !== laneCount) {
    problems.add(
      'BAD_VALUE',
      element,
      `"turns" lists ${turns.length} lane(s); the link has ${laneCount}.`,
      'Give the arrows of every lane, rightmost first.',
    );
    return undefined;
  }
  return turns as TurnType[][];
}

// ---- movements ----------------------------------------------------------------------------------

function movementId(movement: Pick<MovementSpec, 'from' | 'to'>): string {
  return `${movement.from}>${movement.to}`;
}

/** The movements from one link into the links leaving its downstream intersection. */
function linkMovements(link: ParsedLink, links: Links, problems: ProblemList): MovementSpec[] {
  return link.movements
    ? listedMovements(link, link.movements, links, problems)
    : defaultMovements(link, links);
}

/** Every exit but the way back; by lane-use arrows when given, dropping turns no lane allows. */
function defaultMovements(link: ParsedLink, links: Links): MovementSpec[] {
  const exits = (links.leaving.get(link.spec.to) ?? []).filter(
    (exit) => exit.spec.to !== link.spec.from,
  );
  return exits.flatMap((exit) => {
    const lanes = laneConnections(link, exit, turnOf(link, exit));
    if (lanes.length === 0 && link.spec.lanes.length > 0 && exit.spec.lanes.length > 0) return [];
    return [
      {
        id: movementId({ from: link.spec.id, to: exit.spec.id }),
        from: link.spec.id,
        to: exit.spec.id,
        lanes,
      },
    ];
  });
}

/** The turn from geometry, only to pick lanes: `buildNetwork` classifies turns the same way. */
function turnOf(link: ParsedLink, exit: ParsedLink): TurnType {
  return classifyTurn(
    endBearing(link.spec.geometry, 'lonlat'),
    startBearing(exit.spec.geometry, 'lonlat'),
    exit.spec.to === link.spec.from,
  );
}

/**
 * Lane connections for a turn: from the lanes whose arrows allow it (all lanes when the link has
 * no arrows: the rightmost for right turns, the leftmost for left and U-turns, every lane through),
 * each to the lane in the same position on the exit, counted from the right for right turns and
 * through, from the left for left and U-turns; clamped to the exit's lanes.
 */
function laneConnections(link: ParsedLink, exit: ParsedLink, turn: TurnType): LaneConnection[] {
  const laneCount = link.spec.lanes.length;
  const exitCount = exit.spec.lanes.length;
  if (laneCount === 0 || exitCount === 0) return [];
  const fromLanes = link.laneTurns
    ? link.laneTurns.flatMap((arrows, lane) => (arrows.includes(turn) ? [lane] : []))
    : defaultLanes(turn, laneCount);
  const fromLeft = turn === 'left' || turn === 'uturn';
  return fromLanes.map((fromLane) => ({
    fromLane,
    toLane: fromLeft
      ? Math.max(0, exitCount - laneCount + fromLane)
      : Math.min(fromLane, exitCount - 1),
  }));
}

function defaultLanes(turn: TurnType, laneCount: number): number[] {
  if (turn === 'right') return [0];
  if (turn === 'through') return Array.from({ length: laneCount }, (_, lane) => lane);
  return [laneCount - 1];
}

/** The link's own `movements` list: `[{ to, lanes?: [[fromLane, toLane], ...], turn? }]`. */
function listedMovements(
  link: ParsedLink,
  raws: unknown[],
  links: Links,
  problems: ProblemList,
): MovementSpec[] {
  const seen = new Set<string>();
  return raws
    .map((raw, position) => {
      const element = `${link.element} movements[${position}]`;
      const movement = readListedMovement(raw, element, link, links, problems);
      if (movement && seen.has(movement.to)) {
        problems.add(
          'DUPLICATE_ID',
          element,
          `lists the movement into "${movement.to}" a second time.`,
          'List each movement once, with all its lanes.',
        );
        return undefined;
      }
      if (movement) seen.add(movement.to);
      return movement;
    })
    .filter(isDefined);
}

function readListedMovement(
  raw: unknown,
  element: string,
  link: ParsedLink,
  links: Links,
  problems: ProblemList,
): MovementSpec | undefined {
  if (!isObject(raw)) {
    problems.add(
      'BAD_VALUE',
      element,
      `is ${shown(raw)}, not a movement object.`,
      'Write each movement as { "to": "<link id>" }, with optional "lanes" and "turn".',
    );
    return undefined;
  }
  const toId = required(raw, 'to', element, text, problems);
  const turn = optional(raw, 'turn', element, oneOf(TURN_TYPES), problems);
  const exit = toId === undefined ? undefined : findExit(toId, element, link, links, problems);
  if (!exit) return undefined;
  const lanes =
    raw.lanes === undefined
      ? connectionsForTurn(link, exit, turn, element, problems)
      : readLanePairs(raw.lanes, element, link, exit, problems);
  if (!lanes) return undefined;
  return {
    id: movementId({ from: link.spec.id, to: exit.spec.id }),
    from: link.spec.id,
    to: exit.spec.id,
    lanes,
    ...(turn !== undefined ? { turn } : {}),
  };
}

function findExit(
  toId: string,
  element: string,
  link: ParsedLink,
  links: Links,
  problems: ProblemList,
): ParsedLink | undefined {
  const exit = links.byId.get(toId);
  if (!exit) {
    if (!links.ids.has(toId)) {
      problems.add(
        'UNKNOWN_LINK',
        element,
        `goes to link "${toId}", which is not among the links.`,
        'Name a link leaving the intersection this link ends at.',
      );
    }
    return undefined;
  }
  if (exit.spec.from === link.spec.to) return exit;
  problems.add(
    'MOVEMENT_NOT_AT_INTERSECTION',
    element,
    `goes to link "${toId}", which leaves "${exit.spec.from}", but this link ends at "${link.spec.to}".`,
    `Name a link leaving intersection "${link.spec.to}".`,
  );
  return undefined;
}

function connectionsForTurn(
  link: ParsedLink,
  exit: ParsedLink,
  turn: TurnType | undefined,
  element: string,
  problems: ProblemList,
): LaneConnection[] | undefined {
  const resolved = turn ?? turnOf(link, exit);
  const lanes = laneConnections(link, exit, resolved);
  if (lanes.length > 0 || link.spec.lanes.length === 0 || exit.spec.lanes.length === 0)
    return lanes;
  problems.add(
    'BAD_VALUE',
    element,
    `is a ${resolved} turn, which no lane's "turns" allows.`,
    `Give the movement's "lanes", or add "${resolved}" to a lane's turns.`,
  );
  return undefined;
}

function readLanePairs(
  value: unknown,
  element: string,
  link: ParsedLink,
  exit: ParsedLink,
  problems: ProblemList,
): LaneConnection[] | undefined {
  const pairs =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every(laneIndex.test));
  if (!pairs) {
    problems.add(
      'BAD_VALUE',
      element,
      `"lanes" is ${shown(value)}.`,
      'Give "lanes" as [[fromLane, toLane], ...], lane 0 the rightmost.',
    );
    return undefined;
  }
  const connections = (value as [number, number][]).map(([fromLane, toLane]) => ({
    fromLane,
    toLane,
  }));
  const bad = connections.filter(
    ({ fromLane, toLane }) =>
      (link.spec.lanes.length > 0 && fromLane >= link.spec.lanes.length) ||
      (exit.spec.lanes.length > 0 && toLane >= exit.spec.lanes.length),
  );
  for (const { fromLane, toLane } of bad) {
    problems.add(
      'UNKNOWN_LANE',
      element,
      `joins lane ${fromLane} of "${link.spec.id}" (${link.spec.lanes.length} lanes) to lane ${toLane} of "${exit.spec.id}" (${exit.spec.lanes.length} lanes).`,
      'Use lane indices from 0 (the rightmost lane) to the lane count less one.',
    );
  }
  return bad.length === 0 ? connections : undefined;
}

// ---- signals ------------------------------------------------------------------------------------

/** Which signal and group control a movement. */
interface Control {
  signal: string;
  signalGroup: string;
}

interface Signals {
  specs: SignalSpec[];
  controlOf: Map<string, Control>;
}

interface SignalContext {
  movements: Map<string, MovementSpec>;
  links: Links;
  controlOf: Map<string, Control>;
  problems: ProblemList;
}

function readSignals(
  intersections: ParsedIntersection[],
  movements: MovementSpec[],
  links: Links,
  problems: ProblemList,
): Signals {
  const context: SignalContext = {
    movements: new Map(movements.map((movement) => [movementId(movement), movement])),
    links,
    controlOf: new Map(),
    problems,
  };
  const read = intersections
    .map((intersection) => {
      const spec = readSignal(intersection, context);
      return spec && { spec, element: `${intersection.element} signal` };
    })
    .filter(isDefined);
  checkUniqueIds(
    read.map(({ spec, element }) => [spec.id, element]),
    'signal',
    problems,
  );
  return { specs: read.map(({ spec }) => spec), controlOf: context.controlOf };
}

function readSignal(
  intersection: ParsedIntersection,
  context: SignalContext,
): SignalSpec | undefined {
  const { problems } = context;
  const { spec: node, signal: raw } = intersection;
  const element = `${intersection.element} signal`;
  if (node.kind !== 'signalized') {
    if (raw !== undefined) {
      problems.add(
        'BAD_VALUE',
        intersection.element,
        `is "${node.kind}" but has a signal.`,
        'Make "kind" "signalized", or remove the signal.',
      );
    }
    return undefined;
  }
  if (!isObject(raw)) {
    problems.add(
      raw === undefined ? 'MISSING_ATTRIBUTE' : 'BAD_VALUE',
      intersection.element,
      raw === undefined ? 'is signalized but has no "signal".' : `"signal" is ${shown(raw)}.`,
      'Give "signal": { "signalGroups": [...], "plans": [...] }, or make the kind "priority".',
    );
    return undefined;
  }
  const id = optional(raw, 'id', element, text, problems) ?? node.id;
  const rawGroups = required(raw, 'signalGroups', element, list, problems) ?? [];
  const groups = rawGroups
    .map((group, position) => readSignalGroup(group, position, element, id, node.id, context))
    .filter(isDefined);
  checkUniqueIds(
    groups.map((group) => [group.id, `${element} signalGroups "${group.id}"`]),
    'signal group',
    problems,
  );
  const groupIds = new Set(groups.map((group) => group.id));
  const rawPlans = optional(raw, 'plans', element, list, problems);
  const plans = rawPlans
    ?.map((plan, position) =>
      readPlan(plan, `${element} plans[${position}]`, position, id, groupIds, problems),
    )
    .filter(isDefined);
  if (plans) {
    checkUniqueIds(
      plans.map((plan) => [plan.id, `${element} plans "${plan.id}"`]),
      'plan of this signal',
      problems,
    );
  }
  return {
    id,
    intersections: [node.id],
    signalGroups: groups,
    ...(plans ? { programs: plans } : {}),
  };
}

function readSignalGroup(
  raw: unknown,
  position: number,
  signalElement: string,
  signal: string,
  intersection: string,
  context: SignalContext,
): SignalGroupSpec | undefined {
  const { problems } = context;
  const label = isObject(raw) && text.test(raw.id) ? ` (${JSON.stringify(raw.id)})` : '';
  const element = `${signalElement} signalGroups[${position}]${label}`;
  if (!isObject(raw)) {
    problems.add(
      'BAD_VALUE',
      element,
      `is ${shown(raw)}.`,
      'Write each signal group as an object.',
    );
    return undefined;
  }
  const id = required(raw, 'id', element, text, problems);
  const kind = optional(raw, 'kind', element, oneOf(SIGNAL_GROUP_KINDS), problems) ?? 'vehicle';
  const minGreen = optional(raw, 'minGreen', element, nonNegative, problems);
  if (!id) return undefined;
  const common = { id, kind, ...(minGreen !== undefined ? { minGreen } : {}) };
  if (kind === 'pedestrian')
    return readPedestrianGroup(raw, element, intersection, common, context);
  const movementIds = required(raw, 'movements', element, texts, problems) ?? [];
  for (const ref of movementIds) {
    assignMovement(ref, { signal, signalGroup: id }, element, intersection, context);
  }
  return common;
}

function readPedestrianGroup(
  raw: JsonObject,
  element: string,
  intersection: string,
  common: SignalGroupSpec,
  { links, problems }: SignalContext,
): SignalGroupSpec | undefined {
  if (raw.movements !== undefined) {
    problems.add(
      'BAD_VALUE',
      element,
      'is a pedestrian group with vehicle "movements".',
      'Give a pedestrian group "crosses" (the links it walks across), not movements.',
    );
  }
  const crosses = required(raw, 'crosses', element, texts, problems);
  const crossingLength = required(raw, 'crossingLength', element, positive, problems);
  for (const linkId of crosses ?? []) {
    const link = links.byId.get(linkId);
    if (!link && !links.ids.has(linkId)) {
      problems.add(
        'UNKNOWN_LINK',
        element,
        `crosses link "${linkId}", which is not among the links.`,
        'Name the links whose carriageway the crossing spans.',
      );
    } else if (link && link.spec.from !== intersection && link.spec.to !== intersection) {
      problems.add(
        'BAD_VALUE',
        element,
        `crosses link "${linkId}", which does not touch intersection "${intersection}".`,
        'Name links entering or leaving this intersection.',
      );
    }
  }
  if (!crosses || crossingLength === undefined) return undefined;
  return { ...common, crosses, crossingLength };
}

/** Records that a group controls a movement, or reports why it cannot. */
function assignMovement(
  ref: string,
  control: Control,
  element: string,
  intersection: string,
  { movements, links, controlOf, problems }: SignalContext,
): void {
  const movement = movements.get(ref);
  if (!movement) {
    reportMissingMovement(ref, element, intersection, links, problems);
    return;
  }
  const owner = links.byId.get(movement.from);
  const earlier = controlOf.get(ref);
  if (owner && owner.spec.to !== intersection) {
    problems.add(
      'MOVEMENT_NOT_AT_INTERSECTION',
      element,
      `names movement "${ref}", which is at intersection "${owner.spec.to}", not "${intersection}".`,
      "Name movements of this intersection's own approaches.",
    );
  } else if (earlier) {
    problems.add(
      'BAD_VALUE',
      element,
      `names movement "${ref}", already in signal group "${earlier.signalGroup}" of signal "${earlier.signal}".`,
      'Put each movement in one signal group only.',
    );
  } else {
    controlOf.set(ref, control);
  }
}

/** Says why `from>to` is not a movement: an unknown link, links not meeting here, or not listed. */
function reportMissingMovement(
  ref: string,
  element: string,
  intersection: string,
  links: Links,
  problems: ProblemList,
): void {
  const splits = [...ref.matchAll(/>/g)].map((match) => [
    ref.slice(0, match.index),
    ref.slice(match.index + 1),
  ]);
  if (splits.length === 0) {
    problems.add(
      'BAD_VALUE',
      element,
      `names movement "${ref}", which is not "<from link>><to link>".`,
      'Name each movement as its approach link id, ">", and its exit link id, e.g. "L1>L2".',
    );
    return;
  }
  const [from, to] = splits.find(([head]) => links.ids.has(head!)) ?? splits[0]!;
  const unknown = [from!, to!].filter((id) => !links.ids.has(id));
  if (unknown.length > 0) {
    problems.add(
      'UNKNOWN_LINK',
      element,
      `names movement "${ref}", but ${unknown.map((id) => `"${id}"`).join(' and ')} is not among the links.`,
      'Name movements as "<from link>><to link>" with the ids of existing links.',
    );
    return;
  }
  const fromLink = links.byId.get(from!);
  const toLink = links.byId.get(to!);
  if (!fromLink || !toLink) return; // a link that could not be read, reported already
  const meets = fromLink.spec.to === intersection && toLink.spec.from === intersection;
  problems.add(
    'MOVEMENT_NOT_AT_INTERSECTION',
    element,
    meets
      ? `names movement "${ref}", which link "${from}" does not allow (not in its "movements", or a U-turn).`
      : `names movement "${ref}", but "${from}" does not enter and "${to}" does not leave intersection "${intersection}" both.`,
    meets
      ? `Add { "to": "${to}" } to the "movements" of link "${from}", or drop the movement from the group.`
      : "Name movements of this intersection's own approaches and exits.",
  );
}

// ---- timing plans -------------------------------------------------------------------------------

function readPlan(
  raw: unknown,
  element: string,
  position: number,
  signal: string,
  groupIds: Set<string>,
  problems: ProblemList,
): TimingPlan | undefined {
  if (!isObject(raw)) {
    problems.add('BAD_VALUE', element, `is ${shown(raw)}.`, 'Write each plan as an object.');
    return undefined;
  }
  const id = optional(raw, 'id', element, text, problems) ?? `plan-${position + 1}`;
  const cycleLength = required(raw, 'cycleLength', element, positive, problems);
  const offset = optional(raw, 'offset', element, finite, problems) ?? 0;
  const offsetReference: OffsetReference =
    optional(raw, 'offsetReference', element, oneOf(OFFSET_REFERENCES), problems) ??
    'first-stage-green-start';
  const rawStages = required(raw, 'stages', element, list, problems);
  if (rawStages && rawStages.length === 0) {
    problems.add(
      'MISSING_ATTRIBUTE',
      element,
      'has no stages.',
      'Give the plan at least one stage.',
    );
  }
  const stages = (rawStages ?? []).map((stage, index) =>
    readStage(stage, `${element} stages[${index}]`, groupIds, problems),
  );
  if (cycleLength === undefined || !rawStages || !stages.every(isDefined)) return undefined;
  checkUniqueIds(
    stages.map((stage) => [stage.id, `${element} stages "${stage.id}"`]),
    'stage of this plan',
    problems,
  );
  return { id, signal, cycleLength, offset, offsetReference, stages, origin: 'geojson' };
}

function readStage(
  raw: unknown,
  element: string,
  groupIds: Set<string>,
  problems: ProblemList,
): Stage | undefined {
  if (!isObject(raw)) {
    problems.add('BAD_VALUE', element, `is ${shown(raw)}.`, 'Write each stage as an object.');
    return undefined;
  }
  const id = required(raw, 'id', element, text, problems);
  const greens = readGreens(raw, element, groupIds, problems);
  const [green, yellow, allRed, minGreen] = (
    ['green', 'yellow', 'allRed', 'minGreen'] as const
  ).map((key) => required(raw, key, element, finite, problems));
  const maxGreen = optional(raw, 'maxGreen', element, finite, problems);
  if (!id || !greens) return undefined;
  if (green === undefined || yellow === undefined || allRed === undefined || minGreen === undefined)
    return undefined;
  return {
    id,
    greens,
    green,
    yellow,
    allRed,
    minGreen,
    ...(maxGreen !== undefined ? { maxGreen } : {}),
  };
}

function readGreens(
  raw: JsonObject,
  element: string,
  groupIds: Set<string>,
  problems: ProblemList,
): Record<string, GreenKind> | undefined {
  const greens = required(raw, 'greens', element, object, problems);
  if (!greens) return undefined;
  const isGreenKind = oneOf(GREEN_KINDS).test;
  let valid = true;
  for (const [group, kind] of Object.entries(greens)) {
    if (!groupIds.has(group)) {
      valid = false;
      problems.add(
        'UNKNOWN_SIGNAL_GROUP',
        element,
        `gives green to signal group "${group}", which the signal does not have.`,
        `Name one of the signal's groups (${[...groupIds].join(', ')}), or add the group.`,
      );
    }
    if (!isGreenKind(kind)) {
      valid = false;
      problems.add(
        'BAD_VALUE',
        element,
        `gives signal group "${group}" the green ${shown(kind)}.`,
        'Give each green as "protected" or "permissive".',
      );
    }
  }
  return valid ? (greens as Record<string, GreenKind>) : undefined;
}

// ---- detectors ----------------------------------------------------------------------------------

function readDetector(
  raw: RawFeature,
  links: Links,
  problems: ProblemList,
): DetectorSpec | undefined {
  const { properties, element } = raw;
  const id = required(properties, 'id', element, text, problems);
  const linkId = required(properties, 'link', element, text, problems);
  const lane = required(properties, 'lane', element, laneIndex, problems);
  const given = optional(properties, 'position', element, nonNegative, problems);
  const zone = optional(properties, 'length', element, nonNegative, problems);
  const kind = optional(properties, 'kind', element, oneOf(DETECTOR_KINDS), problems);
  const point = readPoint(raw, 'detector', problems);
  const link = linkId === undefined ? undefined : links.byId.get(linkId);
  if (linkId !== undefined && !link && !links.ids.has(linkId)) {
    problems.add(
      'UNKNOWN_LINK',
      element,
      `is on link "${linkId}", which is not among the links.`,
      'Name the link the detector lies on.',
    );
  }
  if (!id || !link || lane === undefined || !point) return undefined;
  const laneCount = link.spec.lanes.length;
  if (laneCount > 0 && lane >= laneCount) {
    problems.add(
      'UNKNOWN_LANE',
      element,
      `is on lane ${lane} of link "${link.spec.id}", which has ${laneCount} lane(s).`,
      `Use a lane index from 0 (the rightmost lane) to ${laneCount - 1}.`,
    );
  }
  const position = given ?? projectOntoLink(point, link, element, problems);
  if (position === undefined) return undefined;
  if (position > (link.spec.length ?? 0) + 1) {
    problems.add(
      'BAD_VALUE',
      element,
      `"position" is ${position} m; link "${link.spec.id}" is ${Math.round(link.spec.length ?? 0)} m long.`,
      'Give the position in metres from the start of the lane, at most its length.',
    );
  }
  return {
    id,
    link: link.spec.id,
    lane,
    position,
    ...(zone !== undefined ? { length: zone } : {}),
    ...(kind !== undefined ? { kind } : {}),
  };
}

/** Metres along the link to the point nearest the detector's location. */
function projectOntoLink(
  point: Position,
  link: ParsedLink,
  element: string,
  problems: ProblemList,
): number | undefined {
  const nearest = nearestPointOnLine(lineString(link.spec.geometry), point, { units: 'meters' });
  if (nearest.properties.pointDistance <= DETECTOR_TOLERANCE)
    return nearest.properties.lineDistance;
  problems.add(
    'BAD_VALUE',
    element,
    `lies ${Math.round(nearest.properties.pointDistance)} m from link "${link.spec.id}".`,
    'Move the point onto the link, or give "position" in metres from the start of the lane.',
  );
  return undefined;
}
