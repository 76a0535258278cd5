// Plans as coordinated-actuated controllers run them (`TimingPlan.actuated`).
import type { Actuation, TimingPlan } from './types.ts';

/**
 * Length of the stop-line presence zone that calls an actuated stage, metres: a vehicle whose
 * front is this close to the stop line calls every signal group its lane serves (the simulator's
 * zones, and the loops a free plan's SUMO program places).
 */
export const STOP_LINE_ZONE = 30;

/** How a controller runs a plan: by the clock, actuated within its cycle, or free of any cycle. */
export type PlanOperation = 'fixed-time' | 'coordinated-actuated' | 'free';

/**
 * How a controller runs `plan`.
 *
 * @example
 * planOperation({ ...plan, actuated: { passage: 2, free: true } }); // => 'free'
 */
export function planOperation({ actuated }: Pick<TimingPlan, 'actuated'>): PlanOperation {
  if (actuated === undefined) return 'fixed-time';
  return actuated.free === true ? 'free' : 'coordinated-actuated';
}

/**
 * An actuation sharing nothing with its source: `{ passage }` when coordinated, `{ passage, free:
 * true }` when free. `free: false` is coordinated and written as absent, so a coordinated plan
 * keeps the payload and content key it had before free operation existed.
 *
 * @example
 * actuationOf({ passage: 2, free: false }); // => { passage: 2 }
 */
export function actuationOf({ passage, free }: { passage: number; free?: boolean }): Actuation {
  return free === true ? { passage, free: true } : { passage };
}

/** Whether `plan` runs free: no cycle and no offset held. */
export function runsFree(plan: Pick<TimingPlan, 'actuated'>): boolean {
  return plan.actuated?.free === true;
}

/**
 * Every plan of `plans` set to run coordinated-actuated with `actuation` (the same greens, cycle and
 * offset: the greens become the longest each stage may run). Returns new plan objects.
 *
 * @example
 * actuatedPlans({ 'JS-01': plan }, { passage: 2 })['JS-01'].actuated // => { passage: 2 }
 */
export function actuatedPlans(
  plans: Readonly<Record<string, TimingPlan>>,
  actuation: Actuation,
): Record<string, TimingPlan> {
  return Object.fromEntries(
    Object.entries(plans).map(([signal, plan]) => [
      signal,
      { ...plan, actuated: { ...actuation } },
    ]),
  );
}
