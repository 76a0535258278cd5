// Writes fixtures/counts/zhengzhou-jinshui-weekday.csv: a synthetic weekday of 15-minute turning counts.
import { seededRandom } from '../src/seeded-random.ts';
//
// Run: node --import tsx scripts/make-day-counts.ts
//
// Every movement of the demo network gets a count per 15 minutes, 00:00–24:00: its peak-hour flow
// (the table below) times a time-of-day factor for its direction (the curves below), drawn as a
// Poisson count from a seeded generator, so the file is the same on every run. The numbers are
// assumptions for tests and demos, not a survey.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNetwork } from '../src/io/load.ts';
import type { Movement, RoadNetwork, TurnType } from '../src/network/types.ts';

const NETWORK = fileURLToPath(
  new URL('../fixtures/networks/zhengzhou-jinshui-road.geojson', import.meta.url),
);
const OUTPUT = fileURLToPath(
  new URL('../fixtures/counts/zhengzhou-jinshui-weekday.csv', import.meta.url),
);
const INTERVAL = 900;
const SEED = 20_250_601;

/**
 * Peak-hour flows by intersection, pcu/h: Jinshui Road's through movement (each way) and the
 * cross street's approach (each way). Major cross streets (Chengdong, Weilai, Dongming) carry more.
 */
const PEAK_FLOWS: Record<string, { arterialThrough: number; crossApproach: number }> = {
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
 * the one U-turn (Weilai Road, westbound) comes on top.
 */
const ARTERIAL_TURN_SHARE: Record<TurnType, number> = {
  left: 0.12,
  right: 0.1,
  through: 0.78,
  uturn: 0.02,
};
const CROSS_TURN_SHARE: Record<TurnType, number> = {
  left: 0.15,
  right: 0.15,
  through: 0.7,
  uturn: 0.02,
};

type Heading = 'eastbound' | 'westbound' | 'northbound' | 'southbound';

/**
 * Height of the morning and evening peaks by heading, as a share of the peak-hour flow. Eastbound
 * (towards Zhengdong New District's offices) is the morning's peak direction, westbound the evening's.
 */
const PEAKS: Record<Heading, { am: number; pm: number }> = {
  eastbound: { am: 1, pm: 0.76 },
  westbound: { am: 0.76, pm: 1 },
  northbound: { am: 0.95, pm: 0.85 },
  southbound: { am: 0.85, pm: 0.95 },
};

/** Time-of-day factor: clock hour → share of the peak-hour flow, linear between the knots. */
function dayShape({ am, pm }: { am: number; pm: number }): [number, number][] {
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

function factorAt(knots: readonly [number, number][], hour: number): number {
  const next = knots.findIndex(([knotHour]) => knotHour >= hour);
  if (next <= 0) return knots[Math.max(next, 0)]![1];
  const [h0, f0] = knots[next - 1]!;
  const [h1, f1] = knots[next]!;
  return f0 + ((f1 - f0) * (hour - h0)) / (h1 - h0);
}

function heading(network: RoadNetwork, movement: Movement): Heading {
  const bearing = network.getEdgeAttribute(movement.from, 'arrivalBearing');
  if (bearing >= 45 && bearing < 135) return 'eastbound';
  if (bearing >= 135 && bearing < 225) return 'southbound';
  if (bearing >= 225 && bearing < 315) return 'westbound';
  return 'northbound';
}

/** Peak-hour flow of one movement, pcu/h. */
function peakFlow(network: RoadNetwork, movement: Movement, direction: Heading): number {
  const flows = PEAK_FLOWS[movement.intersection];
  if (!flows) {
    throw new Error(`make-day-counts: no peak flows for intersection "${movement.intersection}"`);
  }
  const arterial = direction === 'eastbound' || direction === 'westbound';
  if (arterial) {
    return (
      (flows.arterialThrough / ARTERIAL_TURN_SHARE.through) * ARTERIAL_TURN_SHARE[movement.turn]
    );
  }
  return flows.crossApproach * CROSS_TURN_SHARE[movement.turn];
}

/** A Poisson count with mean `mean`: Knuth's method when small, the normal approximation else. */
function poisson(mean: number, rng: () => number): number {
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let count = 0;
    for (let product = rng(); product > limit; product *= rng()) count += 1;
    return count;
  }
  const normal = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal));
}

function clock(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

const { network } = await loadNetwork(NETWORK);
const movements = Object.values(network.getAttribute('movements')).sort((a, b) =>
  a.id.localeCompare(b.id),
);
for (const movement of movements) {
  if (movement.id !== `${movement.from}>${movement.to}`) {
    throw new Error(`make-day-counts: movement "${movement.id}" is not named from>to`);
  }
}
const shapes = Object.fromEntries(
  Object.entries(PEAKS).map(([direction, peaks]) => [direction, dayShape(peaks)]),
) as Record<Heading, [number, number][]>;
const rng = seededRandom(SEED);
const lines = [
  '# Jinshui Road (金水路), Zhengzhou: a weekday of 15-minute turning counts for every movement of',
  '# fixtures/networks/zhengzhou-jinshui-road.geojson. SYNTHETIC, not surveyed: written by',
  '# scripts/make-day-counts.ts (seeded, deterministic). Morning peak 07:30–09:00 heavier',
  '# eastbound, evening peak 17:30–19:00 heavier westbound, midday plateau, quiet night.',
  '# count = vehicles (passenger cars) in the interval.',
  'begin,end,from,to,count',
];
for (let begin = 0; begin < 24 * 3600; begin += INTERVAL) {
  const end = begin + INTERVAL;
  const hour = (begin + INTERVAL / 2) / 3600;
  for (const movement of movements) {
    const direction = heading(network, movement);
    const flow = peakFlow(network, movement, direction) * factorAt(shapes[direction], hour);
    const count = poisson((flow * INTERVAL) / 3600, rng);
    lines.push(`${clock(begin)},${clock(end)},${movement.from},${movement.to},${count}`);
  }
}
await mkdir(dirname(OUTPUT), { recursive: true });
await writeFile(OUTPUT, `${lines.join('\n')}\n`);
console.log(
  `make-day-counts: wrote ${lines.length - 6} rows for ${movements.length} movements to ${OUTPUT}`,
);
