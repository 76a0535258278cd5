// The corridor of a row of signals as the time–space diagram reads it: positions along the road,
// through greens each way from the plans they run, link speeds, and the bands those offsets give.
// Pure; the route is `GET /api/v1/time-space.svg`. Test: npx vitest run src/analysis/time-space-corridor.test.ts
import type { BandwidthResult, Corridor, CorridorSignal } from '../optimize/corridor.ts';
import { fastestRoute, freeFlowTime, successors, type Successors } from '../network/routing.ts';
import type { Movement, RoadNetwork } from '../network/types.ts';
import { runsFree } from '../timing/actuation.ts';
import { greenIntervals } from '../timing/intervals.ts';
import type { TimingPlan } from '../timing/types.ts';

/** Why a row of sites makes no corridor; the route answers 400 or 422 with it. */
export type CorridorProblemCode =
  'TOO_FEW_SITES' | 'UNKNOWN_SITE' | 'NO_ROUTE' | 'NO_COMMON_CYCLE' | 'FREE_OPERATION';

export class CorridorProblem extends Error {
  readonly code: CorridorProblemCode;
  constructor(code: CorridorProblemCode, message: string) {
    super(message);
    this.name = 'CorridorProblem';
    this.code = code;
  }
}

/** Through green of one signal in one direction, on the common time axis. */
export interface DirectionGreen {
  /** The movement whose signal group sets the green. */
  movement?: string;
  signalGroup?: string;
  /** Green start, s after time 0 of the common clock (the plans' offset reference), in [0, C). */
  start: number;
  /** Seconds; 0 when the direction has no signalled through movement here. */
  green: number;
}

export interface CorridorOfPlans {
  corridor: Corridor;
  /** The bands the plans' own offsets give, as `timeSpaceDiagram` reads them. */
  result: BandwidthResult;
  /** Per site, in corridor order: the greens each way and the links between it and the next. */
  sites: {
    site: string;
    position: number;
    outbound: DirectionGreen;
    inbound: DirectionGreen;
  }[];
}

/**
 * The signals met driving straight on from each link that enters the network (at every
 * intersection the through movement, the widest when there are several), and the longest such
 * row: on an arterial network, the arterial. The default corridor of the time–space diagram.
 *
 * @example
 * arterialSites(network) // => ['JS-01', 'JS-02', …, 'dongming'] (Jinshui Road, west to east)
 */
export function arterialSites(network: RoadNetwork): string[] {
  const movementsFrom = movementsByLink(network);
  let best: string[] = [];
  const starts = network
    .edges()
    .filter((link) => network.getNodeAttribute(network.source(link), 'signal') === undefined)
    .sort();
  for (const start of starts) {
    const sites: string[] = [];
    const seen = new Set<string>();
    for (let link: string | undefined = start; link && !seen.has(link);) {
      seen.add(link);
      const signal = network.getNodeAttribute(network.target(link), 'signal');
      if (signal !== undefined && sites[sites.length - 1] !== signal) sites.push(signal);
      link = widest(
        (movementsFrom.get(link) ?? []).filter((movement) => movement.turn === 'through'),
      )?.to;
    }
    if (sites.length > best.length) best = sites;
  }
  return best;
}

/**
 * The default corridor: the arterial (`arterialSites`) when every site on it runs one cycle
 * length; otherwise its longest stretch of neighbouring sites that do (first on a tie), since a
 * time–space diagram needs a common cycle. Sites without a plan, or running free (no cycle held),
 * break a stretch.
 *
 * @throws {CorridorProblem} `FREE_OPERATION` when no two neighbours are coordinated because signals
 *   of the arterial run free.
 *
 * @example
 * defaultCorridorSites(network, plans) // => ['JS-03', 'JS-04', 'JS-05', 'JS-06'] (four on 120 s)
 */
export function defaultCorridorSites(
  network: RoadNetwork,
  plans: Readonly<Record<string, TimingPlan>>,
): string[] {
  const cycleOf = (site: string | undefined) => {
    const plan = site === undefined ? undefined : plans[site];
    return plan === undefined || runsFree(plan) ? undefined : plan.cycleLength;
  };
  const arterial = arterialSites(network);
  let best: string[] = [];
  let run: string[] = [];
  for (const site of arterial) {
    const cycle = cycleOf(site);
    run =
      cycle === undefined ? [] : cycle === cycleOf(run[run.length - 1]) ? [...run, site] : [site];
    if (run.length > best.length) best = run;
  }
  const free = arterial.filter((site) => plans[site] !== undefined && runsFree(plans[site]));
  if (best.length < 2 && free.length > 0) throw freeOperation(free);
  return best;
}

/** The problem of drawing a band through signals that run free. */
function freeOperation(free: readonly string[]): CorridorProblem {
  const one = free.length === 1;
  return new CorridorProblem(
    'FREE_OPERATION',
    `${free.join(', ')} ${one ? 'runs' : 'run'} free (no cycle or offset held), so no green band runs through ${one ? 'it' : 'them'}: choose coordinated sites, or draw the network's programs with plan=program`,
  );
}

