// The coordination suite: delay and arterial through-traffic stops under own, SUMO-tool and greenwave green waves.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { findArterial, signalsByEdge, vehicleRoutes } from './arterial.ts';
import {
  QUIET,
  SUMO_HOME,
  TLS_CYCLE_ADAPTATION,
  JINSHUI,
  exportJinshui,
  figure,
  mean,
  readScenario,
  routedDemand,
  runProcess,
  type Demand,
  type Pool,
} from './sumo-process.ts';
import { summarizeStops, summarizeTripinfo, type TripSummary } from './tripinfo.ts';

type PlanSet = 'own' | 'tools' | 'greenwave';

const PLAN_SETS: readonly PlanSet[] = ['own', 'tools', 'greenwave'];
const TLS_COORDINATOR = join(SUMO_HOME, 'tools', 'tlsCoordinator.py');

/** One green-wave case: a network with an arterial, and how SUMO and greenwave read it. */
interface CoordinationCase extends Demand {
  name: string;
  /** SUMO's input: the sumocfg, or net, routes and window. */
  sumoInput: string[];
  /** greenwave optimize's input: the sumocfg, or the GeoJSON network with its counts. */
  greenwaveInput: string[];
}

/** One SUMO run: a case, a plan set and a seed, with the arterial's through traffic apart. */
interface Run extends TripSummary {
  case: string;
  planSet: PlanSet;
  seed: number;
  ok: boolean;
  seconds: number;
  /** Finished trips of the arterial's through vehicles. */
  throughTrips: number;
  /** Their mean tripinfo waitingCount, stops per vehicle. */
  meanThroughStops: number;
  error?: string;
}

/** The per-run figures averaged over seeds. */
type Measure = 'meanDelay' | 'meanThroughStops' | 'throughTrips';

/** The programs of one plan set: additional files for `sumo -a`, or the network's own (none). */
interface Programs {
  additional?: string;
  seconds: number;
  error?: string;
}

/** One case's arterial, runs and program timings; `error` when the case could not be set up. */
interface CaseResult {
  name: string;
  arterial: string[];
  /** Through vehicles in the route files that depart inside the window. */
  throughVehicles: number;
  greenwaveOptimizeSeconds: number;
  toolSeconds: number;
  runs: Run[];
  setup?: CoordinationCase;
  error?: string;
}

/** What the coordination suite needs: case names, seeds, the data folder, a work folder, the pool. */
export interface CoordinationSuiteOptions {
  cases: string[];
  seeds: number[];
  data: string;
  folder: string;
  pool: Pool;
}

/** The coordination suite's printed lines, failures and its section of the results file. */
export interface CoordinationSuiteResult {
  lines: string[];
  failures: string[];
  runs: number;
  report: object;
}

/** The project's Jinshui Road written to SUMO by the greenwave CLI, as a user would. */
async function jinshuiCase(folder: string, pool: Pool): Promise<CoordinationCase> {
  const { net, routes, demand } = await exportJinshui(folder, pool);
  return {
    name: 'jinshui',
    net,
    routeFiles: [routes],
    begin: JINSHUI.begin,
    end: JINSHUI.end,
    needsRouting: false,
    sumoInput: ['-n', net, '-r', routes, '-b', String(JINSHUI.begin), '-e', String(JINSHUI.end)],
    greenwaveInput: ['--net', JINSHUI.network, ...demand],
  };
}

/** `jinshui`, or a SUMO map under the data folder as `FOLDER/MAP` with `FOLDER/MAP/MAP.sumocfg`. */
async function loadCase(
  name: string,
  data: string,
  folder: string,
  pool: Pool,
): Promise<CoordinationCase> {
  if (name === 'jinshui') return jinshuiCase(folder, pool);
  const sumocfg = join(data, name, `${basename(name)}.sumocfg`);
  if (!existsSync(sumocfg)) {
    throw new Error(`no ${sumocfg}; pass --cases as jinshui or FOLDER/MAP under ${data}`);
  }
  const { net, routeFiles, begin, end, needsRouting } = await readScenario(sumocfg, name);
  const input = { sumoInput: ['-c', sumocfg], greenwaveInput: ['--net', sumocfg] };
  return { name, net, routeFiles, begin, end, needsRouting, ...input };
}

