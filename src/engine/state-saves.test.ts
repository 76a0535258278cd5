// When the engine saves its ingest state, and what a crash or a stop leaves to the next engine.
import { cp, rm } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gapRate, sequenceKey } from '../ingest/sequence.ts';
import { siteEntry } from '../ingest/site-table.ts';
import { memoryLogger } from './logger.ts';
import { openStore, type Store } from '../store/index.ts';
import { loadDemo, feedMinutes, rig, T0, temporaryDirectory, type Rig } from './engine.fixture.ts';
import { Engine } from './engine.ts';
import { STATE_KEYS, type SavedState } from './state.ts';

const MINUTE = 60_000;
const VOLUME = 'det.volume';
let current: Rig | undefined;
const cleanUps: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanUp of cleanUps.splice(0)) await cleanUp();
  await current?.cleanUp();
  current = undefined;
});
beforeAll(async () => {
  await loadDemo();
});

const saved = async (store: Store) =>
  ({
    ingest: await store.getState(STATE_KEYS.ingest),
    evidence: await store.getState(STATE_KEYS.evidence),
  }) as Pick<SavedState, 'ingest' | 'evidence'>;

/**
 * A second engine on a copy of the data directory as it is now: what an engine restarted after a
 * crash at this moment would find (nothing was saved on the way down).
 */
async function afterCrash(r: Rig): Promise<{ engine: Engine; store: Store }> {
  const dataDir = await temporaryDirectory();
  await cp(r.dataDir, dataDir, { recursive: true });
  const store = await openStore({ dataDir, clock: r.clock });
  const engine = new Engine({
    network: r.demo.network,
    link: r.bus.link({ name: 'engine-after-crash' }),
    store,
    zone: r.engine.zone,
    clock: r.clock,
    logger: memoryLogger(),
    options: { prior: r.demo.prior, adaptive: false },
  });
  await engine.start();
  cleanUps.push(async () => {
    await engine.stop();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { engine, store };
}

describe('Engine state saves', () => {
  it('saves the ingest state every ingestSave seconds, not at every tick', async () => {
    const r = (current = await rig({ options: { ingestSave: 300 } }));
    const site = r.demo.sites[0]!;
    const lastSaved = async () =>
      (await saved(r.store)).ingest?.ingest.sequences[sequenceKey(site, VOLUME)]?.last;
    await feedMinutes(r, 4); // seqs 0–3 taken; ticks at 08:01 … 08:04
    expect(await lastSaved()).toBeUndefined();
    await feedMinutes(r, 1); // the 08:05 tick, 300 s after the start
    expect(await lastSaved()).toBe(4);
    await feedMinutes(r, 4); // ticks at 08:06 … 08:09, the 08:07 one closing 08:00–08:05: not saved
    expect(r.engine.state.ingest.sequences[sequenceKey(site, VOLUME)]?.last).toBe(8);
    expect(await lastSaved()).toBe(4);
    await feedMinutes(r, 1); // the 08:10 tick
    expect(await lastSaved()).toBe(9);
  });

  it('after a crash, never stores a stored interval again and counts no gap for what it forgot', async () => {
    const r = (current = await rig({ options: { ingestSave: 300 } }));
    // saved at 08:05 with 08:00–08:05 open and its last reading (ending 08:05) not yet taken; the
    // 08:07 tick closes and stores it whole; then the engine crashes at 08:09
    await feedMinutes(r, 9);
    const range = { fromMs: T0, toMs: T0 + 5 * MINUTE };
    const fiveMinutes = async (store: Store) =>
      (await store.detectorAggregates(range)).filter((row) => row.interval === 300);
    const stored = await fiveMinutes(r.store);
    expect(stored).toHaveLength(Object.keys(r.demo.map.detectors).length);
    const next = await afterCrash(r);
    expect(next.engine.state.ingest.aggregation.levels[0]!.closedThroughMs).toBe(T0 + 5 * MINUTE);
    // The feeds go on: the next entries skip the ones the crash forgot, and are not gaps.
    await feedMinutes(r, 10);
    await next.engine.idle();
    for (const site of r.demo.sites) {
      const channel = next.engine.state.ingest.sequences[sequenceKey(site, VOLUME)];
      expect(channel?.last).toBe(18);
      expect(gapRate(channel, r.clock.now(), 900)).toMatchObject({ missing: 0, rate: 0 });
    }
    // The interval stored before the crash keeps its rows: nothing closed it again with less.
    expect(await fiveMinutes(next.store)).toEqual(stored);
  });

  it('saves the evidence every evidenceSave seconds, and everything at stop', async () => {
    const r = (current = await rig({ options: { evidenceSave: 300 } }));
    const site = r.demo.sites[0]!;
    const detector = r.demo.map.sites[site]![0]!;
    const savedBuckets = async () =>
      siteEntry((await saved(r.store)).evidence?.sites ?? {}, site)?.detectors[detector]?.buckets
        .length;
    await feedMinutes(r, 4);
    expect(await savedBuckets()).toBeUndefined();
    await feedMinutes(r, 2); // the 08:05 tick: 300 s since the start
    expect(await savedBuckets()).toBe(5);
    await feedMinutes(r, 3);
    expect(await savedBuckets()).toBe(5);
    const before = r.engine.state.ingest;
    const engine = await r.restart();
    // a stop saves it all: the next engine starts from exactly this (its channels to be resumed)
    expect(engine.state.ingest.health).toEqual(before.health);
    expect(engine.state.ingest.aggregation).toEqual(before.aggregation);
    for (const [key, channel] of Object.entries(before.sequences)) {
      expect(engine.state.ingest.sequences[key]).toEqual({ ...channel, resumed: true });
    }
  });
});
