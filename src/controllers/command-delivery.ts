// Delivering a pending plan command: the retry policy, and the publish each attempt makes.
import { isoTime, timeMs, type PublishAction } from './actions.ts';
import { DeploymentError, type PendingCommand } from './deployment-state.ts';

/** How long the engine waits for an answer before sending a command again, and how often. */
export interface RetryPolicy {
  /** Seconds to wait for an answer to the first publish. */
  firstRetrySeconds: number;
  /** Each further wait is the previous one times this. */
  backoffFactor: number;
  /** No wait grows past this, seconds. */
  maxRetrySeconds: number;
  /** Publishes in all, the first included; no answer after the last → `plan.no-answer`. */
  maxAttempts: number;
}

/** 5 s, 10 s, 20 s, 30 s, 30 s: five publishes. With a 60 s expiry the expiry ends it first. */
export const DEFAULT_RETRY: RetryPolicy = {
  firstRetrySeconds: 5,
  backoffFactor: 2,
  maxRetrySeconds: 30,
  maxAttempts: 5,
};

/**
 * The policy with defaults filled in, checked.
 *
 * @throws {DeploymentError} `INVALID_OPTION` when a field is not a positive number (factor ≥ 1,
 *   attempts a whole number).
 * @example
 * retryPolicy({ maxAttempts: 3 }); // => { firstRetrySeconds: 5, backoffFactor: 2, maxRetrySeconds: 30, maxAttempts: 3 }
 */
export function retryPolicy(name: string, given: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY, ...given };
  const { firstRetrySeconds, backoffFactor, maxRetrySeconds, maxAttempts } = policy;
  const good =
    firstRetrySeconds > 0 &&
    Number.isFinite(firstRetrySeconds) &&
    backoffFactor >= 1 &&
    Number.isFinite(backoffFactor) &&
    maxRetrySeconds >= firstRetrySeconds &&
    Number.isFinite(maxRetrySeconds) &&
    Number.isInteger(maxAttempts) &&
    maxAttempts >= 1;
  if (!good) {
    throw new DeploymentError(
      'INVALID_OPTION',
      `${name}: retry needs firstRetrySeconds > 0, backoffFactor ≥ 1, maxRetrySeconds ≥ firstRetrySeconds ` +
        `and a whole maxAttempts ≥ 1, e.g. ${JSON.stringify(DEFAULT_RETRY)}; got ${JSON.stringify(given)}`,
    );
  }
  return policy;
}

/**
 * Seconds to wait for an answer after publish number `attempts` (1 for the first).
 *
 * @example
 * [1, 2, 3, 4, 5].map((n) => retryDelaySeconds(n, DEFAULT_RETRY)); // => [5, 10, 20, 30, 30]
 */
export function retryDelaySeconds(attempts: number, policy: RetryPolicy): number {
  const delay = policy.firstRetrySeconds * policy.backoffFactor ** Math.max(0, attempts - 1);
  return Math.min(delay, policy.maxRetrySeconds);
}

/**
 * Publishes the pending command once more, unchanged: same version, same correlation id, same
 * payload, so a controller that got it already treats it as a duplicate. The MQTT 5 expiry is what
 * remains of the command's life.
 */
export function publishPending(
  pending: PendingCommand,
  now: number,
  policy: RetryPolicy,
): { pending: PendingCommand; action: PublishAction } {
  const attempts = pending.attempts + 1;
  const remainingSeconds = Math.max(1, Math.ceil((timeMs(pending.expiresAt) - now) / 1000));
  const action: PublishAction = {
    type: 'publish',
    topic: pending.topic,
    payload: pending.command,
    qos: 1,
    retain: false,
    expirySeconds: remainingSeconds,
    ...(pending.command.replyTo === undefined ? {} : { responseTopic: pending.command.replyTo }),
    correlationId: pending.correlationId,
  };
  const nextAttemptAt = isoTime(now + retryDelaySeconds(attempts, policy) * 1000);
  return { pending: { ...pending, attempts, nextAttemptAt }, action };
}

/** Whether the controller is known to be away: commands wait until it is back. */
export function isAway(presence: string): boolean {
  return presence === 'offline' || presence === 'shutdown';
}
