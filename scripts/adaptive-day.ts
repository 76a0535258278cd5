// Adaptive benefit in simulation: a day on Jinshui Road under the best single fixed plan, the time-of-day plans and the engine's adaptive loop.
//
// Run: node --import tsx scripts/adaptive-day.ts
//   [--counts FILE] [--seeds 1,2,3] [--begin 0] [--end 86400] [--demand-scale 1] [--out FILE]
//   engine:    [--proof on|off] [--proof-warmup 600] [--proof-horizon 900] [--period 300]
//              [--actuation on|off] [--passage 2]
//              [--window 900] [--max-cycle-change 0.1] [--max-offset-shift 0.1] [--transition-step 180]
//              [--min-change 2] [--min-coverage 0.7] [--max-faulty-share 0.2]
//   optimizer, for every plan set and the engine alike:
//              [--cycle-min 45] [--cycle-max 150] [--coordination groups|isolated] [--apart JS-07,…]
//   driver:    [--step 60] [--hires-every 60]
//
// One demand for every run: vehicles drawn (seeded) from the day of 15-minute counts of the demo
// network, the same trips under every plan set. Fixed plans: each time-of-day period's plans and a
// plan set for the whole day's mean flows, each run alone all day in the simulator; the best fixed
// is the one with the lowest mean delay. Time-of-day: the schedule of `optimize --time-of-day`,
// run through the simulator's `schedule` (transitions included). Adaptive: the engine (ingest
// ticks, adaptive cycles, step limits, fallback, deployment) and the virtual field (the simulator
// playing every controller and detector) on the in-memory broker (MemoryBus: the same handlers,
// deployment and controller agents as over MQTT, delivered synchronously) and a manual clock, the
// engine's prior the same counts, the field's vehicles the same trips. Mean delay is the
// simulator's for all three: timeLoss + departDelay of the vehicles that arrived by the end.
// With --actuation on (the default) the engine's plans run coordinated-actuated (stages gap out and are skipped,
// the coordinated stage gets the time saved), and every fixed plan set and the time-of-day plans
// run a second time actuated too, and every fixed set a third time free (no cycle, no offset, its
// greens the maximums), so the loop's share of the benefit and the controllers' stand apart; the
// best fixed plan stays the best fixed-time one.
// Writes bench/results/adaptive-day.json; exits 1 when adaptive > 0.85 × best fixed.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { EngineOptions } from '../src/engine/context.ts';
import { timeOfDayPrior } from '../src/engine/prior.ts';
import { tripsFromCounts } from '../src/field/field-demand.ts';
import { loadDemand, loadNetwork } from '../src/io/load.ts';
import type { NetworkTimingOptions } from '../src/optimize/network-timing.ts';
import { seededRandom } from '../src/seeded-random.ts';
import { simulate } from '../sim/simulate.ts';
import type { ScheduleEntry } from '../sim/types.ts';
import { actuatedPlans } from '../src/timing/actuation.ts';
import { runAdaptiveDay, type AdaptiveDayRun } from './adaptive-day-loop.ts';
import {
  averageMeasures,
  bestOf,
  clock,
  dayPlans,
  fixedPlanSets,
  hindsight,
  runMeasures,
  scaleCounts,
  simulatorSchedule,
  type RunMeasures,
} from './adaptive-day-plans.ts';

/** The issue's target: adaptive mean delay at most this share of the best fixed plan's. */
const TARGET = 0.85;
const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));
const NETWORK = `${REPOSITORY}fixtures/networks/zhengzhou-jinshui-road.geojson`;
/** The tidal commuter weekday: flow-consistent counts, morning peak eastbound, evening westbound. */
const COUNTS = `${REPOSITORY}fixtures/counts/zhengzhou-jinshui-tidal-weekday.csv`;
/** Midnight of the simulated day, UTC (the counts are read in UTC, as in the engine's tests). */
const MIDNIGHT_MS = Date.parse('2026-11-30T00:00:00.000Z');
/** The virtual field seeds its simulation with `seed ^ 0x5eed`; the fixed runs do the same. */
const simulationSeed = (seed: number) => seed ^ 0x5eed;

