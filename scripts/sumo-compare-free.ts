// Free and coordinated-actuated operation against coordinated fixed time on Jinshui Road, in SUMO and in greenwave's simulator side by side.
//
// What: the coordination suite's Jinshui Road hour (weekday counts, 07:30–08:30, vehicles drawn
// with its demand seed, `greenwave export`), greenwave's coordinated fixed-time plans for that hour
// (`greenwave optimize`, as the coordination suite makes them) run (a) as planned, (b) free
// (`actuated: { passage: 2, free: true }`; in SUMO the actuated program `sumoFreeProgram` writes)
// and (c) coordinated-actuated (`actuated: { passage: 2 }`; in SUMO `sumoCoordinatedProgram`).
// Each plan set runs in SUMO and in `greenwave sim` on the same routes, once per seed. Prints a
// Markdown table of mean delay (timeLoss + departDelay over finished trips) per simulator and plan
// set, the free / fixed and coordinated-actuated / fixed ratios in each, and whether both
// simulators rank the three plan sets alike; writes bench/results/sumo-compare-free.json. Exits 1
// on a failed run or when the simulators order two plan sets differently that either of them
// separates by more than 5 % (closer, the pair is a tie within the seeds' spread).
//
// Run: node --import tsx scripts/sumo-compare-free.ts [--seeds 1,2,3] [--passage 2] [--jobs 2]
//        [--json bench/results/sumo-compare-free.json]
// Needs sumo and netconvert on the PATH (SUMO 1.15 or later) and SUMO_HOME.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { sim } from '../src/cli/sim.ts';
import { loadNetwork } from '../src/io/load.ts';
import { plansWithLinkIndices, sumoLinkIndices } from '../src/network/export/sumo-plain.ts';
import type { RoadNetwork } from '../src/network/types.ts';
import { crossingClearance } from '../src/timing/clearance.ts';
import { sumoAdditional, sumoApproachLanes } from '../src/timing/sumo-additional.ts';
import { PASSAGE_RANGE, passageFromText } from '../src/timing/validate.ts';
import { actuationOf } from '../src/timing/actuation.ts';
import type { Actuation, TimingPlan } from '../src/timing/types.ts';
import {
  JINSHUI,
  PARALLEL_PROCESSES,
  QUIET,
  REPOSITORY,
  createPool,
  exportJinshui,
  figure,
  mean,
  runProcess,
  sumoVersion,
  type Pool,
  exitWith,
} from './sumo-process.ts';
import { summarizeTripinfo } from './tripinfo.ts';

type PlanSet = 'fixed' | 'free' | 'coordinated';
type Simulator = 'sumo' | 'greenwave';

const PLAN_SETS: readonly PlanSet[] = ['fixed', 'free', 'coordinated'];
const SIMULATORS: readonly Simulator[] = ['sumo', 'greenwave'];
/** The programID of the written programs: not the net's own `0`, so SUMO runs them. */
const PROGRAM_ID = 'greenwave';

interface Options {
  seeds: number[];
  passage: number;
  jobs: number;
  json: string;
}

/** One run: a simulator, a plan set and a seed. */
interface Run {
  simulator: Simulator;
  planSet: PlanSet;
  seed: number;
  ok: boolean;
  /** Mean timeLoss + departDelay over finished trips, s/veh; NaN for a failed run. */
  meanDelay: number;
  /** Mean stops over finished trips (SUMO waitingCount, the simulator's stops). */
  meanStops: number;
  finishedTrips: number;
  seconds: number;
  error?: string;
}

/** What both simulators read: the exported net and routes, greenwave's network and its plans. */
interface Setup {
  net: string;
  routes: string;
  plansFile: string;
  additional: Record<PlanSet, string>;
  optimizeSeconds: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string', default: '1,2,3' },
      passage: { type: 'string', default: '2' },
      jobs: { type: 'string', default: String(PARALLEL_PROCESSES) },
      json: { type: 'string', default: join(REPOSITORY, 'bench/results/sumo-compare-free.json') },
    },
  });
  const seeds = values.seeds.split(',').map(Number);
  if (seeds.length === 0 || seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) {
    throw new Error(
      `sumo-compare-free: --seeds must be non-negative integers, not "${values.seeds}"`,
    );
  }
  const passage = passageFromText(values.passage);
  if (passage === undefined) {
    throw new Error(
      `sumo-compare-free: --passage must be a passage time ${PASSAGE_RANGE} s, not "${values.passage}"`,
    );
  }
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new Error(`sumo-compare-free: --jobs must be a whole number ≥ 1, not "${values.jobs}"`);
  }
  return { seeds, passage, jobs, json: values.json };
}

