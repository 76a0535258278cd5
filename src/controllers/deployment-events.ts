// What controllers tell the engine: results of plan commands, presence, the plan they run.
import type { ControllerAction } from './actions.ts';
import { isoTime, timeMs } from './actions.ts';
import { publishPending, retryPolicy, type RetryPolicy } from './command-delivery.ts';
import {
  checkNow,
  checkSite,
  clearAlarms,
  finished,
  setAlarm,
  siteLog,
  siteOf,
  withHistory,
  withoutPending,
  withSite,
  type DeploymentState,
  type DeploymentStep,
  type PendingCommand,
  type SiteDeployment,
} from './deployment-state.ts';
import type { ActivePlanPayload, PlanResultPayload, PresencePayload } from './payloads.ts';
import { contentOf, samePlanContent } from './plan-payloads.ts';
import { refusesThePlan } from './plan-results.ts';

/** Raised when a controller refuses a plan; it keeps running its previous one. */
export const PLAN_REJECTED = 'plan.rejected';
/** Raised when a command got no answer after its last attempt or before its expiry. */
export const PLAN_NO_ANSWER = 'plan.no-answer';
/** Raised while a controller's presence is `offline` (its Last Will). */
export const CONTROLLER_OFFLINE = 'controller.offline';

/**
 * Handles a `result/tlc.plan.set` from a site. `applied`: the command's plan becomes the site's
 * active plan and the pending command is done. `rejected`: alarm `plan.rejected` with the reason;
 * the engine keeps the previous plan as the active one and does not send this plan again (see
 * `deployPlan`). A result whose correlation id is not the pending command's (late, duplicate,
 * another engine's) is logged and ignored.
 *
 * @example
 * onResult(state, 'J1', { correlationId: 'engine-1:J1:v1', status: 'applied' }, now).state.sites.J1.active?.version; // => 1
 */
export function onResult(
  state: DeploymentState,
  site: string,
  payload: PlanResultPayload,
  now: number,
): DeploymentStep {
  checkNow('onResult', now);
  const record = state.sites[site];
  const pending = record?.pending;
  if (record === undefined || pending?.correlationId !== payload.correlationId) {
    return { state, actions: [strayResult(record, site, payload)] };
  }
  return payload.status === 'applied'
    ? applied(state, record, pending, now, 'result')
    : rejected(state, record, pending, payload.reason ?? 'no reason given', now);
}

function strayResult(
  record: SiteDeployment | undefined,
  site: string,
  payload: PlanResultPayload,
): ControllerAction {
  const known = [...(record?.history ?? [])]
    .reverse()
    .find((entry) => entry.correlationId === payload.correlationId);
  const fields = { correlationId: payload.correlationId, status: payload.status };
  if (known === undefined) {
    return siteLog('warn', 'result with an unknown correlation id: ignored', site, fields);
  }
  return siteLog(
    'info',
    `late or repeated result for plan ${known.planId} v${known.version}, already ${known.outcome}: ignored`,
    site,
    fields,
  );
}

function applied(
  state: DeploymentState,
  record: SiteDeployment,
  pending: PendingCommand,
  now: number,
  source: 'result' | 'status',
  appliedAt = isoTime(now),
): DeploymentStep {
  const active: ActivePlanPayload = {
    ...contentOf(pending.command),
    version: pending.version,
    appliedAt,
  };
  const done = withHistory(
    { ...withoutPending(record), active },
    finished(pending, 'applied', now),
  );
  const reason = `plan ${pending.planId} v${pending.version} applied`;
  const cleared = clearAlarms(done, [PLAN_REJECTED, PLAN_NO_ANSWER], reason, now);
  const log = siteLog(
    'info',
    source === 'result' ? reason : `${reason} (seen in its status)`,
    record.site,
    {
      ...commandFields(pending),
      attempts: pending.attempts,
    },
  );
  return { state: withSite(state, cleared.record), actions: [...cleared.actions, log] };
}

