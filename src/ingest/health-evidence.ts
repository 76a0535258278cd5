// The evidence detector health is judged on: recent readings in buckets, and hi-res on/off pulses.
import type { DetectorMap, MappedDetector } from './detector-map.ts';
import { siteEntry, siteTableEditor, type SiteTable } from './site-table.ts';
import { MS, type VolumeReading } from './types.ts';

/** Indiana hi-res event codes for a detector's state (param = detector channel). */
export const DETECTOR_OFF = 81;
export const DETECTOR_ON = 82;

/** Hi-res timestamps have 0.1 s resolution (Indiana enumerations), seconds. */
export const HIRES_RESOLUTION = 0.1;

/** One detector's readings folded into one clock-aligned bucket. */
export interface HealthBucket {
  startMs: number;
  count: number;
  /** Σ occupancy × seconds. */
  occupied: number;
  /** Seconds covered. */
  covered: number;
  /** Earliest reading start and latest reading end in the bucket, ms: for telling runs apart. */
  firstMs: number;
  lastMs: number;
}

export type DetectorFault = 'missing' | 'stuck-on' | 'stuck-off' | 'chattering' | 'gaps';

/** A fault as it stands: since when the evidence shows it, and why. */
export interface ActiveFault {
  sinceMs: number;
  reason: string;
}

/** A fault that has cleared, kept for `history` so that its data stays out of estimates. */
export interface FaultSpan {
  fault: DetectorFault;
  fromMs: number;
  /** Infinity while the fault is active. */
  toMs: number;
}

/** What the evidence of one detector holds: its recent readings and hi-res pulses. */
export interface DetectorEvidence {
  /** Oldest first, within the history. */
  buckets: HealthBucket[];
  /** Latest reading end, ms. */
  lastEndMs?: number;
  /** Seconds of the latest reading. */
  interval?: number;
  /** Hi-res: the detector has been on since (undefined when off or unknown). */
  onSinceMs?: number;
  /** Hi-res: ends of on-times too short for any vehicle, ms, oldest first. */
  shortPulsesMs: number[];
  /**
   * The highest count of any bucket kept: no bucket can be over a lane's capacity while this is
   * not, so the chattering check reads the buckets only when it is (absent: read them).
   */
  peakCount?: number;
}

/** What is judged of one detector at each evaluation: its faults and their history. */
export interface DetectorTrack {
  faults: Partial<Record<DetectorFault, ActiveFault>>;
  /** When the detector was last seen without faults (set by the first evaluation). */
  okSinceMs?: number;
  /** Faults cleared within the history. */
  spans: FaultSpan[];
}

/** Data time seen per site: when its first reading began, its latest ended, and its interval. */
export interface SiteSeen {
  firstMs: number;
  lastMs: number;
  interval: number;
}

/** One site's evidence: the data time seen (once it has sent readings) and its detectors'. */
export interface SiteEvidence {
  seen?: SiteSeen;
  detectors: Record<string, DetectorEvidence>;
}

/**
 * Evidence by site (a `SiteTable`), folded in message by message: a message touches one site, so
 * only that site's part and its shard are copied. Verdicts by detector, written by each
 * evaluation (once per tick).
 */
export interface HealthState {
  sites: SiteTable<SiteEvidence>;
  detectors: Record<string, DetectorTrack>;
}

export interface EvidenceOptions {
  /** Seconds per bucket; default 60, so 1 Hz feeds and 5-minute feeds keep the same state size. */
  bucket?: number;
  /** Seconds of evidence kept; default 3600, longer than every test window. */
  history?: number;
  /** The shortest vehicle, metres; default 4 (a small car). */
  shortestVehicle?: number;
  /** The fastest plausible speed as a multiple of the lane's limit; default 1.5. */
  speedFactor?: number;
}

/** An empty health state. */
export const createHealthState = (): HealthState => ({ sites: {}, detectors: {} });

export const emptyEvidence = (): DetectorEvidence => ({ buckets: [], shortPulsesMs: [] });

export const emptyTrack = (): DetectorTrack => ({ faults: {}, spans: [] });

/**
 * One detector's evidence, or undefined before any.
 *
 * @example
 * evidenceOf(health, map.detectors['w-0'])?.buckets.length // => 15
 */
export function evidenceOf(
  state: HealthState,
  detector: { id: string; site: string },
): DetectorEvidence | undefined {
  return siteEntry(state.sites, detector.site)?.detectors[detector.id];
}

/**
 * A copy-on-write editor of one call's changes: each site and detector evidence touched is copied
 * once, the rest stays shared with the state given (which is never changed).
 */
