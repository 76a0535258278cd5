// Reads a SUMO road network (`.net.xml`) into a NetworkSpec: junctions, edges, connections, programs.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { planFromSumoPhases, type SumoPhase, type SumoProgram } from '../../timing/sumo-program.ts';
import { InputFileError, ProblemList } from '../errors.ts';
import type {
  IntersectionKind,
  IntersectionSpec,
  LaneSpec,
  LinkSpec,
  MovementSpec,
  NetworkSpec,
  Position,
  SignalGroupSpec,
  SignalSpec,
  TurnType,
} from '../types.ts';

/** SUMO's default lane width, metres, for lanes that give none. */
const DEFAULT_LANE_WIDTH = 3.2;
/** Minimum green of a vehicle signal group whose phases name no `minDur`, seconds. */
const DEFAULT_MIN_GREEN = 5;

const JUNCTION_KINDS: Record<string, IntersectionKind> = {
  traffic_light: 'signalized',
  traffic_light_right_on_red: 'signalized',
  traffic_light_unregulated: 'signalized',
  dead_end: 'boundary',
  priority: 'priority',
  priority_stop: 'priority',
  zipper: 'priority',
  rail_signal: 'priority',
  rail_crossing: 'priority',
  right_before_left: 'unsignalized',
  left_before_right: 'unsignalized',
  allway_stop: 'unsignalized',
  unregulated: 'unsignalized',
};

const TURNS: Record<string, TurnType> = {
  s: 'through',
  l: 'left',
  L: 'left',
  r: 'right',
  R: 'right',
  t: 'uturn',
};

/** One parsed XML element: attributes under `$`, child elements by name. */
interface XmlElement {
  [name: string]: unknown;
}

type Attributes = Record<string, string>;

/** A SUMO edge of function `normal`: a road link between two junctions. */
interface SumoEdge {
  id: string;
  from: string;
  to: string;
  lanes: LaneSpec[];
  geometry?: Position[];
  name?: string;
}

/** An edge inside a junction (`internal`, `crossing`, `walkingarea`): never a link. */
interface SpecialEdge {
  id: string;
  function: string;
  /** For a crossing: metres walked, and the road edges it spans. */
  length?: number;
  crossingEdges?: string[];
}

interface SumoConnection {
  element: string;
  from: string;
  to: string;
  fromLane: number;
  toLane: number;
  dir?: string;
  tl?: string;
  linkIndex?: number;
}

/** All programs of one traffic light, in file order, and the length of their state strings. */
interface TrafficLight {
  id: string;
  programs: SumoProgram[];
  linkCount: number;
}

interface Edges {
  normal: Map<string, SumoEdge>;
  special: Map<string, SpecialEdge>;
  /** Edges with a problem already reported: connections to them are not checked again. */
  broken: Set<string>;
}

interface TrafficLights {
  lights: Map<string, TrafficLight>;
  /** Every `tlLogic` id in the file, including those whose programs have problems. */
  declared: Set<string>;
}

/**
 * Reads a SUMO network file into a `NetworkSpec` (planar x/y metres). Junctions become
 * intersections (`internal` ones are skipped), normal edges become links (internal, crossing and
 * walking-area edges are not links; sidewalk- or bicycle-only edges are kept, with their `allow`),
 * lane connections between normal edges become movements, and each `tlLogic` id becomes a signal
 * with one signal group per link index and all its programs as timing plans, the first in the file
 * first. A movement whose lanes have different link indices is split, one per index, with ids
 * `from>to#linkIndex`. Pure: give it the file's text and name.
 *
 * @throws {InputFileError} listing every problem found (unknown edges and lanes, a `tl` with no
 *   program, link indices beyond the state string, missing attributes, XML that does not parse);
 *   nothing is half-built.
 * @example
 * const spec = parseSumoNet(readFileSync('cologne1.net.xml', 'utf8'), 'cologne1.net.xml');
 * spec.signals[0]?.id; // => 'GS_cluster_357187_359543'
 * spec.signals[0]?.programs?.[0]?.cycleLength; // => 90
 */
