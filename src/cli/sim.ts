// `greenwave sim`: runs the vehicle-level simulator on a network, its demand and plans; prints the totals.
import { simulate } from '../../sim/simulate.ts';
import { SimulationError } from '../../sim/errors.ts';
import type { SimulationTotals } from '../../sim/types.ts';
import { routesFromTurns } from '../demand/routes-from-turns.ts';
import type { VehicleTrip } from '../demand/types.ts';
import type { LoadedDemand } from '../io/load.ts';
import { InputFileError, type InputErrorCode } from '../network/errors.ts';
import type { RoadNetwork } from '../network/types.ts';
import { seededRandom } from '../seeded-random.ts';
import { actuatedPlans, actuationOf } from '../timing/actuation.ts';
import { PASSAGE_RANGE, passageFromText } from '../timing/validate.ts';
import type { TimingPlan } from '../timing/types.ts';
import { seconds, UsageError, type Output } from './args.ts';
import { loadInputs, type NetworkDemandOptions } from './inputs.ts';
import { loadPlanFile } from './plan-file.ts';

export interface SimCommandOptions extends NetworkDemandOptions {
  plans?: string;
  seed?: string;
  step?: string;
  /** A passage time: every plan runs coordinated-actuated with it. */
  actuated?: string;
  /** With `actuated`: every plan runs free (no cycle, no offset) instead of coordinated. */
  free?: boolean;
  json?: boolean;
}

/** What the command needs from its surroundings: a wall clock, and whether to draw a progress bar. */
export interface SimEnvironment {
  /** Milliseconds, monotonic (`performance.now`). */
  now: () => number;
  /** Draw a progress bar on `output.err`: when stderr is a terminal. */
  progress: boolean;
}

/** The JSON `greenwave sim --json` prints: the simulator's totals and how the run was set up. */
export interface SimReport extends SimulationTotals {
  /** Wall-clock seconds of the simulation itself (not of reading the files). */
  wallSeconds: number;
  /** Mean time lost while driving, of arrived vehicles, s (SUMO `timeLoss`). */
  meanTimeLoss: number;
  /** Mean wait to enter, of arrived vehicles, s (SUMO `departDelay`); `meanDelay` is the sum of both. */
  meanDepartDelay: number;
  /** Vehicle-seconds simulated per wall-clock second. */
  vehicleSecondsPerSecond: number;
  seed: number;
  begin: number;
  end: number;
  step: number;
  network: string;
  demand: string;
  /** The plan file, or `own programs`. */
  plans: string;
  /** The passage time every plan ran actuated with, when `--actuated` gave one. */
  actuated?: number;
  /** Present (true) when `--free` ran every plan free rather than coordinated. */
  free?: true;
}

const DEFAULT_SEED = 1;
const ROUTE_FIX = 'Give demand whose routes drive this network’s links and movements.';
const PLAN_FIX = 'Give --plans FILE with a plan for every signal of this network.';
const PROGRESS_WIDTH = 30;

/** Everything a run needs, read and checked: what `greenwave sim` simulates. */
export interface SimulationInputs {
  network: RoadNetwork;
  /** The network file (a `.sumocfg` resolves to its net). */
  networkFile: string;
  demandFile: string;
  /** The demand's vehicles, or those drawn from its counts with `seed`. */
  vehicles: VehicleTrip[];
  /**
   * Signal id → plan from `--plans` (with `--actuated`, every signal's plan, run actuated, and
   * with `--free` too, run free); empty when the network's own programs run as they are.
   */
  plans: Record<string, TimingPlan>;
  /** The passage time of `--actuated`. */
  actuated?: number;
  /** `--free`: every plan runs free. */
  free?: true;
  /** The plan file, when one was given. */
  plansFile?: string;
  /** What was noticed in the plan file but does not stop the run. */
  warnings: string[];
  begin: number;
  end: number;
  seed: number;
  step?: number;
}