function evidenceEditor(state: HealthState) {
  const sites = siteTableEditor(state.sites);
  const copiedSites = new Set<string>();
  const copiedDetectors = new Set<string>();
  const site = (id: string): SiteEvidence => {
    let evidence = sites.get(id);
    if (!evidence || !copiedSites.has(id)) {
      evidence = { seen: evidence?.seen, detectors: { ...evidence?.detectors } };
      sites.set(id, evidence);
      copiedSites.add(id);
    }
    return evidence;
  };
  const detector = (
    siteId: string,
    id: string,
    part: 'shortPulsesMs' | 'none',
  ): DetectorEvidence => {
    const evidence = site(siteId).detectors;
    if (!copiedDetectors.has(id)) {
      const before = evidence[id] ?? emptyEvidence();
      // Every field named (one shape for all copies); the lists are the caller's to copy.
      evidence[id] = {
        buckets: before.buckets,
        lastEndMs: before.lastEndMs,
        interval: before.interval,
        onSinceMs: before.onSinceMs,
        shortPulsesMs:
          part === 'shortPulsesMs' ? before.shortPulsesMs.slice() : before.shortPulsesMs,
        peakCount: before.peakCount,
      };
      copiedDetectors.add(id);
    }
    return evidence[id]!;
  };
  return { sites, site, detector, touched: copiedDetectors };
}

/**
 * Folds fresh readings (each one once: pass the aggregation's `fresh`) into the health evidence:
 * per detector 60-second buckets of count, occupancy and coverage, and per site the data time seen.
 * Readings of detectors not in the map are ignored. Only the sites of the readings are copied, so
 * the cost is that of the readings, whatever the size of the network.
 *
 * @example
 * let health = createHealthState();
 * health = observeReadings(health, map, fresh);
 */
export function observeReadings(
  state: HealthState,
  map: DetectorMap,
  readings: readonly VolumeReading[],
  { bucket = 60, history = 3600 }: EvidenceOptions = {},
): HealthState {
  if (readings.length === 0) return state;
  const editor = evidenceEditor(state);
  const touched = new Map<string, DetectorEvidence>();
  // Bucket lists this call made: changed in place; a list shared with `state` is copied first.
  const made = new Set<HealthBucket[]>();
  const writable = (track: DetectorEvidence): HealthBucket[] => {
    if (!made.has(track.buckets)) {
      track.buckets = track.buckets.slice();
      made.add(track.buckets);
    }
    return track.buckets;
  };
  const bucketMs = bucket * MS;
  for (const reading of readings) {
    if (!map.detectors[reading.detector]) continue;
    const beginMs = reading.endMs - reading.interval * MS;
    const site = editor.site(reading.site);
    site.seen = {
      firstMs: Math.min(site.seen?.firstMs ?? beginMs, beginMs),
      lastMs: Math.max(site.seen?.lastMs ?? reading.endMs, reading.endMs),
      interval: reading.interval,
    };
    const track = editor.detector(reading.site, reading.detector, 'none');
    touched.set(reading.detector, track);
    const startMs = Math.floor((beginMs + reading.endMs) / 2 / bucketMs) * bucketMs;
    const index = lastIndexOfStart(track.buckets, startMs);
    const existing = index >= 0 ? track.buckets[index] : undefined;
    const updated: HealthBucket = {
      startMs,
      count: (existing?.count ?? 0) + reading.count,
      occupied: (existing?.occupied ?? 0) + reading.occupancy * reading.interval,
      covered: (existing?.covered ?? 0) + reading.interval,
      firstMs: Math.min(existing?.firstMs ?? beginMs, beginMs),
      lastMs: Math.max(existing?.lastMs ?? reading.endMs, reading.endMs),
    };
    const newest = track.buckets[track.buckets.length - 1];
    if (existing) {
      writable(track)[index] = updated;
    } else if (newest === undefined || newest.startMs < startMs) {
      // The usual case, a reading of a new minute: one list of the right length, made at once.
      track.buckets = track.buckets.concat(updated);
      made.add(track.buckets);
    } else {
      insertByStart(writable(track), updated);
    }
    if (track.lastEndMs === undefined || reading.endMs >= track.lastEndMs) {
      track.lastEndMs = reading.endMs;
      track.interval = reading.interval;
    }
    track.peakCount =
      track.peakCount === undefined
        ? peakOf(track.buckets)
        : Math.max(track.peakCount, updated.count);
  }
  for (const track of touched.values()) {
    const oldestMs = (track.lastEndMs ?? 0) - history * MS;
    if (track.buckets[0] !== undefined && track.buckets[0].startMs <= oldestMs) {
      const droppedPeak = dropOlderThan(writable(track), oldestMs);
      if (droppedPeak >= (track.peakCount ?? 0)) track.peakCount = peakOf(track.buckets);
    }
  }
  return { ...state, sites: editor.sites.table() };
}

