// Detector readings into fixed clock-aligned intervals: count sums, time-weighted occupancy, closed once.
import { DEFAULT_AGGREGATION_INTERVALS } from './accept-volume.ts';
import {
  siteEntries,
  siteTableEditor,
  type SiteTable,
  type SiteTableEditor,
} from './site-table.ts';
import { IngestError, MS, type Rejection, type VolumeReading } from './types.ts';

/** `closedThroughMs` before anything closed: a number JSON keeps (−Infinity would become null). */
const NOTHING_CLOSED = -Number.MAX_SAFE_INTEGER;

/** One detector's totals over one interval. */
export interface DetectorTotals {
  /** Vehicles counted. */
  count: number;
  /** Time-weighted mean occupancy over the seconds covered, 0..1. */
  occupancy: number;
  /** Seconds of the interval the readings cover (less than the interval when some are missing). */
  covered: number;
  /** Readings folded in. */
  readings: number;
}

/** A closed interval: every detector that reported in it. */
export interface IntervalAggregate {
  /** Seconds. */
  interval: number;
  startMs: number;
  endMs: number;
  detectors: Record<string, DetectorTotals>;
}

/** What an open interval holds for one detector: sums, and the reading ends folded in (the dedupe key). */
interface OpenCell {
  count: number;
  /** Σ occupancy × seconds. */
  occupied: number;
  covered: number;
  endsMs: number[];
}

/**
 * An open interval's cells by site, then detector: a message touches one site, so folding it
 * copies that site's few cells and a small shard of the site table, never every detector.
 */
interface OpenInterval {
  startMs: number;
  sites: SiteTable<Record<string, OpenCell>>;
}

/** One interval length's open intervals, keyed by start, and how far it has closed. */
export interface AggregationLevel {
  interval: number;
  /** Every interval ending at or before this is closed; readings for them are late. */
  closedThroughMs: number;
  open: Record<string, OpenInterval>;
}

export interface AggregationState {
  /** Seconds after an interval ends during which late readings still land in it. */
  grace: number;
  levels: AggregationLevel[];
}

export interface AggregationOptions {
  /** Interval lengths, seconds; default 300 and 900 (5 and 15 minutes, clock-aligned). */
  intervals?: readonly number[];
  /**
   * Seconds an interval stays open after it ends; default 120: a QoS 1 redelivery after a
   * reconnect, or a controller batching a minute of entries, still lands in its interval.
   */
  grace?: number;
}

/**
 * An empty aggregation with the given interval lengths and grace period.
 *
 * @throws {IngestError} `BAD_OPTION` when an interval is not positive or the grace negative.
 * @example
 * createAggregation({ intervals: [300, 900], grace: 120 }).levels.map((level) => level.interval) // => [300, 900]
 */
export function createAggregation({
  intervals = DEFAULT_AGGREGATION_INTERVALS,
  grace = 120,
}: AggregationOptions = {}): AggregationState {
  if (intervals.length === 0 || intervals.some((interval) => !(interval > 0)) || !(grace >= 0)) {
    throw new IngestError(
      'BAD_OPTION',
      `createAggregation: give at least one positive interval and a grace ≥ 0 seconds (got [${intervals.join(', ')}], ${grace})`,
    );
  }
  return {
    grace,
    levels: intervals.map((interval) => ({ interval, closedThroughMs: NOTHING_CLOSED, open: {} })),
  };
}

/**
 * The start of the `interval`-second clock-aligned interval a reading belongs to: the one holding
 * its midpoint (a reading straddling a boundary goes whole to one side, so counts stay whole).
 *
 * @example
 * intervalStartMs({ endMs: Date.parse('2026-11-28T07:05:00Z'), interval: 60 }, 300) // => Date.parse('2026-11-28T07:00:00Z')
 */
export function intervalStartMs(
  reading: Pick<VolumeReading, 'endMs' | 'interval'>,
  interval: number,
): number {
  const middleMs = reading.endMs - (reading.interval * MS) / 2;
  return Math.floor(middleMs / (interval * MS)) * interval * MS;
}

/**
 * Folds readings into every interval length. A reading already folded (same detector, same end)
 * is a duplicate and never counted twice, whatever the order of arrival; a reading for an interval
 * already closed at every length is late and rejected (`interval-closed`).
 *
 * @example
 * const { state, fresh } = aggregateReadings(createAggregation(), readings);
 */
