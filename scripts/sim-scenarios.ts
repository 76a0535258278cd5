// The scenarios the simulator is checked on against SUMO: how each simulator reads them, which plans run, one SUMO run.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SimCommandOptions } from '../src/cli/sim.ts';
import {
  JINSHUI,
  QUIET,
  exportJinshui,
  readScenario,
  runProcess,
  type Pool,
} from './sumo-process.ts';
import { tripRecords, type TripRecord } from './tripinfo.ts';

/** A set of plans: the network's own programs, or `greenwave optimize` with these arguments. */
export interface PlanSet {
  name: string;
  /** Extra `optimize` arguments; undefined for the network's own programs. */
  optimize?: string[];
}

const OWN: PlanSet = { name: 'own' };
/** What the cycle suite runs: cycle, splits and stage order, offsets kept. */
const CYCLE: PlanSet = { name: 'greenwave (offsets kept)', optimize: ['--offsets', 'keep'] };
/** What the coordination suite runs: the whole optimizer, common cycle and TRANSYT offsets. */
const COORDINATED: PlanSet = { name: 'greenwave', optimize: [] };

/** One scenario, as SUMO and as greenwave read it. */
export interface Scenario {
  name: string;
  /** SUMO's input: `-c sumocfg`, or net, routes and window. */
  sumoInput: string[];
  /** `greenwave sim`'s input (no plans). */
  simInput: SimCommandOptions;
  /** `greenwave optimize`'s input. */
  optimizeInput: string[];
  /** The plans run on it, as the SUMO suites produce greenwave's plans for it. */
  planSets: PlanSet[];
}

/** cologne1 is the cycle suite's map, atlanta and Jinshui the coordination suite's, cologne3 both. */
function planSetsOf(name: string): PlanSet[] {
  if (name === 'resco/cologne1') return [OWN, CYCLE];
  if (name === 'resco/cologne3') return [OWN, CYCLE, COORDINATED];
  return [OWN, COORDINATED];
}

/** Jinshui Road as SUMO drives it (exported) and as greenwave's simulator reads the same vehicles. */
async function jinshuiScenario(folder: string, pool: Pool): Promise<Scenario> {
  const { net, routes, demand } = await exportJinshui(folder, pool);
  const sumoWindow = ['-b', String(JINSHUI.begin), '-e', String(JINSHUI.end)];
  return {
    name: 'jinshui',
    sumoInput: ['-n', net, '-r', routes, ...sumoWindow],
    // The same vehicles SUMO drives, on the GeoJSON network they were drawn for.
    simInput: {
      net: JINSHUI.network,
      demand: routes,
      begin: String(JINSHUI.begin),
      end: String(JINSHUI.end),
    },
    optimizeInput: ['--net', JINSHUI.network, ...demand],
    planSets: planSetsOf('jinshui'),
  };
}

/**
 * `jinshui` (exported to SUMO into `folder`), or a SUMO map under the data folder as `FOLDER/MAP`
 * with `FOLDER/MAP/MAP.sumocfg`.
 *
 * @example
 * (await loadScenario('resco/cologne1', data, folder, pool)).sumoInput // → ['-c', '…/cologne1.sumocfg']
 */
export async function loadScenario(
  name: string,
  data: string,
  folder: string,
  pool: Pool,
): Promise<Scenario> {
  if (name === 'jinshui') return jinshuiScenario(folder, pool);
  const sumocfg = join(data, name, `${basename(name)}.sumocfg`);
  if (!existsSync(sumocfg)) {
    throw new Error(`no ${sumocfg}; give the case as jinshui or FOLDER/MAP under ${data}`);
  }
  // Fails early, naming what is missing, when the sumocfg lacks a net, routes or window.
  await readScenario(sumocfg, name);
  return {
    name,
    sumoInput: ['-c', sumocfg],
    simInput: { net: sumocfg },
    optimizeInput: ['--net', sumocfg],
    planSets: planSetsOf(name),
  };
}

/**
 * greenwave's programs from its own CLI as a SUMO additional file, which both simulators load;
 * undefined for the network's own programs.
 */
export async function programs(
  scenario: Scenario,
  planSet: PlanSet,
  folder: string,
  pool: Pool,
): Promise<string | undefined> {
  if (!planSet.optimize) return undefined;
  const file = join(folder, `${fileName(scenario.name, planSet.name)}.add.xml`);
  const args = ['optimize', ...scenario.optimizeInput, ...planSet.optimize, '--out', file];
  await pool(() => runProcess(process.execPath, ['bin/greenwave.js', ...args]));
  return file;
}

/** A file name from parts that may hold slashes and spaces. */
export function fileName(...parts: string[]): string {
  return parts.join('.').replace(/[^\w.-]+/g, '_');
}

/** One SUMO run: its finished trips, and from its statistics the vehicles never inserted and teleports. */
export interface SumoRun {
  trips: TripRecord[];
  notInserted: number;
  teleports: number;
  wallSeconds: number;
}

/**
 * Runs SUMO on the scenario with the given programs and seed, writing its tripinfo and statistics
 * beside `base`.
 *
 * @throws when SUMO fails.
 */
export async function runSumo(
  scenario: Scenario,
  additional: string | undefined,
  seed: number,
  base: string,
  pool: Pool,
): Promise<SumoRun> {
  const args = [
    ...scenario.sumoInput,
    ...['--seed', String(seed)],
    ...['--tripinfo-output', `${base}.tripinfo.xml`],
    ...['--statistic-output', `${base}.statistics.xml`],
    ...(additional ? ['-a', additional] : []),
    ...QUIET,
  ];
  const wallSeconds = await pool(() => runProcess('sumo', args));
  const trips = [...tripRecords(await readFile(`${base}.tripinfo.xml`, 'utf8'))];
  const statistics = await readFile(`${base}.statistics.xml`, 'utf8');
  const attribute = (tag: string, name: string) =>
    Number(new RegExp(`<${tag}\\b[^>]*\\b${name}="([^"]*)"`).exec(statistics)?.[1] ?? NaN);
  return {
    trips,
    notInserted: attribute('vehicles', 'waiting'),
    teleports: attribute('teleports', 'total'),
    wallSeconds,
  };
}
