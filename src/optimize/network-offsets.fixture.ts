// Inputs for the offset optimizer's tests and benchmark: grids and arterials with plausible flows.
import { buildNetwork } from '../network/build.ts';
import { gridSpec } from '../network/grid.ts';
import type { NetworkSpec, RoadNetwork } from '../network/types.ts';
import type { NetworkOffsetsInput } from './network-offsets-input.ts';

/**
 * A `rows × columns` grid (`gridSpec`, 90 s two-stage plans at offset 0) with per approach 450
 * pcu/h through, 100 right and 80 left, eastbound and northbound half as heavy again: about 0.6 of
 * capacity on the heavy approaches. `unsignalized` intersections lose their signal (priority).
 *
 * @example
 * gridInput({ rows: 10, columns: 10 }).plans['n3_4'].cycleLength // => 90
 */
export function gridInput({
  rows = 3,
  columns = 3,
  spacing = 300,
  unsignalized = [],
}: {
  rows?: number;
  columns?: number;
  spacing?: number;
  unsignalized?: readonly string[];
} = {}): NetworkOffsetsInput {
  const network = buildNetwork(withoutSignals(gridSpec({ rows, columns, spacing }), unsignalized));
  const movementFlows: Record<string, number> = {};
  for (const movement of Object.values(network.getAttribute('movements'))) {
    const bearing = network.getEdgeAttribute(movement.from, 'arrivalBearing');
    const heavy = (bearing > 45 && bearing < 135) || bearing < 45 || bearing > 315 ? 1.5 : 1;
    const base = movement.turn === 'through' ? 450 : movement.turn === 'left' ? 80 : 100;
    movementFlows[movement.id] = base * heavy;
  }
  return { network, plans: plansOf(network), movementFlows };
}

/**
 * A one-way platoon: a single row of signals `spacing` metres apart carrying `flow` pcu/h
 * eastbound through traffic only; `unsignalized` intersections lose their signal.
 *
 * @example
 * arterialInput({ signals: 2, spacing: 600 }).movementFlows['n-1_0-n0_0>n0_0-n1_0'] // => 700
 */
export function arterialInput({
  signals = 2,
  spacing = 300,
  flow = 700,
  unsignalized = [],
}: {
  signals?: number;
  spacing?: number;
  flow?: number;
  unsignalized?: readonly string[];
} = {}): NetworkOffsetsInput {
  const spec = gridSpec({ rows: 1, columns: signals, spacing });
  const network = buildNetwork(withoutSignals(spec, unsignalized));
  const movementFlows: Record<string, number> = {};
  for (const movement of Object.values(network.getAttribute('movements'))) {
    const eastbound = network.getEdgeAttribute(movement.from, 'arrivalBearing') === 90;
    movementFlows[movement.id] = eastbound && movement.turn === 'through' ? flow : 0;
  }
  return { network, plans: plansOf(network), movementFlows };
}

function plansOf(network: RoadNetwork): NetworkOffsetsInput['plans'] {
  return Object.fromEntries(
    Object.values(network.getAttribute('signals')).map((signal) => [
      signal.id,
      signal.programs[0]!,
    ]),
  );
}

/** The spec with the given intersections turned into priority junctions. */
function withoutSignals(spec: NetworkSpec, ids: readonly string[]): NetworkSpec {
  const gone = new Set(ids);
  return {
    ...spec,
    intersections: spec.intersections.map((intersection) =>
      gone.has(intersection.id) ? { ...intersection, kind: 'priority' } : intersection,
    ),
    movements: spec.movements.map((movement) => {
      if (movement.signal === undefined || !gone.has(movement.signal)) return movement;
      const rest = { ...movement };
      delete rest.signal;
      delete rest.signalGroup;
      return rest;
    }),
    signals: spec.signals.filter((signal) => !gone.has(signal.id)),
  };
}
