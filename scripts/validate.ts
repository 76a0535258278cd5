// `npm run validate`: loads every real network and demand in ../shared/data the way `greenwave
// inspect` does, and checks the result against counts taken independently of the loaders: the
// raw files (regular expressions and JSON lengths) and SUMO's own router, duarouter.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDemand, loadNetwork } from '../src/io/load.ts';
import { successors } from '../src/network/routing.ts';

const data = process.env['GREENWAVE_DATA'] ?? resolve(import.meta.dirname, '../../shared/data');

interface Case {
  name: string;
  net: string;
  demand: string;
  /** The window, seconds; SUMO cases take it from their sumocfg. */
  begin?: number;
  end?: number;
  /** Route trips with SUMO's duarouter and compare. */
  duarouter?: boolean;
}

const cases: Case[] = [
  {
    name: 'resco/cologne1',
    net: 'resco/cologne1/cologne1.sumocfg',
    demand: 'resco/cologne1/cologne1.rou.xml',
    duarouter: true,
  },
  {
    name: 'resco/cologne3',
    net: 'resco/cologne3/cologne3.sumocfg',
    demand: 'resco/cologne3/cologne3.rou.xml',
  },
  {
    name: 'resco/ingolstadt1',
    net: 'resco/ingolstadt1/ingolstadt1.sumocfg',
    demand: 'resco/ingolstadt1/ingolstadt1.rou.xml',
    duarouter: true,
  },
  {
    name: 'libsignal/atlanta_1x5 (SUMO)',
    net: 'libsignal/atlanta_1x5/atlanta_1x5.sumocfg',
    demand: 'libsignal/atlanta_1x5/atlanta_1x5.rou.xml',
  },
  {
    name: 'libsignal/atlanta_1x5 (CityFlow)',
    net: 'libsignal/atlanta_1x5/roadnet_atlanta.json',
    demand: 'libsignal/atlanta_1x5/atlanta.json',
  },
  {
    name: 'cityflow/jinan_3x4',
    net: 'cityflow/jinan_3x4/roadnet_3_4.json',
    demand: 'cityflow/jinan_3x4/anon_3_4_jinan_real.json',
  },
  {
    name: 'cityflow/hangzhou_4x4',
    net: 'cityflow/hangzhou_4x4/roadnet_4_4.json',
    demand: 'cityflow/hangzhou_4x4/anon_4_4_hangzhou_real.json',
  },
  {
    name: 'cityflow/hangzhou_4x4 (5816)',
    net: 'cityflow/hangzhou_4x4/roadnet_4_4.json',
    demand: 'cityflow/hangzhou_4x4/anon_4_4_hangzhou_real_5816.json',
  },
];

interface Row {
  map: string;
  signals: number;
  links: number;
  movements: number;
  inFile: number;
  loaded: number;
  connected: string;
  counted: string;
  duarouter: string;
  seconds: number;
}

/** Vehicles departing in [begin, end) counted straight from the raw file, without our parsers. */
function countInFile(text: string, begin = -Infinity, end = Infinity): number {
  if (text.trimStart().startsWith('[')) {
    return (JSON.parse(text) as { startTime: number }[]).filter(
      (entry) => entry.startTime >= begin && entry.startTime < end,
    ).length;
  }
  if (/<flow\b/.test(text)) throw new Error('countInFile: SUMO <flow> elements need expanding');
  let count = 0;
  for (const match of text.matchAll(/<(?:vehicle|trip)\b[^>]*?\bdepart="([^"]+)"/g)) {
    const depart = Number(match[1]);
    if (depart >= begin && depart < end) count++;
  }
  return count;
}

