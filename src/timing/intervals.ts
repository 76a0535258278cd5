// Where each stage and each signal group's green falls within the cycle.
import type { Stage, TimingPlan } from './types.ts';

/** One continuous green of a signal group, timed from the start of the first stage's green. */
export interface GreenRun {
  /** Seconds after the start of the first stage's green; may exceed the cycle when it wraps. */
  start: number;
  /** Seconds, counting the yellow and all-red between stages the group stays green across. */
  duration: number;
  /** The ids of the stages the group is green in, in order. */
  stages: string[];
}

/** A green interval `[start, end)` in seconds within the cycle. */
export interface GreenInterval {
  /** In `[0, cycleLength)`, relative to the plan's offset reference point. */
  start: number;
  /** `start` + the green's duration: above `cycleLength` when the green runs over the cycle's end. */
  end: number;
  /** The ids of the stages the group is green in, in order. */
  stages: string[];
}

/**
 * A stage's share of the cycle: its green, yellow and all-red.
 *
 * @example
 * stageDuration({ id: 'A', greens: {}, green: 30, yellow: 4, allRed: 2, minGreen: 10 }); // 36
 */
export function stageDuration(stage: Stage): number {
  return stage.green + stage.yellow + stage.allRed;
}

/**
 * The continuous greens of every signal group named in the stages, timed from the start of the
 * first stage's green and independent of `cycleLength`. A group green in consecutive stages stays
 * green through the yellow and all-red between them; the sequence is cyclic, so a group green in
 * the last and the first stage has one green that runs over the end of the cycle. A group green in
 * every stage has one run from 0 lasting the whole sequence.
 *
 * @example
 * const stages = [
 *   { id: 'A', greens: { '1': 'protected' }, green: 10, yellow: 3, allRed: 1, minGreen: 5 },
 *   { id: 'B', greens: { '1': 'permissive', '2': 'protected' }, green: 30, yellow: 4, allRed: 2, minGreen: 10 },
 * ];
 * greenRuns(stages).get('1'); // [{ start: 0, duration: 44, stages: ['A', 'B'] }]
 * greenRuns(stages).get('2'); // [{ start: 14, duration: 30, stages: ['B'] }]
 */
export function greenRuns(stages: readonly Stage[]): Map<string, GreenRun[]> {
  const starts = cumulativeStarts(stages);
  const total = stages.reduce((sum, stage) => sum + stageDuration(stage), 0);
  const runs = new Map<string, GreenRun[]>();
  for (const signalGroup of namedGroups(stages)) {
    const isGreen = stages.map((stage) => Object.hasOwn(stage.greens, signalGroup));
    if (isGreen.every(Boolean)) {
      runs.set(signalGroup, [{ start: 0, duration: total, stages: stages.map((s) => s.id) }]);
      continue;
    }
    const groupRuns: GreenRun[] = [];
    stages.forEach((_, first) => {
      const greenBefore = isGreen[(first - 1 + stages.length) % stages.length];
      if (isGreen[first] && !greenBefore) {
        groupRuns.push(runFrom(stages, isGreen, first, starts[first] ?? 0));
      }
    });
    runs.set(signalGroup, groupRuns);
  }
  return runs;
}

/**
 * When each stage's green starts, seconds after the plan's offset reference point, in
 * `[0, cycleLength)`. With `first-stage-yellow-start` the first stage's green starts at
 * `cycleLength − green` of that stage. Assumes a plan that `validatePlan` accepts.
 *
 * @example
 * stageStartTimes(plan); // [0, 14, 50] for stages of 14, 36 and 40 s, first-stage-green-start
 */
export function stageStartTimes(plan: TimingPlan): number[] {
  const shift = referenceShift(plan);
  return cumulativeStarts(plan.stages).map((start) => wrap(start - shift, plan.cycleLength));
}

/**
 * Each signal group's green intervals `[start, end)` within the cycle, relative to the plan's
 * offset reference point, sorted by start. Consecutive stages a group stays green across merge into
 * one interval; an interval that runs over the end of the cycle has `end > cycleLength` (take
 * `end − cycleLength` for its end in the next cycle); a group green in every stage gets
 * `[0, cycleLength)`. Groups green in no stage are absent. Assumes a plan that `validatePlan` accepts.
 *
 * @example
 * greenIntervals(plan)['1']; // [{ start: 0, end: 44, stages: ['A', 'B'] }]
 * greenIntervals(plan)['4']; // [{ start: 50, end: 84, stages: ['C'] }]
 */
export function greenIntervals(plan: TimingPlan): Record<string, GreenInterval[]> {
  const shift = referenceShift(plan);
  const stageCount = plan.stages.length;
  const intervals = [...greenRuns(plan.stages)].map(([signalGroup, runs]) => {
    const groupIntervals = runs.map((run): GreenInterval => {
      if (run.stages.length === stageCount) {
        return { start: 0, end: plan.cycleLength, stages: run.stages };
      }
      const start = wrap(run.start - shift, plan.cycleLength);
      return { start, end: start + run.duration, stages: run.stages };
    });
    return [signalGroup, groupIntervals.sort((a, b) => a.start - b.start)] as const;
  });
  return Object.fromEntries(intervals);
}

function runFrom(
  stages: readonly Stage[],
  isGreen: readonly boolean[],
  first: number,
  start: number,
): GreenRun {
  const ids: string[] = [];
  let duration = 0;
  for (let index = first; ; index = (index + 1) % stages.length) {
    const stage = stages[index];
    if (!stage) break;
    ids.push(stage.id);
    if (!isGreen[(index + 1) % stages.length]) {
      duration += stage.green;
      break;
    }
    duration += stageDuration(stage);
  }
  return { start, duration, stages: ids };
}

function cumulativeStarts(stages: readonly Stage[]): number[] {
  let elapsed = 0;
  return stages.map((stage) => {
    const start = elapsed;
    elapsed += stageDuration(stage);
    return start;
  });
}

function namedGroups(stages: readonly Stage[]): string[] {
  return [...new Set(stages.flatMap((stage) => Object.keys(stage.greens)))];
}

/** Seconds from the start of the first stage's green back to the offset reference point. */
function referenceShift(plan: TimingPlan): number {
  const first = plan.stages[0];
  return plan.offsetReference === 'first-stage-yellow-start' && first ? first.green : 0;
}

function wrap(time: number, cycleLength: number): number {
  if (!(cycleLength > 0) || !Number.isFinite(cycleLength)) return time;
  return ((time % cycleLength) + cycleLength) % cycleLength;
}
