// Writes the synthetic weekdays of 15-minute turning counts on Jinshui Road, and checks the tidal one.
//
// Run: node --import tsx scripts/make-day-counts.ts
//
// fixtures/counts/zhengzhou-jinshui-weekday.csv: every movement of the demo network gets a count per
// 15 minutes, 00:00–24:00, on its own: its peak-hour flow times a time-of-day factor for its
// direction, drawn as a Poisson count. Not flow-consistent: inner approaches get more counted than
// the upstream turns send them.
//
// fixtures/counts/zhengzhou-jinshui-tidal-weekday.csv: a tidal commuter weekday, flow-consistent by
// construction: demand enters at the boundary links and is carried through every stop line by
// turning shares (scripts/day-counts.ts), each movement's count Poisson around its approach's
// expected flow × its share. The script then prints the expected arterial approach flows in the
// peak hours, the day's totals, and drawn ÷ counted flow per arterial approach when vehicles are
// drawn from each file with routesFromTurns (07:30–09:00), which is ~1 only for consistent counts.
//
// Both files come from seeded generators, so they are the same on every run. The numbers are
// assumptions for tests and demos, not a survey.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routesFromTurns } from '../src/demand/routes-from-turns.ts';
import { loadDemand, loadNetwork } from '../src/io/load.ts';
import type { RoadNetwork } from '../src/network/types.ts';
import { seededRandom } from '../src/seeded-random.ts';
import {
  CROSS_TURN_SHARE,
  PEAK_FLOWS,
  PEAKS,
  TIDAL_ARTERIAL_ENTRY,
  TIDAL_ARTERIAL_TURN_SHARE,
  TIDAL_WEEKDAY_SEED,
  WEEKDAY_SEED,
  boundaryEntries,
  countRows,
  drawnAndCounted,
  factorAt,
  heading,
  hourlyFlow,
  isArterial,
  peakFlow,
  shapesOf,
  sortedMovements,
  tidalLinkFlows,
  tidalMovementFlows,
  tidalShares,
} from './day-counts.ts';

const NETWORK = fileURLToPath(
  new URL('../fixtures/networks/zhengzhou-jinshui-road.geojson', import.meta.url),
);
const OUTPUT = fileURLToPath(
  new URL('../fixtures/counts/zhengzhou-jinshui-weekday.csv', import.meta.url),
);
const TIDAL_OUTPUT = fileURLToPath(
  new URL('../fixtures/counts/zhengzhou-jinshui-tidal-weekday.csv', import.meta.url),
);
const INTERVAL = 900;
/** Seed of the vehicles drawn for the consistency check, and its window (07:30–09:00), seconds. */
const CHECK_SEED = 1;
const CHECK_WINDOW = { begin: 7.5 * 3600, end: 9 * 3600 };
/** The peak hours whose expected arterial flows are printed, clock hours. */
const CHECK_HOURS: [string, number, number][] = [
  ['08:00–09:00', 8, 9],
  ['17:45–18:45', 17.75, 18.75],
];

const { network } = await loadNetwork(NETWORK);
const movements = sortedMovements(network);

// ---- the first weekday: independent counts per movement (kept byte for byte) -------------------

const shapes = shapesOf(PEAKS);
await writeCounts(
  OUTPUT,
  [
    '# Jinshui Road (金水路), Zhengzhou: a weekday of 15-minute turning counts for every movement of',
    '# fixtures/networks/zhengzhou-jinshui-road.geojson. SYNTHETIC, not surveyed: written by',
    '# scripts/make-day-counts.ts (seeded, deterministic). Morning peak 07:30–09:00 heavier',
    '# eastbound, evening peak 17:30–19:00 heavier westbound, midday plateau, quiet night.',
    '# count = vehicles (passenger cars) in the interval.',
  ],
  countRows(
    movements,
    (hour) => (movement) => {
      const direction = heading(network, movement.from);
      return peakFlow(movement, direction) * factorAt(shapes[direction], hour);
    },
    seededRandom(WEEKDAY_SEED),
    INTERVAL,
  ),
);

// ---- the tidal weekday: boundary entries carried through by turning shares ---------------------

const shares = tidalShares(network);
const crossFlows = Object.entries(PEAK_FLOWS)
  .map(([intersection, { crossApproach }]) => `${intersection} ${crossApproach}`)
  .join(', ');
