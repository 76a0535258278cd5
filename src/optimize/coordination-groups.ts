// Coordination groups: which signals should share a common cycle, by Yagoda's coupling index.
import { MinQueue } from '../network/min-queue.ts';
import { freeFlowTime, successors, type Successors } from '../network/routing.ts';
import type { RoadNetwork } from '../network/types.ts';

/** Metres in an international foot, exactly: Yagoda's index is per foot of spacing. */
const METRES_PER_FOOT = 0.3048;

/** Two signals close enough, and busy enough between them, to share a cycle. */
export interface CoupledPair {
  /** The signal the reported path leaves from: of the two directions, the quicker one. */
  from: string;
  /** The signal that path reaches. */
  to: string;
  /** Metres along the path, the sum of its link lengths. */
  distance: number;
  /** Seconds along the path at each link's speed limit. */
  travelTime: number;
  /** Two-way flow between the signals, pcu/h (see `coordinationGroups` for the definition). */
  flow: number;
  /** Yagoda's coupling index: `flow` per foot of `distance`. */
  couplingIndex: number;
}

/** Why a group is what it is: joined by coupling, set by the engineer, or coupled to nothing. */
export type CoordinationReason = 'coupled' | 'manual' | 'isolated';

/** Signals to run on one common cycle length, with the couplings that joined them. */
export interface CoordinationGroup {
  /** `group-1`, `group-2`, … in the order of each group's first signal id. */
  id: string;
  /** Signal ids, sorted. */
  signals: string[];
  /** The coupled pairs inside the group, sorted by `from`, then `to`. */
  pairs: CoupledPair[];
  reason: CoordinationReason;
}

export interface CoordinationGroupOptions {
  /**
   * Longest free-flow travel time between two signals that may still be coupled, seconds. The
   * default, 60 s, is half a mile at 30 mph: beyond it platoons disperse and signals are usually
   * run on their own.
   */
  maxTravelTime?: number;
  /** Smallest coupling index (veh/h per foot) at which two signals are coupled; Yagoda's 0.5. */
  minCouplingIndex?: number;
  /** The engineer's word, which overrides the index. */
  manual?: {
    /** Each list is run as one group (merged with whatever the lists' signals are coupled to). */
    together?: readonly (readonly string[])[];
    /** Signals run on their own, whatever their coupling. */
    apart?: readonly string[];
  };
}

/** The quickest path from one signal to another that passes no third signal. */
interface SignalPath {
  /** The path's first link, leaving the upstream signal. */
  firstLink: string;
  distance: number;
  travelTime: number;
}

/** A search label: a link reached along a path that left the signal by `firstLink`. */
interface Label extends SignalPath {
  link: string;
}

/**
 * Yagoda's coupling index: two-way flow between two signals (veh/h) divided by their distance
 * in feet; the distance is given in metres and converted here.
 *
 * @example
 * couplingIndex(1000, 609.6) // => 0.5 (1,000 veh/h over 2,000 ft)
 */
export function couplingIndex(flow: number, distance: number): number {
  if (distance > 0) return flow / (distance / METRES_PER_FOOT);
  return flow > 0 ? Infinity : 0;
}

/**
 * Partitions the network's signals into coordination groups: signals to run on a common cycle.
 *
 * Two signals are coupled when
 * - a path of links leads from one to the other passing no third signal (through priority and
 *   unsignalized intersections, only along the network's movements, so turns are respected);
 * - its free-flow travel time is at most `maxTravelTime`;
 * - Yagoda's coupling index, I = V / D, is at least `minCouplingIndex` (default 0.5, above which
 *   Yagoda et al. found coordination pays). V is the two-way flow between the two signals in
 *   veh/h; D their distance in feet, computed here from metres (D = metres / 0.3048).
 *
 * V is the sum over both directions of the flow entering the first link of the quickest path,
 * i.e. the flows of the movements at the upstream signal that feed that link, as given in
 * `movementFlows` (pcu/h, read as veh/h; a movement not listed carries 0). A direction with no
 * path within `maxTravelTime` adds nothing. D is the length of the quicker direction's path.
 *
 * Groups are the connected components of the coupled pairs. `manual.together` merges its signals
 * (and their components) into one group; `manual.apart` makes each listed signal a group of its
 * own. Every signal is in exactly one group; one coupled to nothing is alone, `isolated`. A group
 * holding any signal named in `manual` has reason `manual`.
 *
 * References: Yagoda, H. N., Principe, E. H., Vick, C. E. and Leonard, B. G. (1973),
 * "Subdivision of Signal Systems into Control Areas", Traffic Engineering 43(12); FHWA Traffic
 * Signal Timing Manual (FHWA-HOP-08-024, 2008), chapter 6, Coordination.
 *
 * @throws {RangeError} when a flow is negative or names no movement of the network, an option is
 * out of range, or `manual` names an unknown signal or puts one both `together` and `apart`.
 * @example
 * const network = buildNetwork(gridSpec({ rows: 1, columns: 2, spacing: 300 }));
 * coordinationGroups(network, { 'n-1_0-n0_0>n0_0-n1_0': 900, 'n2_0-n1_0>n1_0-n0_0': 900 })
 * // => [{ id: 'group-1', signals: ['n0_0', 'n1_0'], reason: 'coupled', pairs: [{ from: 'n0_0',
 * //      to: 'n1_0', distance: 300, travelTime: 21.598…, flow: 1800, couplingIndex: 1.8288 }] }]
 */