/** Each plan run as `actuation` has it: the same greens, each a stage's longest. */
function runAs(plans: readonly TimingPlan[], actuation: Actuation): TimingPlan[] {
  return plans.map((plan) => ({ ...plan, actuated: actuationOf(actuation) }));
}

/**
 * Per stage of `plan`, its pedestrian groups' walk and clearance (0 when a crossing length is
 * missing), as the simulator's pedestrian recall serves them; undefined for a stage with none.
 */
function stagePedestrians(network: RoadNetwork, plan: TimingPlan): (number | undefined)[] {
  const groups = network.getAttribute('signals')[plan.signal]?.signalGroups ?? [];
  return plan.stages.map((stage) => {
    const walking = groups.filter(
      (group) => group.kind === 'pedestrian' && Object.hasOwn(stage.greens, group.id),
    );
    if (walking.length === 0) return undefined;
    return Math.max(...walking.map((group) => crossingClearance(group.crossingLength)?.total ?? 0));
  });
}

/**
 * The plans as SUMO programs for the exported net, as `greenwave optimize --out FILE.add.xml`
 * writes them (link indices as `greenwave export` numbers them); actuated plans as actuated
 * programs with their detectors on the net's lanes, placed at the window's begin.
 */
function additionalFor(
  network: RoadNetwork,
  plans: readonly TimingPlan[],
  netXml: string,
  comment: string,
): string {
  const links = sumoLinkIndices(network);
  const lanes = sumoApproachLanes(netXml);
  const programs = plansWithLinkIndices(network, plans).map((plan, index) => ({
    plan,
    linkCount: links[plan.signal]!.linkCount,
    programId: PROGRAM_ID,
    lanes: lanes[plan.signal] ?? [],
    pedestrians: stagePedestrians(network, plans[index]!),
    begin: JINSHUI.begin,
  }));
  return sumoAdditional(programs, comment);
}

/** Exports Jinshui Road, optimizes its hour and writes the three plan sets as SUMO programs. */
async function prepare(folder: string, pool: Pool, passage: number): Promise<Setup> {
  const { net, routes, demand } = await exportJinshui(folder, pool);
  const plansFile = join(folder, 'jinshui.greenwave.json');
  const optimize = ['bin/greenwave.js', 'optimize', '--net', JINSHUI.network, ...demand];
  const optimizeSeconds = await pool(() =>
    runProcess(process.execPath, [...optimize, '--out', plansFile]),
  );
  const report = JSON.parse(await readFile(plansFile, 'utf8')) as {
    signals: { plan: TimingPlan }[];
  };
  const fixed = report.signals.map((entry) => entry.plan);
  const { network } = await loadNetwork(JINSHUI.network);
  const netXml = await readFile(net, 'utf8');
  const source = `greenwave optimize of ${JINSHUI.network}, ${JINSHUI.counts}, ${JINSHUI.begin}–${JINSHUI.end} s`;
  const additional = {
    fixed: join(folder, 'jinshui.fixed.add.xml'),
    free: join(folder, 'jinshui.free.add.xml'),
    coordinated: join(folder, 'jinshui.coordinated.add.xml'),
  };
  await writeFile(additional.fixed, additionalFor(network, fixed, netXml, source));
  const free = runAs(fixed, { passage, free: true });
  await writeFile(additional.free, additionalFor(network, free, netXml, `${source}, run free`));
  const coordinated = runAs(fixed, { passage });
  await writeFile(
    additional.coordinated,
    additionalFor(network, coordinated, netXml, `${source}, run coordinated-actuated`),
  );
  return { net, routes, plansFile, additional, optimizeSeconds };
}

function failedRun(base: Pick<Run, 'simulator' | 'planSet' | 'seed'>, error: unknown): Run {
  const message = error instanceof Error ? error.message : String(error);
  const empty = { meanDelay: NaN, meanStops: NaN, finishedTrips: 0, seconds: 0 };
  return { ...base, ...empty, ok: false, error: message };
}

/** One SUMO run of a plan set over the window. */
async function sumoRun(
  setup: Setup,
  planSet: PlanSet,
  seed: number,
  folder: string,
  pool: Pool,
): Promise<Run> {
  const base = { simulator: 'sumo' as const, planSet, seed };
  const tripinfo = join(folder, `jinshui.${planSet}.${seed}.tripinfo.xml`);
  const window = ['-b', String(JINSHUI.begin), '-e', String(JINSHUI.end)];
  const args = ['-n', setup.net, '-r', setup.routes, ...window, '-a', setup.additional[planSet]];
  try {
    const seconds = await pool(() =>
      runProcess('sumo', [
        ...args,
        '--seed',
        String(seed),
        '--tripinfo-output',
        tripinfo,
        ...QUIET,
      ]),
    );
    const summary = summarizeTripinfo(await readFile(tripinfo, 'utf8'));
    if (summary.finishedTrips === 0) return failedRun(base, 'no finished trips');
    return { ...base, ...summary, ok: true, seconds: Number(seconds.toFixed(2)) };
  } catch (error) {
    return failedRun(base, error);
  }
}

