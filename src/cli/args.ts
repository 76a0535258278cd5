// Command-line plumbing shared by the subcommands: output streams, option parsing, usage errors.
import { parseArgs } from 'node:util';

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** A mistake on the command line: exit code 2 with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type OptionTypes = Record<string, 'string' | 'boolean'>;
type Parsed<T extends OptionTypes> = {
  [K in keyof T]?: T[K] extends 'boolean' ? boolean : string;
};

export function parse<T extends OptionTypes>(args: string[], types: T): Parsed<T> {
  try {
    const options = Object.fromEntries(
      Object.entries(types).map(([name, type]) => [name, { type }]),
    );
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Parsed<T>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A number option in seconds, or undefined when absent. */
export function seconds(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed))
    throw new UsageError(`--${name} must be a number of seconds, not "${value}"`);
  return parsed;
}