export function coordinationGroups(
  network: RoadNetwork,
  movementFlows: Readonly<Record<string, number>>,
  { maxTravelTime = 60, minCouplingIndex = 0.5, manual = {} }: CoordinationGroupOptions = {},
): CoordinationGroup[] {
  checkArguments(network, movementFlows, maxTravelTime, minCouplingIndex, manual);
  const signalIds = Object.keys(network.getAttribute('signals')).sort(byId);
  const next = successors(network);
  const paths = new Map(
    signalIds.map((signal) => [signal, pathsToNeighbours(network, next, signal, maxTravelTime)]),
  );
  const inflows = linkInflows(network, movementFlows);
  const coupled = candidatePairs(signalIds, paths, inflows).filter(
    (pair) => pair.couplingIndex >= minCouplingIndex,
  );
  return formGroups(signalIds, coupled, manual);
}

/**
 * Flow entering each link, pcu/h: the sum of the movements that feed it. Links fed by no movement
 * (those leaving a boundary) are absent.
 */
function linkInflows(
  network: RoadNetwork,
  movementFlows: Readonly<Record<string, number>>,
): Map<string, number> {
  const inflows = new Map<string, number>();
  for (const movement of Object.values(network.getAttribute('movements'))) {
    const flow = movementFlows[movement.id] ?? 0;
    inflows.set(movement.to, (inflows.get(movement.to) ?? 0) + flow);
  }
  return inflows;
}

/**
 * The quickest path from a signal to each signal it reaches within `maxTravelTime` without
 * passing a third: Dijkstra over links, leaving by every link out of the signal's intersections
 * and stopping at the first signalized intersection on each branch.
 */
function pathsToNeighbours(
  network: RoadNetwork,
  next: Successors,
  signal: string,
  maxTravelTime: number,
): Map<string, SignalPath> {
  const own = new Set(network.getAttribute('signals')[signal]!.intersections);
  const quickest = new Map<string, number>();
  const queue = new MinQueue<Label>();
  const reach = (link: string, firstLink: string, distance: number, travelTime: number) => {
    const arrival = travelTime + freeFlowTime(network, link);
    if (arrival > maxTravelTime || arrival >= (quickest.get(link) ?? Infinity)) return;
    quickest.set(link, arrival);
    queue.push(
      {
        link,
        firstLink,
        distance: distance + network.getEdgeAttribute(link, 'length'),
        travelTime: arrival,
      },
      arrival,
    );
  };
  for (const intersection of own) {
    for (const link of network.outEdges(intersection)) {
      if (!own.has(network.target(link))) reach(link, link, 0, 0);
    }
  }
  const found = new Map<string, SignalPath>();
  for (let entry = queue.pop(); entry; entry = queue.pop()) {
    const [label] = entry;
    if (label.travelTime > quickest.get(label.link)!) continue;
    const head = network.target(label.link);
    if (own.has(head)) continue;
    const reached = network.getNodeAttribute(head, 'signal');
    if (reached !== undefined) {
      if (!found.has(reached)) found.set(reached, pathOf(label));
      continue;
    }
    for (const link of next.get(label.link) ?? []) {
      reach(link, label.firstLink, label.distance, label.travelTime);
    }
  }
  return found;
}

function pathOf({ firstLink, distance, travelTime }: Label): SignalPath {
  return { firstLink, distance, travelTime };
}

/** Every pair of signals joined by a path in either direction, with its coupling index. */
function candidatePairs(
  signalIds: readonly string[],
  paths: ReadonlyMap<string, ReadonlyMap<string, SignalPath>>,
  inflows: ReadonlyMap<string, number>,
): CoupledPair[] {
  const pairs: CoupledPair[] = [];
  for (const from of signalIds) {
    for (const [to, forward] of paths.get(from)!) {
      const backward = paths.get(to)?.get(from);
      if (backward && byId(to, from) < 0) continue; // counted from `to`'s side
      const flow =
        (inflows.get(forward.firstLink) ?? 0) +
        (backward ? (inflows.get(backward.firstLink) ?? 0) : 0);
      const quicker = backward && isQuicker(backward, forward) ? backward : forward;
      pairs.push({
        ...(quicker === forward ? { from, to } : { from: to, to: from }),
        distance: quicker.distance,
        travelTime: quicker.travelTime,
        flow,
        couplingIndex: couplingIndex(flow, quicker.distance),
      });
    }
  }
  return pairs;
}

