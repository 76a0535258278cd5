// Design flows: the movement flow rates a plan is sized for, from the peak interval (HCM practice).
import type { TurningFlows } from './types.ts';

/** One interval of turning flows: its total and each movement's flow, pcu/h. */
export interface FlowInterval {
  begin: number;
  end: number;
  /** Total flow of the movements counted, pcu/h. */
  flow: number;
  movementFlows: Record<string, number>;
}

/**
 * The turning flows grouped by interval (by `begin`), in time order, over the given movements
 * (all when none are given).
 *
 * @example
 * flowIntervals(turning)[0] // => { begin: 0, end: 900, flow: 500, movementFlows: { a: 400, b: 100 } }
 */
export function flowIntervals(
  turning: TurningFlows,
  movements?: readonly string[],
): FlowInterval[] {
  const wanted = movements ? new Set(movements) : undefined;
  const byBegin = new Map<number, FlowInterval>();
  for (const { movement, begin, end, flow } of turning.flows) {
    if (wanted && !wanted.has(movement)) continue;
    const interval = byBegin.get(begin) ?? { begin, end, flow: 0, movementFlows: {} };
    interval.flow += flow;
    interval.movementFlows[movement] = (interval.movementFlows[movement] ?? 0) + flow;
    byBegin.set(begin, interval);
  }
  return [...byBegin.values()].sort((a, b) => a.begin - b.begin);
}

/**
 * The interval beginning in `[begin, end)` with the highest total flow, the earliest on a tie;
 * undefined when none begins there.
 *
 * @example
 * busiestInterval(flowIntervals(turning), { begin: 0, end: 3600 })?.begin // => 900
 */
export function busiestInterval<T extends FlowInterval>(
  intervals: readonly T[],
  { begin = -Infinity, end = Infinity }: { begin?: number; end?: number } = {},
): T | undefined {
  let busiest: T | undefined;
  for (const interval of intervals) {
    if (interval.begin < begin || interval.begin >= end) continue;
    if (!busiest || interval.flow > busiest.flow) busiest = interval;
  }
  return busiest;
}

/**
 * The movement flows (pcu/h) of the interval in which the given movements carry the most traffic
 * together: the peak 15-minute flow rate when the flows are in 15-minute intervals, which is what
 * HCM sizes signals for (flow / peak-hour factor). Without `movements`, all movements count.
 *
 * @example
 * designFlows(turning, ['E1>E2', 'E1>E3']) // => { 'E1>E2': 520, 'E1>E3': 96 }
 */
export function designFlows(
  turning: TurningFlows,
  movements?: readonly string[],
  window: { begin?: number; end?: number } = {},
): Record<string, number> {
  return busiestInterval(flowIntervals(turning, movements), window)?.movementFlows ?? {};
}
