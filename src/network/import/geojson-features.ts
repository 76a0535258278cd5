// Sorts a GeoJSON network's features by type, reads their geometry, and reads the intersections.
import type { ProblemList } from '../errors.ts';
import type { IntersectionKind, IntersectionSpec, Position } from '../types.ts';
import {
  fieldsOf,
  finite,
  isDefined,
  isObject,
  jsonObject,
  nonNegative,
  oneOf,
  shown,
  text,
  type Fields,
} from './json-fields.ts';

const FEATURE_TYPES = ['intersection', 'link', 'detector'] as const;
const featureType = oneOf(FEATURE_TYPES);
const intersectionKind = oneOf<IntersectionKind>([
  'signalized',
  'priority',
  'unsignalized',
  'boundary',
]);
const BAD_POSITION_FIX =
  'Give [longitude, latitude] in WGS84 degrees (not GCJ-02 or BD-09, nor a projected system).';

type FeatureType = (typeof FEATURE_TYPES)[number];

/** A feature of a known type: its properties, named `features[3] (link "L1")`, and its geometry. */
export interface RawFeature {
  fields: Fields;
  geometry: unknown;
}

/** Sorts the features by `properties.type`, reporting those that are not one of ours. */
export function classifyFeatures(
  features: unknown[],
  problems: ProblemList,
): Record<FeatureType, RawFeature[]> {
  const sorted: Record<FeatureType, RawFeature[]> = { intersection: [], link: [], detector: [] };
  features.forEach((feature, position) => {
    const at = `features[${position}]`;
    const fields =
      isObject(feature) && feature.type === 'Feature' && fieldsOf(feature, at, problems);
    if (!fields) {
      problems.add(
        'BAD_VALUE',
        at,
        'is not a GeoJSON Feature.',
        'Give an object with "type": "Feature", a "geometry" and "properties".',
      );
      return;
    }
    const properties = fields.required('properties', jsonObject);
    const type = properties && fieldsOf(properties, at, problems)?.required('type', featureType);
    if (!properties || !type) return;
    const label = text.test(properties.id) ? ` (${type} ${JSON.stringify(properties.id)})` : '';
    const named = fieldsOf(properties, `${at}${label}`, problems);
    if (named) sorted[type].push({ fields: named, geometry: fields.raw('geometry') });
  });
  return sorted;
}

/** Reports each id given twice: `kind` names what they are. */
export function checkUniqueIds(
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

/** The ids the features give, also of features that cannot be read, reporting each one twice. */
export function checkFeatureIds(
  features: RawFeature[],
  kind: string,
  problems: ProblemList,
): Set<string> {
  const entries = features.flatMap(({ fields }): [string, string][] => {
    const id = fields.raw('id');
    return text.test(id) ? [[id, fields.element]] : [];
  });
  checkUniqueIds(entries, kind, problems);
  return new Set(entries.map(([id]) => id));
}

// ---- geometry -----------------------------------------------------------------------------------

function readPosition(value: unknown): Position | undefined {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) return undefined;
  const [longitude, latitude] = value as unknown[];
  if (!finite.test(longitude) || !finite.test(latitude)) return undefined;
  if (Math.abs(longitude) > 180 || Math.abs(latitude) > 90) return undefined;
  return [longitude, latitude];
}

/** The geometry's coordinates when it is of the type the feature needs. */
function readCoordinates(
  { fields, geometry }: RawFeature,
  type: 'Point' | 'LineString',
  kind: FeatureType,
): unknown {
  if (isObject(geometry) && geometry.type === type) return geometry.coordinates;
  const found = shown(isObject(geometry) ? geometry.type : geometry);
  return fields.problem(
    'BAD_VALUE',
    `has geometry ${found}; a ${kind} is a ${type}.`,
    `Draw the ${kind} as a ${type}.`,
  );
}

export function readPoint(feature: RawFeature, kind: FeatureType): Position | undefined {
  const coordinates = readCoordinates(feature, 'Point', kind);
  if (coordinates === undefined) return undefined;
  const position = readPosition(coordinates);
  if (position) return position;
  return feature.fields.problem(
    'BAD_VALUE',
    `has coordinates ${shown(coordinates)}.`,
    BAD_POSITION_FIX,
  );
}

export function readLine(feature: RawFeature): Position[] | undefined {
  const coordinates = readCoordinates(feature, 'LineString', 'link');
  if (coordinates === undefined) return undefined;
  const positions = Array.isArray(coordinates) ? coordinates.map(readPosition) : [];
  if (positions.length >= 2 && positions.every(isDefined)) return positions;
  return feature.fields.problem(
    'BAD_VALUE',
    `has line coordinates ${shown(coordinates)}.`,
    `Give at least two positions. ${BAD_POSITION_FIX}`,
  );
}

// ---- intersections ------------------------------------------------------------------------------

export interface ParsedIntersection {
  spec: IntersectionSpec;
  /** The intersection's properties; its `signal` is read once the movements are known. */
  fields: Fields;
}

export interface Intersections {
  parsed: ParsedIntersection[];
  byId: Map<string, ParsedIntersection>;
  /** Every id given, also of intersections that could not be read: no second report for those. */
  ids: Set<string>;
}

/** The intersections, the first of each id. */
export function readIntersections(features: RawFeature[], problems: ProblemList): Intersections {
  const ids = checkFeatureIds(features, 'intersection', problems);
  const byId = new Map<string, ParsedIntersection>();
  for (const intersection of features.map(readIntersection).filter(isDefined)) {
    if (!byId.has(intersection.spec.id)) byId.set(intersection.spec.id, intersection);
  }
  return { parsed: [...byId.values()], byId, ids };
}

function readIntersection(feature: RawFeature): ParsedIntersection | undefined {
  const { fields } = feature;
  const id = fields.required('id', text);
  const kind = fields.required('kind', intersectionKind);
  const name = fields.optional('name', text);
  const radius = fields.optional('radius', nonNegative);
  const position = readPoint(feature, 'intersection');
  if (!id || !kind || !position) return undefined;
  const spec: IntersectionSpec = {
    id,
    kind,
    ...(name !== undefined ? { name } : {}),
    position,
    ...(radius !== undefined ? { radius } : {}),
  };
  return { spec, fields };
}
