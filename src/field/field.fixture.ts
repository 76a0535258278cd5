// Test fixture: the demo network (Jinshui Road) with its weekday of counts, loaded once per file.
import { fileURLToPath } from 'node:url';
import type { TurningFlows } from '../demand/types.ts';
import { timeOfDayPrior, type TimeOfDayPrior } from '../engine/prior.ts';
import { detectorMap, type DetectorMap } from '../ingest/detector-map.ts';
import { loadDemand, loadNetwork } from '../io/load.ts';
import type { RoadNetwork } from '../network/types.ts';

export const NETWORK_FILE = fileURLToPath(
  new URL('../../fixtures/networks/zhengzhou-jinshui-road.geojson', import.meta.url),
);
export const COUNTS_FILE = fileURLToPath(
  new URL('../../fixtures/counts/zhengzhou-jinshui-weekday.csv', import.meta.url),
);

export interface DemoNetwork {
  network: RoadNetwork;
  /** The weekday of counts, 15-minute intervals, seconds since midnight. */
  day: TurningFlows;
  /** The counts read in UTC. */
  prior: TimeOfDayPrior;
  map: DetectorMap;
  sites: string[];
}

let loaded: Promise<DemoNetwork> | undefined;

/** The demo network and its counts. */
export function loadDemoNetwork(): Promise<DemoNetwork> {
  loaded ??= (async () => {
    const { network } = await loadNetwork(NETWORK_FILE);
    const day = (await loadDemand(COUNTS_FILE, network, { interval: 900 })).flows;
    return {
      network,
      day,
      prior: timeOfDayPrior(network, day, { timeZone: 'UTC' }),
      map: detectorMap(network),
      sites: Object.keys(network.getAttribute('signals')).sort(),
    };
  })();
  return loaded;
}
