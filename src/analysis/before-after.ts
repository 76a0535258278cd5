// Before/after measures per signal: HCM delay, level of service and critical degree of saturation of
// the plan it ran before and the plan it runs now, on one demand. Pure; the route is
// `GET /api/v1/measures`. Test: npx vitest run src/analysis/before-after.test.ts
import type { LevelOfService } from './delay.ts';
import { measureTiming } from './evaluate-timing.ts';
import { timingModel } from './timing-model.ts';
import type { RoadNetwork, Signal } from '../network/types.ts';
import { planOperation, type PlanOperation } from '../timing/actuation.ts';
import type { TimingPlan } from '../timing/types.ts';

/** Where a measured plan comes from. */
export type PlanSource = 'network-program' | 'controller' | 'engine-step';

export interface PlanMeasures {
  planId: string;
  source: PlanSource;
  /**
   * How the controller runs the plan. The measures are HCM's for its planned greens run fixed
   * time in every case: for an actuated plan those greens are maximums, for a free one the cycle too.
   */
  operation: PlanOperation;
  /** Seconds. */
  cycle: number;
  /** Flow-weighted mean control delay, s/veh (pcu). */
  delay: number;
  levelOfService: LevelOfService;
  /** The highest lane degree of saturation; null when a lane with demand gets no green. */
  criticalDegreeOfSaturation: number | null;
  /** Webster's Y. */
  criticalFlowRatio: number;
  /** pcu-hours of delay per hour. */
  totalDelay: number;
  /** pcu/h arriving at the signal's lanes. */
  flow: number;
}

export interface SiteBeforeAfter {
  site: string;
  before?: PlanMeasures;
  after?: PlanMeasures;
  /** after − before, when both exist. */
  change?: { delay: number; criticalDegreeOfSaturation: number | null };
}

/**
 * HCM measures of `plan` at `signal` under `movementFlows` (pcu/h by movement id), via the
 * timing model and `measureTiming`: the same evaluation the optimizer reports.
 *
 * @example
 * planMeasures(network, signal, signal.programs[0], flows, 'network-program')
 * // => { planId: 'weekday-peak', cycle: 140, delay: 38.2, levelOfService: 'D', criticalDegreeOfSaturation: 0.87, … }
 */
export function planMeasures(
  network: RoadNetwork,
  signal: Signal,
  plan: TimingPlan,
  movementFlows: Readonly<Record<string, number>>,
  source: PlanSource,
): PlanMeasures {
  const model = timingModel(network, signal, plan, movementFlows);
  const measures = measureTiming(
    model,
    plan.stages.map((stage) => stage.green),
    plan.cycleLength,
  );
  return {
    planId: plan.id,
    source,
    operation: planOperation(plan),
    cycle: plan.cycleLength,
    delay: finiteOrLarge(measures.delay),
    levelOfService: measures.levelOfService,
    criticalDegreeOfSaturation: Number.isFinite(measures.criticalDegreeOfSaturation)
      ? measures.criticalDegreeOfSaturation
      : null,
    criticalFlowRatio: measures.criticalFlowRatio,
    totalDelay: finiteOrLarge(measures.totalDelay),
    flow: model.lanes.reduce((sum, lane) => sum + lane.flow, 0),
  };
}

/**
 * Before and after for every signal: before, the network's own program (its first); after, the
 * plan the controller reports running, else the engine's last step for the site. Sites with
 * neither plan are listed with what they have.
 *
 * @example
 * beforeAfter(network, { after: views.activePlans(), step }, views.demand().flows)[0]
 * // => { site: 'JS-01', before: { source: 'network-program', delay: 41.3, … }, after: { source: 'controller', delay: 33.0, … }, change: { delay: -8.3, … } }
 */
export function beforeAfter(
  network: RoadNetwork,
  plans: {
    running: Readonly<Record<string, TimingPlan>>;
    steps: Readonly<Record<string, TimingPlan>>;
  },
  movementFlows: Readonly<Record<string, number>>,
): SiteBeforeAfter[] {
  const signals = network.getAttribute('signals');
  return Object.keys(signals)
    .sort()
    .map((site): SiteBeforeAfter => {
      const signal = signals[site]!;
      const program = signal.programs[0];
      const before = program
        ? planMeasures(network, signal, program, movementFlows, 'network-program')
        : undefined;
      const running = plans.running[site];
      const step = plans.steps[site];
      const after = running
        ? planMeasures(network, signal, running, movementFlows, 'controller')
        : step
          ? planMeasures(network, signal, step, movementFlows, 'engine-step')
          : undefined;
      return {
        site,
        ...(before ? { before } : {}),
        ...(after ? { after } : {}),
        ...(before && after
          ? {
              change: {
                delay: after.delay - before.delay,
                criticalDegreeOfSaturation:
                  before.criticalDegreeOfSaturation === null ||
                  after.criticalDegreeOfSaturation === null
                    ? null
                    : after.criticalDegreeOfSaturation - before.criticalDegreeOfSaturation,
              },
            }
          : {}),
      };
    });
}

/** JSON has no Infinity: a delay without bound is shown as a day. */
function finiteOrLarge(value: number): number {
  return Number.isFinite(value) ? value : 86_400;
}
