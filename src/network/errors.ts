// Typed, coded errors for bad input files: each names the file, the element and the fix.

/** Stable codes for problems in network, demand and plan files. Tests check codes, not text. */
export type InputErrorCode =
  | 'FORMAT_UNKNOWN'
  | 'PARSE_FAILED'
  | 'MISSING_ATTRIBUTE'
  | 'DUPLICATE_ID'
  | 'UNKNOWN_INTERSECTION'
  | 'UNKNOWN_LINK'
  | 'UNKNOWN_LANE'
  | 'UNKNOWN_SIGNAL'
  | 'UNKNOWN_SIGNAL_GROUP'
  | 'LINK_WITHOUT_LANES'
  | 'BAD_VALUE'
  | 'STATE_LENGTH_MISMATCH'
  | 'MOVEMENT_NOT_AT_INTERSECTION'
  | 'ROUTE_NOT_CONNECTED'
  | 'NO_ROUTE'
  | 'UNKNOWN_ROUTE'
  | 'UNKNOWN_VEHICLE_TYPE';

export interface InputProblem {
  code: InputErrorCode;
  /** The element at fault, e.g. `connection from="E1" to="E2" fromLane="3"` or `links[4]`. */
  element: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  fix: string;
}

/**
 * Thrown when a file cannot be loaded. Nothing is half-loaded: the caller gets this error or a
 * whole network. `problems` lists every problem found (up to a limit), the message the first ones.
 */
export class InputFileError extends Error {
  readonly code: InputErrorCode;
  readonly file: string;
  readonly problems: InputProblem[];

  constructor(file: string, problems: InputProblem[]) {
    const first = problems[0];
    if (!first) throw new TypeError('InputFileError: give at least one problem');
    const shown = problems.slice(0, 5).map((p) => `  ${p.element}: ${p.message} Fix: ${p.fix}`);
    const more = problems.length > 5 ? [`  … and ${problems.length - 5} more problems`] : [];
    super([`${file}: ${problems.length} problem(s) [${first.code}]`, ...shown, ...more].join('\n'));
    this.name = 'InputFileError';
    this.code = first.code;
    this.file = file;
    this.problems = problems;
  }
}

/** Collects problems while reading a file, then throws them all at once. */
export class ProblemList {
  readonly problems: InputProblem[] = [];

  constructor(readonly file: string) {}

  add(code: InputErrorCode, element: string, message: string, fix: string): void {
    this.problems.push({ code, element, message, fix });
  }

  /** Throws an `InputFileError` when any problem was found. */
  throwIfAny(): void {
    if (this.problems.length > 0) throw new InputFileError(this.file, this.problems);
  }
}
