// The cycle suite: delay per vehicle on RESCO maps under their own programs, tlsCycleAdaptation.py and greenwave.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  QUIET,
  TLS_CYCLE_ADAPTATION,
  figure,
  mean,
  readScenario,
  routedDemand,
  runProcess,
  type Pool,
  type Scenario,
} from './sumo-process.ts';
import { summarizeTripinfo, type TripSummary } from './tripinfo.ts';

type PlanSet = 'own' | 'tlsCycleAdaptation' | 'greenwave';

const PLAN_SETS: readonly PlanSet[] = ['own', 'tlsCycleAdaptation', 'greenwave'];
/** The target greenwave is held to, as a share of the network's own programs' delay. */
const TARGET_RATIO = 0.8;

/** One SUMO run: a map, a plan set and a seed. */
interface Run extends TripSummary {
  map: string;
  planSet: PlanSet;
  seed: number;
  ok: boolean;
  seconds: number;
  error?: string;
}

/** The programs of one plan set for one map: an additional file, or the network's own (none). */
interface Programs {
  additional?: string;
  seconds: number;
  error?: string;
}

/** What the cycle suite needs: RESCO map names under `data/resco`, seeds, a work folder, the pool. */
export interface CycleSuiteOptions {
  maps: string[];
  seeds: number[];
  data: string;
  folder: string;
  pool: Pool;
}

/** The cycle suite's printed lines, failures and its part of the results file. */
export interface CycleSuiteResult {
  lines: string[];
  failures: string[];
  runs: number;
  report: {
    measure: string;
    seeds: number[];
    seconds: number;
    maps: object[];
    runs: Run[];
    failures: string[];
  };
}

/** Reads a RESCO map's sumocfg from `data/resco/MAP/MAP.sumocfg`. */
async function readRescoMap(data: string, map: string): Promise<Scenario> {
  const sumocfg = join(data, 'resco', map, `${map}.sumocfg`);
  if (!existsSync(sumocfg)) {
    throw new Error(`sumo-compare: no ${sumocfg}; pass --maps from ${join(data, 'resco')}`);
  }
  return readScenario(sumocfg, map);
}

/** SUMO's Webster programs: duarouter for trip demand, then tlsCycleAdaptation.py over the hour. */
async function toolPrograms(scenario: Scenario, folder: string, pool: Pool): Promise<Programs> {
  const routed = await routedDemand(scenario, scenario.map, folder, pool);
  const additional = join(folder, `${scenario.map}.tlsCycleAdaptation.add.xml`);
  const args = [
    '-n',
    scenario.net,
    '-r',
    routed.routeFiles.join(','),
    '-b',
    String(scenario.begin),
  ];
  const seconds = await pool(() =>
    runProcess('python3', [TLS_CYCLE_ADAPTATION, ...args, '-o', additional], folder),
  );
  return { additional, seconds: routed.seconds + seconds };
}

/** greenwave's cycle, splits and stage order from its own CLI, as a user would run it. */
async function greenwavePrograms(
  scenario: Scenario,
  folder: string,
  pool: Pool,
): Promise<Programs> {
  const additional = join(folder, `${scenario.map}.greenwave.add.xml`);
  // This suite measures cycle, splits and stage order; offsets are the coordination suite's.
  const args = [
    'bin/greenwave.js',
    'optimize',
    '--net',
    scenario.sumocfg,
    '--offsets',
    'keep',
    '--out',
    additional,
  ];
  const seconds = await pool(() => runProcess(process.execPath, args));
  return { additional, seconds };
}

async function preparePrograms(
  planSet: PlanSet,
  scenario: Scenario,
  folder: string,
  pool: Pool,
): Promise<Programs> {
  try {
    if (planSet === 'tlsCycleAdaptation') return await toolPrograms(scenario, folder, pool);
    if (planSet === 'greenwave') return await greenwavePrograms(scenario, folder, pool);
    return { seconds: 0 };
  } catch (error) {
    return { seconds: 0, error: `${planSet} programs: ${(error as Error).message}` };
  }
}

/** One SUMO run over the sumocfg's window, measured from its tripinfo output. */
async function simulate(
  scenario: Scenario,
  planSet: PlanSet,
  programs: Programs,
  seed: number,
  folder: string,
  pool: Pool,
): Promise<Run> {
  const run = { map: scenario.map, planSet, seed };
  const noTrips = { finishedTrips: 0, meanDelay: NaN, meanStops: NaN, seconds: 0 };
  if (programs.error) return { ...run, ...noTrips, ok: false, error: programs.error };
  const tripinfo = join(folder, `${scenario.map}.${planSet}.${seed}.tripinfo.xml`);
  const args = ['-c', scenario.sumocfg, '--seed', String(seed), '--tripinfo-output', tripinfo];
  if (programs.additional) args.push('-a', programs.additional);
  try {
    const seconds = await pool(() => runProcess('sumo', [...args, ...QUIET], folder));
    const summary = summarizeTripinfo(await readFile(tripinfo, 'utf8'));
    const ok = summary.finishedTrips > 0;
    const timing = { seconds: Number(seconds.toFixed(2)) };
    return { ...run, ...summary, ...timing, ok, ...(ok ? {} : { error: 'no finished trips' }) };
  } catch (error) {
    return { ...run, ...noTrips, ok: false, error: (error as Error).message };
  }
}

