// Test fixture: the demo network with its day of counts, and an engine wired to fake controllers on
// an in-memory bus with an embedded store in a temporary directory, on a manual clock.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDemoNetwork, type DemoNetwork } from '../field/field.fixture.ts';
import type { Account } from '../mqtt/accounts.ts';
import type { Link } from '../mqtt/link.ts';
import type { Signal } from '../network/types.ts';
import { openStore, type Store } from '../store/index.ts';
import { ManualClock } from './clock.ts';
import type { EngineOptions } from './context.ts';
import { Engine } from './engine.ts';
import { memoryLogger } from './logger.ts';
import { MemoryBus } from './memory-bus.ts';
import { fakeController, minuteOfVolume, type FakeController } from './testing.ts';

export const ZONE = 'zz';
/** 08:00 UTC on a Monday: the counts' am-peak when read in UTC. */
export const T0 = Date.parse('2026-11-30T08:00:00.000Z');
export { COUNTS_FILE, NETWORK_FILE } from '../field/field.fixture.ts';

export interface Demo extends DemoNetwork {
  signals: Record<string, Signal>;
}

/** The demo network, its detector map and its time-of-day prior (read in UTC), loaded once. */
export async function loadDemo(): Promise<Demo> {
  const demo = await loadDemoNetwork();
  return { ...demo, signals: demo.network.getAttribute('signals') };
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

/**
 * `minutes` of det.volume from every site, one a minute from the clock's time on, `seq` the
 * minutes since T0 (detectors in `faults` misbehave); the engine settles after each minute.
 */
export async function feedMinutes(
  r: Rig,
  minutes: number,
  { faults = {} }: { faults?: Record<string, 'stuck-on' | 'silent'> } = {},
): Promise<void> {
  for (let step = 0; step < minutes; step++) {
    const minute = Math.round((r.clock.now() - T0) / 60_000);
    const movementFlows = r.demo.prior.flowsAt(r.clock.now());
    for (const site of r.demo.sites) {
      await r.controllers[site]!.publishVolume(
        minuteOfVolume(r.demo.map, site, {
          minute,
          endMs: r.clock.now(),
          seq: minute,
          movementFlows,
          faults,
        }),
      );
    }
    r.clock.advance(60_000);
    await r.engine.idle();
  }
}
