// Delay per vehicle in real SUMO runs of the RESCO maps: the network's own programs, SUMO's tlsCycleAdaptation.py and greenwave.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { summarizeTripinfo, type TripSummary } from './tripinfo.ts';

type PlanSet = 'own' | 'tlsCycleAdaptation' | 'greenwave';

const PLAN_SETS: readonly PlanSet[] = ['own', 'tlsCycleAdaptation', 'greenwave'];
const REPOSITORY = resolve(import.meta.dirname, '..');
const SUMO_HOME = process.env['SUMO_HOME'] ?? '/usr/share/sumo';
const TLS_CYCLE_ADAPTATION = join(SUMO_HOME, 'tools', 'tlsCycleAdaptation.py');
/** Two cores: more SUMO processes at once only slow each other down. */
const PARALLEL_PROCESSES = 2;
/** A single RESCO hour simulates in about a second; ten minutes means something hangs. */
const PROCESS_TIMEOUT_MS = 600_000;
/** The target greenwave is held to, as a share of the network's own programs' delay. */
const TARGET_RATIO = 0.8;
const QUIET = ['--xml-validation', 'never', '--no-step-log', '--no-warnings'];

/** One RESCO map as its sumocfg describes it, paths absolute. */
interface Scenario {
  map: string;
  sumocfg: string;
  net: string;
  routeFiles: string[];
  /** The simulated window, seconds of the day. */
  begin: number;
  end: number;
  /** Trips or flows without routes must go through duarouter before tlsCycleAdaptation.py. */
  needsRouting: boolean;
}

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

interface Options {
  maps: string[];
  seeds: number[];
  json: string;
  data: string;
}

type Pool = <T>(task: () => Promise<T>) => Promise<T>;

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      maps: { type: 'string', default: 'cologne1,cologne3,ingolstadt1' },
      seeds: { type: 'string', default: '1,2,3' },
      json: { type: 'string', default: join(REPOSITORY, 'bench/results/sumo-delay.json') },
    },
  });
  const seeds = values.seeds.split(',').map(Number);
  if (seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) {
    throw new Error(`sumo-compare: --seeds must be non-negative integers, not "${values.seeds}"`);
  }
  const data = process.env['GREENWAVE_DATA'] ?? resolve(REPOSITORY, '../shared/data');
  return { maps: values.maps.split(',').filter(Boolean), seeds, json: values.json, data };
}

/** Reads net, route files and window from a RESCO map's sumocfg. */
async function readScenario(data: string, map: string): Promise<Scenario> {
  const sumocfg = join(data, 'resco', map, `${map}.sumocfg`);
  if (!existsSync(sumocfg)) {
    throw new Error(`sumo-compare: no ${sumocfg}; pass --maps from ${join(data, 'resco')}`);
  }
  const config = await readFile(sumocfg, 'utf8');
  const value = (name: string): string => {
    const match = new RegExp(`<${name}\\s+value="([^"]*)"`).exec(config);
    if (!match) throw new Error(`sumo-compare: ${sumocfg} has no <${name} value="…"/>`);
    return match[1]!;
  };
  const folder = dirname(sumocfg);
  const routeFiles = value('route-files')
    .split(',')
    .map((file) => resolve(folder, file.trim()));
  const routes = await Promise.all(routeFiles.map((file) => readFile(file, 'utf8')));
  return {
    map,
    sumocfg,
    net: resolve(folder, value('net-file')),
    routeFiles,
    begin: Number(value('begin')),
    end: Number(value('end')),
    needsRouting: routes.some((text) => /<trip\b|<flow\b[^>]*\bfrom=/.test(text)),
  };
}

/** At most `size` tasks at a time, started in the order they were asked for. */
function createPool(size: number): Pool {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= size) await new Promise<void>((start) => waiting.push(start));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** Runs a process to completion; rejects with the tail of its stderr when it fails. */
function runProcess(command: string, args: string[], cwd = REPOSITORY): Promise<number> {
  const started = performance.now();
  return new Promise((done, fail) => {
    execFile(
      command,
      args,
      {
        cwd,
        env: { ...process.env, SUMO_HOME },
        maxBuffer: 64 * 1024 * 1024,
        timeout: PROCESS_TIMEOUT_MS,
      },
      (error, _stdout, stderr) => {
        if (!error) return done((performance.now() - started) / 1000);
        const detail = String(stderr).trim().split('\n').slice(-3).join(' | ');
        fail(
          new Error(
            `${command.split('/').pop()} failed (${error.message.split('\n')[0]}): ${detail}`,
          ),
        );
      },
    );
  });
}