/**
 * The corridor through `sites` in that order (outbound), each running `plans[site]`: positions
 * along the fastest route between neighbours, the green of the through movement each way (the
 * movement from the link arriving from the previous site into the link leaving towards the next),
 * free-flow speeds, and the widest band each way that the plans' offsets leave (`fittedBandwidth`).
 *
 * @throws {CorridorProblem} fewer than two sites, a site that is no signal of the network or has no
 *   plan, a site running free, no route between neighbours, or plans of different cycle lengths.
 * @example
 * const { corridor, result } = corridorOfPlans(network, ['JS-01', 'JS-02'], plans);
 * timeSpaceSvg(timeSpaceDiagram(corridor, result));
 */
export function corridorOfPlans(
  network: RoadNetwork,
  sites: readonly string[],
  plans: Readonly<Record<string, TimingPlan>>,
): CorridorOfPlans {
  if (sites.length < 2 || new Set(sites).size !== sites.length) {
    throw new CorridorProblem(
      'TOO_FEW_SITES',
      `a time–space diagram needs at least two different sites in order along the road, got ${JSON.stringify(sites)}; give e.g. sites=JS-01,JS-02,JS-03`,
    );
  }
  const signals = network.getAttribute('signals');
  for (const site of sites) {
    if (signals[site] === undefined)
      throw new CorridorProblem(
        'UNKNOWN_SITE',
        `site ${site} is not a signal of the network; GET /api/v1/controllers lists them`,
      );
    if (plans[site] === undefined)
      throw new CorridorProblem(
        'UNKNOWN_SITE',
        `site ${site} has no plan to draw; wait for the engine's first cycle or give the network a program`,
      );
  }
  const free = sites.filter((site) => runsFree(plans[site]!));
  if (free.length > 0) throw freeOperation(free);
  const cycles = new Set(sites.map((site) => plans[site]!.cycleLength));
  if (cycles.size > 1) {
    throw new CorridorProblem(
      'NO_COMMON_CYCLE',
      `the sites run different cycle lengths (${sites.map((site) => `${site} ${plans[site]!.cycleLength} s`).join(', ')}); a time–space diagram needs one common cycle: pick sites of one coordination group`,
    );
  }
  const cycle = plans[sites[0]!]!.cycleLength;
  const next = successors(network);
  const outboundHops = sites.slice(1).map((site, index) => hop(network, next, sites[index]!, site));
  const inboundHops = sites
    .slice(1)
    .map((site, index) => hopOrUndefined(network, next, site, sites[index]!));
  const positions = [0];
  outboundHops.forEach((route, index) =>
    positions.push(positions[index]! + routeLength(network, route)),
  );

  const movements = Object.values(network.getAttribute('movements'));
  /** The through movement from the link arriving from one neighbour into the link leaving towards the other. */
  const greenOf = (
    site: string,
    arriving: string[] | undefined,
    leaving: string[] | undefined,
  ): DirectionGreen => {
    const entry = arriving?.[arriving.length - 1];
    const exit = leaving?.[0];
    const candidates = movements.filter(
      (movement) =>
        movement.signal === site &&
        movement.signalGroup !== undefined &&
        (entry === undefined || movement.from === entry) &&
        (exit === undefined || movement.to === exit),
    );
    const through = widest(candidates.filter((candidate) => candidate.turn === 'through'));
    // Between two neighbours the links fix the movement, whatever its turn; at an end only a through one.
    const movement = through ?? (entry && exit ? widest(candidates) : undefined);
    return directionGreen(plans[site]!, movement);
  };

  const rows = sites.map((site, index) => ({
    site,
    position: positions[index]!,
    outbound: greenOf(site, outboundHops[index - 1], outboundHops[index]),
    inbound: greenOf(site, inboundHops[index], inboundHops[index - 1]),
  }));
  const reference = rows[0]!.outbound.start;
  const links = rows.slice(1).map((row, index) => {
    const distance = row.position - rows[index]!.position;
    const inboundRoute = inboundHops[index];
    const outboundTime = routeTime(network, outboundHops[index]!);
    const inboundTime = inboundRoute ? routeTime(network, inboundRoute) : outboundTime;
    return {
      from: rows[index]!.site,
      to: row.site,
      outbound: distance / outboundTime,
      inbound: distance / inboundTime,
    };
  });
  const corridorSignals = rows.map((row): CorridorSignal => ({
    id: row.site,
    position: row.position,
    greenSeconds: Math.min(row.outbound.green, cycle),
    inboundGreen: Math.min(row.inbound.green / cycle, 1),
    inboundGreenStart: modulo(row.inbound.start - row.outbound.start, cycle),
  }));
  const travel = (direction: 'outbound' | 'inbound') => {
    const ordered = direction === 'outbound' ? rows : [...rows].reverse();
    let time = 0;
    return ordered.map((row, index) => {
      if (index > 0) {
        const previous = ordered[index - 1]!;
        const link = links.find(
          (l) =>
            (l.from === previous.site && l.to === row.site) ||
            (l.to === previous.site && l.from === row.site),
        )!;
        time += Math.abs(row.position - previous.position) / link[direction];
      }
      const green = row[direction];
      return { start: green.start - time, green: green.green };
    });
  };
  const bandwidth = {
    outbound: fittedBandwidth(travel('outbound'), cycle),
    inbound: fittedBandwidth(travel('inbound'), cycle),
  };
  const speeds = links.flatMap((link) => [link.outbound, link.inbound]);
  return {
    corridor: {
      cycle: { min: cycle, max: cycle },
      speed: { min: Math.min(...speeds), max: Math.max(...speeds) },
      signals: corridorSignals,
    },
    result: {
      cycle,
      bandwidth,
      efficiency: (bandwidth.outbound + bandwidth.inbound) / (2 * cycle),
      signals: rows.map((row) => ({
        id: row.site,
        offset: modulo(row.outbound.start - reference, cycle),
      })),
      links,
    },
    sites: rows,
  };
}