function rejected(
  state: DeploymentState,
  record: SiteDeployment,
  pending: PendingCommand,
  reason: string,
  now: number,
): DeploymentStep {
  // Only a refusal of the plan itself blocks sending it again; an expired or stale delivery does not.
  const refused = refusesThePlan(reason)
    ? {
        lastRejected: {
          version: pending.version,
          reason,
          at: isoTime(now),
          content: contentOf(pending.command),
        },
      }
    : {};
  const done = withHistory(
    { ...withoutPending(record), ...refused },
    finished(pending, 'rejected', now, reason),
  );
  const running = record.active ? `v${record.active.version}` : 'its previous plan';
  const message = `plan ${pending.planId} v${pending.version} rejected by ${record.site} (${reason}); it keeps ${running}`;
  const alarm = setAlarm(done, PLAN_REJECTED, true, {
    reason: message,
    now,
    values: commandFields(pending),
    repeat: true,
  });
  const log = siteLog('warn', message, record.site, {
    ...commandFields(pending),
    reason,
  });
  return { state: withSite(state, alarm.record), actions: [...alarm.actions, log] };
}

export interface SiteEventOptions {
  /** The site's zone, from the topic: alarms name it. */
  zone?: string;
  retry?: Partial<RetryPolicy>;
}

/**
 * Handles a site's `presence` (retained; `offline` is its Last Will). Going `offline` raises
 * `controller.offline` and pauses retries; `shutdown` pauses them quietly. Coming back `online`
 * clears the alarm and sends the pending command again at once, unless it has expired (then
 * `plan.no-answer`). A repeated state (the retained message again) changes nothing.
 *
 * @example
 * onPresence(state, 'J1', { state: 'offline', ts: '2026-11-28T07:00:00Z' }, now).actions[0].code; // => 'controller.offline'
 */
export function onPresence(
  state: DeploymentState,
  site: string,
  payload: PresencePayload,
  now: number,
  { zone, retry }: SiteEventOptions = {},
): DeploymentStep {
  checkNow('onPresence', now);
  checkSite('onPresence', site);
  const policy = retryPolicy('onPresence', retry);
  const known = siteOf(state, site, now);
  const record = zone === undefined ? known : { ...known, zone };
  const previous = record.presence.state;
  if (payload.state === previous) {
    return { state: withSite(state, record), actions: [] };
  }
  const moved: SiteDeployment = {
    ...record,
    presence: { state: payload.state, since: isoTime(now) },
  };
  const fields = { from: previous, to: payload.state, reportedAt: payload.ts };
  if (payload.state === 'offline') {
    const alarm = setAlarm(moved, CONTROLLER_OFFLINE, true, {
      reason: `controller ${site} is offline (Last Will)`,
      now,
    });
    const log = siteLog('warn', `controller is offline${pausing(moved)}`, site, fields);
    return { state: withSite(state, alarm.record), actions: [...alarm.actions, log] };
  }
  if (payload.state === 'shutdown') {
    const log = siteLog('info', `controller shut down${pausing(moved)}`, site, fields);
    return { state: withSite(state, moved), actions: [log] };
  }
  const cleared = setAlarm(moved, CONTROLLER_OFFLINE, false, {
    reason: `controller ${site} is online`,
    now,
  });
  const log = siteLog('info', 'controller is online', site, fields);
  const resent = resendOnReturn(cleared.record, now, policy);
  return {
    state: withSite(state, resent.record),
    actions: [...cleared.actions, log, ...resent.actions],
  };
}

function pausing(record: SiteDeployment): string {
  return record.pending ? `: command v${record.pending.version} waits until it is back` : '';
}

function resendOnReturn(
  record: SiteDeployment,
  now: number,
  policy: RetryPolicy,
): { record: SiteDeployment; actions: ControllerAction[] } {
  const pending = record.pending;
  if (pending === undefined) return { record, actions: [] };
  if (now >= timeMs(pending.expiresAt)) {
    return giveUp(
      record,
      pending,
      now,
      `it expired at ${pending.expiresAt} while the controller was away`,
    );
  }
  const sent = publishPending(pending, now, policy);
  const log = siteLog(
    'info',
    `plan ${pending.planId} v${pending.version} sent again on return`,
    record.site,
    {
      correlationId: pending.correlationId,
      attempts: sent.pending.attempts,
    },
  );
  return { record: { ...record, pending: sent.pending }, actions: [sent.action, log] };
}

