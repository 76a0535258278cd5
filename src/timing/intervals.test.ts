// Stage start times and signal-group green intervals, by hand and as invariants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leadLeftPlan } from './four-leg.fixture.ts';
import { greenIntervals, greenRuns, stageDuration, stageStartTimes } from './intervals.ts';
import type { Stage, TimingPlan } from './types.ts';

describe('stageStartTimes', () => {
  it('starts each stage after the green, yellow and all-red of the ones before', () => {
    expect(stageStartTimes(leadLeftPlan())).toEqual([0, 14, 50]);
  });

  it('measures from the end of the first green with a first-stage-yellow-start reference', () => {
    const plan: TimingPlan = { ...leadLeftPlan(), offsetReference: 'first-stage-yellow-start' };
    expect(stageStartTimes(plan)).toEqual([80, 4, 40]);
  });
});

describe('greenIntervals', () => {
  it('merges a group green across a stage change, counting the change interval as green', () => {
    const intervals = greenIntervals(leadLeftPlan());
    expect(intervals['1']).toEqual([{ start: 0, end: 44, stages: ['A', 'B'] }]);
    expect(intervals['0']).toEqual([{ start: 14, end: 44, stages: ['B'] }]);
    expect(intervals['4']).toEqual([{ start: 50, end: 84, stages: ['C'] }]);
  });

  it('runs a green over the end of the cycle when the group is green in the last and first stage', () => {
    const plan = leadLeftPlan();
    const [a, b, c] = plan.stages as [Stage, Stage, Stage];
    const intervals = greenIntervals({ ...plan, stages: [b, c, a] });
    expect(intervals['1']).toEqual([{ start: 76, end: 120, stages: ['A', 'B'] }]);
  });

  it('gives a group green in every stage the whole cycle', () => {
    const plan = leadLeftPlan();
    const stages = plan.stages.map((stage) => ({
      ...stage,
      greens: { ...stage.greens, '9': 'permissive' as const },
    }));
    expect(greenIntervals({ ...plan, stages })['9']).toEqual([
      { start: 0, end: 90, stages: ['A', 'B', 'C'] },
    ]);
  });

  it('lists each separate green of a group served twice, sorted by start', () => {
    const plan = leadLeftPlan();
    const [a, b, c] = plan.stages as [Stage, Stage, Stage];
    const withEight = (stage: Stage): Stage => ({
      ...stage,
      greens: { ...stage.greens, '8': 'protected' },
    });
    const d: Stage = { ...a, id: 'D', greens: { '5': 'protected' } };
    const stages = [withEight(a), b, withEight(c), d];
    expect(greenIntervals({ ...plan, cycleLength: 104, stages })['8']).toEqual([
      { start: 0, end: 10, stages: ['A'] },
      { start: 50, end: 84, stages: ['C'] },
    ]);
  });

  it('shifts with a first-stage-yellow-start reference', () => {
    const plan: TimingPlan = { ...leadLeftPlan(), offsetReference: 'first-stage-yellow-start' };
    expect(greenIntervals(plan)['1']).toEqual([{ start: 80, end: 124, stages: ['A', 'B'] }]);
    expect(greenIntervals(plan)['4']).toEqual([{ start: 40, end: 74, stages: ['C'] }]);
  });
});

describe('greenRuns', () => {
  it('does not depend on the cycle length', () => {
    const stages = leadLeftPlan().stages;
    expect(greenRuns(stages).get('1')).toEqual([{ start: 0, duration: 44, stages: ['A', 'B'] }]);
    expect(greenRuns([]).size).toBe(0);
  });
});

/** Random stage sequences over groups g0..g5, durations in tenths of a second. */
const stagesArbitrary = fc
  .array(
    fc.record({
      greens: fc.subarray(['g0', 'g1', 'g2', 'g3', 'g4', 'g5'], { minLength: 1 }),
      green: fc.integer({ min: 1, max: 1200 }),
      yellow: fc.integer({ min: 0, max: 60 }),
      allRed: fc.integer({ min: 0, max: 60 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((drafts) =>
    drafts.map((draft, index): Stage => ({
      id: `S${index}`,
      greens: Object.fromEntries(draft.greens.map((group) => [group, 'protected' as const])),
      green: draft.green / 10,
      yellow: draft.yellow / 10,
      allRed: draft.allRed / 10,
      minGreen: 0,
    })),
  );

const planArbitrary = fc
  .tuple(stagesArbitrary, fc.constantFrom('first-stage-green-start', 'first-stage-yellow-start'))
  .map(([stages, offsetReference]): TimingPlan => ({
    id: 'random',
    signal: 'J1',
    cycleLength: stages.reduce((sum, stage) => sum + stageDuration(stage), 0),
    offset: 0,
    offsetReference,
    stages,
  }));

describe('greenIntervals invariants', () => {
  it('gives each group as much green as its stages, plus the change intervals it stays green across', () => {
    fc.assert(
      fc.property(planArbitrary, (plan) => {
        const intervals = greenIntervals(plan);
        const count = plan.stages.length;
        for (const [group, groupIntervals] of Object.entries(intervals)) {
          const isGreen = (index: number) => group in (plan.stages[index % count]?.greens ?? {});
          const expected = plan.stages.reduce(
            (sum, stage, index) =>
              isGreen(index)
                ? sum + stage.green + (isGreen(index + 1) ? stage.yellow + stage.allRed : 0)
                : sum,
            0,
          );
          const total = groupIntervals.reduce((sum, { start, end }) => sum + end - start, 0);
          expect(total).toBeCloseTo(expected, 6);
        }
      }),
    );
  });

  it('starts every interval within the cycle, and never overlaps two greens of a group', () => {
    fc.assert(
      fc.property(planArbitrary, (plan) => {
        for (const groupIntervals of Object.values(greenIntervals(plan))) {
          groupIntervals.forEach(({ start, end }, index) => {
            expect(start).toBeGreaterThanOrEqual(0);
            expect(start).toBeLessThan(plan.cycleLength);
            expect(end).toBeGreaterThanOrEqual(start);
            const next = groupIntervals[index + 1];
            const nextStart = next
              ? next.start
              : (groupIntervals[0]?.start ?? 0) + plan.cycleLength;
            expect(end).toBeLessThanOrEqual(nextStart + 1e-9);
          });
        }
      }),
    );
  });

  it('spaces stage starts by the stage durations', () => {
    fc.assert(
      fc.property(planArbitrary, (plan) => {
        const starts = stageStartTimes(plan);
        plan.stages.forEach((stage, index) => {
          const start = starts[index] ?? Number.NaN;
          const next = starts[(index + 1) % plan.stages.length] ?? Number.NaN;
          const gap = (next - start + plan.cycleLength) % plan.cycleLength;
          const expected = stageDuration(stage) % plan.cycleLength;
          expect(
            Math.min(Math.abs(gap - expected), plan.cycleLength - Math.abs(gap - expected)),
          ).toBeLessThan(1e-6);
        });
      }),
    );
  });
});
