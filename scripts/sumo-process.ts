// What both sumo-compare suites share: SUMO's location, a process pool, sumocfg reading, duarouter.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** The repository root, where `bin/greenwave.js` lives. */
export const REPOSITORY = resolve(import.meta.dirname, '..');
/** SUMO's install: its tools (tlsCycleAdaptation.py, tlsCoordinator.py) are under `tools/`. */
export const SUMO_HOME = process.env['SUMO_HOME'] ?? '/usr/share/sumo';
/** Flags that keep SUMO and duarouter from printing progress and warnings for every vehicle. */
/** SUMO's cycle-and-splits tool, the peer both SUMO suites measure against. */
export const TLS_CYCLE_ADAPTATION = join(SUMO_HOME, 'tools', 'tlsCycleAdaptation.py');

export const QUIET = ['--xml-validation', 'never', '--no-step-log', '--no-warnings'];
/** Two cores: more SUMO processes at once only slow each other down. */
export const PARALLEL_PROCESSES = 2;
/** A single hour simulates in seconds; ten minutes means something hangs. */
const PROCESS_TIMEOUT_MS = 600_000;

/** Runs a task when one of the pool's slots is free; both suites share one pool. */
export type Pool = <T>(task: () => Promise<T>) => Promise<T>;

/** One SUMO scenario as its sumocfg describes it, paths absolute. */
export interface Scenario {
  map: string;
  sumocfg: string;
  net: string;
  routeFiles: string[];
  /** The simulated window, seconds of the day. */
  begin: number;
  end: number;
  /** Trips or flows without routes must go through duarouter before SUMO's tls tools. */
  needsRouting: boolean;
}

/** The demand a scenario's route-reading tools need: the net, route files and the window. */
export type Demand = Pick<Scenario, 'net' | 'routeFiles' | 'begin' | 'end' | 'needsRouting'>;

/**
 * At most `size` tasks at a time, started in the order they were asked for.
 *
 * @example
 * const pool = createPool(2);
 * await Promise.all([1, 2, 3].map((n) => pool(async () => n))); // → [1, 2, 3], two at a time
 */
export function createPool(size: number): Pool {
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

/**
 * Runs a process to completion and resolves with its run time in seconds; rejects with the tail
 * of its stderr when it fails.
 *
 * @example
 * await runProcess('sumo', ['-c', 'cologne3.sumocfg']); // → 1.2
 */
export function runProcess(command: string, args: string[], cwd = REPOSITORY): Promise<number> {
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

/**
 * Reads net, route files and window from a sumocfg.
 *
 * @throws when the sumocfg lacks net-file, route-files, begin or end.
 * @example
 * await readScenario('/data/resco/cologne3/cologne3.sumocfg', 'cologne3');
 * // → { map: 'cologne3', net: '/data/resco/cologne3/cologne3.net.xml', begin: 25200, … }
 */
export async function readScenario(sumocfg: string, map: string): Promise<Scenario> {
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
  return {
    map,
    sumocfg,
    net: resolve(folder, value('net-file')),
    routeFiles,
    begin: Number(value('begin')),
    end: Number(value('end')),
    needsRouting: await needsRouting(routeFiles),
  };
}

/** True when a route file holds trips or flows that SUMO routes itself at departure. */
export async function needsRouting(routeFiles: string[]): Promise<boolean> {
  const routes = await Promise.all(routeFiles.map((file) => readFile(file, 'utf8')));
  return routes.some((text) => /<trip\b|<flow\b[^>]*\bfrom=/.test(text));
}

/**
 * Route files with a route for every vehicle, as SUMO's tls tools read them: the scenario's own,
 * or duarouter's routing of its trips over the window, written to `folder/NAME.routed.rou.xml`.
 */
export async function routedDemand(
  demand: Demand,
  name: string,
  folder: string,
  pool: Pool,
): Promise<{ routeFiles: string[]; seconds: number }> {
  if (!demand.needsRouting) return { routeFiles: demand.routeFiles, seconds: 0 };
  const routed = join(folder, `${name}.routed.rou.xml`);
  const window = ['--begin', String(demand.begin), '--end', String(demand.end)];
  const args = ['-n', demand.net, '-r', demand.routeFiles.join(','), '-o', routed, ...window];
  const seconds = await pool(() => runProcess('duarouter', [...args, ...QUIET, '--ignore-errors']));
  return { routeFiles: [routed], seconds };
}

/** The mean of some numbers; NaN for none, or when any is NaN (a failed run). */
export function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** A number for a table; a dash where a failed run left no value. */
export function figure(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** The first line of `sumo --version`, for the results file. */
export function sumoVersion(): Promise<string> {
  return new Promise((done) =>
    execFile('sumo', ['--version'], (_error, stdout) => done(String(stdout).split('\n')[0] ?? '')),
  );
}

/** The project's own arterial, Jinshui Road: its network, its weekday counts and the morning peak hour. */
export const JINSHUI = {
  network: join(REPOSITORY, 'fixtures/networks/zhengzhou-jinshui-road.geojson'),
  counts: join(REPOSITORY, 'fixtures/counts/zhengzhou-jinshui-weekday.csv'),
  begin: 27000,
  end: 30600,
  demandSeed: 1,
};

/**
 * Writes Jinshui Road to SUMO with `greenwave export`, as a user would: the net and the vehicles
 * drawn from its counts (seeded) into `folder`; also the demand arguments greenwave reads.
 */
export async function exportJinshui(
  folder: string,
  pool: Pool,
): Promise<{ net: string; routes: string; demand: string[] }> {
  const net = join(folder, 'jinshui.net.xml');
  const routes = join(folder, 'jinshui.rou.xml');
  const window = ['--begin', String(JINSHUI.begin), '--end', String(JINSHUI.end)];
  const demand = ['--demand', JINSHUI.counts, ...window];
  const args = ['export', '--net', JINSHUI.network, '--out', net, ...demand, '--routes', routes];
  const seed = ['--seed', String(JINSHUI.demandSeed)];
  await pool(() => runProcess(process.execPath, ['bin/greenwave.js', ...args, ...seed]));
  return { net, routes, demand };
}

/**
 * Runs a comparison script's `main` and sets the exit code it returns; an error thrown is printed
 * (its message alone) and exits 1.
 *
 * @example
 * await exitWith(main); // process.exitCode => 0 when every check passed
 */
export async function exitWith(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
