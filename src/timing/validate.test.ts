// validatePlan: one hand-built plan per problem code, the valid plan, garbage, and invariants.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Signal, SignalGroup } from '../network/types.ts';
import { fourLegSignal, leadLeftPlan } from './four-leg.fixture.ts';
import { stageDuration } from './intervals.ts';
import type { PlanProblemCode, Stage, TimingPlan } from './types.ts';
import {
  isPassage,
  isValidPlan,
  MAX_PASSAGE,
  validatePlan,
  type ValidatePlanOptions,
} from './validate.ts';

/** The distinct codes found, sorted, so a test names exactly the codes it expects. */
function codes(plan: unknown, signal: Signal = fourLegSignal(), options?: ValidatePlanOptions) {
  return [...new Set(validatePlan(plan as TimingPlan, signal, options).map((p) => p.code))].sort();
}

/** The lead-left plan with one stage changed. */
function withStage(id: string, change: Partial<Stage>): TimingPlan {
  const plan = leadLeftPlan();
  return {
    ...plan,
    stages: plan.stages.map((stage) => (stage.id === id ? { ...stage, ...change } : stage)),
  };
}

function stageGreens(id: string): Stage['greens'] {
  return leadLeftPlan().stages.find((stage) => stage.id === id)?.greens ?? {};
}

/** The four-leg signal with one signal group changed. */
function withSignalGroup(id: string, change: Partial<SignalGroup>): Signal {
  const signal = fourLegSignal();
  return {
    ...signal,
    signalGroups: signal.signalGroups.map((group) =>
      group.id === id ? { ...group, ...change } : group,
    ),
  };
}

describe('validatePlan: a good plan', () => {
  it('finds nothing in the lead-left plan, with or without the MUTCD yellow range', () => {
    expect(validatePlan(leadLeftPlan(), fourLegSignal())).toEqual([]);
    expect(validatePlan(leadLeftPlan(), fourLegSignal(), { yellowRange: [3, 6] })).toEqual([]);
    expect(isValidPlan(leadLeftPlan(), fourLegSignal())).toBe(true);
  });

  it('lets a permissive left run against a protected through and a conflicting pedestrian group', () => {
    // Stage B: left 1 is permissive against through 2 and pedestrians 6, both protected.
    expect(stageGreens('B')).toMatchObject({
      '1': 'permissive',
      '2': 'protected',
      '6': 'protected',
    });
    expect(codes(leadLeftPlan())).toEqual([]);
  });

  it('does not mutate its inputs', () => {
    const plan = leadLeftPlan();
    const signal = fourLegSignal();
    validatePlan(plan, signal, { yellowRange: [3, 6] });
    expect(plan).toEqual(leadLeftPlan());
    expect(signal).toEqual(fourLegSignal());
  });
});

