// Reads the attributes of one network element: text, numbers and shapes, each missing or bad one a problem.
import type { ProblemList } from '../errors.ts';
import type { Position } from '../types.ts';
import { report } from './sumo-net-problems.ts';
import { checkedNumber, COUNT, type NumberRule, type XmlElement } from './sumo-xml.ts';

/** Reads the attributes of one element, reporting missing and malformed ones against `label`. */
export interface AttributeReader {
  /** The element as messages name it, e.g. `edge id="E1"`. */
  label: string;
  optional(name: string): string | undefined;
  /** A required attribute; empty counts as missing. */
  text(name: string): string | undefined;
  number(name: string, options: { required: boolean; integer?: boolean }): number | undefined;
  shape(name: string): Position[] | undefined;
}

/** A number rule, and how a fix shows a good value. */
interface NumberFormat {
  rule: NumberRule;
  example: string;
}
const ANY_NUMBER: NumberFormat = {
  rule: { test: () => true, requirement: 'a number' },
  example: 'a number, e.g. "13.89"',
};
const WHOLE_NUMBER: NumberFormat = { rule: COUNT, example: 'a whole number, e.g. "0"' };

/**
 * The attribute reader of `element`, its problems reported against `label`.
 *
 * @example
 * const read = attributeReader(lane, 'lane id="E1_0"', problems);
 * read.number('length', { required: true }); // => 190, or undefined with a problem
 */
export function attributeReader(
  element: XmlElement,
  label: string,
  problems: ProblemList,
): AttributeReader {
  const { attributes } = element;
  const text = (name: string): string | undefined => {
    const value = attributes[name];
    if (value !== undefined && value !== '') return value;
    report(problems, 'missingAttribute', label, name);
    return undefined;
  };
  const number = (name: string, options: { required: boolean; integer?: boolean }) => {
    const { rule, example } = options.integer ? WHOLE_NUMBER : ANY_NUMBER;
    const reportBad = (value: string) =>
      report(problems, 'badNumber', label, name, value, rule.requirement, example);
    return checkedNumber(options.required ? text(name) : attributes[name], rule, reportBad);
  };
  const shape = (name: string): Position[] | undefined => {
    const value = attributes[name];
    if (value === undefined) return undefined;
    const points = parseShape(value);
    if (!points) report(problems, 'badShape', label, name, value);
    return points;
  };
  return { label, optional: (name) => attributes[name], text, number, shape };
}

/** SUMO shapes: `x,y[,z] x,y[,z] …`, metres. */
function parseShape(value: string): Position[] | undefined {
  const points = value
    .trim()
    .split(/\s+/)
    .filter((point) => point !== '')
    .map((point) => point.split(',').map(Number));
  const valid = points.every(
    (p) => (p.length === 2 || p.length === 3) && p.every((c) => Number.isFinite(c)),
  );
  return valid ? points.map(([x = 0, y = 0]) => [x, y]) : undefined;
}