/** The arterial in the net and the through vehicles among the routes that depart in the window. */
async function readArterial(setup: CoordinationCase, routeFiles: string[]) {
  const net = await readFile(setup.net, 'utf8');
  const routes = await Promise.all(routeFiles.map((file) => readFile(file, 'utf8')));
  const vehicles = routes.flatMap((text) => vehicleRoutes(text));
  const arterial = findArterial(vehicles, signalsByEdge(net));
  const inWindow = vehicles.filter(
    (vehicle) =>
      arterial.throughVehicles.has(vehicle.id) &&
      vehicle.depart >= setup.begin &&
      vehicle.depart < setup.end,
  );
  return { ...arterial, inWindow: inWindow.length };
}

/** SUMO's green wave: tlsCycleAdaptation.py with one unified cycle, then tlsCoordinator.py. */
async function toolPrograms(
  setup: CoordinationCase,
  routeFiles: string[],
  folder: string,
  pool: Pool,
): Promise<Programs> {
  const file = basename(setup.name);
  const cycles = join(folder, `${file}.tlsCycleAdaptation.add.xml`);
  const offsets = join(folder, `${file}.tlsCoordinator.add.xml`);
  const input = ['-n', setup.net, '-r', routeFiles.join(',')];
  const adaptation = [TLS_CYCLE_ADAPTATION, ...input, '-b', String(setup.begin), '-u'];
  let seconds = await pool(() => runProcess('python3', [...adaptation, '-o', cycles], folder));
  const coordinator = [TLS_COORDINATOR, ...input, '-a', cycles, '-o', offsets];
  seconds += await pool(() => runProcess('python3', coordinator, folder));
  return { additional: `${cycles},${offsets}`, seconds };
}

/** greenwave's programs from its own CLI, as a user would run it. */
async function greenwavePrograms(
  setup: CoordinationCase,
  folder: string,
  pool: Pool,
): Promise<Programs> {
  const additional = join(folder, `${basename(setup.name)}.greenwave.add.xml`);
  const args = ['bin/greenwave.js', 'optimize', ...setup.greenwaveInput, '--out', additional];
  const seconds = await pool(() => runProcess(process.execPath, args));
  return { additional, seconds };
}

async function preparePrograms(
  planSet: PlanSet,
  setup: CoordinationCase,
  routeFiles: string[],
  folder: string,
  pool: Pool,
): Promise<Programs> {
  try {
    if (planSet === 'tools') return await toolPrograms(setup, routeFiles, folder, pool);
    if (planSet === 'greenwave') return await greenwavePrograms(setup, folder, pool);
    return { seconds: 0 };
  } catch (error) {
    return { seconds: 0, error: `${planSet} programs: ${(error as Error).message}` };
  }
}

/** One SUMO run over the case's window: delay of all trips, stops of the through trips. */
async function simulate(
  setup: CoordinationCase,
  planSet: PlanSet,
  programs: Programs,
  seed: number,
  through: ReadonlySet<string>,
  folder: string,
  pool: Pool,
): Promise<Run> {
  const run = { case: setup.name, planSet, seed };
  const noTrips = { finishedTrips: 0, meanDelay: NaN, meanStops: NaN, seconds: 0 };
  const noThrough = { ...noTrips, throughTrips: 0, meanThroughStops: NaN };
  if (programs.error) return { ...run, ...noThrough, ok: false, error: programs.error };
  const tripinfo = join(folder, `${basename(setup.name)}.${planSet}.${seed}.tripinfo.xml`);
  const args = [...setup.sumoInput, '--seed', String(seed), '--tripinfo-output', tripinfo];
  if (programs.additional) args.push('-a', programs.additional);
  try {
    const seconds = await pool(() => runProcess('sumo', [...args, ...QUIET], folder));
    const xml = await readFile(tripinfo, 'utf8');
    const stops = summarizeStops(xml, through);
    const measures = {
      ...summarizeTripinfo(xml),
      throughTrips: stops.trips,
      meanThroughStops: stops.meanStops,
      seconds: Number(seconds.toFixed(2)),
    };
    const error = measures.finishedTrips === 0 ? 'no finished trips' : 'no finished through trips';
    const ok = stops.trips > 0;
    return { ...run, ...measures, ok, ...(ok ? {} : { error }) };
  } catch (error) {
    return { ...run, ...noThrough, ok: false, error: (error as Error).message };
  }
}

