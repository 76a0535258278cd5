// A road network as SUMO plain XML (nodes, edges, connections, traffic lights) for netconvert.
import { sumoOffset, sumoPhasesFromPlan } from '../../timing/sumo-program.ts';
import type { TimingPlan } from '../../timing/types.ts';
import type {
  IntersectionAttributes,
  IntersectionKind,
  Movement,
  Position,
  RoadNetwork,
  Signal,
} from '../types.ts';

/** Earth radius of the projection, metres: Turf's, so projected lengths match greenwave's. */
const EARTH_RADIUS = 6_371_008.8;
const DEGREE = Math.PI / 180;
/** SUMO refuses ids with these characters, or starting with ':' (its internal edges). */
const INVALID_ID = /[\s|\\'";,<>&]|^:|^$/;

/** The four plain XML files netconvert reads, and how greenwave's signal groups map to links. */
export interface SumoPlainNetwork {
  /** `.nod.xml`: intersections, x/y metres. */
  nodes: string;
  /** `.edg.xml`: links with their lanes and shapes. */
  edges: string;
  /** `.con.xml`: every movement's lane connections; edges without movements get none. */
  connections: string;
  /** `.tll.xml`: one static `tlLogic` per signal with a program, and each connection's link index. */
  trafficLights: string;
  /** Signal id → its SUMO link indices (only signals written with a program). */
  linkIndices: Record<string, SumoSignalLinks>;
  /** Signals with no program: netconvert gives them its default program and its own link order. */
  defaultPrograms: string[];
}

/** How one signal's vehicle groups map to its SUMO state string. */
export interface SumoSignalLinks {
  /** Signal group id → SUMO link index (a position in the phase state string). */
  groups: Record<string, number>;
  /** Length of the state string. */
  linkCount: number;
}

export interface SumoPlainOptions {
  /** The program to write per signal id; default the signal's first program. */
  plans?: Readonly<Record<string, TimingPlan>>;
  /** `tlLogic@programID` of the written programs; default `0`, as netconvert names its own. */
  programId?: string;
}

/** Planar x/y in metres for every position of a network. */
export interface PlanarProjection {
  project: (position: Position) => Position;
  /** The PROJ definition SUMO writes into `location@projParameter`; `!` for planar networks. */
  projParameter: string;
}

/**
 * The SUMO link index of every vehicle signal group: its position among the signal's vehicle
 * groups (in `signal.signalGroups` order). Pedestrian groups get none: the export writes no
 * crossings. Every lane connection of a group's movements shares the group's index.
 *
 * @example
 * sumoLinkIndices(network)['JS-01']
 * // => { groups: { 'EB-T': 0, 'EB-L': 1, 'WB-T': 2, … }, linkCount: 8 }
 */
export function sumoLinkIndices(network: RoadNetwork): Record<string, SumoSignalLinks> {
  const result: Record<string, SumoSignalLinks> = {};
  for (const signal of Object.values(network.getAttribute('signals'))) {
    const vehicleGroups = signal.signalGroups.filter((group) => group.kind === 'vehicle');
    result[signal.id] = {
      groups: Object.fromEntries(vehicleGroups.map((group, index) => [group.id, index])),
      linkCount: vehicleGroups.length,
    };
  }
  return result;
}

/**
 * Plans with their greens keyed by SUMO link index (`"0"`, `"1"`, …) instead of signal group id,
 * so that `sumoPhasesFromPlan(plan, linkCount)` and `sumoAdditional` can write them for a network
 * exported with `sumoPlainNetwork`. Pedestrian groups are dropped (no crossings are exported):
 * a stage that only walked pedestrians stays, red for every vehicle.
 *
 * @throws {RangeError} when a plan names a signal or a signal group the network does not have.
 * @example
 * plansWithLinkIndices(network, [plan])[0].stages[0].greens
 * // => { '0': 'protected', '2': 'protected' } (was { 'EB-T': 'protected', 'WB-T': 'protected' })
 */
export function plansWithLinkIndices(
  network: RoadNetwork,
  plans: readonly TimingPlan[],
): TimingPlan[] {
  const signals = network.getAttribute('signals');
  const links = sumoLinkIndices(network);
  return plans.map((plan) => {
    const signal = signals[plan.signal];
    const signalLinks = links[plan.signal];
    if (!signal || !signalLinks) {
      throw new RangeError(
        `plansWithLinkIndices: plan "${plan.id}" is for signal "${plan.signal}", which the network does not have. Give plans of this network's signals.`,
      );
    }
    const indexOf = (group: string): string | undefined => {
      const index = signalLinks.groups[group];
      if (index !== undefined) return String(index);
      if (signal.signalGroups.some((known) => known.id === group)) return undefined;
      throw new RangeError(
        `plansWithLinkIndices: plan "${plan.id}" names signal group "${group}", which signal "${signal.id}" does not have. Name the signal's own groups.`,
      );
    };
    const unsignalled = (plan.unsignalled ?? []).flatMap((group) => indexOf(group) ?? []);
    return {
      ...plan,
      stages: plan.stages.map((stage) => ({
        ...stage,
        greens: Object.fromEntries(
          Object.entries(stage.greens).flatMap(([group, kind]) => {
            const index = indexOf(group);
            return index === undefined ? [] : [[index, kind]];
          }),
        ),
      })),
      ...(plan.unsignalled ? { unsignalled } : {}),
    };
  });
}

/**
 * A planar projection of the network: planar networks as they are; lon/lat networks by a local
 * equirectangular projection about the centre of their intersections (x east, y north, metres,
 * Earth radius 6,371,008.8 m as Turf's distances use). Over a city's few kilometres it stretches
 * lengths by less than 0.1%.
 *
 * @example
 * planarProjection(jinshui).project([113.688, 34.7629]) // => [-1530.07…, -116.75…]
 */
export function planarProjection(network: RoadNetwork): PlanarProjection {
  if (network.getAttribute('coordinates') === 'planar') {
    return { project: ([x, y]) => [x, y], projParameter: '!' };
  }
  const positions = network.mapNodes((_node, attributes) => attributes.position);
  const middle = (axis: 0 | 1): number => {
    const values = positions.map((position) => position[axis]);
    return values.length === 0 ? 0 : (Math.min(...values) + Math.max(...values)) / 2;
  };
  const [longitude, latitude] = [middle(0), middle(1)];
  const scaleX = EARTH_RADIUS * Math.cos(latitude * DEGREE) * DEGREE;
  const scaleY = EARTH_RADIUS * DEGREE;
  return {
    project: ([lon, lat]) => [(lon - longitude) * scaleX, (lat - latitude) * scaleY],
    projParameter:
      `+proj=eqc +lat_ts=${latitude} +lon_0=${longitude} +x_0=0 ` +
      `+y_0=${-latitude * scaleY} +R=${EARTH_RADIUS} +units=m +no_defs`,
  };
}

/**
 * The network as SUMO plain XML for `netconvert --node-files --edge-files --connection-files
 * --tllogic-files`. Intersections become nodes (signalized: `traffic_light` with the signal's id as
 * `tl`, `priority` without a signal; priority and boundary: `priority`; unsignalized:
 * `right_before_left`), links
 * edges with their lanes (index 0 rightmost, width, speed, `allow`) and their geometry as shape
 * (spread to the right of it, so the two directions of a street sharing a centre line lie side by
 * side), movements lane connections. An edge without movements gets `<connection from="E"/>`, so
 * netconvert invents no connections anywhere. Each signal with a program gets one static `tlLogic`
 * (its first program, or `options.plans`) and one `<connection … tl linkIndex>` per lane
 * connection: the link index of its signal group (`sumoLinkIndices`), so connections of one group
 * share an index. Movements at a signal without a signal group are `uncontrolled`. A signal
 * with no program gets neither: netconvert gives it its default program and link order, and it is
 * listed in `defaultPrograms` instead of `linkIndices`.
 *
 * @throws {RangeError} when an id is not a valid SUMO id, or a plan names an unknown group.
 * @example
 * const plain = sumoPlainNetwork(network);
 * plain.connections
 * // => '<connections>\n    <connection from="jinshui-eb-0" to="jinshui-eb-1" fromLane="0" toLane="0"/>…'
 */
export function sumoPlainNetwork(
  network: RoadNetwork,
  { plans = {}, programId = '0' }: SumoPlainOptions = {},
): SumoPlainNetwork {
  checkIds(network);
  const projection = planarProjection(network);
  const linkIndices = sumoLinkIndices(network);
  const signals = Object.values(network.getAttribute('signals'));
  const programOf = (signal: Signal): TimingPlan | undefined =>
    plans[signal.id] ?? signal.programs[0];
  const written = signals.filter((signal) => programOf(signal) !== undefined);
  const writtenLinks = Object.fromEntries(
    written.map((signal) => [signal.id, linkIndices[signal.id]!]),
  );
  return {
    nodes: nodesXml(network, projection),
    edges: edgesXml(network, projection),
    connections: connectionsXml(network),
    trafficLights: trafficLightsXml(
      network,
      written.map((signal) => ({
        plan: programOf(signal)!,
        signal,
        links: linkIndices[signal.id]!,
      })),
      programId,
    ),
    linkIndices: writtenLinks,
    defaultPrograms: signals.filter((signal) => !programOf(signal)).map((signal) => signal.id),
  };
}

// ---- nodes ------------------------------------------------------------------------------------

/** A signalized intersection without a signal has nothing to run: it yields by priority. */
const NODE_TYPES: Record<IntersectionKind, string> = {
  signalized: 'priority',
  priority: 'priority',
  unsignalized: 'right_before_left',
  boundary: 'priority',
};

function nodesXml(network: RoadNetwork, projection: PlanarProjection): string {
  const nodes = network.mapNodes((id, attributes) => nodeXml(id, attributes, projection));
  const original = network.mapNodes((_id, attributes) => attributes.position);
  const location = element('location', {
    netOffset: '0.00,0.00',
    convBoundary: boundary(original.map(projection.project), 2),
    origBoundary: boundary(original, network.getAttribute('coordinates') === 'lonlat' ? 7 : 2),
    projParameter: projection.projParameter,
  });
  return document('nodes', [location, ...nodes]);
}

function nodeXml(
  id: string,
  attributes: IntersectionAttributes,
  projection: PlanarProjection,
): string {
  const [x, y] = projection.project(attributes.position);
  const signalled = attributes.kind === 'signalized' && attributes.signal !== undefined;
  return element('node', {
    id,
    x: metres(x),
    y: metres(y),
    type: signalled ? 'traffic_light' : NODE_TYPES[attributes.kind],
    tl: signalled ? attributes.signal : undefined,
    name: attributes.name,
  });
}

/** `xmin,ymin,xmax,ymax` of the points, with `digits` decimals. */
function boundary(points: Position[], digits: number): string {
  if (points.length === 0) return '0,0,0,0';
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]
    .map((value) => value.toFixed(digits))
    .join(',');
}

