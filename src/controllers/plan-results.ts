// The reasons a controller gives for refusing a plan command: a code first, then the detail.

/** Why a controller refuses a command; the first word of the result's `reason`. */
export type RejectionCode = 'stale-version' | 'expired' | 'invalid-plan';

const CODES: readonly string[] = ['stale-version', 'expired', 'invalid-plan'];

/**
 * A result `reason`: the code, a colon, the detail; at most 1000 characters (the schema's limit).
 *
 * @example
 * rejectionReason('expired', 'expiresAt … is not after …'); // => 'expired: expiresAt … is not after …'
 */
export function rejectionReason(code: RejectionCode, detail: string): string {
  return `${code}: ${detail}`.slice(0, 1000);
}

/**
 * The refusal code at the start of a result's reason, when it is one of ours.
 *
 * @example
 * rejectionCode('expired: expiresAt … is not after …'); // => 'expired'
 * rejectionCode('too busy'); // => undefined
 */
export function rejectionCode(reason: string | undefined): RejectionCode | undefined {
  const code = reason?.split(':', 1)[0];
  return code !== undefined && CODES.includes(code) ? (code as RejectionCode) : undefined;
}

/**
 * Whether a refusal is about the plan itself, so the same plan would be refused again: true for
 * `invalid-plan` and for reasons from other controllers that the engine cannot read; false for
 * `expired` and `stale-version`, which are about the delivery and say nothing against the plan.
 *
 * @example
 * refusesThePlan('invalid-plan: GREEN_BELOW_MINIMUM; …'); // => true
 * refusesThePlan('expired: …'); // => false
 */
export function refusesThePlan(reason: string | undefined): boolean {
  const code = rejectionCode(reason);
  return code === undefined || code === 'invalid-plan';
}
