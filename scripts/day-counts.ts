// The synthetic Jinshui Road weekdays of scripts/make-day-counts.ts: demand tables, day shapes and flow propagation.
//
// Pure: plain data and the network graph in, numbers and CSV rows out; make-day-counts.ts does the
// files. Tested by scripts/day-counts.test.ts (`npx vitest run scripts/day-counts.test.ts`).
import type { TurningFlows, VehicleTrip } from '../src/demand/types.ts';
import type { Movement, RoadNetwork, TurnType } from '../src/network/types.ts';

/** Seeds of the two days' Poisson draws: the files are the same on every run. */
export const WEEKDAY_SEED = 20_250_601;
export const TIDAL_WEEKDAY_SEED = 20_250_602;

export type Heading = 'eastbound' | 'westbound' | 'northbound' | 'southbound';

/** Clock hour → share of the peak-hour flow, linear between the knots. */
export type DayShape = [number, number][];

/**
 * Peak-hour flows by intersection, pcu/h: Jinshui Road's through movement (each way) and the
 * cross street's approach (each way). Major cross streets (Chengdong, Weilai, Dongming) carry more.
 */
export const PEAK_FLOWS: Record<string, { arterialThrough: number; crossApproach: number }> = {
  chengdong: { arterialThrough: 860, crossApproach: 520 },
  jingsan: { arterialThrough: 820, crossApproach: 460 },
  jingwu: { arterialThrough: 780, crossApproach: 300 },
  jingqi: { arterialThrough: 760, crossApproach: 320 },
  jingba: { arterialThrough: 800, crossApproach: 420 },
  zhengqi: { arterialThrough: 770, crossApproach: 220 },
  weilai: { arterialThrough: 840, crossApproach: 620 },
  yufeng: { arterialThrough: 750, crossApproach: 300 },
  dongming: { arterialThrough: 720, crossApproach: 480 },
};

/**
 * Share of an approach's flow by turn: Jinshui Road's turns ~10–12 %, the cross streets' ~15 %;
 * the one U-turn (Weilai Road, westbound) comes on top. The first (independent-count) day's shares.
 */
export const ARTERIAL_TURN_SHARE: Record<TurnType, number> = {
  left: 0.12,
  right: 0.1,
  through: 0.78,
  uturn: 0.02,
};
export const CROSS_TURN_SHARE: Record<TurnType, number> = {
  left: 0.15,
  right: 0.15,
  through: 0.7,
  uturn: 0.02,
};

/**
 * Height of the morning and evening peaks by heading, as a share of the peak-hour flow. Eastbound
 * (towards Zhengdong New District's offices) is the morning's peak direction, westbound the evening's.
 */
export const PEAKS: Record<Heading, { am: number; pm: number }> = {
  eastbound: { am: 1, pm: 0.76 },
  westbound: { am: 0.76, pm: 1 },
  northbound: { am: 0.95, pm: 0.85 },
  southbound: { am: 0.85, pm: 0.95 },
};

/**
 * The tidal day's Jinshui Road turning shares: through 0.86, left and right 0.07 each; a U-turn,
 * where the approach has one, takes its 0.02 out of through (`turningShares`).
 */
export const TIDAL_ARTERIAL_TURN_SHARE: Record<TurnType, number> = {
  left: 0.07,
  right: 0.07,
  through: 0.86,
  uturn: 0.02,
};

/**
 * The tidal day's flow entering Jinshui Road at either end, pcu/h at the peak-direction peak, and
 * the counter-peak direction's share of it in the same hour.
 */
export const TIDAL_ARTERIAL_ENTRY = { peakDirection: 1250, counterPeakShare: 0.65 };

/**
 * The tidal day's peak heights by heading: Jinshui Road eastbound peaks in the morning (into
 * Zhengdong New District), westbound in the evening, each at the counter-peak share in the other
 * peak; the cross streets as in `PEAKS`.
 */
export const TIDAL_PEAKS: Record<Heading, { am: number; pm: number }> = {
  eastbound: { am: 1, pm: TIDAL_ARTERIAL_ENTRY.counterPeakShare },
  westbound: { am: TIDAL_ARTERIAL_ENTRY.counterPeakShare, pm: 1 },
  northbound: PEAKS.northbound,
  southbound: PEAKS.southbound,
};

/**
 * Time-of-day factor knots for a heading with the given morning and evening peak heights: quiet
 * night, peaks around 08:15 and 18:15, a midday plateau near 0.6 and an evening shoulder.
 *
 * @example
 * factorAt(dayShape({ am: 1, pm: 0.76 }), 8.25) // => 1
 */
