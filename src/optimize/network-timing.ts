// Optimizes every signal of a network for its design flows, with a common cycle per coordination group.
import { designFlows } from '../demand/design-flows.ts';
import type { TurningFlows } from '../demand/types.ts';
import type { RoadNetwork } from '../network/types.ts';
import { commonCycle } from './common-cycle.ts';
import { coordinationGroups, type CoordinationGroup } from './coordination-groups.ts';
import { DEFAULT_CYCLE_RANGE, optimizeTiming } from './cycle-and-splits.ts';
import { optimizeOffsets, type NetworkOffsetsOptions } from './network-offsets.ts';
import {
  signalStructure,
  timedSignal,
  timingOptions,
  type SignalStructure,
  type SignalTimingOptions,
  type SignalTimingResult,
} from './signal-timing.ts';

export interface NetworkTimingOptions extends SignalTimingOptions {
  /** `transyt` (default): offsets of each coordination group by TRANSYT-style search; `keep`: as planned. */
  offsets?: 'transyt' | 'keep';
  /** Options of the offset search (stop weight, dispersion, steps, restarts). */
  offsetSearch?: NetworkOffsetsOptions;
  /** `groups` (default): a common cycle per coordination group; `isolated`: each signal alone. */
  coordination?: 'groups' | 'isolated';
  /** Options of the coordination-group rule, including manual groups. */
  groups?: Parameters<typeof coordinationGroups>[2];
}

export interface GroupTiming extends CoordinationGroup {
  cycleLength: number;
  /** The offset search's performance index (veh·h/h of delay and weighted stops), before and after. */
  performanceIndex?: { initial: number; optimized: number };
  /** The cycle each member would take alone. */
  isolatedCycles?: number[];
}

export interface NetworkTimingResult {
  signals: SignalTimingResult[];
  groups: GroupTiming[];
  /** Signals left as they were, with the reason. */
  skipped: { signal: string; reason: string }[];
}

/**
 * A delay-minimizing plan for each signal that has a program to take its stages from, each sized
 * for its own peak-interval flows (`designFlows`); signals in one coordination group share the
 * cycle that minimizes the group's total delay. `onProgress` hears after each signal.
 *
 * @example
 * optimizeNetwork(network, turning).groups.map((group) => group.cycleLength) // => [72]
 */
export function optimizeNetwork(
  network: RoadNetwork,
  turning: TurningFlows,
  options: NetworkTimingOptions = {},
  onProgress?: (done: number, total: number, signal: string) => void,
): NetworkTimingResult {
  const signals = Object.values(network.getAttribute('signals'));
  const structures = new Map<string, SignalStructure>();
  const skipped: NetworkTimingResult['skipped'] = [];
  const flows: Record<string, number> = {};
  signals.forEach((signal, index) => {
    const movements = signal.signalGroups.flatMap((group) => group.movements);
    const design = designFlows(turning, movements);
    Object.assign(flows, design);
    if (signal.programs.length === 0) {
      skipped.push({ signal: signal.id, reason: 'no program to take the stage sequence from' });
    } else {
      structures.set(signal.id, signalStructure(network, signal, design, options));
    }
    onProgress?.(index + 1, signals.length, signal.id);
  });

  const groups =
    options.coordination === 'isolated'
      ? signals.map((signal, index): CoordinationGroup => ({
          id: `group-${index + 1}`,
          signals: [signal.id],
          pairs: [],
          reason: 'isolated',
        }))
      : coordinationGroups(network, flows, options.groups);
  const results: SignalTimingResult[] = [];
  const timedGroups: GroupTiming[] = [];
  for (const group of groups) {
    const members = group.signals
      .map((id) => structures.get(id))
      .filter((member) => member !== undefined);
    if (members.length === 0) continue;
    if (members.length === 1) {
      const result = timedSignal(members[0]!, members[0]!.timing, options);
      results.push(result);
      timedGroups.push({ ...group, cycleLength: result.plan.cycleLength });
      continue;
    }
    const range = options.cycle ?? DEFAULT_CYCLE_RANGE;
    const shared = commonCycle(
      members.map((member) => member.model),
      range,
      options.delay,
    );
    const fixed = {
      ...timingOptions(options),
      cycle: { min: shared.cycleLength, max: shared.cycleLength },
    };
    const timed = members.map((member) =>
      timedSignal(member, optimizeTiming(member.model, fixed), options),
    );
    const coordinated =
      options.offsets === 'keep'
        ? undefined
        : coordinate(network, timed, { ...designFlows(turning), ...flows }, options.offsetSearch);
    results.push(...(coordinated?.signals ?? timed));
    timedGroups.push({
      ...group,
      cycleLength: shared.cycleLength,
      isolatedCycles: shared.isolatedCycles,
      ...(coordinated ? { performanceIndex: coordinated.performanceIndex } : {}),
    });
  }
  return { signals: results, groups: timedGroups, skipped };
}

/** The group's signals with offsets from the TRANSYT-style search, and its performance index. */
function coordinate(
  network: RoadNetwork,
  timed: readonly SignalTimingResult[],
  movementFlows: Readonly<Record<string, number>>,
  searchOptions: NetworkOffsetsOptions = {},
): { signals: SignalTimingResult[]; performanceIndex: { initial: number; optimized: number } } {
  const plans = Object.fromEntries(timed.map((result) => [result.signal, result.plan]));
  const search = optimizeOffsets({ network, plans, movementFlows }, searchOptions);
  return {
    signals: timed.map((result) => ({
      ...result,
      plan: search.plans[result.signal] ?? result.plan,
    })),
    performanceIndex: {
      initial: search.initialPerformanceIndex,
      optimized: search.performanceIndex,
    },
  };
}