describe('validatePlan: one plan per problem code', () => {
  it('CYCLE_NOT_POSITIVE: a zero cycle length', () => {
    expect(codes({ ...leadLeftPlan(), cycleLength: 0 })).toEqual(['CYCLE_NOT_POSITIVE']);
  });

  it('CYCLE_MISMATCH: stages do not fill the cycle', () => {
    expect(codes({ ...leadLeftPlan(), cycleLength: 100, offset: 12 })).toEqual(['CYCLE_MISMATCH']);
  });

  it('CYCLE_MISMATCH is not raised by floating-point noise within the tolerance', () => {
    expect(codes({ ...leadLeftPlan(), cycleLength: 90.0004 })).toEqual([]);
    expect(codes({ ...leadLeftPlan(), cycleLength: 90.01 })).toEqual(['CYCLE_MISMATCH']);
  });

  it('OFFSET_OUT_OF_RANGE: an offset equal to the cycle length, or negative', () => {
    expect(codes({ ...leadLeftPlan(), offset: 90 })).toEqual(['OFFSET_OUT_OF_RANGE']);
    expect(codes({ ...leadLeftPlan(), offset: -1 })).toEqual(['OFFSET_OUT_OF_RANGE']);
  });

  it('MALFORMED_PLAN: a plan that is not plan-shaped, reported once per fault', () => {
    const plan = withStage('A', { green: Number.NaN, yellow: '3' as unknown as number });
    const problems = validatePlan(plan, fourLegSignal());
    expect(problems.map((p) => [p.code, p.stage])).toEqual([
      ['MALFORMED_PLAN', 'A'],
      ['MALFORMED_PLAN', 'A'],
    ]);
  });

  it('NO_STAGES: an empty stage list, reported alone rather than as every group unserved', () => {
    expect(codes({ ...leadLeftPlan(), stages: [] })).toEqual(['NO_STAGES']);
  });

  it('NEGATIVE_DURATION: a negative yellow', () => {
    expect(codes(withStage('A', { yellow: -1, allRed: 5 }))).toEqual(['NEGATIVE_DURATION']);
  });

  it('NEGATIVE_DURATION only for a finite number: NaN and -Infinity are malformed', () => {
    expect(codes(withStage('A', { yellow: Number.NaN }))).toEqual(['MALFORMED_PLAN']);
    expect(codes(withStage('A', { minGreen: -Infinity }))).toEqual(['MALFORMED_PLAN']);
  });

  it('GREEN_BELOW_MINIMUM: a stage green below the stage minGreen', () => {
    const problems = validatePlan(withStage('C', { minGreen: 40 }), fourLegSignal());
    expect(problems.map((p) => [p.code, p.stage])).toEqual([['GREEN_BELOW_MINIMUM', 'C']]);
  });

  it('GREEN_BELOW_MINIMUM: a vehicle group green below its own minGreen', () => {
    const problems = validatePlan(leadLeftPlan(), withSignalGroup('4', { minGreen: 40 }));
    expect(problems.map((p) => [p.code, p.signalGroup])).toEqual([['GREEN_BELOW_MINIMUM', '4']]);
  });

  it('counts the change interval a group stays green across toward its minimum green', () => {
    // Left 1 is green 10 s in A, through A's 3 + 1 s change, and 30 s in B: 44 s.
    expect(codes(leadLeftPlan(), withSignalGroup('1', { minGreen: 44 }))).toEqual([]);
    expect(codes(leadLeftPlan(), withSignalGroup('1', { minGreen: 44.5 }))).toEqual([
      'GREEN_BELOW_MINIMUM',
    ]);
  });

  it('PEDESTRIAN_CLEARANCE_SHORT: a 40 m crossing needs 46 s, stage C gives 34 s', () => {
    const problems = validatePlan(leadLeftPlan(), withSignalGroup('7', { crossingLength: 40 }));
    expect(problems.map((p) => [p.code, p.signalGroup])).toEqual([
      ['PEDESTRIAN_CLEARANCE_SHORT', '7'],
    ]);
  });

  it('CONFLICTING_GREENS: a protected left against the protected opposing through', () => {
    const greens = { ...stageGreens('B'), '1': 'protected' as const };
    expect(codes(withStage('B', { greens }))).toEqual(['CONFLICTING_GREENS']);
  });

  it('CONFLICTING_GREENS: a protected left against a conflicting pedestrian group', () => {
    const greens = { ...stageGreens('A'), '6': 'protected' as const };
    expect(codes(withStage('A', { greens }))).toEqual(['CONFLICTING_GREENS']);
  });

  it('SIGNAL_GROUP_NEVER_SERVED: a group green in no stage', () => {
    const greens = { '4': 'protected' as const, '5': 'protected' as const };
    const problems = validatePlan(withStage('C', { greens }), fourLegSignal());
    expect(problems.map((p) => [p.code, p.signalGroup])).toEqual([
      ['SIGNAL_GROUP_NEVER_SERVED', '7'],
    ]);
  });

  it('accepts a group never served when the plan lists it as unsignalled', () => {
    const greens = { '4': 'protected' as const, '5': 'protected' as const };
    expect(codes({ ...withStage('C', { greens }), unsignalled: ['7'] })).toEqual([]);
  });

  it('UNKNOWN_SIGNAL_GROUP: a stage names a group the signal does not have', () => {
    const greens = { ...stageGreens('C'), '9': 'protected' as const };
    expect(codes(withStage('C', { greens }))).toEqual(['UNKNOWN_SIGNAL_GROUP']);
  });

  it('UNKNOWN_SIGNAL: the plan is for another signal', () => {
    expect(codes({ ...leadLeftPlan(), signal: 'J2' })).toEqual(['UNKNOWN_SIGNAL']);
  });

  it('YELLOW_OUT_OF_RANGE: a 2 s yellow where the MUTCD range is asked for', () => {
    const plan = withStage('C', { yellow: 2, allRed: 4 });
    expect(codes(plan)).toEqual([]);
    expect(codes(plan, fourLegSignal(), { yellowRange: [3, 6] })).toEqual(['YELLOW_OUT_OF_RANGE']);
  });

  it('lets a stage that takes green from no group have no yellow (SUMO splits phases so)', () => {
    // Stage A's lefts stay green into B: nothing ends, so A needs no yellow.
    const plan = withStage('A', { yellow: 0, allRed: 4 });
    expect(codes(plan, fourLegSignal(), { yellowRange: [3, 6] })).toEqual([]);
  });

  it('accepts an actuated plan whose passage is seconds in [0, 30], the ends included', () => {
    for (const passage of [0, 3, 2.5, MAX_PASSAGE]) {
      expect(codes({ ...leadLeftPlan(), actuated: { passage } }), String(passage)).toEqual([]);
    }
  });

  it.each([
    ['longer than 30 s', 30.5],
    ['negative', -1],
    ['NaN', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
    ['given as text', '3'],
    ['missing', undefined],
  ])('ACTUATION_INVALID: a passage %s, named with its fix', (_, passage) => {
    const plan = { ...leadLeftPlan(), actuated: { passage } };
    const problems = validatePlan(plan as unknown as TimingPlan, fourLegSignal());
    expect(problems.map((p) => p.code)).toEqual(['ACTUATION_INVALID']);
    expect(problems[0]?.message).toMatch(/^actuated\.passage must be seconds in \[0, 30\]; got /);
    expect(problems[0]?.message).toContain('leave actuated out');
  });

  it('accepts a free plan, free: false and no free, its nominal cycle checked as any other', () => {
    for (const free of [true, false, undefined]) {
      const plan = { ...leadLeftPlan(), actuated: { passage: 3, free } } as TimingPlan;
      expect(codes(plan), String(free)).toEqual([]);
    }
    const short = { ...leadLeftPlan(), cycleLength: 80, actuated: { passage: 3, free: true } };
    expect(codes(short)).toEqual(['CYCLE_MISMATCH']);
    const early = withStage('B', { green: 8 });
    expect(codes({ ...early, actuated: { passage: 3, free: true } })).toEqual(codes(early));
    expect(codes(early)).not.toEqual([]);
  });

  it.each([
    ['given as text', 'yes'],
    ['a number', 1],
    ['null', null],
    ['an object', { on: true }],
  ])('ACTUATION_INVALID: free %s, named with its fix', (_, free) => {
    const plan = { ...leadLeftPlan(), actuated: { passage: 3, free } };
    const problems = validatePlan(plan as unknown as TimingPlan, fourLegSignal());
    expect(problems.map((p) => p.code)).toEqual(['ACTUATION_INVALID']);
    expect(problems[0]?.message).toMatch(/^actuated\.free must be true or false; got /);
    expect(problems[0]?.message).toContain('give true for free operation');
    expect(problems[0]?.message).toContain('leave free out');
  });

  it('reports a bad passage and a bad free each', () => {
    const plan = { ...leadLeftPlan(), actuated: { passage: 45, free: 'yes' } };
    const problems = validatePlan(plan as unknown as TimingPlan, fourLegSignal());
    expect(problems.map((p) => p.message.split(' ')[0])).toEqual([
      'actuated.passage',
      'actuated.free',
    ]);
  });

  it('isPassage accepts exactly the passages validatePlan accepts', () => {
    const passage = fc.oneof(fc.double(), fc.double({ min: -1, max: 31 }), fc.anything());
    fc.assert(
      fc.property(passage, (value) => {
        const plan = { ...leadLeftPlan(), actuated: { passage: value } } as TimingPlan;
        expect(isValidPlan(plan, fourLegSignal())).toBe(isPassage(value));
      }),
    );
  });
});

describe('validatePlan: malformed input', () => {
  it.each([
    ['null', null, ['MALFORMED_PLAN']],
    ['stages not an array', { ...leadLeftPlan(), stages: 'ABC' }, ['MALFORMED_PLAN']],
    ['a NaN cycle length', { ...leadLeftPlan(), cycleLength: Number.NaN }, ['MALFORMED_PLAN']],
    ['a missing offset', { ...leadLeftPlan(), offset: undefined }, ['MALFORMED_PLAN']],
    [
      'a green given as text',
      withStage('B', { green: '30' as unknown as number }),
      ['MALFORMED_PLAN'],
    ],
    [
      'a yellow of minus infinity',
      withStage('A', { yellow: Number.NEGATIVE_INFINITY }),
      ['MALFORMED_PLAN'],
    ],
    [
      'a stage that is a number',
      { ...leadLeftPlan(), stages: [...leadLeftPlan().stages, 7] },
      ['MALFORMED_PLAN'],
    ],
    [
      'greens that is a list',
      withStage('C', { greens: ['4'] as unknown as Stage['greens'] }),
      ['MALFORMED_PLAN', 'SIGNAL_GROUP_NEVER_SERVED'],
    ],
    [
      'an unknown green kind',
      withStage('C', { greens: { ...stageGreens('C'), '4': 'amber' as 'protected' } }),
      ['MALFORMED_PLAN'],
    ],
    [
      'an unknown offset reference',
      { ...leadLeftPlan(), offsetReference: 'noon' },
      ['MALFORMED_PLAN'],
    ],
    ['unsignalled that is not a list', { ...leadLeftPlan(), unsignalled: '7' }, ['MALFORMED_PLAN']],
    ['actuated that is a number', { ...leadLeftPlan(), actuated: 3 }, ['MALFORMED_PLAN']],
    ['actuated that is null', { ...leadLeftPlan(), actuated: null }, ['MALFORMED_PLAN']],
    [
      'actuated with a field no controller reads',
      { ...leadLeftPlan(), actuated: { passage: 3, maxGap: 5 } },
      ['MALFORMED_PLAN'],
    ],
    [
      'actuated with a misspelt passage',
      { ...leadLeftPlan(), actuated: { pasage: 3 } },
      ['ACTUATION_INVALID', 'MALFORMED_PLAN'],
    ],
  ] as const)('reports %s as problems', (_, plan, expected) => {
    expect(codes(plan)).toEqual([...expected].sort());
  });

  it('never throws for anything given as a plan', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withNullPrototype: true,
      withObjectString: true,
      withSet: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(anything, (plan) => {
        expect(validatePlan(plan as TimingPlan, fourLegSignal())).toEqual(expect.any(Array));
      }),
    );
  });

  it('never throws for plan-shaped garbage, and always finds a problem in it', () => {
    const garbageStage = fc.oneof(
      fc.anything({ withNullPrototype: true, withSparseArray: true }),
      fc.record({
        id: fc.anything(),
        greens: fc.oneof(fc.dictionary(fc.string(), fc.anything()), fc.anything()),
        green: fc.oneof(fc.double(), fc.anything()),
        yellow: fc.double(),
        allRed: fc.double(),
        minGreen: fc.anything(),
      }),
    );
    const garbagePlan = fc.record({
      id: fc.anything(),
      signal: fc.oneof(fc.constant('J1'), fc.anything()),
      cycleLength: fc.oneof(fc.double(), fc.anything()),
      offset: fc.oneof(fc.double(), fc.anything()),
      offsetReference: fc.oneof(fc.constant('first-stage-green-start'), fc.anything()),
      stages: fc.oneof(fc.array(garbageStage, { maxLength: 5 }), fc.anything()),
      unsignalled: fc.anything(),
      actuated: fc.oneof(fc.record({ passage: fc.anything() }), fc.anything()),
    });
    fc.assert(
      fc.property(garbagePlan, (plan) => {
        expect(validatePlan(plan as unknown as TimingPlan, fourLegSignal()).length).toBeGreaterThan(
          0,
        );
      }),
    );
  });

  it('throws a RangeError for malformed options, a caller mistake', () => {
    expect(() => validatePlan(leadLeftPlan(), fourLegSignal(), { yellowRange: [6, 3] })).toThrow(
      RangeError,
    );
    expect(() => validatePlan(leadLeftPlan(), fourLegSignal(), { tolerance: -1 })).toThrow(
      RangeError,
    );
  });
});