/** Every plan set × seed on one case; a case that cannot be set up fails as a whole. */
async function compareCase(
  name: string,
  options: CoordinationSuiteOptions,
  folder: string,
): Promise<CaseResult> {
  const { seeds, pool } = options;
  const empty = { name, arterial: [], throughVehicles: 0, runs: [] };
  try {
    const setup = await loadCase(name, options.data, folder, pool);
    const routed = await routedDemand(setup, basename(name), folder, pool);
    const arterial = await readArterial(setup, routed.routeFiles);
    const perPlanSet = await Promise.all(
      PLAN_SETS.map(async (planSet) => {
        const programs = await preparePrograms(planSet, setup, routed.routeFiles, folder, pool);
        const through = arterial.throughVehicles;
        const runs = await Promise.all(
          seeds.map((seed) => simulate(setup, planSet, programs, seed, through, folder, pool)),
        );
        return { planSet, seconds: programs.seconds, runs };
      }),
    );
    const secondsOf = (planSet: PlanSet) =>
      Number(perPlanSet.find((entry) => entry.planSet === planSet)!.seconds.toFixed(2));
    return {
      ...empty,
      arterial: arterial.signals,
      throughVehicles: arterial.inWindow,
      greenwaveOptimizeSeconds: secondsOf('greenwave'),
      toolSeconds: Number((routed.seconds + secondsOf('tools')).toFixed(2)),
      runs: perPlanSet.flatMap((entry) => entry.runs),
      setup,
    };
  } catch (error) {
    const message = `${name}: ${(error as Error).message}`;
    return { ...empty, greenwaveOptimizeSeconds: NaN, toolSeconds: NaN, error: message };
  }
}

/** Mean over seeds of one plan set's measure on one case; NaN if any run failed. */
function meanOverSeeds(result: CaseResult, planSet: PlanSet, measure: Measure): number {
  return mean(
    result.runs
      .filter((run) => run.planSet === planSet)
      .map((run) => (run.ok ? run[measure] : NaN)),
  );
}

function delayCell(result: CaseResult, planSet: PlanSet): string {
  const perSeed = result.runs
    .filter((run) => run.planSet === planSet)
    .map((run) => (run.ok ? run.meanDelay.toFixed(1) : 'failed'));
  return `**${figure(meanOverSeeds(result, planSet, 'meanDelay'), 1)}** (${perSeed.join(', ')})`;
}

