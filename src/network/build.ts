// Builds the typed road-network graph from an importer's spec, checking it whole first.
import { MultiDirectedGraph } from 'graphology';
import { laneSaturationFlow } from '../demand/saturation.ts';
import { signalGroupConflicts, type MovementPath } from './conflicts.ts';
import { ProblemList } from './errors.ts';
import { endBearing, polylineLength, startBearing } from './geometry.ts';
import { classifyTurn } from './turns.ts';
import type { TimingPlan } from '../timing/types.ts';
import type {
  Conflict,
  CoordinateSystem,
  Detector,
  IntersectionAttributes,
  Lane,
  LinkAttributes,
  LinkSpec,
  Movement,
  MovementSpec,
  NetworkAttributes,
  NetworkSpec,
  Position,
  RoadNetwork,
  Signal,
  SignalGroup,
  SignalSpec,
} from './types.ts';

/** Minimum green given to a signal group whose source names none, seconds. */
export const DEFAULT_MIN_GREEN = { vehicle: 5, pedestrian: 7 } as const;

/**
 * Builds the road network from a spec: checks every reference (links to intersections, movements
 * to links and lanes, signal groups to signals, detectors to lanes), then derives what the spec
 * leaves out (lengths, bearings, turn types, saturation flows, conflicts between signal groups).
 *
 * @throws {InputFileError} naming the file, each bad element and its fix; nothing is half-built.
 * @example
 * const network = buildNetwork(parseSumoNet(xml, 'cologne1.net.xml'));
 * network.order // => number of intersections
 */
export function buildNetwork(spec: NetworkSpec): RoadNetwork {
  const problems = new ProblemList(spec.source ?? spec.name);
  checkSpec(spec, problems);
  problems.throwIfAny();

  // Multi: two parallel links may join the same pair of intersections (SUMO nets have them).
  const graph: RoadNetwork = new MultiDirectedGraph<
    IntersectionAttributes,
    LinkAttributes,
    NetworkAttributes
  >({ allowSelfLoops: true });

  const signalOf = new Map<string, string>();
  for (const signal of spec.signals) {
    for (const intersection of signal.intersections) signalOf.set(intersection, signal.id);
  }
  for (const intersection of spec.intersections) {
    const signal = signalOf.get(intersection.id);
    graph.addNode(intersection.id, { ...intersection, ...(signal ? { signal } : {}) });
  }
  for (const link of spec.links) {
    const ends = [
      graph.getNodeAttribute(link.from, 'position'),
      graph.getNodeAttribute(link.to, 'position'),
    ];
    graph.addDirectedEdgeWithKey(
      link.id,
      link.from,
      link.to,
      linkAttributes(link, ends, spec.coordinates),
    );
  }

  const movements = buildMovements(graph, spec.movements);
  const controlled = new Map<string, Movement[]>();
  for (const movement of Object.values(movements)) {
    if (movement.signal === undefined) continue;
    const list = controlled.get(movement.signal);
    if (list) list.push(movement);
    else controlled.set(movement.signal, [movement]);
  }
  const signals: Record<string, Signal> = {};
  for (const signal of spec.signals) {
    signals[signal.id] = buildSignal(graph, signal, controlled.get(signal.id) ?? []);
  }
  const detectors: Record<string, Detector> = {};
  for (const detector of spec.detectors ?? []) {
    detectors[detector.id] = {
      ...detector,
      length: detector.length ?? 0,
      kind: detector.kind ?? 'count',
    };
  }
  graph.replaceAttributes({
    name: spec.name,
    coordinates: spec.coordinates,
    ...(spec.source ? { source: spec.source } : {}),
    movements,
    signals,
    detectors,
  });
  return graph;
}

function linkAttributes(
  link: LinkSpec,
  ends: Position[],
  coordinates: CoordinateSystem,
): LinkAttributes {
  const geometry = link.geometry && link.geometry.length >= 2 ? link.geometry : ends;
  const lanes: Lane[] = [...link.lanes]
    .sort((a, b) => a.index - b.index)
    .map((lane) => ({ ...lane, saturationFlow: lane.saturationFlow ?? laneSaturationFlow(lane) }));
  const geometryLength = polylineLength(geometry, coordinates);
  const length =
    link.length ??
    Math.max(...lanes.map((lane) => lane.length), geometryLength > 0 ? geometryLength : 1);
  return {
    id: link.id,
    from: link.from,
    to: link.to,
    ...(link.name ? { name: link.name } : {}),
    lanes,
    geometry,
    length,
    speedLimit: Math.max(...lanes.map((lane) => lane.speedLimit)),
    departureBearing: startBearing(geometry, coordinates),
    arrivalBearing: endBearing(geometry, coordinates),
  };
}