/** A plan fixture: `fixtures/plans/{valid,invalid}/<what it holds, as a sentence>.json`. */
interface PlanFixture {
  expectedCode?: PlanProblemCode;
  options?: ValidatePlanOptions;
  signal: Signal;
  plan: TimingPlan;
}

function readFixtures(folder: 'valid' | 'invalid'): Array<[string, PlanFixture]> {
  const directory = new URL(`../../fixtures/plans/${folder}/`, import.meta.url);
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .map((name) => [
      name,
      JSON.parse(readFileSync(new URL(name, directory), 'utf8')) as PlanFixture,
    ]);
}

describe('validatePlan: plan fixtures', () => {
  const invalid = readFixtures('invalid');

  it.each(readFixtures('valid'))('finds nothing in valid/%s', (_, fixture) => {
    expect(validatePlan(fixture.plan, fixture.signal, fixture.options)).toEqual([]);
  });

  it.each(invalid)('finds exactly its expected code in invalid/%s', (_, fixture) => {
    expect(fixture.expectedCode).toEqual(expect.any(String));
    expect(codes(fixture.plan, fixture.signal, fixture.options)).toEqual([fixture.expectedCode]);
  });

  it('has an invalid fixture for every problem code', () => {
    const allCodes: Record<PlanProblemCode, true> = {
      MALFORMED_PLAN: true,
      CYCLE_NOT_POSITIVE: true,
      CYCLE_MISMATCH: true,
      OFFSET_OUT_OF_RANGE: true,
      NO_STAGES: true,
      NEGATIVE_DURATION: true,
      GREEN_BELOW_MINIMUM: true,
      PEDESTRIAN_CLEARANCE_SHORT: true,
      CONFLICTING_GREENS: true,
      SIGNAL_GROUP_NEVER_SERVED: true,
      UNKNOWN_SIGNAL_GROUP: true,
      UNKNOWN_SIGNAL: true,
      YELLOW_OUT_OF_RANGE: true,
      ACTUATION_INVALID: true,
    };
    const covered = new Set(invalid.map(([, fixture]) => fixture.expectedCode));
    expect(Object.keys(allCodes).filter((code) => !covered.has(code as PlanProblemCode))).toEqual(
      [],
    );
  });
});

