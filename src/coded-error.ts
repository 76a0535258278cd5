// The shape of a caller's-mistake error with a stable code, shared by the core's modules.

/**
 * A caller's mistake with a stable `code` (tests check codes, not text); the message starts with
 * the function name and says how to fix it. Modules subclass it to name their own codes.
 *
 * @example
 * class TimeOfDayError extends CodedError<'EMPTY_PROFILE'> {}
 * new TimeOfDayError('EMPTY_PROFILE', 'dayPeriods: …').code // => 'EMPTY_PROFILE'
 */
export class CodedError<Code extends string> extends RangeError {
  readonly code: Code;

  constructor(code: Code, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}
