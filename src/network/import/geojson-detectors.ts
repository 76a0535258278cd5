// Reads the detectors of a GeoJSON network, placing each one on its link's lane.
import { lineString, nearestPointOnLine } from '@turf/turf';
import type { ProblemList } from '../errors.ts';
import type { DetectorSpec, Position } from '../types.ts';
import { checkFeatureIds, readPoint, type RawFeature } from './geojson-features.ts';
import type { Links, ParsedLink } from './geojson-links.ts';
import { index, isDefined, nonNegative, oneOf, text, type Fields } from './json-fields.ts';

/** Metres a detector's point may lie from its link's centre line when its position is derived. */
const DETECTOR_TOLERANCE = 50;

const detectorKind = oneOf(['stopline', 'advance', 'count'] as const);

/** The detectors that can be read, each duplicate id reported. */
export function readDetectors(
  features: RawFeature[],
  links: Links,
  problems: ProblemList,
): DetectorSpec[] {
  checkFeatureIds(features, 'detector', problems);
  return features.map((feature) => readDetector(feature, links)).filter(isDefined);
}

function readDetector(feature: RawFeature, links: Links): DetectorSpec | undefined {
  const { fields } = feature;
  const id = fields.required('id', text);
  const linkId = fields.required('link', text);
  const lane = fields.required('lane', index);
  const given = fields.optional('position', nonNegative);
  const zone = fields.optional('length', nonNegative);
  const kind = fields.optional('kind', detectorKind);
  const point = readPoint(feature, 'detector');
  if (linkId !== undefined && !links.ids.has(linkId)) {
    fields.problem(
      'UNKNOWN_LINK',
      `is on link "${linkId}", which is not among the links.`,
      'Name the link the detector lies on.',
    );
  }
  const link = linkId === undefined ? undefined : links.byId.get(linkId);
  if (!id || !link || lane === undefined || !point) return undefined;
  checkLane(fields, link, lane);
  const position = given ?? projectOntoLink(fields, point, link);
  if (position === undefined) return undefined;
  if (position > (link.spec.length ?? 0) + 1) {
    fields.problem(
      'BAD_VALUE',
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

function checkLane(fields: Fields, link: ParsedLink, lane: number): void {
  const laneCount = link.spec.lanes.length;
  if (laneCount === 0 || lane < laneCount) return; // no lanes: the link's problem, reported
  fields.problem(
    'UNKNOWN_LANE',
    `is on lane ${lane} of link "${link.spec.id}", which has ${laneCount} lane(s).`,
    `Use a lane index from 0 (the rightmost lane) to ${laneCount - 1}.`,
  );
}

/** Metres along the link to the point nearest the detector's location. */
function projectOntoLink(fields: Fields, point: Position, link: ParsedLink): number | undefined {
  const nearest = nearestPointOnLine(lineString(link.spec.geometry), point, { units: 'meters' });
  const { pointDistance, lineDistance } = nearest.properties;
  if (pointDistance <= DETECTOR_TOLERANCE) return lineDistance;
  return fields.problem(
    'BAD_VALUE',
    `lies ${Math.round(pointDistance)} m from link "${link.spec.id}".`,
    'Move the point onto the link, or give "position" in metres from the start of the lane.',
  );
}
