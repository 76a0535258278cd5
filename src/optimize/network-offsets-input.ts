// Input of network offset optimization: the types, the coded errors, and the checks of a caller's input.
import { CodedError } from '../coded-error.ts';
import type { DelayOptions } from '../analysis/delay.ts';
import type { RoadNetwork } from '../network/types.ts';
import type { TimingPlan } from '../timing/types.ts';

/** Stable codes for a caller's mistakes here. Tests check codes, not message text. */
export type NetworkOffsetsErrorCode =
  | 'NO_SIGNALS'
  | 'UNKNOWN_SIGNAL'
  | 'CYCLE_MISMATCH'
  | 'BAD_FLOW'
  | 'BAD_OPTION'
  | 'NO_RNG'
  | 'TRIAL_PENDING';

/** A caller's mistake; the message starts with the function name and says how to fix it. */
export class NetworkOffsetsError extends CodedError<NetworkOffsetsErrorCode> {}

/** The timings to coordinate, and the demand they carry. */
export interface NetworkOffsetsInput {
  network: RoadNetwork;
  /** Signal id → plan. All share one cycle length; their offsets are where the search starts. */
  plans: Readonly<Record<string, TimingPlan>>;
  /** Movement id → pcu/h. Saturation flows come from the network's lanes. */
  movementFlows: Readonly<Record<string, number>>;
}

export interface OffsetModelOptions {
  /** Stop penalty K: seconds of delay one stop is worth. Default 20. */
  stopWeight?: number;
  /** Robertson's platoon dispersion factor α. Default 0.35 (TRANSYT). */
  alpha?: number;
  /** Robertson's travel-time factor β. Default 0.8 (TRANSYT). */
  beta?: number;
  /** Seconds per profile step; adjusted so a whole number of steps fills the cycle. Default 1. */
  profileStep?: number;
  /**
   * How many signals deep departures follow arrivals. 1: every signal's departures are worked out
   * from uniform arrivals (the link-pair simplification); 2 (default): from arrivals that are
   * themselves departures of the signals upstream worked out from uniform arrivals; and so on.
   */
  sweeps?: number;
  /** Unsignalized or priority intersections an arrival profile is followed back through. Default 3. */
  throughUnsignalized?: number;
  /** Lost time per green, seconds (the timing model's). Default 4. */
  lostTime?: number;
  /** Start-up lost time: seconds from the start of green to the start of effective green. Default 2. */
  startLag?: number;
  /** Metres a queued vehicle takes (the timing model's). Default 7.5. */
  jamSpacing?: number;
  /** Options of the random-and-oversaturation delay (HCM d2). */
  delay?: DelayOptions;
}

/** An offset in steps, rounded to the nearest step and wrapped into `[0, steps)`. */
export function wrapSteps(value: number, steps: number): number {
  const rounded = Math.round(value);
  return ((rounded % steps) + steps) % steps;
}

/**
 * The cycle all plans share, after checking there are plans, each for a signal of the network.
 *
 * @throws {NetworkOffsetsError} `NO_SIGNALS`, `UNKNOWN_SIGNAL` or `CYCLE_MISMATCH`.
 * @example
 * commonCycleLength(network, plans, Object.keys(plans)) // => 90
 */
export function commonCycleLength(
  network: RoadNetwork,
  plans: Readonly<Record<string, TimingPlan>>,
  signals: readonly string[],
): number {
  if (signals.length === 0) {
    throw new NetworkOffsetsError(
      'NO_SIGNALS',
      'optimizeOffsets: no plans; give a plan per signal to coordinate',
    );
  }
  const known = network.getAttribute('signals');
  for (const id of signals) {
    if (!Object.hasOwn(known, id)) {
      throw new NetworkOffsetsError(
        'UNKNOWN_SIGNAL',
        `optimizeOffsets: plan for signal '${id}', which the network does not have; key plans by the network's signal ids`,
      );
    }
  }
  const cycleLength = plans[signals[0]!]!.cycleLength;
  if (!(cycleLength > 0) || !Number.isFinite(cycleLength)) {
    throw new NetworkOffsetsError(
      'CYCLE_MISMATCH',
      `optimizeOffsets: cycle length ${cycleLength} s; give a positive cycle`,
    );
  }
  for (const id of signals) {
    if (Math.abs(plans[id]!.cycleLength - cycleLength) > 1e-9) {
      throw new NetworkOffsetsError(
        'CYCLE_MISMATCH',
        `optimizeOffsets: signal '${id}' runs a ${plans[id]!.cycleLength} s cycle, '${signals[0]}' ${cycleLength} s; coordinate one cycle length at a time (optimizeNetwork gives a group one cycle)`,
      );
    }
  }
  return cycleLength;
}

/**
 * Checks that every flow names a movement of the network and is a finite number ≥ 0.
 *
 * @throws {NetworkOffsetsError} `BAD_FLOW`.
 * @example
 * checkFlows(network, { 'no>such': 10 }) // throws BAD_FLOW
 */
export function checkFlows(
  network: RoadNetwork,
  movementFlows: Readonly<Record<string, number>>,
): void {
  const movements = network.getAttribute('movements');
  for (const [id, flow] of Object.entries(movementFlows)) {
    if (!Object.hasOwn(movements, id)) {
      throw new NetworkOffsetsError(
        'BAD_FLOW',
        `optimizeOffsets: flow for movement '${id}', which the network does not have; key flows by movement id`,
      );
    }
    if (!(flow >= 0) || !Number.isFinite(flow)) {
      throw new NetworkOffsetsError(
        'BAD_FLOW',
        `optimizeOffsets: flow ${flow} pcu/h for movement '${id}'; give a finite flow ≥ 0`,
      );
    }
  }
}

/**
 * Checks the model options: whole numbers where counted, positive where divided by.
 *
 * @throws {NetworkOffsetsError} `BAD_OPTION`.
 * @example
 * checkOptions({ ...defaults, sweeps: 0 }) // throws BAD_OPTION
 */
export function checkOptions(options: Required<Omit<OffsetModelOptions, 'delay'>>): void {
  const { sweeps, throughUnsignalized, profileStep, beta, jamSpacing, ...nonNegative } = options;
  const bad = (name: string, value: number, rule: string) =>
    new NetworkOffsetsError('BAD_OPTION', `optimizeOffsets: ${name} ${value}; give ${rule}`);
  if (!Number.isInteger(sweeps) || sweeps < 1) throw bad('sweeps', sweeps, 'a whole number ≥ 1');
  if (!Number.isInteger(throughUnsignalized) || throughUnsignalized < 0) {
    throw bad('throughUnsignalized', throughUnsignalized, 'a whole number ≥ 0');
  }
  const positive = { profileStep, beta, jamSpacing };
  for (const [name, value] of Object.entries(positive)) {
    if (!(value > 0) || !Number.isFinite(value)) throw bad(name, value, 'a finite value > 0');
  }
  for (const [name, value] of Object.entries(nonNegative)) {
    if (!(value >= 0) || !Number.isFinite(value)) throw bad(name, value, 'a finite value ≥ 0');
  }
}
