// tick: commands without an answer are sent again with backoff, or given up with an alarm.
import type { ControllerAction } from './actions.ts';
import { timeMs } from './actions.ts';
import { isAway, publishPending, retryPolicy, type RetryPolicy } from './command-delivery.ts';
import { giveUp } from './deployment-events.ts';
import {
  checkNow,
  siteLog,
  withSite,
  type DeploymentState,
  type DeploymentStep,
  type PendingCommand,
  type SiteDeployment,
} from './deployment-state.ts';

/**
 * Moves every pending command on to `now`. Past its expiry a command is given up (`plan.no-answer`),
 * since a controller would refuse it anyway. A controller that is offline or shut down is not sent
 * anything (its retries pause; `onPresence` resumes them). When a command's wait is over it is
 * published again, identical (same version, correlation id and payload), and the next wait is
 * longer (`retryDelaySeconds`); after the last attempt's wait it is given up. Call it whenever
 * `nextDeadline` falls due, or on a steady beat.
 *
 * @example
 * const later = tick(state, Date.parse('2026-11-28T07:00:05Z'));
 * later.actions[0]; // => { type: 'publish', …, correlationId: 'engine-1:J1:v1' } (the same command again)
 */
export function tick(
  state: DeploymentState,
  now: number,
  { retry }: { retry?: Partial<RetryPolicy> } = {},
): DeploymentStep {
  checkNow('tick', now);
  const policy = retryPolicy('tick', retry);
  return Object.values(state.sites).reduce<DeploymentStep>(
    (step, record) => {
      const moved = tickSite(record, now, policy);
      if (moved === undefined) return step;
      return {
        state: withSite(step.state, moved.record),
        actions: [...step.actions, ...moved.actions],
      };
    },
    { state, actions: [] },
  );
}

function tickSite(
  record: SiteDeployment,
  now: number,
  policy: RetryPolicy,
): { record: SiteDeployment; actions: ControllerAction[] } | undefined {
  const pending = record.pending;
  if (pending === undefined) return undefined;
  if (now >= timeMs(pending.expiresAt)) {
    const where = isAway(record.presence.state) ? ' while the controller was away' : '';
    return giveUp(record, pending, now, `it expired at ${pending.expiresAt}${where}`);
  }
  if (isAway(record.presence.state) || now < timeMs(pending.nextAttemptAt)) return undefined;
  if (pending.attempts >= policy.maxAttempts) {
    return giveUp(
      record,
      pending,
      now,
      `the last attempt's wait ended at ${pending.nextAttemptAt}`,
    );
  }
  return retried(record, pending, now, policy);
}

function retried(
  record: SiteDeployment,
  pending: PendingCommand,
  now: number,
  policy: RetryPolicy,
): { record: SiteDeployment; actions: ControllerAction[] } {
  const sent = publishPending(pending, now, policy);
  const log = siteLog(
    'info',
    `no answer yet: plan ${pending.planId} v${pending.version} sent again (attempt ${sent.pending.attempts})`,
    record.site,
    { correlationId: pending.correlationId, nextAttemptAt: sent.pending.nextAttemptAt },
  );
  return { record: { ...record, pending: sent.pending }, actions: [sent.action, log] };
}

/**
 * The earliest time, ms since the epoch, at which `tick` has something to do: a retry or an
 * expiry; undefined when nothing is pending. Commands to an absent controller only expire.
 *
 * @example
 * nextDeadline(state); // => Date.parse('2026-11-28T07:00:05Z') five seconds after a first send
 */
export function nextDeadline(state: DeploymentState): number | undefined {
  const times = Object.values(state.sites).flatMap(({ pending, presence }) => {
    if (pending === undefined) return [];
    const expiry = timeMs(pending.expiresAt);
    return isAway(presence.state) ? [expiry] : [Math.min(expiry, timeMs(pending.nextAttemptAt))];
  });
  return times.length === 0 ? undefined : Math.min(...times);
}
