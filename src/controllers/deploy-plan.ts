// deployPlan: a validated plan becomes a versioned, expiring plan command for one controller.
import type { Signal } from '../network/types.ts';
import type { TimingPlan } from '../timing/types.ts';
import { validatePlan, type ValidatePlanOptions } from '../timing/validate.ts';
import { isoTime, timeMs, type ControllerAction } from './actions.ts';
import { isAway, publishPending, retryPolicy, type RetryPolicy } from './command-delivery.ts';
import { giveUp } from './deployment-events.ts';
import {
  checkNow,
  checkSite,
  DeploymentError,
  finished,
  setAlarm,
  siteLog,
  siteOf,
  withHistory,
  withSite,
  type DeploymentState,
  type DeploymentStep,
  type PendingCommand,
  type SiteDeployment,
} from './deployment-state.ts';
import {
  payloadSchemaProblems,
  planCommandPayload,
  planContent,
  samePlanContent,
} from './plan-payloads.ts';
import { siteTopic } from './topics.ts';

export interface DeployPlanOptions {
  /** Milliseconds since the epoch. */
  now: number;
  /** The signal the site runs, to validate the plan against. */
  signal: Signal;
  zone: string;
  /** This engine instance; part of every correlation id, so two engines never share one. */
  engineId?: string;
  /** How long a controller may still apply the command, seconds. */
  expirySeconds?: number;
  retry?: Partial<RetryPolicy>;
  /** Send even when the plan equals the active, pending or last rejected one (an operator's re-push). */
  force?: boolean;
  /** Passed to `validatePlan`, e.g. a yellow range. */
  validation?: ValidatePlanOptions;
}

/**
 * `sent`: published; `held`: the controller is offline, sent when it is back; `unchanged`: the plan
 * equals the one pending or running; `previously-rejected`: the controller refused this very plan
 * last time (as invalid, not as expired or stale); `invalid`: it fails validation, not sent.
 */
export type DeployOutcome = 'sent' | 'held' | 'unchanged' | 'previously-rejected' | 'invalid';

/** The alarm raised when the engine itself refuses to send a plan. */
export const PLAN_INVALID = 'plan.invalid';

/**
 * Deploys a plan to one controller. The plan is validated against the site's signal; an invalid
 * one is never sent (alarm `plan.invalid` with the problem codes). A plan equal to the one pending,
 * or to the one running when nothing is pending, is not sent again. Otherwise it becomes a command
 * with the site's next version (never reused), a correlation id made from engine, site and version
 * (deterministic), an expiry and a `replyTo`, and replaces any command still pending. The result
 * topic is the site's own (`tsc/{zone}/{site}/result/tlc.plan.set`), the one a controller's rights
 * allow it to publish on.
 *
 * @throws {DeploymentError} for a bad `now`, site or option.
 * @example
 * const { state, actions, outcome } = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), {
 *   now: Date.parse('2026-11-28T07:00:00Z'), signal: fourLegSignal(), zone: 'zz', engineId: 'engine-1',
 * });
 * outcome; // => 'sent'
 * actions[0]; // => { type: 'publish', topic: 'tsc/zz/J1/command/tlc.plan.set', qos: 1, retain: false,
 *             //      expirySeconds: 60, correlationId: 'engine-1:J1:v1', payload: { version: 1, … } }
 */
export function deployPlan(
  state: DeploymentState,
  site: string,
  plan: TimingPlan,
  {
    now,
    signal,
    zone,
    engineId = 'engine',
    expirySeconds = 60,
    retry,
    force = false,
    validation,
  }: DeployPlanOptions,
): DeploymentStep & { outcome: DeployOutcome } {
  checkNow('deployPlan', now);
  checkSite('deployPlan', site);
  checkSite('deployPlan', zone, 'zone');
  checkSite('deployPlan', engineId, 'engineId');
  const policy = retryPolicy('deployPlan', retry);
  if (!(expirySeconds > 0) || !Number.isFinite(expirySeconds)) {
    throw new DeploymentError(
      'INVALID_OPTION',
      `deployPlan: expirySeconds must be seconds > 0, e.g. 60; got ${expirySeconds}`,
    );
  }
  const expired = expirePending({ ...siteOf(state, site, now), zone }, now);
  const step = decide(state, expired.record, plan, {
    now,
    engineId,
    expirySeconds,
    policy,
    force,
    signal,
    validation,
  });
  return { ...step, actions: [...expired.actions, ...step.actions] };
}

/** A pending command past its expiry is given up first: a plan equal to it must be sent anew. */
function expirePending(
  record: SiteDeployment,
  now: number,
): { record: SiteDeployment; actions: ControllerAction[] } {
  const pending = record.pending;
  if (pending === undefined || now < timeMs(pending.expiresAt)) return { record, actions: [] };
  return giveUp(record, pending, now, `it expired at ${pending.expiresAt}`);
}

