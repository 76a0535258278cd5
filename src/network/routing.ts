// Routes on the graph: the links reachable from a link, and the fastest path by free-flow time.
import { MinQueue } from './min-queue.ts';
import type { RoadNetwork } from './types.ts';

/** For each link, the links a vehicle may turn into (from the network's movements). */
export type Successors = ReadonlyMap<string, readonly string[]>;

/**
 * The links each link leads to through a movement.
 *
 * @example
 * successors(network).get('E1') // => ['E2', 'E5']
 */
export function successors(network: RoadNetwork): Successors {
  const next = new Map<string, string[]>();
  for (const link of network.edges()) next.set(link, []);
  for (const movement of Object.values(network.getAttribute('movements'))) {
    const targets = next.get(movement.from)!;
    if (!targets.includes(movement.to)) targets.push(movement.to);
  }
  return next;
}

/** Seconds to drive a link at its speed limit. */
export function freeFlowTime(network: RoadNetwork, link: string): number {
  const { length, speedLimit } = network.getEdgeAttributes(link);
  return length / speedLimit;
}

/**
 * The fastest route from one link to another by free-flow travel time (Dijkstra over links, the
 * way SUMO routes trips at insertion), both ends included; `undefined` when none exists. A trip
 * from a link to itself is that one link.
 *
 * @example
 * fastestRoute(network, next, 'E1', 'E7') // => ['E1', 'E4', 'E7']
 */
export function fastestRoute(
  network: RoadNetwork,
  next: Successors,
  from: string,
  to: string,
): string[] | undefined {
  if (!network.hasEdge(from) || !network.hasEdge(to)) return undefined;
  const cost = new Map<string, number>([[from, 0]]);
  const previous = new Map<string, string>();
  const queue = new MinQueue<string>();
  queue.push(from, 0);
  for (let item = queue.pop(); item; item = queue.pop()) {
    const [link, time] = item;
    if (link === to) return unwind(previous, to);
    if (time > cost.get(link)!) continue;
    for (const target of next.get(link) ?? []) {
      const arrival = time + freeFlowTime(network, target);
      if (arrival < (cost.get(target) ?? Infinity)) {
        cost.set(target, arrival);
        previous.set(target, link);
        queue.push(target, arrival);
      }
    }
  }
  return undefined;
}

function unwind(previous: Map<string, string>, to: string): string[] {
  const route = [to];
  for (let link = previous.get(to); link !== undefined; link = previous.get(link)) route.push(link);
  return route.reverse();
}