function markdownTable(results: CaseResult[]): string {
  const lines = [
    '| case | own delay, s/veh (per seed) | tools delay | greenwave delay | own stops / through veh | tools stops | greenwave stops | through vehicles (departing; finished own / tools / greenwave) | greenwave / tools delay | greenwave / tools stops |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: |',
  ];
  for (const result of results) {
    const stops = (planSet: PlanSet) => meanOverSeeds(result, planSet, 'meanThroughStops');
    const delay = (planSet: PlanSet) => meanOverSeeds(result, planSet, 'meanDelay');
    const finished = PLAN_SETS.map((planSet) =>
      figure(meanOverSeeds(result, planSet, 'throughTrips'), 0),
    );
    const cells = [
      result.name,
      ...PLAN_SETS.map((planSet) => delayCell(result, planSet)),
      ...PLAN_SETS.map((planSet) => figure(stops(planSet), 2)),
      `${result.throughVehicles} (${finished.join(' / ')})`,
      figure(delay('greenwave') / delay('tools'), 2),
      figure(stops('greenwave') / stops('tools'), 2),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Failed runs and greenwave not below the tools' delay fail; stops below the tools is the target. */
function verdicts(results: CaseResult[]): { failures: string[]; notes: string[] } {
  const failures = results.flatMap((result) => (result.error ? [result.error] : []));
  const notes: string[] = [];
  for (const result of results) {
    for (const run of result.runs.filter((entry) => !entry.ok)) {
      failures.push(`${run.case} ${run.planSet} seed ${run.seed}: ${run.error}`);
    }
    const delay = (planSet: PlanSet) => meanOverSeeds(result, planSet, 'meanDelay');
    const stops = (planSet: PlanSet) => meanOverSeeds(result, planSet, 'meanThroughStops');
    if (Number.isNaN(delay('greenwave')) || Number.isNaN(delay('tools'))) continue;
    if (!(delay('greenwave') < delay('tools'))) {
      failures.push(
        `${result.name}: greenwave ${delay('greenwave').toFixed(1)} s/veh is not below tlsCycleAdaptation + tlsCoordinator's ${delay('tools').toFixed(1)} s/veh`,
      );
    }
    const both = delay('greenwave') < delay('tools') && stops('greenwave') < stops('tools');
    const ratios = `delay ${(delay('greenwave') / delay('tools')).toFixed(3)}, stops ${(stops('greenwave') / stops('tools')).toFixed(3)}`;
    notes.push(
      `${result.name}: target: below tools on both: ${both ? 'met' : 'missed'} (${ratios})`,
    );
  }
  return { failures, notes };
}

function arterialLine(result: CaseResult): string {
  const signals = result.arterial.join(' → ');
  return `${result.name}: arterial of ${result.arterial.length} signals, ${signals}; ${result.throughVehicles} through vehicles depart in the window`;
}

/**
 * The coordination suite: each case's arterial under its own programs, SUMO's green wave
 * (tlsCycleAdaptation.py -u, then tlsCoordinator.py) and greenwave's, each seed a SUMO run.
 * Measures mean delay of all vehicles and stops per vehicle of the arterial's through traffic.
 * A stop is tripinfo's waitingCount, the number of times the vehicle's speed fell below 0.1 m/s:
 * the one per-vehicle stop count SUMO writes, 0 for a vehicle that rides the green wave, at least
 * one per red met otherwise, and every halt of a stop-and-go queue (so in oversaturation it also
 * grows with queue length). greenwave must beat the tools on delay; beating them on stops too is
 * reported as the target.
 *
 * @example
 * const result = await runCoordinationSuite({ cases: ['jinshui'], seeds: [1], data, folder, pool });
 * console.log(result.lines.join('\n')); // the Markdown table, arterials, then the verdicts
 */
export async function runCoordinationSuite(
  options: CoordinationSuiteOptions,
): Promise<CoordinationSuiteResult> {
  const started = performance.now();
  const folder = join(options.folder, 'coordination');
  await mkdir(folder, { recursive: true });
  const results: CaseResult[] = await Promise.all(
    options.cases.map((name) => compareCase(name, options, folder)),
  );
  const { failures, notes } = verdicts(results);
  const optimizeSeconds = results.map(
    (result) => `${result.name} ${figure(result.greenwaveOptimizeSeconds, 1)}`,
  );
  const lines = [
    markdownTable(results),
    '',
    ...results.filter((result) => !result.error).map(arterialLine),
    `greenwave optimize, s per case: ${optimizeSeconds.join(', ')}`,
    ...notes,
  ];
  const report = {
    measure: 'mean of tripinfo timeLoss + departDelay over finished trips, s/veh',
    stops:
      "mean tripinfo waitingCount (times the speed fell below 0.1 m/s) over the finished trips of the arterial's through vehicles, stops/veh",
    seeds: options.seeds,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    cases: results.map(({ runs: _runs, setup, ...result }) => ({ ...result, ...setup })),
    runs: results.flatMap((result) => result.runs),
    failures,
  };
  const runs = results.reduce((count, result) => count + result.runs.length, 0);
  return { lines, failures, runs, report };
}