export function parseSumoNet(xml: string, file: string): NetworkSpec {
  const problems = new ProblemList(file);
  const net = readNetElement(xml, file);
  const junctions = readJunctions(net, problems);
  const edges = readEdges(net, problems);
  const { lights, declared } = readTrafficLights(net, problems);
  const connections = readConnections(net, problems);
  checkEdgeEnds(edges.normal, junctions, problems);
  for (const connection of connections) {
    checkConnection(connection, edges, { lights, declared }, problems);
  }
  problems.throwIfAny();
  const links = [...edges.normal.values()].map(linkOf);
  const vehicleConnections = connections.filter(
    (c) => edges.normal.has(c.from) && edges.normal.has(c.to),
  );
  return {
    name: networkName(file),
    coordinates: 'planar',
    source: file,
    intersections: [...junctions.values()],
    links,
    movements: movementsOf(vehicleConnections),
    signals: [...lights.values()].map((light) =>
      signalOf(light, connections, edges, new Set(junctions.keys())),
    ),
  };
}

// ---- XML ----------------------------------------------------------------------------------

function readNetElement(xml: string, file: string): XmlElement {
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new InputFileError(file, [
      {
        code: 'PARSE_FAILED',
        element: `line ${line}, column ${col}`,
        message: `is not well-formed XML: ${msg}`,
        fix: 'Write the file out again from netconvert or netedit, or repair the XML by hand.',
      },
    ]);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    attributesGroupName: '$',
    parseAttributeValue: false,
    parseTagValue: false,
    ignoreDeclaration: true,
    isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  });
  const document: unknown = parser.parse(xml);
  const [net] = isElement(document) ? children(document, 'net') : [];
  if (!net) {
    throw new InputFileError(file, [
      {
        code: 'FORMAT_UNKNOWN',
        element: 'root element',
        message: 'is not <net>, so this is not a SUMO network file.',
        fix: 'Give a .net.xml written by netconvert or netedit; build plain node and edge files into one with netconvert first.',
      },
    ]);
  }
  return net;
}

