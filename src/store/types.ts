// The time-series store's contract: rows, ranges, the Store interface and its coded error.
import { CodedError } from '../coded-error.ts';

/**
 * One detector's counts over one interval. Identity (a second write overwrites it): site, detector,
 * movement, lane, interval and startMs — InfluxDB's measurement + tags + timestamp rule. The 5- and
 * 15-minute rows starting together are two rows.
 */
export interface DetectorAggregate {
  site: string;
  detector: string;
  movement?: string;
  /** Lane number on the approach, 1 = kerb lane (an integer 0..1000). */
  lane?: number;
  /** Start of the interval, ms since the Unix epoch (an integer). */
  startMs: number;
  /** Length of the interval, s (> 0). */
  interval: number;
  /** Vehicles counted (an integer ≥ 0). */
  count: number;
  /** Fraction of the interval the detector was occupied, 0..1. */
  occupancy: number;
}

/** One turning movement's counts over one interval. Identity: site, movement, interval, startMs. */
export interface MovementAggregate {
  site: string;
  movement: string;
  startMs: number;
  /** s (> 0). */
  interval: number;
  /** Vehicles counted (an integer ≥ 0). */
  count: number;
  /** veh/h (≥ 0). */
  flow: number;
}

/**
 * One Indiana hi-resolution controller event. Identity: site, code, param, timestampMs — so two
 * events with the same code and time but different params are both kept.
 */
export interface HiresEvent {
  site: string;
  timestampMs: number;
  /** Event code, 0..255 (1 begin green, 8 begin yellow, 81/82 detector off/on, …). */
  code: number;
  /** Event parameter (phase, detector channel, …), 0..65535. */
  param: number;
}

/** A plan a controller applied. Identity: site, appliedAtMs (a site runs one plan at a time). */
export interface PlanRecord {
  site: string;
  planId: string;
  /** An integer ≥ 1. */
  version: number;
  appliedAtMs: number;
  /** s (> 0). */
  cycle: number;
  /** s (≥ 0). */
  offset: number;
  /** The plan JSON; stored as JSON, so it reads back as `JSON.parse(JSON.stringify(plan))`. */
  plan: unknown;
}

/** `[fromMs, toMs)` in integer ms since the Unix epoch, optionally for one site. */
export interface TimeRange {
  fromMs: number;
  /** Exclusive. */
  toMs: number;
  site?: string;
}

/**
 * Where detector aggregates, movement aggregates, hi-res events, applied plans and the engine's
 * state live. Both implementations (embedded, InfluxDB 1.x) pass `storeContract`, which pins the
 * semantics below:
 *
 * - Results are sorted by time, then site, then the row's ids (detector, movement, lane, interval;
 *   movement, interval; code, param), strings in code-unit order, numbers numerically.
 * - Ranges are half-open, `fromMs ≤ t < toMs`, integer ms; filters match exactly.
 * - A second write of a row with the same identity (see each row type) overwrites the first.
 * - Timestamps are integer ms within 1678..2261 (InfluxDB's range).
 * - A batch is validated whole before anything is written: one bad row throws a `StoreError`
 *   (`INVALID_ROW`, with `row` and `field`) and nothing of the batch is stored. Empty batches are
 *   no-ops.
 * - Detector, movement and hi-res rows are raw data: kept for the raw retention (default 7 days);
 *   rows already older than that when written are discarded (InfluxDB's rule). Plans and state are
 *   kept.
 * - Calls on one store take effect in call order, even when not awaited one by one.
 */
export interface Store {
  writeDetectorAggregates(rows: readonly DetectorAggregate[]): Promise<void>;
  writeMovementAggregates(rows: readonly MovementAggregate[]): Promise<void>;
  writeHiresEvents(rows: readonly HiresEvent[]): Promise<void>;
  writePlanRecords(rows: readonly PlanRecord[]): Promise<void>;
  detectorAggregates(range: TimeRange & { detector?: string }): Promise<DetectorAggregate[]>;
  movementAggregates(range: TimeRange & { movement?: string }): Promise<MovementAggregate[]>;
  hiresEvents(range: TimeRange): Promise<HiresEvent[]>;
  planRecords(range: TimeRange): Promise<PlanRecord[]>;
  /** Engine state (plans, versions, controller states) as one JSON document per key; survives restarts. */
  getState<T>(key: string): Promise<T | undefined>;
  /** Stores `value` as JSON under `key`, replacing what was there. */
  putState(key: string, value: unknown): Promise<void>;
  /** Waits for pending calls, then releases the store; later calls throw `STORE_CLOSED`. */
  close(): Promise<void>;
}

/** Stable codes of the store's errors. Tests check codes, not text. */
export type StoreErrorCode =
  | 'INVALID_ROW'
  | 'INVALID_RANGE'
  | 'INVALID_STATE'
  | 'INVALID_OPTIONS'
  | 'STORE_CLOSED'
  | 'STORE_LOCKED'
  | 'CORRUPT_DATA'
  | 'QUERY_TRUNCATED';

/**
 * A caller's mistake or a store that cannot serve. For `INVALID_ROW`, `row` is the index in the
 * batch and `field` the offending field.
 *
 * @example
 * try { await store.writeDetectorAggregates([{ ...row, occupancy: 1.2 }]) }
 * catch (error) { (error as StoreError).field } // => 'occupancy'
 */
export class StoreError extends CodedError<StoreErrorCode> {
  readonly row: number | undefined;
  readonly field: string | undefined;

  constructor(code: StoreErrorCode, message: string, where: { row?: number; field?: string } = {}) {
    super(code, message);
    this.row = where.row;
    this.field = where.field;
  }
}
