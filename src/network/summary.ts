// A summary of a loaded network and its demand: what `greenwave inspect` prints.
import type { TurningFlows } from '../demand/types.ts';
import { signalGroupFlows } from '../demand/turning-flows.ts';
import type { RoadNetwork, TurnType } from './types.ts';

export interface NetworkSummary {
  name: string;
  coordinates: string;
  intersections: Record<string, number> & { total: number };
  signals: number;
  links: number;
  lanes: number;
  movements: Record<TurnType, number> & { total: number };
  signalGroups: number;
  conflicts: number;
  detectors: number;
  programs: ProgramSummary[];
}

export interface ProgramSummary {
  signal: string;
  plan: string;
  cycleLength: number;
  offset: number;
  stages: number;
  signalGroups: number;
}

/**
 * Counts what a network holds, and each signal's programs.
 *
 * @example
 * summarizeNetwork(network).signals // => 3
 */
export function summarizeNetwork(network: RoadNetwork): NetworkSummary {
  const intersections = { total: network.order } as NetworkSummary['intersections'];
  network.forEachNode((_, node) => {
    intersections[node.kind] = (intersections[node.kind] ?? 0) + 1;
  });
  const movements = { total: 0, left: 0, through: 0, right: 0, uturn: 0 };
  for (const movement of Object.values(network.getAttribute('movements'))) {
    movements.total++;
    movements[movement.turn]++;
  }
  const signals = Object.values(network.getAttribute('signals'));
  let lanes = 0;
  network.forEachEdge((_, link) => (lanes += link.lanes.length));
  return {
    name: network.getAttribute('name'),
    coordinates: network.getAttribute('coordinates'),
    intersections,
    signals: signals.length,
    links: network.size,
    lanes,
    movements,
    signalGroups: signals.reduce((sum, signal) => sum + signal.signalGroups.length, 0),
    conflicts: signals.reduce((sum, signal) => sum + signal.conflicts.length, 0),
    detectors: Object.keys(network.getAttribute('detectors')).length,
    programs: signals.flatMap((signal) =>
      signal.programs.map((plan) => ({
        signal: signal.id,
        plan: plan.id,
        cycleLength: plan.cycleLength,
        offset: plan.offset,
        stages: plan.stages.length,
        signalGroups: signal.signalGroups.length,
      })),
    ),
  };
}

export interface DemandSummary {
  begin: number;
  end: number;
  vehicles?: number;
  /** Vehicles counted on signal-controlled movements. */
  movementsWithFlow: number;
  /** Mean flow over the window, pcu/h, by signal and signal group. */
  signalGroupFlows: Record<string, Record<string, number>>;
}

/**
 * Summarizes demand over its whole window: flows per signal group in pcu/h.
 *
 * @example
 * summarizeDemand(network, flows, 2856).signalGroupFlows['GS_1']['3'] // => 412.5
 */
export function summarizeDemand(
  network: RoadNetwork,
  flows: TurningFlows,
  vehicles?: number,
): DemandSummary {
  const span = flows.end - flows.begin;
  const whole = new Map<string, number>();
  for (const flow of flows.flows) {
    const pcu = (flow.flow * (flow.end - flow.begin)) / 3600;
    whole.set(flow.movement, (whole.get(flow.movement) ?? 0) + pcu);
  }
  const averaged = [...whole].map(([movement, pcu]) => ({
    movement,
    begin: flows.begin,
    end: flows.end,
    vehicles: pcu,
    flow: round((pcu * 3600) / span),
  }));
  const byGroup = signalGroupFlows(network, averaged);
  for (const groups of Object.values(byGroup)) {
    for (const id of Object.keys(groups)) groups[id] = round(groups[id]!);
  }
  return {
    begin: flows.begin,
    end: flows.end,
    ...(vehicles !== undefined ? { vehicles } : {}),
    movementsWithFlow: averaged.filter((flow) => flow.vehicles > 0).length,
    signalGroupFlows: byGroup,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
