// Builds the signals of a SUMO network: one signal group per link index, every program a timing plan.
import { planFromSumoPhases, type SumoProgram } from '../../timing/sumo-program.ts';
import type { SignalGroupSpec, SignalSpec } from '../types.ts';
import { crossingAt, type SumoConnection } from './sumo-net-connections.ts';
import type { Edges, SpecialEdge, SumoEdge } from './sumo-net-edges.ts';
import type { TrafficLight } from './sumo-net-programs.ts';

/** Minimum green of a vehicle signal group whose phases name no `minDur`, seconds. */
const DEFAULT_MIN_GREEN = 5;

/**
 * The signal of one traffic light: the junctions it runs, a vehicle or pedestrian signal group per
 * link index, and its programs as timing plans, the first in the file first.
 */
export function signalOf(
  light: TrafficLight,
  connections: SumoConnection[],
  edges: Edges,
  junctionIds: Set<string>,
): SignalSpec {
  const controlled = connections.filter((c) => c.tl === light.id);
  return {
    id: light.id,
    intersections: controlledJunctions(light.id, controlled, edges.normal, junctionIds),
    signalGroups: Array.from({ length: light.linkCount }, (_, index) =>
      signalGroupOf(index, light.programs, crossingAt(index, controlled, edges.special)),
    ),
    programs: light.programs.map(planFromSumoPhases),
  };
}

/**
 * The junctions a traffic light runs: where its connections' incoming edges end. A joined light
 * (`GS_cluster_…`) has an id of its own, so the ids need not match.
 */
function controlledJunctions(
  lightId: string,
  controlled: SumoConnection[],
  normal: Map<string, SumoEdge>,
  junctionIds: Set<string>,
): string[] {
  const found = new Set<string>();
  for (const connection of controlled) {
    const junction = normal.get(connection.from)?.to;
    if (junction !== undefined) found.add(junction);
  }
  if (found.size === 0 && junctionIds.has(lightId)) found.add(lightId);
  return [...found];
}

function signalGroupOf(
  index: number,
  programs: SumoProgram[],
  crossing: SpecialEdge | undefined,
): SignalGroupSpec {
  const minDurs = programs.flatMap((program) =>
    program.phases
      .filter((phase) => /[gGs]/.test(phase.state.charAt(index)))
      .flatMap((phase) => (phase.minDur !== undefined ? [phase.minDur] : [])),
  );
  const minGreen = minDurs.length > 0 ? Math.min(...minDurs) : undefined;
  if (crossing) {
    // A pedestrian group without minDur takes the network builder's pedestrian default.
    return {
      id: String(index),
      index,
      kind: 'pedestrian',
      ...(minGreen !== undefined ? { minGreen } : {}),
      ...(crossing.length !== undefined ? { crossingLength: crossing.length } : {}),
      ...(crossing.crossingEdges ? { crosses: crossing.crossingEdges } : {}),
    };
  }
  return { id: String(index), index, kind: 'vehicle', minGreen: minGreen ?? DEFAULT_MIN_GREEN };
}