await writeCounts(
  TIDAL_OUTPUT,
  [
    '# Jinshui Road (金水路), Zhengzhou: a TIDAL commuter weekday of 15-minute turning counts for every',
    '# movement of fixtures/networks/zhengzhou-jinshui-road.geojson. SYNTHETIC, not surveyed: written by',
    '# scripts/make-day-counts.ts (seeded, deterministic). Assumptions:',
    '# - Flow-consistent: vehicles enter only on boundary links (both ends of Jinshui Road, every',
    '#   cross-street approach) and each stop line passes its approach flow on by fixed turning shares;',
    "#   a count is Poisson around its approach's expected flow × its share, so counts conserve flow",
    '#   up to that noise. Inner Jinshui Road flows follow from the turns: the peak direction thins',
    '#   along the road where more traffic turns off than the cross streets feed in.',
    `# - Tidal: Jinshui Road's entry at either end reaches ${TIDAL_ARTERIAL_ENTRY.peakDirection} pcu/h at its peak:`,
    '#   eastbound in the morning (into Zhengdong New District, peak 08:15), westbound in the evening',
    `#   (peak 18:15); the counter-peak direction ${TIDAL_ARTERIAL_ENTRY.counterPeakShare} of that in the same hour.`,
    `# - Turning shares: Jinshui Road through ${TIDAL_ARTERIAL_TURN_SHARE.through}, left ${TIDAL_ARTERIAL_TURN_SHARE.left}, right ${TIDAL_ARTERIAL_TURN_SHARE.right}`,
    `#   (Weilai Road westbound: U-turn ${TIDAL_ARTERIAL_TURN_SHARE.uturn} out of through); cross streets through ${CROSS_TURN_SHARE.through},`,
    `#   left ${CROSS_TURN_SHARE.left}, right ${CROSS_TURN_SHARE.right}.`,
    '# - Cross-street entries, pcu/h at peak, each way:',
    `#   ${crossFlows};`,
    `#   northbound × ${PEAKS.northbound.am} am, ${PEAKS.northbound.pm} pm; southbound × ${PEAKS.southbound.am} am, ${PEAKS.southbound.pm} pm.`,
    '# - Day shape as zhengzhou-jinshui-weekday.csv: night 0.05–0.1, midday ~0.6, evening shoulder;',
    '#   only the peak heights and the directional split differ.',
    '# count = vehicles (passenger cars) in the interval.',
  ],
  countRows(
    movements,
    tidalMovementFlows(network, shares),
    seededRandom(TIDAL_WEEKDAY_SEED),
    INTERVAL,
  ),
);

// ---- checks ------------------------------------------------------------------------------------

printPeakApproachFlows(network, shares);
for (const [name, file] of [
  ['weekday', OUTPUT],
  ['tidal weekday', TIDAL_OUTPUT],
] as const) {
  const day = await loadDemand(file, network, { interval: INTERVAL });
  const total = day.flows.flows.reduce((sum, flow) => sum + flow.vehicles, 0);
  const entries = new Set(boundaryEntries(network));
  const movementsById = network.getAttribute('movements');
  const entering = day.flows.flows
    .filter((flow) => entries.has(movementsById[flow.movement]!.from))
    .reduce((sum, flow) => sum + flow.vehicles, 0);
  console.log(
    `${name}: loadDemand reads ${day.flows.flows.length} counts, ${day.flows.begin}–${day.flows.end} s;` +
      ` ${total} movement counts in the day, ${entering} vehicles entering`,
  );
}
await printDrawnOverCounted(network);

