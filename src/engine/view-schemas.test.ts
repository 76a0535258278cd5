// The plan view schemas: an actuated plan is accepted, kept when cleaned to the schema, and a bad
// actuation refused. Run: npx vitest run src/engine/view-schemas.test.ts
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { leadLeftPlan } from '../timing/four-leg.fixture.ts';
import type { TimingPlan } from '../timing/types.ts';
import { ControllerView, PlanView, TimingPlanSchema } from './view-schemas.ts';

const actuated: TimingPlan = { ...leadLeftPlan(), actuated: { passage: 3 } };
const active = {
  planId: 'am-peak',
  version: 2,
  cycle: 90,
  offset: 12,
  actuated: { passage: 3 },
  appliedAt: '2026-11-28T07:00:03.000Z',
};

describe('TimingPlanSchema: actuated', () => {
  it('accepts a plan with or without actuated', () => {
    expect(Value.Check(TimingPlanSchema, leadLeftPlan())).toBe(true);
    expect(Value.Check(TimingPlanSchema, actuated)).toBe(true);
  });

  it('keeps actuated when a plan is cut down to the schema, as a response is serialized', () => {
    expect(Value.Clean(TimingPlanSchema, structuredClone(actuated))).toEqual(actuated);
  });

  it('refuses a passage outside [0, 30] s, of another type, or an actuation with other fields', () => {
    for (const bad of [{ passage: 31 }, { passage: -1 }, { passage: '3' }, {}, null, 3]) {
      const plan = { ...leadLeftPlan(), actuated: bad };
      expect(Value.Check(TimingPlanSchema, plan), JSON.stringify(bad)).toBe(false);
    }
    const extra = { ...leadLeftPlan(), actuated: { passage: 3, extension: 2 } };
    expect(Value.Check(TimingPlanSchema, extra)).toBe(false);
  });

  it('accepts and keeps a free plan, and refuses free that is not a boolean', () => {
    const free: TimingPlan = { ...leadLeftPlan(), actuated: { passage: 3, free: true } };
    expect(Value.Check(TimingPlanSchema, free)).toBe(true);
    expect(Value.Clean(TimingPlanSchema, structuredClone(free))).toEqual(free);
    const yes = { ...leadLeftPlan(), actuated: { passage: 3, free: 'yes' } };
    expect(Value.Check(TimingPlanSchema, yes)).toBe(false);
  });
});

describe('PlanView and ControllerView: actuated', () => {
  it('show an actuated target, step and active plan', () => {
    const view = { site: 'J1', target: actuated, step: actuated, reached: true, active };
    expect(Value.Check(PlanView, view)).toBe(true);
    expect(Value.Clean(PlanView, structuredClone(view))).toEqual(view);
  });

  it('show a controller running free', () => {
    const free = { ...active, actuated: { passage: 3, free: true } };
    const view = {
      site: 'J1',
      presence: { state: 'online', since: '2026-11-28T07:00:00.000Z' },
      active: free,
      lastVersion: 2,
      alarms: [],
      history: [],
    };
    expect(Value.Check(ControllerView, view)).toBe(true);
    expect(Value.Clean(ControllerView, structuredClone(view))).toEqual(view);
  });

  it('show the actuation a controller runs', () => {
    const view = {
      site: 'J1',
      presence: { state: 'online', since: '2026-11-28T07:00:00.000Z' },
      active,
      lastVersion: 2,
      alarms: [],
      history: [],
    };
    expect(Value.Check(ControllerView, view)).toBe(true);
    expect(Value.Clean(ControllerView, structuredClone(view))).toEqual(view);
  });
});
