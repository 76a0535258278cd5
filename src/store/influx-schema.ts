// The InfluxDB 1.x schema of ecosystem.md §3: measurements, tags, retention policies, the 15-minute rollup; rows ↔ points.
import { FieldType, escape, type IPoint, type ISchemaOptions } from 'influx';
import {
  MAX_TIME_MS,
  MIN_TIME_MS,
  type MeasurementName,
  type RowKinds,
  type RowQuery,
} from './rows.ts';
import { StoreError } from './types.ts';

/** Retention policies: `raw` (the database default) for detector, movement and hi-res rows; `aggregates` for the rollups and plans; `state` (forever) for engine state. */
export const RETENTION_POLICIES = { raw: 'raw', aggregates: 'aggregates', state: 'state' } as const;

/** Where each kind of row lives. */
export const RETENTION_OF: Record<MeasurementName, string> = {
  detector: RETENTION_POLICIES.raw,
  movement: RETENTION_POLICIES.raw,
  hires: RETENTION_POLICIES.raw,
  plan: RETENTION_POLICIES.aggregates,
};

export const STATE_MEASUREMENT = 'engine_state';
/** The continuous query that keeps 15-minute detector sums (UTDF "15 Minute Counts", HCM peak 15 min). */
export const ROLLUP_QUERY = 'cq_detector_15m';
export const ROLLUP_MEASUREMENT = 'detector_15m';
/** Re-covers late data: detector feeds arrive late after communication outages. */
export const ROLLUP_RESAMPLE = 'RESAMPLE FOR 1h';

/** The row length, s, the rollup sums by default: the engine's shortest aggregation interval. */
export const DEFAULT_ROLLUP_INTERVAL = 300;

/**
 * Measurements as node-influx schemas (its writes then refuse unknown tags and fields, and write
 * integers with the `i` suffix). Tags are what queries filter and group on; `det` determines
 * `movement` and `lane`, so they add no series. `interval` (the row's length, s) is a tag because
 * it is part of a row's identity: the 5- and 15-minute rows of one start are two points, not one
 * overwriting the other. `hires` keeps `code` and `param` as tags so two events in the same
 * millisecond with different params are two points; its field `v` is always 1.
 */
export const INFLUX_SCHEMA: ISchemaOptions[] = [
  {
    measurement: 'detector',
    tags: ['site', 'det', 'movement', 'lane', 'interval'],
    fields: { count: FieldType.INTEGER, occupancy: FieldType.FLOAT },
  },
  {
    measurement: 'movement',
    tags: ['site', 'movement', 'interval'],
    fields: { count: FieldType.INTEGER, flow: FieldType.FLOAT },
  },
  { measurement: 'hires', tags: ['site', 'code', 'param'], fields: { v: FieldType.INTEGER } },
  {
    measurement: 'plan',
    tags: ['site'],
    fields: {
      plan_id: FieldType.STRING,
      version: FieldType.INTEGER,
      cycle: FieldType.FLOAT,
      offset: FieldType.FLOAT,
      plan: FieldType.STRING,
    },
  },
  {
    measurement: STATE_MEASUREMENT,
    tags: ['key'],
    fields: { part: FieldType.STRING, parts: FieldType.INTEGER },
  },
];

/** Query filter name → tag key. */
const TAG_OF: Record<string, string> = { site: 'site', detector: 'det', movement: 'movement' };

/**
 * node-influx passes numeric timestamps through with `precision: 'ms'`, but drops a falsy one
 * (time 0) and lets the server stamp it; a numeric string is never falsy.
 */
const at = (ms: number): string => String(ms);

/** One row as a line-protocol point. */
export function toPoint<Name extends MeasurementName>(name: Name, row: RowKinds[Name]): IPoint {
  switch (name) {
    case 'detector': {
      const { site, detector, movement, lane, startMs, interval, count, occupancy } =
        row as RowKinds['detector'];
      const tags: Record<string, string> = { site, det: detector };
      if (movement !== undefined) tags.movement = movement;
      if (lane !== undefined) tags.lane = String(lane);
      tags.interval = intervalTag(interval);
      return { measurement: name, tags, fields: { count, occupancy }, timestamp: at(startMs) };
    }
    case 'movement': {
      const { site, movement, startMs, interval, count, flow } = row as RowKinds['movement'];
      return {
        measurement: name,
        tags: { site, movement, interval: intervalTag(interval) },
        fields: { count, flow },
        timestamp: at(startMs),
      };
    }
    case 'hires': {
      const { site, timestampMs, code, param } = row as RowKinds['hires'];
      return {
        measurement: name,
        tags: { site, code: String(code), param: String(param) },
        fields: { v: 1 },
        timestamp: at(timestampMs),
      };
    }
    default: {
      const { site, planId, version, appliedAtMs, cycle, offset, planJson } =
        row as RowKinds['plan'];
      return {
        measurement: 'plan',
        tags: { site },
        fields: { plan_id: planId, version, cycle, offset, plan: planJson },
        timestamp: at(appliedAtMs),
      };
    }
  }
}

