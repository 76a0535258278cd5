// The embedded store: append-only hourly segment files under a data directory, state documents renamed into place.
import { CallQueue } from './call-queue.ts';
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  checkRange,
  checkStateKey,
  stateJson,
  rowMatches,
  toPlanRecord,
  validateRows,
  type MeasurementName,
  type RowKinds,
} from './rows.ts';
import {
  LAYOUTS,
  decodeSegment,
  encodeLine,
  parseSegmentFileName,
  segmentFileName,
  segmentStart,
  type SegmentLayout,
} from './segments.ts';
import {
  StoreError,
  type DetectorAggregate,
  type HiresEvent,
  type MovementAggregate,
  type PlanRecord,
  type Store,
  type TimeRange,
} from './types.ts';

export interface EmbeddedStoreOptions {
  /** Directory that holds the store; created if missing. */
  dataDir: string;
  /** Days raw rows (detector, movement, hi-res) are kept; plans and state are kept for good. */
  retentionDays?: number;
  /** The clock retention is measured on; pass the engine's clock so simulated days expire in simulated time. */
  clock?: { now(): number };
  /** Flush each write to the disk before it resolves (survives power loss, not only a process crash). */
  fsync?: boolean;
  /** Rows of recently read segments kept in memory; writes to a cached segment update it in place. */
  cacheRows?: number;
}

const FORMAT = { format: 'greenwave-embedded-store', version: 1 };
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MEASUREMENTS = Object.keys(LAYOUTS) as MeasurementName[];
/** Data directories open in this process (a pid in LOCK cannot tell two opens in one process apart). */
const openDirectories = new Set<string>();

interface CachedSegment {
  rows: Map<string, unknown>;
}

/**
 * Opens (creating if needed) the embedded store in `dataDir`. Single-process: a `LOCK` file holds
 * the owner's pid, and a second open while the owner lives throws `STORE_LOCKED`.
 *
 * Layout: `store.json` (format), `detector/`, `movement/`, `hires/` (one `YYYY-MM-DDTHH.jsonl` per
 * UTC hour), `plan/` (one `YYYY-MM-DD.jsonl` per day), `state/` (one `<sha256(key)>.json` each).
 *
 * @throws {StoreError} `STORE_LOCKED`, `CORRUPT_DATA` (not a store of this format), `INVALID_OPTIONS`.
 * @example
 * const store = await openEmbeddedStore({ dataDir: 'data/store' });
 * await store.writeHiresEvents([{ site: '1001', timestampMs: Date.parse('2026-11-28T07:30:00.100Z'), code: 82, param: 5 }]);
 * await store.close();
 */
export async function openEmbeddedStore({
  dataDir,
  retentionDays = 7,
  clock = { now: () => Date.now() },
  fsync = true,
  cacheRows = 1_000_000,
}: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  if (typeof dataDir !== 'string' || dataDir === '') {
    throw new StoreError(
      'INVALID_OPTIONS',
      'openEmbeddedStore: pass dataDir, the directory that holds the store',
    );
  }
  if (!(retentionDays > 0) || !(cacheRows >= 0)) {
    throw new StoreError(
      'INVALID_OPTIONS',
      `openEmbeddedStore: retentionDays (${retentionDays}) must be > 0 and cacheRows (${cacheRows}) ≥ 0`,
    );
  }
  const directory = resolve(dataDir);
  await mkdir(directory, { recursive: true });
  await takeLock(directory);
  try {
    await checkFormat(directory);
    const segments = new Map<MeasurementName, Set<number>>();
    for (const name of MEASUREMENTS) {
      await mkdir(join(directory, name), { recursive: true });
      const starts = new Set<number>();
      for (const file of await readdir(join(directory, name))) {
        const start = parseSegmentFileName(LAYOUTS[name], file);
        if (start !== undefined) starts.add(start);
      }
      segments.set(name, starts);
    }
    await mkdir(join(directory, 'state'), { recursive: true });
    for (const file of await readdir(join(directory, 'state'))) {
      if (file.endsWith('.tmp')) await rm(join(directory, 'state', file), { force: true });
    }
    const store = new EmbeddedStore({
      directory,
      retentionMs: retentionDays * DAY_MS,
      clock,
      fsync,
      cacheRows,
      segments,
    });
    await store.prune();
    return store;
  } catch (error) {
    await releaseLock(directory);
    throw error;
  }
}

interface EmbeddedStoreParts {
  directory: string;
  retentionMs: number;
  clock: { now(): number };
  fsync: boolean;
  cacheRows: number;
  segments: Map<MeasurementName, Set<number>>;
}

