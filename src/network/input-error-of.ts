// Test support: the InputFileError a reader throws, so tests can check its codes and elements.
import { InputFileError } from './errors.ts';

/**
 * Runs `read` and returns the `InputFileError` it throws; throws itself when `read` throws
 * something else or nothing at all.
 *
 * @example
 * inputErrorOf(() => buildNetwork(spec)).code // => 'UNKNOWN_LANE'
 */
export function inputErrorOf(read: () => unknown): InputFileError {
  try {
    read();
  } catch (error) {
    if (error instanceof InputFileError) return error;
    throw error;
  }
  throw new Error('inputErrorOf: expected an InputFileError, but the input was read');
}