/** An interval as its tag value: the shortest text that reads back as the same number. */
const intervalTag = (interval: number): string => String(interval);

/**
 * The interval of a result row. Rows written before `interval` became a tag hold it as a field;
 * where a measurement has both, InfluxDB names the field `interval` and the tag `interval_1`.
 */
const intervalOf = (get: (column: string) => unknown): number =>
  Number(get('interval') ?? get('interval_1'));

/** A result series as InfluxDB's JSON returns it (`epoch=ms`: times are integer ms). */
export interface Series {
  columns: string[];
  values: unknown[][];
}

/** Reads one result row by column name; `null` (a tag the series lacks) reads as undefined. */
function reader(
  columns: readonly string[],
): (values: readonly unknown[], column: string) => unknown {
  const index = new Map(columns.map((column, position) => [column, position]));
  return (values, column) => {
    const position = index.get(column);
    const value = position === undefined ? undefined : values[position];
    return value === null || value === '' ? undefined : value;
  };
}

/** Rows back from a `SELECT *` over one measurement. */
export function fromSeries<Name extends MeasurementName>(
  name: Name,
  series: Series,
): RowKinds[Name][] {
  const read = reader(series.columns);
  return series.values.map((values) => {
    const get = (column: string) => read(values, column);
    switch (name) {
      case 'detector': {
        const movement = get('movement') as string | undefined;
        const lane = get('lane') as string | undefined;
        return {
          site: get('site') as string,
          detector: get('det') as string,
          ...(movement === undefined ? {} : { movement }),
          ...(lane === undefined ? {} : { lane: Number(lane) }),
          startMs: get('time') as number,
          interval: intervalOf(get),
          count: get('count') as number,
          occupancy: get('occupancy') as number,
        } satisfies RowKinds['detector'] as RowKinds[Name];
      }
      case 'movement':
        return {
          site: get('site') as string,
          movement: get('movement') as string,
          startMs: get('time') as number,
          interval: intervalOf(get),
          count: get('count') as number,
          flow: get('flow') as number,
        } satisfies RowKinds['movement'] as RowKinds[Name];
      case 'hires':
        return {
          site: get('site') as string,
          timestampMs: get('time') as number,
          code: Number(get('code')),
          param: Number(get('param')),
        } satisfies RowKinds['hires'] as RowKinds[Name];
      default:
        return {
          site: get('site') as string,
          planId: get('plan_id') as string,
          version: get('version') as number,
          appliedAtMs: get('time') as number,
          cycle: get('cycle') as number,
          offset: get('offset') as number,
          planJson: get('plan') as string,
        } satisfies RowKinds['plan'] as RowKinds[Name];
    }
  });
}

/** `"rp"."measurement"`, quoted; both are our constants, never a caller's text. */
export function qualified(retentionPolicy: string, measurement: string, database?: string): string {
  const parts =
    database === undefined
      ? [retentionPolicy, measurement]
      : [database, retentionPolicy, measurement];
  return parts.map((part) => escape.quoted(part)).join('.');
}

/** An RFC 3339 time with ms; InfluxQL compares `time` with string literals exactly. */
const rfc3339 = (ms: number): string => new Date(ms).toISOString();

/**
 * The InfluxQL and bound parameters that read a query's rows; every caller value is a parameter.
 * Undefined when the range holds no storable time.
 *
 * @example
 * selectRows('detector', { fromMs: 0, toMs: 60_000, filters: { detector: '5' } })
 * // => { text: 'SELECT * FROM "raw"."detector" WHERE time >= $from AND time < $to AND "det" = $detector', placeholders: { from: '1970-01-01T00:00:00.000Z', to: '1970-01-01T00:01:00.000Z', detector: '5' } }
 */
export function selectRows(
  name: MeasurementName,
  query: RowQuery,
): { text: string; placeholders: Record<string, string> } | undefined {
  const fromMs = Math.max(query.fromMs, MIN_TIME_MS);
  const toMs = Math.min(query.toMs, MAX_TIME_MS + 1);
  if (fromMs >= toMs) return undefined;
  const conditions = ['time >= $from', 'time < $to'];
  const placeholders: Record<string, string> = { from: rfc3339(fromMs), to: rfc3339(toMs) };
  for (const [filter, value] of Object.entries(query.filters)) {
    conditions.push(`${escape.quoted(TAG_OF[filter]!)} = $${filter}`);
    placeholders[filter] = value;
  }
  return {
    text: `SELECT * FROM ${qualified(RETENTION_OF[name], name)} WHERE ${conditions.join(' AND ')}`,
    placeholders,
  };
}