function buildMovements(graph: RoadNetwork, specs: MovementSpec[]): Record<string, Movement> {
  const movements: Record<string, Movement> = {};
  for (const spec of specs) {
    const from = graph.getEdgeAttributes(spec.from);
    const to = graph.getEdgeAttributes(spec.to);
    const id = movementId(spec);
    movements[id] = {
      id,
      intersection: from.to,
      from: spec.from,
      to: spec.to,
      lanes: spec.lanes,
      turn:
        spec.turn ?? classifyTurn(from.arrivalBearing, to.departureBearing, to.to === from.from),
      approach: spec.from,
      ...(spec.signal !== undefined ? { signal: spec.signal } : {}),
      ...(spec.signalGroup !== undefined ? { signalGroup: spec.signalGroup } : {}),
    };
  }
  return movements;
}

/** The id a movement spec gets when it does not give one: `from>to`. */
export function movementId(spec: Pick<MovementSpec, 'id' | 'from' | 'to'>): string {
  return spec.id ?? `${spec.from}>${spec.to}`;
}

function buildSignal(graph: RoadNetwork, spec: SignalSpec, movements: Movement[]): Signal {
  const served = new Map<string, string[]>();
  const paths = new Map<string, MovementPath>();
  for (const movement of movements) {
    if (movement.signalGroup === undefined) continue;
    const group = served.get(movement.signalGroup);
    if (group) group.push(movement.id);
    else served.set(movement.signalGroup, [movement.id]);
    const from = graph.getEdgeAttributes(movement.from);
    const to = graph.getEdgeAttributes(movement.to);
    paths.set(movement.id, {
      id: movement.id,
      intersection: movement.intersection,
      entryLeg: (from.arrivalBearing + 180) % 360,
      exitLeg: to.departureBearing,
      entryLink: movement.from,
      exitLink: movement.to,
      turn: movement.turn,
    });
  }
  const signalGroups: SignalGroup[] = spec.signalGroups.map((group, position) => {
    const kind = group.kind ?? 'vehicle';
    return {
      id: group.id,
      index: group.index ?? position,
      kind,
      minGreen: group.minGreen ?? DEFAULT_MIN_GREEN[kind],
      ...(group.crossingLength !== undefined ? { crossingLength: group.crossingLength } : {}),
      ...(group.crosses ? { crosses: group.crosses } : {}),
      movements: served.get(group.id) ?? [],
    };
  });
  return {
    id: spec.id,
    intersections: spec.intersections,
    signalGroups,
    conflicts: withoutCoProtected(signalGroupConflicts(signalGroups, paths), spec.programs ?? []),
    programs: spec.programs ?? [],
  };
}

/**
 * Drops the derived conflicts between groups that the network's own programs show protected
 * together: the source knows its junction (skewed legs, U-turns, lanes that never meet) better
 * than a circle does.
 */
function withoutCoProtected(conflicts: Conflict[], programs: readonly TimingPlan[]): Conflict[] {
  const together = new Set<string>();
  for (const plan of programs) {
    for (const stage of plan.stages) {
      const protectedGroups = Object.keys(stage.greens).filter(
        (group) => stage.greens[group] === 'protected',
      );
      for (const a of protectedGroups)
        for (const b of protectedGroups) together.add(`${a}\u0000${b}`);
    }
  }
  return conflicts.filter((conflict) => !together.has(`${conflict.a}\u0000${conflict.b}`));
}

// ---- checks -----------------------------------------------------------------------------------

function checkSpec(spec: NetworkSpec, problems: ProblemList): void {
  const intersections = uniqueIds(spec.intersections, 'intersection', problems);
  for (const node of spec.intersections) {
    if (!isPosition(node.position)) {
      problems.add(
        'BAD_VALUE',
        `intersection "${node.id}"`,
        'has no valid position.',
        'Give two finite coordinates.',
      );
    }
  }
  const links = new Map(spec.links.map((link) => [link.id, link]));
  uniqueIds(spec.links, 'link', problems);
  for (const link of spec.links) checkLink(link, intersections, problems);

  const signals = new Map(spec.signals.map((signal) => [signal.id, signal]));
  uniqueIds(spec.signals, 'signal', problems);
  for (const signal of spec.signals) {
    for (const node of signal.intersections) {
      if (!intersections.has(node)) {
        problems.add(
          'UNKNOWN_INTERSECTION',
          `signal "${signal.id}"`,
          `controls intersection "${node}", which the network does not have.`,
          'Name an intersection of the network, or add it.',
        );
      }
    }
  }
  const movementIds = new Set<string>();
  for (const movement of spec.movements) {
    const id = movementId(movement);
    if (movementIds.has(id)) {
      problems.add(
        'DUPLICATE_ID',
        `movement "${id}"`,
        'appears twice.',
        'Give each movement its own id.',
      );
    }
    movementIds.add(id);
    checkMovement(movement, links, signals, problems);
  }
  for (const detector of spec.detectors ?? []) {
    const link = links.get(detector.link);
    const element = `detector "${detector.id}"`;
    if (!link) {
      problems.add(
        'UNKNOWN_LINK',
        element,
        `is on link "${detector.link}", which does not exist.`,
        'Name a link of the network.',
      );
    } else if (!link.lanes.some((lane) => lane.index === detector.lane)) {
      problems.add(
        'UNKNOWN_LANE',
        element,
        `is on lane ${detector.lane} of link "${link.id}", which has ${link.lanes.length} lane(s).`,
        `Use a lane index from 0 to ${link.lanes.length - 1}.`,
      );
    }
  }
}

