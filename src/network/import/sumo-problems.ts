// Problem tables for the SUMO readers: each problem written once, as its code, message and fix.
import type { InputErrorCode, ProblemList } from '../errors.ts';

/** A problem's code, what is wrong and how to fix it. */
export type ProblemText = readonly [code: InputErrorCode, message: string, fix: string];

/** The problems one reader reports, by kind, each filling its text in from its details. */
export type ProblemTable = Record<string, (...details: never[]) => ProblemText>;

/**
 * The `report` function of a problem table: it adds the problem `kind` at `where` to `problems`,
 * its message and fix filled in from `details`.
 *
 * @example
 * const report = problemReporter({
 *   noLanes: () => ['LINK_WITHOUT_LANES', 'has no <lane>.', 'Give the edge a <lane>.'],
 * });
 * report(problems, 'noLanes', 'edge id="E1"');
 * // problems.problems.at(-1): { code: 'LINK_WITHOUT_LANES', element: 'edge id="E1"', … }
 */
export function problemReporter<Table extends ProblemTable>(table: Table) {
  return <Kind extends keyof Table>(
    problems: ProblemList,
    kind: Kind,
    where: string,
    ...details: Parameters<Table[Kind]>
  ): void => {
    const text = table[kind] as (...details: Parameters<Table[Kind]>) => ProblemText;
    const [code, message, fix] = text(...details);
    problems.add(code, where, message, fix);
  };
}
