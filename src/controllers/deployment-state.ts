// The engine's record of every controller: presence, active plan, versions, the pending command.
import { CodedError } from '../coded-error.ts';
import type { AlarmAction, ControllerAction, LogAction } from './actions.ts';
import { isoTime } from './actions.ts';
import type { ActivePlanPayload, PlanCommandPayload } from './payloads.ts';
import type { PlanContent } from './plan-payloads.ts';

export type PresenceState = 'online' | 'offline' | 'shutdown' | 'unknown';

/** A plan command sent and not yet answered. */
export interface PendingCommand {
  correlationId: string;
  planId: string;
  version: number;
  topic: string;
  /** The command exactly as published: every retry publishes it again unchanged. */
  command: PlanCommandPayload;
  /** ISO 8601 UTC: when the command was first made. */
  sentAt: string;
  /** Publishes so far (0 while held for an offline controller). */
  attempts: number;
  /** ISO 8601 UTC: when, without an answer, the command is published again or given up. */
  nextAttemptAt: string;
  /** ISO 8601 UTC: after this a controller refuses the command, so the engine stops sending it. */
  expiresAt: string;
}

/**
 * How a command ended: `applied` / `rejected` by the controller, `no-answer` after the last retry or
 * past its expiry, `superseded` by a newer command from the engine, `overtaken` when the controller
 * reports running a newer version than the command's.
 */
export type DeploymentOutcome = 'applied' | 'rejected' | 'no-answer' | 'superseded' | 'overtaken';

/** One finished command, newest last. */
export interface DeploymentRecord {
  correlationId: string;
  planId: string;
  version: number;
  outcome: DeploymentOutcome;
  /** ISO 8601 UTC: when the outcome was known. */
  at: string;
  attempts: number;
  reason?: string;
}

export interface SiteDeployment {
  site: string;
  /** Known once a plan is deployed or the adapter names it. */
  zone?: string;
  presence: { state: PresenceState; since: string };
  /** The plan the controller runs, as it reported or acknowledged it. */
  active?: ActivePlanPayload;
  /** The highest version ever issued or seen for this site: the next command gets one more. */
  lastVersion: number;
  pending?: PendingCommand;
  /** The last plan the controller refused, so the same plan is not pushed at it again. */
  lastRejected?: { version: number; reason: string; at: string; content: PlanContent };
  /** Codes of this site's alarms that are raised now. */
  alarms: string[];
  /** The last `HISTORY_LENGTH` finished commands. */
  history: DeploymentRecord[];
}

/** Plain JSON: persist it as it is and the engine resumes where it stopped. */
export interface DeploymentState {
  sites: Record<string, SiteDeployment>;
}

/** What each deployment function returns: the next state and what the adapter should do. */
export interface DeploymentStep {
  state: DeploymentState;
  actions: ControllerAction[];
}

/** Finished commands kept per site. */
export const HISTORY_LENGTH = 20;

export type DeploymentErrorCode = 'INVALID_TIME' | 'INVALID_OPTION' | 'INVALID_SITE';

/** A caller's mistake in the deployment functions (a bad time, option or site id). */
export class DeploymentError extends CodedError<DeploymentErrorCode> {}

/**
 * An empty deployment state: no controllers known yet.
 *
 * @example
 * createDeploymentState(); // => { sites: {} }
 */
export function createDeploymentState(): DeploymentState {
  return { sites: {} };
}

/** The site's record, or a fresh one (presence unknown, no version issued). */
export function siteOf(state: DeploymentState, site: string, now: number): SiteDeployment {
  return (
    state.sites[site] ?? {
      site,
      presence: { state: 'unknown', since: isoTime(now) },
      lastVersion: 0,
      alarms: [],
      history: [],
    }
  );
}

/** The state with one site's record replaced. */
export function withSite(state: DeploymentState, record: SiteDeployment): DeploymentState {
  return { ...state, sites: { ...state.sites, [record.site]: record } };
}

/** The record with one more finished command, the oldest dropped past `HISTORY_LENGTH`. */
export function withHistory(record: SiteDeployment, entry: DeploymentRecord): SiteDeployment {
  return { ...record, history: [...record.history, entry].slice(-HISTORY_LENGTH) };
}

/** The pending command as a finished record. */
export function finished(
  pending: PendingCommand,
  outcome: DeploymentOutcome,
  now: number,
  reason?: string,
): DeploymentRecord {
  return {
    correlationId: pending.correlationId,
    planId: pending.planId,
    version: pending.version,
    outcome,
    at: isoTime(now),
    attempts: pending.attempts,
    ...(reason === undefined ? {} : { reason }),
  };
}

/**
 * Raises or clears an alarm once: raising a raised alarm or clearing a clear one does nothing,
 * unless `repeat` (each rejection or missed answer is an event of its own and is raised again).
 * Returns the record with its alarm list updated and the actions to take.
 */
export function setAlarm(
  record: SiteDeployment,
  code: string,
  active: boolean,
  {
    reason,
    now,
    values,
    repeat = false,
  }: { reason: string; now: number; values?: Record<string, unknown>; repeat?: boolean },
): { record: SiteDeployment; actions: AlarmAction[] } {
  const raised = record.alarms.includes(code);
  if (raised === active && !(active && repeat)) return { record, actions: [] };
  const alarms = active
    ? [...record.alarms.filter((c) => c !== code), code]
    : record.alarms.filter((c) => c !== code);
  const action: AlarmAction = {
    type: 'alarm',
    code,
    site: record.site,
    ...(record.zone === undefined ? {} : { zone: record.zone }),
    reason,
    active,
    ts: isoTime(now),
    ...(values === undefined ? {} : { values }),
  };
  return { record: { ...record, alarms }, actions: [action] };
}

/** Clears several alarms, each only if raised. */
export function clearAlarms(
  record: SiteDeployment,
  codes: readonly string[],
  reason: string,
  now: number,
): { record: SiteDeployment; actions: AlarmAction[] } {
  return codes.reduce<{ record: SiteDeployment; actions: AlarmAction[] }>(
    (acc, code) => {
      const next = setAlarm(acc.record, code, false, { reason, now });
      return { record: next.record, actions: [...acc.actions, ...next.actions] };
    },
    { record, actions: [] },
  );
}

/** A log action naming the site. */
export function siteLog(
  level: LogAction['level'],
  message: string,
  site: string,
  fields: Record<string, unknown> = {},
): LogAction {
  return { type: 'log', level, message, fields: { site, ...fields } };
}

/** Checks a time argument: finite milliseconds since the epoch. */
export function checkNow(name: string, now: unknown): number {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new DeploymentError(
      'INVALID_TIME',
      `${name}: now must be finite milliseconds since the epoch (clock.now()), got ${String(now)}`,
    );
  }
  return now;
}

/** Checks an id that goes into topics (site, zone, engine): 1–64 characters, no `/ + #` or spaces. */
export function checkSite(name: string, id: unknown, what = 'site'): string {
  if (typeof id !== 'string' || !/^[^/+#\s]{1,64}$/.test(id)) {
    throw new DeploymentError(
      what === 'site' ? 'INVALID_SITE' : 'INVALID_OPTION',
      `${name}: ${what} must be an id of 1–64 characters without '/', '+', '#' or spaces, got ${JSON.stringify(id)}`,
    );
  }
  return id;
}

/** The record without its pending command. */
export function withoutPending(record: SiteDeployment): SiteDeployment {
  const copy = { ...record };
  delete copy.pending;
  return copy;
}
