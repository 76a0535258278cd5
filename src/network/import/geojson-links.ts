// Reads the links of a GeoJSON network: ends, centre line, lanes, lane-use arrows and speed limits.
import { distance, length, lineString } from '@turf/turf';
import type { ProblemList } from '../errors.ts';
import type { LaneSpec, LinkSpec, Position, TurnType } from '../types.ts';
import {
  checkFeatureIds,
  readLine,
  type Intersections,
  type ParsedIntersection,
  type RawFeature,
} from './geojson-features.ts';
import {
  fieldsOf,
  index,
  isDefined,
  list,
  oneOf,
  positive,
  readReference,
  shown,
  text,
  texts,
  type Expectation,
  type Fields,
} from './json-fields.ts';

/** Metres: the width of a lane that gives none. */
const DEFAULT_LANE_WIDTH = 3.5;
/** Metres per second (50 km/h): the speed limit of a link that gives none. */
const DEFAULT_SPEED_LIMIT = 13.89;
/**
 * Metres a link's end may lie from its intersection's point, beyond the intersection's radius: lines
 * drawn by hand end near, not on, the point; farther than this, from/to are likely swapped.
 */
const END_TOLERANCE = 50;

export const turnType = oneOf<TurnType>(['left', 'through', 'right', 'uturn']);

const laneCountOrList: Expectation<number | unknown[]> = {
  test: (value): value is number | unknown[] =>
    (index.test(value) && value > 0) || list.test(value),
  description: 'a whole number of at least 1, or an array of lane objects',
};
const laneArrows: Expectation<TurnType[][]> = {
  test: (value): value is TurnType[][] =>
    list.test(value) &&
    value.every((lane) => list.test(lane) && lane.length > 0 && lane.every(turnType.test)),
  description:
    'one array of turns per lane, rightmost first, e.g. [["right", "through"], ["left"]]',
};

export interface ParsedLink {
  spec: LinkSpec & { geometry: Position[] };
  /** The link's properties, where its `movements` are read. */
  fields: Fields;
  /** The raw `movements` array, when the file lists the link's movements. */
  movements?: unknown[];
}

export interface Links {
  parsed: ParsedLink[];
  byId: Map<string, ParsedLink>;
  /** Every id given, also of links that could not be read: no second report for those. */
  ids: Set<string>;
  /** Links by the intersection they leave. */
  leaving: Map<string, ParsedLink[]>;
}

/** The links, the first of each id. */
export function readLinks(
  features: RawFeature[],
  intersections: Intersections,
  problems: ProblemList,
): Links {
  const ids = checkFeatureIds(features, 'link', problems);
  const byId = new Map<string, ParsedLink>();
  for (const feature of features) {
    const link = readLink(feature, intersections);
    if (link && !byId.has(link.spec.id)) byId.set(link.spec.id, link);
  }
  const parsed = [...byId.values()];
  const leaving = new Map<string, ParsedLink[]>();
  for (const link of parsed) {
    leaving.set(link.spec.from, [...(leaving.get(link.spec.from) ?? []), link]);
  }
  return { parsed, byId, ids, leaving };
}

function readLink(feature: RawFeature, intersections: Intersections): ParsedLink | undefined {
  const { fields } = feature;
  const id = fields.required('id', text);
  const from = readLinkEnd(fields, 'from', intersections);
  const to = readLinkEnd(fields, 'to', intersections);
  const name = fields.optional('name', text);
  const speedLimit = readSpeed(fields) ?? DEFAULT_SPEED_LIMIT;
  const lanes = readLanes(fields, speedLimit);
  const turns = readLaneTurns(fields, lanes?.length);
  const movements = fields.optional('movements', list);
  const geometry = readLine(feature);
  if (!id || !from || !to || !geometry) return undefined;
  checkLinkEnds(fields, geometry, from, to);

  const linkLength = length(lineString(geometry), { units: 'meters' });
  const spec = {
    id,
    from: from.spec.id,
    to: to.spec.id,
    // A link with bad lanes is kept with none, so that its movements are still known.
    lanes: (lanes ?? []).map((lane, index): LaneSpec => ({
      index,
      length: linkLength,
      ...lane,
      ...(turns ? { turns: [...turns[index]!] } : {}),
    })),
    geometry,
    length: linkLength,
    ...(name !== undefined ? { name } : {}),
  };
  return { spec, fields, ...(movements ? { movements } : {}) };
}

