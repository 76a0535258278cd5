// Shared shapes of the ingest path: one detector reading, one rejection, and the ingest error.
import { CodedError } from '../coded-error.ts';

/** One detector's accepted reading over one interval, as a controller reported it. */
export interface VolumeReading {
  /** The controller (signal id) that reported it. */
  site: string;
  detector: string;
  /** The entry's sequence number on the site's `det.volume` channel. */
  seq: number;
  /** End of the interval the reading covers (the entry's `ts`), ms since the Unix epoch. */
  endMs: number;
  /** Seconds the reading covers: it spans `[endMs − interval·1000, endMs)`. */
  interval: number;
  /** Vehicles counted. */
  count: number;
  /** Fraction of the interval the detector was occupied, 0..1. */
  occupancy: number;
}

/** Why an input (a message, an entry or one detector's value) was not taken. */
export type RejectionCode =
  | 'unknown-site'
  | 'unknown-detector'
  | 'wrong-site'
  | 'unknown-channel'
  | 'bad-timestamp'
  | 'future-timestamp'
  | 'stale-timestamp'
  | 'interval-mismatch'
  | 'interval-closed';

/** One rejected input, with what the engine needs to raise an `input.rejected` alarm. */
export interface Rejection {
  code: RejectionCode;
  /** For people: what was wrong and what was expected. */
  reason: string;
  site?: string;
  detector?: string;
  seq?: number;
}

/** Stable codes of the ingest module's caller mistakes. Tests check codes, not text. */
export type IngestErrorCode =
  'BAD_OPTION' | 'DUPLICATE_CHANNEL' | 'IMPLIED_ID_TAKEN' | 'UNKNOWN_DETECTOR';

/**
 * A caller's mistake in the ingest module (a bad option, a channel given twice); the message
 * starts with the function name and says how to fix it.
 *
 * @example
 * new IngestError('BAD_OPTION', 'createAggregation: intervals must be positive').code // => 'BAD_OPTION'
 */
export class IngestError extends CodedError<IngestErrorCode> {}

/** Milliseconds per second, to keep the unit conversions visible. */
export const MS = 1000;
