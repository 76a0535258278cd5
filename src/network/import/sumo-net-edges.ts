// Reads the edges of a SUMO network: normal edges with their lanes become links; the rest are kept aside.
import type { ProblemList } from '../errors.ts';
import type { IntersectionSpec, LaneSpec, LinkSpec, Position } from '../types.ts';
import { attributeReader, type AttributeReader } from './sumo-net-attributes.ts';
import { report } from './sumo-net-problems.ts';
import { childrenTagged, describe, splitIds, type XmlElement } from './sumo-xml.ts';

/** SUMO's default lane width, metres, for lanes that give none. */
const DEFAULT_LANE_WIDTH = 3.2;

/** A SUMO edge of function `normal`: a road link between two junctions. */
export interface SumoEdge {
  id: string;
  from: string;
  to: string;
  lanes: LaneSpec[];
  geometry?: Position[];
  name?: string;
}

/** An edge inside a junction (`internal`, `crossing`, `walkingarea`): never a link. */
export interface SpecialEdge {
  id: string;
  function: string;
  /** For a crossing: metres walked, and the road edges it spans. */
  length?: number;
  crossingEdges?: string[];
}

export interface Edges {
  normal: Map<string, SumoEdge>;
  special: Map<string, SpecialEdge>;
  /** Edges with a problem already reported: connections to them are not checked again. */
  broken: Set<string>;
}

interface ParsedLane {
  spec: LaneSpec;
  shape?: Position[];
}

/** Every edge of the network by id, sorted by function; a bad normal edge is reported and broken. */
export function readEdges(net: XmlElement, problems: ProblemList): Edges {
  const normal = new Map<string, SumoEdge>();
  const special = new Map<string, SpecialEdge>();
  const broken = new Set<string>();
  childrenTagged(net, 'edge').forEach((element, position) => {
    const read = attributeReader(element, describe(element, `edge #${position + 1}`), problems);
    const id = read.text('id');
    if (id === undefined) return;
    if (normal.has(id) || special.has(id)) {
      report(problems, 'duplicateId', read.label, 'edge');
      return;
    }
    const edgeFunction = read.optional('function') ?? 'normal';
    if (edgeFunction !== 'normal') {
      special.set(id, specialEdgeOf(id, edgeFunction, element));
      return;
    }
    const edge = normalEdgeOf(id, element, read, problems);
    if (edge) normal.set(id, edge);
    else broken.add(id);
  });
  return { normal, special, broken };
}

function specialEdgeOf(id: string, edgeFunction: string, element: XmlElement): SpecialEdge {
  const length = Number(childrenTagged(element, 'lane')[0]?.attributes.length);
  const spanned = splitIds(element.attributes.crossingEdges);
  return {
    id,
    function: edgeFunction,
    ...(Number.isFinite(length) ? { length } : {}),
    ...(spanned.length > 0 ? { crossingEdges: spanned } : {}),
  };
}

function normalEdgeOf(
  id: string,
  element: XmlElement,
  read: AttributeReader,
  problems: ProblemList,
): SumoEdge | undefined {
  const from = read.text('from');
  const to = read.text('to');
  const shape = read.shape('shape');
  const laneElements = childrenTagged(element, 'lane');
  if (laneElements.length === 0) report(problems, 'noLanes', read.label);
  const lanes = laneElements.map((lane) => laneOf(lane, read.label, problems));
  const incomplete = lanes.length === 0 || lanes.some((lane) => lane === undefined);
  if (from === undefined || to === undefined || incomplete) return undefined;
  const complete = lanes.filter((lane): lane is ParsedLane => lane !== undefined);
  const geometry = shape ?? middleLane(complete)?.shape;
  const name = read.optional('name');
  return {
    id,
    from,
    to,
    lanes: complete.map((lane) => lane.spec),
    ...(geometry && geometry.length >= 2 ? { geometry } : {}),
    ...(name ? { name } : {}),
  };
}

function laneOf(element: XmlElement, edge: string, problems: ProblemList): ParsedLane | undefined {
  const read = attributeReader(element, describe(element, `lane of ${edge}`), problems);
  const index = read.number('index', { required: true, integer: true });
  const length = read.number('length', { required: true });
  const speedLimit = read.number('speed', { required: true });
  const width = read.number('width', { required: false }) ?? DEFAULT_LANE_WIDTH;
  const shape = read.shape('shape');
  if (index === undefined || length === undefined || speedLimit === undefined) return undefined;
  const allow = read.optional('allow')?.trim();
  return {
    spec: {
      index,
      length,
      speedLimit,
      width,
      // `allow="all"` restricts nothing; `disallow` is left to the reader of the lane.
      ...(allow && allow !== 'all' ? { allow: allow.split(/\s+/) } : {}),
    },
    ...(shape ? { shape } : {}),
  };
}

function middleLane(lanes: ParsedLane[]): ParsedLane | undefined {
  const sorted = [...lanes].sort((a, b) => a.spec.index - b.spec.index);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The link a normal edge becomes: as long as its longest lane. */
export function linkOf(edge: SumoEdge): LinkSpec {
  return {
    id: edge.id,
    from: edge.from,
    to: edge.to,
    lanes: edge.lanes,
    length: Math.max(...edge.lanes.map((lane) => lane.length)),
    ...(edge.geometry ? { geometry: edge.geometry } : {}),
    ...(edge.name ? { name: edge.name } : {}),
  };
}

/** Reports every edge whose `from` or `to` junction the file does not define. */
export function checkEdgeEnds(
  edges: Map<string, SumoEdge>,
  junctions: Map<string, IntersectionSpec>,
  problems: ProblemList,
): void {
  for (const edge of edges.values()) {
    for (const [end, junction] of [
      ['from', edge.from],
      ['to', edge.to],
    ] as const) {
      if (!junctions.has(junction)) {
        report(problems, 'unknownJunction', `edge id="${edge.id}"`, end, junction);
      }
    }
  }
}
