// Every problem the SUMO network reader reports, written once: its code, what is wrong and how to fix it.
import { problemReporter } from './sumo-problems.ts';

/**
 * Adds the problem `kind` at `where` (the element at fault) to `problems`, its text filled in from
 * `details`.
 *
 * @example
 * report(problems, 'missingAttribute', 'lane id="A2B_0"', 'length');
 * // problems.problems.at(-1): { code: 'MISSING_ATTRIBUTE', element: 'lane id="A2B_0"', … }
 */
export const report = problemReporter({
  notXml: (detail: string) => [
    'PARSE_FAILED',
    `is not well-formed XML: ${detail}`,
    'Write the file out again from netconvert or netedit, or repair the XML by hand.',
  ],
  notNetFile: () => [
    'FORMAT_UNKNOWN',
    'is not <net>, so this is not a SUMO network file.',
    'Give a .net.xml written by netconvert or netedit; build plain node and edge files into one with netconvert first.',
  ],
  duplicateId: (kind: string) => [
    'DUPLICATE_ID',
    `repeats the id of an earlier ${kind}.`,
    `Give each ${kind} its own id, or remove the copy.`,
  ],
  missingAttribute: (name: string) => [
    'MISSING_ATTRIBUTE',
    `has no ${name}.`,
    `Give the element a ${name} attribute, as netconvert writes it.`,
  ],
  badNumber: (name: string, value: string, requirement: string, example: string) => [
    'BAD_VALUE',
    `has ${name}="${value}", which is not ${requirement}.`,
    `Give ${name} as ${example}.`,
  ],
  badShape: (name: string, value: string) => [
    'BAD_VALUE',
    `has ${name}="${value.slice(0, 40)}", which is not a list of x,y points.`,
    `Give ${name} as space-separated "x,y" pairs in metres.`,
  ],
  noLanes: () => [
    'LINK_WITHOUT_LANES',
    'has no <lane>.',
    'Give the edge at least one <lane index="0" speed=".." length=".."/>, or remove it and its connections.',
  ],
  unknownJunction: (end: string, junction: string) => [
    'UNKNOWN_INTERSECTION',
    `has ${end}="${junction}", a junction the file does not define.`,
    `Add <junction id="${junction}" ..> or correct the edge's ${end}.`,
  ],
  noPhases: () => [
    'BAD_VALUE',
    'has no <phase>.',
    'Give the program its phases, e.g. <phase duration="31" state="GGrr"/>.',
  ],
  negativeDuration: (duration: number) => [
    'BAD_VALUE',
    `lasts ${duration} s.`,
    'Give a duration of 0 s or more.',
  ],
  badState: (state: string) => [
    'BAD_VALUE',
    `has state="${state}" with a character SUMO does not know.`,
    'Use only r, y, Y, g, G, s, u, o and O in a state string.',
  ],
  phaseStateLength: (length: number, expected: number) => [
    'STATE_LENGTH_MISMATCH',
    `has a state of ${length} signals, phase 0 has ${expected}.`,
    'Give every phase one character per link index of the traffic light.',
  ],
  programStateLength: (length: number, light: string, expected: number) => [
    'STATE_LENGTH_MISMATCH',
    `has states of ${length} signals, but the first program of "${light}" has ${expected}.`,
    'Give every program of a traffic light one character per link index.',
  ],
  unknownEdge: (end: string, edge: string) => [
    'UNKNOWN_LINK',
    `has ${end}="${edge}", an edge the file does not define.`,
    `Add <edge id="${edge}" ..> or correct the connection's ${end}.`,
  ],
  unknownLane: (end: string, index: number, edge: string, laneCount: number) => [
    'UNKNOWN_LANE',
    `has ${end}="${index}", but edge "${edge}" has ${laneCount} lane(s).`,
    `Use a ${end} from 0 to ${laneCount - 1}, or add the lane to edge "${edge}".`,
  ],
  unknownLight: (light: string) => [
    'UNKNOWN_SIGNAL',
    `has tl="${light}", a traffic light with no <tlLogic> in the file.`,
    `Add <tlLogic id="${light}" ..> with its phases, or remove tl and linkIndex.`,
  ],
  linkIndexBeyondStates: (linkIndex: number, light: string, linkCount: number) => [
    'STATE_LENGTH_MISMATCH',
    `has linkIndex="${linkIndex}", but the states of "${light}" have ${linkCount} signals.`,
    `Give every phase of "${light}" at least ${linkIndex + 1} characters, or correct the linkIndex.`,
  ],
});