/**
 * Random valid plans: groups g0..g(n−1) with minimum greens, stages each greening some of them
 * (every group in at least one), stage minGreen ≥ the minGreen of its groups, green ≥ stage
 * minGreen, cycle = the sum, 0 ≤ offset < cycle. Durations in tenths of a second.
 */
const validCaseArbitrary = fc
  .record({
    groupMinGreens: fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 1, maxLength: 6 }),
    stageCount: fc.integer({ min: 1, max: 5 }),
  })
  .chain(({ groupMinGreens, stageCount }) =>
    fc.record({
      groupMinGreens: fc.constant(groupMinGreens),
      stages: fc.array(
        fc.record({
          groups: fc.subarray(groupMinGreens.map((_, index) => index)),
          extraMinGreen: fc.integer({ min: 0, max: 100 }),
          extraGreen: fc.integer({ min: 1, max: 600 }),
          yellow: fc.integer({ min: 0, max: 60 }),
          allRed: fc.integer({ min: 0, max: 60 }),
        }),
        { minLength: stageCount, maxLength: stageCount },
      ),
      offsetFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      offsetReference: fc.constantFrom(
        'first-stage-green-start' as const,
        'first-stage-yellow-start' as const,
      ),
    }),
  )
  .map(({ groupMinGreens, stages: drafts, offsetFraction, offsetReference }) => {
    const signal: Signal = {
      id: 'J9',
      intersections: ['J9'],
      signalGroups: groupMinGreens.map((tenths, index) => ({
        id: `g${index}`,
        index,
        kind: 'vehicle',
        minGreen: tenths / 10,
        movements: [],
      })),
      conflicts: [],
      programs: [],
    };
    const stages = drafts.map((draft, index): Stage => {
      // Every group is green in stage (group index mod stage count), so every group is served.
      const groups = new Set([
        ...draft.groups,
        ...groupMinGreens
          .map((_, group) => group)
          .filter((group) => group % drafts.length === index),
      ]);
      const minGreenTenths =
        Math.max(0, ...[...groups].map((group) => groupMinGreens[group] ?? 0)) +
        draft.extraMinGreen;
      return {
        id: `S${index}`,
        greens: Object.fromEntries([...groups].map((group) => [`g${group}`, 'protected' as const])),
        green: (minGreenTenths + draft.extraGreen) / 10,
        yellow: draft.yellow / 10,
        allRed: draft.allRed / 10,
        minGreen: minGreenTenths / 10,
      };
    });
    const cycleTenths = stages.reduce(
      (sum, stage) => sum + Math.round(stageDuration(stage) * 10),
      0,
    );
    const plan: TimingPlan = {
      id: 'random',
      signal: 'J9',
      cycleLength: stages.reduce((sum, stage) => sum + stageDuration(stage), 0),
      offset: Math.floor(offsetFraction * cycleTenths) / 10,
      offsetReference,
      stages,
    };
    return { plan, signal };
  });

describe('validatePlan invariants', () => {
  it('finds nothing wrong in a plan built to fill the cycle with every green at its minimum or more', () => {
    fc.assert(
      fc.property(validCaseArbitrary, ({ plan, signal }) => {
        const found = codes(plan, signal);
        const invariantCodes: PlanProblemCode[] = [
          'CYCLE_MISMATCH',
          'GREEN_BELOW_MINIMUM',
          'OFFSET_OUT_OF_RANGE',
        ];
        expect(found.filter((code) => invariantCodes.includes(code))).toEqual([]);
        expect(found).toEqual([]);
      }),
    );
  });

  it('finds CYCLE_MISMATCH whenever the cycle length is off by more than the tolerance', () => {
    fc.assert(
      fc.property(
        validCaseArbitrary,
        fc.integer({ min: 1, max: 50 }),
        ({ plan, signal }, tenths) => {
          const longer = { ...plan, cycleLength: plan.cycleLength + tenths / 10 };
          expect(codes(longer, signal)).toContain('CYCLE_MISMATCH');
        },
      ),
    );
  });
});
