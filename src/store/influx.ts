// The InfluxDB 1.x store through node-influx: ms-precision writes, bound-parameter queries, retention and a 15-minute rollup.
import { CallQueue } from './call-queue.ts';
import { InfluxDB, type IPoint } from 'influx';
import {
  checkRange,
  checkStateKey,
  stateJson,
  toPlanRecord,
  validateRows,
  type MeasurementName,
  type MeasurementSpec,
  type RowKinds,
  detectorSpec,
  hiresSpec,
  movementSpec,
  planSpec,
} from './rows.ts';
import {
  DEFAULT_ROLLUP_INTERVAL,
  INFLUX_SCHEMA,
  RETENTION_OF,
  RETENTION_POLICIES,
  ROLLUP_QUERY,
  ROLLUP_RESAMPLE,
  STATE_MEASUREMENT,
  fromSeries,
  isRollupInterval,
  joinStateChunks,
  qualified,
  rollupSelect,
  selectRows,
  statePoints,
  toPoint,
  type Series,
} from './influx-schema.ts';
import {
  StoreError,
  type DetectorAggregate,
  type HiresEvent,
  type MovementAggregate,
  type PlanRecord,
  type Store,
  type TimeRange,
} from './types.ts';

export interface InfluxStoreOptions {
  /** `http://user:password@host:8086/database`; the path names the database. Or give host/port. */
  url?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** Default `greenwave` (or the URL's path). */
  database?: string;
  username?: string;
  password?: string;
  /** Duration of the default `raw` retention policy (detector, movement, hi-res). */
  rawRetention?: string;
  /** Duration of the `aggregates` policy (15-minute rollups, plans); `INF` keeps them forever. */
  aggregateRetention?: string;
  /** Create the database, policies and rollup query at open (needs admin rights); turn off for a read-write user. */
  ensureSchema?: boolean;
  /** Points per HTTP write; node-influx suggests a couple of thousand. */
  batchSize?: number;
  /**
   * The detector row length, s, the 15-minute rollup sums; default 300 (the engine's shortest
   * aggregation interval). It must divide 900; rows of other lengths are not rolled up.
   */
  rollupInterval?: number;
}

const SPECS: { [Name in MeasurementName]: MeasurementSpec<RowKinds[Name]> } = {
  detector: detectorSpec,
  movement: movementSpec,
  hires: hiresSpec,
  plan: planSpec,
};
const DURATION = /^(INF|\d+[mhdw])$/;
/** What InfluxDB says when a write held points older than the policy keeps; it stored the others. */
const BEYOND_RETENTION = /"error":"partial write: points beyond retention policy dropped=\d+"/;

/**
 * Connects to InfluxDB 1.x and, unless told not to, creates the schema (`ensureSchema`).
 *
 * @throws {StoreError} `INVALID_OPTIONS` for a bad URL or retention duration.
 * @example
 * const store = await openInfluxStore({ url: 'http://127.0.0.1:8086/traffic' });
 * await store.writeDetectorAggregates([{ site: '1001', detector: '5', startMs: Date.parse('2026-11-28T07:30:00Z'), interval: 60, count: 12, occupancy: 0.2 }]);
 */
export async function openInfluxStore(options: InfluxStoreOptions = {}): Promise<InfluxStore> {
  const { url, ...rest } = options;
  const fromUrl = url === undefined ? {} : parseInfluxUrl(url);
  const {
    host = '127.0.0.1',
    port = 8086,
    protocol = 'http',
    database = 'greenwave',
    username,
    password,
    rawRetention = '7d',
    aggregateRetention = 'INF',
    ensureSchema: create = true,
    batchSize = 5000,
    rollupInterval = DEFAULT_ROLLUP_INTERVAL,
  } = { ...fromUrl, ...definedOnly(rest) };
  for (const [name, duration] of [
    ['rawRetention', rawRetention],
    ['aggregateRetention', aggregateRetention],
  ]) {
    if (!DURATION.test(duration!)) {
      throw new StoreError(
        'INVALID_OPTIONS',
        `openInfluxStore: ${name} "${duration}" must be INF or like 7d, 52w, 12h`,
      );
    }
  }
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new StoreError(
      'INVALID_OPTIONS',
      `openInfluxStore: batchSize ${batchSize} must be a positive integer`,
    );
  }
  if (!isRollupInterval(rollupInterval)) {
    throw new StoreError(
      'INVALID_OPTIONS',
      `openInfluxStore: rollupInterval ${rollupInterval} s must divide 900 s (e.g. 60, 300 or 900)`,
    );
  }
  const influx = new InfluxDB({
    host,
    port,
    protocol,
    database,
    ...(username === undefined ? {} : { username, password: password ?? '' }),
    // A copy per client: node-influx writes the database into the schema objects it is given, so
    // a shared one would type the points of the first database opened only.
    schema: INFLUX_SCHEMA.map((measurement) => ({ ...measurement, database })),
  });
  if (create) {
    await ensureSchema(influx, { database, rawRetention, aggregateRetention, rollupInterval });
  }
  return new InfluxStore(influx, database, { batchSize, rollupInterval });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}

