// The engine's memory: deployment, ingest, plans per site, decisions and alarms; plain JSON, saved
// in the store under four keys so a restarted engine resumes with its plans and versions.
import type { DeploymentState } from '../controllers/deployment.ts';
import { createDeploymentState } from '../controllers/deployment.ts';
import type { AlarmPayload } from '../controllers/payloads.ts';
import type { DeployOutcome } from '../controllers/deploy-plan.ts';
import type { IntervalAggregate } from '../ingest/aggregate.ts';
import type { DetectorHealth } from '../ingest/health.ts';
import type { HealthState } from '../ingest/health-evidence.ts';
import { createIngestState, type IngestState } from '../ingest/pipeline.ts';
import { resumeSequences } from '../ingest/sequence.ts';
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

/**
 * The store keys of the saved state, each saved on its own rhythm (see `Engine`): the deployment
 * (small) on every change; the plans, decisions and alarms after each cycle and tick that changed
 * them; the ingest state (sequences, open intervals, verdicts, recent aggregates) every
 * `ingestSave` seconds and when a fault changes; the health evidence (the bulk: an hour of minute
 * buckets per detector) every `evidenceSave` seconds. All four at stop.
 */
export const STATE_KEYS = {
  deployment: 'engine.deployment',
  ingest: 'engine.ingest',
  evidence: 'engine.evidence',
  plans: 'engine.plans',
} as const;

/** The ingest document's format: 2 since the open intervals and the evidence are kept by site. */
const INGEST_FORMAT = 2;

/** The documents the state is saved as. */
export interface SavedState {
  deployment?: { format: 1; deployment: DeploymentState };
  /** The ingest state without the health evidence (that is `evidence`). */
  ingest?: {
    format: typeof INGEST_FORMAT;
    ingest: IngestState;
    recent: IntervalAggregate[];
    health: Record<string, DetectorHealth>;
  };
  evidence?: { format: 1; sites: HealthState['sites'] };
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
  const { sites, ...verdicts } = state.ingest.health;
  return {
    deployment: { format: 1, deployment: state.deployment },
    ingest: {
      format: INGEST_FORMAT,
      ingest: { ...state.ingest, health: { ...verdicts, sites: {} } },
      recent: state.recent,
      health: state.health,
    },
    evidence: { format: 1, sites },
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
 * and the returned notes say which (the engine logs them). The evidence may be older than the
 * ingest state (it is saved less often): the health checks judge it as it is.
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
  const usable = (name: string, document: { format?: unknown } | undefined, format = 1) => {
    if (document === undefined) {
      notes.push(`no saved ${name}: starting fresh`);
      return false;
    }
    if (document.format !== format) {
      notes.push(`saved ${name} has an unknown format: starting fresh`);
      return false;
    }
    return true;
  };
  if (usable('deployment', saved.deployment) && saved.deployment?.deployment?.sites) {
    state = { ...state, deployment: saved.deployment.deployment };
  }
  if (usable('ingest state', saved.ingest, INGEST_FORMAT) && saved.ingest?.ingest?.aggregation) {
    const { ingest, recent = [], health = {} } = saved.ingest;
    // Entries sent while the engine was down, or taken after the last save, are not the feeds' gaps.
    const sequences = resumeSequences(ingest.sequences ?? {});
    state = { ...state, ingest: { ...ingest, sequences }, recent, health };
  }
  if (usable('health evidence', saved.evidence) && saved.evidence?.sites) {
    const { sites } = saved.evidence;
    state = { ...state, ingest: { ...state.ingest, health: { ...state.ingest.health, sites } } };
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
