// Tests for stage sequences: change intervals per group, reordering, and the orders tried.
import { describe, expect, it } from 'vitest';
import type { TimingPlan } from '../timing/types.ts';
import { groupChangeIntervals, reorderStages, stageOrders } from './stage-sequence.ts';

/** A lagging-left plan as netconvert writes them: throughs with permissive lefts, then protected lefts. */
const lagging: TimingPlan = {
  id: 'net',
  signal: 'J',
  cycleLength: 80,
  offset: 0,
  offsetReference: 'first-stage-green-start',
  stages: [
    {
      id: 'ns-through',
      greens: { n: 'protected', s: 'protected', nl: 'permissive', sl: 'permissive' },
      green: 25,
      yellow: 5,
      allRed: 0,
      minGreen: 5,
    },
    {
      id: 'ns-left',
      greens: { nl: 'protected', sl: 'protected' },
      green: 5,
      yellow: 5,
      allRed: 0,
      minGreen: 5,
    },
    {
      id: 'ew-through',
      greens: { e: 'protected', w: 'protected', el: 'permissive', wl: 'permissive' },
      green: 25,
      yellow: 4,
      allRed: 1,
      minGreen: 5,
    },
    {
      id: 'ew-left',
      greens: { el: 'protected', wl: 'protected' },
      green: 5,
      yellow: 4,
      allRed: 1,
      minGreen: 5,
    },
  ],
};

describe('stage sequences', () => {
  it('reads each group’s change interval from the stage where it loses green', () => {
    const intervals = groupChangeIntervals(lagging);
    expect(intervals.get('n')).toEqual({ yellow: 5, allRed: 0 });
    expect(intervals.get('wl')).toEqual({ yellow: 4, allRed: 1 });
  });

  it('drops the change interval where every group stays green: leading lefts carry on permissive', () => {
    const leading = reorderStages(lagging, [0, 3, 2, 1], groupChangeIntervals(lagging));
    expect(leading.stages.map((stage) => [stage.id, stage.yellow, stage.allRed])).toEqual([
      ['ns-through', 5, 0],
      ['ew-left', 0, 0],
      ['ew-through', 4, 1],
      ['ns-left', 0, 0],
    ]);
    expect(leading.cycleLength).toBe(70);
  });

  it('tries every cyclic order up to six stages, and only the given order beyond', () => {
    expect(stageOrders(3)).toEqual([
      [0, 1, 2],
      [0, 2, 1],
    ]);
    expect(stageOrders(4)).toHaveLength(6);
    expect(stageOrders(6)).toHaveLength(120);
    expect(stageOrders(7)).toEqual([[0, 1, 2, 3, 4, 5, 6]]);
  });
});