async function writeCounts(file: string, comments: string[], rows: string[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${[...comments, 'begin,end,from,to,count', ...rows].join('\n')}\n`);
  console.log(
    `make-day-counts: wrote ${rows.length} rows for ${movements.length} movements to ${file}`,
  );
}

/** Jinshui Road's approach links into each intersection, west to east, by direction. */
function arterialApproaches(
  road: RoadNetwork,
): { intersection: string; eb?: string; wb?: string }[] {
  const approaches = road
    .filterEdges((link) => isArterial(heading(road, link)))
    .filter((link) => road.getNodeAttribute(road.target(link), 'kind') !== 'boundary');
  const intersections = Object.keys(PEAK_FLOWS);
  return intersections.map((intersection) => ({
    intersection,
    eb: approaches.find(
      (link) => road.target(link) === intersection && heading(road, link) === 'eastbound',
    ),
    wb: approaches.find(
      (link) => road.target(link) === intersection && heading(road, link) === 'westbound',
    ),
  }));
}

function printPeakApproachFlows(road: RoadNetwork, turnShares: Record<string, number>): void {
  const flowsAt = (hour: number) => tidalLinkFlows(road, turnShares, hour);
  console.log('\ntidal weekday: expected Jinshui Road approach flow (its through movement), pcu/h');
  console.log(
    `${'intersection'.padEnd(12)} ${CHECK_HOURS.flatMap(([label]) => [`EB ${label}`, `WB ${label}`])
      .map((text) => text.padStart(19))
      .join(' ')}`,
  );
  for (const { intersection, eb, wb } of arterialApproaches(road)) {
    const cells = CHECK_HOURS.flatMap(([, begin, end]) =>
      [eb, wb].map((link) => {
        if (!link) return '—'.padStart(19);
        const approach = hourlyFlow(flowsAt, link, begin, end, INTERVAL);
        const through = Object.values(road.getAttribute('movements')).find(
          (movement) => movement.from === link && movement.turn === 'through',
        );
        const throughFlow = through ? approach * (turnShares[through.id] ?? 0) : 0;
        return `${approach.toFixed(0)} (${throughFlow.toFixed(0)})`.padStart(19);
      }),
    );
    console.log(`${intersection.padEnd(12)} ${cells.join(' ')}`);
  }
  let counts = 0;
  let entering = 0;
  const entries = new Set(boundaryEntries(road));
  for (let begin = 0; begin < 24 * 3600; begin += INTERVAL) {
    const flowOf = tidalMovementFlows(road, turnShares)((begin + INTERVAL / 2) / 3600);
    for (const movement of movements) {
      const vehicles = (flowOf(movement) * INTERVAL) / 3600;
      counts += vehicles;
      if (entries.has(movement.from)) entering += vehicles;
    }
  }
  console.log(
    `tidal weekday, expected: ${counts.toFixed(0)} movement counts in the day, ${entering.toFixed(0)} vehicles entering\n`,
  );
}

async function printDrawnOverCounted(road: RoadNetwork): Promise<void> {
  const approaches = arterialApproaches(road);
  const links = approaches.flatMap(({ eb, wb }) => [eb, wb]).filter((link) => link !== undefined);
  const ratios: Record<string, Record<string, { drawn: number; counted: number }>> = {};
  for (const [name, file] of [
    ['weekday', OUTPUT],
    ['tidal', TIDAL_OUTPUT],
  ] as const) {
    const { flows } = await loadDemand(file, road, { ...CHECK_WINDOW, interval: INTERVAL });
    const vehicles = routesFromTurns(road, flows, {
      rng: seededRandom(CHECK_SEED),
      departures: 'poisson',
    });
    ratios[name] = drawnAndCounted(vehicles, flows, road.getAttribute('movements'), links);
  }
  console.log(
    'drawn ÷ counted vehicles per Jinshui Road approach, 07:30–09:00 (routesFromTurns, Poisson, seed 1)',
  );
  console.log(`${'approach'.padEnd(14)} ${'weekday'.padStart(20)} ${'tidal weekday'.padStart(20)}`);
  const cell = ({ drawn, counted }: { drawn: number; counted: number }) =>
    `${(drawn / counted).toFixed(3)} (${drawn}/${counted})`.padStart(20);
  const sums = { weekday: { drawn: 0, counted: 0 }, tidal: { drawn: 0, counted: 0 } };
  for (const link of links) {
    const weekday = ratios.weekday![link]!;
    const tidal = ratios.tidal![link]!;
    console.log(`${link.padEnd(14)} ${cell(weekday)} ${cell(tidal)}`);
    for (const [key, value] of [
      ['weekday', weekday],
      ['tidal', tidal],
    ] as const) {
      sums[key].drawn += value.drawn;
      sums[key].counted += value.counted;
    }
  }
  console.log(`${'all'.padEnd(14)} ${cell(sums.weekday)} ${cell(sums.tidal)}`);
}
