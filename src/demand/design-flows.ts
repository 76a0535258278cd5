// Design flows: the movement flow rates a plan is sized for, from the peak interval (HCM practice).
import type { TurningFlows } from './types.ts';

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
  { begin = -Infinity, end = Infinity }: { begin?: number; end?: number } = {},
): Record<string, number> {
  const wanted = movements ? new Set(movements) : undefined;
  const byInterval = new Map<number, Record<string, number>>();
  const totals = new Map<number, number>();
  for (const flow of turning.flows) {
    if (wanted && !wanted.has(flow.movement)) continue;
    if (flow.begin < begin || flow.begin >= end) continue;
    const interval = byInterval.get(flow.begin) ?? {};
    interval[flow.movement] = (interval[flow.movement] ?? 0) + flow.flow;
    byInterval.set(flow.begin, interval);
    totals.set(flow.begin, (totals.get(flow.begin) ?? 0) + flow.flow);
  }
  let peak: number | undefined;
  for (const [start, total] of totals) {
    if (
      peak === undefined ||
      total > totals.get(peak)! ||
      (total === totals.get(peak)! && start < peak)
    ) {
      peak = start;
    }
  }
  return peak === undefined ? {} : byInterval.get(peak)!;
}