const { values: args } = parseArgs({
  options: {
    counts: { type: 'string', default: COUNTS },
    seeds: { type: 'string', default: '1,2,3' },
    begin: { type: 'string', default: '0' },
    end: { type: 'string', default: '86400' },
    'demand-scale': { type: 'string', default: '1' },
    out: { type: 'string', default: `${REPOSITORY}bench/results/adaptive-day.json` },
    proof: { type: 'string', default: 'on' },
    actuation: { type: 'string', default: 'on' },
    passage: { type: 'string', default: '2' },
    'proof-warmup': { type: 'string' },
    'proof-horizon': { type: 'string' },
    period: { type: 'string' },
    window: { type: 'string' },
    'max-cycle-change': { type: 'string' },
    'max-offset-shift': { type: 'string' },
    'transition-step': { type: 'string' },
    'min-change': { type: 'string' },
    'min-coverage': { type: 'string' },
    'max-faulty-share': { type: 'string' },
    'cycle-min': { type: 'string' },
    'cycle-max': { type: 'string' },
    coordination: { type: 'string' },
    apart: { type: 'string' },
    step: { type: 'string', default: '60' },
    'hires-every': { type: 'string', default: '60' },
  },
});

/** The flag's value as a number, undefined when not given. */
function flag(name: keyof typeof args): number | undefined {
  const value = args[name];
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(parsed)) {
    throw new Error(`adaptive-day: --${name} must be a number, not ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** `{ key: value }` when value is defined, else `{}`: options objects without undefined fields. */
const given = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

function optimizerOptions(): NetworkTimingOptions {
  const min = flag('cycle-min');
  const max = flag('cycle-max');
  const coordination = args.coordination as NetworkTimingOptions['coordination'];
  if (coordination !== undefined && coordination !== 'groups' && coordination !== 'isolated') {
    throw new Error(
      `adaptive-day: --coordination must be groups or isolated, not ${String(coordination)}`,
    );
  }
  const apart = args.apart?.split(',').filter((site) => site !== '');
  return {
    ...(min === undefined && max === undefined
      ? {}
      : { cycle: { min: min ?? 45, max: max ?? 150 } }),
    ...given('coordination', coordination),
    ...(apart === undefined ? {} : { groups: { manual: { apart } } }),
  };
}

function engineOptions(optimize: NetworkTimingOptions): Omit<EngineOptions, 'prior'> {
  const limits = {
    ...given('maxCycleChange', flag('max-cycle-change')),
    ...given('maxOffsetShift', flag('max-offset-shift')),
  };
  const fallback = {
    ...given('minCoverage', flag('min-coverage')),
    ...given('maxFaultyShare', flag('max-faulty-share')),
  };
  const proofSettings = {
    ...given('warmup', flag('proof-warmup')),
    ...given('horizon', flag('proof-horizon')),
  };
  if (args.proof !== 'on' && args.proof !== 'off') {
    throw new Error(`adaptive-day: --proof takes on or off, not ${String(args.proof)}`);
  }
  return {
    ...(actuation ? { actuation } : {}),
    ...(args.proof === 'off'
      ? { proof: false as const }
      : proofSettings.warmup !== undefined || proofSettings.horizon !== undefined
        ? { proof: proofSettings }
        : {}),
    ...given('period', flag('period')),
    ...given('window', flag('window')),
    ...given('transitionStep', flag('transition-step')),
    ...given('minChange', flag('min-change')),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    ...(Object.keys(fallback).length > 0 ? { fallback } : {}),
    ...(Object.keys(optimize).length > 0 ? { optimize } : {}),
  };
}

interface Row {
  name: string;
  kind:
    | 'fixed'
    | 'fixed, actuated'
    | 'fixed, free'
    | 'time-of-day'
    | 'time-of-day, actuated'
    | 'adaptive';
  designedFor: string;
  measures: RunMeasures;
  runs: RunMeasures[];
  wallSeconds: number;
}

const started = performance.now();
const log = (line: string) => process.stderr.write(`${line}\n`);
const seeds = args.seeds.split(',').map((seed) => {
  if (!/^\d+$/.test(seed))
    throw new Error(`adaptive-day: --seeds takes whole numbers, not ${seed}`);
  return Number(seed);
});
const begin = flag('begin')!;
const end = flag('end')!;
const demandScale = flag('demand-scale')!;
const step = flag('step')!;
const hiResEvery = flag('hires-every')!;
if (args.actuation !== 'on' && args.actuation !== 'off') {
  throw new Error(`adaptive-day: --actuation takes on or off, not ${String(args.actuation)}`);
}
const actuation = args.actuation === 'on' ? { passage: flag('passage')! } : undefined;
const optimize = optimizerOptions();
const engine = engineOptions(optimize);

const { network } = await loadNetwork(NETWORK);
const countsFile = resolve(args.counts);
const counted = (await loadDemand(countsFile, network, { interval: 900 })).flows;
const day = demandScale === 1 ? counted : scaleCounts(counted, demandScale);
const timeOfDay = dayPlans(network, day, optimize);
const fixedTime = fixedPlanSets(network, day, timeOfDay, optimize);
/** The fixed sets run again by actuated controllers: coordinated, and free (report keys by `key`). */
const variants = actuation
  ? [
      { how: 'actuated', key: 'Actuated', kind: 'fixed, actuated' as const, actuation },
      {
        how: 'free',
        key: 'Free',
        kind: 'fixed, free' as const,
        actuation: { ...actuation, free: true },
      },
    ]
  : [];
const fixedSets = [
  ...fixedTime.map((set) => ({ ...set, kind: 'fixed' as const })),
  ...variants.flatMap(({ how, kind, actuation: operated }) =>
    fixedTime.map((set) => ({
      ...set,
      name: `${set.name}, ${how}`,
      plans: actuatedPlans(set.plans, operated),
      kind,
    })),
  ),
];
const fixedSchedule = simulatorSchedule(timeOfDay);
const schedules = [
  { name: 'time-of-day', kind: 'time-of-day' as const, schedule: fixedSchedule },
  ...(actuation
    ? [
        {
          name: 'time-of-day, actuated',
          kind: 'time-of-day, actuated' as const,
          schedule: fixedSchedule.map((entry) => ({
            ...entry,
            plans: actuatedPlans(entry.plans, actuation),
          })),
        },
      ]
    : []),
];
const prior = timeOfDayPrior(network, day, { timeZone: 'UTC', optimize });
const periods = timeOfDay.periods;
log(
  `adaptive-day: periods ${periods.map((p) => `${p.name} ${clock(p.begin)}–${clock(p.end)}`).join(', ')}; plans in ${since(started)} s`,
);

const fixedRuns = new Map(
  fixedSets.map((set) => [set.name, { runs: [] as RunMeasures[], wall: 0 }]),
);
const scheduleRuns = new Map(
  schedules.map((entry) => [entry.name, { runs: [] as RunMeasures[], wall: 0 }]),
);
const loops: AdaptiveDayRun[] = [];
for (const seed of seeds) {
  const trips = tripsFromCounts(network, day, { begin, end, rng: seededRandom(seed) });
  const simulateWith = (plans: Parameters<typeof simulate>[2], schedule?: ScheduleEntry[]) => {
    const from = performance.now();
    const result = simulate(network, trips, plans, {
      begin,
      end,
      rng: seededRandom(simulationSeed(seed)),
      ...(schedule ? { schedule } : {}),
    });
    return { measures: runMeasures(result, periods), wall: since(from) };
  };
  for (const set of fixedSets) {
    const { measures, wall } = simulateWith(set.plans);
    const entry = fixedRuns.get(set.name)!;
    entry.runs.push(measures);
    entry.wall += wall;
    log(`  seed ${seed} fixed ${set.name}: ${measures.meanDelay.toFixed(1)} s/veh (${wall} s)`);
  }
  for (const { name, schedule } of schedules) {
    const scheduled = simulateWith({}, schedule);
    const entry = scheduleRuns.get(name)!;
    entry.runs.push(scheduled.measures);
    entry.wall += scheduled.wall;
    log(
      `  seed ${seed} ${name}: ${scheduled.measures.meanDelay.toFixed(1)} s/veh (${scheduled.wall} s)`,
    );
  }
  const loop = await runAdaptiveDay({
    network,
    prior,
    trips,
    seed,
    midnightMs: MIDNIGHT_MS,
    begin,
    end,
    step,
    hiResEvery,
    engine,
  });
  loops.push(loop);
  log(
    `  seed ${seed} adaptive: ${loop.result.totals.meanDelay.toFixed(1)} s/veh, ${loop.cycles} cycles, ` +
      `${loop.applied} plans applied (${loop.wallSeconds.toFixed(1)} s)`,
  );
}

const fixedRows: Row[] = fixedSets.map((set) => {
  const { runs, wall } = fixedRuns.get(set.name)!;
  const measures = averageMeasures(runs);
  return {
    name: set.name,
    kind: set.kind,
    designedFor: set.designedFor,
    measures,
    runs,
    wallSeconds: wall,
  };
});
const fixedTimeRows = fixedRows.filter((row) => row.kind === 'fixed');
const best = bestOf(fixedTimeRows);
/** Each variant's best set, in the variants' order. */
const bestVariants = variants.map((variant) => ({
  ...variant,
  row: bestOf(fixedRows.filter((row) => row.kind === variant.kind)),
}));
const scheduleRows: Row[] = schedules.map(({ name, kind }) => {
  const { runs, wall } = scheduleRuns.get(name)!;
  return {
    name,
    kind,
    designedFor: `the schedule of optimize --time-of-day (${periods.length} periods)`,
    measures: averageMeasures(runs),
    runs,
    wallSeconds: wall,
  };
});
const scheduleRow = scheduleRows[0]!;
const adaptiveRuns = loops.map((loop) => runMeasures(loop.result, periods));
const adaptiveRow: Row = {
  name: 'adaptive',
  kind: 'adaptive',
  designedFor: `the engine's loop, a cycle every ${engine.period ?? 300} s${actuation ? `, controllers actuated (passage ${actuation.passage} s)` : ''}`,
  measures: averageMeasures(adaptiveRuns),
  runs: adaptiveRuns,
  wallSeconds: loops.reduce((sum, loop) => sum + loop.wallSeconds, 0),
};
const rows = [...fixedRows, ...scheduleRows, adaptiveRow];
const ratio = (delay: number) => delay / best.measures.meanDelay;
const adaptiveRatio = ratio(adaptiveRow.measures.meanDelay);
const passed = adaptiveRatio <= TARGET;
const bound = hindsight(fixedTimeRows);
const cycleDecisions = loops.flatMap((loop) =>
  loop.decisions.filter((d) => d.trigger !== 'transition'),
);
const adaptiveShare =
  cycleDecisions.filter((d) => d.mode === 'adaptive').length / Math.max(cycleDecisions.length, 1);

printTable();
await writeReport();
process.exitCode = passed ? 0 : 1;

/** A row's name in the table, the best of each kind marked. */
function labelOf(row: Row): string {
  if (row === best) return `fixed ${row.name} (best fixed)`;
  const variant = bestVariants.find((entry) => entry.row === row);
  if (variant) return `fixed ${row.name} (best ${variant.how})`;
  return row.kind.startsWith('fixed') ? `fixed ${row.name}` : row.name;
}

function printTable(): void {
  const header = ['plan set', 'mean delay s/veh', 'mean stops', 'arrived', '× best fixed'];
  const cells = rows.map((row) => [
    labelOf(row),
    row.measures.meanDelay.toFixed(1),
    row.measures.meanStops.toFixed(2),
    Math.round(row.measures.arrived).toString(),
    ratio(row.measures.meanDelay).toFixed(3),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => line[column]!.length)),
  );
  const format = (line: string[]) =>
    line
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!),
      )
      .join('  ');
  const scale = demandScale === 1 ? '' : `, counts × ${demandScale}`;
  console.log(
    `Jinshui Road, ${clock(begin)}–${clock(end)}${scale}, seeds ${seeds.join(', ')} (means over the seeds)`,
  );
  console.log(format(header));
  for (const line of cells) console.log(format(line));
  console.log(
    `adaptive / best fixed (${best.name}) = ${adaptiveRatio.toFixed(3)}, target ≤ ${TARGET}: ${passed ? 'met' : 'MISSED'}; ` +
      `adaptive / time-of-day = ${(adaptiveRow.measures.meanDelay / scheduleRow.measures.meanDelay).toFixed(3)}`,
  );
  for (const { how, row } of bestVariants) {
    console.log(
      `adaptive / best fixed set run ${how} (${row.name}) = ${(adaptiveRow.measures.meanDelay / row.measures.meanDelay).toFixed(3)}`,
    );
  }
  console.log(
    `hindsight (each period with its best fixed set, no transitions) = ${bound.meanDelay.toFixed(1)} s/veh, ` +
      `${ratio(bound.meanDelay).toFixed(3)} × best fixed; ${Math.round(adaptiveShare * 100)} % of the loop's cycle decisions adaptive; ` +
      `${since(started)} s in all`,
  );
}

