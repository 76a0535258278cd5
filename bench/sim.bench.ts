// Speed of the simulator side by side with SUMO on the same scenarios, and its memory against vehicles.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { randomTrips } from '../sim/random-trips.ts';
import { simulate } from '../sim/simulate.ts';
import { sumoRoutesXml } from '../src/demand/export/sumo-routes-writer.ts';
import { routesFromTurns } from '../src/demand/routes-from-turns.ts';
import type { VehicleTrip } from '../src/demand/types.ts';
import { loadDemand, loadNetwork } from '../src/io/load.ts';
import { exportSumoNetwork } from '../src/io/sumo-export.ts';
import { buildNetwork } from '../src/network/build.ts';
import { gridSpec } from '../src/network/grid.ts';
import type { RoadNetwork } from '../src/network/types.ts';
import { seededRandom } from '../src/seeded-random.ts';

/** greenwave's default step; SUMO runs at the same step, so both resolve the same moments. */
const STEP = 0.5;
/** Timed runs of greenwave per scenario, and of SUMO (slower, so fewer); the fastest is reported. */
const RUNS = { greenwave: 5, sumo: 2 };
const RESULTS = 'bench/results/sim.json';
/** Per entry: 24 entries × 300 veh/h = 7,200 veh/h into 36 signals of two-lane streets. */
const GRID_FLOW_PER_ENTRY = 300;

interface Scenario {
  name: string;
  network: RoadNetwork;
  vehicles: VehicleTrip[];
  begin: number;
  end: number;
}

/** One simulator's speed on one scenario: its fastest run (the least disturbed by other load). */
interface Speed {
  vehicles: number;
  arrived: number;
  /** Vehicle-seconds simulated (vehicles in the network summed over steps, times the step). */
  vehicleSeconds: number;
  /** Wall-clock seconds: greenwave's `simulate` call; SUMO's whole process (loading included). */
  wallSeconds: number;
  vehicleSecondsPerSecond: number;
  /** Every run's wall-clock seconds. */
  runs: number[];
}

interface SumoSpeed extends Speed {
  /** SUMO's own figure for its simulation loop alone (`--duration-log.statistics`), seconds. */
  loopSeconds: number;
  loopVehicleSecondsPerSecond: number;
}

/** Jinshui Road's morning peak hour, vehicles drawn from its counts (seed 1) as `greenwave export` does. */
async function corridor(): Promise<Scenario> {
  const { network } = await loadNetwork('fixtures/networks/zhengzhou-jinshui-road.geojson');
  const [begin, end] = [27000, 30600];
  const demand = await loadDemand('fixtures/counts/zhengzhou-jinshui-weekday.csv', network, {
    begin,
    end,
  });
  const vehicles = routesFromTurns(network, demand.flows, { rng: seededRandom(1), begin, end });
  const name = 'Jinshui Road corridor (9 signals), 07:30–08:30 from its counts';
  return { name, network, vehicles, begin, end };
}

/** A 6×6 grid of signals, an hour of random trips at `flowPerEntry` veh/h on each of its 24 entries. */
function grid(flowPerEntry: number, hours = 1): Scenario {
  const network = buildNetwork(gridSpec({ rows: 6, columns: 6, spacing: 300 }));
  const end = hours * 3600;
  const vehicles = randomTrips(network, { flowPerEntry, begin: 0, end, rng: seededRandom(1) });
  const name = `6×6 grid (36 signals), ${hours} h of random trips, ${flowPerEntry} veh/h per entry`;
  return { name, network, vehicles, begin: 0, end };
}

function fastest(values: number[]): number {
  return Math.min(...values);
}

/** Least-squares line through (vehicles, bytes), and how well it fits (R²). */
function linearFit(points: { vehicles: number; bytes: number }[]) {
  const n = points.length;
  const meanX = points.reduce((sum, point) => sum + point.vehicles, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.bytes, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const { vehicles, bytes } of points) {
    sxx += (vehicles - meanX) ** 2;
    sxy += (vehicles - meanX) * (bytes - meanY);
    syy += (bytes - meanY) ** 2;
  }
  const bytesPerVehicle = sxy / sxx;
  return {
    bytesPerVehicle,
    fixedBytes: meanY - bytesPerVehicle * meanX,
    rSquared: (sxy * sxy) / (sxx * syy),
  };
}

