// `greenwave bandwidth`: reads a corridor JSON file and prints its MAXBAND bands, cycle and offsets.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputFileError, type InputErrorCode } from '../network/errors.ts';
import { bandwidthOutcome, corridorProblems } from '../optimize/bandwidth.ts';
import type { BandwidthResult, Corridor } from '../optimize/corridor.ts';
import { timeSpaceSvg } from '../analysis/time-space-svg.ts';
import { timeSpaceDiagram } from '../analysis/time-space.ts';
import { UsageError, type Output } from './args.ts';

export interface BandwidthCommandOptions {
  corridor?: string;
  /** Accepted for symmetry with `inspect`: the result is always JSON. */
  json?: boolean;
  /** Writes the time–space diagram of the result as SVG to this file. */
  svg?: string;
}

/**
 * Reads the corridor, maximizes its two-way bandwidth and prints the result: JSON with `--json`,
 * a short table otherwise. Returns the exit code.
 *
 * @throws {UsageError} without `--corridor`.
 * @throws {InputFileError} when the file cannot be read, is not JSON, has bad or missing fields
 * (code `PARSE_FAILED`, `BAD_VALUE` or `MISSING_ATTRIBUTE`, naming the field), or admits no band.
 * @example
 * await bandwidth({ corridor: 'fixtures/corridors/equal-spacing-half-cycle-travel.json', json: true }, output)
 * // => 0, and output.out receives { "cycle": 80, "bandwidth": { "outbound": 40, "inbound": 40 }, … }
 */
export async function bandwidth(options: BandwidthCommandOptions, output: Output): Promise<number> {
  if (!options.corridor) throw new UsageError('--corridor FILE is required');
  const file = options.corridor;
  const corridor = await loadCorridor(file);
  const outcome = await bandwidthOutcome(corridor);
  if (outcome.status === 'infeasible') {
    const index = corridor.signals.findIndex((signal) => signal.id === outcome.signal);
    throw new InputFileError(file, [
      {
        code: 'BAD_VALUE',
        element: index >= 0 ? `signals[${index}].queueClearance` : 'corridor',
        message: `admits no progression band [${outcome.code}]: ${outcome.message}`,
        fix: 'Widen the cycle range or relax the constraint named.',
      },
    ]);
  }
  // The stable interface prints JSON; people get the summary on stderr.
  output.out(`${JSON.stringify(outcome.result, null, 2)}\n`);
  output.err(describe(outcome.result));
  if (options.svg) {
    const title = `Time–space diagram: ${basename(file)}`;
    await writeFile(
      options.svg,
      timeSpaceSvg(timeSpaceDiagram(corridor, outcome.result), { title }),
    );
    output.err(`greenwave bandwidth: wrote ${options.svg}\n`);
  }
  return 0;
}

/**
 * A corridor from a JSON file, checked field by field.
 *
 * @throws {InputFileError} naming the file and every bad field.
 * @example
 * (await loadCorridor('fixtures/corridors/zhengzhou-jinshui-road.json')).signals.length // => 9
 */
export async function loadCorridor(file: string): Promise<Corridor> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw parseFailed(
      file,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      'Check the path and that the file is readable.',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw parseFailed(
      file,
      `is not valid JSON (${(error as Error).message}).`,
      'Fix the JSON syntax at the position given.',
    );
  }
  const problems = corridorProblems(json);
  if (problems.length > 0) {
    throw new InputFileError(
      file,
      problems.map((problem) => ({
        code: (problem.code === 'MISSING' ? 'MISSING_ATTRIBUTE' : 'BAD_VALUE') as InputErrorCode,
        element: problem.field,
        message: problem.message,
        fix: problem.fix,
      })),
    );
  }
  return json as Corridor;
}

function parseFailed(file: string, message: string, fix: string): InputFileError {
  return new InputFileError(file, [
    { code: 'PARSE_FAILED', element: basename(file), message, fix },
  ]);
}

/** The result as a short table for a terminal. */
function describe(result: BandwidthResult): string {
  const { cycle, bandwidth: band, efficiency } = result;
  const width = Math.max(6, ...result.signals.map((signal) => signal.id.length));
  return [
    `cycle ${cycle} s; bands ${band.outbound} s outbound, ${band.inbound} s inbound; efficiency ${efficiency}`,
    `${'signal'.padEnd(width)}  offset s`,
    ...result.signals.map(({ id, offset }) => `${id.padEnd(width)}  ${offset}`),
    'link speeds, m/s (outbound / inbound):',
    ...result.links.map(
      ({ from, to, outbound, inbound }) => `  ${from} → ${to}: ${outbound} / ${inbound}`,
    ),
    '',
  ].join('\n');
}
