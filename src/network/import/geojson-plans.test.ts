// readPlan (GeoJSON): an optional `actuated` object, read and checked as validatePlan checks it.
// Run: npx vitest run src/network/import/geojson-plans.test.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProblemList } from '../errors.ts';
import { readPlan } from './geojson-plans.ts';
import { fieldsOf } from './json-fields.ts';

const twoStagePlan = {
  cycleLength: 60,
  stages: [
    { id: 'S1', greens: { EW: 'protected' }, green: 25, yellow: 3, allRed: 2, minGreen: 5 },
    { id: 'S2', greens: { NS: 'protected' }, green: 25, yellow: 3, allRed: 2, minGreen: 5 },
  ],
};

/** The plan read from `raw` as the first plan of signal C, and the problems found. */
function read(raw: unknown) {
  const problems = new ProblemList('test.geojson');
  const signal = fieldsOf({}, 'signal "C"', problems)!;
  const plan = readPlan(raw, 0, signal, 'C', new Set(['EW', 'NS']));
  return { plan, problems: problems.problems };
}

describe('readPlan (GeoJSON): actuated', () => {
  it('reads a plan without actuated as fixed time, adding no field', () => {
    const { plan, problems } = read(twoStagePlan);
    expect(problems).toEqual([]);
    expect(plan).toBeDefined();
    expect(plan).not.toHaveProperty('actuated');
  });

  it('reads actuated with its passage', () => {
    for (const passage of [0, 3, 30]) {
      const { plan, problems } = read({ ...twoStagePlan, actuated: { passage } });
      expect(problems).toEqual([]);
      expect(plan?.actuated).toEqual({ passage });
    }
  });

  it.each([
    ['longer than 30 s', 45],
    ['negative', -2],
    ['given as text', '3'],
  ])('reports a passage %s on the actuated element, with the fix', (_, passage) => {
    const { plan, problems } = read({ ...twoStagePlan, actuated: { passage } });
    expect(plan).toBeUndefined();
    expect(problems).toEqual([
      {
        code: 'BAD_VALUE',
        element: 'signal "C" plans[0].actuated',
        message: `"passage" is ${JSON.stringify(passage)}, not a number of seconds in [0, 30].`,
        fix: 'Make "passage" a number of seconds in [0, 30].',
      },
    ]);
  });

  it('reads free: true as free operation, free: false as coordinated', () => {
    const free = read({ ...twoStagePlan, actuated: { passage: 3, free: true } });
    expect(free.problems).toEqual([]);
    expect(free.plan?.actuated).toStrictEqual({ passage: 3, free: true });
    const coordinated = read({ ...twoStagePlan, actuated: { passage: 3, free: false } });
    expect(coordinated.problems).toEqual([]);
    expect(coordinated.plan?.actuated).toStrictEqual({ passage: 3 });
  });

  it.each([
    ['given as text', 'yes'],
    ['a number', 1],
    ['null', null],
  ])('reports free %s on the actuated element, with the fix', (_, free) => {
    const { plan, problems } = read({ ...twoStagePlan, actuated: { passage: 3, free } });
    expect(plan).toBeUndefined();
    expect(problems).toEqual([
      {
        code: 'BAD_VALUE',
        element: 'signal "C" plans[0].actuated',
        message: `"free" is ${JSON.stringify(free)}, not true or false.`,
        fix: 'Make "free" true or false.',
      },
    ]);
  });

  it('matches geojson.schema.json: actuated holds passage and free, free a boolean', () => {
    const schema = JSON.parse(
      readFileSync(join(import.meta.dirname, 'geojson.schema.json'), 'utf8'),
    ) as { $defs: { plan: { properties: { actuated: { properties: Record<string, unknown> } } } } };
    const actuated = schema.$defs.plan.properties.actuated.properties;
    expect(Object.keys(actuated).sort()).toEqual(['free', 'passage']);
    expect(actuated.free).toMatchObject({ type: 'boolean' });
  });

  it('reports a missing passage, and actuated that is not an object', () => {
    const missing = read({ ...twoStagePlan, actuated: {} });
    expect(missing.plan).toBeUndefined();
    expect(missing.problems.map((p) => [p.code, p.element])).toEqual([
      ['MISSING_ATTRIBUTE', 'signal "C" plans[0].actuated'],
    ]);
    for (const actuated of [3, null, [3]]) {
      const wrong = read({ ...twoStagePlan, actuated });
      expect(wrong.plan).toBeUndefined();
      expect(wrong.problems.map((p) => [p.code, p.element, p.message])).toEqual([
        [
          'BAD_VALUE',
          'signal "C" plans[0]',
          `"actuated" is ${JSON.stringify(actuated)}, not an object.`,
        ],
      ]);
    }
  });
});
