// Turns a checked CityFlow roadnet into a NetworkSpec: nodes, links, movements and signals.
import { DEFAULT_MIN_GREEN } from '../build.ts';
import { polylineLength } from '../geometry.ts';
import type {
  IntersectionKind,
  IntersectionSpec,
  LaneConnection,
  LaneSpec,
  LinkSpec,
  MovementSpec,
  NetworkSpec,
  SignalSpec,
  TurnType,
} from '../types.ts';
import { cityflowProgram } from './cityflow-program.ts';
import {
  TURN_OF_ROAD_LINK,
  type CityflowIntersection,
  type CityflowRoad,
  type CityflowRoadLink,
} from './cityflow-types.ts';

/** The network spec of a roadnet read whole; `file` names it. */
export function toNetworkSpec(
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

/** How far CityFlow cuts a lane back at this end, metres: the junction radius, none at the map's edge. */
export function junctionCut(intersection: CityflowIntersection): number {
  return intersection.virtual ? 0 : (intersection.width ?? 0);
}

/** Stop line to stop line, metres: what CityFlow's vehicles drive and queue on. */
export function laneLength(
  road: CityflowRoad,
  start: CityflowIntersection,
  end: CityflowIntersection,
): number {
  return polylineLength(road.points, 'planar') - junctionCut(start) - junctionCut(end);
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
  const length = polylineLength(road.points, 'planar');
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
      minGreen: DEFAULT_MIN_GREEN.vehicle,
    })),
    programs: intersection.trafficLight
      ? [cityflowProgram(intersection.id, intersection.trafficLight, roadLinks)]
      : [],
  };
}
