// Coded errors for a caller's mistakes when starting a simulation.
import { CodedError } from '../src/coded-error.ts';

export type SimulationErrorCode =
  'BAD_OPTIONS' | 'UNKNOWN_LINK' | 'ROUTE_NOT_CONNECTED' | 'MISSING_PLAN' | 'EMPTY_ROUTE';

/**
 * A caller's mistake in `simulate`: the message starts with `simulate:` and says how to fix it.
 *
 * @example
 * new SimulationError('UNKNOWN_LINK', 'simulate: vehicle v1 …').code // => 'UNKNOWN_LINK'
 */
export class SimulationError extends CodedError<SimulationErrorCode> {}
