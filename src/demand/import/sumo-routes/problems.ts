// Every problem the route reader reports, written once: its code, what is wrong and how to fix it.
import type { ProblemList } from '../../../network/errors.ts';
import { problemReporter } from '../../../network/import/sumo-problems.ts';
import type { XmlElement } from '../../../network/import/sumo-xml.ts';

/**
 * Adds the problem `kind` at `where` to `problems`, its message and fix filled in from `details`.
 *
 * @example
 * report(problems, 'unknownEdge', 'vehicle id="v1" route edges', 'ghost');
 * // problems.problems.at(-1): { code: 'UNKNOWN_LINK', element: 'vehicle id="v1" route edges', … }
 */
export const report = problemReporter({
  notXml: (detail: string) => [
    'PARSE_FAILED',
    `The file is not well-formed XML: ${detail}`,
    'Repair the XML at that position (SUMO would refuse the file too).',
  ],
  notRouteFile: () => [
    'FORMAT_UNKNOWN',
    'The root element is not <routes>, so this is not a SUMO route file.',
    'Give a SUMO route file (.rou.xml) whose root element is <routes>.',
  ],
  noId: (tag: string) => ['MISSING_ATTRIBUTE', `<${tag}> has no id.`, 'Give it a unique id.'],
  duplicateId: (kind: string, id: string, siblings: string) => [
    'DUPLICATE_ID',
    `${kind} "${id}" is defined twice.`,
    `Give each ${siblings} its own id.`,
  ],
  badNumber: (name: string, text: string, requirement: string) => [
    'BAD_VALUE',
    `${name}="${text}" is not ${requirement}.`,
    `Give ${name} as ${requirement}.`,
  ],
  badProbabilities: (text: string) => [
    'BAD_VALUE',
    `probabilities="${text}" does not give one number of 0 or more per vType.`,
    'Give one probability per id in vTypes, in the same order, separated by spaces.',
  ],
  noProbableMember: () => [
    'BAD_VALUE',
    'The distribution has no member with a probability above 0.',
    'Give it vTypes with probabilities that are numbers of 0 or more, not all 0.',
  ],
  typeNotAbove: (typeId: string) => [
    'UNKNOWN_VEHICLE_TYPE',
    `vType "${typeId}" is not defined above this distribution.`,
    `Define <vType id="${typeId}"/> before the distribution, or remove it from vTypes.`,
  ],
  unknownType: (typeId: string) => [
    'UNKNOWN_VEHICLE_TYPE',
    `vType "${typeId}" is not defined in this file.`,
    `Define <vType id="${typeId}" vClass="…"/> in the route file, or name a vType it defines.`,
  ],
  unknownRoute: (routeId: string) => [
    'UNKNOWN_ROUTE',
    `route "${routeId}" is not defined in this file.`,
    `Define <route id="${routeId}" edges="…"/> at the top level of the file, or name a route it defines.`,
  ],
  noEdges: () => [
    'MISSING_ATTRIBUTE',
    'The route lists no edges.',
    'Give edges="…" with the edge ids the vehicle drives, separated by spaces.',
  ],
  unknownEdge: (edge: string) => [
    'UNKNOWN_LINK',
    `Edge "${edge}" is not in the network.`,
    `Replace "${edge}" with an edge id from the net file (a non-internal <edge>), or load the net file this route file was made for.`,
  ],
  notConnected: (from: string, to: string) => [
    'ROUTE_NOT_CONNECTED',
    `Edge "${from}" is not connected to edge "${to}".`,
    `Add the edges the vehicle drives between "${from}" and "${to}", or give from/to (a trip) and let the reader route it.`,
  ],
  noRoute: (tag: string) => [
    'MISSING_ATTRIBUTE',
    `<${tag}> has no route.`,
    'Give route="<route id>", a nested <route edges="…"/>, or from and to edge ids (taz and junction origins are not supported).',
  ],
  noPath: (from: string, to: string, through: string) => [
    'NO_ROUTE',
    `No path leads from edge "${from}" to edge "${to}"${through}.`,
    'Pick from/to edges the network connects (check the connections and lane permissions), or give an explicit route.',
  ],
  noDepart: (tag: string) => [
    'MISSING_ATTRIBUTE',
    `<${tag}> has no depart time.`,
    'Give depart="<seconds>".',
  ],
  badDepart: (text: string) => [
    'BAD_VALUE',
    `depart="${text}" is not a departure time in seconds.`,
    'Give depart as seconds (e.g. "25200") or HH:MM:SS; triggered, now and the other symbolic departures have no time to place in the demand window.',
  ],
  conflictingAmounts: () => [
    'BAD_VALUE',
    'The flow gives conflicting amounts.',
    'Give one of period, vehsPerHour or probability, with end or number (not both); or number with end.',
  ],
  noAmount: () => [
    'MISSING_ATTRIBUTE',
    'The flow gives no amount.',
    'Give vehsPerHour, period, probability or number.',
  ],
  endsBeforeBegin: (end: number, begin: number) => [
    'BAD_VALUE',
    `The flow ends (${end} s) before it begins (${begin} s).`,
    'Give an end after begin.',
  ],
  badExponentialPeriod: (period: string) => [
    'BAD_VALUE',
    `period="${period}" is not exp(rate) with a rate in vehicles per second above 0.`,
    'Give period="exp(0.1)" for a Poisson arrival of 0.1 vehicles per second, or a fixed period in seconds.',
  ],
  headwayBelowResolution: (seconds: number) => [
    'BAD_VALUE',
    `The headway ${seconds} s is below SUMO's 1 ms resolution.`,
    'Give a period of at least 0.001 s (vehsPerHour up to 3,600,000).',
  ],
});

/** The element's id; undefined, with a problem, when it has none. */
export function requireId(
  element: XmlElement,
  where: string,
  problems: ProblemList,
): string | undefined {
  const id = element.attributes.id;
  if (id === undefined) report(problems, 'noId', where, element.tag);
  return id;
}
