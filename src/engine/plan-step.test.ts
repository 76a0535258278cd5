// significantChange: what is worth sending a controller — timing past the threshold, and any
// change of how it runs the plan (fixed time, coordinated-actuated, free).
// Run: npx vitest run src/engine/plan-step.test.ts
import { describe, expect, it } from 'vitest';
import { leadLeftPlan } from '../timing/four-leg.fixture.ts';
import type { TimingPlan } from '../timing/types.ts';
import { significantChange } from './plan-step.ts';

const fixed = leadLeftPlan();
const coordinated: TimingPlan = { ...fixed, actuated: { passage: 3 } };
const free: TimingPlan = { ...fixed, actuated: { passage: 3, free: true } };

/** The plan with stage `index`'s green changed by `seconds` and the last stage's the other way. */
function withGreenMoved(plan: TimingPlan, index: number, seconds: number): TimingPlan {
  const last = plan.stages.length - 1;
  return {
    ...plan,
    stages: plan.stages.map((stage, at) =>
      at === index
        ? { ...stage, green: stage.green + seconds }
        : at === last
          ? { ...stage, green: stage.green - seconds }
          : stage,
    ),
  };
}

describe('significantChange', () => {
  it('counts small moves of the cycle, offset and greens as no change, large ones as change', () => {
    expect(significantChange(fixed, { ...fixed, id: 'other', offset: fixed.offset + 1 }, 2)).toBe(
      false,
    );
    expect(significantChange(fixed, { ...fixed, offset: fixed.offset + 5 }, 2)).toBe(true);
    expect(significantChange(fixed, withGreenMoved(fixed, 0, 3), 2)).toBe(true);
  });

  it('counts any change between fixed time, coordinated-actuated and free, both ways', () => {
    const modes = [fixed, coordinated, free];
    for (const from of modes) {
      for (const to of modes) {
        expect(
          significantChange(from, to, 2),
          `${JSON.stringify(from.actuated)} → ${JSON.stringify(to.actuated)}`,
        ).toBe(from !== to);
      }
    }
  });

  it('reads free: false as coordinated, and a passage alone as no change', () => {
    const notFree = { ...fixed, actuated: { passage: 3, free: false } };
    expect(significantChange(coordinated, notFree, 2)).toBe(false);
    expect(significantChange(notFree, free, 2)).toBe(true);
    expect(significantChange(coordinated, { ...fixed, actuated: { passage: 4 } }, 2)).toBe(false);
  });

  it('ignores the cycle, the offset and its reference between two free plans, not the greens', () => {
    const moved: TimingPlan = {
      ...free,
      cycleLength: free.cycleLength + 30,
      offset: 50,
      offsetReference: 'first-stage-yellow-start',
      stages: free.stages.map((stage, index) =>
        index === 0 ? { ...stage, green: stage.green + 30 } : stage,
      ),
    };
    const nominal = { ...free, cycleLength: free.cycleLength + 30, offset: 50 };
    expect(significantChange(free, { ...nominal, offsetReference: moved.offsetReference }, 2)).toBe(
      false,
    );
    expect(significantChange(free, moved, 2)).toBe(true);
    expect(significantChange(free, withGreenMoved(free, 0, 1), 2)).toBe(false);
    expect(significantChange(free, withGreenMoved(free, 0, 3), 2)).toBe(true);
    // The same cycle and offset moves between coordinated plans are changes.
    const coordinatedMoved = { ...coordinated, cycleLength: coordinated.cycleLength + 30 };
    expect(significantChange(coordinated, coordinatedMoved, 2)).toBe(true);
    expect(significantChange(coordinated, { ...coordinated, offset: 50 }, 2)).toBe(true);
  });
});
