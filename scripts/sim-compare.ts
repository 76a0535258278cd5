// Fidelity of greenwave's simulator against real SUMO: mean delay per vehicle on the same scenarios and plans.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sim, type SimReport } from '../src/cli/sim.ts';
import { fileName, loadScenario, programs, runSumo, type Scenario } from './sim-scenarios.ts';
import {
  PARALLEL_PROCESSES,
  REPOSITORY,
  createPool,
  figure,
  mean,
  sumoVersion,
  type Pool,
  exitWith,
} from './sumo-process.ts';

/** The bound: greenwave's mean delay within 20 % of SUMO's on every row. */
const TOLERANCE = 0.2;

/** A row (or, without `planSet`, a case's ranking) known to miss the bound, and why. */
interface KnownGap {
  case: string;
  planSet?: string;
  reason: string;
}

/**
 * Rows known to miss the bound. Every other row must be within it, and a listed row or ranking
 * that comes within it fails the check too ("known gap closed"), so this list cannot rot: take
 * the entry out when the simulator gets there.
 */
// cologne1 own (1.30×) closed by the fleet's jam spacing (4.3 m cars: 6.8 m, not 7.5 m); cologne3
// own (0.78×) and its ranking by dawdling, impatience and that spacing — see sim/simulate.ts.
const KNOWN_GAPS: KnownGap[] = [];

/** What one simulator made of one plan set and seed. */
interface Run {
  simulator: 'sumo' | 'greenwave';
  planSet: string;
  seed: number;
  ok: boolean;
  /** Mean timeLoss + departDelay of finished trips, s. */
  meanDelay: number;
  meanTimeLoss: number;
  meanDepartDelay: number;
  finished: number;
  /** Vehicles that never entered before the end. */
  notInserted: number;
  /** Teleports: a vehicle stuck too long is moved on along its route (both simulators). */
  teleports: number;
  wallSeconds: number;
  error?: string;
}

interface CaseResult {
  name: string;
  runs: Run[];
  error?: string;
}

interface Options {
  cases: string[];
  seeds: number[];
  json: string;
  data: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      cases: {
        type: 'string',
        default: 'resco/cologne1,resco/cologne3,libsignal/atlanta_1x5,jinshui',
      },
      seeds: { type: 'string', default: '1,2,3' },
      json: { type: 'string', default: join(REPOSITORY, 'bench/results/sim-fidelity.json') },
    },
  });
  const seeds = values.seeds.split(',').map(Number);
  if (seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) {
    throw new Error(`sim-compare: --seeds must be non-negative integers, not "${values.seeds}"`);
  }
  return {
    cases: values.cases.split(',').filter(Boolean),
    seeds,
    json: values.json,
    data: process.env['GREENWAVE_DATA'] ?? resolve(REPOSITORY, '../shared/data'),
  };
}

const failedRun = (error: string) => ({
  ok: false,
  meanDelay: NaN,
  meanTimeLoss: NaN,
  meanDepartDelay: NaN,
  finished: 0,
  notInserted: NaN,
  teleports: NaN,
  wallSeconds: NaN,
  error,
});

/** One SUMO run: delay from its tripinfo, insertion and teleports from its statistics. */
async function sumoRun(
  scenario: Scenario,
  planSet: string,
  additional: string | undefined,
  seed: number,
  folder: string,
  pool: Pool,
): Promise<Run> {
  const run = { simulator: 'sumo' as const, planSet, seed };
  const base = join(folder, fileName(scenario.name, planSet, String(seed)));
  try {
    const { trips, notInserted, teleports, wallSeconds } = await runSumo(
      scenario,
      additional,
      seed,
      base,
      pool,
    );
    const meanTimeLoss = mean(trips.map((trip) => trip.timeLoss));
    const meanDepartDelay = mean(trips.map((trip) => trip.departDelay));
    return {
      ...run,
      ok: trips.length > 0,
      meanDelay: meanTimeLoss + meanDepartDelay,
      meanTimeLoss,
      meanDepartDelay,
      finished: trips.length,
      notInserted,
      teleports,
      wallSeconds,
      ...(trips.length > 0 ? {} : { error: 'no finished trips' }),
    };
  } catch (error) {
    return { ...run, ...failedRun((error as Error).message) };
  }
}

