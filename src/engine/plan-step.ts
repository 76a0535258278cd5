// One site moved towards a target plan: skipped when the change is too small to matter, limited to a
// step controllers can follow (`limitPlanChange`), then deployed (`deployPlan`).
import { isoTime } from '../controllers/actions.ts';
import { deployPlan, type DeployOutcome } from '../controllers/deployment.ts';
import { planFromPayload } from '../controllers/plan-payloads.ts';
import {
  cyclicDistance,
  limitPlanChange,
  PlanChangeError,
} from '../controllers/plan-transition.ts';
import { planOperation } from '../timing/actuation.ts';
import type { TimingPlan } from '../timing/types.ts';
import type { EngineContext } from './context.ts';
import { engineLog, type EngineEffect } from './effects.ts';
import type { EngineState, PlanMode, SiteOutcome } from './state.ts';

export interface SiteStep {
  state: EngineState;
  effects: EngineEffect[];
  outcome: SiteOutcome;
  /** The limits that held the step back. */
  limited: ('cycle' | 'offset')[];
}

/**
 * Whether `target` differs from `reference` by more than `seconds` anywhere that matters to a
 * driver: the cycle, the offset (the short way round), a stage's green, or the stage sequence;
 * or in how the controller runs it — fixed time, coordinated-actuated or free — which always
 * matters. Between two free plans the cycle and the offset (and its reference) do not: a
 * controller running free keeps neither. The plan's name does not matter, nor the passage time:
 * a schedule's plan equal to the adaptive one is no change.
 *
 * @example
 * significantChange(plan, { ...plan, id: 'other', offset: plan.offset + 1 }, 2); // => false
 * significantChange(plan, { ...plan, actuated: { passage: 3, free: true } }, 2); // => true
 */
export function significantChange(
  reference: Pick<TimingPlan, 'cycleLength' | 'offset' | 'offsetReference' | 'stages' | 'actuated'>,
  target: TimingPlan,
  seconds: number,
): boolean {
  const mode = planOperation(reference);
  if (mode !== planOperation(target)) return true;
  if (reference.stages.length !== target.stages.length) return true;
  if (mode !== 'free' && cycleOrOffsetMoved(reference, target, seconds)) return true;
  const groups = (greens: Record<string, string>) => JSON.stringify(Object.entries(greens).sort());
  return reference.stages.some((stage, index) => {
    const other = target.stages[index]!;
    return (
      stage.id !== other.id ||
      groups(stage.greens) !== groups(other.greens) ||
      Math.abs(stage.green - other.green) > seconds ||
      Math.abs(stage.yellow - other.yellow) > 1e-9 ||
      Math.abs(stage.allRed - other.allRed) > 1e-9
    );
  });
}

function cycleOrOffsetMoved(
  reference: Pick<TimingPlan, 'cycleLength' | 'offset' | 'offsetReference'>,
  target: TimingPlan,
  seconds: number,
): boolean {
  return (
    reference.offsetReference !== target.offsetReference ||
    Math.abs(reference.cycleLength - target.cycleLength) > seconds ||
    Math.abs(cyclicDistance(reference.offset, target.offset, target.cycleLength)) > seconds
  );
}

/**
 * Moves one site towards `target`: from the plan its controller runs, by at most the engine's
 * limits; nothing is sent when the target is within `minChange` of the plan running (or pending).
 * Without a running plan known, or with one the network's signal model rejects, the target goes
 * out whole (logged). The site's `SitePlan` records the target, the step, and why.
 *
 * @example
 * const { outcome, limited } = stepTowards(state, context, 'JS-01', target, { now, mode: 'adaptive', reason });
 * outcome; // => 'sent'; limited => ['cycle'] when the cycle moves more than 10 %
 */