/** Every plan set × seed on one map; greenwave's CLI runs once per map and is timed. */
async function compareMap(
  scenario: Scenario,
  seeds: number[],
  folder: string,
  pool: Pool,
): Promise<{ runs: Run[]; greenwaveSeconds: number; toolSeconds: number }> {
  const perPlanSet = await Promise.all(
    PLAN_SETS.map(async (planSet) => {
      const programs = await preparePrograms(planSet, scenario, folder, pool);
      const runs = await Promise.all(
        seeds.map((seed) => simulate(scenario, planSet, programs, seed, folder, pool)),
      );
      return { planSet, programs, runs };
    }),
  );
  const secondsOf = (planSet: PlanSet) =>
    perPlanSet.find((entry) => entry.planSet === planSet)!.programs.seconds;
  return {
    runs: perPlanSet.flatMap((entry) => entry.runs),
    greenwaveSeconds: secondsOf('greenwave'),
    toolSeconds: secondsOf('tlsCycleAdaptation'),
  };
}

/** Mean over seeds of one plan set's measure on one map; NaN if any run failed. */
function meanOverSeeds(runs: Run[], map: string, planSet: PlanSet, measure: keyof TripSummary) {
  return mean(
    runs
      .filter((run) => run.map === map && run.planSet === planSet)
      .map((run) => (run.ok ? run[measure] : NaN)),
  );
}

function delayCell(runs: Run[], map: string, planSet: PlanSet): string {
  const perSeed = runs
    .filter((run) => run.map === map && run.planSet === planSet)
    .map((run) => (run.ok ? run.meanDelay.toFixed(1) : 'failed'));
  return `**${figure(meanOverSeeds(runs, map, planSet, 'meanDelay'), 1)}** (${perSeed.join(', ')})`;
}

function markdownTable(runs: Run[], maps: string[]): string {
  const lines = [
    '| map | own, s/veh (per seed) | tlsCycleAdaptation | greenwave | greenwave / own | greenwave / tool | finished trips (own / tool / greenwave) | stops per veh (own / tool / greenwave) |',
    '| --- | --- | --- | --- | ---: | ---: | --- | --- |',
  ];
  for (const map of maps) {
    const meanOf = (planSet: PlanSet, measure: keyof TripSummary) =>
      meanOverSeeds(runs, map, planSet, measure);
    const acrossPlanSets = (measure: keyof TripSummary, digits: number) =>
      PLAN_SETS.map((planSet) => figure(meanOf(planSet, measure), digits)).join(' / ');
    const greenwave = meanOf('greenwave', 'meanDelay');
    const cells = [
      map,
      ...PLAN_SETS.map((planSet) => delayCell(runs, map, planSet)),
      figure(greenwave / meanOf('own', 'meanDelay'), 2),
      figure(greenwave / meanOf('tlsCycleAdaptation', 'meanDelay'), 2),
      acrossPlanSets('finishedTrips', 0),
      acrossPlanSets('meanStops', 2),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The verdicts: failed runs and greenwave not beating the network's own programs fail the check. */
function verdicts(runs: Run[], maps: string[]): { failures: string[]; notes: string[] } {
  const failures = runs
    .filter((run) => !run.ok)
    .map((run) => `${run.map} ${run.planSet} seed ${run.seed}: ${run.error}`);
  const notes: string[] = [];
  for (const map of maps) {
    const own = meanOverSeeds(runs, map, 'own', 'meanDelay');
    const greenwave = meanOverSeeds(runs, map, 'greenwave', 'meanDelay');
    if (Number.isNaN(own) || Number.isNaN(greenwave)) continue;
    const ratio = greenwave / own;
    if (!(greenwave < own)) {
      failures.push(
        `${map}: greenwave ${greenwave.toFixed(1)} s/veh is not below the network's own programs' ${own.toFixed(1)} s/veh`,
      );
    }
    const met = ratio <= TARGET_RATIO ? 'met' : 'missed';
    notes.push(`${map}: target ≤ ${TARGET_RATIO} × own: ${met} (${ratio.toFixed(3)})`);
  }
  return { failures, notes };
}

/**
 * The cycle suite: every RESCO map under its own programs, tlsCycleAdaptation.py's and
 * greenwave's, each seed a SUMO run; greenwave must beat the map's own programs on delay.
 *
 * @example
 * const result = await runCycleSuite({ maps: ['cologne1'], seeds: [1], data, folder, pool });
 * console.log(result.lines.join('\n')); // the Markdown table, then the verdicts
 */
export async function runCycleSuite(options: CycleSuiteOptions): Promise<CycleSuiteResult> {
  const started = performance.now();
  const { maps, seeds, pool } = options;
  const folder = join(options.folder, 'cycle');
  await mkdir(folder, { recursive: true });
  const scenarios = await Promise.all(maps.map((map) => readRescoMap(options.data, map)));
  const perMap = await Promise.all(
    scenarios.map((scenario) => compareMap(scenario, seeds, folder, pool)),
  );
  const runs = perMap.flatMap((result) => result.runs);
  const optimizeSeconds = maps.map((map, i) => `${map} ${perMap[i]!.greenwaveSeconds.toFixed(1)}`);
  const { failures, notes } = verdicts(runs, maps);
  const lines = [
    markdownTable(runs, maps),
    `\ngreenwave optimize --offsets keep, s per map: ${optimizeSeconds.join(', ')}`,
    ...notes,
  ];
  const report = {
    measure: 'mean of tripinfo timeLoss + departDelay over finished trips, s/veh',
    seeds,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    maps: scenarios.map((scenario, i) => ({
      ...scenario,
      greenwaveOptimizeSeconds: Number(perMap[i]!.greenwaveSeconds.toFixed(2)),
      tlsCycleAdaptationSeconds: Number(perMap[i]!.toolSeconds.toFixed(2)),
    })),
    runs,
    failures,
  };
  return { lines, failures, runs: runs.length, report };
}
