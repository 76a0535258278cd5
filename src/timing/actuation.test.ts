import { describe, expect, it } from 'vitest';
import { actuatedPlans } from './actuation.ts';
import { leadLeftPlan } from './four-leg.fixture.ts';

describe('actuatedPlans', () => {
  it('sets every plan to run actuated with the passage given, leaving the timings and the input alone', () => {
    const plan = leadLeftPlan();
    const plans = actuatedPlans({ A: plan, B: { ...plan, signal: 'B' } }, { passage: 2.5 });
    expect(plans.A!.actuated).toEqual({ passage: 2.5 });
    expect(plans.B!.actuated).toEqual({ passage: 2.5 });
    expect({ ...plans.A!, actuated: undefined }).toEqual({ ...plan, actuated: undefined });
    expect(plan.actuated).toBeUndefined();
  });
});
