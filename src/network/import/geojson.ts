// Reads greenwave's own GeoJSON network format (described by geojson.schema.json) into a NetworkSpec.
import { InputFileError, ProblemList } from '../errors.ts';
import type { NetworkSpec } from '../types.ts';
import { classifyFeatures, readIntersections } from './geojson-features.ts';
import { readDetectors } from './geojson-detectors.ts';
import { readLinks } from './geojson-links.ts';
import { linkMovements, movementId } from './geojson-movements.ts';
import { readSignals } from './geojson-signals.ts';
import { fieldsOf, isObject, jsonObject, list, shown, text, type Fields } from './json-fields.ts';

/** The format version this reader knows (`"greenwave": { "version": 1 }`). */
const FORMAT_VERSION = 1;

/**
 * Reads a network in greenwave's GeoJSON format: a FeatureCollection (WGS84 lon/lat) of
 * `intersection` points, `link` line strings drawn from upstream to downstream, and `detector`
 * points; see `geojson.schema.json` for every field.
 *
 * - Link and lane lengths come from the line's geodesic length in metres.
 * - Lanes default to 3.5 m wide and to the link's speed limit (13.89 m/s, 50 km/h, when none);
 *   a link's `turns` become its lanes' `turns` (lane-use arrows), an intersection's `name` its name.
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
  const problems = new ProblemList(file);
  const collection = readCollection(json, file, problems);
  const name = collection.optional('name', text) ?? baseName(file);
  checkVersion(collection);
  const features = classifyFeatures(collection.required('features', list) ?? [], problems);

  const intersections = readIntersections(features.intersection, problems);
  const links = readLinks(features.link, intersections, problems);
  const movements = links.parsed.flatMap((link) => linkMovements(link, links, problems));
  const signals = readSignals(intersections.parsed, movements, links, problems);
  const detectors = readDetectors(features.detector, links, problems);
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

/** The FeatureCollection, parsed from text when given text; throws when it is not one. */
function readCollection(json: unknown, file: string, problems: ProblemList): Fields {
  const root = typeof json === 'string' ? parseText(json, file) : json;
  const isCollection =
    isObject(root) && root.type === 'FeatureCollection' && Array.isArray(root.features);
  const collection = isCollection && fieldsOf(root, 'FeatureCollection', problems);
  if (collection) return collection;
  throw new InputFileError(file, [
    {
      code: 'FORMAT_UNKNOWN',
      element: 'file',
      message: 'is not a GeoJSON FeatureCollection.',
      fix: 'Give an object with "type": "FeatureCollection" and a "features" array.',
    },
  ]);
}

function parseText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
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

function checkVersion(collection: Fields): void {
  const version = collection.optional('greenwave', jsonObject)?.version;
  if (version === undefined || version === FORMAT_VERSION) return;
  collection.problems.add(
    'BAD_VALUE',
    'FeatureCollection greenwave',
    `"version" is ${shown(version)}; this reader knows version ${FORMAT_VERSION}.`,
    `Write the file in version ${FORMAT_VERSION} of the format, or leave "version" out.`,
  );
}

function baseName(file: string): string {
  return (file.split(/[\\/]/).pop() ?? file).replace(/\.(geo)?json$/i, '');
}
