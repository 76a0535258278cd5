// The embedded store's on-disk layout: rows as compact JSON arrays, one file per measurement and hour (plans: day).
import { StoreError } from './types.ts';
import {
  detectorSpec,
  hiresSpec,
  movementSpec,
  planSpec,
  type MeasurementName,
  type MeasurementSpec,
  type RowKinds,
} from './rows.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * How one measurement is laid out: the segment length and the row ↔ array codec. Each appended
 * line is `\n` + a JSON array of encoded rows (one write call); the leading newline fences off the
 * torn tail a crash may leave, which readers skip because it does not parse.
 */
export interface SegmentLayout<Row> {
  spec: MeasurementSpec<Row>;
  /** Length of one segment file, ms. */
  segmentMs: number;
  /** Column names, in the order `encode` writes them (documents the file format). */
  columns: readonly string[];
  encode(row: Row): unknown[];
  decode(cells: readonly unknown[]): Row;
}

type Layouts = { [Name in MeasurementName]: SegmentLayout<RowKinds[Name]> };

const orAbsent = <T>(value: unknown): T | undefined => (value === null ? undefined : (value as T));

export const LAYOUTS: Layouts = {
  detector: {
    spec: detectorSpec,
    segmentMs: HOUR_MS,
    columns: ['startMs', 'site', 'detector', 'movement', 'lane', 'interval', 'count', 'occupancy'],
    encode: (row) => [
      row.startMs,
      row.site,
      row.detector,
      row.movement ?? null,
      row.lane ?? null,
      row.interval,
      row.count,
      row.occupancy,
    ],
    decode(cells) {
      const [startMs, site, detector, movement, lane, interval, count, occupancy] = cells;
      const movementId = orAbsent<string>(movement);
      const laneNumber = orAbsent<number>(lane);
      return {
        site: site as string,
        detector: detector as string,
        ...(movementId === undefined ? {} : { movement: movementId }),
        ...(laneNumber === undefined ? {} : { lane: laneNumber }),
        startMs: startMs as number,
        interval: interval as number,
        count: count as number,
        occupancy: occupancy as number,
      };
    },
  },
  movement: {
    spec: movementSpec,
    segmentMs: HOUR_MS,
    columns: ['startMs', 'site', 'movement', 'interval', 'count', 'flow'],
    encode: (row) => [row.startMs, row.site, row.movement, row.interval, row.count, row.flow],
    decode(cells) {
      const [startMs, site, movement, interval, count, flow] = cells;
      return {
        site: site as string,
        movement: movement as string,
        startMs: startMs as number,
        interval: interval as number,
        count: count as number,
        flow: flow as number,
      };
    },
  },
  hires: {
    spec: hiresSpec,
    segmentMs: HOUR_MS,
    columns: ['timestampMs', 'site', 'code', 'param'],
    encode: (row) => [row.timestampMs, row.site, row.code, row.param],
    decode(cells) {
      const [timestampMs, site, code, param] = cells;
      return {
        site: site as string,
        timestampMs: timestampMs as number,
        code: code as number,
        param: param as number,
      };
    },
  },
  plan: {
    spec: planSpec,
    segmentMs: DAY_MS,
    columns: ['appliedAtMs', 'site', 'planId', 'version', 'cycle', 'offset', 'planJson'],
    encode: (row) => [
      row.appliedAtMs,
      row.site,
      row.planId,
      row.version,
      row.cycle,
      row.offset,
      row.planJson,
    ],
    decode(cells) {
      const [appliedAtMs, site, planId, version, cycle, offset, planJson] = cells;
      return {
        site: site as string,
        planId: planId as string,
        version: version as number,
        appliedAtMs: appliedAtMs as number,
        cycle: cycle as number,
        offset: offset as number,
        planJson: planJson as string,
      };
    },
  },
};

/** Start of the segment holding time `ms`. */
export function segmentStart(layout: SegmentLayout<unknown>, ms: number): number {
  return Math.floor(ms / layout.segmentMs) * layout.segmentMs;
}

/**
 * The file name of the segment starting at `startMs`: `2026-11-28T07.jsonl` (hourly) or
 * `2026-11-28.jsonl` (daily), UTC.
 *
 * @example
 * segmentFileName(LAYOUTS.detector, Date.UTC(2026, 10, 28, 7)) // => '2026-11-28T07.jsonl'
 */
export function segmentFileName(layout: SegmentLayout<unknown>, startMs: number): string {
  const iso = new Date(startMs).toISOString();
  return `${layout.segmentMs === DAY_MS ? iso.slice(0, 10) : iso.slice(0, 13)}.jsonl`;
}

/** The segment start a file name stands for; undefined for files that are not segments. */
export function parseSegmentFileName(
  layout: SegmentLayout<unknown>,
  name: string,
): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(T\d{2})?\.jsonl$/.exec(name);
  if (!match) return undefined;
  const startMs = Date.parse(
    match[2] ? `${match[1]}${match[2]}:00:00.000Z` : `${match[1]}T00:00:00.000Z`,
  );
  return Number.isFinite(startMs) && segmentFileName(layout, startMs) === name
    ? startMs
    : undefined;
}

/** One appended line: `\n` + the rows as a JSON array of arrays. */
export function encodeLine<Row>(layout: SegmentLayout<Row>, rows: readonly Row[]): string {
  return `\n${JSON.stringify(rows.map((row) => layout.encode(row)))}`;
}

/**
 * Reads a segment file's text into rows by identity, later lines overwriting earlier ones. Lines
 * that do not parse are the torn tails of writes a crash interrupted (never acknowledged), and are
 * skipped.
 *
 * @throws {StoreError} `CORRUPT_DATA` when a line parses but is not rows of this measurement.
 * @example
 * decodeSegment(LAYOUTS.hires, '\n[[0,"a",82,5]]\n[[0,"a",8', 'x').size // => 1
 */
export function decodeSegment<Row>(
  layout: SegmentLayout<Row>,
  text: string,
  file: string,
): Map<string, Row> {
  const rows = new Map<string, Row>();
  const width = layout.columns.length;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let batch: unknown;
    try {
      batch = JSON.parse(line);
    } catch {
      continue;
    }
    if (!Array.isArray(batch)) throw corrupt(file);
    for (const cells of batch) {
      if (!Array.isArray(cells) || cells.length !== width || typeof cells[0] !== 'number')
        throw corrupt(file);
      const row = layout.decode(cells);
      rows.set(layout.spec.identity(row), row);
    }
  }
  return rows;
}

function corrupt(file: string): StoreError {
  return new StoreError(
    'CORRUPT_DATA',
    `openEmbeddedStore: segment ${file} holds lines that are not rows of its measurement; move the file away to read the rest`,
  );
}
