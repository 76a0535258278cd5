// Checks of what a caller hands the simulator, each failing with a coded error that says the fix.
import type { TimingPlan } from '../src/timing/types.ts';
import { isPassage, MAX_PASSAGE } from '../src/timing/validate.ts';
import { SimulationError } from './errors.ts';
import type { ScheduleEntry, SteppedSimulationOptions } from './types.ts';

/** The options after defaults, as the simulator will use them. */
export interface ResolvedOptions {
  step: number;
  jamSpacing: number;
  acceleration: number;
  comfortableDeceleration: number;
  maxCycleAdjustment: number;
  clearingTime: number;
  startReaction: number;
  dawdling: number;
}

/**
 * Every problem with the options, reported at once.
 *
 * @throws {SimulationError} `BAD_OPTIONS`.
 * @example
 * checkOptions('simulate', { begin: 0, end: -1, rng }, resolved) // throws: end (-1) must not be before begin (0)
 */
export function checkOptions(
  caller: string,
  options: SteppedSimulationOptions,
  resolved: ResolvedOptions,
): void {
  const { step, jamSpacing, acceleration, comfortableDeceleration } = resolved;
  const problems: string[] = [];
  const end = options.end ?? Infinity;
  if (!Number.isFinite(options.begin) || Number.isNaN(end)) {
    problems.push('begin must be finite seconds and end a number of seconds');
  } else if (end < options.begin) {
    problems.push(`end (${end}) must not be before begin (${options.begin})`);
  }
  if (!(step > 0) || !Number.isFinite(step)) problems.push(`step must be > 0 s, got ${step}`);
  if (!(jamSpacing > 0)) problems.push(`jamSpacing must be > 0 m, got ${jamSpacing}`);
  if (!(acceleration > 0)) problems.push(`acceleration must be > 0 m/s², got ${acceleration}`);
  if (!(comfortableDeceleration > 0)) {
    problems.push(`comfortableDeceleration must be > 0 m/s², got ${comfortableDeceleration}`);
  }
  if (!(resolved.maxCycleAdjustment > 0 && resolved.maxCycleAdjustment < 1)) {
    problems.push(`maxCycleAdjustment must be in (0, 1), got ${resolved.maxCycleAdjustment}`);
  }
  if (!(resolved.clearingTime >= 0)) {
    problems.push(`clearingTime must be ≥ 0 s, got ${resolved.clearingTime}`);
  }
  if (!(resolved.startReaction >= 0) || !Number.isFinite(resolved.startReaction)) {
    problems.push(`startReaction must be ≥ 0 s, got ${resolved.startReaction}`);
  }
  if (!(resolved.dawdling >= 0) || !Number.isFinite(resolved.dawdling)) {
    problems.push(`dawdling must be ≥ 0 m/s, got ${resolved.dawdling}`);
  }
  if (options.timeToImpatience !== undefined && Number.isNaN(options.timeToImpatience)) {
    problems.push('timeToImpatience must be seconds (≤ 0 for no impatience)');
  }
  if (options.timeToTeleport !== undefined && Number.isNaN(options.timeToTeleport)) {
    problems.push('timeToTeleport must be seconds (≤ 0 to never teleport)');
  }
  for (const [turn, gap] of Object.entries(options.criticalGap ?? {})) {
    if (!(gap > 0) || !Number.isFinite(gap)) {
      problems.push(`criticalGap.${turn} must be > 0 s, got ${gap}`);
    }
  }
  const every = options.trajectories?.every;
  if (every !== undefined && !(every > 0)) {
    problems.push(`trajectories.every must be > 0 s, got ${every}`);
  }
  if (typeof options.rng !== 'function') {
    problems.push('rng must be a function, e.g. seededRandom(1)');
  }
  if (problems.length > 0) {
    throw new SimulationError('BAD_OPTIONS', `${caller}: ${problems.join('; ')}`);
  }
}

/**
 * A plan the controller can run: stages, a positive cycle, finite durations.
 *
 * @throws {SimulationError} `BAD_PLAN`.
 * @example
 * checkPlan('setPlan', 'J1', { ...plan, stages: [] }) // throws: plan … has no stages
 */
export function checkPlan(caller: string, signal: string, plan: TimingPlan): void {
  const fail = (problem: string): never => {
    throw new SimulationError(
      'BAD_PLAN',
      `${caller}: plan ${plan?.id} for signal ${signal} ${problem}; check it with validatePlan`,
    );
  };
  if (!plan || !Array.isArray(plan.stages) || plan.stages.length === 0) fail('has no stages');
  if (!(plan.cycleLength > 0) || !Number.isFinite(plan.cycleLength)) {
    fail(`has cycle length ${plan.cycleLength}, not a positive number of seconds`);
  }
  if (!Number.isFinite(plan.offset)) fail(`has offset ${plan.offset}, not seconds`);
  for (const stage of plan.stages) {
    const durations = [stage.green, stage.yellow, stage.allRed, stage.minGreen];
    if (!durations.every((duration) => Number.isFinite(duration) && duration >= 0)) {
      fail(`has stage ${stage.id} with a negative or missing duration`);
    }
  }
  if (plan.actuated !== undefined && !isPassage(plan.actuated?.passage)) {
    fail(
      `runs actuated with passage ${plan.actuated?.passage}, not seconds in [0, ${MAX_PASSAGE}]`,
    );
  }
}

/**
 * A schedule row with a finite start, for signals of the network, each plan runnable.
 *
 * @throws {SimulationError} `BAD_OPTIONS`, `UNKNOWN_SIGNAL`, `BAD_PLAN`.
 * @example
 * checkScheduleEntry('simulate', { from: 25200, plans: { J1: morning } }, net.signalOf)
 */
export function checkScheduleEntry(
  caller: string,
  entry: ScheduleEntry,
  signals: ReadonlyMap<string, number>,
): void {
  if (!Number.isFinite(entry.from)) {
    throw new SimulationError(
      'BAD_OPTIONS',
      `${caller}: a schedule row starts at ${entry.from}; give from as finite seconds`,
    );
  }
  for (const [signal, plan] of Object.entries(entry.plans)) {
    if (!signals.has(signal)) {
      throw new SimulationError(
        'UNKNOWN_SIGNAL',
        `${caller}: the schedule row from ${entry.from} s names signal ${signal}, which is not in the network`,
      );
    }
    checkPlan(caller, signal, plan);
  }
}

/**
 * A detector reading interval, seconds.
 *
 * @throws {SimulationError} `BAD_OPTIONS` unless positive and finite.
 * @example
 * checkedInterval('simulate', 60) // => 60
 */
export function checkedInterval(caller: string, interval: number): number {
  if (!(interval > 0) || !Number.isFinite(interval)) {
    throw new SimulationError(
      'BAD_OPTIONS',
      `${caller}: detection.interval must be > 0 s, got ${interval}`,
    );
  }
  return interval;
}
