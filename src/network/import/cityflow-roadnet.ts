// Reads a CityFlow roadnet (parsed JSON) into a NetworkSpec, each signal's built-in program kept as a timing plan.
import { InputFileError, ProblemList } from '../errors.ts';
import { polylineLength } from '../geometry.ts';
import type { NetworkSpec } from '../types.ts';
import { readIntersection } from './cityflow-intersections.ts';
import { readRoad } from './cityflow-roads.ts';
import { junctionCut, laneLength, toNetworkSpec } from './cityflow-spec.ts';
import type { CityflowIntersection, CityflowRoad } from './cityflow-types.ts';
import { fieldsOf, isDefined, isObject, list, text } from './json-fields.ts';

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
  const problems = new ProblemList(file);
  const roadnet = isObject(json) ? fieldsOf(json, 'roadnet', problems) : undefined;
  if (!roadnet) {
    problems.add(
      'FORMAT_UNKNOWN',
      'roadnet',
      'is not a JSON object.',
      'Give a CityFlow roadnet: an object with "intersections" and "roads" arrays.',
    );
    throw new InputFileError(file, problems.problems);
  }
  const rawIntersections = roadnet.required('intersections', list) ?? [];
  const rawRoads = roadnet.required('roads', list) ?? [];
  const intersectionIds = collectIds(rawIntersections, 'intersections', problems);
  const roadIds = collectIds(rawRoads, 'roads', problems);

  const roads = rawRoads
    .map((raw, position) =>
      readRoad(raw, elementName('roads', raw, position), intersectionIds, problems),
    )
    .filter(isDefined);
  const known = { roadIds, roads: new Map(roads.map((road) => [road.id, road])) };
  const intersections = rawIntersections
    .map((raw, position) =>
      readIntersection(raw, elementName('intersections', raw, position), known, problems),
    )
    .filter(isDefined);
  checkLaneLengths(roads, intersections, problems);
  problems.throwIfAny();

  return toNetworkSpec(file, intersections, roads);
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
      `is ${polylineLength(road.points, 'planar').toFixed(1)} m long, no longer than the junction ` +
        `widths at its ends (${junctionCut(start)} m + ${junctionCut(end)} m), so its lanes have no length.`,
      'Lengthen the road or reduce the "width" of its intersections.',
    );
  }
}