/** The embedded Store; open it with `openEmbeddedStore`. */
export class EmbeddedStore implements Store {
  readonly directory: string;
  readonly #parts: EmbeddedStoreParts;
  /** Recently read segments by file path, least recently used first. */
  readonly #cache = new Map<string, CachedSegment>();
  #cachedRows = 0;
  #calls = new CallQueue();
  #closed = false;
  #prunedHour = Number.NaN;
  #temporaryFiles = 0;

  constructor(parts: EmbeddedStoreParts) {
    this.directory = parts.directory;
    this.#parts = parts;
  }

  writeDetectorAggregates(rows: readonly DetectorAggregate[]): Promise<void> {
    return this.#write('detector', rows);
  }

  writeMovementAggregates(rows: readonly MovementAggregate[]): Promise<void> {
    return this.#write('movement', rows);
  }

  writeHiresEvents(rows: readonly HiresEvent[]): Promise<void> {
    return this.#write('hires', rows);
  }

  writePlanRecords(rows: readonly PlanRecord[]): Promise<void> {
    return this.#write('plan', rows);
  }

  async detectorAggregates(range: TimeRange & { detector?: string }): Promise<DetectorAggregate[]> {
    return (await this.#read('detector', range)).map((row) => ({ ...row }));
  }

  async movementAggregates(range: TimeRange & { movement?: string }): Promise<MovementAggregate[]> {
    return (await this.#read('movement', range)).map((row) => ({ ...row }));
  }

  async hiresEvents(range: TimeRange): Promise<HiresEvent[]> {
    return (await this.#read('hires', range)).map((row) => ({ ...row }));
  }

  async planRecords(range: TimeRange): Promise<PlanRecord[]> {
    return (await this.#read('plan', range)).map(toPlanRecord);
  }

  async getState<T>(key: string): Promise<T | undefined> {
    this.#assertOpen('getState');
    const file = this.#stateFile(checkStateKey('getState', key));
    return this.#calls.run(async () => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const document = JSON.parse(text) as { key: string; value: T };
      return document.key === key ? document.value : undefined;
    });
  }

  async putState(key: string, value: unknown): Promise<void> {
    this.#assertOpen('putState');
    const file = this.#stateFile(checkStateKey('putState', key));
    const text = `{"key":${JSON.stringify(key)},"value":${stateJson('putState', value)}}`;
    await this.#calls.run(async () => {
      const temporary = `${file}.${process.pid}.${this.#temporaryFiles++}.tmp`;
      await writeFile(temporary, text, { flush: this.#parts.fsync });
      await rename(temporary, file);
      if (this.#parts.fsync) await syncDirectory(join(this.directory, 'state'));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#calls.drained();
    this.#cache.clear();
    await releaseLock(this.directory);
  }

  /** Deletes raw segments wholly older than the retention; runs at open and hourly (store clock) on writes. */
  async prune(): Promise<void> {
    const now = this.#parts.clock.now();
    this.#prunedHour = Math.floor(now / HOUR_MS);
    const oldest = now - this.#parts.retentionMs;
    for (const name of MEASUREMENTS) {
      const layout = LAYOUTS[name] as SegmentLayout<unknown>;
      if (layout.spec.retention !== 'raw') continue;
      const starts = this.#parts.segments.get(name)!;
      for (const start of [...starts]) {
        if (start + layout.segmentMs > oldest) continue;
        const file = this.#segmentFile(name, start);
        await unlink(file).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
        starts.delete(start);
        this.#evict(file);
      }
    }
  }

  #assertOpen(method: string): void {
    if (this.#closed) {
      throw new StoreError(
        'STORE_CLOSED',
        `${method}: the store is closed; open it again with openEmbeddedStore`,
      );
    }
  }

  async #write<Name extends MeasurementName>(name: Name, rows: readonly unknown[]): Promise<void> {
    const layout = LAYOUTS[name] as SegmentLayout<RowKinds[Name]>;
    this.#assertOpen(layout.spec.writer);
    const valid = validateRows(layout.spec, rows);
    if (valid.length === 0) return;
    await this.#calls.run(async () => {
      const oldest =
        layout.spec.retention === 'raw'
          ? this.#parts.clock.now() - this.#parts.retentionMs
          : -Infinity;
      const bySegment = new Map<number, RowKinds[Name][]>();
      for (const row of valid) {
        if (layout.spec.time(row) < oldest) continue;
        const start = segmentStart(layout, layout.spec.time(row));
        const segment = bySegment.get(start);
        if (segment) segment.push(row);
        else bySegment.set(start, [row]);
      }
      for (const [start, segmentRows] of bySegment) await this.#append(name, start, segmentRows);
      if (Math.floor(this.#parts.clock.now() / HOUR_MS) !== this.#prunedHour) await this.prune();
    });
  }

  async #append<Name extends MeasurementName>(
    name: Name,
    start: number,
    rows: readonly RowKinds[Name][],
  ): Promise<void> {
    const layout = LAYOUTS[name] as SegmentLayout<RowKinds[Name]>;
    const file = this.#segmentFile(name, start);
    const starts = this.#parts.segments.get(name)!;
    const handle = await open(file, 'a');
    try {
      await handle.write(encodeLine(layout, rows));
      if (this.#parts.fsync) await handle.datasync();
    } finally {
      await handle.close();
    }
    if (!starts.has(start)) {
      starts.add(start);
      if (this.#parts.fsync) await syncDirectory(join(this.directory, name));
    }
    const cached = this.#cache.get(file);
    if (cached) {
      for (const row of rows) {
        const identity = layout.spec.identity(row);
        if (!cached.rows.has(identity)) this.#cachedRows++;
        cached.rows.set(identity, row);
      }
      this.#trimCache(file);
    }
  }

  async #read<Name extends MeasurementName>(
    name: Name,
    range: TimeRange,
  ): Promise<RowKinds[Name][]> {
    const layout = LAYOUTS[name] as SegmentLayout<RowKinds[Name]>;
    this.#assertOpen(layout.spec.reader);
    const query = checkRange(layout.spec, range);
    if (query.fromMs === query.toMs) return [];
    return this.#calls.run(async () => {
      const starts = [...this.#parts.segments.get(name)!]
        .filter((start) => start + layout.segmentMs > query.fromMs && start < query.toMs)
        .sort((a, b) => a - b);
      const found: RowKinds[Name][] = [];
      for (const start of starts) {
        const rows = await this.#segmentRows(name, start);
        for (const row of rows.values()) if (rowMatches(layout.spec, row, query)) found.push(row);
      }
      return found.sort(layout.spec.compare);
    });
  }

  async #segmentRows<Name extends MeasurementName>(
    name: Name,
    start: number,
  ): Promise<Map<string, RowKinds[Name]>> {
    const layout = LAYOUTS[name] as SegmentLayout<RowKinds[Name]>;
    const file = this.#segmentFile(name, start);
    const cached = this.#cache.get(file);
    if (cached) {
      this.#cache.delete(file);
      this.#cache.set(file, cached);
      return cached.rows as Map<string, RowKinds[Name]>;
    }
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const rows = decodeSegment(layout, text, file);
    this.#cache.set(file, { rows });
    this.#cachedRows += rows.size;
    this.#trimCache(file);
    return rows;
  }

  /** Evicts least recently used segments beyond the row budget, never the one in use. */
  #trimCache(inUse: string): void {
    for (const file of this.#cache.keys()) {
      if (this.#cachedRows <= this.#parts.cacheRows) break;
      if (file !== inUse) this.#evict(file);
    }
  }

  #evict(file: string): void {
    const cached = this.#cache.get(file);
    if (!cached) return;
    this.#cachedRows -= cached.rows.size;
    this.#cache.delete(file);
  }