/** Routes SUMO's duarouter finds for the same trips, by vehicle id. */
function duarouterRoutes(
  net: string,
  demand: string,
  begin: number,
  end: number,
): Map<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'greenwave-validate-'));
  try {
    const output = join(dir, 'routes.rou.xml');
    execFileSync(
      'duarouter',
      [
        '--xml-validation',
        'never',
        '-n',
        net,
        '-r',
        demand,
        '-o',
        output,
        '--begin',
        String(begin),
        '--end',
        String(end),
        '--no-step-log',
        '--no-warnings',
        '--ignore-errors',
      ],
      {
        stdio: 'pipe',
        env: { ...process.env, SUMO_HOME: process.env['SUMO_HOME'] ?? '/usr/share/sumo' },
      },
    );
    const routes = new Map<string, string>();
    for (const match of readFileSync(output, 'utf8').matchAll(
      /<vehicle id="([^"]+)"[^>]*>\s*<route edges="([^"]+)"/g,
    )) {
      routes.set(match[1]!, match[2]!);
    }
    return routes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function validate(test: Case): Promise<{ row: Row; failures: string[] }> {
  const started = performance.now();
  const failures: string[] = [];
  const loaded = await loadNetwork(join(data, test.net));
  const begin = test.begin ?? loaded.window?.begin;
  const end = test.end ?? loaded.window?.end;
  const demandFile = join(data, test.demand);
  const demand = await loadDemand(demandFile, loaded.network, { begin, end });
  const vehicles = demand.vehicles ?? [];
  const inFile = countInFile(readFileSync(demandFile, 'utf8'), begin, end);
  if (vehicles.length !== inFile)
    failures.push(`${vehicles.length} vehicles loaded, ${inFile} in the file`);

  const next = successors(loaded.network);
  const broken = vehicles.filter((vehicle) =>
    vehicle.route.some((link, i) => i > 0 && !next.get(vehicle.route[i - 1]!)?.includes(link)),
  );
  if (broken.length > 0)
    failures.push(`${broken.length} routes not connected, e.g. ${broken[0]!.id}`);

  // Every turn of every route lands in the turning flows (or falls outside the window in time).
  const turns = vehicles.reduce((sum, vehicle) => sum + vehicle.route.length - 1, 0);
  const counted = demand.flows.flows.reduce((sum, flow) => sum + flow.vehicles, 0);

  let duarouter = '–';
  if (test.duarouter && begin !== undefined && end !== undefined) {
    const routes = duarouterRoutes(
      join(data, test.net.replace('.sumocfg', '.net.xml')),
      demandFile,
      begin,
      end,
    );
    const same = vehicles.filter(
      (vehicle) => routes.get(vehicle.id) === vehicle.route.join(' '),
    ).length;
    duarouter = `${routes.size} routed, ${same} identical`;
    if (routes.size !== vehicles.length)
      failures.push(`duarouter routed ${routes.size} trips, greenwave ${vehicles.length}`);
    if (same < 0.95 * vehicles.length)
      failures.push(`only ${same} of ${vehicles.length} routes match duarouter's`);
  }
  const summary = (kind: 'signals' | 'movements') =>
    Object.keys(loaded.network.getAttribute(kind)).length;
  return {
    failures,
    row: {
      map: test.name,
      signals: summary('signals'),
      links: loaded.network.size,
      movements: summary('movements'),
      inFile,
      loaded: vehicles.length,
      connected: `${vehicles.length - broken.length}/${vehicles.length}`,
      counted: `${Math.round(counted)}/${turns}`,
      duarouter,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    },
  };
}

const rows: Row[] = [];
let failed = 0;
for (const test of cases) {
  try {
    const { row, failures } = await validate(test);
    rows.push(row);
    for (const failure of failures) console.error(`FAIL ${test.name}: ${failure}`);
    failed += failures.length;
  } catch (error) {
    console.error(`FAIL ${test.name}: ${(error as Error).message}`);
    failed++;
  }
}
console.log(
  '\n| map | signals | links | movements | vehicles in file (window) | loaded | routes connected | turns counted | duarouter | s |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
for (const row of rows) console.log(`| ${Object.values(row).join(' | ')} |`);
console.log(`\nvalidate: ${rows.length} maps loaded, ${failed} failure(s)`);
process.exitCode = failed > 0 ? 1 : 0;
