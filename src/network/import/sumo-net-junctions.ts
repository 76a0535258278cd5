// Reads the junctions of a SUMO network as intersections: kind, position and rough radius.
import type { ProblemList } from '../errors.ts';
import type { IntersectionKind, IntersectionSpec, Position } from '../types.ts';
import { attributeReader } from './sumo-net-attributes.ts';
import { report } from './sumo-net-problems.ts';
import { childrenTagged, describe, type XmlElement } from './sumo-xml.ts';

const JUNCTION_KINDS: Record<string, IntersectionKind> = {
  traffic_light: 'signalized',
  traffic_light_right_on_red: 'signalized',
  traffic_light_unregulated: 'signalized',
  dead_end: 'boundary',
  priority: 'priority',
  priority_stop: 'priority',
  zipper: 'priority',
  rail_signal: 'priority',
  rail_crossing: 'priority',
  right_before_left: 'unsignalized',
  left_before_right: 'unsignalized',
  allway_stop: 'unsignalized',
  unregulated: 'unsignalized',
};

/** Every junction but the `internal` ones, by id; a bad one is reported and left out. */
export function readJunctions(
  net: XmlElement,
  problems: ProblemList,
): Map<string, IntersectionSpec> {
  const junctions = new Map<string, IntersectionSpec>();
  childrenTagged(net, 'junction').forEach((element, position) => {
    const read = attributeReader(element, describe(element, `junction #${position + 1}`), problems);
    const type = read.text('type');
    if (type === 'internal') return;
    const id = read.text('id');
    const x = read.number('x', { required: true });
    const y = read.number('y', { required: true });
    const shape = read.shape('shape');
    if (id === undefined || x === undefined || y === undefined || type === undefined) return;
    if (junctions.has(id)) {
      report(problems, 'duplicateId', read.label, 'junction');
      return;
    }
    const radius = shape ? meanDistance(shape, [x, y]) : undefined;
    junctions.set(id, {
      id,
      kind: JUNCTION_KINDS[type] ?? 'unsignalized',
      position: [x, y],
      ...(radius !== undefined ? { radius } : {}),
    });
  });
  return junctions;
}

/** Mean distance of a junction's outline to its centre: roughly where the stop lines are. */
function meanDistance(shape: Position[], centre: Position): number | undefined {
  const first = shape[0];
  const last = shape[shape.length - 1];
  const closed = shape.length > 1 && first && last && first[0] === last[0] && first[1] === last[1];
  const outline = closed ? shape.slice(0, -1) : shape;
  if (outline.length === 0) return undefined;
  const total = outline.reduce((sum, [x, y]) => sum + Math.hypot(x - centre[0], y - centre[1]), 0);
  return total / outline.length;
}
