// readPlan: how `actuated` is read — its shape here, its passage left to validatePlan.
// Run: npx vitest run src/timing/read-plan.test.ts
import { describe, expect, it } from 'vitest';
import { leadLeftPlan } from './four-leg.fixture.ts';
import { readPlan } from './read-plan.ts';

describe('readPlan: actuated', () => {
  it('reads a fixed-time plan as having no actuation', () => {
    const { plan, problems } = readPlan(leadLeftPlan());
    expect(problems).toEqual([]);
    expect(plan?.actuated).toBeUndefined();
  });

  it('reads an actuated plan with its passage', () => {
    const { plan, problems } = readPlan({ ...leadLeftPlan(), actuated: { passage: 3 } });
    expect(problems).toEqual([]);
    expect(plan?.actuated).toEqual({ passage: 3 });
  });

  it('reads free with the passage, and passes it on as given: its value is validatePlan’s question', () => {
    for (const free of [true, false, 'yes']) {
      const { plan, problems } = readPlan({ ...leadLeftPlan(), actuated: { passage: 3, free } });
      expect(problems).toEqual([]);
      expect(plan?.actuated).toStrictEqual({ passage: 3, free });
    }
    expect(readPlan({ ...leadLeftPlan(), actuated: { passage: 3 } }).plan?.actuated).toStrictEqual({
      passage: 3,
      free: undefined,
    });
  });

  it('passes the passage on as given: its value is validatePlan’s question', () => {
    const { plan, problems } = readPlan({ ...leadLeftPlan(), actuated: { passage: '45' } });
    expect(problems).toEqual([]);
    expect(plan?.actuated).toEqual({ passage: '45' });
  });

  it.each([
    ['a number', 3],
    ['null', null],
    ['a list', [3]],
    ['text', 'actuated'],
  ])('reports actuated given as %s as MALFORMED_PLAN, naming it and the fix', (_, actuated) => {
    const { plan, problems } = readPlan({ ...leadLeftPlan(), actuated });
    expect(problems.map((problem) => problem.code)).toEqual(['MALFORMED_PLAN']);
    expect(problems[0]?.message).toMatch(/^actuated is .*: give \{ passage: seconds \}/);
    expect(plan?.actuated).toBeUndefined();
  });

  it('reports a field of actuated other than passage, and still reads the passage', () => {
    const { plan, problems } = readPlan({
      ...leadLeftPlan(),
      actuated: { passage: 3, extension: 2 },
    });
    expect(problems.map((problem) => problem.code)).toEqual(['MALFORMED_PLAN']);
    expect(problems[0]?.message).toContain('"extension"');
    expect(problems[0]?.message).toContain('give only passage and free');
    expect(plan?.actuated).toEqual({ passage: 3 });
  });
});