function readLinkEnd(
  fields: Fields,
  key: 'from' | 'to',
  intersections: Intersections,
): ParsedIntersection | undefined {
  const id = readReference(fields, key, intersections.ids, 'UNKNOWN_INTERSECTION', 'intersection');
  return id === undefined ? undefined : intersections.byId.get(id);
}

/** A link is drawn from its upstream to its downstream intersection; far-off ends mean a mix-up. */
function checkLinkEnds(
  fields: Fields,
  geometry: Position[],
  from: ParsedIntersection,
  to: ParsedIntersection,
): void {
  const ends: [Position, ParsedIntersection, string][] = [
    [geometry[0]!, from, 'starts'],
    [geometry[geometry.length - 1]!, to, 'ends'],
  ];
  for (const [end, intersection, verb] of ends) {
    const gap = distance(end, intersection.spec.position, { units: 'meters' });
    if (gap <= END_TOLERANCE + (intersection.spec.radius ?? 0)) continue;
    fields.problem(
      'BAD_VALUE',
      `${verb} ${Math.round(gap)} m from its intersection "${intersection.spec.id}".`,
      `Draw the line from "${from.spec.id}" to "${to.spec.id}" (upstream to downstream), or correct "from" and "to".`,
    );
  }
}

/** Metres per second from `speedLimit` (m/s) or `speedKmh`; undefined when neither is given. */
function readSpeed(fields: Fields): number | undefined {
  const metresPerSecond = fields.optional('speedLimit', positive);
  const kmh = fields.optional('speedKmh', positive);
  if (fields.raw('speedLimit') !== undefined && fields.raw('speedKmh') !== undefined) {
    return fields.problem(
      'BAD_VALUE',
      'gives both "speedLimit" and "speedKmh".',
      'Give the speed limit once: "speedLimit" in m/s or "speedKmh" in km/h.',
    );
  }
  return metresPerSecond ?? (kmh && kmh / 3.6);
}

type LaneTemplate = Omit<LaneSpec, 'index' | 'length'>;

/** The lanes from `lanes`: a count, or one object per lane from the right. Undefined when bad. */
function readLanes(fields: Fields, speedLimit: number): LaneTemplate[] | undefined {
  const given = fields.raw('lanes');
  if (given === undefined || given === 0 || (list.test(given) && given.length === 0)) {
    return fields.problem(
      'LINK_WITHOUT_LANES',
      given === undefined ? 'has no "lanes".' : `has "lanes": ${shown(given)}.`,
      'Give "lanes" as a count of at least 1, or an array of lane objects from the rightmost lane.',
    );
  }
  const lanes = fields.optional('lanes', laneCountOrList);
  if (typeof lanes === 'number') {
    return Array.from({ length: lanes }, () => ({ width: DEFAULT_LANE_WIDTH, speedLimit }));
  }
  const read = lanes?.map((lane, position) =>
    readLane(lane, `${fields.element} lanes[${position}]`, speedLimit, fields.problems),
  );
  return read?.every(isDefined) ? read : undefined;
}

function readLane(
  lane: unknown,
  element: string,
  speedLimit: number,
  problems: ProblemList,
): LaneTemplate | undefined {
  const fix = 'Write each lane as an object, e.g. { "width": 3.25 }, or give "lanes" as a count.';
  const fields = fieldsOf(lane, element, problems, fix);
  if (!fields) return undefined;
  const width = fields.optional('width', positive);
  const saturationFlow = fields.optional('saturationFlow', positive);
  const allow = fields.optional('allow', texts);
  const laneSpeed = readSpeed(fields);
  return {
    width: width ?? DEFAULT_LANE_WIDTH,
    speedLimit: laneSpeed ?? speedLimit,
    ...(saturationFlow !== undefined ? { saturationFlow } : {}),
    ...(allow !== undefined ? { allow } : {}),
  };
}

/** `turns`: the lane-use arrows of each lane, rightmost first, e.g. [["right","through"],["left"]]. */
function readLaneTurns(fields: Fields, laneCount: number | undefined): TurnType[][] | undefined {
  const turns = fields.optional('turns', laneArrows);
  if (!turns || laneCount === undefined || turns.length === laneCount) return turns;
  return fields.problem(
    'BAD_VALUE',
    `"turns" lists ${turns.length} lane(s); the link has ${laneCount}.`,
    'Give the arrows of every lane, rightmost first.',
  );
}