/**
 * Reads and checks what `greenwave sim` runs: network and demand (`loadInputs`), the window
 * (`--begin`/`--end`, else a sumocfg's, else the demand's own), the plans (`--plans`, else the
 * network's programs), the seed and step; vehicles drawn from counts when the demand has none.
 * `--actuated S` runs every plan coordinated-actuated, and with `--free` free-actuated.
 *
 * @throws {UsageError} for a missing `--net`/`--demand`, a bad number, an empty window, or
 *   `--free` without `--actuated`.
 * @throws {InputFileError} for a bad input file, or a signal with no plan.
 * @example
 * const inputs = await loadSimulationInputs({ net: 'cologne1.sumocfg' });
 * inputs.begin // => 25200 (the sumocfg's window)
 */
export async function loadSimulationInputs(options: SimCommandOptions): Promise<SimulationInputs> {
  const seed = seedOf(options.seed);
  const step = seconds(options.step, 'step');
  if (step !== undefined && !(step > 0)) throw new UsageError('--step must be > 0 seconds');
  const window = { begin: seconds(options.begin, 'begin'), end: seconds(options.end, 'end') };
  if (window.begin !== undefined && window.end !== undefined) checkWindow(window.begin, window.end);
  const inputs = await loadInputs(options, { requireDemand: true });
  const { network, file } = inputs.loaded;
  const demand = inputs.demand!;
  const begin = window.begin ?? inputs.loaded.window?.begin ?? demand.flows.begin;
  const end = window.end ?? inputs.loaded.window?.end ?? demand.flows.end;
  checkWindow(begin, end);
  const planFile = options.plans ? await loadPlanFile(options.plans, network) : undefined;
  const given = planFile?.plans ?? {};
  checkEverySignalHasAPlan(network, given, file);
  const passage = passageOf(options.actuated);
  const free = freeOf(options.free, passage);
  const plans =
    passage === undefined
      ? given
      : actuatedPlans(plansOf(network, given), actuationOf({ passage, free }));
  return {
    network,
    networkFile: file,
    demandFile: demand.file,
    vehicles: vehiclesOf(network, demand, { begin, end, seed }),
    plans,
    ...(planFile ? { plansFile: planFile.file } : {}),
    ...(passage === undefined ? {} : { actuated: passage }),
    ...(free ? { free: true as const } : {}),
    warnings: planFile?.warnings ?? [],
    begin,
    end,
    seed,
    ...(step !== undefined ? { step } : {}),
  };
}

/**
 * Loads the network, its demand (vehicles with routes, or vehicles drawn from counts as `greenwave
 * export` draws them) and the plans (`--plans`, else each signal's own first program), simulates
 * `[--begin, --end)` with `--seed` and prints the totals: JSON with `--json`, a summary otherwise.
 * Returns the exit code.
 *
 * @throws {UsageError} for a missing `--net`/`--demand`, a bad number, or an empty window.
 * @throws {InputFileError} for a bad input file, a route the network cannot drive, or a signal
 *   with no plan.
 * @example
 * await sim({ net: 'fixtures/sumo/four-leg-signalised.net.xml',
 *   demand: 'fixtures/sumo/four-leg-signalised.rou.xml', json: true }, output);
 * // => 0; output.out gets { "vehicles": 1281, "meanTravelTime": …, "meanDelay": …, "wallSeconds": …, … }
 */
