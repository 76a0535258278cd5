// A closed interval as the store's rows: one per detector and one per movement.
import type { DetectorAggregate, MovementAggregate } from '../store/types.ts';
import type { DetectorMap } from './detector-map.ts';
import type { ClosedInterval } from './pipeline.ts';

/**
 * The store rows of a closed interval. A detector row names its movement when its lane serves
 * exactly one, and its lane as the store counts lanes (1 = kerb lane; the network's index 0).
 *
 * @example
 * storeRows(closed, map).detectors[0]
 * // => { site: 'JS-02', detector: 'jingsan-eb-stopline-2', movement: 'jinshui-eb-1>jingsan-nb-out', lane: 3, startMs, interval: 300, count: 12, occupancy: 0.08 }
 */
export function storeRows(
  closed: ClosedInterval,
  map: DetectorMap,
): { detectors: DetectorAggregate[]; movements: MovementAggregate[] } {
  const { startMs, interval } = closed;
  const detectors: DetectorAggregate[] = [];
  for (const [id, totals] of Object.entries(closed.detectors)) {
    const detector = map.detectors[id];
    if (!detector) continue;
    const movement = detector.movements.length === 1 ? detector.movements[0] : undefined;
    detectors.push({
      site: detector.site,
      detector: id,
      ...(movement !== undefined ? { movement } : {}),
      lane: detector.lane + 1,
      startMs,
      interval,
      count: totals.count,
      occupancy: Math.min(1, Math.max(0, totals.occupancy)),
    });
  }
  const movements: MovementAggregate[] = Object.entries(closed.movements).map(
    ([movement, totals]) => ({
      site: totals.site,
      movement,
      startMs,
      interval,
      count: totals.count,
      flow: totals.flow,
    }),
  );
  return { detectors, movements };
}
