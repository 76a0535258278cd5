// Turning flows for the optimizer from recent healthy detector data, with the prior where there is none.
import type { MovementFlow, TurningFlows } from '../demand/types.ts';
import type { IntervalAggregate } from './aggregate.ts';
import { laneKey, type DetectorMap } from './detector-map.ts';
import type { FaultSpan } from './health-evidence.ts';
import { countingDetectors, laneShares, type LaneShares } from './movement-counts.ts';
import { IngestError, MS } from './types.ts';

/**
 * Where a movement's estimate comes from: every lane measured; some lanes measured and the rest
 * imputed from the link's measured lanes; the prior; or nothing (left out of the flows).
 */
export type EstimateSource = 'measured' | 'partial' | 'prior' | 'none';

export interface MovementEstimate {
  movement: string;
  site: string;
  /** veh/h (taken as pcu/h by the optimizer). */
  flow: number;
  source: EstimateSource;
  measuredLanes: number;
  lanes: number;
  /** The detectors whose counts made the estimate. */
  detectors: string[];
}

export interface DemandEstimate {
  /** The flows for the optimizer: one interval, the window; movements with source `none` left out. */
  flows: TurningFlows;
  movements: Record<string, MovementEstimate>;
  coverage: {
    measured: number;
    partial: number;
    prior: number;
    none: number;
    total: number;
    /** Share of movements measured on at least one lane, 0..1. */
    share: number;
  };
}

export interface DemandEstimateOptions {
  /** The engine's clock, ms; the window ends here. */
  nowMs: number;
  /** Seconds of recent data; default 900, the design interval HCM sizes signals for. */
  window?: number;
  /** Which aggregation length to read, seconds; default the shortest among the aggregates given. */
  interval?: number;
  /** Movement → veh/h for the time of day (design flows): the fallback, and the turning shares. */
  prior?: Readonly<Record<string, number>>;
  /** Lane splits; default `laneShares(map, prior)`. */
  shares?: LaneShares;
  /** Detector → periods whose data must not be used (`faultSpans`). */
  faults?: Readonly<Record<string, readonly FaultSpan[]>>;
  /** Share of the window a lane's detector must cover to count as measured; default 0.5. */
  minCoverage?: number;
  /** The movements to estimate; default every movement at a signalized intersection. */
  movements?: readonly string[];
}

/**
 * Estimates each movement's flow from the closed aggregates that overlap the last `window` seconds: per lane
 * the counting detector (`countingDetectors`) of each interval, never one whose fault spans overlap
 * that interval; a lane is measured when such data covers `minCoverage` of the window, its rate
 * count / seconds covered. A movement takes its lanes' rates by the turning shares; a lane
 * without data takes the mean rate of its link's measured lanes (`partial`); a movement with no
 * measured lane falls back to the prior (`prior`) or is left out (`none`).
 *
 * @example
 * const estimate = estimateDemand(map, closed300, { nowMs, prior: designFlows, faults: faultSpans(health) });
 * estimate.coverage // => { measured: 94, partial: 0, prior: 15, none: 0, total: 109, share: 0.86 } (the demo network)
 * optimizeNetwork(network, estimate.flows);
 */
