// validatePlan: every coded problem in a timing plan for its signal, returned as data, never thrown.
import type { GreenKind, Signal, SignalGroup } from '../network/types.ts';
import { pedestrianClearance } from './clearance.ts';
import { greenRuns, stageDuration } from './intervals.ts';
import type { PlanProblem, PlanProblemCode, Stage, TimingPlan } from './types.ts';

export interface ValidatePlanOptions {
  /**
   * Allowed yellow, seconds, for a stage whose end takes green from some signal group. Off by
   * default: SUMO and CityFlow programs carry 0 s or 5 s yellows. `[3, 6]` is the MUTCD range.
   */
  yellowRange?: [number, number];
  /** Seconds of slack in comparisons of sums of durations, for floating-point noise. */
  tolerance?: number;
}

/** The plan as read from untrusted input: every field present, numbers possibly NaN. */
interface ReadPlan {
  signal: unknown;
  cycleLength: number;
  offset: number;
  stages: Stage[];
  unsignalled: string[];
}

const GREEN_KINDS: readonly unknown[] = ['protected', 'permissive'] satisfies GreenKind[];
const OFFSET_REFERENCES: readonly unknown[] = [
  'first-stage-green-start',
  'first-stage-yellow-start',
];

/**
 * Every problem in a timing plan for the signal it runs on, each with a stable code. Never throws
 * for a bad plan: input that is not plan-shaped at all (no stages array, NaN or missing numbers,
 * `greens` not an object) is reported under the nearest code (`NO_STAGES`, `NEGATIVE_DURATION`,
 * `UNKNOWN_SIGNAL_GROUP`, `OFFSET_OUT_OF_RANGE` for an unknown `offsetReference`).
 *
 * A green is the interval a signal group is green without a break: consecutive stages it stays
 * green across count as one, change intervals included. Minimum greens of vehicle groups and
 * pedestrian clearance (`pedestrianClearance`, MUTCD 2009 §4E.06) are checked against it. Two
 * conflicting groups may be green together when one of them is permissive (it yields), as SUMO and
 * CityFlow run permissive turns; two protected ones may not.
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
  const { read, problems: shapeProblems } = readPlan(plan);
  const planProblems = [
    ...checkSignal(read, signal),
    ...checkCycleLength(read),
    ...checkOffset(read),
    ...shapeProblems,
  ];
  if (read.stages.length === 0) {
    const message = 'the plan has no stages: give stages as an array of at least one stage';
    return [...planProblems, problem('NO_STAGES', message)];
  }
  const durationsKnown = read.stages.every((stage) =>
    [stage.green, stage.yellow, stage.allRed].every(Number.isFinite),
  );
  const conflicting = conflictingPairs(signal);
  return [
    ...planProblems,
    ...read.stages.flatMap(checkDurations),
    ...(durationsKnown ? checkCycleFill(read, tolerance) : []),
    ...read.stages.flatMap((stage) => checkStageMinimum(stage, tolerance)),
    ...(durationsKnown ? checkGroupGreens(read, signal, tolerance) : []),
    ...read.stages.flatMap((stage) => checkConflicts(stage, conflicting)),
    ...checkNeverServed(read, signal),
    ...checkUnknownGroups(read, signal),
    ...(yellowRange ? checkYellows(read, yellowRange, tolerance) : []),
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

// ---- reading untrusted input -----------------------------------------------------------------

function readPlan(plan: unknown): { read: ReadPlan; problems: PlanProblem[] } {
  const fields = isRecord(plan) ? plan : {};
  const stageInputs = Array.isArray(fields.stages) ? Array.from(fields.stages as unknown[]) : [];
  const stages = stageInputs.map(readStage);
  const unsignalled = readUnsignalled(fields.unsignalled);
  const read: ReadPlan = {
    signal: fields.signal,
    cycleLength: toNumber(fields.cycleLength),
    offset: toNumber(fields.offset),
    stages: stages.map((entry) => entry.stage),
    unsignalled: unsignalled.signalGroups,
  };
  const referenceProblems = OFFSET_REFERENCES.includes(fields.offsetReference)
    ? []
    : [
        problem(
          'OFFSET_OUT_OF_RANGE',
          `offsetReference ${describe(fields.offsetReference)} is unknown: use 'first-stage-green-start' or 'first-stage-yellow-start'`,
        ),
      ];
  return {
    read,
    problems: [
      ...referenceProblems,
      ...stages.flatMap((entry) => entry.problems),
      ...unsignalled.problems,
    ],
  };
}

function readStage(input: unknown, index: number): { stage: Stage; problems: PlanProblem[] } {
  const fields = isRecord(input) ? input : {};
  const id = typeof fields.id === 'string' ? fields.id : `#${index}`;
  const shapeProblems = isRecord(input)
    ? []
    : [
        problem(
          'NEGATIVE_DURATION',
          `stage ${id} is ${describe(input)}: give it id, greens, green, yellow, allRed and minGreen`,
          { stage: id },
        ),
      ];
  const greens = readGreens(fields.greens, id);
  const stage: Stage = {
    id,
    greens: greens.greens,
    green: toNumber(fields.green),
    yellow: toNumber(fields.yellow),
    allRed: toNumber(fields.allRed),
    minGreen: toNumber(fields.minGreen),
  };
  return { stage, problems: isRecord(input) ? greens.problems : shapeProblems };
}

function readGreens(
  input: unknown,
  stage: string,
): { greens: Record<string, GreenKind>; problems: PlanProblem[] } {
  if (!isRecord(input)) {
    const message = `stage ${stage} greens is ${describe(input)}: give an object of signal group id → 'protected' | 'permissive'`;
    return { greens: {}, problems: [problem('UNKNOWN_SIGNAL_GROUP', message, { stage })] };
  }
  const entries = Object.entries(input);
  const problems = entries
    .filter(([, kind]) => !GREEN_KINDS.includes(kind))
    .map(([signalGroup, kind]) =>
      problem(
        'UNKNOWN_SIGNAL_GROUP',
        `stage ${stage} gives signal group ${signalGroup} the green ${describe(kind)}: use 'protected' or 'permissive'`,
        { stage, signalGroup },
      ),
    );
  // An unknown kind is read as protected, the stricter reading for the conflict check.
  const greens = Object.fromEntries(
    entries.map(([signalGroup, kind]): [string, GreenKind] => [
      signalGroup,
      kind === 'permissive' ? 'permissive' : 'protected',
    ]),
  );
  return { greens, problems };
}

function readUnsignalled(input: unknown): { signalGroups: string[]; problems: PlanProblem[] } {
  if (input === undefined) return { signalGroups: [], problems: [] };
  const entries = Array.isArray(input) ? Array.from(input as unknown[]) : [];
  const signalGroups = entries.filter((entry): entry is string => typeof entry === 'string');
  const wellFormed = Array.isArray(input) && signalGroups.length === entries.length;
  const problems = wellFormed
    ? []
    : [
        problem(
          'UNKNOWN_SIGNAL_GROUP',
          `unsignalled must be an array of signal group ids; got ${describe(input)}`,
        ),
      ];
  return { signalGroups, problems };
}

// ---- the checks --------------------------------------------------------------------------------

function checkSignal(plan: ReadPlan, signal: Signal): PlanProblem[] {
  if (plan.signal === signal.id) return [];
  return [
    problem('UNKNOWN_SIGNAL', `the plan is for signal ${describe(plan.signal)}, not ${signal.id}`),
  ];
}

function checkCycleLength(plan: ReadPlan): PlanProblem[] {
  if (isPositive(plan.cycleLength)) return [];
  return [
    problem(
      'CYCLE_NOT_POSITIVE',
      `cycleLength ${describe(plan.cycleLength)} must be a number of seconds > 0`,
    ),
  ];
}

function checkOffset({ offset, cycleLength }: ReadPlan): PlanProblem[] {
  const aboveCycle = isPositive(cycleLength) && offset >= cycleLength;
  if (Number.isFinite(offset) && offset >= 0 && !aboveCycle) return [];
  const range = isPositive(cycleLength) ? `[0, ${cycleLength} s)` : '[0, cycleLength)';
  return [
    problem(
      'OFFSET_OUT_OF_RANGE',
      `offset ${describe(offset)} is outside ${range}: take it modulo the cycle length`,
    ),
  ];
}

function checkDurations(stage: Stage): PlanProblem[] {
  const durations = {
    green: stage.green,
    yellow: stage.yellow,
    allRed: stage.allRed,
    minGreen: stage.minGreen,
  };
  return Object.entries(durations)
    .filter(([, seconds]) => !Number.isFinite(seconds) || seconds < 0)
    .map(([name, seconds]) =>
      problem(
        'NEGATIVE_DURATION',
        `stage ${stage.id} ${name} is ${describe(seconds)}: give seconds ≥ 0`,
        {
          stage: stage.id,
        },
      ),
    );
}

function checkCycleFill(plan: ReadPlan, tolerance: number): PlanProblem[] {
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
function checkGroupGreens(plan: ReadPlan, signal: Signal, tolerance: number): PlanProblem[] {
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
  if (!isFiniteNumber(crossingLength) || crossingLength < 0) return undefined;
  const clearance = pedestrianClearance({ crossingLength });
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

function checkNeverServed(plan: ReadPlan, signal: Signal): PlanProblem[] {
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

function checkUnknownGroups(plan: ReadPlan, signal: Signal): PlanProblem[] {
  const known = new Set(signal.signalGroups.map((signalGroup) => signalGroup.id));
  const inStages = plan.stages.flatMap((stage) =>
    Object.keys(stage.greens)
      .filter((signalGroup) => !known.has(signalGroup))
      .map((signalGroup) =>
        problem(
          'UNKNOWN_SIGNAL_GROUP',
          `stage ${stage.id} names signal group ${signalGroup}, which signal ${signal.id} does not have`,
          {
            stage: stage.id,
            signalGroup,
          },
        ),
      ),
  );
  const inUnsignalled = plan.unsignalled
    .filter((signalGroup) => !known.has(signalGroup))
    .map((signalGroup) =>
      problem(
        'UNKNOWN_SIGNAL_GROUP',
        `unsignalled names signal group ${signalGroup}, which signal ${signal.id} does not have`,
        {
          signalGroup,
        },
      ),
    );
  return [...inStages, ...inUnsignalled];
}

/** Only a stage whose end takes green from some group shows a yellow; the others may have none. */
function checkYellows(
  plan: ReadPlan,
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
        {
          stage: stage.id,
        },
      ),
    ];
  });
}

// ---- small helpers ----------------------------------------------------------------------------

function problem(
  code: PlanProblemCode,
  message: string,
  where: { stage?: string | undefined; signalGroup?: string } = {},
): PlanProblem {
  return {
    code,
    message,
    ...(where.stage === undefined ? {} : { stage: where.stage }),
    ...(where.signalGroup === undefined ? {} : { signalGroup: where.signalGroup }),
  };
}

function pairKey(a: string, b: string): string {
  return JSON.stringify([a, b]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isPositive(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}

function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number.NaN;
}

function seconds(value: number): string {
  return `${Math.round(value * 1000) / 1000} s`;
}

/** A short, never-throwing description of any value, for messages about malformed input. */
function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(typeof value);
}
