// `greenwave optimize`: delay-minimizing plans for every signal, written as SUMO programs or JSON.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { LoadedDemand, LoadedNetwork } from '../io/load.ts';
import { InputFileError } from '../network/errors.ts';
import { DEFAULT_CYCLE_RANGE } from '../optimize/cycle-and-splits.ts';
import { optimizeNetwork, type NetworkTimingOptions } from '../optimize/network-timing.ts';
import { dayPeriods, flowProfile, sumoWaut, timeOfDayPlans } from '../optimize/time-of-day.ts';
import type { TimingPlan } from '../timing/types.ts';
import { plansWithLinkIndices, sumoLinkIndices } from '../network/export/sumo-plain.ts';
import { sumoAdditional } from '../timing/sumo-additional.ts';
import { seconds, UsageError, type Output } from './args.ts';
import { DESIGN_INTERVAL, loadInputs, type NetworkDemandOptions } from './inputs.ts';

export interface OptimizeOptions extends NetworkDemandOptions {
  out?: string;
  'cycle-min'?: string;
  'cycle-max'?: string;
  intergreens?: string;
  sequence?: string;
  coordination?: string;
  offsets?: string;
  groups?: string;
  'time-of-day'?: boolean;
}

/** Loads network and demand, optimizes each signal, writes or prints the plans; returns the exit code. */
export async function optimize(options: OptimizeOptions, output: Output): Promise<number> {
  const inputs = await loadInputs(options, {
    defaultInterval: DESIGN_INTERVAL,
    requireDemand: true,
  });
  const { loaded } = inputs;
  const demand = inputs.demand!;
  const interval = demand.flows.interval;
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
  const coordination = choice(options.coordination, 'coordination', [
    'groups',
    'isolated',
  ] as const);
  const offsets = choice(options.offsets, 'offsets', ['transyt', 'keep'] as const);
  const manual = options.groups ? await readManualGroups(options.groups) : undefined;
  const settings = {
    cycle,
    intergreens,
    sequence,
    coordination,
    offsets,
    ...(manual ? { groups: { manual } } : {}),
  };
  if (options['time-of-day']) return timeOfDay(loaded, demand, settings, options.out, output);
  const showProgress = process.stderr.isTTY === true;
  const result = optimizeNetwork(loaded.network, demand.flows, settings, (done, total, signal) => {
    if (showProgress) output.err(`\roptimizing ${done}/${total} ${signal.slice(0, 40).padEnd(40)}`);
  });
  if (showProgress) output.err('\n');
  for (const { signal, reason } of result.skipped)
    output.err(`greenwave optimize: skipped signal ${signal}: ${reason}\n`);

  const report = {
    network: loaded.file,
    demand: demand.file,
    window: { begin: demand.flows.begin, end: demand.flows.end, designInterval: interval },
    groups: result.groups,
    signals: result.signals,
    skipped: result.skipped,
  };
  if (options.out?.endsWith('.add.xml')) {
    await writeFile(
      options.out,
      sumoPrograms(
        loaded.network,
        result.signals.map((entry) => entry.plan),
        loaded.file,
      ),
    );
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

/**
 * The plans as SUMO programs. A SUMO network's signal groups are its link indices; any other
 * network's are numbered as `greenwave export` numbers them, so the programs fit the net it writes.
 */
function sumoPrograms(
  network: Parameters<typeof optimizeNetwork>[0],
  plans: readonly TimingPlan[],
  file: string,
  programId: (plan: TimingPlan) => string = () => 'greenwave',
): string {
  const signals = Object.values(network.getAttribute('signals'));
  const linkIndexed = signals.every((signal) =>
    signal.signalGroups.every((group) => group.id === String(group.index)),
  );
  const links = sumoLinkIndices(network);
  const programs = (linkIndexed ? plans : plansWithLinkIndices(network, plans)).map(
    (plan, index) => ({
      plan,
      linkCount: linkIndexed
        ? network.getAttribute('signals')[plan.signal]!.signalGroups.length
        : links[plan.signal]!.linkCount,
      programId: programId(plans[index]!),
    }),
  );
  const source = linkIndexed ? file : `${file} (link indices as greenwave export writes them)`;
  return sumoAdditional(programs, `written by greenwave optimize from ${source}`);
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

/**
 * `--time-of-day`: splits the demand's day into periods, optimizes a plan per period and writes
 * the plans with their schedule (JSON, or SUMO programs named by period with a WAUT switching them).
 */
async function timeOfDay(
  loaded: LoadedNetwork,
  demand: LoadedDemand,
  settings: NetworkTimingOptions,
  out: string | undefined,
  output: Output,
): Promise<number> {
  const periods = dayPeriods(flowProfile(demand.flows));
  const day = timeOfDayPlans(demand.flows, periods, (movementFlows, period) => {
    const flows = Object.entries(movementFlows).map(([movement, flow]) => ({
      movement,
      begin: period.begin,
      end: period.end,
      vehicles: 0,
      flow,
    }));
    const turning = {
      begin: period.begin,
      end: period.end,
      interval: period.end - period.begin,
      flows,
    };
    const result = optimizeNetwork(loaded.network, turning, { ...settings, planId: period.name });
    return Object.fromEntries(result.signals.map(({ signal, plan }) => [signal, plan]));
  });
  for (const period of day.periods) {
    output.err(
      `${period.name}: ${clock(period.begin)}–${clock(period.end)}, design flow ${Math.round(period.designInterval.flow)} pcu/h\n`,
    );
  }
  if (out?.endsWith('.add.xml')) {
    const programs = day.periods.flatMap((period) => Object.values(period.plans));
    const signals = Object.keys(day.periods[0]?.plans ?? {});
    const text = sumoPrograms(loaded.network, programs, loaded.file, (plan) => plan.id);
    await writeFile(
      out,
      text.replace('</additional>', `${sumoWaut(day.schedule, signals)}</additional>`),
    );
  } else {
    const text = `${JSON.stringify({ network: loaded.file, demand: demand.file, ...day }, null, 2)}\n`;
    if (out) await writeFile(out, text);
    else output.out(text);
  }
  return 0;
}

function clock(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * The manual override of coordination groups, from a JSON file:
 * `{ "together": [["J1", "J2"]], "apart": ["J7"] }`.
 */
async function readManualGroups(
  file: string,
): Promise<{ together?: string[][]; apart?: string[] }> {
  const problem = (message: string, fix: string) =>
    new InputFileError(file, [{ code: 'BAD_VALUE', element: basename(file), message, fix }]);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw problem(
      `cannot be read as JSON (${(error as Error).message}).`,
      'Give a JSON object with "together" and/or "apart".',
    );
  }
  const isIds = (value: unknown): value is string[] =>
    Array.isArray(value) && value.every((id) => typeof id === 'string');
  const { together, apart } = (json ?? {}) as { together?: unknown; apart?: unknown };
  if (together !== undefined && !(Array.isArray(together) && together.every(isIds))) {
    throw problem(
      '"together" is not a list of lists of signal ids.',
      'Write "together": [["J1", "J2"], …].',
    );
  }
  if (apart !== undefined && !isIds(apart)) {
    throw problem('"apart" is not a list of signal ids.', 'Write "apart": ["J7", …].');
  }
  return { ...(together ? { together: together as string[][] } : {}), ...(apart ? { apart } : {}) };
}