/** The options `decide` needs, with the defaults filled in and checked. */
type Settings = Required<
  Pick<DeployPlanOptions, 'now' | 'signal' | 'engineId' | 'expirySeconds' | 'force'>
> & {
  policy: RetryPolicy;
  validation: ValidatePlanOptions | undefined;
};

function decide(
  state: DeploymentState,
  record: SiteDeployment,
  plan: TimingPlan,
  { now, engineId, expirySeconds, policy, force, signal, validation }: Settings,
): DeploymentStep & { outcome: DeployOutcome } {
  const site = record.site;
  const zone = record.zone ?? '';
  const planProblems = validatePlan(plan, signal, validation).map((problem) => problem.code);
  if (planProblems.length > 0) return refuseInvalid(state, record, plan, planProblems, now);
  const version = record.lastVersion + 1;
  const command = planCommandPayload(plan, {
    correlationId: `${engineId}:${site}:v${version}`,
    version,
    expiresAt: isoTime(now + expirySeconds * 1000),
    replyTo: siteTopic({ zone, site, kind: 'result', code: 'tlc.plan.set' }),
  });
  const schemaProblems = payloadSchemaProblems(command);
  if (schemaProblems.length > 0) {
    return refuseInvalid(state, record, plan, ['COMMAND_SCHEMA'], now, schemaProblems);
  }

  const valid = setAlarm(record, PLAN_INVALID, false, {
    reason: `plan ${plan.id} is valid`,
    now,
  });
  const content = planContent(plan);
  const reference = record.pending?.command ?? record.active;
  if (!force && reference !== undefined && samePlanContent(reference, content)) {
    const where = record.pending ? 'pending' : 'running';
    const log = siteLog('debug', `plan ${plan.id} is ${where} already: not sent again`, site, {
      planId: plan.id,
      version: record.pending?.version ?? record.active?.version,
    });
    return skip(state, valid, [log], 'unchanged');
  }
  if (!force && record.lastRejected && samePlanContent(record.lastRejected.content, content)) {
    const log = siteLog('info', `plan ${plan.id} was rejected before: not sent again`, site, {
      planId: plan.id,
      reason: record.lastRejected.reason,
    });
    return skip(state, valid, [log], 'previously-rejected');
  }
  return send(state, valid.record, command, now, policy, valid.actions);
}

function refuseInvalid(
  state: DeploymentState,
  record: SiteDeployment,
  plan: TimingPlan,
  problems: string[],
  now: number,
  details: string[] = [],
): DeploymentStep & { outcome: DeployOutcome } {
  const codes = [...new Set(problems)];
  const why = [codes.join(', '), ...details].join('; ');
  const reason = `plan ${plan.id} for ${record.site} is invalid (${why}): not sent`;
  const values = { planId: plan.id, problems: codes, ...(details.length ? { details } : {}) };
  const alarm = setAlarm(record, PLAN_INVALID, true, { reason, now, values, repeat: true });
  const log = siteLog('warn', reason, record.site, values);
  return {
    state: withSite(state, alarm.record),
    actions: [...alarm.actions, log],
    outcome: 'invalid',
  };
}

function skip(
  state: DeploymentState,
  valid: { record: SiteDeployment; actions: ControllerAction[] },
  logs: ControllerAction[],
  outcome: DeployOutcome,
): DeploymentStep & { outcome: DeployOutcome } {
  return { state: withSite(state, valid.record), actions: [...valid.actions, ...logs], outcome };
}

function send(
  state: DeploymentState,
  record: SiteDeployment,
  command: PendingCommand['command'],
  now: number,
  policy: RetryPolicy,
  actions: ControllerAction[],
): DeploymentStep & { outcome: DeployOutcome } {
  const site = record.site;
  const zone = record.zone ?? '';
  const superseded = record.pending;
  const base = superseded ? withHistory(record, finished(superseded, 'superseded', now)) : record;
  const held: PendingCommand = {
    correlationId: command.correlationId,
    planId: command.planId,
    version: command.version,
    topic: siteTopic({ zone, site, kind: 'command', code: 'tlc.plan.set' }),
    command,
    sentAt: isoTime(now),
    attempts: 0,
    nextAttemptAt: isoTime(now),
    expiresAt: command.expiresAt,
  };
  const fields = {
    planId: command.planId,
    version: command.version,
    correlationId: command.correlationId,
    ...(superseded ? { supersedes: superseded.version } : {}),
  };
  if (isAway(record.presence.state)) {
    const next = { ...base, lastVersion: command.version, pending: held };
    const log = siteLog(
      'info',
      `plan ${command.planId} v${command.version} held: the controller is ${record.presence.state}`,
      site,
      fields,
    );
    return { state: withSite(state, next), actions: [...actions, log], outcome: 'held' };
  }
  const { pending, action } = publishPending(held, now, policy);
  const next = { ...base, lastVersion: command.version, pending };
  const log = siteLog('info', `plan ${command.planId} v${command.version} sent`, site, fields);
  return { state: withSite(state, next), actions: [...actions, action, log], outcome: 'sent' };
}
