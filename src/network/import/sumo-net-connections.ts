// Reads the lane connections of a SUMO network, checks them, and groups them into movements.
import type { ProblemList } from '../errors.ts';
import type { MovementSpec, RightOfWay, TurnType } from '../types.ts';
import { attributeReader } from './sumo-net-attributes.ts';
import type { Edges, SpecialEdge, SumoEdge } from './sumo-net-edges.ts';
import { report } from './sumo-net-problems.ts';
import type { TrafficLights } from './sumo-net-programs.ts';
import { childrenTagged, type XmlElement } from './sumo-xml.ts';

/** SUMO connection `state` where no signal controls it; `o`/`O` (signal off) and others say nothing. */
const RIGHT_OF_WAY: Record<string, RightOfWay> = {
  M: 'major',
  m: 'minor',
  '=': 'equal',
  s: 'stop',
  w: 'stop',
  Z: 'minor',
};

const TURNS: Record<string, TurnType> = {
  s: 'through',
  l: 'left',
  L: 'left',
  r: 'right',
  R: 'right',
  t: 'uturn',
};

/** One `<connection>`: a lane of one edge into a lane of the next, signalled by `tl` at `linkIndex`. */
export interface SumoConnection {
  /** The element as messages name it. */
  label: string;
  from: string;
  to: string;
  fromLane: number;
  toLane: number;
  dir?: string;
  tl?: string;
  linkIndex?: number;
  /** Right of way from `state`, for a connection no signal controls. */
  priority?: RightOfWay;
}

/** Every connection in file order; one with a missing or bad attribute is reported and left out. */
export function readConnections(net: XmlElement, problems: ProblemList): SumoConnection[] {
  return childrenTagged(net, 'connection').flatMap((element): SumoConnection[] => {
    const label = connectionLabel(element);
    const read = attributeReader(element, label, problems);
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
    const priority = tl ? undefined : RIGHT_OF_WAY[read.optional('state') ?? ''];
    return [
      {
        label,
        from,
        to,
        fromLane,
        toLane,
        ...(dir !== undefined ? { dir } : {}),
        ...(tl ? { tl, linkIndex } : {}),
        ...(priority ? { priority } : {}),
      },
    ];
  });
}

function connectionLabel({ attributes }: XmlElement): string {
  const shown = ['from', 'to', 'fromLane', 'toLane'].filter(
    (name) => attributes[name] !== undefined,
  );
  return ['connection', ...shown.map((name) => `${name}="${attributes[name]}"`)].join(' ');
}

/** Reports unknown edges and lanes, an unknown traffic light, and a link index beyond its states. */
export function checkConnection(
  connection: SumoConnection,
  edges: Edges,
  { lights, declared }: TrafficLights,
  problems: ProblemList,
): void {
  const { label } = connection;
  for (const [end, id] of [
    ['from', connection.from],
    ['to', connection.to],
  ] as const) {
    if (!edges.normal.has(id) && !edges.special.has(id) && !edges.broken.has(id)) {
      report(problems, 'unknownEdge', label, end, id);
    }
  }
  checkLane(label, 'fromLane', connection.fromLane, edges.normal.get(connection.from), problems);
  checkLane(label, 'toLane', connection.toLane, edges.normal.get(connection.to), problems);
  const { tl, linkIndex } = connection;
  if (tl === undefined || linkIndex === undefined) return;
  const light = lights.get(tl);
  // A declared light whose programs all had problems has been reported already.
  if (!light && !declared.has(tl)) report(problems, 'unknownLight', label, tl);
  if (light && linkIndex >= light.linkCount) {
    report(problems, 'linkIndexBeyondStates', label, linkIndex, light.id, light.linkCount);
  }
}

function checkLane(
  label: string,
  end: 'fromLane' | 'toLane',
  index: number,
  edge: SumoEdge | undefined,
  problems: ProblemList,
): void {
  if (!edge || edge.lanes.some((lane) => lane.index === index)) return;
  report(problems, 'unknownLane', label, end, index, edge.id, edge.lanes.length);
}

/**
 * Lane connections grouped by from and to edge, then split by link index (one signal group each).
 * A split movement's id ends in `@linkIndex` (`@unsignalled` for its lanes without a signal):
 * SUMO edge ids often hold a `#` of their own, as in `-32038056#3>32038051#0@5`.
 */
export function movementsOf(connections: SumoConnection[]): MovementSpec[] {
  const byLinks = groupBy(connections, (c) => `${c.from}>${c.to}`);
  return [...byLinks].flatMap(([id, group]) => {
    const bySignal = groupBy(group, (c) => `${c.tl ?? ''}|${c.linkIndex ?? ''}`);
    const split = bySignal.size > 1;
    return [...bySignal.values()].map((lanes) => {
      const [first] = lanes as [SumoConnection, ...SumoConnection[]];
      const suffix = split ? `@${first.linkIndex ?? 'unsignalled'}` : '';
      const turn = first.dir !== undefined ? TURNS[first.dir] : undefined;
      return {
        id: `${id}${suffix}`,
        from: first.from,
        to: first.to,
        lanes: lanes.map(({ fromLane, toLane, priority }) => ({
          fromLane,
          toLane,
          ...(priority ? { priority } : {}),
        })),
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
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** The pedestrian crossing a link index signals, when a connection into a crossing carries it. */
export function crossingAt(
  index: number,
  controlled: SumoConnection[],
  special: Map<string, SpecialEdge>,
): SpecialEdge | undefined {
  return controlled
    .filter((c) => c.linkIndex === index)
    .map((c) => special.get(c.to))
    .find((edge) => edge?.function === 'crossing');
}
