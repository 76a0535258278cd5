// `greenwave optimize`: delay-minimizing plans for every signal, written as SUMO programs or JSON.
import { writeFile } from 'node:fs/promises';
import { loadDemand, loadNetwork } from '../io/load.ts';
import { InputFileError } from '../network/errors.ts';
import { DEFAULT_CYCLE_RANGE } from '../optimize/cycle-and-splits.ts';
import { optimizeNetwork } from '../optimize/network-timing.ts';
import { sumoAdditional } from '../timing/sumo-additional.ts';
import { seconds, UsageError, type Output } from './args.ts';

export interface OptimizeOptions {
  net?: string;
  demand?: string;
  begin?: string;
  end?: string;
  interval?: string;
  out?: string;
  'cycle-min'?: string;
  'cycle-max'?: string;
  intergreens?: string;
  sequence?: string;
}

/** Design interval: the peak 15 minutes, as HCM sizes signals. */
const DESIGN_INTERVAL = 900;

/** Loads network and demand, optimizes each signal, writes or prints the plans; returns the exit code. */
export async function optimize(options: OptimizeOptions, output: Output): Promise<number> {
  if (!options.net) throw new UsageError('--net FILE is required');
  const loaded = await loadNetwork(options.net);
  const demandFile = options.demand ?? loaded.demandFiles?.[0];
  if (!demandFile)
    throw new UsageError('--demand FILE is required (or a .sumocfg naming route files)');
  const begin = seconds(options.begin, 'begin') ?? loaded.window?.begin;
  const end = seconds(options.end, 'end') ?? loaded.window?.end;
  const interval = seconds(options.interval, 'interval') ?? DESIGN_INTERVAL;
  const demand = await loadDemand(demandFile, loaded.network, { begin, end, interval });
  const cycle = {
    min: seconds(options['cycle-min'], 'cycle-min') ?? DEFAULT_CYCLE_RANGE.min,
    max: seconds(options['cycle-max'], 'cycle-max') ?? DEFAULT_CYCLE_RANGE.max,
  };
  if (!(cycle.min > 0 && cycle.max >= cycle.min)) {
    throw new UsageError(
      `--cycle-min and --cycle-max must satisfy 0 < min ≤ max, not ${cycle.min}–${cycle.max}`,
    );
  }
  const intergreens = choice(options.intergreens, 'intergreens', ['plan', 'ite'] as const);
  const sequence = choice(options.sequence, 'sequence', ['optimize', 'keep'] as const);
  const showProgress = process.stderr.isTTY === true;
  const result = optimizeNetwork(
    loaded.network,
    demand.flows,
    { cycle, intergreens, sequence },
    (done, total, signal) => {
      if (showProgress)
        output.err(`\roptimizing ${done}/${total} ${signal.slice(0, 40).padEnd(40)}`);
    },
  );
  if (showProgress) output.err('\n');
  for (const { signal, reason } of result.skipped)
    output.err(`greenwave optimize: skipped signal ${signal}: ${reason}\n`);

  const report = {
    network: loaded.file,
    demand: demand.file,
    window: { begin: demand.flows.begin, end: demand.flows.end, designInterval: interval },
    signals: result.signals,
    skipped: result.skipped,
  };
  if (options.out?.endsWith('.add.xml')) {
    await writeFile(options.out, sumoPrograms(loaded.network, result.signals, loaded.file));
  } else if (options.out) {
    await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
  } else {
    output.out(`${JSON.stringify(report, null, 2)}\n`);
  }
  for (const { signal, status, plan, measures, before } of result.signals) {
    output.err(
      `${signal}: ${status}, cycle ${plan.cycleLength} s, greens ${plan.stages.map((stage) => stage.green).join('/')} s, ` +
        `delay ${measures.delay.toFixed(1)} s/pcu (LOS ${measures.levelOfService}), was ${before.delay.toFixed(1)} s/pcu\n`,
    );
  }
  return 0;
}

function sumoPrograms(
  network: Parameters<typeof optimizeNetwork>[0],
  results: ReturnType<typeof optimizeNetwork>['signals'],
  file: string,
): string {
  const signals = network.getAttribute('signals');
  try {
    return sumoAdditional(
      results.map(({ plan }) => ({
        plan,
        linkCount: signals[plan.signal]!.signalGroups.length,
        programId: 'greenwave',
      })),
      `written by greenwave optimize from ${file}`,
    );
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new InputFileError(file, [
      {
        code: 'BAD_VALUE',
        element: 'signal groups',
        message: 'are not SUMO link indices, so the plans cannot be written as SUMO programs.',
        fix: 'Write .add.xml output for SUMO networks; use --out FILE.json for other formats.',
      },
    ]);
  }
}

function choice<T extends string>(
  value: string | undefined,
  name: string,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not "${value}"`);
}
