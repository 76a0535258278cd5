// Test fixture: the demo network with its day of counts, and an engine wired to fake controllers on
// an in-memory bus with an embedded store in a temporary directory, on a manual clock.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectorMap, type DetectorMap } from '../ingest/detector-map.ts';
import { loadDemand, loadNetwork } from '../io/load.ts';
import type { Account } from '../mqtt/accounts.ts';
import type { Link } from '../mqtt/link.ts';
import type { RoadNetwork, Signal } from '../network/types.ts';
import { openStore, type Store } from '../store/index.ts';
import { ManualClock } from './clock.ts';
import type { EngineOptions } from './context.ts';
import { Engine } from './engine.ts';
import { memoryLogger } from './logger.ts';
import { MemoryBus } from './memory-bus.ts';
import { timeOfDayPrior, type TimeOfDayPrior } from './prior.ts';
import { fakeController, type FakeController } from './testing.ts';

export const ZONE = 'zz';
/** 08:00 UTC on a Monday: the counts' am-peak when read in UTC. */
export const T0 = Date.parse('2026-11-30T08:00:00.000Z');
export const NETWORK_FILE = fileURLToPath(
  new URL('../../fixtures/networks/zhengzhou-jinshui-road.geojson', import.meta.url),
);
export const COUNTS_FILE = fileURLToPath(
  new URL('../../fixtures/counts/zhengzhou-jinshui-weekday.csv', import.meta.url),
);

export interface Demo {
  network: RoadNetwork;
  map: DetectorMap;
  prior: TimeOfDayPrior;
  signals: Record<string, Signal>;
  sites: string[];
}

let demo: Promise<Demo> | undefined;

/** The demo network, its detector map and its time-of-day prior (read in UTC), loaded once. */
export function loadDemo(): Promise<Demo> {
  demo ??= (async () => {
    const { network } = await loadNetwork(NETWORK_FILE);
    const day = (await loadDemand(COUNTS_FILE, network, { interval: 900 })).flows;
    const signals = network.getAttribute('signals');
    return {
      network,
      map: detectorMap(network),
      prior: timeOfDayPrior(network, day, { timeZone: 'UTC' }),
      signals,
      sites: Object.keys(signals).sort(),
    };
  })();
  return demo;
}

export const controllerAccount = (site: string): Account => ({
  username: `${ZONE}-${site}`,
  role: 'controller',
  zone: ZONE,
  site,
});

/** A temporary data directory, removed by `cleanUp`. */
export const temporaryDirectory = () => mkdtemp(join(tmpdir(), 'greenwave-engine-'));

export interface Rig {
  demo: Demo;
  bus: MemoryBus;
  clock: ManualClock;
  dataDir: string;
  store: Store;
  engine: Engine;
  logger: ReturnType<typeof memoryLogger>;
  controllers: Record<string, FakeController>;
  /** Alarm payloads published on `tsc/zz/engine/alarm/#`, oldest first. */
  alarms: { topic: string; payload: Record<string, unknown> }[];
  /** A new engine on the same bus and data directory, after stopping this one. */
  restart(options?: EngineOptions): Promise<Engine>;
  cleanUp(): Promise<void>;
}

/**
 * The demo network's engine (manual cycles unless told otherwise) with a fake controller per site
 * online before it starts.
 */
export async function rig({
  options = {},
  start = T0,
}: { options?: EngineOptions; start?: number } = {}): Promise<Rig> {
  const loaded = await loadDemo();
  const bus = new MemoryBus();
  const clock = new ManualClock(start);
  const dataDir = await temporaryDirectory();
  const alarms: Rig['alarms'] = [];
  const watcher = bus.link({ name: 'watcher' });
  watcher.onMessage((topic, payload) =>
    alarms.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> }),
  );
  await watcher.subscribe(`tsc/${ZONE}/engine/alarm/#`);
  const controllers: Record<string, FakeController> = {};
  for (const site of loaded.sites) {
    controllers[site] = await fakeController(
      bus.link({ name: site, account: controllerAccount(site) }),
      { zone: ZONE, site, signal: loaded.signals[site]!, clock },
    );
    await controllers[site].online();
  }
  const open = async (engineOptions: EngineOptions, link: Link) => {
    const store = await openStore({ dataDir, clock });
    const logger = memoryLogger();
    const engine = new Engine({
      network: loaded.network,
      link,
      store,
      zone: ZONE,
      clock,
      logger,
      options: { prior: loaded.prior, adaptive: false, ...engineOptions },
    });
    await engine.start();
    return { store, logger, engine };
  };
  const first = await open(options, bus.link({ name: 'engine' }));
  const current: Rig = {
    demo: loaded,
    bus,
    clock,
    dataDir,
    ...first,
    controllers,
    alarms,
    async restart(restartOptions = options) {
      await current.engine.stop();
      await current.store.close();
      const next = await open(restartOptions, bus.link({ name: 'engine-2' }));
      Object.assign(current, next);
      return next.engine;
    },
    async cleanUp() {
      await current.engine.stop();
      await current.store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return current;
}