// ---- edges ------------------------------------------------------------------------------------

function edgesXml(network: RoadNetwork, projection: PlanarProjection): string {
  const edges = network.mapEdges((id, link, from, to) => {
    const shape = link.geometry
      .map((position) => projection.project(position).map(metres).join(','))
      .join(' ');
    const open = element(
      'edge',
      {
        id,
        from,
        to,
        numLanes: String(link.lanes.length),
        speed: speed(link.speedLimit),
        shape,
        name: link.name,
      },
      false,
    );
    const lanes = [...link.lanes]
      .sort((a, b) => a.index - b.index)
      .map(
        (lane) =>
          `    ${element('lane', {
            index: String(lane.index),
            speed: speed(lane.speedLimit),
            width: metres(lane.width),
            allow: lane.allow && lane.allow.length > 0 ? lane.allow.join(' ') : undefined,
          })}`,
      );
    return [open, ...lanes, '</edge>'].join('\n    ');
  });
  return document('edges', edges);
}

// ---- connections ------------------------------------------------------------------------------

function connectionsXml(network: RoadNetwork): string {
  const bySource = movementsBySource(network);
  const lines = network.mapEdges((link) => {
    const movements = (bySource.get(link) ?? []).filter((movement) => movement.lanes.length > 0);
    if (movements.length === 0) return [element('connection', { from: link })];
    return movements.flatMap((movement) =>
      movement.lanes.map((lane) =>
        element('connection', {
          ...laneConnection(movement, lane),
          uncontrolled: isUncontrolled(network, movement) ? 'true' : undefined,
        }),
      ),
    );
  });
  return document('connections', lines.flat());
}