async function writeReport(): Promise<void> {
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    command: ['node --import tsx scripts/adaptive-day.ts', ...process.argv.slice(2)].join(' '),
    network: relative(REPOSITORY, NETWORK),
    counts: relative(REPOSITORY, countsFile),
    demandScale,
    window: { begin, end },
    seeds,
    measure:
      'mean timeLoss + departDelay of the vehicles that arrived by the end (s/veh), the simulator’s meanDelay; means over the seeds',
    target: TARGET,
    bestFixed: best.name,
    ratio: round(adaptiveRatio, 4),
    ...(actuation ? { actuation } : {}),
    ...Object.fromEntries(
      bestVariants.flatMap(({ key, row }) => [
        [`bestFixed${key}`, row.name],
        [`ratioToBest${key}`, round(adaptiveRow.measures.meanDelay / row.measures.meanDelay, 4)],
      ]),
    ),
    timeOfDayRatio: round(ratio(scheduleRow.measures.meanDelay), 4),
    passed,
    hindsight: {
      ...bound,
      meanDelay: round(bound.meanDelay, 2),
      ratio: round(ratio(bound.meanDelay), 4),
    },
    optimize,
    engine: { ...engine, step, hiResEvery, broker: 'MemoryBus (in memory, synchronous)' },
    periods: periods.map((period) => ({
      name: period.name,
      begin: period.begin,
      end: period.end,
      meanFlow: Math.round(period.meanFlow),
    })),
    rows: rows.map((row) => ({
      name: row.name,
      kind: row.kind,
      designedFor: row.designedFor,
      ratio: round(ratio(row.measures.meanDelay), 4),
      ...rounded(row.measures),
      runs: row.runs.map(rounded),
      wallSeconds: round(row.wallSeconds, 1),
    })),
    loops: loops.map((loop, index) => ({
      seed: seeds[index],
      cycles: loop.cycles,
      applied: loop.applied,
      rejected: loop.rejected,
      decisions: tally(loop.decisions.map((d) => `${d.trigger}/${d.mode}`)),
      fallbacks: tally(loop.decisions.flatMap((d) => (d.fallback ? [d.fallback] : []))),
      proven: tally(loop.decisions.flatMap((d) => (d.proven ? [d.proven] : []))),
      limitedSteps: loop.decisions.filter((d) => d.limited).length,
      cycleLengths: tally(
        loop.decisions
          .filter((d) => d.trigger !== 'transition' && d.cycleLength !== undefined)
          .map((d) => String(d.cycleLength)),
      ),
      warnings: loop.problems,
      wallSeconds: round(loop.wallSeconds, 1),
    })),
    wallSeconds: since(started),
  };
  const out = resolve(args.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`adaptive-day: wrote ${relative(process.cwd(), out)}`);
}

function since(from: number): number {
  return round((performance.now() - from) / 1000, 1);
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

function rounded(measures: RunMeasures) {
  return {
    meanDelay: round(measures.meanDelay, 2),
    meanStops: round(measures.meanStops, 3),
    arrived: round(measures.arrived, 1),
    vehicles: round(measures.vehicles, 1),
    teleports: round(measures.teleports, 1),
    byPeriod: Object.fromEntries(
      Object.entries(measures.byPeriod).map(([name, entry]) => [
        name,
        { arrived: round(entry.arrived, 1), meanDelay: round(entry.meanDelay, 1) },
      ]),
    ),
  };
}

function tally(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}
