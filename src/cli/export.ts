// `greenwave export`: a network (and demand) as SUMO files, to check plans in SUMO independently.
import { writeFile } from 'node:fs/promises';
import { sumoRoutesXml } from '../demand/export/sumo-routes-writer.ts';
import { routesFromTurns } from '../demand/routes-from-turns.ts';
import { seededRandom } from '../seeded-random.ts';
import { loadDemand, loadNetwork } from '../io/load.ts';
import { exportSumoNetwork } from '../io/sumo-export.ts';
import { seconds, UsageError, type Output } from './args.ts';
import { DESIGN_INTERVAL, type NetworkDemandOptions } from './inputs.ts';

export interface ExportOptions extends NetworkDemandOptions {
  out?: string;
  routes?: string;
  seed?: string;
}

/**
 * Writes the network as a SUMO `.net.xml` (through netconvert; each signal's first program as its
 * `tlLogic`) and, with `--demand` and `--routes`, vehicles with routes drawn from the demand's
 * turning flows (seeded, Poisson departures). Returns the exit code.
 */
export async function exportToSumo(options: ExportOptions, output: Output): Promise<number> {
  if (!options.net || !options.out?.endsWith('.net.xml')) {
    throw new UsageError('--net FILE and --out FILE.net.xml are required');
  }
  if (Boolean(options.demand) !== Boolean(options.routes)) {
    throw new UsageError('--demand FILE and --routes FILE.rou.xml go together');
  }
  const { network } = await loadNetwork(options.net);
  const result = await exportSumoNetwork(network, options.out);
  output.err(`greenwave export: wrote ${result.netFile}\n`);
  for (const warning of result.warnings) output.err(`netconvert: ${warning}\n`);
  if (options.demand && options.routes) {
    const begin = seconds(options.begin, 'begin');
    const end = seconds(options.end, 'end');
    const interval = seconds(options.interval, 'interval') ?? DESIGN_INTERVAL;
    const demand = await loadDemand(options.demand, network, { begin, end, interval });
    const rng = seededRandom(Number(options.seed ?? 1));
    const vehicles = routesFromTurns(network, demand.flows, {
      rng,
      ...(begin !== undefined ? { begin } : {}),
      ...(end !== undefined ? { end } : {}),
    });
    await writeFile(
      options.routes,
      sumoRoutesXml(vehicles, { comment: `greenwave export from ${demand.file}` }),
    );
    output.err(`greenwave export: wrote ${vehicles.length} vehicles to ${options.routes}\n`);
  }
  return 0;
}