function isQuicker(a: SignalPath, b: SignalPath): boolean {
  return a.travelTime < b.travelTime || (a.travelTime === b.travelTime && a.distance < b.distance);
}

/** Union-find over the coupled pairs and the manual lists, then one group per component. */
function formGroups(
  signalIds: readonly string[],
  coupled: readonly CoupledPair[],
  manual: NonNullable<CoordinationGroupOptions['manual']>,
): CoordinationGroup[] {
  const apart = new Set(manual.apart ?? []);
  const named = new Set([...apart, ...(manual.together ?? []).flat()]);
  const parent = new Map(signalIds.map((signal) => [signal, signal]));
  for (const pair of coupled) {
    if (!apart.has(pair.from) && !apart.has(pair.to)) union(parent, pair.from, pair.to);
  }
  for (const list of manual.together ?? []) {
    for (const signal of list.slice(1)) union(parent, list[0]!, signal);
  }
  const members = new Map<string, string[]>();
  for (const signal of signalIds) {
    const root = find(parent, signal);
    append(members, root, signal);
  }
  const pairsOf = new Map<string, CoupledPair[]>();
  for (const pair of [...coupled].sort(byPair)) {
    const root = find(parent, pair.from);
    if (root !== find(parent, pair.to)) continue;
    append(pairsOf, root, pair);
  }
  return [...members].map(([root, signals], index) => {
    const pairs = pairsOf.get(root) ?? [];
    const reason: CoordinationReason = signals.some((signal) => named.has(signal))
      ? 'manual'
      : pairs.length > 0
        ? 'coupled'
        : 'isolated';
    return { id: `group-${index + 1}`, signals, pairs, reason };
  });
}

function append<T>(lists: Map<string, T[]>, key: string, item: T): void {
  const list = lists.get(key);
  if (list) list.push(item);
  else lists.set(key, [item]);
}

function find(parent: Map<string, string>, signal: string): string {
  let root = signal;
  while (parent.get(root) !== root) root = parent.get(root)!;
  for (let at = signal; at !== root;) {
    const up = parent.get(at)!;
    parent.set(at, root);
    at = up;
  }
  return root;
}

function union(parent: Map<string, string>, a: string, b: string): void {
  const [rootA, rootB] = [find(parent, a), find(parent, b)];
  if (rootA === rootB) return;
  // The smaller id leads, so the roots, and with them the output, do not depend on pair order.
  if (byId(rootA, rootB) < 0) parent.set(rootB, rootA);
  else parent.set(rootA, rootB);
}

/** Code-unit order: the same on every machine and locale. */
function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byPair(a: CoupledPair, b: CoupledPair): number {
  return byId(a.from, b.from) || byId(a.to, b.to);
}

function checkArguments(
  network: RoadNetwork,
  movementFlows: Readonly<Record<string, number>>,
  maxTravelTime: number,
  minCouplingIndex: number,
  manual: NonNullable<CoordinationGroupOptions['manual']>,
): void {
  const fail = (message: string): never => {
    throw new RangeError(`coordinationGroups: ${message}`);
  };
  if (!(maxTravelTime > 0)) {
    fail(`maxTravelTime is ${maxTravelTime}. Give a positive number of seconds.`);
  }
  if (!(minCouplingIndex >= 0)) {
    fail(`minCouplingIndex is ${minCouplingIndex}. Give a number ≥ 0 (Yagoda's is 0.5).`);
  }
  const movements = network.getAttribute('movements');
  for (const [movement, flow] of Object.entries(movementFlows)) {
    if (!Object.hasOwn(movements, movement)) {
      fail(`flow given for movement "${movement}", which the network does not have. Use ids \
from the network's movements (from>to).`);
    }
    if (!Number.isFinite(flow) || flow < 0) {
      fail(`flow of movement "${movement}" is ${flow}. Give pcu/h ≥ 0.`);
    }
  }
  const signals = network.getAttribute('signals');
  const apart = new Set(manual.apart ?? []);
  for (const signal of [...apart, ...(manual.together ?? []).flat()]) {
    if (!Object.hasOwn(signals, signal)) {
      fail(`manual names signal "${signal}", which the network does not have. Name its signals.`);
    }
  }
  for (const signal of (manual.together ?? []).flat()) {
    if (apart.has(signal)) {
      fail(`manual puts signal "${signal}" both together and apart. Name it in one list only.`);
    }
  }
}