/** One greenwave run, through the `greenwave sim` command itself (in this process). */
async function greenwaveRun(
  scenario: Scenario,
  planSet: string,
  additional: string | undefined,
  seed: number,
): Promise<Run> {
  const run = { simulator: 'greenwave' as const, planSet, seed };
  let out = '';
  let err = '';
  const output = { out: (text: string) => (out += text), err: (text: string) => (err += text) };
  const options = {
    ...scenario.simInput,
    seed: String(seed),
    json: true,
    ...(additional ? { plans: additional } : {}),
  };
  try {
    const code = await sim(options, output, { now: () => performance.now(), progress: false });
    if (code !== 0) return { ...run, ...failedRun(`greenwave sim exited ${code}: ${err.trim()}`) };
    const report = JSON.parse(out) as SimReport;
    const ok = report.arrived > 0 && Number.isFinite(report.meanDelay);
    return {
      ...run,
      ok,
      meanDelay: report.meanDelay ?? NaN,
      meanTimeLoss: report.meanTimeLoss ?? NaN,
      meanDepartDelay: report.meanDepartDelay ?? NaN,
      finished: report.arrived,
      notInserted: report.waiting,
      teleports: report.teleports,
      wallSeconds: report.wallSeconds,
      ...(ok ? {} : { error: `no finite mean delay: ${err.trim() || 'no arrivals'}` }),
    };
  } catch (error) {
    return { ...run, ...failedRun((error as Error).message) };
  }
}

async function compareCase(
  name: string,
  options: Options,
  folder: string,
  pool: Pool,
): Promise<CaseResult> {
  try {
    const scenario = await loadScenario(name, options.data, folder, pool);
    const perPlanSet = await Promise.all(
      scenario.planSets.map(async (planSet) => {
        let additional: string | undefined;
        try {
          additional = await programs(scenario, planSet, folder, pool);
        } catch (error) {
          const message = `${planSet.name} programs: ${(error as Error).message}`;
          return options.seeds.flatMap((seed) =>
            (['sumo', 'greenwave'] as const).map((simulator) => ({
              simulator,
              planSet: planSet.name,
              seed,
              ...failedRun(message),
            })),
          );
        }
        const sumoRuns = Promise.all(
          options.seeds.map((seed) =>
            sumoRun(scenario, planSet.name, additional, seed, folder, pool),
          ),
        );
        // greenwave runs in this process, one at a time, while SUMO runs in the pool.
        const greenwaveRuns: Run[] = [];
        for (const seed of options.seeds) {
          greenwaveRuns.push(
            await pool(() => greenwaveRun(scenario, planSet.name, additional, seed)),
          );
        }
        return [...(await sumoRuns), ...greenwaveRuns];
      }),
    );
    return { name, runs: perPlanSet.flat() };
  } catch (error) {
    return { name, runs: [], error: `${name}: ${(error as Error).message}` };
  }
}

/** One row of the table: a case and plan set, both simulators' means over the seeds. */
interface Row {
  case: string;
  planSet: string;
  sumo: number;
  greenwave: number;
  ratio: number;
  withinTolerance: boolean;
  /** Undefined when a mean is missing (a failed run), so there is no ranking to compare. */
  sameRanking: boolean | undefined;
  sumoParts: string;
  greenwaveParts: string;
}

function meanOf(runs: Run[], simulator: Run['simulator'], planSet: string, key: keyof Run) {
  return mean(
    runs
      .filter((run) => run.simulator === simulator && run.planSet === planSet)
      .map((run) => (run.ok ? Number(run[key]) : NaN)),
  );
}

/** Plan sets from best (least delay) to worst by one simulator's means. */
function ranking(result: CaseResult, simulator: Run['simulator']): string[] {
  const planSets = [...new Set(result.runs.map((run) => run.planSet))];
  return planSets
    .map((planSet) => ({ planSet, delay: meanOf(result.runs, simulator, planSet, 'meanDelay') }))
    .sort((a, b) => a.delay - b.delay)
    .map((entry) => entry.planSet);
}

function rowsOf(result: CaseResult): Row[] {
  const complete = result.runs.every((run) => run.ok);
  const sameRanking = complete
    ? ranking(result, 'sumo').join('\n') === ranking(result, 'greenwave').join('\n')
    : undefined;
  const planSets = [...new Set(result.runs.map((run) => run.planSet))];
  return planSets.map((planSet) => {
    const of = (simulator: Run['simulator'], key: keyof Run) =>
      meanOf(result.runs, simulator, planSet, key);
    const parts = (simulator: Run['simulator']) =>
      `${figure(of(simulator, 'meanTimeLoss'), 1)} + ${figure(of(simulator, 'meanDepartDelay'), 1)}; ` +
      `${figure(of(simulator, 'finished'), 0)} finished, ${figure(of(simulator, 'notInserted'), 0)} not in, ` +
      `${figure(of(simulator, 'teleports'), 0)} teleports`;
    const sumo = of('sumo', 'meanDelay');
    const greenwave = of('greenwave', 'meanDelay');
    const ratio = greenwave / sumo;
    return {
      case: result.name,
      planSet,
      sumo,
      greenwave,
      ratio,
      withinTolerance: Math.abs(ratio - 1) <= TOLERANCE,
      sameRanking,
      sumoParts: parts('sumo'),
      greenwaveParts: parts('greenwave'),
    };
  });
}

