// The engine's memory: deployment, ingest, plans per site, decisions and alarms; plain JSON, saved
// in the store under three keys so a restarted engine resumes with its plans and versions.
import type { DeploymentState } from '../controllers/deployment.ts';
import { createDeploymentState } from '../controllers/deployment.ts';
import type { AlarmPayload } from '../controllers/payloads.ts';
import type { DeployOutcome } from '../controllers/deploy-plan.ts';
import type { IntervalAggregate } from '../ingest/aggregate.ts';
import type { DetectorHealth } from '../ingest/health.ts';
import { createIngestState, type IngestState } from '../ingest/pipeline.ts';
import type { AggregationOptions } from '../ingest/aggregate.ts';
import type { TimingPlan } from '../timing/types.ts';
import type { EngineEffect } from './effects.ts';

/** Where a site's plan comes from. */
export type PlanMode = 'adaptive' | 'time-of-day' | 'programs' | 'operator';

/** The engine's plan for one site: where it steers, and the step it last deployed. */
export interface SitePlan {
  site: string;
  mode: PlanMode;
  /** The plan the engine steers towards (the optimizer's, the schedule's or the operator's). */
  target: TimingPlan;
  /** The step deployed last on the way (`limitPlanChange`); the target once reached. */
  step: TimingPlan;
  /** Whether `step` is the target: no more transition steps are due. */
  reached: boolean;
  /** ISO 8601 UTC. */
  decidedAt: string;
  reason: string;
  /** ISO 8601 UTC: an operator's plan holds the site out of the adaptive loop until then. */
  heldUntil?: string;
}

/** What a decision did at one site. */
export type SiteOutcome = DeployOutcome | 'no-change' | 'held-by-operator' | 'no-plan';

/** One decision of the adaptive loop (or an operator's), with its reason: the decision log. */
export interface Decision {
  /** `{cycle}-{group}`, unique within an engine's life and across restarts. */
  id: string;
  /** ISO 8601 UTC. */
  at: string;
  trigger: 'period' | 'manual' | 'transition' | 'operator';
  /** The coordination group decided for (`operator`: the site). */
  group: string;
  sites: string[];
  mode: PlanMode;
  reason: string;
  /** Share of the group's movements measured on at least one lane, 0..1. */
  coverage?: number;
  /** Detectors of the group's sites with a fault (gaps aside). */
  faultyDetectors?: string[];
  /** The time-of-day period the clock is in. */
  period?: string;
  /** Common cycle of the group's targets, s. */
  cycleLength?: number;
  outcomes: Record<string, SiteOutcome>;
  /** Sites whose step was held back, and by which limits. */
  limited?: Record<string, ('cycle' | 'offset')[]>;
}

/** Everything the engine remembers. */
export interface EngineState {
  deployment: DeploymentState;
  ingest: IngestState;
  /** Closed aggregates of the estimation interval within the demand window, oldest first. */
  recent: IntervalAggregate[];
  /** The latest detector health, by detector id. */
  health: Record<string, DetectorHealth>;
  plans: Record<string, SitePlan>;
  /** Newest last, at most `decisionLog` long. */
  decisions: Decision[];
  /** Newest last, at most `alarmLog` long. */
  alarms: AlarmPayload[];
  /** Adaptive cycles run so far (all triggers but `operator`). */
  cycles: number;
}

/** One step of the engine: the next state and what to do about it. */
export interface EngineStep {
  state: EngineState;
  effects: EngineEffect[];
}

/**
 * A fresh engine state.
 *
 * @example
 * createEngineState({ intervals: [300, 900], grace: 120 }).cycles; // => 0
 */
export function createEngineState(aggregation: AggregationOptions = {}): EngineState {
  return {
    deployment: createDeploymentState(),
    ingest: createIngestState(aggregation),
    recent: [],
    health: {},
    plans: {},
    decisions: [],
    alarms: [],
    cycles: 0,
  };
}

/** The store keys of the saved state: small and often written, large and written per tick, the rest. */
export const STATE_KEYS = {
  deployment: 'engine.deployment',
  ingest: 'engine.ingest',
  plans: 'engine.plans',
} as const;

/** The three documents the state is saved as. */
export interface SavedState {
  deployment?: { format: 1; deployment: DeploymentState };
  ingest?: {
    format: 1;
    ingest: IngestState;
    recent: IntervalAggregate[];
    health: Record<string, DetectorHealth>;
  };
  plans?: {
    format: 1;
    plans: Record<string, SitePlan>;
    decisions: Decision[];
    alarms: AlarmPayload[];
    cycles: number;
  };
}

/** The documents to save for `state`. */
export function savedState(state: EngineState): Required<SavedState> {
  return {
    deployment: { format: 1, deployment: state.deployment },
    ingest: { format: 1, ingest: state.ingest, recent: state.recent, health: state.health },
    plans: {
      format: 1,
      plans: state.plans,
      decisions: state.decisions,
      alarms: state.alarms,
      cycles: state.cycles,
    },
  };
}

/**
 * The state from its saved documents; a missing or unreadable document leaves that part fresh,
 * and the returned notes say which (the engine logs them).
 *
 * @example
 * restoreState(createEngineState(), { deployment: { format: 1, deployment } }).state.deployment; // => deployment
 */
export function restoreState(
  fresh: EngineState,
  saved: SavedState,
): { state: EngineState; notes: string[] } {
  const notes: string[] = [];
  let state = fresh;
  const usable = (name: string, document: { format?: unknown } | undefined) => {
    if (document === undefined) {
      notes.push(`no saved ${name}: starting fresh`);
      return false;
    }
    if (document.format !== 1) {
      notes.push(`saved ${name} has an unknown format: starting fresh`);
      return false;
    }
    return true;
  };
  if (usable('deployment', saved.deployment) && saved.deployment?.deployment?.sites) {
    state = { ...state, deployment: saved.deployment.deployment };
  }
  if (usable('ingest state', saved.ingest) && saved.ingest?.ingest?.aggregation) {
    const { ingest, recent = [], health = {} } = saved.ingest;
    state = { ...state, ingest, recent, health };
  }
  if (usable('plans', saved.plans) && saved.plans?.plans) {
    const { plans, decisions = [], alarms = [], cycles = 0 } = saved.plans;
    state = { ...state, plans, decisions, alarms, cycles };
  }
  return { state, notes };
}

/** `list` with `items` appended, the oldest dropped beyond `limit`. */
export function bounded<T>(list: readonly T[], items: readonly T[], limit: number): T[] {
  return [...list, ...items].slice(-limit);
}