/**
 * Reads `http(s)://[user[:password]@]host[:port][/database]`.
 *
 * @example
 * parseInfluxUrl('http://engine:secret@influx:8086/traffic')
 * // => { protocol: 'http', host: 'influx', port: 8086, username: 'engine', password: 'secret', database: 'traffic' }
 */
export function parseInfluxUrl(url: string): Partial<InfluxStoreOptions> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError(
      'INVALID_OPTIONS',
      `openInfluxStore: url "${url}" is not a URL; write http://host:8086/database`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new StoreError(
      'INVALID_OPTIONS',
      `openInfluxStore: url "${url}" must start with http:// or https://`,
    );
  }
  const protocol = parsed.protocol === 'https:' ? 'https' : 'http';
  const database = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, ''));
  return {
    protocol,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? (protocol === 'https' ? 443 : 8086) : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(database === '' ? {} : { database }),
  };
}

/**
 * Creates (or brings up to date) the database, the retention policies — `raw` (default,
 * `rawRetention`), `aggregates` (`aggregateRetention`), `state` (forever) — and the continuous
 * query `cq_detector_15m` that sums the `rollupInterval`-second detector rows (default 300) into
 * `aggregates.detector_15m` every 15 minutes, re-covering the last hour for late data. Safe to run
 * at every start; an older rollup definition is replaced.
 *
 * @example
 * await ensureSchema(new InfluxDB({ host: '127.0.0.1', database: 'traffic' }), { database: 'traffic' });
 */
export async function ensureSchema(
  influx: InfluxDB,
  {
    database,
    rawRetention = '7d',
    aggregateRetention = 'INF',
    rollupInterval = DEFAULT_ROLLUP_INTERVAL,
  }: {
    database: string;
    rawRetention?: string;
    aggregateRetention?: string;
    rollupInterval?: number;
  },
): Promise<void> {
  await influx.createDatabase(database);
  const existing = new Set(
    (await influx.showRetentionPolicies(database)).map((policy) => policy.name),
  );
  const policies: [string, string, boolean][] = [
    [RETENTION_POLICIES.raw, rawRetention, true],
    [RETENTION_POLICIES.aggregates, aggregateRetention, false],
    [RETENTION_POLICIES.state, 'INF', false],
  ];
  for (const [name, duration, isDefault] of policies) {
    const settings = { database, duration, replication: 1, isDefault };
    if (existing.has(name)) await influx.alterRetentionPolicy(name, settings);
    else await influx.createRetentionPolicy(name, settings);
  }
  const rollup = rollupSelect(database, { interval: rollupInterval });
  try {
    await influx.createContinuousQuery(ROLLUP_QUERY, rollup, database, ROLLUP_RESAMPLE);
  } catch (error) {
    // An older definition under the same name: replace it.
    if (!/already exists/.test(String(error))) throw error;
    await influx.dropContinuousQuery(ROLLUP_QUERY, database);
    await influx.createContinuousQuery(ROLLUP_QUERY, rollup, database, ROLLUP_RESAMPLE);
  }
}

/** The InfluxDB Store; open it with `openInfluxStore`. */
export class InfluxStore implements Store {
  readonly influx: InfluxDB;
  readonly database: string;
  readonly #batchSize: number;
  readonly #rollupInterval: number;
  #calls = new CallQueue();
  #closed = false;

  constructor(
    influx: InfluxDB,
    database: string,
    {
      batchSize = 5000,
      rollupInterval = DEFAULT_ROLLUP_INTERVAL,
    }: { batchSize?: number; rollupInterval?: number } = {},
  ) {
    this.influx = influx;
    this.database = database;
    this.#batchSize = batchSize;
    this.#rollupInterval = rollupInterval;
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

  detectorAggregates(range: TimeRange & { detector?: string }): Promise<DetectorAggregate[]> {
    return this.#read('detector', range);
  }

  movementAggregates(range: TimeRange & { movement?: string }): Promise<MovementAggregate[]> {
    return this.#read('movement', range);
  }

  hiresEvents(range: TimeRange): Promise<HiresEvent[]> {
    return this.#read('hires', range);
  }

  async planRecords(range: TimeRange): Promise<PlanRecord[]> {
    return (await this.#read('plan', range)).map(toPlanRecord);
  }

  async getState<T>(key: string): Promise<T | undefined> {
    this.#assertOpen('getState');
    checkStateKey('getState', key);
    return this.#calls.run(async () => {
      const text = `SELECT "part", "parts" FROM ${qualified(RETENTION_POLICIES.state, STATE_MEASUREMENT)} WHERE "key" = $key`;
      const series = await this.#query('getState', text, { key });
      const json = series && joinStateChunks(key, series);
      return json === undefined ? undefined : (JSON.parse(json) as T);
    });
  }

