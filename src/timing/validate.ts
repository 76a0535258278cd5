// validatePlan: every coded problem in a timing plan for its signal, returned as data, never thrown.
import type { Signal, SignalGroup } from '../network/types.ts';
import { crossingClearance } from './clearance.ts';
import { greenRuns, stageDuration } from './intervals.ts';
import { describe, isFiniteNumber, problem, readPlan, type ReadPlan } from './read-plan.ts';
import type { PlanProblem, PlanProblemCode, Stage, TimingPlan } from './types.ts';

/**
 * The longest passage time a coordinated-actuated plan may have, seconds: longer, a stage would
 * hardly ever gap out (NTCIP 1202 allows up to 25.5 s; 2–5 s is usual).
 */
export const MAX_PASSAGE = 30;

/**
 * Whether `value` is a passage time `validatePlan` accepts: finite seconds in [0, MAX_PASSAGE].
 *
 * @example
 * isPassage(3); // => true
 * isPassage(45); // => false
 */
export function isPassage(value: unknown): value is number {
  return isFiniteNumber(value) && value >= 0 && value <= MAX_PASSAGE;
}

/**
 * A passage time given as text (a flag, an environment variable): its seconds when `isPassage`
 * accepts them, undefined for blank or anything else. `PASSAGE_RANGE` words the bound for errors.
 *
 * @example
 * passageFromText('2.5'); // => 2.5
 * passageFromText('45'); // => undefined
 */
export function passageFromText(text: string): number | undefined {
  const passage = Number(text);
  return text.trim() !== '' && isPassage(passage) ? passage : undefined;
}

/** The passage times accepted, in words. */
export const PASSAGE_RANGE = `from 0 to ${MAX_PASSAGE}`;

export interface ValidatePlanOptions {
  /**
   * Allowed yellow, seconds, for a stage whose end takes green from some signal group. Off by
   * default: SUMO and CityFlow programs carry 0 s or 5 s yellows. `[3, 6]` is the MUTCD range.
   */
  yellowRange?: [number, number];
  /** Seconds of slack in comparisons of sums of durations, for floating-point noise. */
  tolerance?: number;
}

/** A plan read with its stages: the checks past the first few need them. */
type StagedPlan = ReadPlan & { stages: Stage[] };

/**
 * Every problem in a timing plan for the signal it runs on, each with a stable code. Never throws
 * for a bad plan: input that is not plan-shaped (see `readPlan`) is reported as `MALFORMED_PLAN`,
 * and the checks a malformed part makes impossible are skipped rather than reported again.
 *
 * A green is the interval a signal group is green without a break: consecutive stages it stays
 * green across count as one, change intervals included. Minimum greens of vehicle groups and
 * pedestrian clearance (`pedestrianClearance`, MUTCD 2009 §4E.06) are checked against it. Two
 * conflicting groups may be green together when one of them is permissive (it yields), as SUMO and
 * CityFlow run permissive turns; two protected ones may not. An actuated plan's passage time must
 * be seconds in [0, MAX_PASSAGE] and its `free`, when given, true or false (`ACTUATION_INVALID`). A
 * free plan is checked as any other: its cycle length is the nominal one its stages fill, and its
 * offset lies in it, though a controller running free keeps neither.
 *
 * @throws {RangeError} when the options are malformed (a caller's mistake, not the plan's).
 * @example
 * validatePlan(plan, signal); // [] when the plan is good
 * validatePlan({ ...plan, offset: 90 }, signal);
 * // [{ code: 'OFFSET_OUT_OF_RANGE', message: 'offset 90 is outside [0, 90 s): …' }]
 */
export function validatePlan(
  plan: TimingPlan,
  signal: Signal,
  { yellowRange, tolerance = 0.001 }: ValidatePlanOptions = {},
): PlanProblem[] {
  checkOptions(yellowRange, tolerance);
  const { plan: read, problems: malformed } = readPlan(plan);
  if (read === undefined) return malformed;
  const planProblems = [
    ...malformed,
    ...checkSignal(read, signal),
    ...checkCycleLength(read),
    ...checkOffset(read),
    ...checkActuation(read),
  ];
  const { stages } = read;
  if (stages === undefined) return planProblems;
  if (stages.length === 0) {
    const message = 'the plan has no stages: give stages as an array of at least one stage';
    return [...planProblems, problem('NO_STAGES', message)];
  }
  const staged: StagedPlan = { ...read, stages };
  const durationsKnown = stages.every((stage) =>
    [stage.green, stage.yellow, stage.allRed].every(Number.isFinite),
  );
  const conflicting = conflictingPairs(signal);
  return [
    ...planProblems,
    ...stages.flatMap(checkDurations),
    ...(durationsKnown ? checkCycleFill(staged, tolerance) : []),
    ...stages.flatMap((stage) => checkStageMinimum(stage, tolerance)),
    ...(durationsKnown ? checkGroupGreens(staged, signal, tolerance) : []),
    ...stages.flatMap((stage) => checkConflicts(stage, conflicting)),
    ...checkNeverServed(staged, signal),
    ...checkUnknownGroups(staged, signal),
    ...(yellowRange ? checkYellows(staged, yellowRange, tolerance) : []),
  ];
}