export function stepTowards(
  state: EngineState,
  context: EngineContext,
  site: string,
  target: TimingPlan,
  { now, mode, reason }: { now: number; mode: PlanMode; reason: string },
): SiteStep {
  const { signals, settings, zone } = context;
  const signal = signals[site]!;
  const record = state.deployment.sites[site];
  const running = record?.active ? planFromPayload(record.active, site) : undefined;
  const pending = record?.pending ? planFromPayload(record.pending.command, site) : undefined;
  const reference = pending ?? running;
  const effects: EngineEffect[] = [];
  const plan = { ...target, signal: site };
  const sitePlan = (step: TimingPlan, reached: boolean) => ({
    ...state.plans,
    [site]: {
      site,
      mode,
      target: plan,
      step,
      reached,
      decidedAt: isoTime(now),
      reason,
    },
  });

  if (reference !== undefined && !significantChange(reference, plan, settings.minChange)) {
    return {
      state: { ...state, plans: sitePlan(reference, true) },
      effects: [
        engineLog(
          'debug',
          `plan ${plan.id} within ${settings.minChange} s of the one running: not sent`,
          {
            site,
          },
        ),
      ],
      outcome: 'no-change',
      limited: [],
    };
  }

  let step = plan;
  let limited: ('cycle' | 'offset')[] = [];
  let reached = true;
  if (running === undefined) {
    effects.push(
      engineLog('info', `no running plan known for ${site}: plan ${plan.id} sent whole`, { site }),
    );
  } else {
    try {
      const change = limitPlanChange(running, plan, {
        signal,
        ...settings.limits,
        ...(settings.validation ? { validation: settings.validation } : {}),
      });
      step = change.plan;
      limited = change.limited;
      reached = change.reached;
    } catch (error) {
      if (!(error instanceof PlanChangeError) || error.code === 'INVALID_LIMIT') throw error;
      // An invalid target is refused by deployPlan with a plan.invalid alarm; an invalid running
      // plan (the controller's own) cannot be blended from, so the target replaces it whole.
      effects.push(engineLog('warn', `${error.message}: plan ${plan.id} sent whole`, { site }));
    }
  }
  const deployed = deployPlan(state.deployment, site, step, {
    now,
    signal,
    zone,
    engineId: settings.engineId,
    expirySeconds: settings.expirySeconds,
    retry: settings.retry,
    ...(settings.validation ? { validation: settings.validation } : {}),
  });
  effects.push(...deployed.actions);
  // A step the engine will not send (invalid, or refused before) ends the transition until the
  // next cycle decides again, rather than being tried at every transition step.
  const stuck = deployed.outcome === 'invalid' || deployed.outcome === 'previously-rejected';
  return {
    state: { ...state, deployment: deployed.state, plans: sitePlan(step, reached || stuck) },
    effects,
    outcome: deployed.outcome,
    limited,
  };
}

/**
 * An operator's plan for one site: deployed whole (no step limit: the operator chose it), and the
 * site held out of the adaptive loop for `holdSeconds`.
 *
 * @example
 * operatorDeploy(state, context, 'JS-01', plan, { now, holdSeconds: 3600 }).outcome; // => 'sent'
 */
export function operatorDeploy(
  state: EngineState,
  context: EngineContext,
  site: string,
  plan: TimingPlan,
  { now, holdSeconds, force = false }: { now: number; holdSeconds: number; force?: boolean },
): { state: EngineState; effects: EngineEffect[]; outcome: DeployOutcome } {
  const { signals, settings, zone } = context;
  const target = { ...plan, signal: site };
  const deployed = deployPlan(state.deployment, site, target, {
    now,
    signal: signals[site]!,
    zone,
    engineId: settings.engineId,
    expirySeconds: settings.expirySeconds,
    retry: settings.retry,
    force,
    ...(settings.validation ? { validation: settings.validation } : {}),
  });
  if (deployed.outcome === 'invalid') {
    return {
      state: { ...state, deployment: deployed.state },
      effects: deployed.actions,
      outcome: 'invalid',
    };
  }
  const heldUntil = isoTime(now + holdSeconds * 1000);
  return {
    state: {
      ...state,
      deployment: deployed.state,
      plans: {
        ...state.plans,
        [site]: {
          site,
          mode: 'operator',
          target,
          step: target,
          reached: true,
          decidedAt: isoTime(now),
          reason: `operator's plan ${plan.id}, held until ${heldUntil}`,
          heldUntil,
        },
      },
    },
    effects: deployed.actions,
    outcome: deployed.outcome,
  };
}

/** Whether the site is held by an operator's plan at `now`. */
export function heldByOperator(state: EngineState, site: string, now: number): boolean {
  const heldUntil = state.plans[site]?.heldUntil;
  return heldUntil !== undefined && Date.parse(heldUntil) > now;
}