export function aggregateReadings(
  state: AggregationState,
  readings: readonly VolumeReading[],
): {
  state: AggregationState;
  /** Readings newly folded into at least one interval length. */
  fresh: VolumeReading[];
  duplicates: VolumeReading[];
  late: Rejection[];
} {
  const fresh: VolumeReading[] = [];
  const duplicates: VolumeReading[] = [];
  const late: Rejection[] = [];
  const levels = state.levels.map((level) => ({ ...level, open: { ...level.open } }));
  // The intervals and site cells this call changes, each copied once per call: the state given
  // stays as it was, and the rest (every other site, every other interval) is shared with it.
  const editing = levels.map(
    () => new Map<string, { startMs: number; sites: SiteTableEditor<Record<string, OpenCell>> }>(),
  );
  const made = new Set<object>();
  for (const reading of readings) {
    let folded = false;
    let duplicate = false;
    for (let index = 0; index < levels.length; index++) {
      const level = levels[index]!;
      const startMs = intervalStartMs(reading, level.interval);
      if (startMs + level.interval * MS <= level.closedThroughMs) continue;
      const key = String(startMs);
      let open = editing[index]!.get(key);
      if (!open) {
        open = { startMs, sites: siteTableEditor(level.open[key]?.sites ?? {}) };
        editing[index]!.set(key, open);
      }
      let cells = open.sites.get(reading.site);
      if (!cells || !made.has(cells)) {
        cells = { ...cells };
        open.sites.set(reading.site, cells);
        made.add(cells);
      }
      const cell = cells[reading.detector];
      if (cell && hasEnd(cell.endsMs, reading.endMs)) {
        duplicate = true;
        continue;
      }
      cells[reading.detector] = {
        count: (cell?.count ?? 0) + reading.count,
        occupied: (cell?.occupied ?? 0) + reading.occupancy * reading.interval,
        covered: (cell?.covered ?? 0) + reading.interval,
        endsMs: [...(cell?.endsMs ?? []), reading.endMs],
      };
      folded = true;
    }
    if (folded) fresh.push(reading);
    else if (duplicate) duplicates.push(reading);
    else {
      late.push({
        code: 'interval-closed',
        site: reading.site,
        detector: reading.detector,
        seq: reading.seq,
        reason: `reading ending ${new Date(reading.endMs).toISOString()} arrived after its intervals closed (grace ${state.grace} s)`,
      });
    }
  }
  levels.forEach((level, index) => {
    for (const [key, { startMs, sites }] of editing[index]!) {
      level.open[key] = { startMs, sites: sites.table() };
    }
  });
  return { state: { ...state, levels }, fresh, duplicates, late };
}

/**
 * Closes every interval that ended at least `grace` seconds before `nowMs` and returns each once,
 * oldest first (shorter intervals first on a tie); later readings for them are late.
 *
 * @example
 * closeIntervals(state, Date.parse('2026-11-28T07:07:00Z')).closed
 * // => [{ interval: 300, startMs: …07:00, endMs: …07:05, detectors: { 'jingsan-eb-stopline-0': { count: 41, occupancy: 0.18, covered: 300, readings: 5 } } }]
 */
export function closeIntervals(
  state: AggregationState,
  nowMs: number,
): { state: AggregationState; closed: IntervalAggregate[] } {
  const closed: IntervalAggregate[] = [];
  const levels = state.levels.map((level) => {
    const intervalMs = level.interval * MS;
    const boundaryMs = Math.floor((nowMs - state.grace * MS) / intervalMs) * intervalMs;
    if (boundaryMs <= level.closedThroughMs) return level;
    const open: Record<string, OpenInterval> = {};
    for (const [key, interval] of Object.entries(level.open)) {
      if (interval.startMs + intervalMs > boundaryMs) {
        open[key] = interval;
        continue;
      }
      const detectors: Record<string, DetectorTotals> = {};
      for (const [, cells] of siteEntries(interval.sites)) {
        for (const [detector, cell] of Object.entries(cells)) {
          detectors[detector] = {
            count: cell.count,
            occupancy: cell.covered > 0 ? cell.occupied / cell.covered : 0,
            covered: cell.covered,
            readings: cell.endsMs.length,
          };
        }
      }
      closed.push({
        interval: level.interval,
        startMs: interval.startMs,
        endMs: interval.startMs + intervalMs,
        detectors,
      });
    }
    return { ...level, open, closedThroughMs: boundaryMs };
  });
  closed.sort((a, b) => a.startMs - b.startMs || a.interval - b.interval);
  return { state: { ...state, levels }, closed };
}

/**
 * The span a store must be asked about to tell which open intervals were stored already: from the
 * earliest an open interval (or the next to open) can start, `[fromMs, ∞)`; undefined when nothing
 * is open and nothing ever closed.
 *
 * @example
 * openSince(state) // => Date.parse('2026-11-28T07:00:00Z')
 */
export function openSince(state: AggregationState): number | undefined {
  let fromMs = Infinity;
  for (const level of state.levels) {
    for (const interval of Object.values(level.open)) fromMs = Math.min(fromMs, interval.startMs);
    if (level.closedThroughMs > NOTHING_CLOSED) fromMs = Math.min(fromMs, level.closedThroughMs);
  }
  return Number.isFinite(fromMs) ? fromMs : undefined;
}

/**
 * Marks as closed what the store already holds: each interval length is closed through the end
 * of the latest of its intervals among `stored`, and open intervals ending by then are dropped
 * unsaid. An engine restarted from a state saved before some intervals closed (a crash between
 * saves) must not close them again with the fewer readings it remembers: that would overwrite
 * the stored rows with smaller counts.
 *
 * @example
 * closeStoredIntervals(restored, await store.detectorAggregates({ fromMs: openSince(restored)!, toMs: now }))
 */
export function closeStoredIntervals(
  state: AggregationState,
  stored: readonly { interval: number; startMs: number }[],
): AggregationState {
  const levels = state.levels.map((level) => {
    const intervalMs = level.interval * MS;
    let storedThroughMs = level.closedThroughMs;
    for (const row of stored) {
      if (row.interval === level.interval) {
        storedThroughMs = Math.max(storedThroughMs, row.startMs + intervalMs);
      }
    }
    if (storedThroughMs === level.closedThroughMs) return level;
    const open = Object.fromEntries(
      Object.entries(level.open).filter(
        ([, interval]) => interval.startMs + intervalMs > storedThroughMs,
      ),
    );
    return { ...level, open, closedThroughMs: storedThroughMs };
  });
  return levels.every((level, index) => level === state.levels[index])
    ? state
    : { ...state, levels };
}

/** In-order arrivals append, so the last end is checked first. */
function hasEnd(endsMs: readonly number[], endMs: number): boolean {
  return endsMs[endsMs.length - 1] === endMs || endsMs.includes(endMs);
}