/**
 * Whether `validatePlan` finds no problem.
 *
 * @example
 * isValidPlan(plan, signal); // true
 * isValidPlan({ ...plan, stages: [] }, signal); // false
 */
export function isValidPlan(
  plan: TimingPlan,
  signal: Signal,
  options?: ValidatePlanOptions,
): boolean {
  return validatePlan(plan, signal, options).length === 0;
}

function checkOptions(yellowRange: [number, number] | undefined, tolerance: number): void {
  if (typeof tolerance !== 'number' || !(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new RangeError(
      `validatePlan: options.tolerance must be seconds ≥ 0, e.g. 0.001; got ${describe(tolerance)}.`,
    );
  }
  if (yellowRange === undefined) return;
  const [low, high] = Array.isArray(yellowRange) ? yellowRange : [];
  if (!isFiniteNumber(low) || !isFiniteNumber(high) || low < 0 || low > high) {
    throw new RangeError(
      'validatePlan: options.yellowRange must be [min, max] seconds with 0 ≤ min ≤ max, e.g. [3, 6].',
    );
  }
}

// ---- the checks --------------------------------------------------------------------------------
// A NaN number was malformed and is reported by readPlan already, so each check passes it over.

function checkSignal(plan: ReadPlan, signal: Signal): PlanProblem[] {
  if (plan.signal === signal.id) return [];
  return [
    problem('UNKNOWN_SIGNAL', `the plan is for signal ${describe(plan.signal)}, not ${signal.id}`),
  ];
}

function checkCycleLength({ cycleLength }: ReadPlan): PlanProblem[] {
  if (!(cycleLength <= 0)) return [];
  const message = `cycleLength ${cycleLength} must be a number of seconds > 0`;
  return [problem('CYCLE_NOT_POSITIVE', message)];
}

function checkOffset({ offset, cycleLength }: ReadPlan): PlanProblem[] {
  const aboveCycle = isPositive(cycleLength) && offset >= cycleLength;
  if (Number.isNaN(offset) || (offset >= 0 && !aboveCycle)) return [];
  const range = isPositive(cycleLength) ? `[0, ${cycleLength} s)` : '[0, cycleLength)';
  const message = `offset ${offset} is outside ${range}: take it modulo the cycle length`;
  return [problem('OFFSET_OUT_OF_RANGE', message)];
}

/**
 * readPlan passes the passage and `free` on as given, so anything but seconds in range, and a
 * `free` that is neither absent nor a boolean, is reported here.
 */
function checkActuation({ actuated }: ReadPlan): PlanProblem[] {
  if (actuated === undefined) return [];
  const problems: PlanProblem[] = [];
  if (!isPassage(actuated.passage)) {
    const message =
      `actuated.passage must be seconds in [0, ${MAX_PASSAGE}]; got ${describe(actuated.passage)}: ` +
      'give the gap that ends a green, e.g. 3, or leave actuated out to run fixed time';
    problems.push(problem('ACTUATION_INVALID', message));
  }
  if (actuated.free !== undefined && typeof actuated.free !== 'boolean') {
    const message =
      `actuated.free must be true or false; got ${describe(actuated.free)}: ` +
      'give true for free operation (no cycle, no offset), or leave free out to run coordinated';
    problems.push(problem('ACTUATION_INVALID', message));
  }
  return problems;
}

function checkDurations(stage: Stage): PlanProblem[] {
  const durations = {
    green: stage.green,
    yellow: stage.yellow,
    allRed: stage.allRed,
    minGreen: stage.minGreen,
  };
  return Object.entries(durations)
    .filter(([, duration]) => duration < 0)
    .map(([name, duration]) => {
      const message = `stage ${stage.id} ${name} is ${duration}: give seconds ≥ 0`;
      return problem('NEGATIVE_DURATION', message, { stage: stage.id });
    });
}

function checkCycleFill(plan: StagedPlan, tolerance: number): PlanProblem[] {
  if (!isPositive(plan.cycleLength)) return [];
  const filled = plan.stages.reduce((sum, stage) => sum + stageDuration(stage), 0);
  if (Math.abs(filled - plan.cycleLength) <= tolerance) return [];
  return [
    problem(
      'CYCLE_MISMATCH',
      `stages do not fill the cycle: their greens, yellows and all-reds add to ${seconds(filled)}, the cycle is ${seconds(plan.cycleLength)}`,
    ),
  ];
}

function checkStageMinimum(stage: Stage, tolerance: number): PlanProblem[] {
  if (!(stage.green < stage.minGreen - tolerance)) return [];
  return [
    problem(
      'GREEN_BELOW_MINIMUM',
      `stage ${stage.id} green ${seconds(stage.green)} is below its minGreen ${seconds(stage.minGreen)}`,
      { stage: stage.id },
    ),
  ];
}

/** Minimum green of vehicle groups and pedestrian clearance, over each continuous green. */
function checkGroupGreens(plan: StagedPlan, signal: Signal, tolerance: number): PlanProblem[] {
  const runs = greenRuns(plan.stages);
  return signal.signalGroups.flatMap((signalGroup) => {
    const required = requiredGreen(signalGroup);
    if (required === undefined) return [];
    return (runs.get(signalGroup.id) ?? [])
      .filter((run) => run.duration < required.seconds - tolerance)
      .map((run) =>
        problem(
          required.code,
          `signal group ${signalGroup.id} is green ${seconds(run.duration)} in stage(s) ${run.stages.join(', ')}; ` +
            `it needs ${seconds(required.seconds)} (${required.reason})`,
          { stage: run.stages[0], signalGroup: signalGroup.id },
        ),
      );
  });
}

function requiredGreen(
  signalGroup: SignalGroup,
): { code: PlanProblemCode; seconds: number; reason: string } | undefined {
  if (signalGroup.kind === 'vehicle') {
    return { code: 'GREEN_BELOW_MINIMUM', seconds: signalGroup.minGreen, reason: 'its minGreen' };
  }
  const crossingLength = signalGroup.crossingLength;
  const clearance = crossingClearance(crossingLength);
  if (!clearance) return undefined;
  return {
    code: 'PEDESTRIAN_CLEARANCE_SHORT',
    seconds: clearance.total,
    reason: `walk ${clearance.walk} s + flashing don't walk ${clearance.flashingDontWalk} s for ${crossingLength} m`,
  };
}

function conflictingPairs(signal: Signal): Set<string> {
  return new Set(signal.conflicts.flatMap(({ a, b }) => [pairKey(a, b), pairKey(b, a)]));
}

function checkConflicts(stage: Stage, conflicting: ReadonlySet<string>): PlanProblem[] {
  const protectedGroups = Object.keys(stage.greens).filter(
    (group) => stage.greens[group] === 'protected',
  );
  return protectedGroups.flatMap((first, index) =>
    protectedGroups
      .slice(index + 1)
      .filter((second) => conflicting.has(pairKey(first, second)))
      .map((second) =>
        problem(
          'CONFLICTING_GREENS',
          `stage ${stage.id} gives protected greens to conflicting signal groups ${first} and ${second}: make one permissive or move it to another stage`,
          { stage: stage.id, signalGroup: first },
        ),
      ),
  );
}

function checkNeverServed(plan: StagedPlan, signal: Signal): PlanProblem[] {
  const served = new Set([
    ...plan.stages.flatMap((stage) => Object.keys(stage.greens)),
    ...plan.unsignalled,
  ]);
  return signal.signalGroups
    .filter((signalGroup) => !served.has(signalGroup.id))
    .map((signalGroup) =>
      problem(
        'SIGNAL_GROUP_NEVER_SERVED',
        `signal group ${signalGroup.id} is green in no stage: add it to a stage or to unsignalled`,
        { signalGroup: signalGroup.id },
      ),
    );
}

function checkUnknownGroups(plan: StagedPlan, signal: Signal): PlanProblem[] {
  const known = new Set(signal.signalGroups.map((signalGroup) => signalGroup.id));
  const inStages = plan.stages.flatMap((stage) =>
    Object.keys(stage.greens)
      .filter((signalGroup) => !known.has(signalGroup))
      .map((signalGroup) =>
        problem(
          'UNKNOWN_SIGNAL_GROUP',
          `stage ${stage.id} names signal group ${signalGroup}, which signal ${signal.id} does not have`,
          { stage: stage.id, signalGroup },
        ),
      ),
  );
  const inUnsignalled = plan.unsignalled
    .filter((signalGroup) => !known.has(signalGroup))
    .map((signalGroup) =>
      problem(
        'UNKNOWN_SIGNAL_GROUP',
        `unsignalled names signal group ${signalGroup}, which signal ${signal.id} does not have`,
        { signalGroup },
      ),
    );
  return [...inStages, ...inUnsignalled];
}

/** Only a stage whose end takes green from some group shows a yellow; the others may have none. */
function checkYellows(
  plan: StagedPlan,
  [low, high]: [number, number],
  tolerance: number,
): PlanProblem[] {
  return plan.stages.flatMap((stage, index) => {
    const next = plan.stages[(index + 1) % plan.stages.length] ?? stage;
    const endsGreen = Object.keys(stage.greens).some(
      (signalGroup) => !Object.hasOwn(next.greens, signalGroup),
    );
    const inRange = stage.yellow >= low - tolerance && stage.yellow <= high + tolerance;
    if (!endsGreen || inRange || !Number.isFinite(stage.yellow)) return [];
    return [
      problem(
        'YELLOW_OUT_OF_RANGE',
        `stage ${stage.id} yellow ${seconds(stage.yellow)} is outside [${low}, ${high}] s`,
        { stage: stage.id },
      ),
    ];
  });
}

// ---- small helpers ----------------------------------------------------------------------------

function pairKey(a: string, b: string): string {
  return JSON.stringify([a, b]);
}

function isPositive(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}

function seconds(value: number): string {
  return `${Math.round(value * 1000) / 1000} s`;
}