/**
 * Folds one site's hi-res events into the evidence: detector on (82) and off (81), by channel. An
 * on-time shorter than any vehicle could make — (shortest vehicle + zone length) / (speed factor ×
 * lane limit), less the 0.1 s log resolution — is a short pulse, the mark of a chattering detector.
 * Other codes are ignored; channels the site does not have are returned.
 *
 * @example
 * observeDetectorEvents(health, map, 'JS-07', [{ tsMs: t, code: 82, param: 3 }, { tsMs: t + 300, code: 81, param: 3 }])
 * // => { state, unknownChannels: [] }
 */
export function observeDetectorEvents(
  state: HealthState,
  map: DetectorMap,
  site: string,
  events: readonly { tsMs: number; code: number; param: number }[],
  { shortestVehicle = 4, speedFactor = 1.5, history = 3600 }: EvidenceOptions = {},
): { state: HealthState; unknownChannels: number[] } {
  const channels = map.channels[site] ?? {};
  const unknownChannels = new Set<number>();
  const sorted = events
    .filter((event) => event.code === DETECTOR_ON || event.code === DETECTOR_OFF)
    .sort((a, b) => a.tsMs - b.tsMs);
  if (sorted.length === 0) return { state, unknownChannels: [] };
  const editor = evidenceEditor(state);
  for (const { tsMs, code, param } of sorted) {
    const id = channels[param];
    if (id === undefined) {
      unknownChannels.add(param);
      continue;
    }
    const track = editor.detector(site, id, 'shortPulsesMs');
    if (code === DETECTOR_ON) {
      track.onSinceMs ??= tsMs;
    } else if (track.onSinceMs !== undefined && tsMs >= track.onSinceMs) {
      const onTime = (tsMs - track.onSinceMs) / MS;
      if (onTime < shortestOnTime(map.detectors[id]!, { shortestVehicle, speedFactor })) {
        track.shortPulsesMs.push(tsMs);
      }
      track.onSinceMs = undefined;
    }
    track.shortPulsesMs = track.shortPulsesMs.filter((atMs) => atMs > tsMs - history * MS);
  }
  const changed = editor.touched.size > 0;
  return {
    state: changed ? { ...state, sites: editor.sites.table() } : state,
    unknownChannels: [...unknownChannels],
  };
}

/**
 * The shortest on-time a vehicle can make on a detector, seconds, less the hi-res resolution:
 * (vehicle + zone length) / (speed factor × lane limit) − 0.1 s.
 *
 * @example
 * shortestOnTime({ length: 2, speedLimit: 50 / 3.6 }, {}) // => 0.188 (6 m at 20.8 m/s, less 0.1 s)
 */
export function shortestOnTime(
  detector: Pick<MappedDetector, 'length' | 'speedLimit'>,
  {
    shortestVehicle = 4,
    speedFactor = 1.5,
  }: Pick<EvidenceOptions, 'shortestVehicle' | 'speedFactor'>,
): number {
  return (
    (shortestVehicle + detector.length) / (speedFactor * detector.speedLimit) - HIRES_RESOLUTION
  );
}

/**
 * Drops, in place, the buckets that ended at or before `oldestMs`, and returns the highest count
 * dropped. Only buckets that started by then can have ended by then, and those are the oldest:
 * the rest is never read.
 */
function dropOlderThan(buckets: HealthBucket[], oldestMs: number): number {
  let started = 0;
  while (started < buckets.length && buckets[started]!.startMs <= oldestMs) started++;
  let kept = 0;
  let droppedPeak = -Infinity;
  for (let index = 0; index < started; index++) {
    const bucket = buckets[index]!;
    if (bucket.lastMs > oldestMs) buckets[kept++] = bucket;
    else droppedPeak = Math.max(droppedPeak, bucket.count);
  }
  if (kept < started) buckets.splice(kept, started - kept);
  return droppedPeak;
}

/** The highest count of the buckets, 0 for none. */
function peakOf(buckets: readonly HealthBucket[]): number {
  let peak = 0;
  for (const bucket of buckets) peak = Math.max(peak, bucket.count);
  return peak;
}

/** Index of the bucket starting at `startMs`, searched from the newest (where readings land). */
function lastIndexOfStart(buckets: readonly HealthBucket[], startMs: number): number {
  for (let index = buckets.length - 1; index >= 0; index--) {
    const found = buckets[index]!.startMs;
    if (found === startMs) return index;
    if (found < startMs) return -1;
  }
  return -1;
}

function insertByStart(buckets: HealthBucket[], bucket: HealthBucket): void {
  let index = buckets.length;
  while (index > 0 && buckets[index - 1]!.startMs > bucket.startMs) index--;
  if (index === buckets.length) buckets.push(bucket);
  else buckets.splice(index, 0, bucket);
}