/**
 * Ends a pending command without an answer: history `no-answer`, alarm `plan.no-answer`. The
 * engine's active plan stays what the controller last reported.
 */
export function giveUp(
  record: SiteDeployment,
  pending: PendingCommand,
  now: number,
  why: string,
): { record: SiteDeployment; actions: ControllerAction[] } {
  const done = withHistory(withoutPending(record), finished(pending, 'no-answer', now, why));
  const message = `no answer to plan ${pending.planId} v${pending.version} after ${pending.attempts} attempt(s): ${why}`;
  const alarm = setAlarm(done, PLAN_NO_ANSWER, true, {
    reason: message,
    now,
    values: commandFields(pending),
    repeat: true,
  });
  const log = siteLog('warn', message, record.site, { correlationId: pending.correlationId });
  return { record: alarm.record, actions: [...alarm.actions, log] };
}

/**
 * Handles a site's retained `status/tlc.plan`: what the controller really runs. The engine takes
 * it as the site's active plan (also after an engine restart, when the broker replays it), logs a
 * mismatch with what it believed, and never issues a version at or below the reported one. A
 * report of the pending command's plan and version counts as its `applied` result (the result was
 * lost); a report of a newer version ends the pending command as `overtaken`.
 *
 * @example
 * onActivePlan(createDeploymentState(), 'J1', activePlanPayload(plan, { version: 7, appliedAt }), now)
 *   .state.sites.J1.lastVersion; // => 7
 */
export function onActivePlan(
  state: DeploymentState,
  site: string,
  payload: ActivePlanPayload,
  now: number,
  { zone }: SiteEventOptions = {},
): DeploymentStep {
  checkNow('onActivePlan', now);
  checkSite('onActivePlan', site);
  const known = siteOf(state, site, now);
  const record = zone === undefined ? known : { ...known, zone };
  const pending = record.pending;
  if (
    pending !== undefined &&
    payload.version === pending.version &&
    samePlanContent(payload, pending.command)
  ) {
    return applied(state, record, pending, now, 'status', payload.appliedAt);
  }
  const believed = record.active;
  const reported: ActivePlanPayload = {
    ...contentOf(payload),
    version: payload.version,
    appliedAt: payload.appliedAt,
  };
  const updated: SiteDeployment = {
    ...record,
    active: reported,
    lastVersion: Math.max(record.lastVersion, payload.version),
  };
  const actions: ControllerAction[] = [activePlanLog(site, believed, reported)];
  if (pending === undefined || payload.version < pending.version) {
    return { state: withSite(state, updated), actions };
  }
  const overtaken = withHistory(
    withoutPending(updated),
    finished(pending, 'overtaken', now, `the controller runs v${payload.version}`),
  );
  actions.push(
    siteLog(
      'warn',
      `pending plan ${pending.planId} v${pending.version} dropped: the controller runs v${payload.version}`,
      site,
      { correlationId: pending.correlationId },
    ),
  );
  return { state: withSite(state, overtaken), actions };
}

function activePlanLog(
  site: string,
  believed: ActivePlanPayload | undefined,
  reported: ActivePlanPayload,
): ControllerAction {
  const fields = {
    planId: reported.planId,
    version: reported.version,
    appliedAt: reported.appliedAt,
  };
  if (believed === undefined) {
    return siteLog(
      'info',
      `controller runs plan ${reported.planId} v${reported.version}`,
      site,
      fields,
    );
  }
  if (believed.version === reported.version && samePlanContent(believed, reported)) {
    return siteLog(
      'debug',
      `controller confirms plan ${reported.planId} v${reported.version}`,
      site,
      fields,
    );
  }
  return siteLog(
    'warn',
    `controller runs plan ${reported.planId} v${reported.version}, the engine believed ${believed.planId} v${believed.version}`,
    site,
    { ...fields, believedPlanId: believed.planId, believedVersion: believed.version },
  );
}

/** The fields that name a command in alarms and logs. */
function commandFields({ planId, version, correlationId }: PendingCommand) {
  return { planId, version, correlationId };
}