function greenwaveSpeed(scenario: Scenario): Speed {
  const { network, vehicles, begin, end } = scenario;
  const runs: number[] = [];
  let totals;
  for (let run = 0; run < RUNS.greenwave; run++) {
    const started = performance.now();
    totals = simulate(
      network,
      vehicles,
      {},
      { begin, end, step: STEP, rng: seededRandom(1) },
    ).totals;
    runs.push((performance.now() - started) / 1000);
  }
  const wallSeconds = fastest(runs);
  return {
    vehicles: totals!.vehicles,
    arrived: totals!.arrived,
    vehicleSeconds: totals!.vehicleSeconds,
    wallSeconds,
    vehicleSecondsPerSecond: totals!.vehicleSeconds / wallSeconds,
    runs,
  };
}

/** Runs `command` and resolves with its stdout and wall-clock seconds. */
function timed(command: string, args: string[]): Promise<{ stdout: string; seconds: number }> {
  const started = performance.now();
  return new Promise((done, fail) =>
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`${command} failed: ${String(stderr).trim().split('\n').pop()}`));
      else done({ stdout: String(stdout), seconds: (performance.now() - started) / 1000 });
    }),
  );
}

/** The first line of `sumo --version`, or undefined when SUMO is not installed. */
async function sumoVersion(): Promise<string | undefined> {
  try {
    return (await timed('sumo', ['--version'])).stdout.split('\n')[0];
  } catch {
    return undefined;
  }
}

/** The same scenario in SUMO: the net through netconvert, the same vehicles and routes, the same step. */
async function sumoSpeed(scenario: Scenario, folder: string): Promise<SumoSpeed> {
  const base = join(folder, scenario.name.replace(/\W+/g, '-').slice(0, 40));
  const { netFile } = await exportSumoNetwork(scenario.network, `${base}.net.xml`);
  await writeFile(`${base}.rou.xml`, sumoRoutesXml(scenario.vehicles));
  const summary = `${base}.summary.xml`;
  const args = [
    ...['-n', netFile, '-r', `${base}.rou.xml`],
    ...['-b', String(scenario.begin), '-e', String(scenario.end)],
    ...['--step-length', String(STEP), '--summary-output', summary],
    ...['--no-step-log', '--no-warnings', '--xml-validation', 'never'],
    '--duration-log.statistics',
  ];
  const runs: { seconds: number; loopSeconds: number }[] = [];
  for (let run = 0; run < RUNS.sumo; run++) {
    const { stdout, seconds } = await timed('sumo', args);
    const loop = /Duration:\s*([\d.]+)\s*(ms|s)/.exec(stdout);
    const loopSeconds = loop ? Number(loop[1]) / (loop[2] === 'ms' ? 1000 : 1) : NaN;
    runs.push({ seconds, loopSeconds });
  }
  const steps = [...(await readFile(summary, 'utf8')).matchAll(/<step\b([^>]*)\/>/g)];
  const attribute = (text: string, name: string) =>
    Number(new RegExp(`\\b${name}="([^"]*)"`).exec(text)?.[1] ?? 0);
  const running = steps.reduce((sum, [, text]) => sum + attribute(text!, 'running'), 0);
  const vehicleSeconds = running * STEP;
  const wallSeconds = fastest(runs.map((run) => run.seconds));
  const loopSeconds = fastest(runs.map((run) => run.loopSeconds));
  const lastStep = steps.at(-1)?.[1] ?? '';
  return {
    vehicles: scenario.vehicles.filter(
      (vehicle) => vehicle.depart >= scenario.begin && vehicle.depart < scenario.end,
    ).length,
    arrived: attribute(lastStep, 'arrived'),
    vehicleSeconds,
    wallSeconds,
    vehicleSecondsPerSecond: vehicleSeconds / wallSeconds,
    runs: runs.map((run) => run.seconds),
    loopSeconds,
    loopVehicleSecondsPerSecond: vehicleSeconds / loopSeconds,
  };
}

/** `global.gc`, switched on at run time so `npm run bench` needs no `--expose-gc`. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Live memory of a run half-way through (after a full collection), minus the memory before it:
 * what the simulator holds for its vehicles, lanes and history. Heap plus array buffers, since
 * typed arrays keep their data outside the JavaScript heap.
 */
