// limitPlanChange: worked steps, then invariants — always valid, within the limits, reaches the target.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fourLegSignal, leadLeftPlan } from '../timing/four-leg.fixture.ts';
import { stageDuration } from '../timing/intervals.ts';
import type { Stage, TimingPlan } from '../timing/types.ts';
import { validatePlan } from '../timing/validate.ts';
import { leadLeftWithCycle, zhengzhouSignals } from './controllers.fixture.ts';
import {
  cyclicDistance,
  limitPlanChange,
  shiftOffset,
  type PlanChangeLimits,
} from './plan-transition.ts';

const signal = fourLegSignal();

/** Steps from `previous` until the target is reached; fails past `maxSteps`. */
function stepsTo(
  previous: TimingPlan,
  target: TimingPlan,
  limits: PlanChangeLimits,
  maxSteps = 500,
): TimingPlan[] {
  const steps: TimingPlan[] = [];
  let current = previous;
  for (let step = 0; step < maxSteps; step++) {
    const change = limitPlanChange(current, target, limits);
    steps.push(change.plan);
    if (change.reached) return steps;
    current = change.plan;
  }
  throw new Error(`no convergence in ${maxSteps} steps`);
}

describe('limitPlanChange: worked steps', () => {
  it('90 s → 120 s, same sequence, 10 %: the cycle moves 9 s and every duration 30 % of the way', () => {
    const previous = leadLeftWithCycle(90, 10);
    const target = leadLeftWithCycle(120, 10);
    const change = limitPlanChange(previous, target, { signal, maxCycleChange: 0.1 });
    expect(change).toMatchObject({ method: 'blend', limited: ['cycle'], reached: false });
    expect(change.plan.cycleLength).toBe(99);
    expect(change.plan.offset).toBe(10);
    expect(change.plan.id).toBe(target.id);
    const part = 9 / 30;
    change.plan.stages.forEach((stage, index) => {
      const from = previous.stages[index]!;
      const to = target.stages[index]!;
      expect(stage.green).toBeCloseTo(from.green + (to.green - from.green) * part, 9);
    });
    expect(validatePlan(change.plan, signal)).toEqual([]);
  });

  it('limits the cycle by seconds when that is tighter', () => {
    const change = limitPlanChange(leadLeftWithCycle(90), leadLeftWithCycle(120), {
      signal,
      maxCycleChange: 0.5,
      maxCycleChangeSeconds: 4,
    });
    expect(change.plan.cycleLength).toBe(94);
  });

  it('takes the target at once when it is within the limits', () => {
    const target = { ...leadLeftWithCycle(95), offset: 20 };
    const change = limitPlanChange(leadLeftWithCycle(90, 15), target, { signal });
    expect(change).toMatchObject({ method: 'target', limited: [], reached: true });
    expect(change.plan).toStrictEqual(target);
  });

  it('shifts the offset the short way round, across zero', () => {
    const previous = { ...leadLeftPlan(), offset: 5 };
    const target = { ...leadLeftPlan(), offset: 60 };
    const limits = { signal, maxOffsetShift: 1, maxOffsetShiftSeconds: 20 };
    const change = limitPlanChange(previous, target, limits);
    // in a 90 s cycle, 5 → 60 is 55 s ahead or 35 s back: back, by 20 s, to 75
    expect(change.plan.offset).toBe(75);
    expect(change.limited).toEqual(['offset']);
    expect(change.method).toBe('target');
  });

  it('changes stage sequence only once the cycle is within one step', () => {
    const lagLeft = lagLeftPlan(120, 0);
    const growing = limitPlanChange(leadLeftPlan(), lagLeft, { signal, maxCycleChange: 0.1 });
    expect(growing.method).toBe('stretch-previous');
    expect(growing.plan.stages.map((stage) => stage.id)).toEqual(['A', 'B', 'C']);
    expect(growing.plan.cycleLength).toBe(99);

    const shrinking = limitPlanChange(lagLeft, leadLeftPlan(), { signal, maxCycleChange: 0.1 });
    expect(shrinking.method).toBe('stretch-target');
    expect(shrinking.plan.stages.map((stage) => stage.id)).toEqual(['A', 'B', 'C']);
    expect(shrinking.plan.cycleLength).toBe(108);
    // both stretch the lead-left plan: the previous one growing, the target shrinking
    for (const step of [growing, shrinking]) {
      expect(validatePlan(step.plan, signal)).toEqual([]);
      step.plan.stages.forEach((stage, index) => {
        const before = leadLeftPlan().stages[index]!;
        expect(stage.green).toBeGreaterThanOrEqual(before.green);
        expect(stage.yellow).toBe(before.yellow);
      });
    }
  });

  it('moves Zhengzhou JS-07 from its off-peak to its weekday-peak program', async () => {
    const js07 = (await zhengzhouSignals()).find((candidate) => candidate.id === 'JS-07')!;
    const [peak, offPeak] = ['weekday-peak', 'off-peak'].map((id) =>
      js07.programs.find((program) => program.id === id)!,
    );
    const steps = stepsTo(offPeak!, peak!, {
      signal: js07,
      maxCycleChange: 0.05,
      maxOffsetShift: 0.05,
    });
    for (const step of steps) expect(validatePlan(step, js07)).toEqual([]);
    expect(steps.at(-1)).toStrictEqual(peak);
    expect(steps.length).toBeGreaterThan(3);
  });

  it('throws a coded error for an invalid plan or a limit that is not positive', () => {
    const bad = { ...leadLeftPlan(), offset: 90 };
    expect(() => limitPlanChange(bad, leadLeftPlan(), { signal })).toThrow(
      expect.objectContaining({ code: 'INVALID_PREVIOUS' }),
    );
    expect(() => limitPlanChange(leadLeftPlan(), bad, { signal })).toThrow(
      expect.objectContaining({
        code: 'INVALID_TARGET',
        message: expect.stringMatching(/^limitPlanChange: .*OFFSET_OUT_OF_RANGE/),
      }),
    );
    expect(() =>
      limitPlanChange(leadLeftPlan(), leadLeftPlan(), { signal, maxCycleChange: 0 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_LIMIT' }));
  });
});

describe('limitPlanChange: actuation', () => {
  const actuated = (plan: TimingPlan, passage: number): TimingPlan => ({
    ...plan,
    actuated: { passage },
  });

  it('blends into an actuated target of the same sequence: actuation is no part of the sequence', () => {
    const target = actuated(leadLeftWithCycle(120, 10), 3);
    const change = limitPlanChange(leadLeftWithCycle(90, 10), target, { signal });
    expect(change.method).toBe('blend');
    expect(change.plan.actuated).toEqual({ passage: 3 });
    expect(change.plan.actuated).not.toBe(target.actuated);
  });

  it('runs the target’s actuation from the first step, also on the previous stages', () => {
    const growing = limitPlanChange(leadLeftPlan(), actuated(lagLeftPlan(120, 0), 2.5), {
      signal,
    });
    expect(growing.method).toBe('stretch-previous');
    expect(growing.plan.actuated).toEqual({ passage: 2.5 });
  });

  it('drops the previous actuation when the target runs fixed time', () => {
    const growing = limitPlanChange(actuated(leadLeftPlan(), 4), lagLeftPlan(120, 0), { signal });
    expect(growing.method).toBe('stretch-previous');
    expect(growing.plan).not.toHaveProperty('actuated');
    const blended = limitPlanChange(actuated(leadLeftWithCycle(90), 4), leadLeftWithCycle(120), {
      signal,
    });
    expect(blended.method).toBe('blend');
    expect(blended.plan).not.toHaveProperty('actuated');
  });

  it('reaches a target that differs only in actuation in one step', () => {
    const target = actuated(leadLeftPlan(), 3);
    const change = limitPlanChange(leadLeftPlan(), target, { signal });
    expect(change).toMatchObject({ method: 'target', reached: true, limited: [] });
    expect(change.plan).toStrictEqual(target);
  });

  it('goes free at once: the free target whole, however far its cycle and offset', () => {
    const previous = leadLeftWithCycle(90, 10);
    const target: TimingPlan = {
      ...lagLeftPlan(120, 70),
      unsignalled: ['7'],
      actuated: { passage: 3, free: true },
    };
    const change = limitPlanChange(previous, target, { signal });
    expect(change).toMatchObject({ method: 'target', reached: true, limited: [] });
    expect(change.plan).toStrictEqual(target);
    expect(change.plan).not.toBe(target);
    expect(change.plan.actuated).not.toBe(target.actuated);
    expect(change.plan.stages[0]).not.toBe(target.stages[0]);
    expect(change.plan.stages[0]!.greens).not.toBe(target.stages[0]!.greens);
    expect(change.plan.unsignalled).not.toBe(target.unsignalled);
  });

  it('leaves free for the target whole, fixed or coordinated: the controller enters coordination itself', () => {
    const previous = actuated(leadLeftWithCycle(90, 10), 3);
    const free = { ...previous, actuated: { passage: 3, free: true } };
    for (const target of [leadLeftWithCycle(120, 55), actuated(lagLeftPlan(120, 70), 2)]) {
      const change = limitPlanChange(free, target, { signal, maxCycleChange: 0.05 });
      expect(change).toMatchObject({ method: 'target', reached: true, limited: [] });
      expect(change.plan).toStrictEqual(target);
    }
    // The same step from the coordinated plan is limited: free, not actuation, lifts the limits.
    const coordinated = limitPlanChange(previous, leadLeftWithCycle(120, 55), { signal });
    expect(coordinated.limited).toEqual(['cycle', 'offset']);
  });

  it('moves between two free plans in one step, their cycles and offsets nominal', () => {
    const from = { ...leadLeftWithCycle(90, 10), actuated: { passage: 3, free: true } };
    const to = { ...leadLeftWithCycle(120, 60), actuated: { passage: 2, free: true } };
    const change = limitPlanChange(from, to, { signal });
    expect(change).toMatchObject({ method: 'target', reached: true, limited: [] });
    expect(change.plan).toStrictEqual(to);
  });

  it('still refuses an invalid free plan', () => {
    const bad = {
      ...leadLeftPlan(),
      actuated: { passage: 3, free: 'yes' },
    } as unknown as TimingPlan;
    expect(() => limitPlanChange(leadLeftPlan(), bad, { signal })).toThrow(
      expect.objectContaining({ code: 'INVALID_TARGET' }),
    );
    expect(() => limitPlanChange(bad, leadLeftPlan(), { signal })).toThrow(
      expect.objectContaining({ code: 'INVALID_PREVIOUS' }),
    );
  });

  it('refuses a target whose passage validatePlan refuses', () => {
    expect(() => limitPlanChange(leadLeftPlan(), actuated(leadLeftPlan(), 31), { signal })).toThrow(
      expect.objectContaining({
        code: 'INVALID_TARGET',
        message: expect.stringMatching(/ACTUATION_INVALID/),
      }),
    );
  });
});

describe('shiftOffset / cyclicDistance', () => {
  it('goes the shorter way and stays in [0, cycle)', () => {
    expect(cyclicDistance(5, 95, 100)).toBe(-10);
    expect(cyclicDistance(95, 5, 100)).toBe(10);
    expect(cyclicDistance(0, 50, 100)).toBe(50);
    expect(shiftOffset(5, 95, 100, 20)).toEqual({ offset: 95, limited: false });
    expect(shiftOffset(5, 60, 100, 20)).toEqual({ offset: 85, limited: true });
    expect(shiftOffset(130, 10, 100, 5)).toEqual({ offset: 25, limited: true });
  });
});

// ---- invariants ---------------------------------------------------------------------------------

function stage(id: string, greens: Stage['greens'], green: number, minGreen: number): Stage {
  return { id, greens, green, yellow: 3, allRed: 2, minGreen };
}

/** Lead lefts (A, B, C), lag lefts (B, A, C), or two stages with permissive lefts. */
function planOf(
  sequence: 'lead' | 'lag' | 'two',
  greens: number[],
  offsetFraction: number,
): TimingPlan {
  const [g1 = 0, g2 = 0, g3 = 0] = greens;
  const lefts = stage('A', { '1': 'protected', '3': 'protected' }, 5 + g1, 5);
  const northSouth = stage(
    'B',
    { '0': 'protected', '2': 'protected', '1': 'permissive', '3': 'permissive', '6': 'protected' },
    26 + g2,
    10,
  );
  const eastWest = stage(
    'C',
    { '4': 'protected', '5': 'protected', '7': 'protected' },
    30 + g3,
    10,
  );
  const stages =
    sequence === 'lead'
      ? [lefts, northSouth, eastWest]
      : sequence === 'lag'
        ? [northSouth, lefts, eastWest]
        : [northSouth, eastWest];
  const cycleLength = stages.reduce((sum, each) => sum + stageDuration(each), 0);
  return {
    id: `${sequence}-${cycleLength}`,
    signal: 'J1',
    cycleLength,
    offset: Math.min(cycleLength * offsetFraction, cycleLength - 0.001),
    offsetReference: 'first-stage-green-start',
    stages,
  };
}

function lagLeftPlan(cycleLength: number, offset: number): TimingPlan {
  const base = planOf('lag', [0, 0, 0], 0);
  const extra = cycleLength - base.cycleLength;
  return { ...planOf('lag', [10, extra / 2, extra / 2 - 10], 0), offset };
}

/** Plans of the three sequences, fixed time or (half of them) coordinated-actuated. */
const plans = fc
  .record({
    sequence: fc.constantFrom('lead' as const, 'lag' as const, 'two' as const),
    greens: fc.array(fc.double({ min: 0, max: 60, noNaN: true }), { minLength: 3, maxLength: 3 }),
    offsetFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    passage: fc.option(fc.double({ min: 0, max: 30, noNaN: true }), { nil: undefined }),
  })
  .map(({ sequence, greens, offsetFraction, passage }) => {
    const plan = planOf(sequence, greens, offsetFraction);
    return passage === undefined ? plan : { ...plan, actuated: { passage } };
  });

const limits = fc.record({
  maxCycleChange: fc.double({ min: 0.02, max: 0.5, noNaN: true }),
  maxCycleChangeSeconds: fc.oneof(
    fc.constant(Infinity),
    fc.double({ min: 1, max: 30, noNaN: true }),
  ),
  maxOffsetShift: fc.double({ min: 0.02, max: 0.6, noNaN: true }),
  maxOffsetShiftSeconds: fc.oneof(
    fc.constant(Infinity),
    fc.double({ min: 1, max: 30, noNaN: true }),
  ),
});

describe('limitPlanChange: invariants', () => {
  it('the generated plans are valid, so the properties below test something', () => {
    fc.assert(
      fc.property(plans, (plan) => {
        expect(validatePlan(plan, signal)).toEqual([]);
      }),
    );
  });

  it('every step validates and stays within the limits of the plan before it', () => {
    const methods = new Map<string, number>();
    fc.assert(
      fc.property(plans, plans, limits, (previous, target, given) => {
        const { plan, limited, method } = limitPlanChange(previous, target, { signal, ...given });
        methods.set(method, (methods.get(method) ?? 0) + 1);
        expect(validatePlan(plan, signal)).toEqual([]);
        const cycleLimit = Math.min(
          given.maxCycleChange * previous.cycleLength,
          given.maxCycleChangeSeconds,
        );
        expect(Math.abs(plan.cycleLength - previous.cycleLength)).toBeLessThanOrEqual(
          cycleLimit + 1e-9,
        );
        const offsetLimit = Math.min(
          given.maxOffsetShift * plan.cycleLength,
          given.maxOffsetShiftSeconds,
        );
        const shift = Math.abs(cyclicDistance(previous.offset, plan.offset, plan.cycleLength));
        expect(shift).toBeLessThanOrEqual(offsetLimit + 1e-9);
        // the cycle moves towards the target, never past it
        const before = target.cycleLength - previous.cycleLength;
        const after = target.cycleLength - plan.cycleLength;
        expect(Math.abs(after)).toBeLessThanOrEqual(Math.abs(before));
        expect(after * before).toBeGreaterThanOrEqual(0);
        expect(limited.includes('cycle')).toBe(plan.cycleLength !== target.cycleLength);
        // the step runs as the target runs: actuated with its passage, or fixed time
        expect(plan.actuated).toStrictEqual(target.actuated);
        expect('actuated' in plan).toBe('actuated' in target);
      }),
      { numRuns: 500 },
    );
    // every way of finding the stages was exercised
    for (const method of ['target', 'blend', 'stretch-target', 'stretch-previous']) {
      expect(methods.get(method), method).toBeGreaterThan(10);
    }
  });

  it('applied again and again, reaches the target exactly, every step valid', () => {
    fc.assert(
      fc.property(plans, plans, limits, (previous, target, given) => {
        const steps = stepsTo(previous, target, { signal, ...given });
        for (const step of steps) expect(validatePlan(step, signal)).toEqual([]);
        expect(steps.at(-1)).toStrictEqual(target);
      }),
      { numRuns: 200 },
    );
  });

  it('does not touch a plan already at its target', () => {
    fc.assert(
      fc.property(plans, limits, (plan, given) => {
        const change = limitPlanChange(plan, plan, { signal, ...given });
        expect(change).toMatchObject({ reached: true, limited: [], method: 'target' });
        expect(change.plan).toStrictEqual(plan);
      }),
    );
  });
});
