// The engine's coded errors: a caller's mistake (a bad option, an unknown site, a call out of order).
import { CodedError } from '../coded-error.ts';

export type EngineErrorCode =
  'BAD_OPTION' | 'UNKNOWN_SITE' | 'NOT_STARTED' | 'ALREADY_STARTED' | 'BUSY' | 'BAD_PRIOR';

/**
 * A caller's mistake in the engine; the message starts with where it came from and says the fix.
 *
 * @example
 * new EngineError('UNKNOWN_SITE', 'Engine.deployPlan: site X is not a signal of the network').code; // => 'UNKNOWN_SITE'
 */
export class EngineError extends CodedError<EngineErrorCode> {}
