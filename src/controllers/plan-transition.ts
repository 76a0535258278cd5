// limitPlanChange: how far one re-plan may move a controller's cycle and offset, keeping it valid.
import { CodedError } from '../coded-error.ts';
import type { Signal } from '../network/types.ts';
import { runsFree } from '../timing/actuation.ts';
import { stageDuration } from '../timing/intervals.ts';
import type { Stage, TimingPlan } from '../timing/types.ts';
import { validatePlan, type ValidatePlanOptions } from '../timing/validate.ts';

export interface PlanChangeLimits {
  /** The signal both plans run on: the step is validated against it. */
  signal: Signal;
  /** Largest cycle change in one step, as a fraction of the previous cycle. */
  maxCycleChange?: number;
  /** Largest cycle change in one step, seconds; the tighter of the two limits holds. */
  maxCycleChangeSeconds?: number;
  /** Largest offset shift in one step (cyclic distance), as a fraction of the new cycle. */
  maxOffsetShift?: number;
  /** Largest offset shift in one step, seconds; the tighter of the two limits holds. */
  maxOffsetShiftSeconds?: number;
  validation?: ValidatePlanOptions;
}

/**
 * How the step's stages were found: `target`, the target's own (its cycle was within reach);
 * `blend`, the same stage sequence moved part of the way from previous to target; `stretch-target`,
 * the target's stages with their greens stretched to the longer step cycle; `stretch-previous`,
 * the previous stages stretched to the step cycle (the sequence changes once the cycle is in reach).
 */
export type PlanChangeMethod = 'target' | 'blend' | 'stretch-target' | 'stretch-previous';

export interface PlanChange {
  /** The plan to deploy now: valid, within the limits of `previous`, on its way to the target. */
  plan: TimingPlan;
  /** The limits that held this step back. */
  limited: ('cycle' | 'offset')[];
  method: PlanChangeMethod;
  /** Whether the step is the target itself (nothing held back). */
  reached: boolean;
}

export type PlanChangeErrorCode = 'INVALID_PREVIOUS' | 'INVALID_TARGET' | 'INVALID_LIMIT';

/** A caller's mistake in `limitPlanChange`: an invalid plan, or a limit that is not positive. */
export class PlanChangeError extends CodedError<PlanChangeErrorCode> {}

/**
 * One step from the running plan towards a new target that controllers can follow: the cycle moves
 * by at most `maxCycleChange` (default 10 % of the previous cycle, and `maxCycleChangeSeconds`),
 * the offset by at most `maxOffsetShift` (default 10 % of the new cycle, and
 * `maxOffsetShiftSeconds`) along the shorter way round the cycle, in the spirit of NTCIP's
 * smooth (shortway) correction. The greens scale with the cycle: with the same stage sequence the
 * step moves every duration the same part of the way (a linear blend of two valid plans of one
 * sequence is valid); otherwise the stages of whichever plan has the shorter cycle are stretched in
 * proportion to their greens (a longer green never breaks a minimum), until the target's cycle is
 * within one step. The step always passes `validatePlan`; applying it again and again reaches the
 * target exactly. Offsets are compared as numbers, each in its own plan's reference. Every step
 * runs the target's actuation (or fixed time, when the target has none) at once: with floating
 * force-offs an actuated controller still holds the step's cycle and offset, so the mode needs no
 * transition of its own. When either plan runs free (`actuated.free`), the step is the target
 * whole (`method: 'target'`, nothing limited): a controller goes free at once, and from free it
 * enters coordination by its own transition, for a free plan's cycle and offset are nominal and
 * limits measured from them would hold nothing back that the controller runs.
 *
 * @throws {PlanChangeError} `INVALID_PREVIOUS` / `INVALID_TARGET` when a plan fails `validatePlan`
 *   for the signal (the problem codes are in the message); `INVALID_LIMIT` for a limit ≤ 0.
 * @example
 * const step = limitPlanChange(plan90, { ...plan120, offset: 40 }, { signal, maxCycleChange: 0.1 });
 * step.plan.cycleLength; // => 99
 * step.limited; // => ['cycle', 'offset'] when the offset moves more than 9.9 s
 */
