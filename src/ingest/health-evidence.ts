// The evidence detector health is judged on: recent readings in buckets, and hi-res on/off pulses.
import type { DetectorMap, MappedDetector } from './detector-map.ts';
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

/** What is remembered of one detector. */
export interface DetectorTrack {
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

export interface HealthState {
  detectors: Record<string, DetectorTrack>;
  sites: Record<string, SiteSeen>;
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
export const createHealthState = (): HealthState => ({ detectors: {}, sites: {} });

export const emptyTrack = (): DetectorTrack => ({
  buckets: [],
  shortPulsesMs: [],
  faults: {},
  spans: [],
});

/**
 * Folds fresh readings (each one once: pass the aggregation's `fresh`) into the health evidence:
 * per detector 60-second buckets of count, occupancy and coverage, and per site the data time seen.
 * Readings of detectors not in the map are ignored.
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
  const detectors = { ...state.detectors };
  const sites = { ...state.sites };
  const touched = new Set<string>();
  const bucketMs = bucket * MS;
  for (const reading of readings) {
    if (!map.detectors[reading.detector]) continue;
    const beginMs = reading.endMs - reading.interval * MS;
    const site = sites[reading.site];
    sites[reading.site] = {
      firstMs: Math.min(site?.firstMs ?? beginMs, beginMs),
      lastMs: Math.max(site?.lastMs ?? reading.endMs, reading.endMs),
      interval: reading.interval,
    };
    const before = detectors[reading.detector] ?? emptyTrack();
    const track = touched.has(reading.detector)
      ? before
      : { ...before, buckets: [...before.buckets] };
    touched.add(reading.detector);
    const startMs = Math.floor((beginMs + reading.endMs) / 2 / bucketMs) * bucketMs;
    const index = track.buckets.findIndex((existing) => existing.startMs === startMs);
    const existing = index >= 0 ? track.buckets[index] : undefined;
    const updated: HealthBucket = {
      startMs,
      count: (existing?.count ?? 0) + reading.count,
      occupied: (existing?.occupied ?? 0) + reading.occupancy * reading.interval,
      covered: (existing?.covered ?? 0) + reading.interval,
      firstMs: Math.min(existing?.firstMs ?? beginMs, beginMs),
      lastMs: Math.max(existing?.lastMs ?? reading.endMs, reading.endMs),
    };
    if (existing) track.buckets[index] = updated;
    else insertByStart(track.buckets, updated);
    if (track.lastEndMs === undefined || reading.endMs >= track.lastEndMs) {
      track.lastEndMs = reading.endMs;
      track.interval = reading.interval;
    }
    detectors[reading.detector] = track;
  }
  for (const id of touched) {
    const track = detectors[id]!;
    const oldestMs = (track.lastEndMs ?? 0) - history * MS;
    track.buckets = track.buckets.filter((entry) => entry.lastMs > oldestMs);
  }
  return { detectors, sites };
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
  const detectors = { ...state.detectors };
  const touched = new Set<string>();
  const sorted = events
    .filter((event) => event.code === DETECTOR_ON || event.code === DETECTOR_OFF)
    .sort((a, b) => a.tsMs - b.tsMs);
  for (const { tsMs, code, param } of sorted) {
    const id = channels[param];
    if (id === undefined) {
      unknownChannels.add(param);
      continue;
    }
    const before = detectors[id] ?? emptyTrack();
    const track = touched.has(id)
      ? before
      : { ...before, shortPulsesMs: [...before.shortPulsesMs] };
    touched.add(id);
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
    detectors[id] = track;
  }
  return { state: { ...state, detectors }, unknownChannels: [...unknownChannels] };
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

function insertByStart(buckets: HealthBucket[], bucket: HealthBucket): void {
  let index = buckets.length;
  while (index > 0 && buckets[index - 1]!.startMs > bucket.startMs) index--;
  buckets.splice(index, 0, bucket);
}