function movementsBySource(network: RoadNetwork): Map<string, Movement[]> {
  const bySource = new Map<string, Movement[]>();
  for (const movement of Object.values(network.getAttribute('movements'))) {
    const movements = bySource.get(movement.from);
    if (movements) movements.push(movement);
    else bySource.set(movement.from, [movement]);
  }
  return bySource;
}

/** A movement at a signalized node that no signal group of that node's signal controls. */
function isUncontrolled(network: RoadNetwork, movement: Movement): boolean {
  const nodeSignal = network.getNodeAttribute(movement.intersection, 'signal');
  const kind = network.getNodeAttribute(movement.intersection, 'kind');
  if (kind !== 'signalized' || nodeSignal === undefined) return false;
  return movement.signal !== nodeSignal || movement.signalGroup === undefined;
}

function laneConnection(
  movement: Movement,
  lane: { fromLane: number; toLane: number },
): Record<string, string> {
  return {
    from: movement.from,
    to: movement.to,
    fromLane: String(lane.fromLane),
    toLane: String(lane.toLane),
  };
}

// ---- traffic lights ---------------------------------------------------------------------------

interface SignalProgram {
  plan: TimingPlan;
  signal: Signal;
  links: SumoSignalLinks;
}

function trafficLightsXml(
  network: RoadNetwork,
  programs: SignalProgram[],
  programId: string,
): string {
  const movements = Object.values(network.getAttribute('movements'));
  const lines = programs.flatMap(({ plan, signal, links }) => {
    const [keyed] = plansWithLinkIndices(network, [{ ...plan, signal: signal.id }]);
    const phases = sumoPhasesFromPlan(keyed!, links.linkCount).map(
      (phase) =>
        `    ${element('phase', { duration: seconds(phase.duration), state: phase.state, name: phase.name })}`,
    );
    const open = element(
      'tlLogic',
      { id: signal.id, type: 'static', programID: programId, offset: seconds(sumoOffset(keyed!)) },
      false,
    );
    const connections = movements
      .filter((movement) => movement.signal === signal.id && movement.signalGroup !== undefined)
      .filter((movement) => !isUncontrolled(network, movement))
      .flatMap((movement) =>
        movement.lanes.map((lane) =>
          element('connection', {
            ...laneConnection(movement, lane),
            tl: signal.id,
            linkIndex: String(links.groups[movement.signalGroup!]),
          }),
        ),
      );
    return [[open, ...phases, '</tlLogic>'].join('\n    '), ...connections];
  });
  return document('tlLogics', lines);
}

// ---- ids and text -----------------------------------------------------------------------------

function checkIds(network: RoadNetwork): void {
  const check = (what: string, id: string): void => {
    if (INVALID_ID.test(id)) {
      throw new RangeError(
        `sumoPlainNetwork: ${what} "${id}" is not a valid SUMO id. Rename it without spaces or | \\ ' " ; , < > & and not starting with ':'.`,
      );
    }
  };
  network.forEachNode((id) => check('intersection', id));
  network.forEachEdge((id) => check('link', id));
  for (const id of Object.keys(network.getAttribute('signals'))) check('signal', id);
}

function document(root: string, lines: string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<${root}>`,
    ...lines.map((line) => `    ${line}`),
    `</${root}>`,
    '',
  ].join('\n');
}

function element(name: string, attributes: Record<string, string | undefined>, close = true) {
  const text = Object.entries(attributes)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  return `<${name}${text}${close ? '/>' : '>'}`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Centimetres are SUMO's own precision for positions. */
function metres(value: number): string {
  return value.toFixed(2);
}

function speed(metresPerSecond: number): string {
  return metresPerSecond.toFixed(2);
}

function seconds(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}