export function estimateDemand(
  map: DetectorMap,
  aggregates: readonly IntervalAggregate[],
  options: DemandEstimateOptions,
): DemandEstimate {
  const {
    nowMs,
    window = 900,
    prior = {},
    faults = {},
    minCoverage = 0.5,
    movements = Object.keys(map.movements),
  } = options;
  if (!(window > 0) || !(minCoverage >= 0 && minCoverage <= 1) || !Number.isFinite(nowMs)) {
    throw new IngestError(
      'BAD_OPTION',
      `estimateDemand: give a finite nowMs, a positive window and minCoverage within 0..1 (got ${nowMs}, ${window}, ${minCoverage})`,
    );
  }
  const shares = options.shares ?? laneShares(map, prior);
  const fromMs = nowMs - window * MS;
  const interval = options.interval ?? Math.min(...aggregates.map((entry) => entry.interval));
  // Aggregates that overlap the window: an interval closes only after its grace period, so
  // taking only those that start inside it would leave a cycle that runs soon after a boundary
  // with a single interval, too little coverage, and a permanent fall-back to the schedule.
  const recent = aggregates.filter(
    (entry) => entry.interval === interval && entry.endMs > fromMs && entry.endMs <= nowMs,
  );

  const lanes = new Map<string, { count: number; covered: number; detectors: Set<string> }>();
  for (const aggregate of recent) {
    const excluded = new Set(
      Object.keys(aggregate.detectors).filter((id) =>
        (faults[id] ?? []).some(
          (span) => span.fromMs < aggregate.endMs && span.toMs > aggregate.startMs,
        ),
      ),
    );
    for (const [key, detector] of Object.entries(
      countingDetectors(map, aggregate.detectors, excluded),
    )) {
      const lane = lanes.get(key) ?? { count: 0, covered: 0, detectors: new Set<string>() };
      lane.count += aggregate.detectors[detector]!.count;
      lane.covered += aggregate.detectors[detector]!.covered;
      lane.detectors.add(detector);
      lanes.set(key, lane);
    }
  }
  const rates = new Map<string, number>();
  const linkRates = new Map<string, number[]>();
  for (const [key, lane] of lanes) {
    if (lane.covered < minCoverage * window || lane.covered <= 0) continue;
    const rate = lane.count / lane.covered;
    rates.set(key, rate);
    const link = map.lanes[key]!.link;
    linkRates.set(link, [...(linkRates.get(link) ?? []), rate]);
  }

  const estimates: Record<string, MovementEstimate> = {};
  for (const movement of movements) {
    const mapped = map.movements[movement];
    const keys = mapped?.lanes ?? [];
    const measured = keys.filter((key) => rates.has(key));
    let flow = 0;
    let source: EstimateSource;
    if (measured.length > 0) {
      for (const key of keys) {
        const share = shares[key]?.[movement] ?? 1 / Math.max(map.lanes[key]!.movements.length, 1);
        flow += share * (rates.get(key) ?? mean(linkRates.get(map.lanes[key]!.link) ?? [])) * 3600;
      }
      source = measured.length === keys.length ? 'measured' : 'partial';
    } else if (prior[movement] !== undefined) {
      flow = prior[movement];
      source = 'prior';
    } else {
      source = 'none';
    }
    estimates[movement] = {
      movement,
      site: mapped?.site ?? '',
      flow,
      source,
      measuredLanes: measured.length,
      lanes: keys.length,
      detectors: measured.flatMap((key) => [...lanes.get(key)!.detectors]).sort(),
    };
  }

  const begin = fromMs / MS;
  const end = nowMs / MS;
  const flows: MovementFlow[] = Object.values(estimates)
    .filter((estimate) => estimate.source !== 'none')
    .map(({ movement, flow }) => ({
      movement,
      begin,
      end,
      vehicles: (flow * window) / 3600,
      flow,
    }));
  const tally = (source: EstimateSource) =>
    Object.values(estimates).filter((estimate) => estimate.source === source).length;
  const coverage = {
    measured: tally('measured'),
    partial: tally('partial'),
    prior: tally('prior'),
    none: tally('none'),
    total: movements.length,
    share: movements.length > 0 ? (tally('measured') + tally('partial')) / movements.length : 0,
  };
  return { flows: { begin, end, interval: window, flows }, movements: estimates, coverage };
}

/**
 * The flow each detector should see, veh/h, from movement flows (e.g. the time-of-day design
 * flows): Σ over the movements leaving from its lane of the movement's flow over its number of
 * lanes (the same even use of lanes `laneShares` assumes). The expected flow that
 * `evaluateHealth` tests stuck-off against.
 *
 * @example
 * detectorPriorFlows(map, { 'jinshui-eb-1>jinshui-eb-2': 800, 'jinshui-eb-1>jingsan-sb-out': 100 })['jingsan-eb-stopline-0']
 * // => 500 (half the through flow and all the right turn)
 */
export function detectorPriorFlows(
  map: DetectorMap,
  movementFlows: Readonly<Record<string, number>>,
): Record<string, number> {
  const laneFlows = new Map<string, number>();
  for (const [movement, flow] of Object.entries(movementFlows)) {
    const mapped = map.movements[movement];
    if (!mapped || mapped.lanes.length === 0 || !Number.isFinite(flow)) continue;
    for (const key of mapped.lanes) {
      laneFlows.set(key, (laneFlows.get(key) ?? 0) + flow / mapped.lanes.length);
    }
  }
  const result: Record<string, number> = {};
  for (const detector of Object.values(map.detectors)) {
    const flow = laneFlows.get(laneKey(detector.link, detector.lane));
    if (flow !== undefined) result[detector.id] = flow;
  }
  return result;
}

const mean = (values: readonly number[]) =>
  values.length > 0 ? values.reduce((total, value) => total + value, 0) / values.length : 0;