  #segmentFile(name: MeasurementName, start: number): string {
    return join(
      this.directory,
      name,
      segmentFileName(LAYOUTS[name] as SegmentLayout<unknown>, start),
    );
  }

  #stateFile(key: string): string {
    return join(this.directory, 'state', `${createHash('sha256').update(key).digest('hex')}.json`);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function checkFormat(directory: string): Promise<void> {
  const file = join(directory, 'store.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await writeFile(`${file}.tmp`, `${JSON.stringify(FORMAT)}\n`, { flush: true });
    await rename(`${file}.tmp`, file);
    return;
  }
  let format: unknown;
  try {
    format = JSON.parse(text);
  } catch {
    format = undefined;
  }
  const { format: kind, version } = (format ?? {}) as { format?: unknown; version?: unknown };
  if (kind !== FORMAT.format || version !== FORMAT.version) {
    throw new StoreError(
      'CORRUPT_DATA',
      `openEmbeddedStore: ${file} is not a ${FORMAT.format} version ${FORMAT.version}; point dataDir at a store of this version or at an empty directory`,
    );
  }
}

function processLives(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function takeLock(directory: string): Promise<void> {
  const lock = join(directory, 'LOCK');
  const locked = (owner: string) =>
    new StoreError(
      'STORE_LOCKED',
      `openEmbeddedStore: ${directory} is in use by ${owner}; close that store first (or delete ${lock} if no greenwave process uses it)`,
    );
  if (openDirectories.has(directory)) throw locked('this process');
  let owner = Number.NaN;
  try {
    owner = Number.parseInt(await readFile(lock, 'utf8'), 10);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (Number.isInteger(owner) && owner !== process.pid && processLives(owner))
    throw locked(`process ${owner}`);
  openDirectories.add(directory);
  await writeFile(lock, `${process.pid}\n`);
}

async function releaseLock(directory: string): Promise<void> {
  openDirectories.delete(directory);
  await rm(join(directory, 'LOCK'), { force: true });
}