/**
 * The rollup's SELECT: 15-minute detector sums per series (`GROUP BY time(15m), *` keeps the tags
 * as tags) from the rows of one length, `interval` seconds (default 300), which must divide 900:
 * the 15-minute rows and any other length stored beside them would count the same vehicles again.
 * `covered` is the seconds those rows cover, so a gap shows as `covered < 900`; empty quarters
 * write nothing (`fill(none)`). The rollup keeps the source length as its `interval` tag. `where`
 * (our own text with bound parameters) limits a by-hand run.
 *
 * @example
 * rollupSelect('traffic')
 * // => 'SELECT sum("count") AS "count", mean("occupancy") AS "occupancy", count("count") * 300 AS "covered" INTO "traffic"."aggregates"."detector_15m" FROM "traffic"."raw"."detector" WHERE "interval"::tag = \'300\' GROUP BY time(15m), * fill(none)'
 */
export function rollupSelect(
  database: string,
  { where, interval = DEFAULT_ROLLUP_INTERVAL }: { where?: string; interval?: number } = {},
): string {
  // `::tag`: a database written before `interval` became a tag also has a field of that name.
  const conditions = [`"interval"::tag = ${escape.stringLit(intervalTag(interval))}`];
  if (where !== undefined) conditions.push(where);
  return [
    `SELECT sum("count") AS "count", mean("occupancy") AS "occupancy", count("count") * ${interval} AS "covered"`,
    `INTO ${qualified(RETENTION_POLICIES.aggregates, ROLLUP_MEASUREMENT, database)}`,
    `FROM ${qualified(RETENTION_POLICIES.raw, 'detector', database)}`,
    `WHERE ${conditions.join(' AND ')}`,
    'GROUP BY time(15m), * fill(none)',
  ].join(' ');
}

/**
 * Whether rows of `interval` seconds can make 15-minute sums: a whole number of them fills 900 s.
 *
 * @example
 * isRollupInterval(300) // => true
 * isRollupInterval(420) // => false
 */
export function isRollupInterval(interval: number): boolean {
  return Number.isFinite(interval) && interval > 0 && Number.isInteger(900 / interval);
}

/** Characters per state chunk: at most 4 UTF-8 bytes each, so a chunk stays under 64 KB. */
export const STATE_CHUNK_CHARS = 16_000;

/**
 * Splits a state document's JSON into chunks for string fields InfluxDB caps at 64 KB, never
 * between the two halves of a surrogate pair.
 *
 * @example
 * stateChunks('abcde', 2) // => ['ab', 'cd', 'e']
 */
export function stateChunks(json: string, chunkChars = STATE_CHUNK_CHARS): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < json.length || chunks.length === 0;) {
    let end = Math.min(start + chunkChars, json.length);
    const last = json.charCodeAt(end - 1);
    if (end < json.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    chunks.push(json.slice(start, end));
    start = end;
  }
  return chunks;
}

/**
 * Joins the chunk points of one key (times 1..parts ms), ignoring stale chunks a longer earlier
 * document left beyond `parts`.
 *
 * @throws {StoreError} `CORRUPT_DATA` when a chunk is missing.
 */
export function joinStateChunks(key: string, series: Series): string | undefined {
  const read = reader(series.columns);
  const byTime = new Map(series.values.map((values) => [read(values, 'time') as number, values]));
  const first = byTime.get(1);
  if (!first) return undefined;
  const parts = read(first, 'parts') as number;
  let json = '';
  for (let time = 1; time <= parts; time++) {
    const values = byTime.get(time);
    if (!values) {
      throw new StoreError(
        'CORRUPT_DATA',
        `getState: state ${JSON.stringify(key)} lacks chunk ${time} of ${parts}; write it again with putState`,
      );
    }
    json += (read(values, 'part') as string | undefined) ?? '';
  }
  return json;
}

/** The points of one state document: chunk `i` at time `i` ms (1-based), each knowing the count. */
export function statePoints(key: string, json: string): IPoint[] {
  const chunks = stateChunks(json);
  return chunks.map((part, index) => ({
    measurement: STATE_MEASUREMENT,
    tags: { key },
    fields: { part, parts: chunks.length },
    timestamp: at(index + 1),
  }));
}