function perSeed(result: CaseResult, simulator: Run['simulator'], planSet: string): string {
  return result.runs
    .filter((run) => run.simulator === simulator && run.planSet === planSet)
    .map((run) => (run.ok ? run.meanDelay.toFixed(1) : 'failed'))
    .join(', ');
}

function markdownTable(results: CaseResult[]): string {
  const lines = [
    '| case | plans | SUMO, s/veh (per seed) | greenwave sim (per seed) | ratio | same ranking | SUMO timeLoss + departDelay; trips | greenwave timeLoss + departDelay; trips |',
    '| --- | --- | --- | --- | ---: | --- | --- | --- |',
  ];
  for (const result of results) {
    for (const row of rowsOf(result)) {
      const cells = [
        row.case,
        row.planSet,
        `**${figure(row.sumo, 1)}** (${perSeed(result, 'sumo', row.planSet)})`,
        `**${figure(row.greenwave, 1)}** (${perSeed(result, 'greenwave', row.planSet)})`,
        `${figure(row.ratio, 2)}${row.withinTolerance ? '' : knownGap(row.case, row.planSet) ? ' ✗ (known gap)' : ' ✗'}`,
        row.sameRanking === undefined ? '–' : row.sameRanking ? 'yes' : 'no',
        row.sumoParts,
        row.greenwaveParts,
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

const knownGap = (name: string, planSet?: string) =>
  KNOWN_GAPS.find((gap) => gap.case === name && gap.planSet === planSet);

/**
 * Failed runs, rows outside the tolerance and cases ranked differently fail the check, unless
 * listed in `KNOWN_GAPS`; a listed gap that closed fails it too.
 */
function verdicts(results: CaseResult[]): string[] {
  const failures = results.flatMap((result) => (result.error ? [result.error] : []));
  for (const result of results) {
    for (const run of result.runs.filter((entry) => !entry.ok)) {
      failures.push(
        `${result.name} ${run.planSet} ${run.simulator} seed ${run.seed}: ${run.error}`,
      );
    }
    const rows = rowsOf(result);
    for (const row of rows) {
      const known = knownGap(row.case, row.planSet);
      if (!row.withinTolerance && !known) {
        failures.push(
          `${row.case} ${row.planSet}: greenwave ${figure(row.greenwave, 1)} s/veh is ${figure(row.ratio, 2)} × SUMO's ${figure(row.sumo, 1)} (bound ${1 - TOLERANCE}–${1 + TOLERANCE})`,
        );
      } else if (row.withinTolerance && known) {
        failures.push(
          `${row.case} ${row.planSet}: known gap closed (ratio ${figure(row.ratio, 2)}); remove it from KNOWN_GAPS in scripts/sim-compare.ts`,
        );
      }
    }
    const knownRanking = knownGap(result.name);
    if (rows.length > 1 && rows[0]!.sameRanking === false && !knownRanking) {
      failures.push(
        `${result.name}: SUMO ranks the plans ${ranking(result, 'sumo').join(' < ')}, greenwave ${ranking(result, 'greenwave').join(' < ')}`,
      );
    } else if (rows.length > 1 && rows[0]!.sameRanking === true && knownRanking) {
      failures.push(
        `${result.name}: known ranking gap closed (both rank ${ranking(result, 'sumo').join(' < ')}); remove it from KNOWN_GAPS in scripts/sim-compare.ts`,
      );
    }
  }
  return failures;
}

async function main(): Promise<number> {
  const started = performance.now();
  const options = parseOptions(process.argv.slice(2));
  const folder = await mkdtemp(join(tmpdir(), 'greenwave-sim-compare-'));
  const pool = createPool(PARALLEL_PROCESSES);
  try {
    await mkdir(folder, { recursive: true });
    const results = await Promise.all(
      options.cases.map((name) => compareCase(name, options, folder, pool)),
    );
    const failures = verdicts(results);
    console.log(markdownTable(results));
    const seconds = (performance.now() - started) / 1000;
    const report = {
      date: new Date().toISOString(),
      sumo: await sumoVersion(),
      measure:
        'mean of timeLoss + departDelay over finished trips, s/veh; the mean over seeds per simulator',
      tolerance: TOLERANCE,
      seeds: options.seeds,
      seconds: Number(seconds.toFixed(1)),
      rows: results.flatMap(rowsOf),
      knownGaps: KNOWN_GAPS,
      runs: results.flatMap((result) => result.runs.map((run) => ({ case: result.name, ...run }))),
      failures,
    };
    await mkdir(dirname(options.json), { recursive: true });
    await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    for (const failure of failures) console.error(`FAIL ${failure}`);
    console.log(`\nsim-compare: ${seconds.toFixed(1)} s → ${options.json}`);
    return failures.length > 0 ? 1 : 0;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

await exitWith(main);
