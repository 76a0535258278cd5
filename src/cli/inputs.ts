// Reading the network and demand a command names: the options every such command shares.
import { loadDemand, loadNetwork, type LoadedDemand, type LoadedNetwork } from '../io/load.ts';
import { seconds, UsageError } from './args.ts';

/** `--net`, `--demand`, `--begin`, `--end`, `--interval`, as given on the command line. */
export interface NetworkDemandOptions {
  net?: string;
  demand?: string;
  begin?: string;
  end?: string;
  interval?: string;
}

/** Design interval: the peak 15 minutes, as HCM sizes signals. */
export const DESIGN_INTERVAL = 900;

/**
 * Loads `--net` and the demand (`--demand`, or the route file a `.sumocfg` names) over the window
 * (`--begin`/`--end`, or the sumocfg's), in intervals of `--interval` or `defaultInterval`.
 *
 * @throws {UsageError} without `--net`, or without demand when `requireDemand`.
 */
export async function loadInputs(
  options: NetworkDemandOptions,
  {
    defaultInterval,
    requireDemand = false,
  }: { defaultInterval?: number; requireDemand?: boolean } = {},
): Promise<{ loaded: LoadedNetwork; demand?: LoadedDemand }> {
  if (!options.net) throw new UsageError('--net FILE is required');
  const loaded = await loadNetwork(options.net);
  const demandFile = options.demand ?? loaded.demandFiles?.[0];
  if (!demandFile) {
    if (requireDemand)
      throw new UsageError('--demand FILE is required (or a .sumocfg naming route files)');
    return { loaded };
  }
  const window = {
    begin: seconds(options.begin, 'begin') ?? loaded.window?.begin,
    end: seconds(options.end, 'end') ?? loaded.window?.end,
    interval: seconds(options.interval, 'interval') ?? defaultInterval,
  };
  return { loaded, demand: await loadDemand(demandFile, loaded.network, window) };
}
