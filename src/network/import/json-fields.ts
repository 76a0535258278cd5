// Reads the fields of a parsed JSON file, adding a problem for each one missing or of the wrong kind.
import type { InputErrorCode, ProblemList } from '../errors.ts';

export type JsonObject = { readonly [key: string]: unknown };

/** What a field must be, and how to say so in a message and a fix. */
export interface Expectation<T> {
  test: (value: unknown) => value is T;
  description: string;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

export const text: Expectation<string> = {
  test: (value): value is string => typeof value === 'string' && value.length > 0,
  description: 'a non-empty string',
};
export const finite: Expectation<number> = {
  test: (value): value is number => typeof value === 'number' && Number.isFinite(value),
  description: 'a finite number',
};
export const positive: Expectation<number> = {
  test: (value): value is number => finite.test(value) && value > 0,
  description: 'a number greater than 0',
};
export const nonNegative: Expectation<number> = {
  test: (value): value is number => finite.test(value) && value >= 0,
  description: 'a number of at least 0',
};
export const index: Expectation<number> = {
  test: (value): value is number =>
    Number.isInteger(value) && typeof value === 'number' && value >= 0,
  description: 'a whole number of at least 0',
};
export const flag: Expectation<boolean> = {
  test: (value): value is boolean => typeof value === 'boolean',
  description: 'true or false',
};
export const list: Expectation<unknown[]> = {
  test: (value): value is unknown[] => Array.isArray(value),
  description: 'an array',
};
export const jsonObject: Expectation<JsonObject> = { test: isObject, description: 'an object' };
export const texts: Expectation<string[]> = {
  test: (value): value is string[] => list.test(value) && value.every(text.test),
  description: 'an array of non-empty strings',
};

/** One of a few strings: `oneOf(['left', 'right'])` accepts `"left"` and `"right"`. */
export function oneOf<T extends string>(values: readonly T[]): Expectation<T> {
  return {
    test: (value): value is T => values.some((allowed) => allowed === value),
    description: values.map((allowed) => `"${allowed}"`).join(', '),
  };
}

/** One JSON object of a file, and where its problems go. */
export interface Fields {
  /** How problems name the object: `roads["road_0_1_0"]`, `flows[3]`. */
  readonly element: string;
  readonly problems: ProblemList;
  /** The value of `key` as the file gives it, unchecked: for rules no Expectation can say. */
  raw(key: string): unknown;
  required<T>(key: string, expected: Expectation<T>): T | undefined;
  optional<T>(key: string, expected: Expectation<T>): T | undefined;
  /** A nested object, as fields named `element.key`. */
  object(key: string, presence: 'required' | 'optional'): Fields | undefined;
  /** A required array of objects, each read by `read`; undefined when any of them is bad. */
  each<T>(key: string, read: (fields: Fields) => T | undefined): T[] | undefined;
  /** Adds a problem about the object; returns undefined, for a reader to give up with. */
  problem(code: InputErrorCode, message: string, fix: string): undefined;
}

/** The fields of `value`; undefined, with a problem, when it is not an object. */
export function fieldsOf(
  value: unknown,
  element: string,
  problems: ProblemList,
  fix = 'Write it as a JSON object.',
): Fields | undefined {
  if (isObject(value)) return fieldsIn(value, element, problems);
  problems.add('BAD_VALUE', element, `is ${shown(value)}, not an object.`, fix);
  return undefined;
}

function fieldsIn(from: JsonObject, element: string, problems: ProblemList): Fields {
  const problem = (code: InputErrorCode, message: string, fix: string): undefined => {
    problems.add(code, element, message, fix);
    return undefined;
  };
  const optional = <T>(key: string, expected: Expectation<T>): T | undefined => {
    const value = from[key];
    if (value === undefined) return undefined;
    if (expected.test(value)) return value;
    const { description } = expected;
    return problem(
      'BAD_VALUE',
      `"${key}" is ${shown(value)}, not ${description}.`,
      `Make "${key}" ${description}.`,
    );
  };
  const required = <T>(key: string, expected: Expectation<T>): T | undefined =>
    from[key] === undefined
      ? problem('MISSING_ATTRIBUTE', `has no "${key}".`, `Add "${key}": ${expected.description}.`)
      : optional(key, expected);
  const object = (key: string, presence: 'required' | 'optional'): Fields | undefined => {
    const value = presence === 'required' ? required(key, jsonObject) : optional(key, jsonObject);
    return value && fieldsIn(value, `${element}.${key}`, problems);
  };
  const each = <T>(key: string, read: (fields: Fields) => T | undefined): T[] | undefined => {
    const items = required(key, list)?.map((value, position) => {
      const fields = fieldsOf(value, `${element}.${key}[${position}]`, problems);
      return fields && read(fields);
    });
    return items?.every(isDefined) ? items : undefined;
  };
  const raw = (key: string): unknown => from[key];
  return { element, problems, raw, required, optional, object, each, problem };
}

/** A required id that must name one of `ids`: `noun` says what they are, `code` the problem. */
export function readReference(
  fields: Fields,
  key: string,
  ids: ReadonlySet<string>,
  code: InputErrorCode,
  noun: string,
): string | undefined {
  const id = fields.required(key, text);
  if (id === undefined || ids.has(id)) return id;
  return fields.problem(
    code,
    `"${key}" is "${id}", which is not among the ${noun}s.`,
    `Add ${noun} "${id}" or name one that exists.`,
  );
}

/** A value as it appears in the file, cut short. */
export function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
}
