// Reads the intersections of a CityFlow roadnet: point, width, road links and lane links, each checked.
import type { ProblemList } from '../errors.ts';
import { readPoint } from './cityflow-roads.ts';
import { readTrafficLight } from './cityflow-traffic-light.ts';
import {
  TURN_OF_ROAD_LINK,
  type CityflowIntersection,
  type CityflowLaneLink,
  type CityflowRoad,
  type CityflowRoadLink,
  type KnownRoads,
  type RoadLinkType,
} from './cityflow-types.ts';
import {
  fieldsOf,
  flag,
  index,
  list,
  nonNegative,
  readReference,
  shown,
  text,
  type Expectation,
  type Fields,
} from './json-fields.ts';

const roadLinkType: Expectation<RoadLinkType> = {
  test: (value): value is RoadLinkType => typeof value === 'string' && value in TURN_OF_ROAD_LINK,
  description: '"go_straight", "turn_left" or "turn_right"',
};

/** One intersection of the file; undefined, with problems, when any part of it is bad. */
export function readIntersection(
  raw: unknown,
  element: string,
  known: KnownRoads,
  problems: ProblemList,
): CityflowIntersection | undefined {
  const fields = fieldsOf(raw, element, problems, 'Write each intersection as a JSON object.');
  if (!fields) return undefined;
  const id = fields.required('id', text);
  const pointFields = fields.object('point', 'required');
  const point = pointFields && readPoint(pointFields);
  const virtual = fields.required('virtual', flag);
  checkIntersectionRoads(fields, known.roadIds);
  if (!id || !point || virtual === undefined) return undefined;
  if (virtual) {
    // CityFlow reads nothing more of a virtual intersection; its width may still give a radius.
    const width = fields.optional('width', nonNegative);
    return { id, virtual, point, ...(width === undefined ? {} : { width }), roadLinks: [] };
  }
  const width = fields.required('width', nonNegative);
  const roadLinks = fields.each('roadLinks', (roadLink) => readRoadLink(roadLink, id, known));
  const lightFields = fields.object('trafficLight', 'optional');
  const trafficLight = lightFields && roadLinks && readTrafficLight(lightFields, roadLinks.length);
  if (width === undefined || !roadLinks || (lightFields && !trafficLight)) return undefined;
  return { id, virtual, point, width, roadLinks, ...(trafficLight ? { trafficLight } : {}) };
}

function checkIntersectionRoads(fields: Fields, roadIds: Set<string>): void {
  const roads = fields.optional('roads', list) ?? [];
  roads.forEach((road, position) => {
    if (typeof road === 'string' && roadIds.has(road)) return;
    fields.problems.add(
      'UNKNOWN_LINK',
      `${fields.element}.roads[${position}]`,
      `names road ${shown(road)}, which is not among the roads.`,
      'Name a road of the file, or remove the entry.',
    );
  });
}

function readRoadLink(
  fields: Fields,
  intersection: string,
  known: KnownRoads,
): CityflowRoadLink | undefined {
  const type = fields.required('type', roadLinkType);
  const startRoad = readReference(fields, 'startRoad', known.roadIds, 'UNKNOWN_LINK', 'road');
  const endRoad = readReference(fields, 'endRoad', known.roadIds, 'UNKNOWN_LINK', 'road');
  const start = startRoad === undefined ? undefined : known.roads.get(startRoad);
  const end = endRoad === undefined ? undefined : known.roads.get(endRoad);
  const atIntersection = start && end && checkAtIntersection(fields, start, end, intersection);
  const laneLinks = fields.each('laneLinks', (laneLink) => readLaneLink(laneLink, start, end));
  if (laneLinks && laneLinks.length === 0) {
    return fields.problem(
      'BAD_VALUE',
      'has no laneLinks, so no vehicle can make this movement.',
      'Add a laneLink from a lane of the start road to a lane of the end road.',
    );
  }
  if (!type || !startRoad || !endRoad || !atIntersection || !laneLinks) return undefined;
  return { type, startRoad, endRoad, laneLinks };
}

function checkAtIntersection(
  fields: Fields,
  start: CityflowRoad,
  end: CityflowRoad,
  intersection: string,
): boolean {
  if (start.endIntersection === intersection && end.startIntersection === intersection) return true;
  fields.problem(
    'MOVEMENT_NOT_AT_INTERSECTION',
    `joins road "${start.id}" (ending at "${start.endIntersection}") to road "${end.id}" ` +
      `(starting at "${end.startIntersection}"), not at "${intersection}".`,
    `List the road link under the intersection both roads meet at, or correct its roads.`,
  );
  return false;
}

function readLaneLink(
  fields: Fields,
  start: CityflowRoad | undefined,
  end: CityflowRoad | undefined,
): CityflowLaneLink | undefined {
  const startLaneIndex = readLaneIndex(fields, 'startLaneIndex', start);
  const endLaneIndex = readLaneIndex(fields, 'endLaneIndex', end);
  if (startLaneIndex === undefined || endLaneIndex === undefined) return undefined;
  return { startLaneIndex, endLaneIndex };
}

function readLaneIndex(
  fields: Fields,
  key: 'startLaneIndex' | 'endLaneIndex',
  road: CityflowRoad | undefined,
): number | undefined {
  const lane = fields.required(key, index);
  if (lane === undefined || !road || lane < road.lanes.length) return lane;
  return fields.problem(
    'UNKNOWN_LANE',
    `"${key}" is ${lane}, but road "${road.id}" has ${road.lanes.length} lane(s).`,
    `Use a lane index from 0 to ${road.lanes.length - 1} (0 is the innermost lane).`,
  );
}