/**
 * The widest band, seconds, that passes every green when greens are given on the first signal's
 * clock (each green's start less the band's travel time to it): the longest arc of the cycle
 * common to all of them. The optimum starts where some green starts, so only those are tried.
 * Rounded down to 0.01 s so the diagram, which checks the band with a 0.01 s tolerance, finds it.
 *
 * @example
 * fittedBandwidth([{ start: 0, green: 40 }, { start: 10, green: 40 }], 80) // => 30
 * fittedBandwidth([{ start: 0, green: 40 }, { start: 40, green: 40 }], 80) // => 0
 */
export function fittedBandwidth(
  greens: readonly { start: number; green: number }[],
  cycle: number,
): number {
  const epsilon = 1e-9;
  if (greens.some((entry) => !(entry.green > epsilon))) return 0;
  const arcs = greens
    .filter((entry) => entry.green < cycle - epsilon)
    .map((entry) => ({ start: modulo(entry.start, cycle), green: entry.green }));
  if (arcs.length === 0) return cycle;
  const widths = arcs.map(({ start: candidate }) =>
    Math.min(
      ...arcs.map(({ start, green }) => {
        let into = modulo(candidate - start, cycle);
        if (into > cycle - epsilon) into = 0;
        return into < green - epsilon ? green - into : 0;
      }),
    ),
  );
  return Math.floor(Math.max(0, ...widths) * 100 + 1e-6) / 100;
}

/** The green of a movement's signal group in a plan, on the common clock (its longest run). */
function directionGreen(plan: TimingPlan, movement: Movement | undefined): DirectionGreen {
  if (!movement?.signalGroup) return { start: 0, green: 0 };
  const intervals = greenIntervals(plan)[movement.signalGroup] ?? [];
  const longest = [...intervals].sort((a, b) => b.end - b.start - (a.end - a.start))[0];
  return {
    movement: movement.id,
    signalGroup: movement.signalGroup,
    start: longest ? modulo(plan.offset + longest.start, plan.cycleLength) : 0,
    green: longest ? Math.min(longest.end - longest.start, plan.cycleLength) : 0,
  };
}

function hopOrUndefined(
  network: RoadNetwork,
  next: Successors,
  from: string,
  to: string,
): string[] | undefined {
  const fromNodes = intersectionsOf(network, from);
  const toNodes = intersectionsOf(network, to);
  let best: { route: string[]; time: number } | undefined;
  for (const node of fromNodes)
    for (const leaving of network.outEdges(node))
      for (const target of toNodes)
        for (const arriving of network.inEdges(target)) {
          const route = fastestRoute(network, next, leaving, arriving);
          if (!route) continue;
          const time = routeTime(network, route);
          if (!best || time < best.time) best = { route, time };
        }
  return best?.route;
}

function hop(network: RoadNetwork, next: Successors, from: string, to: string): string[] {
  const route = hopOrUndefined(network, next, from, to);
  if (!route)
    throw new CorridorProblem(
      'NO_ROUTE',
      `no route leads from site ${from} to site ${to}; give the sites in their order along the road`,
    );
  return route;
}

function intersectionsOf(network: RoadNetwork, site: string): string[] {
  const signal = network.getAttribute('signals')[site]!;
  return signal.intersections.filter((node) => network.hasNode(node));
}

function routeLength(network: RoadNetwork, route: readonly string[]): number {
  return route.reduce((sum, link) => sum + network.getEdgeAttribute(link, 'length'), 0);
}

function routeTime(network: RoadNetwork, route: readonly string[]): number {
  return route.reduce((sum, link) => sum + freeFlowTime(network, link), 0);
}

function movementsByLink(network: RoadNetwork): Map<string, Movement[]> {
  const byLink = new Map<string, Movement[]>();
  for (const movement of Object.values(network.getAttribute('movements'))) {
    byLink.set(movement.from, [...(byLink.get(movement.from) ?? []), movement]);
  }
  return byLink;
}

/** The movement with the most lane connections, ties by id. */
function widest(movements: readonly Movement[]): Movement | undefined {
  return [...movements].sort(
    (a, b) => b.lanes.length - a.lanes.length || a.id.localeCompare(b.id),
  )[0];
}

function modulo(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r;
}
