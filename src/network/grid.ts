// A generated grid of signalized intersections: for tests, benchmarks and demos of any size.
import type { Stage, TimingPlan } from '../timing/types.ts';
import type { LinkSpec, MovementSpec, NetworkSpec, SignalSpec, TurnType } from './types.ts';

export interface GridOptions {
  rows?: number;
  columns?: number;
  /** Metres between neighbouring intersections. */
  spacing?: number;
  /** Lanes per link. */
  lanes?: number;
  /** Metres per second. */
  speedLimit?: number;
  /** Two-stage plan: cycle length in seconds. */
  cycleLength?: number;
}

type Heading = 'north' | 'east' | 'south' | 'west';
const STEPS: Record<Heading, [number, number]> = {
  north: [0, 1],
  east: [1, 0],
  south: [0, -1],
  west: [-1, 0],
};
const TURNS: Record<Heading, Record<TurnType, Heading | undefined>> = {
  north: { through: 'north', right: 'east', left: 'west', uturn: undefined },
  east: { through: 'east', right: 'south', left: 'north', uturn: undefined },
  south: { through: 'south', right: 'west', left: 'east', uturn: undefined },
  west: { through: 'west', right: 'north', left: 'south', uturn: undefined },
};

/**
 * A `rows × columns` grid of signalized intersections with a boundary node at the end of every
 * street, links both ways, and at each signal two groups per approach (through-and-right, left)
 * and a two-stage plan: north–south, then east–west, lefts permissive, yellow 3 s, all-red 2 s.
 *
 * @example
 * buildNetwork(gridSpec({ rows: 10, columns: 10 })).order // => 140 (100 signals + 40 boundaries)
 */
export function gridSpec({
  rows = 3,
  columns = 3,
  spacing = 300,
  lanes = 2,
  speedLimit = 13.89,
  cycleLength = 90,
}: GridOptions = {}): NetworkSpec {
  const nodeId = (column: number, row: number) => `n${column}_${row}`;
  const isInside = (column: number, row: number) =>
    column >= 0 && column < columns && row >= 0 && row < rows;
  const isBoundary = (column: number, row: number) =>
    !isInside(column, row) && (column >= 0 && column < columns) !== (row >= 0 && row < rows);
  const intersections: NetworkSpec['intersections'] = [];
  for (let column = -1; column <= columns; column++) {
    for (let row = -1; row <= rows; row++) {
      if (!isInside(column, row) && !isBoundary(column, row)) continue;
      intersections.push({
        id: nodeId(column, row),
        kind: isInside(column, row) ? 'signalized' : 'boundary',
        position: [column * spacing, row * spacing],
      });
    }
  }
  const links: LinkSpec[] = [];
  const linkInto = new Map<string, Map<Heading, string>>();
  const linkOutOf = new Map<string, Map<Heading, string>>();
  for (const { id: from, position } of intersections) {
    const [column, row] = [position[0] / spacing, position[1] / spacing];
    for (const [heading, [dx, dy]] of Object.entries(STEPS) as [Heading, [number, number]][]) {
      const to = nodeId(column + dx, row + dy);
      if (!isInside(column, row) && !isInside(column + dx, row + dy)) continue;
      if (!isInside(column + dx, row + dy) && !isBoundary(column + dx, row + dy)) continue;
      const id = `${from}-${to}`;
      links.push({
        id,
        from,
        to,
        lanes: Array.from({ length: lanes }, (_, index) => ({
          index,
          length: spacing,
          speedLimit,
          width: 3.5,
        })),
      });
      mapOf(linkOutOf, from).set(heading, id);
      mapOf(linkInto, to).set(heading, id);
    }
  }
  const movements: MovementSpec[] = [];
  const signals: SignalSpec[] = [];
  for (const { id, kind } of intersections) {
    if (kind !== 'signalized') continue;
    for (const [heading, link] of linkInto.get(id) ?? []) {
      for (const turn of ['through', 'right', 'left'] as const) {
        const exit = linkOutOf.get(id)?.get(TURNS[heading][turn]!);
        if (!exit) continue;
        const lane = turn === 'right' ? 0 : turn === 'left' ? lanes - 1 : undefined;
        movements.push({
          from: link,
          to: exit,
          turn,
          lanes:
            lane === undefined
              ? Array.from({ length: lanes }, (_, index) => ({ fromLane: index, toLane: index }))
              : [{ fromLane: lane, toLane: lane }],
          signal: id,
          signalGroup: `${heading}-${turn === 'left' ? 'left' : 'through'}`,
        });
      }
    }
    signals.push(gridSignal(id, cycleLength));
  }
  return {
    name: `grid-${columns}x${rows}`,
    coordinates: 'planar',
    intersections,
    links,
    movements,
    signals,
  };
}

function gridSignal(id: string, cycleLength: number): SignalSpec {
  const headings: Heading[] = ['north', 'east', 'south', 'west'];
  const signalGroups = headings.flatMap((heading) => [
    { id: `${heading}-through` },
    { id: `${heading}-left` },
  ]);
  const stage = (axis: Heading[], name: string): Stage => ({
    id: name,
    greens: Object.fromEntries(
      axis.flatMap((heading) => [
        [`${heading}-through`, 'protected'],
        [`${heading}-left`, 'permissive'],
      ]),
    ),
    green: cycleLength / 2 - 5,
    yellow: 3,
    allRed: 2,
    minGreen: 5,
  });
  const plan: TimingPlan = {
    id: 'grid',
    signal: id,
    cycleLength,
    offset: 0,
    offsetReference: 'first-stage-green-start',
    stages: [stage(['north', 'south'], 'north-south'), stage(['east', 'west'], 'east-west')],
    origin: 'greenwave',
  };
  return { id, intersections: [id], signalGroups, programs: [plan] };
}

function mapOf<K, V>(outer: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let inner = outer.get(key);
  if (!inner) outer.set(key, (inner = new Map()));
  return inner;
}