export async function sim(
  options: SimCommandOptions,
  output: Output,
  environment: SimEnvironment = {
    now: () => performance.now(),
    progress: process.stderr.isTTY === true,
  },
): Promise<number> {
  const inputs = await loadSimulationInputs(options);
  for (const warning of inputs.warnings) output.err(`greenwave sim: ${warning}\n`);
  const { network, vehicles, plans, begin, end, seed, step } = inputs;
  const progress = environment.progress ? progressBar(output, begin, end) : undefined;
  const started = environment.now();
  let result;
  let inNetwork = 0;
  try {
    result = simulate(network, vehicles, plans, {
      begin,
      end,
      rng: seededRandom(seed),
      ...(step !== undefined ? { step } : {}),
      ...(progress
        ? {
            observer: {
              step: (snapshot) => {
                inNetwork = snapshot.inNetwork;
                progress.update(snapshot.time, inNetwork);
              },
            },
          }
        : {}),
    });
    // The last step may end short of a window that is not a whole number of steps.
    progress?.update(end, inNetwork);
  } catch (error) {
    if (error instanceof SimulationError) {
      const files = { demand: inputs.demandFile, plans: inputs.plansFile ?? inputs.networkFile };
      throw asInputError(error, files);
    }
    throw error;
  } finally {
    progress?.done();
  }
  const wallSeconds = (environment.now() - started) / 1000;
  const arrived = result.vehicles.filter((vehicle) => vehicle.arrival !== undefined);
  const meanOf = (values: number[]) =>
    values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;
  const report: SimReport = {
    ...result.totals,
    meanTimeLoss: meanOf(arrived.map((vehicle) => vehicle.delay)),
    meanDepartDelay: meanOf(arrived.map((vehicle) => vehicle.departDelay)),
    wallSeconds,
    vehicleSecondsPerSecond: wallSeconds > 0 ? result.totals.vehicleSeconds / wallSeconds : 0,
    seed,
    begin,
    end,
    step: result.step,
    network: inputs.networkFile,
    demand: inputs.demandFile,
    plans: inputs.plansFile ?? 'own programs',
    ...(inputs.actuated === undefined ? {} : { actuated: inputs.actuated }),
    ...(inputs.free ? { free: true as const } : {}),
  };
  const broken = Object.entries(result.totals).filter(([, value]) => !Number.isFinite(value));
  if (broken.length > 0) {
    output.err(
      `greenwave sim: the simulator returned non-finite ${broken.map(([name]) => name).join(', ')} (printed as null in JSON): a simulator fault, please report it with these files\n`,
    );
  }
  output.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : summary(report));
  return 0;
}

function checkWindow(begin: number, end: number): void {
  if (!(end > begin)) {
    throw new UsageError(
      `the window must not be empty: --end (${end}) must be after --begin (${begin})`,
    );
  }
}

/** `--actuated`: a passage time in seconds that `validatePlan` accepts, or none. */
function passageOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const passage = passageFromText(text);
  if (passage === undefined) {
    throw new UsageError(
      `--actuated must be a passage time in seconds ${PASSAGE_RANGE}, not "${text}"`,
    );
  }
  return passage;
}

/** `--free`: only with `--actuated`, whose passage time the free plans run with. */
function freeOf(free: boolean | undefined, passage: number | undefined): boolean {
  if (free !== true) return false;
  if (passage === undefined) {
    throw new UsageError(
      '--free runs every plan free-actuated and needs a passage time: give it with --actuated S, e.g. --actuated 3 --free',
    );
  }
  return true;
}

/** Every signal's plan: the one given, else its own first program. */
function plansOf(
  network: RoadNetwork,
  given: Readonly<Record<string, TimingPlan>>,
): Record<string, TimingPlan> {
  const plans: Record<string, TimingPlan> = {};
  for (const signal of Object.values(network.getAttribute('signals'))) {
    const plan = given[signal.id] ?? signal.programs[0];
    if (plan) plans[signal.id] = plan;
  }
  return plans;
}

function seedOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SEED;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0) {
    throw new UsageError(`--seed must be a whole number ≥ 0, not "${text}"`);
  }
  return seed;
}

/** The demand's own vehicles in the window, or vehicles drawn from its turning counts. */
function vehiclesOf(
  network: RoadNetwork,
  demand: LoadedDemand,
  { begin, end, seed }: { begin: number; end: number; seed: number },
): VehicleTrip[] {
  if (demand.vehicles) return demand.vehicles;
  try {
    // As `greenwave export` writes them: SUMO inserts these vehicles at `departSpeed="max"`.
    return routesFromTurns(network, demand.flows, { rng: seededRandom(seed), begin, end }).map(
      (trip) => ({ ...trip, departSpeed: 'max' as const }),
    );
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new InputFileError(demand.file, [
      {
        code: 'BAD_VALUE',
        element: 'counts',
        message: `cannot be turned into vehicles: ${error.message}`,
        fix: 'Give counts of this network’s movements that cover the window (--begin/--end).',
      },
    ]);
  }
}

