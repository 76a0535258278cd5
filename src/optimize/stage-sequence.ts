// Stage sequences: the orders a plan's stages may run in, with the change intervals each order needs.
import type { Intergreen } from '../timing/clearance.ts';
import type { Stage, TimingPlan } from '../timing/types.ts';

/**
 * Each signal group's yellow and all-red, read from a plan: those of the stage at whose end the
 * group loses green (the longest, if it loses green more than once).
 *
 * @example
 * groupChangeIntervals(plan).get('3') // => { yellow: 5, allRed: 0 }
 */
export function groupChangeIntervals(plan: TimingPlan): Map<string, Intergreen> {
  const intervals = new Map<string, Intergreen>();
  plan.stages.forEach((stage, index) => {
    const next = plan.stages[(index + 1) % plan.stages.length]!;
    for (const group of Object.keys(stage.greens)) {
      if (group in next.greens) continue;
      const known = intervals.get(group);
      intervals.set(group, {
        yellow: Math.max(known?.yellow ?? 0, stage.yellow),
        allRed: Math.max(known?.allRed ?? 0, stage.allRed),
      });
    }
  });
  return intervals;
}

/**
 * The plan's stages in another order. Each stage's change interval is what its losing groups need
 * in the new order: the longest yellow and all-red among the groups green in it and not in the
 * stage after; none when every group stays green (a protected turn that carries on permissive).
 *
 * @example
 * reorderStages(plan, [1, 0, 2, 3], groupChangeIntervals(plan)).stages.map((s) => s.id) // => ['2', '0', '4', '6']
 */
export function reorderStages(
  plan: TimingPlan,
  order: readonly number[],
  intervals: ReadonlyMap<string, Intergreen>,
): TimingPlan {
  const stages = order.map((index) => plan.stages[index]!);
  const timed: Stage[] = stages.map((stage, position) => {
    const next = stages[(position + 1) % stages.length]!;
    const losing = Object.keys(stage.greens).filter((group) => !(group in next.greens));
    const change = losing.map(
      (group) => intervals.get(group) ?? { yellow: stage.yellow, allRed: stage.allRed },
    );
    return {
      ...stage,
      yellow: Math.max(0, ...change.map((interval) => interval.yellow)),
      allRed: Math.max(0, ...change.map((interval) => interval.allRed)),
    };
  });
  const cycleLength = timed.reduce(
    (sum, stage) => sum + stage.green + stage.yellow + stage.allRed,
    0,
  );
  return {
    ...plan,
    stages: timed,
    cycleLength,
    offset: cycleLength > 0 ? plan.offset % cycleLength : 0,
  };
}

/**
 * Every cyclic order of `count` stages, the first stage fixed (rotations run the same sequence);
 * just the given order beyond `limit` stages, where the orders grow too many.
 *
 * @example
 * stageOrders(3) // => [[0, 1, 2], [0, 2, 1]]
 */
export function stageOrders(count: number, limit = 6): number[][] {
  const identity = Array.from({ length: count }, (_, index) => index);
  if (count <= 2 || count > limit) return [identity];
  const orders: number[][] = [];
  const permute = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) orders.push(prefix);
    rest.forEach((value, index) =>
      permute([...prefix, value], [...rest.slice(0, index), ...rest.slice(index + 1)]),
    );
  };
  permute([0], identity.slice(1));
  return orders;
}