export function dayShape({ am, pm }: { am: number; pm: number }): DayShape {
  return [
    [0, 0.1],
    [2, 0.05],
    [4.5, 0.05],
    [5.5, 0.12],
    [6.5, 0.35],
    [7, 0.55],
    [7.5, 0.95 * am],
    [8.25, am],
    [9, 0.95 * am],
    [9.5, 0.7],
    [10.5, 0.62],
    [12, 0.6],
    [13, 0.55],
    [14, 0.6],
    [16, 0.64],
    [17, 0.72],
    [17.5, 0.95 * pm],
    [18.25, pm],
    [19, 0.95 * pm],
    [19.5, 0.62],
    [20.5, 0.5],
    [21.5, 0.4],
    [22.5, 0.26],
    [23.5, 0.14],
    [24, 0.1],
  ];
}

/**
 * The day shape of every heading, from its peak heights.
 *
 * @example
 * shapesOf(PEAKS).eastbound[7] // => [8.25, 1]
 */
export function shapesOf(peaks: Record<Heading, { am: number; pm: number }>) {
  return Object.fromEntries(
    Object.entries(peaks).map(([direction, heights]) => [direction, dayShape(heights)]),
  ) as Record<Heading, DayShape>;
}

/**
 * The time-of-day factor at a clock hour, linear between the knots.
 *
 * @example
 * factorAt([[0, 0], [2, 1]], 0.5) // => 0.25
 */
export function factorAt(knots: readonly [number, number][], hour: number): number {
  const next = knots.findIndex(([knotHour]) => knotHour >= hour);
  if (next <= 0) return knots[Math.max(next, 0)]![1];
  const [h0, f0] = knots[next - 1]!;
  const [h1, f1] = knots[next]!;
  return f0 + ((f1 - f0) * (hour - h0)) / (h1 - h0);
}

/**
 * The heading of traffic on a link where it reaches its stop line, from its arrival bearing.
 *
 * @example
 * heading(network, 'jinshui-eb-0') // => 'eastbound'
 */
export function heading(network: RoadNetwork, link: string): Heading {
  const bearing = network.getEdgeAttribute(link, 'arrivalBearing');
  if (bearing >= 45 && bearing < 135) return 'eastbound';
  if (bearing >= 135 && bearing < 225) return 'southbound';
  if (bearing >= 225 && bearing < 315) return 'westbound';
  return 'northbound';
}

/** Jinshui Road runs east–west; the cross streets north–south. */
export function isArterial(direction: Heading): boolean {
  return direction === 'eastbound' || direction === 'westbound';
}

function peakFlowsOf(intersection: string): { arterialThrough: number; crossApproach: number } {
  const flows = PEAK_FLOWS[intersection];
  if (!flows) {
    throw new Error(
      `make-day-counts: no peak flows for intersection "${intersection}". Add it to PEAK_FLOWS in scripts/day-counts.ts.`,
    );
  }
  return flows;
}

/**
 * The first day's peak-hour flow of one movement, pcu/h, counted on its own (not flow-consistent).
 *
 * @example
 * peakFlow(movements['jinshui-eb-0>jinshui-eb-1'], 'eastbound') // => 860
 */
export function peakFlow(movement: Movement, direction: Heading): number {
  const flows = peakFlowsOf(movement.intersection);
  if (isArterial(direction)) {
    return (
      (flows.arterialThrough / ARTERIAL_TURN_SHARE.through) * ARTERIAL_TURN_SHARE[movement.turn]
    );
  }
  return flows.crossApproach * CROSS_TURN_SHARE[movement.turn];
}

/**
 * A Poisson count with mean `mean`: Knuth's method when small, the normal approximation else.
 *
 * @example
 * poisson(0, seededRandom(1)) // => 0
 */
export function poisson(mean: number, rng: () => number): number {
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let count = 0;
    for (let product = rng(); product > limit; product *= rng()) count += 1;
    return count;
  }
  const normal = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal));
}

/**
 * Seconds since midnight as `hh:mm`.
 *
 * @example
 * clock(86400) // => '24:00'
 */
