// Where greenwave's simulator and SUMO part ways on one scenario: delay by route, vehicle by vehicle.
// Usage: node --import tsx scripts/sim-diagnose.ts [--case resco/cologne1] [--plans own] [--seed 1]
//        [--depth 2] [--min 20] [--top 25]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { simulate } from '../sim/simulate.ts';
import type { VehicleResult } from '../sim/types.ts';
import { loadSimulationInputs } from '../src/cli/sim.ts';
import { seededRandom } from '../src/seeded-random.ts';
import { fileName, loadScenario, programs, runSumo } from './sim-scenarios.ts';
import { REPOSITORY, createPool } from './sumo-process.ts';
import type { TripRecord } from './tripinfo.ts';

/** Sums over the vehicles of one group that finished in both simulators. */
interface Group {
  vehicles: number;
  sumoTimeLoss: number;
  sumoDepartDelay: number;
  sumoStops: number;
  timeLoss: number;
  departDelay: number;
  stops: number;
}

const emptyGroup = (): Group => ({
  vehicles: 0,
  sumoTimeLoss: 0,
  sumoDepartDelay: 0,
  sumoStops: 0,
  timeLoss: 0,
  departDelay: 0,
  stops: 0,
});

function add(group: Group, sumo: TripRecord, ours: VehicleResult): void {
  group.vehicles++;
  group.sumoTimeLoss += sumo.timeLoss;
  group.sumoDepartDelay += sumo.departDelay;
  group.sumoStops += sumo.waitingCount;
  group.timeLoss += ours.delay;
  group.departDelay += ours.departDelay;
  group.stops += ours.stops;
}

/** Seconds of delay (time lost + depart delay) greenwave gives the group beyond SUMO, in all. */
const excess = (group: Group) =>
  group.timeLoss + group.departDelay - group.sumoTimeLoss - group.sumoDepartDelay;

function row(name: string, group: Group): string {
  const per = (value: number) => (value / group.vehicles).toFixed(1).padStart(7);
  return [
    name.slice(0, 64).padEnd(64),
    String(group.vehicles).padStart(6),
    per(group.sumoTimeLoss),
    per(group.timeLoss),
    per(group.sumoDepartDelay),
    per(group.departDelay),
    per(group.sumoStops),
    per(group.stops),
    per(excess(group)),
  ].join(' ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      case: { type: 'string', default: 'resco/cologne1' },
      plans: { type: 'string', default: 'own' },
      seed: { type: 'string', default: '1' },
      depth: { type: 'string', default: '2' },
      min: { type: 'string', default: '20' },
      top: { type: 'string', default: '25' },
    },
  });
  const data = process.env['GREENWAVE_DATA'] ?? resolve(REPOSITORY, '../shared/data');
  const seed = Number(values.seed);
  const depth = Number(values.depth);
  const folder = await mkdtemp(join(tmpdir(), 'greenwave-sim-diagnose-'));
  const pool = createPool(1);
  try {
    const scenario = await loadScenario(values.case, data, folder, pool);
    const planSet = scenario.planSets.find((entry) => entry.name === values.plans);
    if (!planSet) {
      const names = scenario.planSets.map((entry) => `"${entry.name}"`).join(', ');
      throw new Error(`sim-diagnose: --plans must be one of ${names} for ${scenario.name}`);
    }
    const additional = await programs(scenario, planSet, folder, pool);
    const base = join(folder, fileName(scenario.name, planSet.name, String(seed)));
    const sumo = await runSumo(scenario, additional, seed, base, pool);
    const inputs = await loadSimulationInputs({
      ...scenario.simInput,
      seed: String(seed),
      ...(additional ? { plans: additional } : {}),
    });
    const { network, vehicles, plans, begin, end } = inputs;
    const result = simulate(network, vehicles, plans, { begin, end, rng: seededRandom(seed) });

    const sumoTrips = new Map(sumo.trips.map((trip) => [trip.id, trip]));
    const routes = new Map(vehicles.map((vehicle) => [vehicle.id, vehicle.route]));
    const groups = new Map<string, Group>();
    const total = emptyGroup();
    const neverStopped = emptyGroup();
    let onlySumo = 0;
    let onlyOurs = 0;
    for (const ours of result.vehicles) {
      const trip = sumoTrips.get(ours.id);
      const finished = ours.arrival !== undefined;
      if (trip && !finished) onlySumo++;
      if (!trip && finished) onlyOurs++;
      if (!trip || !finished) continue;
      const route = routes.get(ours.id) ?? [];
      const key = (depth > 0 ? route.slice(0, depth) : route).join(' > ');
      const group = groups.get(key) ?? emptyGroup();
      groups.set(key, group);
      add(group, trip, ours);
      add(total, trip, ours);
      if (trip.waitingCount === 0 && ours.stops === 0) add(neverStopped, trip, ours);
    }

    console.log(`${scenario.name}, plans ${planSet.name}, seed ${seed}: vehicles finished in both`);
    console.log(
      `${'route (first links)'.padEnd(64)} ${'veh'.padStart(6)} ${['SUMO loss', 'loss', 'SUMO dd', 'dd', 'SUMO st', 'stops', 'excess'].map((name) => name.padStart(7)).join(' ')}`,
    );
    const ranked = [...groups]
      .filter(([, group]) => group.vehicles >= Number(values.min))
      .sort(([, a], [, b]) => Math.abs(excess(b)) - Math.abs(excess(a)))
      .slice(0, Number(values.top));
    for (const [name, group] of ranked) console.log(row(name, group));
    console.log(row('all', total));
    console.log(row('never stopped in either (free-flow loss)', neverStopped));
    console.log(
      `finished only in SUMO: ${onlySumo}; only in greenwave: ${onlyOurs}; SUMO never inserted ${sumo.notInserted}, teleports ${sumo.teleports}; greenwave never inserted ${result.totals.waiting}, teleports ${result.totals.teleports ?? 0}`,
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
