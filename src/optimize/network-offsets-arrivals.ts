// Arrival (IN) profiles of a link as terms: departures of upstream signals, dispersed link by link, plus uniform flow.
import type { Dispersion } from '../analysis/cyclic-flow-profiles.ts';
import type { Movement, RoadNetwork } from '../network/types.ts';

/** One upstream signal's departures into its exit link, dispersed over each link of a path. */
export interface ArrivalTerm {
  /** Index of the source: a coordinated signal's exit link. */
  source: number;
  /** Share of the source's departures that reach this stop line. */
  weight: number;
  /** Dispersion of each link from the source's stop line to this one, upstream first. */
  chain: Dispersion[];
}

/** A link's arrivals at its downstream stop line: terms plus uniform flow, pcu/h in all. */
export interface LinkArrivals {
  terms: ArrivalTerm[];
  /** Uniform flow, pcu/h: traffic from boundaries, uncoordinated signals and mid-block sources. */
  uniform: number;
}

export interface ArrivalContext {
  network: RoadNetwork;
  /** Exit link → source index, for links leaving a coordinated signal. */
  sourceOf: ReadonlyMap<string, number>;
  /** pcu/h each source sends, at any offsets. */
  sourceFlow: (source: number) => number;
  /** pcu/h leaving a link through its downstream intersection's movements. */
  linkDemand: (link: string) => number;
  /** Movements at a link's upstream intersection that feed it. */
  movementsInto: (link: string) => readonly Movement[];
  movementFlow: (movement: string) => number;
  dispersionOf: (link: string) => Dispersion;
  /** Unsignalized intersections an arrival profile is followed back through. */
  maxDepth: number;
}

/**
 * The arrivals at a link's downstream stop line, with as much flow as its movements there carry
 * (`linkDemand`). A link leaving a coordinated signal carries that signal's departures; a link
 * leaving a priority or unsignalized intersection carries what arrives there, split by the turning
 * flows (no queue is modelled at such an intersection), followed back up to `maxDepth` of them.
 * Anything else arrives uniformly. When more is fed in than the link's demand (a mid-block sink),
 * the terms are scaled down; when less (a mid-block source), uniform flow makes up the rest.
 *
 * @example
 * linkArrivals('n0_0-n1_0', context)
 * // => { terms: [{ source: 1, weight: 1, chain: [{ smoothingFactor: 0.142, lag: 17 }] }], uniform: 40 }
 */
export function linkArrivals(link: string, context: ArrivalContext, depth = 0): LinkArrivals {
  const demand = context.linkDemand(link);
  const raw = feeding(link, context, depth);
  if (raw.flow > demand && raw.flow > 0) {
    const scale = demand / raw.flow;
    return {
      terms: raw.terms.map((term) => ({ ...term, weight: term.weight * scale })),
      uniform: raw.uniform * scale,
    };
  }
  return { terms: raw.terms, uniform: raw.uniform + demand - raw.flow };
}

function feeding(
  link: string,
  context: ArrivalContext,
  depth: number,
): LinkArrivals & { flow: number } {
  const own = context.dispersionOf(link);
  const source = context.sourceOf.get(link);
  if (source !== undefined) {
    return {
      terms: [{ source, weight: 1, chain: [own] }],
      uniform: 0,
      flow: context.sourceFlow(source),
    };
  }
  const upstreamNode = context.network.source(link);
  const kind = context.network.getNodeAttribute(upstreamNode, 'kind');
  if (depth >= context.maxDepth || kind === 'boundary' || kind === 'signalized') {
    return { terms: [], uniform: 0, flow: 0 };
  }
  const terms: ArrivalTerm[] = [];
  let uniform = 0;
  let flow = 0;
  for (const movement of context.movementsInto(link)) {
    const turning = context.movementFlow(movement.id);
    const approachDemand = context.linkDemand(movement.from);
    if (!(turning > 0) || !(approachDemand > 0)) continue;
    const share = turning / approachDemand;
    const upstream = linkArrivals(movement.from, context, depth + 1);
    for (const term of upstream.terms) {
      terms.push({ source: term.source, weight: term.weight * share, chain: [...term.chain, own] });
    }
    uniform += upstream.uniform * share;
    flow += turning;
  }
  return { terms, uniform, flow };
}