export function clock(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/**
 * The network's movements sorted by id, checked to be named `from>to` as the counts file names them.
 *
 * @throws {Error} naming a movement whose id is not `from>to`.
 */
export function sortedMovements(network: RoadNetwork): Movement[] {
  const movements = Object.values(network.getAttribute('movements')).sort((a, b) =>
    a.id.localeCompare(b.id),
  );
  for (const movement of movements) {
    if (movement.id !== `${movement.from}>${movement.to}`) {
      throw new Error(
        `make-day-counts: movement "${movement.id}" is not named from>to. Name it "${movement.from}>${movement.to}" in the network.`,
      );
    }
  }
  return movements;
}

/**
 * Count rows `hh:mm,hh:mm,from,to,count` for every movement in every interval of the day:
 * a Poisson count around `flowsAt(hour)(movement)` pcu/h, `hour` the interval's middle, drawn in
 * interval order then movement order, so one `rng` gives one file.
 *
 * @example
 * countRows([movement], () => () => 0, seededRandom(1), 43200)
 * // => ['00:00,12:00,a,b,0', '12:00,24:00,a,b,0']
 */
export function countRows(
  movements: readonly Movement[],
  flowsAt: (hour: number) => (movement: Movement) => number,
  rng: () => number,
  interval = 900,
): string[] {
  const rows: string[] = [];
  for (let begin = 0; begin < 24 * 3600; begin += interval) {
    const end = begin + interval;
    const flowOf = flowsAt((begin + interval / 2) / 3600);
    for (const movement of movements) {
      const flow = flowOf(movement);
      const count = poisson((flow * interval) / 3600, rng);
      rows.push(`${clock(begin)},${clock(end)},${movement.from},${movement.to},${count}`);
    }
  }
  return rows;
}

/**
 * The links on which vehicles enter the network: those leaving a boundary intersection, found as
 * `routesFromTurns` finds them.
 *
 * @example
 * boundaryEntries(network).slice(0, 2) // => ['jinshui-eb-0', 'jinshui-wb-9']
 */
export function boundaryEntries(network: RoadNetwork): string[] {
  return network.filterEdges(
    (_link, _attributes, source) => network.getNodeAttribute(source, 'kind') === 'boundary',
  );
}

/**
 * Each movement's share of its approach's flow, by turn type from `shareOf(approach)`: a U-turn
 * takes its share out of through; the shares of an approach are scaled to sum to 1, so an approach
 * without some turn spreads that turn's share over the others.
 *
 * @throws {Error} naming an approach whose turns get no share at all.
 * @example
 * turningShares(network, () => TIDAL_ARTERIAL_TURN_SHARE)['jinshui-wb-7>jinshui-eb-7'] // => 0.02
 */
export function turningShares(
  network: RoadNetwork,
  shareOf: (approach: string) => Record<TurnType, number>,
): Record<string, number> {
  const byApproach = new Map<string, Movement[]>();
  for (const movement of Object.values(network.getAttribute('movements'))) {
    const group = byApproach.get(movement.from) ?? [];
    group.push(movement);
    byApproach.set(movement.from, group);
  }
  const shares: Record<string, number> = {};
  for (const [approach, movements] of byApproach) {
    const table = shareOf(approach);
    const hasUturn = movements.some((movement) => movement.turn === 'uturn');
    const raw = (turn: TurnType) =>
      turn === 'through' && hasUturn ? table.through - table.uturn : table[turn];
    const total = movements.reduce((sum, movement) => sum + raw(movement.turn), 0);
    if (!(total > 0)) {
      throw new Error(
        `turningShares: approach "${approach}" gets no share for its turns (${movements.map((m) => m.turn).join(', ')}). Give them shares above 0.`,
      );
    }
    for (const movement of movements) shares[movement.id] = raw(movement.turn) / total;
  }
  return shares;
}

/**
 * Expected flow on every link when `entries` (pcu/h by link) enter the network and every stop line
 * passes its approach's flow on by `shares` (movement id → share): the fixed point of
 * flow(link) = entry(link) + Σ flow(approach) × share over the movements into the link, by
 * repeated substitution (exact after as many rounds as the longest route has links).
 *
 * @throws {Error} when the flows do not settle (a cycle of turns passing on all of its flow).
 * @example
 * linkFlows(network, { 'jinshui-eb-0': 1000 }, shares)['jinshui-eb-1'] // => 860
 */
export function linkFlows(
  network: RoadNetwork,
  entries: Record<string, number>,
  shares: Record<string, number>,
): Record<string, number> {
  const movements = Object.values(network.getAttribute('movements'));
  let flows: Record<string, number> = {};
  for (const link of network.edges()) flows[link] = entries[link] ?? 0;
  const rounds = 10 * network.size + 10;
  for (let round = 0; round < rounds; round++) {
    const next: Record<string, number> = {};
    for (const link of network.edges()) next[link] = entries[link] ?? 0;
    for (const movement of movements) {
      next[movement.to]! += flows[movement.from]! * (shares[movement.id] ?? 0);
    }
    const change = Math.max(
      0,
      ...network.edges().map((link) => Math.abs(next[link]! - flows[link]!)),
    );
    flows = next;
    if (change <= 1e-9) return flows;
  }
  throw new Error(
    `linkFlows: the link flows do not settle after ${rounds} rounds: some cycle of turns passes on all its flow. Give the turns in the cycle shares that sum below 1.`,
  );
}

const TIDAL_SHAPES = shapesOf(TIDAL_PEAKS);

/**
 * The tidal day's flow entering on a boundary link at a clock hour, pcu/h: Jinshui Road's ends
 * at `TIDAL_ARTERIAL_ENTRY.peakDirection` × the tidal day shape of their heading; a cross street
 * at its intersection's `crossApproach` × the day shape of its heading.
 *
 * @example
 * tidalEntryFlow(network, 'jinshui-eb-0', 8.25) // => 1250
 */
export function tidalEntryFlow(network: RoadNetwork, link: string, hour: number): number {
  const direction = heading(network, link);
  const shape = TIDAL_SHAPES[direction];
  if (isArterial(direction)) return TIDAL_ARTERIAL_ENTRY.peakDirection * factorAt(shape, hour);
  return peakFlowsOf(network.target(link)).crossApproach * factorAt(shape, hour);
}

/** The tidal day's turning shares: `TIDAL_ARTERIAL_TURN_SHARE` on Jinshui Road, `CROSS_TURN_SHARE` else. */
export function tidalShares(network: RoadNetwork): Record<string, number> {
  return turningShares(network, (approach) =>
    isArterial(heading(network, approach)) ? TIDAL_ARTERIAL_TURN_SHARE : CROSS_TURN_SHARE,
  );
}

/**
 * The tidal day's expected link flows at a clock hour, pcu/h: boundary entries carried through the
 * network by `shares` (`tidalShares`).
 *
 * @example
 * tidalLinkFlows(network, tidalShares(network), 8.25)['jinshui-eb-1'] // => 1215.4 (1250 × 0.86 + Chengdong Road's turns in)
 */
export function tidalLinkFlows(
  network: RoadNetwork,
  shares: Record<string, number>,
  hour: number,
): Record<string, number> {
  const entries = Object.fromEntries(
    boundaryEntries(network).map((link) => [link, tidalEntryFlow(network, link, hour)]),
  );
  return linkFlows(network, entries, shares);
}

/**
 * The tidal day's expected flow of every movement at a clock hour, pcu/h: its approach's flow ×
 * its share, so the flows conserve at every stop line.
 *
 * @example
 * tidalMovementFlows(network, tidalShares(network))(8.25)(movements['jinshui-eb-0>jinshui-eb-1']) // => 1075
 */
export function tidalMovementFlows(network: RoadNetwork, shares: Record<string, number>) {
  return (hour: number) => {
    const flows = tidalLinkFlows(network, shares, hour);
    return (movement: Movement) => flows[movement.from]! * (shares[movement.id] ?? 0);
  };
}

/**
 * Mean of a link's expected flow over the 15-minute intervals of [begin, end) hours, pcu/h, each
 * interval taken at its middle as the counts are drawn.
 *
 * @example
 * hourlyFlow((hour) => ({ a: hour }), 'a', 8, 9) // => 8.5
 */
export function hourlyFlow(
  flowsAt: (hour: number) => Record<string, number>,
  link: string,
  begin: number,
  end: number,
  interval = 900,
): number {
  const step = interval / 3600;
  let total = 0;
  let count = 0;
  for (let hour = begin; hour < end - 1e-9; hour += step) {
    total += flowsAt(hour + step / 2)[link] ?? 0;
    count += 1;
  }
  return count > 0 ? total / count : 0;
}

/**
 * Vehicles drawn through each link (routes that pass it and turn on) and vehicles counted out of it
 * in `flows`, for comparing drawn demand with the counts it came from.
 *
 * @example
 * drawnAndCounted([{ route: ['a', 'b'], … }], counts, ['a'])
 * // => { a: { drawn: 1, counted: 1 } }
 */
export function drawnAndCounted(
  vehicles: readonly Pick<VehicleTrip, 'route'>[],
  flows: TurningFlows,
  movements: Record<string, Pick<Movement, 'from'>>,
  links: readonly string[],
): Record<string, { drawn: number; counted: number }> {
  const result: Record<string, { drawn: number; counted: number }> = {};
  for (const link of links) result[link] = { drawn: 0, counted: 0 };
  for (const vehicle of vehicles) {
    vehicle.route.slice(0, -1).forEach((link) => {
      if (result[link]) result[link].drawn += 1;
    });
  }
  for (const flow of flows.flows) {
    const from = movements[flow.movement]?.from;
    if (from !== undefined && result[from]) result[from].counted += flow.vehicles;
  }
  return result;
}
