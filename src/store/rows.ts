// What both stores agree on about rows: validation, identity, order, range filters, state documents.
import {
  StoreError,
  type DetectorAggregate,
  type HiresEvent,
  type MovementAggregate,
  type PlanRecord,
  type TimeRange,
} from './types.ts';

/** Earliest timestamp a store accepts (1678-01-01, inside InfluxDB's 1677..2262 range). */
export const MIN_TIME_MS = Date.UTC(1678, 0, 1);
/** Latest timestamp a store accepts (2261-12-31T23:59:59.999Z). */
export const MAX_TIME_MS = Date.UTC(2262, 0, 1) - 1;

/** A plan record as stored: the plan kept as its JSON text, so no caller can mutate it later. */
export type StoredPlanRecord = Omit<PlanRecord, 'plan'> & { planJson: string };

export interface RowKinds {
  detector: DetectorAggregate;
  movement: MovementAggregate;
  hires: HiresEvent;
  plan: StoredPlanRecord;
}
export type MeasurementName = keyof RowKinds;

/** A range after checking: the bounds plus exact-match filters on named fields. */
export interface RowQuery {
  fromMs: number;
  toMs: number;
  filters: Readonly<Record<string, string>>;
}

/** How one measurement's rows are validated, identified, ordered and filtered. */
export interface MeasurementSpec<Row> {
  name: MeasurementName;
  /** `raw` rows expire with the raw retention; `kept` rows stay. */
  retention: 'raw' | 'kept';
  /** The write method, for messages. */
  writer: string;
  /** The query method, for messages. */
  reader: string;
  /** Filters the query method accepts besides `site`. */
  filterFields: readonly string[];
  time(row: Row): number;
  /** Rows with equal identity overwrite each other (measurement + tags + timestamp). */
  identity(row: Row): string;
  compare(a: Row, b: Row): number;
  validate(value: unknown, where: RowContext): Row;
}

interface RowContext {
  writer: string;
  row: number;
}

const ID = /^[^\s\\\p{Cc}]{1,256}$/u;

function invalid(where: RowContext, field: string, detail: string): never {
  throw new StoreError(
    'INVALID_ROW',
    `${where.writer}: row ${where.row} ${detail}; fix or drop the row (nothing of this batch was written)`,
    { row: where.row, field },
  );
}

function fieldOf(value: object, field: string): unknown {
  return (value as Record<string, unknown>)[field];
}

function id(value: object, field: string, where: RowContext): string {
  const text = fieldOf(value, field);
  if (typeof text !== 'string' || !ID.test(text)) {
    invalid(
      where,
      field,
      `has ${field} ${JSON.stringify(text) ?? 'undefined'}; ${field} must be 1..256 characters without whitespace or backslash`,
    );
  }
  return text;
}

function timestamp(value: object, field: string, where: RowContext): number {
  const ms = fieldOf(value, field);
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < MIN_TIME_MS || ms > MAX_TIME_MS) {
    invalid(where, field, `has ${field} ${String(ms)}; ${field} must be integer ms in 1678..2261`);
  }
  return ms;
}

function integer(
  value: object,
  field: string,
  where: RowContext,
  min: number,
  max: number,
): number {
  const number = fieldOf(value, field);
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    invalid(
      where,
      field,
      `has ${field} ${String(number)}; ${field} must be an integer in ${min}..${max}`,
    );
  }
  return number + 0; // -0 → 0: InfluxDB and JSON both drop the sign
}

function real(
  value: object,
  field: string,
  where: RowContext,
  range: { min: number; max?: number; above?: boolean },
): number {
  const number = fieldOf(value, field);
  const { min, max = Number.MAX_VALUE, above = false } = range;
  const ok =
    typeof number === 'number' &&
    Number.isFinite(number) &&
    (above ? number > min : number >= min) &&
    number <= max;
  if (!ok) {
    const bounds = max === Number.MAX_VALUE ? `${above ? '>' : '≥'} ${min}` : `in ${min}..${max}`;
    invalid(
      where,
      field,
      `has ${field} ${String(number)}; ${field} must be a finite number ${bounds}`,
    );
  }
  return (number as number) + 0; // -0 → 0: InfluxDB and JSON both drop the sign
}

function record(value: unknown, where: RowContext): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(where, 'row', `is ${JSON.stringify(value) ?? 'undefined'}; a row must be an object`);
  }
  return value;
}