function memoryOfRun(scenario: Scenario, gc: () => void): number {
  const live = () => {
    gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  const before = live();
  const middle = (scenario.begin + scenario.end) / 2;
  let during = NaN;
  simulate(
    scenario.network,
    scenario.vehicles,
    {},
    {
      begin: scenario.begin,
      end: scenario.end,
      step: STEP,
      rng: seededRandom(1),
      observer: {
        step: ({ time }) => {
          if (Number.isNaN(during) && time >= middle) during = live();
        },
      },
    },
  );
  return during - before;
}

function format(value: number, digits = 0): string {
  return value.toLocaleString('en', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/**
 * The simulator suite: greenwave's and SUMO's simulated vehicle-seconds per wall-clock second on
 * the Jinshui corridor and a 6×6 grid (one core each, one after the other), and greenwave's live
 * memory at 1×, 2× and 4× the grid's demand. Writes `bench/results/sim.json`.
 *
 * @example
 * await simSuite(); // prints both rates and their ratio per scenario, then memory per vehicle
 */
export async function simSuite(): Promise<void> {
  console.log('\nRunning "sim" suite...');
  const version = await sumoVersion();
  if (!version) {
    console.log(
      'SUMO is not installed (no `sumo` on the PATH): measuring greenwave only. Install SUMO (apt-get install sumo) for the side-by-side figures.',
    );
  }
  const scenarios = [await corridor(), grid(GRID_FLOW_PER_ENTRY)];
  const folder = await mkdtemp(join(tmpdir(), 'greenwave-sim-bench-'));
  const speeds = [];
  try {
    for (const scenario of scenarios) {
      const greenwave = greenwaveSpeed(scenario);
      let sumo: SumoSpeed | { error: string } | undefined;
      if (version) {
        try {
          sumo = await sumoSpeed(scenario, folder);
        } catch (error) {
          sumo = { error: (error as Error).message };
        }
      }
      const ratio =
        sumo && 'vehicleSecondsPerSecond' in sumo
          ? {
              process: greenwave.vehicleSecondsPerSecond / sumo.vehicleSecondsPerSecond,
              loop: greenwave.vehicleSecondsPerSecond / sumo.loopVehicleSecondsPerSecond,
            }
          : undefined;
      speeds.push({ scenario: scenario.name, greenwave, sumo, ratio });
      console.log(`  ${scenario.name}: ${format(greenwave.vehicles)} vehicles`);
      if (!Number.isFinite(greenwave.vehicleSeconds)) {
        console.log(
          '    greenwave: the simulator returned no finite vehicle-seconds (a fault in sim/)',
        );
      }
      console.log(
        `    greenwave: ${format(greenwave.vehicleSeconds)} veh·s in ${format(greenwave.wallSeconds, 3)} s = ${format(greenwave.vehicleSecondsPerSecond)} veh·s/s`,
      );
      if (sumo && 'error' in sumo) console.log(`    sumo: failed: ${sumo.error}`);
      if (sumo && 'loopSeconds' in sumo && ratio) {
        console.log(
          `    sumo:      ${format(sumo.vehicleSeconds)} veh·s in ${format(sumo.wallSeconds, 3)} s = ${format(sumo.vehicleSecondsPerSecond)} veh·s/s (its loop alone ${format(sumo.loopSeconds, 3)} s = ${format(sumo.loopVehicleSecondsPerSecond)} veh·s/s)`,
        );
        console.log(
          `    greenwave / sumo: ${format(ratio.process, 1)}× (against SUMO's loop alone ${format(ratio.loop, 1)}×)`,
        );
      }
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }

  const gc = collector();
  const memory = [1, 2, 4].map((factor) => {
    const scenario = grid(GRID_FLOW_PER_ENTRY * factor);
    const bytes = memoryOfRun(scenario, gc);
    return {
      demand: `${factor}×`,
      vehicles: scenario.vehicles.length,
      bytes,
      bytesPerVehicle: bytes / scenario.vehicles.length,
    };
  });
  const fit = linearFit(memory);
  console.log('  memory half-way through the grid hour (live heap + array buffers):');
  for (const entry of memory) {
    console.log(
      `    ${entry.demand}: ${format(entry.vehicles)} vehicles, ${format(entry.bytes / 1e6, 1)} MB, ${format(entry.bytesPerVehicle)} B per vehicle`,
    );
  }
  console.log(
    `    linear fit: ${format(fit.fixedBytes / 1e6, 1)} MB + ${format(fit.bytesPerVehicle)} B per vehicle (R² ${format(fit.rSquared, 4)})`,
  );
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    sumo: version ?? 'not installed',
    step: STEP,
    runs: RUNS,
    measure:
      'vehicle-seconds simulated per wall-clock second, fastest of the runs; greenwave: the simulate() call; SUMO: the whole process (and its own loop-only Duration), same net, vehicles, routes, window and step',
    speeds,
    memory: { runs: memory, fit },
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`  Saved to: ${RESULTS}`);
}