function isElement(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function children(element: XmlElement, name: string): XmlElement[] {
  const value = element[name];
  return Array.isArray(value) ? value.filter(isElement) : [];
}

function attributesOf(element: XmlElement): Attributes {
  const group = element['$'];
  if (!isElement(group)) return {};
  return Object.fromEntries(
    Object.entries(group).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** Reads the attributes of one element, reporting missing and malformed ones against it. */
interface AttributeReader {
  element: string;
  optional(name: string): string | undefined;
  text(name: string): string | undefined;
  number(name: string, options: { required: boolean; integer?: boolean }): number | undefined;
  shape(name: string): Position[] | undefined;
}

function attributeReader(
  attributes: Attributes,
  element: string,
  problems: ProblemList,
): AttributeReader {
  const text = (name: string): string | undefined => {
    const value = attributes[name];
    if (value !== undefined && value !== '') return value;
    problems.add(
      'MISSING_ATTRIBUTE',
      element,
      `has no ${name}.`,
      `Give the element a ${name} attribute, as netconvert writes it.`,
    );
    return undefined;
  };
  const number = (name: string, options: { required: boolean; integer?: boolean }) => {
    const value = options.required ? text(name) : attributes[name];
    if (value === undefined) return undefined;
    const parsed = Number(value);
    const valid = value.trim() !== '' && Number.isFinite(parsed);
    if (valid && (!options.integer || (Number.isInteger(parsed) && parsed >= 0))) return parsed;
    const wanted = options.integer ? 'a whole number of 0 or more' : 'a number';
    problems.add(
      'BAD_VALUE',
      element,
      `has ${name}="${value}", which is not ${wanted}.`,
      `Give ${name} as ${options.integer ? 'a whole number, e.g. "0"' : 'a number, e.g. "13.89"'}.`,
    );
    return undefined;
  };
  const shape = (name: string): Position[] | undefined => {
    const value = attributes[name];
    if (value === undefined) return undefined;
    const points = parseShape(value);
    if (!points) {
      problems.add(
        'BAD_VALUE',
        element,
        `has ${name}="${value.slice(0, 40)}", which is not a list of x,y points.`,
        `Give ${name} as space-separated "x,y" pairs in metres.`,
      );
    }
    return points;
  };
  return { element, optional: (name) => attributes[name], text, number, shape };
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

// ---- junctions ----------------------------------------------------------------------------

function readJunctions(net: XmlElement, problems: ProblemList): Map<string, IntersectionSpec> {
  const junctions = new Map<string, IntersectionSpec>();
  children(net, 'junction').forEach((element, position) => {
    const attributes = attributesOf(element);
    const read = attributeReader(attributes, junctionElement(attributes, position), problems);
    const type = read.text('type');
    if (type === 'internal') return;
    const id = read.text('id');
    const x = read.number('x', { required: true });
    const y = read.number('y', { required: true });
    const shape = read.shape('shape');
    if (id === undefined || x === undefined || y === undefined || type === undefined) return;
    if (junctions.has(id)) {
      duplicate(problems, read.element, 'junction');
      return;
    }
    const radius = shape ? meanDistance(shape, [x, y]) : undefined;
    junctions.set(id, {
      id,
      kind: JUNCTION_KINDS[type] ?? 'unsignalized',
      position: [x, y],
      ...(radius !== undefined ? { radius } : {}),
    });
  });
  return junctions;
}

function junctionElement(attributes: Attributes, position: number): string {
  return attributes.id !== undefined
    ? `junction id="${attributes.id}"`
    : `junction #${position + 1}`;
}

/** Mean distance of a junction's outline to its centre: roughly where the stop lines are. */
function meanDistance(shape: Position[], centre: Position): number | undefined {
  const first = shape[0];
  const last = shape[shape.length - 1];
  const closed = shape.length > 1 && first && last && first[0] === last[0] && first[1] === last[1];
  const outline = closed ? shape.slice(0, -1) : shape;
  if (outline.length === 0) return undefined;
  const total = outline.reduce((sum, [x, y]) => sum + Math.hypot(x - centre[0], y - centre[1]), 0);
  return total / outline.length;
}

// ---- edges and lanes ----------------------------------------------------------------------

function readEdges(net: XmlElement, problems: ProblemList): Edges {
  const normal = new Map<string, SumoEdge>();
  const special = new Map<string, SpecialEdge>();
  const broken = new Set<string>();
  children(net, 'edge').forEach((element, position) => {
    const attributes = attributesOf(element);
    const label =
      attributes.id !== undefined ? `edge id="${attributes.id}"` : `edge #${position + 1}`;
    const read = attributeReader(attributes, label, problems);
    const id = read.text('id');
    if (id === undefined) return;
    if (normal.has(id) || special.has(id)) {
      duplicate(problems, label, 'edge');
      return;
    }
    const edgeFunction = read.optional('function') ?? 'normal';
    if (edgeFunction !== 'normal') {
      special.set(id, specialEdgeOf(id, edgeFunction, element, attributes));
      return;
    }
    const edge = normalEdgeOf(id, element, read, problems);
    if (edge) normal.set(id, edge);
    else broken.add(id);
  });
  return { normal, special, broken };
}

function specialEdgeOf(
  id: string,
  edgeFunction: string,
  element: XmlElement,
  attributes: Attributes,
): SpecialEdge {
  const length = Number(attributesOf(children(element, 'lane')[0] ?? {}).length);
  const spanned = attributes.crossingEdges?.trim();
  return {
    id,
    function: edgeFunction,
    ...(Number.isFinite(length) ? { length } : {}),
    ...(spanned ? { crossingEdges: spanned.split(/\s+/) } : {}),
  };
}

function normalEdgeOf(
  id: string,
  element: XmlElement,
  read: AttributeReader,
  problems: ProblemList,
): SumoEdge | undefined {
  const from = read.text('from');
  const to = read.text('to');
  const shape = read.shape('shape');
  const laneElements = children(element, 'lane');
  if (laneElements.length === 0) {
    problems.add(
      'LINK_WITHOUT_LANES',
      read.element,
      'has no <lane>.',
      'Give the edge at least one <lane index="0" speed=".." length=".."/>, or remove it and its connections.',
    );
  }
  const lanes = laneElements.map((lane) => laneOf(lane, read.element, problems));
  const incomplete = lanes.length === 0 || lanes.some((lane) => lane === undefined);
  if (from === undefined || to === undefined || incomplete) return undefined;
  const complete = lanes.filter((lane): lane is ParsedLane => lane !== undefined);
  const geometry = shape ?? middleLane(complete)?.shape;
  const name = read.optional('name');
  return {
    id,
    from,
    to,
    lanes: complete.map((lane) => lane.spec),
    ...(geometry && geometry.length >= 2 ? { geometry } : {}),
    ...(name ? { name } : {}),
  };
}

interface ParsedLane {
  spec: LaneSpec;
  shape?: Position[];
}

function laneOf(element: XmlElement, edge: string, problems: ProblemList): ParsedLane | undefined {
  const attributes = attributesOf(element);
  const label = attributes.id !== undefined ? `lane id="${attributes.id}"` : `lane of ${edge}`;
  const read = attributeReader(attributes, label, problems);
  const index = read.number('index', { required: true, integer: true });
  const length = read.number('length', { required: true });
  const speedLimit = read.number('speed', { required: true });
  const width = read.number('width', { required: false }) ?? DEFAULT_LANE_WIDTH;
  const shape = read.shape('shape');
  if (index === undefined || length === undefined || speedLimit === undefined) return undefined;
  const allow = read.optional('allow')?.trim();
  return {
    spec: {
      index,
      length,
      speedLimit,
      width,
      // `allow="all"` restricts nothing; `disallow` is left to the reader of the lane.
      ...(allow && allow !== 'all' ? { allow: allow.split(/\s+/) } : {}),
    },
    ...(shape ? { shape } : {}),
  };
}

function middleLane(lanes: ParsedLane[]): ParsedLane | undefined {
  const sorted = [...lanes].sort((a, b) => a.spec.index - b.spec.index);
  return sorted[Math.floor(sorted.length / 2)];
}

function linkOf(edge: SumoEdge): LinkSpec {
  return {
    id: edge.id,
    from: edge.from,
    to: edge.to,
    lanes: edge.lanes,
    length: Math.max(...edge.lanes.map((lane) => lane.length)),
    ...(edge.geometry ? { geometry: edge.geometry } : {}),
    ...(edge.name ? { name: edge.name } : {}),
  };
}

function checkEdgeEnds(
  edges: Map<string, SumoEdge>,
  junctions: Map<string, IntersectionSpec>,
  problems: ProblemList,
): void {
  for (const edge of edges.values()) {
    for (const [end, junction] of [
      ['from', edge.from],
      ['to', edge.to],
    ] as const) {
      if (junctions.has(junction)) continue;
      problems.add(
        'UNKNOWN_INTERSECTION',
        `edge id="${edge.id}"`,
        `has ${end}="${junction}", a junction the file does not define.`,
        `Add <junction id="${junction}" ..> or correct the edge's ${end}.`,
      );
    }
  }
}

// ---- traffic lights -----------------------------------------------------------------------

function readTrafficLights(net: XmlElement, problems: ProblemList): TrafficLights {
  const lights = new Map<string, TrafficLight>();
  const declared = new Set<string>();
  children(net, 'tlLogic').forEach((element) => {
    const id = attributesOf(element).id;
    if (id !== undefined) declared.add(id);
    const program = programOf(element, problems);
    if (!program) return;
    const label = tlLogicElement(attributesOf(element));
    const linkCount = program.phases[0]?.state.length ?? 0;
    const light = lights.get(program.signal);
    if (!light) {
      lights.set(program.signal, { id: program.signal, programs: [program], linkCount });
    } else if (light.programs.some((other) => other.programId === program.programId)) {
      duplicate(problems, label, 'program');
    } else if (linkCount !== light.linkCount) {
      problems.add(
        'STATE_LENGTH_MISMATCH',
        label,
        `has states of ${linkCount} signals, but the first program of "${light.id}" has ${light.linkCount}.`,
        'Give every program of a traffic light one character per link index.',
      );
    } else {
      light.programs.push(program);
    }
  });
  return { lights, declared };
}

function tlLogicElement(attributes: Attributes): string {
  return `tlLogic id="${attributes.id ?? '?'}" programID="${attributes.programID ?? '?'}"`;
}

function programOf(element: XmlElement, problems: ProblemList): SumoProgram | undefined {
  const attributes = attributesOf(element);
  const read = attributeReader(attributes, tlLogicElement(attributes), problems);
  const signal = read.text('id');
  const programId = read.text('programID');
  const offset =
    read.optional('offset') === 'begin' ? 0 : read.number('offset', { required: false });
  const phaseElements = children(element, 'phase');
  if (phaseElements.length === 0) {
    problems.add(
      'BAD_VALUE',
      read.element,
      'has no <phase>.',
      'Give the program its phases, e.g. <phase duration="31" state="GGrr"/>.',
    );
  }
  const phases = phaseElements.map((phase, index) =>
    phaseOf(phase, `phase ${index} of ${read.element}`, problems),
  );
  const complete = phases.filter((phase): phase is SumoPhase => phase !== undefined);
  if (signal === undefined || programId === undefined || complete.length !== phases.length) {
    return undefined;
  }
  if (!statesAgree(complete, read.element, problems) || complete.length === 0) return undefined;
  return { signal, programId, offset: offset ?? 0, phases: complete };
}

function phaseOf(element: XmlElement, label: string, problems: ProblemList): SumoPhase | undefined {
  const read = attributeReader(attributesOf(element), label, problems);
  const duration = read.number('duration', { required: true });
  const state = read.text('state');
  const minDur = read.number('minDur', { required: false });
  const maxDur = read.number('maxDur', { required: false });
  const name = read.optional('name');
  if (duration !== undefined && duration < 0) {
    problems.add('BAD_VALUE', label, `lasts ${duration} s.`, 'Give a duration of 0 s or more.');
    return undefined;
  }
  if (state !== undefined && !/^[rRyYgGsuoO]*$/.test(state)) {
    problems.add(
      'BAD_VALUE',
      label,
      `has state="${state}" with a character SUMO does not know.`,
      'Use only r, y, Y, g, G, s, u, o and O in a state string.',
    );
    return undefined;
  }
  if (duration === undefined || state === undefined) return undefined;
  return {
    duration,
    state,
    ...(minDur !== undefined ? { minDur } : {}),
    ...(maxDur !== undefined ? { maxDur } : {}),
    ...(name ? { name } : {}),
  };
}

function statesAgree(phases: SumoPhase[], element: string, problems: ProblemList): boolean {
  const expected = phases[0]?.state.length ?? 0;
  let agree = true;
  phases.forEach((phase, index) => {
    if (phase.state.length === expected) return;
    agree = false;
    problems.add(
      'STATE_LENGTH_MISMATCH',
      `phase ${index} of ${element}`,
      `has a state of ${phase.state.length} signals, phase 0 has ${expected}.`,
      'Give every phase one character per link index of the traffic light.',
    );
  });
  return agree;
}

// ---- connections --------------------------------------------------------------------------

function readConnections(net: XmlElement, problems: ProblemList): SumoConnection[] {
  return children(net, 'connection').flatMap((element) => {
    const attributes = attributesOf(element);
    const label = connectionElement(attributes);
    const read = attributeReader(attributes, label, problems);
    const from = read.text('from');
    const to = read.text('to');
    const fromLane = read.number('fromLane', { required: true, integer: true });
    const toLane = read.number('toLane', { required: true, integer: true });
    const tl = read.optional('tl');
    const linkIndex = tl ? read.number('linkIndex', { required: true, integer: true }) : undefined;
    if (from === undefined || to === undefined || fromLane === undefined || toLane === undefined) {
      return [];
    }
    if (tl && linkIndex === undefined) return [];
    const dir = read.optional('dir');
    return [
      {
        element: label,
        from,
        to,
        fromLane,
        toLane,
        ...(dir !== undefined ? { dir } : {}),
        ...(tl ? { tl, linkIndex } : {}),
      },
    ];
  });
}

function connectionElement(attributes: Attributes): string {
  const shown = ['from', 'to', 'fromLane', 'toLane'].filter(
    (name) => attributes[name] !== undefined,
  );
  return ['connection', ...shown.map((name) => `${name}="${attributes[name]}"`)].join(' ');
}

function checkConnection(
  connection: SumoConnection,
  edges: Edges,
  { lights, declared }: TrafficLights,
  problems: ProblemList,
): void {
  const { element } = connection;
  for (const [end, id] of [
    ['from', connection.from],
    ['to', connection.to],
  ] as const) {
    if (!edges.normal.has(id) && !edges.special.has(id) && !edges.broken.has(id)) {
      problems.add(
        'UNKNOWN_LINK',
        element,
        `has ${end}="${id}", an edge the file does not define.`,
        `Add <edge id="${id}" ..> or correct the connection's ${end}.`,
      );
    }
  }
  checkLane(element, 'fromLane', connection.fromLane, edges.normal.get(connection.from), problems);
  checkLane(element, 'toLane', connection.toLane, edges.normal.get(connection.to), problems);
  if (connection.tl === undefined || connection.linkIndex === undefined) return;
  const light = lights.get(connection.tl);
  if (!light && declared.has(connection.tl)) return;
  if (!light) {
    problems.add(
      'UNKNOWN_SIGNAL',
      element,
      `has tl="${connection.tl}", a traffic light with no <tlLogic> in the file.`,
      `Add <tlLogic id="${connection.tl}" ..> with its phases, or remove tl and linkIndex.`,
    );
  } else if (connection.linkIndex >= light.linkCount) {
    problems.add(
      'STATE_LENGTH_MISMATCH',
      element,
      `has linkIndex="${connection.linkIndex}", but the states of "${light.id}" have ${light.linkCount} signals.`,
      `Give every phase of "${light.id}" at least ${connection.linkIndex + 1} characters, or correct the linkIndex.`,
    );
  }
}

function checkLane(
  element: string,
  end: 'fromLane' | 'toLane',
  index: number,
  edge: SumoEdge | undefined,
  problems: ProblemList,
): void {
  if (!edge || edge.lanes.some((lane) => lane.index === index)) return;
  problems.add(
    'UNKNOWN_LANE',
    element,
    `has ${end}="${index}", but edge "${edge.id}" has ${edge.lanes.length} lane(s).`,
    `Use a ${end} from 0 to ${edge.lanes.length - 1}, or add the lane to edge "${edge.id}".`,
  );
}

// ---- movements ----------------------------------------------------------------------------

/** Lane connections grouped by from and to edge, then split by link index (one signal group each). */
function movementsOf(connections: SumoConnection[]): MovementSpec[] {
  const byLinks = groupBy(connections, (c) => `${c.from}>${c.to}`);
  return [...byLinks].flatMap(([id, group]) => {
    const bySignal = groupBy(group, (c) => `${c.tl ?? ''}|${c.linkIndex ?? ''}`);
    const split = bySignal.size > 1;
    return [...bySignal.values()].map((lanes) => {
      const [first] = lanes as [SumoConnection, ...SumoConnection[]];
      const suffix = split ? `#${first.linkIndex ?? 'unsignalled'}` : '';
      const turn = first.dir !== undefined ? TURNS[first.dir] : undefined;
      return {
        id: `${id}${suffix}`,
        from: first.from,
        to: first.to,
        lanes: lanes.map(({ fromLane, toLane }) => ({ fromLane, toLane })),
        ...(turn ? { turn } : {}),
        ...(first.tl !== undefined && first.linkIndex !== undefined
          ? { signal: first.tl, signalGroup: String(first.linkIndex) }
          : {}),
      };
    });
  });
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

// ---- signals ------------------------------------------------------------------------------

function signalOf(
  light: TrafficLight,
  connections: SumoConnection[],
  edges: Edges,
  junctionIds: Set<string>,
): SignalSpec {
  const controlled = connections.filter((c) => c.tl === light.id);
  return {
    id: light.id,
    intersections: controlledJunctions(light.id, controlled, edges.normal, junctionIds),
    signalGroups: Array.from({ length: light.linkCount }, (_, index) =>
      signalGroupOf(index, light.programs, crossingAt(index, controlled, edges.special)),
    ),
    programs: light.programs.map(planFromSumoPhases),
  };
}

/**
 * The junctions a traffic light runs: where its connections' incoming edges end. A joined light
 * (`GS_cluster_…`) has an id of its own, so the ids need not match.
 */
function controlledJunctions(
  lightId: string,
  controlled: SumoConnection[],
  normal: Map<string, SumoEdge>,
  junctionIds: Set<string>,
): string[] {
  const found = new Set<string>();
  for (const connection of controlled) {
    const junction = normal.get(connection.from)?.to;
    if (junction !== undefined) found.add(junction);
  }
  if (found.size === 0 && junctionIds.has(lightId)) found.add(lightId);
  return [...found];
}

/** The pedestrian crossing a link index signals, when a connection into a crossing carries it. */
function crossingAt(
  index: number,
  controlled: SumoConnection[],
  special: Map<string, SpecialEdge>,
): SpecialEdge | undefined {
  return controlled
    .filter((c) => c.linkIndex === index)
    .map((c) => special.get(c.to))
    .find((edge) => edge?.function === 'crossing');
}

function signalGroupOf(
  index: number,
  programs: SumoProgram[],
  crossing: SpecialEdge | undefined,
): SignalGroupSpec {
  const minDurs = programs.flatMap((program) =>
    program.phases
      .filter((phase) => /[gGs]/.test(phase.state.charAt(index)))
      .flatMap((phase) => (phase.minDur !== undefined ? [phase.minDur] : [])),
  );
  const minGreen = minDurs.length > 0 ? Math.min(...minDurs) : undefined;
  if (crossing) {
    // A pedestrian group without minDur takes the network builder's pedestrian default.
    return {
      id: String(index),
      index,
      kind: 'pedestrian',
      ...(minGreen !== undefined ? { minGreen } : {}),
      ...(crossing.length !== undefined ? { crossingLength: crossing.length } : {}),
      ...(crossing.crossingEdges ? { crosses: crossing.crossingEdges } : {}),
    };
  }
  return { id: String(index), index, kind: 'vehicle', minGreen: minGreen ?? DEFAULT_MIN_GREEN };
}

// ---- small helpers ------------------------------------------------------------------------

function duplicate(problems: ProblemList, element: string, kind: string): void {
  problems.add(
    'DUPLICATE_ID',
    element,
    `repeats the id of an earlier ${kind}.`,
    `Give each ${kind} its own id, or remove the copy.`,
  );
}

/** `path/to/cologne1.net.xml` → `cologne1`. */
function networkName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.net\.xml(\.gz)?$/, '').replace(/\.xml$/, '') || base;
}
