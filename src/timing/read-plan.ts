// readPlan: a timing plan from untrusted input, every structural fault a MALFORMED_PLAN problem.
import type { GreenKind } from '../network/types.ts';
import type { PlanProblem, PlanProblemCode, Stage } from './types.ts';

/**
 * The plan as read: every field present. A number the input did not give as a finite number is
 * NaN, and `stages` is undefined when the input gave no array; both are already reported.
 */
export interface ReadPlan {
  signal: unknown;
  cycleLength: number;
  offset: number;
  stages: Stage[] | undefined;
  unsignalled: string[];
  /**
   * The actuation as given, its passage and `free` unchecked (their values are `validatePlan`'s
   * question; `free` is undefined when not given); undefined for a fixed-time plan, or when
   * `actuated` was malformed (already reported).
   */
  actuated: { passage: unknown; free: unknown } | undefined;
}

const GREEN_KINDS: readonly unknown[] = ['protected', 'permissive'] satisfies GreenKind[];
const OFFSET_REFERENCES: readonly unknown[] = [
  'first-stage-green-start',
  'first-stage-yellow-start',
];

/**
 * Reads a plan given as anything, reporting each structural fault as `MALFORMED_PLAN`: a plan or
 * stage that is not an object, a number that is missing, NaN or infinite, `stages` not an array,
 * `greens` not an object or with an unknown kind of green, `unsignalled` not a list of ids, an
 * unknown `offsetReference`, `actuated` not an object or with fields other than `passage` and
 * `free`. Whether the values make a workable plan (a passage time in range, `free` a boolean, too)
 * is `validatePlan`'s question.
 *
 * @returns The plan as read (undefined when the input is not an object) and the faults found.
 * @example
 * readPlan({ ...plan, cycleLength: '90' }).problems;
 * // [{ code: 'MALFORMED_PLAN', message: 'cycleLength is "90": give seconds as a finite number' }]
 */
export function readPlan(input: unknown): { plan?: ReadPlan; problems: PlanProblem[] } {
  if (!isRecord(input)) {
    const message = `the plan is ${describe(input)}: give an object with signal, cycleLength, offset, offsetReference and stages`;
    return { problems: [problem('MALFORMED_PLAN', message)] };
  }
  const problems: PlanProblem[] = [];
  const plan: ReadPlan = {
    signal: input.signal,
    cycleLength: readSeconds(input.cycleLength, 'cycleLength', problems),
    offset: readSeconds(input.offset, 'offset', problems),
    stages: readStages(input.stages, problems),
    unsignalled: readUnsignalled(input.unsignalled, problems),
    actuated: readActuation(input.actuated, problems),
  };
  if (!OFFSET_REFERENCES.includes(input.offsetReference)) {
    const message = `offsetReference ${describe(input.offsetReference)} is unknown: use 'first-stage-green-start' or 'first-stage-yellow-start'`;
    problems.push(problem('MALFORMED_PLAN', message));
  }
  return { plan, problems };
}

/** A finite number of seconds; NaN, with a problem, for anything else. */
function readSeconds(
  input: unknown,
  name: string,
  problems: PlanProblem[],
  stage?: string,
): number {
  if (isFiniteNumber(input)) return input;
  const message = `${name} is ${describe(input)}: give seconds as a finite number`;
  problems.push(problem('MALFORMED_PLAN', message, { stage }));
  return Number.NaN;
}

function readStages(input: unknown, problems: PlanProblem[]): Stage[] | undefined {
  if (Array.isArray(input)) {
    return Array.from(input as unknown[]).map((stage, index) => readStage(stage, index, problems));
  }
  const message = `stages is ${describe(input)}: give an array of stages`;
  problems.push(problem('MALFORMED_PLAN', message));
  return undefined;
}

function readStage(input: unknown, index: number, problems: PlanProblem[]): Stage {
  if (!isRecord(input)) {
    const id = `#${index}`;
    const message = `stage ${id} is ${describe(input)}: give it id, greens, green, yellow, allRed and minGreen`;
    problems.push(problem('MALFORMED_PLAN', message, { stage: id }));
    const unknown = Number.NaN;
    return { id, greens: {}, green: unknown, yellow: unknown, allRed: unknown, minGreen: unknown };
  }
  const id = typeof input.id === 'string' ? input.id : `#${index}`;
  const seconds = (name: 'green' | 'yellow' | 'allRed' | 'minGreen'): number =>
    readSeconds(input[name], `stage ${id} ${name}`, problems, id);
  return {
    id,
    greens: readGreens(input.greens, id, problems),
    green: seconds('green'),
    yellow: seconds('yellow'),
    allRed: seconds('allRed'),
    minGreen: seconds('minGreen'),
  };
}

function readGreens(
  input: unknown,
  stage: string,
  problems: PlanProblem[],
): Record<string, GreenKind> {
  if (!isRecord(input)) {
    const message = `stage ${stage} greens is ${describe(input)}: give an object of signal group id → 'protected' | 'permissive'`;
    problems.push(problem('MALFORMED_PLAN', message, { stage }));
    return {};
  }
  const entries = Object.entries(input);
  for (const [signalGroup, kind] of entries.filter(([, kind]) => !GREEN_KINDS.includes(kind))) {
    const message = `stage ${stage} gives signal group ${signalGroup} the green ${describe(kind)}: use 'protected' or 'permissive'`;
    problems.push(problem('MALFORMED_PLAN', message, { stage, signalGroup }));
  }
  // An unknown kind is read as protected, the stricter reading for the conflict check.
  return Object.fromEntries(
    entries.map(([signalGroup, kind]): [string, GreenKind] => [
      signalGroup,
      kind === 'permissive' ? 'permissive' : 'protected',
    ]),
  );
}

function readUnsignalled(input: unknown, problems: PlanProblem[]): string[] {
  if (input === undefined) return [];
  const entries = Array.isArray(input) ? Array.from(input as unknown[]) : [];
  const signalGroups = entries.filter((entry): entry is string => typeof entry === 'string');
  if (!Array.isArray(input) || signalGroups.length !== entries.length) {
    const message = `unsignalled must be an array of signal group ids; got ${describe(input)}`;
    problems.push(problem('MALFORMED_PLAN', message));
  }
  return signalGroups;
}

const ACTUATION_FIELDS: readonly string[] = ['passage', 'free'];

/** `actuated`: absent (fixed time) or `{ passage, free? }`; both read as given. */
function readActuation(
  input: unknown,
  problems: PlanProblem[],
): { passage: unknown; free: unknown } | undefined {
  if (input === undefined) return undefined;
  if (!isRecord(input)) {
    const message = `actuated is ${describe(input)}: give { passage: seconds } for coordinated-actuated operation (with free: true for free operation), or leave actuated out for fixed time`;
    problems.push(problem('MALFORMED_PLAN', message));
    return undefined;
  }
  const unknown = Object.keys(input).filter((key) => !ACTUATION_FIELDS.includes(key));
  if (unknown.length > 0) {
    const names = unknown.map((key) => JSON.stringify(key)).join(', ');
    const message = `actuated has ${names}, which a controller does not read: give only passage and free`;
    problems.push(problem('MALFORMED_PLAN', message));
  }
  return { passage: input.passage, free: input.free };
}

// ---- helpers shared with validatePlan ---------------------------------------------------------

/** A coded problem, with the stage and signal group it concerns when there are. */
export function problem(
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

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A short, never-throwing description of any value, for messages about malformed input. */
export function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(typeof value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
