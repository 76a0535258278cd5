// Reads the roads of a CityFlow roadnet: ends, centre line and lanes, each checked.
import type { ProblemList } from '../errors.ts';
import type { Position } from '../types.ts';
import type { CityflowLane, CityflowRoad } from './cityflow-types.ts';
import { fieldsOf, finite, positive, readReference, text, type Fields } from './json-fields.ts';

/** One road of the file; undefined, with problems, when any part of it is bad. */
export function readRoad(
  raw: unknown,
  element: string,
  intersectionIds: Set<string>,
  problems: ProblemList,
): CityflowRoad | undefined {
  const fields = fieldsOf(raw, element, problems, 'Write each road as a JSON object.');
  if (!fields) return undefined;
  const id = fields.required('id', text);
  const intersection = (key: string) =>
    readReference(fields, key, intersectionIds, 'UNKNOWN_INTERSECTION', 'intersection');
  const startIntersection = intersection('startIntersection');
  const endIntersection = intersection('endIntersection');
  const points = readRoadPoints(fields);
  const lanes = readLanes(fields);
  if (!id || !startIntersection || !endIntersection || !points || !lanes) return undefined;
  return { id, element, startIntersection, endIntersection, points, lanes };
}

/** An `{"x", "y"}` point. */
export function readPoint(fields: Fields): Position | undefined {
  const x = fields.required('x', finite);
  const y = fields.required('y', finite);
  return x === undefined || y === undefined ? undefined : [x, y];
}

function readRoadPoints(fields: Fields): Position[] | undefined {
  const points = fields.each('points', readPoint);
  if (!points || points.length >= 2) return points;
  return fields.problem(
    'BAD_VALUE',
    `has ${points.length} point(s); a road's centre line needs at least two.`,
    'Give the points from the start intersection to the end intersection.',
  );
}

function readLanes(fields: Fields): CityflowLane[] | undefined {
  const lanes = fields.each('lanes', readLane);
  if (lanes?.length !== 0) return lanes;
  return fields.problem(
    'LINK_WITHOUT_LANES',
    'has no lanes.',
    'Give the road at least one lane: {"width": 4, "maxSpeed": 11.111}.',
  );
}

function readLane(fields: Fields): CityflowLane | undefined {
  const width = fields.required('width', positive);
  const maxSpeed = fields.required('maxSpeed', positive);
  return width === undefined || maxSpeed === undefined ? undefined : { width, maxSpeed };
}
