// The embedded store: the Store contract, plus its files — layout, torn writes, corruption, retention, lock.
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedStore, openEmbeddedStore, type EmbeddedStoreOptions } from './embedded.ts';
import { openStore } from './index.ts';
import { storeContract } from './store-contract.ts';
import type { DetectorAggregate, Store } from './types.ts';

const NOW = Date.UTC(2026, 10, 28, 12, 34, 56, 789);
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function embeddedHarness(options: Partial<EmbeddedStoreOptions> = {}) {
  return async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'greenwave-store-'));
    const open = () => openEmbeddedStore({ dataDir, clock: { now: () => NOW }, ...options });
    const harness = {
      store: (await open()) as Store,
      nowMs: NOW,
      async reopen() {
        await harness.store.close();
        harness.store = await open();
        return harness.store;
      },
      async dispose() {
        await harness.store.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
    return harness;
  };
}

storeContract('embedded', embeddedHarness());
storeContract('embedded, no cache, no fsync', embeddedHarness({ cacheRows: 0, fsync: false }), {
  propertyRuns: 15,
});

describe('openEmbeddedStore on disk', () => {
  let dataDir: string;
  let now: number;
  const open = (options: Partial<EmbeddedStoreOptions> = {}) =>
    openEmbeddedStore({ dataDir, clock: { now: () => now }, ...options });
  const row = (startMs: number, count = 1): DetectorAggregate => ({
    site: '1001',
    detector: '5',
    startMs,
    interval: 60,
    count,
    occupancy: 0.1,
  });
  const hour = Math.floor(NOW / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'greenwave-store-'));
    now = NOW;
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lays rows out in one file per measurement and UTC hour (plans: per day), appending one line per batch', async () => {
    const store = await open();
    await store.writeDetectorAggregates([row(hour), row(hour + 60_000)]);
    await store.writeDetectorAggregates([row(hour + HOUR_MS)]);
    await store.writePlanRecords([
      { site: '1001', planId: 'p', version: 1, appliedAtMs: hour, cycle: 90, offset: 0, plan: {} },
    ]);
    await store.close();
    expect((await readdir(join(dataDir, 'detector'))).sort()).toEqual([
      '2026-11-28T10.jsonl',
      '2026-11-28T11.jsonl',
    ]);
    expect(await readdir(join(dataDir, 'plan'))).toEqual(['2026-11-28.jsonl']);
    const lines = (await readFile(join(dataDir, 'detector', '2026-11-28T10.jsonl'), 'utf8')).split(
      '\n',
    );
    expect(lines).toEqual([
      '',
      `[[${hour},"1001","5",null,null,60,1,0.1],[${hour + 60_000},"1001","5",null,null,60,1,0.1]]`,
    ]);
  });

  it('keeps every acknowledged write when a crash left a torn line, and writes on after it', async () => {
    let store = await open();
    await store.writeDetectorAggregates([row(hour, 1)]);
    await store.close();
    // What a process killed in the middle of an append leaves: a line cut short, no newline.
    await appendFile(
      join(dataDir, 'detector', '2026-11-28T10.jsonl'),
      `\n[[${hour + 1},"1001","5",nu`,
    );
    store = await open();
    expect(
      (await store.detectorAggregates({ fromMs: hour, toMs: hour + HOUR_MS })).map((r) => r.count),
    ).toEqual([1]);
    await store.writeDetectorAggregates([row(hour + 2, 3)]);
    await store.close();
    store = await open();
    expect(
      (await store.detectorAggregates({ fromMs: hour, toMs: hour + HOUR_MS })).map((r) => r.count),
    ).toEqual([1, 3]);
    await store.close();
  });

  it('reads only the segments a range touches: a corrupt hour fails its own queries, not others', async () => {
    const store = await open();
    await store.writeDetectorAggregates([row(hour), row(hour + HOUR_MS)]);
    await store.close();
    await writeFile(join(dataDir, 'detector', '2026-11-28T10.jsonl'), '\n{"not":"rows"}');
    const reopened = await open();
    expect(
      await reopened.detectorAggregates({ fromMs: hour + HOUR_MS, toMs: hour + 2 * HOUR_MS }),
    ).toEqual([row(hour + HOUR_MS)]);
    await expect(
      reopened.detectorAggregates({ fromMs: hour, toMs: hour + 1 }),
    ).rejects.toMatchObject({
      code: 'CORRUPT_DATA',
    });
    await reopened.close();
  });

  it('drops raw hour files older than the retention as its clock moves on, and keeps plans', async () => {
    const store = await open({ retentionDays: 1 });
    await store.writeDetectorAggregates([row(hour), row(hour + HOUR_MS)]);
    await store.writePlanRecords([
      { site: '1001', planId: 'p', version: 1, appliedAtMs: hour, cycle: 90, offset: 0, plan: {} },
    ]);
    now = hour + DAY_MS + HOUR_MS + 1; // the first hour is now wholly older than a day
    await store.writeDetectorAggregates([row(now)]);
    expect(await readdir(join(dataDir, 'detector'))).not.toContain('2026-11-28T10.jsonl');
    expect(
      (await store.detectorAggregates({ fromMs: hour, toMs: now + 1 })).map((r) => r.startMs),
    ).toEqual([hour + HOUR_MS, now]);
    expect(await store.planRecords({ fromMs: hour, toMs: now })).toHaveLength(1);
    await store.close();
    now += DAY_MS + HOUR_MS;
    const reopened = await open({ retentionDays: 1 });
    expect(await readdir(join(dataDir, 'detector'))).toEqual([]);
    await reopened.close();
  });

  it('refuses a second open of the same directory until the first is closed', async () => {
    const store = await open();
    await expect(open()).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    await store.close();
    const again = await open();
    await again.close();
  });

  it('takes over the lock a dead process left behind', async () => {
    await writeFile(join(dataDir, 'LOCK'), '2147483646\n');
    const store = await open();
    expect((await readFile(join(dataDir, 'LOCK'), 'utf8')).trim()).toBe(String(process.pid));
    await store.close();
  });

  it('refuses a directory holding another format', async () => {
    await writeFile(
      join(dataDir, 'store.json'),
      '{"format":"greenwave-embedded-store","version":99}',
    );
    await expect(open()).rejects.toMatchObject({ code: 'CORRUPT_DATA' });
    await expect(openEmbeddedStore({ dataDir: '' })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });

  it('writes state documents by rename, so a crash leaves the old document and a temp file it cleans up', async () => {
    const store = await open();
    await store.putState('plans', { version: 1 });
    await store.close();
    const stateDir = join(dataDir, 'state');
    const [document] = await readdir(stateDir);
    await writeFile(join(stateDir, `${document}.4242.0.tmp`), '{"key":"plans","value":{"vers');
    const reopened = await open();
    expect(await reopened.getState('plans')).toEqual({ version: 1 });
    expect(await readdir(stateDir)).toEqual([document]);
    await reopened.close();
  });

  it('serves queries from a cache that writes keep current', async () => {
    const store = await open({ cacheRows: 10 });
    await store.writeDetectorAggregates([row(hour, 1)]);
    expect((await store.detectorAggregates({ fromMs: hour, toMs: hour + 1 }))[0]?.count).toBe(1);
    await store.writeDetectorAggregates([row(hour, 2), row(hour + 1, 3)]);
    expect(
      (await store.detectorAggregates({ fromMs: hour, toMs: hour + 2 })).map((r) => r.count),
    ).toEqual([2, 3]);
    const many = Array.from({ length: 30 }, (_, index) => row(hour + HOUR_MS + index, index));
    await store.writeDetectorAggregates(many);
    expect(
      await store.detectorAggregates({ fromMs: hour + HOUR_MS, toMs: hour + 2 * HOUR_MS }),
    ).toEqual(many);
    expect(
      (await store.detectorAggregates({ fromMs: hour, toMs: hour + 2 })).map((r) => r.count),
    ).toEqual([2, 3]);
    await store.close();
  });

  it('is what openStore opens when no InfluxDB URL is given', async () => {
    const store = await openStore({ influxUrl: '', dataDir, clock: { now: () => now } });
    expect(store).toBeInstanceOf(EmbeddedStore);
    expect((store as EmbeddedStore).directory).toBe(dataDir);
    await store.close();
  });
});