/** One run of greenwave's simulator (`greenwave sim --json`) on the same routes and plans. */
async function greenwaveRun(
  setup: Setup,
  planSet: PlanSet,
  seed: number,
  passage: number,
  pool: Pool,
): Promise<Run> {
  const base = { simulator: 'greenwave' as const, planSet, seed };
  const options = {
    net: JINSHUI.network,
    demand: setup.routes,
    begin: String(JINSHUI.begin),
    end: String(JINSHUI.end),
    plans: setup.plansFile,
    seed: String(seed),
    json: true,
    ...(planSet === 'free' ? { actuated: String(passage), free: true } : {}),
    ...(planSet === 'coordinated' ? { actuated: String(passage) } : {}),
  };
  try {
    return await pool(async () => {
      const started = performance.now();
      let text = '';
      const output = { out: (chunk: string) => (text += chunk), err: () => {} };
      await sim(options, output, { now: () => performance.now(), progress: false });
      const report = JSON.parse(text) as { meanDelay: number; meanStops: number; arrived: number };
      if (!(report.arrived > 0)) return failedRun(base, 'no arrived vehicles');
      return {
        ...base,
        ok: true,
        meanDelay: report.meanDelay,
        meanStops: report.meanStops,
        finishedTrips: report.arrived,
        seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
      };
    });
  } catch (error) {
    return failedRun(base, error);
  }
}

/** Mean over seeds of a simulator's plan-set delay; NaN if any run failed. */
function meanDelay(runs: readonly Run[], simulator: Simulator, planSet: PlanSet): number {
  return mean(
    runs
      .filter((run) => run.simulator === simulator && run.planSet === planSet)
      .map((run) => (run.ok ? run.meanDelay : NaN)),
  );
}

/**
 * Per simulator: each plan set's delay, free / fixed and coordinated-actuated / fixed, whether it
 * ranks free ahead of fixed time, and its ranking of the three (least delay first; undefined when
 * a run failed).
 */
function verdicts(runs: readonly Run[]) {
  return SIMULATORS.map((simulator) => {
    const delay = Object.fromEntries(
      PLAN_SETS.map((planSet) => [planSet, meanDelay(runs, simulator, planSet)]),
    ) as Record<PlanSet, number>;
    const failed = PLAN_SETS.some((planSet) => Number.isNaN(delay[planSet]));
    const ranking = failed ? undefined : [...PLAN_SETS].sort((a, b) => delay[a] - delay[b]);
    const { fixed, free, coordinated } = delay;
    const freeAhead = Number.isNaN(fixed) || Number.isNaN(free) ? undefined : free < fixed;
    return {
      simulator,
      fixed,
      free,
      coordinated,
      ratio: free / fixed,
      coordinatedRatio: coordinated / fixed,
      freeAhead,
      ranking,
    };
  });
}

/** Two plan sets closer than this share of delay in both simulators are a tie: either order. */
const TIE = 0.05;

/**
 * The pairs of plan sets the two simulators order differently although one of them separates the
 * pair by more than `TIE`: a near tie (within the seeds' spread) may fall either way.
 */
function rankedApart(
  sumo: ReturnType<typeof verdicts>[number],
  greenwave: ReturnType<typeof verdicts>[number],
): string[] {
  const apart: string[] = [];
  PLAN_SETS.forEach((a, index) => {
    for (const b of PLAN_SETS.slice(index + 1)) {
      const inSumo = sumo[a] / sumo[b];
      const inGreenwave = greenwave[a] / greenwave[b];
      if (Number.isNaN(inSumo) || Number.isNaN(inGreenwave)) {
        apart.push(`${a} / ${b}: a run failed`);
        continue;
      }
      const separated = Math.abs(inSumo - 1) > TIE || Math.abs(inGreenwave - 1) > TIE;
      if (separated && inSumo < 1 !== inGreenwave < 1) {
        apart.push(`${a} / ${b}: SUMO ${figure(inSumo, 3)}, greenwave ${figure(inGreenwave, 3)}`);
      }
    }
  });
  return apart;
}