export function limitPlanChange(
  previous: TimingPlan,
  target: TimingPlan,
  {
    signal,
    maxCycleChange = 0.1,
    maxCycleChangeSeconds = Infinity,
    maxOffsetShift = 0.1,
    maxOffsetShiftSeconds = Infinity,
    validation,
  }: PlanChangeLimits,
): PlanChange {
  checkLimits({ maxCycleChange, maxCycleChangeSeconds, maxOffsetShift, maxOffsetShiftSeconds });
  checkValid('INVALID_PREVIOUS', 'previous', previous, signal, validation);
  checkValid('INVALID_TARGET', 'target', target, signal, validation);
  // A controller goes free at once, and from free enters coordination by its own transition: a
  // free plan's cycle and offset are nominal, so nothing limits the step.
  const free = runsFree(previous) || runsFree(target);
  const cycleLimit = free
    ? Infinity
    : Math.min(maxCycleChange * previous.cycleLength, maxCycleChangeSeconds);
  const cycleChange = target.cycleLength - previous.cycleLength;
  const cycleLimited = Math.abs(cycleChange) > cycleLimit;
  const cycleLength = cycleLimited
    ? previous.cycleLength + Math.sign(cycleChange) * cycleLimit
    : target.cycleLength;

  const shape = stepShape(previous, target, cycleLength, signal, validation);
  const offsetLimit = free
    ? Infinity
    : Math.min(maxOffsetShift * cycleLength, maxOffsetShiftSeconds);
  const { offset, limited: offsetLimited } = shiftOffset(
    previous.offset,
    target.offset,
    cycleLength,
    offsetLimit,
  );
  const plan: TimingPlan = { ...shape.plan, cycleLength, offset };
  const limited = [
    ...(cycleLimited ? (['cycle'] as const) : []),
    ...(offsetLimited ? (['offset'] as const) : []),
  ];
  return {
    plan,
    limited,
    method: shape.method,
    reached: limited.length === 0 && shape.method === 'target',
  };
}

/** The stages (and the fields that go with them) of a step with cycle `cycleLength`. */
function stepShape(
  previous: TimingPlan,
  target: TimingPlan,
  cycleLength: number,
  signal: Signal,
  validation: ValidatePlanOptions | undefined,
): { plan: TimingPlan; method: PlanChangeMethod } {
  const base = copyPlan(target);
  if (cycleLength === target.cycleLength) {
    return { plan: { ...base, stages: target.stages.map(copyStage) }, method: 'target' };
  }
  if (sameSequence(previous, target)) {
    const part = (cycleLength - previous.cycleLength) / (target.cycleLength - previous.cycleLength);
    const blended = { ...base, cycleLength, stages: blendStages(previous, target, part) };
    if (validatePlan(blended, signal, validation).length === 0) {
      return { plan: blended, method: 'blend' };
    }
  }
  // Only lengthening greens is safe for any sequence: stretch the plan with the shorter cycle.
  if (cycleLength > target.cycleLength) {
    return {
      plan: { ...base, stages: stretchGreens(target.stages, cycleLength) },
      method: 'stretch-target',
    };
  }
  const stretched: TimingPlan = {
    ...copyPlan(previous),
    id: target.id,
    ...(target.origin === undefined ? {} : { origin: target.origin }),
    stages: stretchGreens(previous.stages, cycleLength),
  };
  return { plan: withActuationOf(stretched, target), method: 'stretch-previous' };
}

function copyPlan(plan: TimingPlan): TimingPlan {
  return {
    ...plan,
    ...(plan.unsignalled === undefined ? {} : { unsignalled: [...plan.unsignalled] }),
    ...(plan.actuated === undefined ? {} : { actuated: { ...plan.actuated } }),
  };
}

/** `plan` run as `source` runs: with a copy of its actuation, or fixed time when it has none. */
function withActuationOf(plan: TimingPlan, source: TimingPlan): TimingPlan {
  const fixedTime = { ...plan };
  delete fixedTime.actuated;
  return source.actuated === undefined
    ? fixedTime
    : { ...fixedTime, actuated: { ...source.actuated } };
}

/**
 * Same stage ids in the same order, each with the same greens, and the same unsignalled groups.
 * Actuation does not count: it changes how a controller spends the greens within the cycle, not
 * the planned durations a blend moves, so two plans that differ only in it blend as validly.
 */
