// What the web page's map draws: intersections, links with their geometry, detectors with a point.
// Pure; the route is `GET /api/v1/network/map`. Test: npx vitest run src/api/network-map.test.ts
import type { DetectorMap } from '../ingest/detector-map.ts';
import type {
  CoordinateSystem,
  IntersectionKind,
  Position,
  RoadNetwork,
} from '../network/types.ts';

export interface MapIntersection {
  id: string;
  kind: IntersectionKind;
  name?: string;
  /** The signal (controller) running it, if any. */
  signal?: string;
  position: Position;
}

export interface MapLink {
  id: string;
  from: string;
  to: string;
  name?: string;
  lanes: number;
  /** Metres. */
  length: number;
  /** m/s. */
  speedLimit: number;
  /** Centre line, upstream to downstream. */
  geometry: Position[];
}

export interface MapDetector {
  id: string;
  site: string;
  link: string;
  lane: number;
  kind: string;
  /** Metres from the start of the link. */
  offset: number;
  /** Implied stop-line detector (the network has none on this lane). */
  implied: boolean;
  /** Where it sits, on the link's centre line. */
  position: Position;
}

export interface NetworkMap {
  name: string;
  /** `lonlat`: positions are [longitude, latitude]; `planar`: [x, y] metres. */
  coordinates: CoordinateSystem;
  /** [west, south, east, north] of every position. */
  bounds: [number, number, number, number];
  intersections: MapIntersection[];
  links: MapLink[];
  detectors: MapDetector[];
}

/**
 * The network as a map: every intersection with its position and signal, every link with its
 * centre line and lane count, every detector of `detectors` (the engine's map, implied stop-line
 * detectors included) placed on its link's centre line at its offset.
 *
 * @example
 * networkMap(network, detectorMap(network)).links[0]
 * // => { id: 'jinshui-eb-0', from: 'jinshui-west', to: 'chengdong', lanes: 3, geometry: [[113.684, 34.76265], …], … }
 */
export function networkMap(network: RoadNetwork, detectors: DetectorMap): NetworkMap {
  const intersections = network.mapNodes((id, attributes): MapIntersection => ({
    id,
    kind: attributes.kind,
    ...(attributes.name === undefined ? {} : { name: attributes.name }),
    ...(attributes.signal === undefined ? {} : { signal: attributes.signal }),
    position: attributes.position,
  }));
  const links = network.mapEdges((id, attributes, from, to): MapLink => ({
    id,
    from,
    to,
    ...(attributes.name === undefined ? {} : { name: attributes.name }),
    lanes: attributes.lanes.length,
    length: attributes.length,
    speedLimit: attributes.speedLimit,
    geometry: attributes.geometry,
  }));
  const mapped = Object.values(detectors.detectors)
    .filter((detector) => network.hasEdge(detector.link))
    .map((detector): MapDetector => ({
      id: detector.id,
      site: detector.site,
      link: detector.link,
      lane: detector.lane,
      kind: detector.kind,
      offset: detector.position,
      implied: detector.implied,
      position: pointAlong(
        network.getEdgeAttribute(detector.link, 'geometry'),
        detector.position / Math.max(network.getEdgeAttribute(detector.link, 'length'), 1e-9),
      ),
    }));
  return {
    name: network.getAttribute('name'),
    coordinates: network.getAttribute('coordinates'),
    bounds: boundsOf([
      ...intersections.map((intersection) => intersection.position),
      ...links.flatMap((link) => link.geometry),
    ]),
    intersections,
    links,
    detectors: mapped,
  };
}

/**
 * The point a `fraction` (0..1, clamped) of the way along a polyline, by its drawn length: close
 * enough for a map marker in either coordinate system over a city block.
 *
 * @example
 * pointAlong([[0, 0], [10, 0], [10, 10]], 0.75) // => [10, 5]
 */
export function pointAlong(points: readonly Position[], fraction: number): Position {
  if (points.length === 0)
    throw new RangeError('pointAlong: give a polyline of at least one point');
  const segments = points.slice(1).map((point, index) => {
    const start = points[index]!;
    return { start, end: point, length: Math.hypot(point[0] - start[0], point[1] - start[1]) };
  });
  const total = segments.reduce((sum, segment) => sum + segment.length, 0);
  let remaining = Math.min(Math.max(fraction, 0), 1) * total;
  for (const { start, end, length } of segments) {
    if (remaining <= length && length > 0) {
      const share = remaining / length;
      return [start[0] + share * (end[0] - start[0]), start[1] + share * (end[1] - start[1])];
    }
    remaining -= length;
  }
  return [...points[points.length - 1]!] as Position;
}

function boundsOf(positions: readonly Position[]): [number, number, number, number] {
  if (positions.length === 0) return [0, 0, 0, 0];
  const xs = positions.map((position) => position[0]);
  const ys = positions.map((position) => position[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}