/** Code-unit order, as InfluxDB sorts tag values; locale-free so both stores agree. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Absent first, then ascending. */
function compareOptional<T extends string | number>(a: T | undefined, b: T | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return typeof a === 'number' ? a - (b as number) : compareText(a as string, b as string);
}

/** Fields are joined with NUL, which no id may contain. */
const join = (...parts: readonly (string | number | undefined)[]): string =>
  parts.map((part) => part ?? '').join('\u0000');

export const detectorSpec: MeasurementSpec<DetectorAggregate> = {
  name: 'detector',
  retention: 'raw',
  writer: 'writeDetectorAggregates',
  reader: 'detectorAggregates',
  filterFields: ['detector'],
  time: (row) => row.startMs,
  // The interval is part of the identity: the 5- and 15-minute rows of one start are two rows.
  identity: (row) =>
    join(row.startMs, row.site, row.detector, row.movement, row.lane, row.interval),
  compare: (a, b) =>
    a.startMs - b.startMs ||
    compareText(a.site, b.site) ||
    compareText(a.detector, b.detector) ||
    compareOptional(a.movement, b.movement) ||
    compareOptional(a.lane, b.lane) ||
    a.interval - b.interval,
  validate(value, where) {
    const row = record(value, where);
    const movement =
      fieldOf(row, 'movement') === undefined ? undefined : id(row, 'movement', where);
    const lane =
      fieldOf(row, 'lane') === undefined ? undefined : integer(row, 'lane', where, 0, 1000);
    return {
      site: id(row, 'site', where),
      detector: id(row, 'detector', where),
      ...(movement === undefined ? {} : { movement }),
      ...(lane === undefined ? {} : { lane }),
      startMs: timestamp(row, 'startMs', where),
      interval: real(row, 'interval', where, { min: 0, above: true }),
      count: integer(row, 'count', where, 0, Number.MAX_SAFE_INTEGER),
      occupancy: real(row, 'occupancy', where, { min: 0, max: 1 }),
    };
  },
};

export const movementSpec: MeasurementSpec<MovementAggregate> = {
  name: 'movement',
  retention: 'raw',
  writer: 'writeMovementAggregates',
  reader: 'movementAggregates',
  filterFields: ['movement'],
  time: (row) => row.startMs,
  identity: (row) => join(row.startMs, row.site, row.movement, row.interval),
  compare: (a, b) =>
    a.startMs - b.startMs ||
    compareText(a.site, b.site) ||
    compareText(a.movement, b.movement) ||
    a.interval - b.interval,
  validate(value, where) {
    const row = record(value, where);
    return {
      site: id(row, 'site', where),
      movement: id(row, 'movement', where),
      startMs: timestamp(row, 'startMs', where),
      interval: real(row, 'interval', where, { min: 0, above: true }),
      count: integer(row, 'count', where, 0, Number.MAX_SAFE_INTEGER),
      flow: real(row, 'flow', where, { min: 0 }),
    };
  },
};

export const hiresSpec: MeasurementSpec<HiresEvent> = {
  name: 'hires',
  retention: 'raw',
  writer: 'writeHiresEvents',
  reader: 'hiresEvents',
  filterFields: [],
  time: (row) => row.timestampMs,
  identity: (row) => join(row.timestampMs, row.site, row.code, row.param),
  compare: (a, b) =>
    a.timestampMs - b.timestampMs ||
    compareText(a.site, b.site) ||
    a.code - b.code ||
    a.param - b.param,
  validate(value, where) {
    const row = record(value, where);
    return {
      site: id(row, 'site', where),
      timestampMs: timestamp(row, 'timestampMs', where),
      code: integer(row, 'code', where, 0, 255),
      param: integer(row, 'param', where, 0, 65535),
    };
  },
};

export const planSpec: MeasurementSpec<StoredPlanRecord> = {
  name: 'plan',
  retention: 'kept',
  writer: 'writePlanRecords',
  reader: 'planRecords',
  filterFields: [],
  time: (row) => row.appliedAtMs,
  identity: (row) => join(row.appliedAtMs, row.site),
  compare: (a, b) => a.appliedAtMs - b.appliedAtMs || compareText(a.site, b.site),
  validate(value, where) {
    const row = record(value, where);
    const plan = fieldOf(row, 'plan');
    let planJson: string | undefined;
    try {
      planJson = JSON.stringify(plan);
    } catch {
      planJson = undefined;
    }
    if (typeof planJson !== 'string') {
      invalid(
        where,
        'plan',
        'has a plan that is not JSON (undefined, a function, a BigInt or a cycle)',
      );
    }
    return {
      site: id(row, 'site', where),
      planId: id(row, 'planId', where),
      version: integer(row, 'version', where, 1, Number.MAX_SAFE_INTEGER),
      appliedAtMs: timestamp(row, 'appliedAtMs', where),
      cycle: real(row, 'cycle', where, { min: 0, above: true }),
      offset: real(row, 'offset', where, { min: 0 }),
      planJson,
    };
  },
};