/** SUMO's Webster programs: duarouter for trip demand, then tlsCycleAdaptation.py over the hour. */
async function toolPrograms(scenario: Scenario, folder: string, pool: Pool): Promise<Programs> {
  let routeFiles = scenario.routeFiles;
  let seconds = 0;
  if (scenario.needsRouting) {
    const routed = join(folder, `${scenario.map}.routed.rou.xml`);
    const window = ['--begin', String(scenario.begin), '--end', String(scenario.end)];
    const args = ['-n', scenario.net, '-r', routeFiles.join(','), '-o', routed, ...window];
    seconds += await pool(() => runProcess('duarouter', [...args, ...QUIET, '--ignore-errors']));
    routeFiles = [routed];
  }
  const additional = join(folder, `${scenario.map}.tlsCycleAdaptation.add.xml`);
  const args = ['-n', scenario.net, '-r', routeFiles.join(','), '-b', String(scenario.begin)];
  seconds += await pool(() =>
    runProcess('python3', [TLS_CYCLE_ADAPTATION, ...args, '-o', additional], folder),
  );
  return { additional, seconds };
}

/** greenwave's programs from its own CLI, as a user would run it. */
async function greenwavePrograms(
  scenario: Scenario,
  folder: string,
  pool: Pool,
): Promise<Programs> {
  const additional = join(folder, `${scenario.map}.greenwave.add.xml`);
  const args = ['bin/greenwave.js', 'optimize', '--net', scenario.sumocfg, '--out', additional];
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
  const values = runs
    .filter((run) => run.map === map && run.planSet === planSet)
    .map((run) => (run.ok ? run[measure] : NaN));
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** A number for the table; a dash where a failed run left no value. */
function figure(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
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
    const mean = (planSet: PlanSet, measure: keyof TripSummary) =>
      meanOverSeeds(runs, map, planSet, measure);
    const acrossPlanSets = (measure: keyof TripSummary, digits: number) =>
      PLAN_SETS.map((planSet) => figure(mean(planSet, measure), digits)).join(' / ');
    const greenwave = mean('greenwave', 'meanDelay');
    const cells = [
      map,
      ...PLAN_SETS.map((planSet) => delayCell(runs, map, planSet)),
      figure(greenwave / mean('own', 'meanDelay'), 2),
      figure(greenwave / mean('tlsCycleAdaptation', 'meanDelay'), 2),
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

async function sumoVersion(): Promise<string> {
  return new Promise((done) =>
    execFile('sumo', ['--version'], (_error, stdout) => done(String(stdout).split('\n')[0] ?? '')),
  );
}

async function main(): Promise<number> {
  const started = performance.now();
  const options = parseOptions(process.argv.slice(2));
  const scenarios = await Promise.all(options.maps.map((map) => readScenario(options.data, map)));
  const folder = await mkdtemp(join(tmpdir(), 'greenwave-sumo-compare-'));
  const pool = createPool(PARALLEL_PROCESSES);
  try {
    const perMap = await Promise.all(
      scenarios.map((scenario) => compareMap(scenario, options.seeds, folder, pool)),
    );
    const runs = perMap.flatMap((result) => result.runs);
    const seconds = (performance.now() - started) / 1000;
    console.log(markdownTable(runs, options.maps));
    console.log(
      `\ngreenwave optimize, s per map: ${options.maps.map((map, i) => `${map} ${perMap[i]!.greenwaveSeconds.toFixed(1)}`).join(', ')}`,
    );
    const { failures, notes } = verdicts(runs, options.maps);
    for (const note of notes) console.log(note);
    await mkdir(dirname(options.json), { recursive: true });
    const report = {
      date: new Date().toISOString(),
      sumo: await sumoVersion(),
      measure: 'mean of tripinfo timeLoss + departDelay over finished trips, s/veh',
      seeds: options.seeds,
      seconds: Number(seconds.toFixed(1)),
      maps: scenarios.map((scenario, i) => ({
        ...scenario,
        greenwaveOptimizeSeconds: Number(perMap[i]!.greenwaveSeconds.toFixed(2)),
        tlsCycleAdaptationSeconds: Number(perMap[i]!.toolSeconds.toFixed(2)),
      })),
      runs,
      failures,
    };
    await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    for (const failure of failures) console.error(`FAIL ${failure}`);
    console.log(`\nsumo-compare: ${runs.length} runs in ${seconds.toFixed(1)} s → ${options.json}`);
    return failures.length > 0 ? 1 : 0;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
