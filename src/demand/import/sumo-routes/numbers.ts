// Numbers and times in route file attributes, read as SUMO reads them, each bad one a problem.
import type { ProblemList } from '../../../network/errors.ts';
import {
  checkedNumber,
  parseDecimal,
  type NumberRule,
  type XmlElement,
} from '../../../network/import/sumo-xml.ts';
import { report } from './problems.ts';

/** SUMO's default flow duration when neither the flow nor the run gives an end. */
export const DAY = 24 * 3600;

export const TIME: NumberRule = { test: (v) => v >= 0, requirement: 'a time of 0 s or later' };
export const POSITIVE: NumberRule = { test: (v) => v > 0, requirement: 'a number greater than 0' };
export const NON_NEGATIVE: NumberRule = {
  test: (v) => v >= 0,
  requirement: 'a number of 0 or more',
};
export const PROBABILITY: NumberRule = {
  test: (v) => v > 0 && v <= 1,
  requirement: 'a probability per second above 0 and at most 1',
};

/** SUMO times: seconds (`25200.5`) or clock time `[D:]HH:MM:SS`. */
export function parseTime(text: string): number | undefined {
  const parts = text.split(':');
  if (parts.length === 1) return parseDecimal(text);
  if (parts.length > 4) return undefined;
  const unitSeconds = [DAY, 3600, 60, 1].slice(4 - parts.length);
  let seconds = 0;
  for (const [index, part] of parts.entries()) {
    const value = parseDecimal(part);
    if (value === undefined || value < 0) return undefined;
    seconds += value * (unitSeconds[index] ?? 0);
  }
  return seconds;
}

/** SUMO keeps time in whole milliseconds. */
export function roundToMilliseconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** The attribute as a number obeying `rule`; undefined when absent, or bad (then a problem). */
export function readNumber(
  element: XmlElement,
  name: string,
  where: string,
  rule: NumberRule,
  problems: ProblemList,
  parse: (text: string) => number | undefined = parseDecimal,
): number | undefined {
  const reportBad = (text: string) =>
    report(problems, 'badNumber', `${where} ${name}`, name, text, rule.requirement);
  return checkedNumber(element.attributes[name], rule, reportBad, parse);
}

/** A time attribute (`begin`, `end`) in seconds; undefined when absent, or bad (then a problem). */
export function readTime(
  element: XmlElement,
  name: string,
  where: string,
  problems: ProblemList,
): number | undefined {
  return readNumber(element, name, where, TIME, problems, parseTime);
}
