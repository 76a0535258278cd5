// Reads an intersection's CityFlow traffic light: its light phases, each naming road links that exist.
import type { ProblemList } from '../errors.ts';
import type { CityflowLightPhase, CityflowTrafficLight } from './cityflow-types.ts';
import { index, list, positive, shown, type Fields } from './json-fields.ts';

/** The traffic light of an intersection with `roadLinkCount` road links. */
export function readTrafficLight(
  fields: Fields,
  roadLinkCount: number,
): CityflowTrafficLight | undefined {
  const { element, problems } = fields;
  const indices = fields.optional('roadLinkIndices', list);
  const roadLinkIndices =
    indices && readRoadLinkIndices(indices, `${element}.roadLinkIndices`, roadLinkCount, problems);
  const lightphases = fields.each('lightphases', (phase) => readLightPhase(phase, roadLinkCount));
  if (!lightphases || (indices && !roadLinkIndices)) return undefined;
  return { ...(roadLinkIndices ? { roadLinkIndices } : {}), lightphases };
}

function readLightPhase(fields: Fields, roadLinkCount: number): CityflowLightPhase | undefined {
  const time = fields.required('time', positive);
  const values = fields.required('availableRoadLinks', list);
  const availableRoadLinks =
    values &&
    readRoadLinkIndices(
      values,
      `${fields.element}.availableRoadLinks`,
      roadLinkCount,
      fields.problems,
    );
  return time === undefined || !availableRoadLinks ? undefined : { time, availableRoadLinks };
}

/** Road link indices, each checked against the intersection's road links; duplicates dropped. */
function readRoadLinkIndices(
  values: unknown[],
  element: string,
  roadLinkCount: number,
  problems: ProblemList,
): number[] | undefined {
  const bad = values
    .map((value, position) => ({ value, position }))
    .filter(({ value }) => !index.test(value) || value >= roadLinkCount);
  for (const { value, position } of bad) {
    problems.add(
      'UNKNOWN_SIGNAL_GROUP',
      `${element}[${position}]`,
      `is ${shown(value)}, but the intersection has road links 0 to ${roadLinkCount - 1}.`,
      'Name road links by their index in the intersection\'s "roadLinks" array.',
    );
  }
  return bad.length > 0 ? undefined : [...new Set(values.filter(index.test))];
}
