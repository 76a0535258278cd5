// Optimizes every signal of a network for its design flows.
import { designFlows } from '../demand/design-flows.ts';
import type { TurningFlows } from '../demand/types.ts';
import type { RoadNetwork } from '../network/types.ts';
import {
  optimizeSignal,
  type SignalTimingOptions,
  type SignalTimingResult,
} from './signal-timing.ts';

export interface NetworkTimingResult {
  signals: SignalTimingResult[];
  /** Signals left as they were, with the reason. */
  skipped: { signal: string; reason: string }[];
}

/**
 * A delay-minimizing plan for each signal that has a program to take its stages from, each sized
 * for its own peak-interval flows (`designFlows`). `onProgress` hears after each signal.
 *
 * @example
 * optimizeNetwork(network, turning).signals.map((result) => result.plan.cycleLength) // => [73]
 */
export function optimizeNetwork(
  network: RoadNetwork,
  turning: TurningFlows,
  options: SignalTimingOptions = {},
  onProgress?: (done: number, total: number, signal: string) => void,
): NetworkTimingResult {
  const signals = Object.values(network.getAttribute('signals'));
  const results: SignalTimingResult[] = [];
  const skipped: NetworkTimingResult['skipped'] = [];
  signals.forEach((signal, index) => {
    const movements = signal.signalGroups.flatMap((group) => group.movements);
    if (signal.programs.length === 0) {
      skipped.push({ signal: signal.id, reason: 'no program to take the stage sequence from' });
    } else {
      results.push(optimizeSignal(network, signal, designFlows(turning, movements), options));
    }
    onProgress?.(index + 1, signals.length, signal.id);
  });
  return { signals: results, skipped };
}