function sameSequence(a: TimingPlan, b: TimingPlan): boolean {
  if (a.stages.length !== b.stages.length || a.offsetReference !== b.offsetReference) return false;
  const groups = (greens: Stage['greens']) => JSON.stringify(Object.entries(greens).sort());
  const unsignalled = (plan: TimingPlan) => JSON.stringify([...(plan.unsignalled ?? [])].sort());
  return (
    unsignalled(a) === unsignalled(b) &&
    a.stages.every((stage, index) => {
      const other = b.stages[index];
      return (
        other !== undefined &&
        stage.id === other.id &&
        groups(stage.greens) === groups(other.greens)
      );
    })
  );
}

/** Every duration `part` of the way from previous to target; the target's minima and ids. */
function blendStages(previous: TimingPlan, target: TimingPlan, part: number): Stage[] {
  const between = (from: number, to: number) => from + (to - from) * part;
  return target.stages.map((stage, index) => {
    const from = previous.stages[index] ?? stage;
    return {
      ...copyStage(stage),
      green: between(from.green, stage.green),
      yellow: between(from.yellow, stage.yellow),
      allRed: between(from.allRed, stage.allRed),
    };
  });
}

/**
 * The stages with their greens stretched in proportion so the sequence fills `cycleLength`, which
 * is at least what the stages fill now; equal shares when every green is zero.
 */
function stretchGreens(stages: readonly Stage[], cycleLength: number): Stage[] {
  const filled = stages.reduce((sum, stage) => sum + stageDuration(stage), 0);
  const greens = stages.reduce((sum, stage) => sum + stage.green, 0);
  const extra = Math.max(0, cycleLength - filled);
  return stages.map((stage) => ({
    ...copyStage(stage),
    green:
      greens > 0
        ? stage.green + extra * (stage.green / greens)
        : stage.green + extra / stages.length,
  }));
}

function copyStage(stage: Stage): Stage {
  return { ...stage, greens: { ...stage.greens } };
}

/**
 * The offset moved from `from` towards `to` by at most `limit` seconds the shorter way round a
 * cycle of `cycleLength`, in [0, cycleLength).
 *
 * @example
 * shiftOffset(5, 95, 100, 20); // => { offset: 95, limited: false } (10 s back across zero)
 */
export function shiftOffset(
  from: number,
  to: number,
  cycleLength: number,
  limit: number,
): { offset: number; limited: boolean } {
  const start = modulo(from, cycleLength);
  const goal = modulo(to, cycleLength);
  const distance = cyclicDistance(start, goal, cycleLength);
  if (Math.abs(distance) <= limit) return { offset: goal, limited: false };
  return { offset: modulo(start + Math.sign(distance) * limit, cycleLength), limited: true };
}

/**
 * The signed shortest way from `from` to `to` round a cycle, in (−cycle/2, cycle/2].
 *
 * @example
 * cyclicDistance(5, 95, 100); // => -10
 */
export function cyclicDistance(from: number, to: number, cycleLength: number): number {
  const ahead = modulo(to - from, cycleLength);
  return ahead > cycleLength / 2 ? ahead - cycleLength : ahead;
}

/** `value` mod `cycleLength` in [0, cycleLength), also when rounding lands on the cycle itself. */
function modulo(value: number, cycleLength: number): number {
  const remainder = value % cycleLength;
  const wrapped = remainder < 0 ? remainder + cycleLength : remainder;
  return wrapped >= cycleLength ? 0 : wrapped;
}

function checkLimits(limits: Record<string, number>): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!(typeof value === 'number' && value > 0)) {
      throw new PlanChangeError(
        'INVALID_LIMIT',
        `limitPlanChange: ${name} must be > 0 (a fraction, or seconds; Infinity for none), got ${String(value)}`,
      );
    }
  }
}

function checkValid(
  code: PlanChangeErrorCode,
  which: string,
  plan: TimingPlan,
  signal: Signal,
  validation: ValidatePlanOptions | undefined,
): void {
  const problems = validatePlan(plan, signal, validation);
  if (problems.length === 0) return;
  const codes = [...new Set(problems.map((problem) => problem.code))].join(', ');
  throw new PlanChangeError(
    code,
    `limitPlanChange: the ${which} plan ${plan.id} is not valid for signal ${signal.id} (${codes}): limit only plans validatePlan accepts`,
  );
}
