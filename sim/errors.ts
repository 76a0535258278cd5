// Coded errors for a caller's mistakes when starting or steering a simulation.
import { CodedError } from '../src/coded-error.ts';

export type SimulationErrorCode =
  | 'BAD_OPTIONS'
  | 'UNKNOWN_LINK'
  | 'ROUTE_NOT_CONNECTED'
  | 'MISSING_PLAN'
  | 'EMPTY_ROUTE'
  | 'UNKNOWN_SIGNAL'
  | 'BAD_PLAN'
  | 'BAD_DETECTOR';

/**
 * A caller's mistake in `simulate` or `createSimulation`: the message starts with the function's
 * name and says how to fix it.
 *
 * @example
 * new SimulationError('UNKNOWN_LINK', 'simulate: vehicle v1 …').code // => 'UNKNOWN_LINK'
 */
export class SimulationError extends CodedError<SimulationErrorCode> {}