/** A signal with neither a plan given nor a program of its own cannot run: say which, and how to fix it. */
function checkEverySignalHasAPlan(
  network: RoadNetwork,
  plans: Readonly<Record<string, TimingPlan>>,
  file: string,
): void {
  const missing = Object.values(network.getAttribute('signals')).filter(
    (signal) => !plans[signal.id] && signal.programs.length === 0,
  );
  if (missing.length === 0) return;
  throw new InputFileError(
    file,
    missing.map((signal) => ({
      code: 'UNKNOWN_SIGNAL',
      element: `signal "${signal.id}"`,
      message: 'has no program of its own and none was given.',
      fix: 'Give --plans FILE with a plan for it (greenwave optimize --out FILE.json writes one).',
    })),
  );
}

/** Which input file each of the simulator's coded errors is about, and the input code it maps to. */
const FILE_ERRORS: Partial<
  Record<SimulationError['code'], { file: 'demand' | 'plans'; code: InputErrorCode; fix: string }>
> = {
  UNKNOWN_LINK: { file: 'demand', code: 'UNKNOWN_LINK', fix: ROUTE_FIX },
  ROUTE_NOT_CONNECTED: { file: 'demand', code: 'ROUTE_NOT_CONNECTED', fix: ROUTE_FIX },
  EMPTY_ROUTE: { file: 'demand', code: 'NO_ROUTE', fix: ROUTE_FIX },
  MISSING_PLAN: { file: 'plans', code: 'UNKNOWN_SIGNAL', fix: PLAN_FIX },
  UNKNOWN_SIGNAL: { file: 'plans', code: 'UNKNOWN_SIGNAL', fix: PLAN_FIX },
  BAD_PLAN: { file: 'plans', code: 'BAD_VALUE', fix: PLAN_FIX },
};

/**
 * The simulator's coded errors about its inputs, as problems of the file that holds them (the
 * demand, or the plans: the plan file, else the network with its programs); the rest as usage.
 */
function asInputError(error: SimulationError, files: { demand: string; plans: string }): Error {
  const mapped = FILE_ERRORS[error.code];
  if (mapped === undefined) return new UsageError(error.message);
  return new InputFileError(files[mapped.file], [
    { code: mapped.code, element: error.code, message: error.message, fix: mapped.fix },
  ]);
}

/** A progress bar redrawn in place on stderr when the whole percentage changes. */
function progressBar(output: Output, begin: number, end: number) {
  let shown = -1;
  return {
    update(time: number, inNetwork: number) {
      const percent = Math.min(100, Math.floor((100 * (time - begin)) / (end - begin)));
      if (percent === shown) return;
      shown = percent;
      const filled = Math.round((percent / 100) * PROGRESS_WIDTH);
      const bar = `${'#'.repeat(filled)}${'.'.repeat(PROGRESS_WIDTH - filled)}`;
      output.err(
        `\rsimulating [${bar}] ${String(percent).padStart(3)}% t=${Math.round(time)} s, ${inNetwork} in network `,
      );
    },
    done() {
      if (shown >= 0) output.err('\n');
    },
  };
}

/** How the plans ran, for the summary: as given, or actuated (`--actuated`, `--free`). */
function operation(report: SimReport): string {
  if (report.actuated === undefined) return '';
  const mode = report.free ? 'free' : 'coordinated-actuated';
  return `, run ${mode} with a ${report.actuated} s passage`;
}

function summary(report: SimReport): string {
  const number = (value: number, digits = 0) =>
    value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return [
    `greenwave sim: ${report.network}, ${report.demand}, plans: ${report.plans}${operation(report)}`,
    `  window ${report.begin}–${report.end} s, step ${report.step} s, seed ${report.seed}`,
    `  vehicles ${report.vehicles}: ${report.inserted} inserted, ${report.arrived} arrived, ${report.inNetwork} still in the network, ${report.waiting} never got in` +
      (report.teleports ? `, ${report.teleports} teleports` : ''),
    `  mean travel time ${number(report.meanTravelTime, 1)} s, mean delay ${number(report.meanDelay, 1)} s/veh (time lost + depart delay), mean stops ${number(report.meanStops, 2)}`,
    `  ${number(report.vehicleSeconds)} vehicle-seconds in ${number(report.wallSeconds, 2)} s wall (${number(report.vehicleSecondsPerSecond)} veh·s/s)`,
    '',
  ].join('\n');
}
