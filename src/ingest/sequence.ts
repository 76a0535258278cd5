// Sequence tracking per channel (RSMP 4 `seq`): new, gap, duplicate, late, reset, or resumed after the engine's restart.
import { IngestError, MS } from './types.ts';

/**
 * What one entry's `seq` says:
 * - `new`: the next one (or the first ever seen);
 * - `gap`: newer than the next one, `missing` entries never arrived (yet);
 * - `duplicate`: seen already (a QoS 1 redelivery): drop it;
 * - `late`: older than the newest, not seen, not newer in time: it fills an earlier gap (or is
 *   older than the remembered window, and the aggregation's own dedupe decides);
 * - `reset`: lower than the newest but later in time: the channel restarted and counts again
 *   (RSMP: `seq` resets when a channel restarts);
 * - `resumed`: the first newer entry after the engine restarted (`resumeSequences`) skipped some:
 *   they were sent while the engine was down or after its last save, so the engine, not the
 *   controller, lost them, and they are not counted missing.
 */
export type SequenceClass = 'new' | 'gap' | 'duplicate' | 'late' | 'reset' | 'resumed';

/** Received and missing entries in one clock-aligned bucket, for the gap rate. */
export interface SequenceTally {
  startMs: number;
  received: number;
  missing: number;
}

/** What is remembered of one channel (one site's one topic). */
export interface ChannelSequence {
  /** Highest `seq` since the last reset. */
  last: number;
  /** Newest entry time seen, ms. */
  lastTsMs: number;
  /** The `seq`s seen within the window below `last`, ascending. */
  seen: number[];
  /** Tallies per bucket, oldest first, within the tally horizon. */
  tallies: SequenceTally[];
  /** Restored after the engine restarted: the next newer entry resumes the channel. */
  resumed?: boolean;
}

/** Channel key (`sequenceKey(site, code)`) → what is remembered of it. */
export type SequenceState = Readonly<Record<string, ChannelSequence>>;

export interface SequenceOptions {
  /** How many `seq`s below the newest are remembered to tell duplicates from late fills; default 256. */
  window?: number;
  /** Seconds of tallies kept for the gap rate; default 3600. */
  horizon?: number;
  /** Seconds per tally bucket; default 60. */
  bucket?: number;
}

export interface SequenceVerdict {
  seq: number;
  class: SequenceClass;
  /** For a gap: how many entries were skipped. */
  missing: number;
}

/** The key of a channel in `SequenceState`. */
export const sequenceKey = (site: string, code: string): string => `${site}/${code}`;

/**
 * Classifies a batch of entries of one channel in order and returns the channel's new state.
 * Pure: the state given is not changed.
 *
 * @example
 * let state: SequenceState = {};
 * ({ state } = trackSequence(state, 'JS-02/det.volume', [{ seq: 7, tsMs: 60_000 }]));
 * trackSequence(state, 'JS-02/det.volume', [{ seq: 10, tsMs: 240_000 }, { seq: 7, tsMs: 60_000 }]).verdicts
 * // => [{ seq: 10, class: 'gap', missing: 2 }, { seq: 7, class: 'duplicate', missing: 0 }]
 */
export function trackSequence(
  state: SequenceState,
  key: string,
  entries: readonly { seq: number; tsMs: number }[],
  options: SequenceOptions = {},
): { state: SequenceState; verdicts: SequenceVerdict[] } {
  const { window = 256, horizon = 3600, bucket = 60 } = options;
  if (!(window >= 1 && horizon > 0 && bucket > 0)) {
    throw new IngestError(
      'BAD_OPTION',
      `trackSequence: window (${window}) must be ≥ 1 and horizon (${horizon} s), bucket (${bucket} s) positive`,
    );
  }
  let channel = state[key];
  const verdicts: SequenceVerdict[] = [];
  for (const { seq, tsMs } of entries) {
    const verdict = classify(channel, seq, tsMs);
    verdicts.push(verdict);
    channel = remember(channel, verdict, tsMs, { window, bucketMs: bucket * MS });
  }
  if (!channel) return { state, verdicts };
  const oldest = channel.lastTsMs - horizon * MS;
  // Tallies are in time order: the expired ones are a prefix.
  let expired = 0;
  while (
    expired < channel.tallies.length &&
    channel.tallies[expired]!.startMs + bucket * MS <= oldest
  ) {
    expired++;
  }
  const tallies = expired === 0 ? channel.tallies : channel.tallies.slice(expired);
  return { state: { ...state, [key]: { ...channel, tallies } }, verdicts };
}

/**
 * Marks every channel as restored after a restart, so that its next newer entry resumes it
 * (`resumed`) instead of counting the entries in between as missing: a restarted engine lost
 * those itself (sent while it was down, or taken after its last save), and a gap rate must not
 * blame the controllers' feeds for that.
 *
 * @example
 * const state = resumeSequences(saved.sequences);
 * trackSequence(state, 'JS-02/det.volume', [{ seq: last + 5, tsMs }]).verdicts[0].class // => 'resumed'
 */
export function resumeSequences(state: SequenceState): SequenceState {
  const resumed: Record<string, ChannelSequence> = {};
  for (const [key, channel] of Object.entries(state)) resumed[key] = { ...channel, resumed: true };
  return resumed;
}

