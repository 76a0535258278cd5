// Read models of the engine's state for the HTTP API: controllers, detectors, plans, alarms,
// decisions, the plans the controllers run and the demand the engine would estimate now.
import type { ActivePlanPayload, AlarmPayload } from '../controllers/payloads.ts';
import { planFromPayload } from '../controllers/plan-payloads.ts';
import { designFlows } from '../demand/design-flows.ts';
import type { TimingPlan } from '../timing/types.ts';
import { currentEstimate } from './adaptive.ts';
import type { EngineContext } from './context.ts';
import type { Decision, EngineState } from './state.ts';
import type {
  ControllerView,
  DemandView,
  DetectorView,
  EngineStatusView,
  PlanView,
} from './view-schemas.ts';

export interface EngineViews {
  /** Every signal of the network, with what the engine knows of its controller. */
  controllers(): ControllerView[];
  /** Every detector (the network's and the implied ones) with its latest health. */
  detectors(): DetectorView[];
  /** Per site: the engine's target and step, and the plan the controller runs. */
  plans(): PlanView[];
  /** The newest `limit` alarms, newest first. */
  alarms(limit?: number): AlarmPayload[];
  /** The newest `limit` decisions, newest first. */
  decisions(limit?: number): Decision[];
  /** Per site, the whole plan its controller reports running (sites without one left out). */
  activePlans(): Record<string, TimingPlan>;
  /**
   * The demand the adaptive loop would estimate now: the last `window` of healthy detector data,
   * the prior's flows for the time of day where no lane is measured (as `adaptiveCycle` does).
   */
  demand(): DemandView;
  status(): EngineStatusView;
  /** Prometheus text. */
  metrics(): string;
}

/**
 * Views over the engine's state as it is when called.
 *
 * @example
 * engineViews(() => engine.state, engine.context, { metrics, status }).controllers()[0];
 * // => { site: 'JS-01', presence: { state: 'online', since: '…' }, active: { planId: 'am-peak', version: 3, … }, … }
 */
export function engineViews(
  state: () => EngineState,
  context: EngineContext,
  extra: { metrics: () => string; status: () => EngineStatusView },
): EngineViews {
  const { signals, map, settings, prior } = context;
  return {
    controllers() {
      const { sites } = state().deployment;
      return Object.keys(signals)
        .sort()
        .map((site): ControllerView => {
          const record = sites[site];
          if (record === undefined) {
            return {
              site,
              presence: { state: 'unknown', since: new Date(0).toISOString() },
              lastVersion: 0,
              alarms: [],
              history: [],
            };
          }
          const { pending } = record;
          return {
            site,
            ...(record.zone === undefined ? {} : { zone: record.zone }),
            presence: record.presence,
            ...(record.active ? { active: summary(record.active) } : {}),
            ...(pending
              ? {
                  pending: {
                    planId: pending.planId,
                    version: pending.version,
                    correlationId: pending.correlationId,
                    attempts: pending.attempts,
                    sentAt: pending.sentAt,
                    nextAttemptAt: pending.nextAttemptAt,
                    expiresAt: pending.expiresAt,
                  },
                }
              : {}),
            lastVersion: record.lastVersion,
            alarms: record.alarms,
            history: record.history,
          };
        });
    },
    detectors() {
      const health = state().health;
      return Object.values(map.detectors).map((detector): DetectorView => {
        const judged = health[detector.id];
        return {
          detector: detector.id,
          site: detector.site,
          channel: detector.channel,
          lane: detector.lane,
          kind: detector.kind,
          implied: detector.implied,
          status: judged?.status ?? 'unknown',
          ...(judged ? { since: new Date(judged.sinceMs).toISOString() } : {}),
          reason: judged?.reason ?? 'not judged yet',
          faults: judged?.faults.map((fault) => fault.fault) ?? [],
        };
      });
    },
    plans() {
      const { plans, deployment } = state();
      return Object.keys(signals)
        .sort()
        .map((site): PlanView => {
          const plan = plans[site];
          const active = deployment.sites[site]?.active;
          return {
            site,
            ...(plan
              ? {
                  mode: plan.mode,
                  target: plan.target,
                  step: plan.step,
                  reached: plan.reached,
                  decidedAt: plan.decidedAt,
                  reason: plan.reason,
                  ...(plan.heldUntil ? { heldUntil: plan.heldUntil } : {}),
                }
              : {}),
            ...(active ? { active: summary(active) } : {}),
          };
        });
    },
    alarms(limit = 50) {
      return state().alarms.slice(-limit).reverse();
    },
    decisions(limit = 50) {
      return state().decisions.slice(-limit).reverse();
    },
    activePlans() {
      const { sites } = state().deployment;
      const plans: Record<string, TimingPlan> = {};
      for (const site of Object.keys(signals).sort()) {
        const active = sites[site]?.active;
        if (active) plans[site] = planFromPayload(active, site);
      }
      return plans;
    },
    demand() {
      const current = state();
      const at = extra.status().now;
      const nowMs = Date.parse(at);
      const estimate = currentEstimate(current, context, nowMs);
      const { coverage } = estimate;
      const flows = designFlows(estimate.flows);
      return {
        at,
        source:
          coverage.measured + coverage.partial > 0
            ? 'detectors'
            : Object.keys(flows).length > 0
              ? 'prior'
              : 'none',
        window: settings.window,
        ...(prior ? { period: prior.periodAt(nowMs).name } : {}),
        coverage,
        flows,
      };
    },
    status: extra.status,
    metrics: extra.metrics,
  };
}

function summary(active: ActivePlanPayload) {
  return {
    planId: active.planId,
    version: active.version,
    cycle: active.cycle,
    offset: active.offset,
    ...(active.actuated ? { actuated: active.actuated } : {}),
    appliedAt: active.appliedAt,
  };
}