  async putState(key: string, value: unknown): Promise<void> {
    this.#assertOpen('putState');
    const points = statePoints(checkStateKey('putState', key), stateJson('putState', value));
    await this.#calls.run(() => this.#writePoints(points, RETENTION_POLICIES.state));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#calls.drained();
  }

  /**
   * Runs the rollup's SELECT … INTO by hand over `[fromMs, toMs)`: backfills 15-minute sums after
   * an outage longer than the continuous query re-covers (or for data written with old times).
   *
   * @example
   * await store.rollupDetectors({ fromMs: Date.parse('2026-11-28T00:00:00Z'), toMs: Date.parse('2026-11-29T00:00:00Z') });
   */
  async rollupDetectors({ fromMs, toMs }: { fromMs: number; toMs: number }): Promise<void> {
    this.#assertOpen('rollupDetectors');
    const query = checkRange(detectorSpec, { fromMs, toMs });
    const select = selectRows('detector', query);
    if (!select) return;
    const text = rollupSelect(this.database, {
      where: 'time >= $from AND time < $to',
      interval: this.#rollupInterval,
    });
    await this.#calls.run(() => this.#query('rollupDetectors', text, select.placeholders));
  }

  #assertOpen(method: string): void {
    if (this.#closed) {
      throw new StoreError(
        'STORE_CLOSED',
        `${method}: the store is closed; open it again with openInfluxStore`,
      );
    }
  }

  async #write<Name extends MeasurementName>(name: Name, rows: readonly unknown[]): Promise<void> {
    const spec = SPECS[name] as MeasurementSpec<RowKinds[Name]>;
    this.#assertOpen(spec.writer);
    const valid = validateRows(spec, rows);
    if (valid.length === 0) return;
    const points = valid.map((row) => toPoint(name, row));
    await this.#calls.run(() => this.#writePoints(points, RETENTION_OF[name]));
  }

  async #writePoints(points: readonly IPoint[], retentionPolicy: string): Promise<void> {
    for (let start = 0; start < points.length; start += this.#batchSize) {
      try {
        await this.influx.writePoints(points.slice(start, start + this.#batchSize), {
          precision: 'ms',
          retentionPolicy,
          database: this.database,
        });
      } catch (error) {
        // Rows older than the raw retention are dropped, as the Store contract says; the rest were stored.
        if (!BEYOND_RETENTION.test(String((error as Error).message))) throw error;
      }
    }
  }

  async #read<Name extends MeasurementName>(
    name: Name,
    range: TimeRange,
  ): Promise<RowKinds[Name][]> {
    const spec = SPECS[name] as MeasurementSpec<RowKinds[Name]>;
    this.#assertOpen(spec.reader);
    const select = selectRows(name, checkRange(spec, range));
    if (!select) return [];
    return this.#calls.run(async () => {
      const series = await this.#query(spec.reader, select.text, select.placeholders);
      return series ? fromSeries(name, series).sort(spec.compare) : [];
    });
  }

  /** One statement through `queryRaw` (times as integer ms), its single series, or undefined when empty. */
  async #query(
    method: string,
    text: string,
    placeholders: Record<string, string>,
  ): Promise<Series | undefined> {
    const response = (await this.influx.queryRaw(text, {
      database: this.database,
      precision: 'ms',
      placeholders,
      method: 'POST',
    })) as { results?: { error?: string; partial?: boolean; series?: Series[] }[]; error?: string };
    const result = response.results?.[0];
    const error = response.error ?? result?.error;
    if (error !== undefined) throw new Error(`${method}: InfluxDB answered ${error} to ${text}`);
    if (result?.partial) {
      throw new StoreError(
        'QUERY_TRUNCATED',
        `${method}: InfluxDB cut the answer short (its [http] max-row-limit); query a shorter range or raise the limit`,
      );
    }
    const series = result?.series ?? [];
    if (series.length === 0) return undefined;
    return { columns: series[0]!.columns, values: series.flatMap((part) => part.values) };
  }
}