/**
 * Share of entries that never arrived among those expected over the last `window` seconds before
 * `nowMs`: missing / (received + missing); 0 for a channel not seen.
 *
 * @example
 * gapRate(state['JS-02/det.volume'], Date.parse('2026-11-28T08:00:00Z'), 900) // => { rate: 0.05, received: 57, missing: 3 }
 */
export function gapRate(
  channel: ChannelSequence | undefined,
  nowMs: number,
  window = 900,
): { rate: number; received: number; missing: number } {
  let received = 0;
  let missing = 0;
  const tallies = channel?.tallies ?? [];
  // In time order: read back from the newest to the window's start, not the whole horizon.
  for (let index = tallies.length - 1; index >= 0; index--) {
    const tally = tallies[index]!;
    if (tally.startMs < nowMs - window * MS) break;
    if (tally.startMs > nowMs) continue;
    received += tally.received;
    missing += tally.missing;
  }
  const expected = received + missing;
  return { rate: expected > 0 ? missing / expected : 0, received, missing };
}

function classify(
  channel: ChannelSequence | undefined,
  seq: number,
  tsMs: number,
): SequenceVerdict {
  if (!channel) return { seq, class: 'new', missing: 0 };
  if (seq > channel.last) {
    const missing = seq - channel.last - 1;
    if (missing > 0 && channel.resumed) return { seq, class: 'resumed', missing: 0 };
    return { seq, class: missing > 0 ? 'gap' : 'new', missing };
  }
  if (tsMs > channel.lastTsMs) return { seq, class: 'reset', missing: 0 };
  if (binaryIncludes(channel.seen, seq)) return { seq, class: 'duplicate', missing: 0 };
  return { seq, class: 'late', missing: 0 };
}

function remember(
  channel: ChannelSequence | undefined,
  verdict: SequenceVerdict,
  tsMs: number,
  { window, bucketMs }: { window: number; bucketMs: number },
): ChannelSequence {
  if (verdict.class === 'duplicate') return channel!;
  const startMs = Math.floor(tsMs / bucketMs) * bucketMs;
  if (!channel || verdict.class === 'reset') {
    return {
      last: verdict.seq,
      lastTsMs: tsMs,
      seen: [verdict.seq],
      tallies: tally(channel?.tallies ?? [], startMs, 1, 0),
    };
  }
  if (verdict.class === 'late') {
    // Older than the remembered window: it may be a duplicate, so it neither fills nor counts.
    if (verdict.seq <= channel.last - window) return channel;
    // A late entry fills a gap counted earlier: one more received, one fewer missing.
    return {
      ...channel,
      seen: insertSorted(channel.seen, verdict.seq),
      tallies: fill(channel.tallies, startMs),
    };
  }
  // `seen` is ascending and the new seq the highest: those out of the window are a prefix.
  let outside = 0;
  while (outside < channel.seen.length && channel.seen[outside]! <= verdict.seq - window) {
    outside++;
  }
  const seen = (outside === 0 ? channel.seen : channel.seen.slice(outside)).concat(verdict.seq);
  return {
    last: verdict.seq,
    lastTsMs: Math.max(channel.lastTsMs, tsMs),
    seen,
    tallies: tally(channel.tallies, startMs, 1, verdict.missing),
  };
}

/** Adds to the tally of the bucket at `startMs` (creating it in time order); missing stays ≥ 0. */
function tally(
  tallies: readonly SequenceTally[],
  startMs: number,
  received: number,
  missing: number,
): SequenceTally[] {
  const last = tallies[tallies.length - 1];
  if (last === undefined || last.startMs < startMs) {
    // The usual case, an entry of a new minute: appended, already in time order.
    return tallies.concat({ startMs, received, missing: Math.max(0, missing) });
  }
  let index = tallies.length - 1;
  while (index >= 0 && tallies[index]!.startMs !== startMs) index--;
  if (index >= 0) {
    const entry = tallies[index]!;
    const updated = {
      startMs,
      received: entry.received + received,
      missing: Math.max(0, entry.missing + missing),
    };
    return [...tallies.slice(0, index), updated, ...tallies.slice(index + 1)];
  }
  const added = { startMs, received, missing: Math.max(0, missing) };
  return [...tallies, added].sort((a, b) => a.startMs - b.startMs);
}

function binaryIncludes(sorted: readonly number[], value: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const found = sorted[middle]!;
    if (found === value) return true;
    if (found < value) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

function insertSorted(sorted: readonly number[], value: number): number[] {
  const index = sorted.findIndex((existing) => existing > value);
  return index < 0
    ? [...sorted, value]
    : [...sorted.slice(0, index), value, ...sorted.slice(index)];
}

/** A late arrival: received where it belongs, and one missing taken back from the gap it fills. */
function fill(tallies: readonly SequenceTally[], startMs: number): SequenceTally[] {
  const counted = tally(tallies, startMs, 1, 0);
  const index = counted.findIndex((entry) => entry.startMs >= startMs && entry.missing > 0);
  if (index < 0) return counted;
  const entry = counted[index]!;
  return [
    ...counted.slice(0, index),
    { ...entry, missing: entry.missing - 1 },
    ...counted.slice(index + 1),
  ];
}