function uniqueIds(items: { id: string }[], kind: string, problems: ProblemList): Set<string> {
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id)) {
      problems.add(
        'DUPLICATE_ID',
        `${kind} "${item.id}"`,
        `is defined twice.`,
        `Give each ${kind} its own id.`,
      );
    }
    ids.add(item.id);
  }
  return ids;
}

function checkLink(link: LinkSpec, intersections: Set<string>, problems: ProblemList): void {
  const element = `link "${link.id}"`;
  for (const end of [link.from, link.to]) {
    if (!intersections.has(end)) {
      problems.add(
        'UNKNOWN_INTERSECTION',
        element,
        `joins intersection "${end}", which does not exist.`,
        "Add the intersection or correct the link's from/to.",
      );
    }
  }
  if (link.lanes.length === 0) {
    problems.add(
      'LINK_WITHOUT_LANES',
      element,
      'has no lanes.',
      'Give the link at least one lane.',
    );
  }
  link.lanes.forEach((lane, position) => {
    if (lane.index !== position && !link.lanes.some((other) => other.index === position)) {
      problems.add(
        'BAD_VALUE',
        `${element} lane ${lane.index}`,
        'lane indices are not 0..n-1.',
        'Number the lanes from 0 (rightmost) without gaps.',
      );
    }
    for (const [name, value] of [
      ['length', lane.length],
      ['speedLimit', lane.speedLimit],
      ['width', lane.width],
    ] as const) {
      if (!Number.isFinite(value) || value <= 0) {
        problems.add(
          'BAD_VALUE',
          `${element} lane ${lane.index}`,
          `${name} is ${String(value)}.`,
          `Give a positive ${name}.`,
        );
      }
    }
  });
}

function checkMovement(
  movement: MovementSpec,
  links: Map<string, LinkSpec>,
  signals: Map<string, SignalSpec>,
  problems: ProblemList,
): void {
  const element = `movement "${movementId(movement)}"`;
  const from = links.get(movement.from);
  const to = links.get(movement.to);
  if (!from)
    problems.add(
      'UNKNOWN_LINK',
      element,
      `starts on link "${movement.from}", which does not exist.`,
      'Name a link of the network.',
    );
  if (!to)
    problems.add(
      'UNKNOWN_LINK',
      element,
      `ends on link "${movement.to}", which does not exist.`,
      'Name a link of the network.',
    );
  if (from && to && from.to !== to.from) {
    problems.add(
      'MOVEMENT_NOT_AT_INTERSECTION',
      element,
      `link "${from.id}" ends at "${from.to}" but link "${to.id}" starts at "${to.from}".`,
      'A movement joins a link entering an intersection to a link leaving the same one.',
    );
  }
  for (const { fromLane, toLane } of movement.lanes) {
    if (from && !from.lanes.some((lane) => lane.index === fromLane)) {
      problems.add(
        'UNKNOWN_LANE',
        element,
        `uses lane ${fromLane} of "${from.id}", which has ${from.lanes.length} lane(s).`,
        `Use a lane index from 0 to ${from.lanes.length - 1}.`,
      );
    }
    if (to && !to.lanes.some((lane) => lane.index === toLane)) {
      problems.add(
        'UNKNOWN_LANE',
        element,
        `goes to lane ${toLane} of "${to.id}", which has ${to.lanes.length} lane(s).`,
        `Use a lane index from 0 to ${to.lanes.length - 1}.`,
      );
    }
  }
  if (movement.signal === undefined) return;
  const signal = signals.get(movement.signal);
  if (!signal) {
    problems.add(
      'UNKNOWN_SIGNAL',
      element,
      `is controlled by signal "${movement.signal}", which does not exist.`,
      'Name a signal of the network, or drop the signal.',
    );
  } else if (
    movement.signalGroup !== undefined &&
    !signal.signalGroups.some((group) => group.id === movement.signalGroup)
  ) {
    problems.add(
      'UNKNOWN_SIGNAL_GROUP',
      element,
      `names signal group "${movement.signalGroup}", which signal "${signal.id}" does not have.`,
      "Name one of the signal's groups, or add the group.",
    );
  }
}

function isPosition(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    Number.isFinite(value[0]) &&
    Number.isFinite(value[1])
  );
}