function markdownTable(runs: readonly Run[], rows: ReturnType<typeof verdicts>): string {
  const cell = (simulator: Simulator, planSet: PlanSet, value: number) => {
    const perSeed = runs
      .filter((run) => run.simulator === simulator && run.planSet === planSet)
      .map((run) => (run.ok ? run.meanDelay.toFixed(1) : 'failed'));
    return `**${figure(value, 1)}** (${perSeed.join(', ')})`;
  };
  const lines = [
    '| simulator | fixed time, s/veh (per seed) | free, s/veh (per seed) | coordinated-actuated, s/veh (per seed) | free / fixed | coord.-act. / fixed | ranking (least delay first) |',
    '| --- | --- | --- | --- | ---: | ---: | --- |',
  ];
  for (const row of rows) {
    const ranking = row.ranking?.join(' < ') ?? '–';
    lines.push(
      `| ${row.simulator} | ${cell(row.simulator, 'fixed', row.fixed)} | ${cell(row.simulator, 'free', row.free)} | ${cell(row.simulator, 'coordinated', row.coordinated)} | ${figure(row.ratio, 3)} | ${figure(row.coordinatedRatio, 3)} | ${ranking} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const started = performance.now();
  const options = parseOptions(process.argv.slice(2));
  const folder = await mkdtemp(join(tmpdir(), 'greenwave-sumo-free-'));
  const pool = createPool(options.jobs);
  try {
    const setup = await prepare(folder, pool, options.passage);
    const runs = await Promise.all(
      options.seeds.flatMap((seed) =>
        PLAN_SETS.flatMap((planSet) => [
          sumoRun(setup, planSet, seed, folder, pool),
          greenwaveRun(setup, planSet, seed, options.passage, pool),
        ]),
      ),
    );
    const rows = verdicts(runs);
    const failures = runs
      .filter((run) => !run.ok)
      .map((run) => `${run.simulator} ${run.planSet} seed ${run.seed}: ${run.error}`);
    const [sumo, greenwave] = rows;
    const disagreements = rankedApart(sumo!, greenwave!);
    const agree = disagreements.length === 0;
    if (failures.length === 0 && !agree) {
      failures.push(
        `the simulators order plan sets differently that one of them separates by more than ${TIE * 100} %: ${disagreements.join('; ')}`,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    const bothFreeAhead = rows.every((row) => row.freeAhead === true);
    console.log(markdownTable(runs, rows));
    console.log(
      `\nJinshui Road ${JINSHUI.begin}–${JINSHUI.end} s (weekday counts, demand seed ${JINSHUI.demandSeed}), ` +
        `actuated with a ${options.passage} s passage; both simulators rank free ahead of fixed time: ${bothFreeAhead ? 'yes' : 'no'}; ` +
        `they order every pair either separates by more than ${TIE * 100} % alike: ${agree ? 'yes' : 'no'}`,
    );
    const report = {
      date: new Date().toISOString(),
      sumo: await sumoVersion(),
      measure: 'mean of timeLoss + departDelay over finished trips, s/veh',
      network: JINSHUI.network.slice(REPOSITORY.length + 1),
      counts: JINSHUI.counts.slice(REPOSITORY.length + 1),
      window: { begin: JINSHUI.begin, end: JINSHUI.end },
      demandSeed: JINSHUI.demandSeed,
      seeds: options.seeds,
      passage: options.passage,
      sumoFree:
        'type="actuated" with custom switching rules on 30 m stop-line presence loops (sumoFreeProgram)',
      sumoCoordinated:
        'type="actuated", coordinated, cycleTime the plan cycle, the same rules and loops; first-stage green ends at its planned point on c: (sumoCoordinatedProgram)',
      results: Object.fromEntries(
        rows.map((row) => [
          row.simulator,
          {
            fixed: row.fixed,
            free: row.free,
            coordinated: row.coordinated,
            freeOverFixed: row.ratio,
            coordinatedOverFixed: row.coordinatedRatio,
            freeAhead: row.freeAhead,
            ranking: row.ranking,
          },
        ]),
      ),
      agree,
      bothFreeAhead,
      optimizeSeconds: Number(setup.optimizeSeconds.toFixed(2)),
      seconds: Number(seconds.toFixed(1)),
      runs,
      failures,
    };
    await mkdir(dirname(options.json), { recursive: true });
    await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    for (const failure of failures) console.error(`FAIL ${failure}`);
    console.log(
      `sumo-compare-free: ${runs.length} runs in ${seconds.toFixed(1)} s → ${options.json}`,
    );
    return failures.length > 0 ? 1 : 0;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

await exitWith(main);