/** The public row of a stored plan record; a fresh parse each time, so callers may mutate it. */
export function toPlanRecord({ planJson, ...row }: StoredPlanRecord): PlanRecord {
  return { ...row, plan: JSON.parse(planJson) as unknown };
}

/**
 * Validates a whole batch before anything is written; returns normalized copies (unknown fields
 * dropped).
 *
 * @throws {StoreError} `INVALID_ROW` naming the first bad row and field.
 * @example
 * validateRows(detectorSpec, [{ site: 'a', detector: '1', startMs: 0, interval: 60, count: -1, occupancy: 0 }])
 * // throws StoreError { code: 'INVALID_ROW', row: 0, field: 'count' }
 */
export function validateRows<Row>(spec: MeasurementSpec<Row>, rows: readonly unknown[]): Row[] {
  if (!Array.isArray(rows)) {
    throw new StoreError(
      'INVALID_ROW',
      `${spec.writer}: rows must be an array; pass [] to write nothing`,
    );
  }
  return rows.map((value, row) => spec.validate(value, { writer: spec.writer, row }));
}

/**
 * Checks a query's range and filters.
 *
 * @throws {StoreError} `INVALID_RANGE` when a bound is not an integer, `fromMs > toMs`, or a filter
 * is not a string.
 * @example
 * checkRange(detectorSpec, { fromMs: 0, toMs: 60_000, detector: '5' })
 * // => { fromMs: 0, toMs: 60000, filters: { detector: '5' } }
 */
export function checkRange<Row>(spec: MeasurementSpec<Row>, range: TimeRange): RowQuery {
  const { fromMs, toMs } = range ?? ({} as Partial<TimeRange>);
  if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs) || fromMs > toMs) {
    throw new StoreError(
      'INVALID_RANGE',
      `${spec.reader}: range [${String(fromMs)}, ${String(toMs)}) must be integer ms with fromMs ≤ toMs`,
    );
  }
  const filters: Record<string, string> = {};
  for (const field of ['site', ...spec.filterFields]) {
    const value = (range as unknown as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      throw new StoreError(
        'INVALID_RANGE',
        `${spec.reader}: filter ${field} must be a string, got ${String(value)}`,
      );
    }
    filters[field] = value;
  }
  return { fromMs, toMs, filters };
}

/** Whether a row falls in the query's half-open range and matches its filters. */
export function rowMatches<Row>(spec: MeasurementSpec<Row>, row: Row, query: RowQuery): boolean {
  const time = spec.time(row);
  if (time < query.fromMs || time >= query.toMs) return false;
  for (const [field, value] of Object.entries(query.filters)) {
    if ((row as Record<string, unknown>)[field] !== value) return false;
  }
  return true;
}

/**
 * Checks a state key (it becomes an InfluxDB tag and, hashed, a file name).
 *
 * @throws {StoreError} `INVALID_STATE`.
 * @example
 * checkStateKey('getState', 'plans') // => 'plans'
 */
export function checkStateKey(method: string, key: unknown): string {
  if (typeof key !== 'string' || !ID.test(key)) {
    throw new StoreError(
      'INVALID_STATE',
      `${method}: key ${JSON.stringify(key) ?? 'undefined'} must be 1..256 characters without whitespace or backslash`,
    );
  }
  return key;
}

/**
 * The JSON text of a state document.
 *
 * @throws {StoreError} `INVALID_STATE` for values JSON cannot hold (undefined, functions, BigInt, cycles).
 * @example
 * stateJson('putState', { version: 3 }) // => '{"version":3}'
 */
export function stateJson(method: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (typeof json !== 'string') {
    throw new StoreError(
      'INVALID_STATE',
      `${method}: the value is not JSON (undefined, a function, a BigInt or a cycle); store plain data`,
    );
  }
  return json;
}
