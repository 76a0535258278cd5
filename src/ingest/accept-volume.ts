// Semantic checks of a schema-valid det.volume message: which readings are taken, which rejected and why.
import type { DetectorVolumePayload } from '../controllers/payloads.ts';
import type { DetectorMap } from './detector-map.ts';
import { IngestError, MS, type Rejection, type VolumeReading } from './types.ts';

/** The aggregation intervals the engine keeps by default, seconds: 5 and 15 minutes. */
export const DEFAULT_AGGREGATION_INTERVALS: readonly number[] = [300, 900];

export interface AcceptanceOptions {
  /**
   * Seconds an entry's `ts` may lie ahead of the engine's clock; default 60. Controllers keep
   * NTP time; a minute covers their skew and the transit, and anything beyond is a wrong clock.
   */
  maxFuture?: number;
  /**
   * Seconds back from now beyond which an entry is refused; default 7 days, the raw retention
   * of the store (ecosystem.md §3.3 `raw_7d`): older data could not be kept anyway.
   */
  retention?: number;
  /** The `interval` this site must report, seconds, when its configuration fixes one. */
  expectedInterval?: number;
  /**
   * Every reading must fit whole intervals of these lengths (seconds), so its interval must
   * divide each; default `DEFAULT_AGGREGATION_INTERVALS`.
   */
  aggregationIntervals?: readonly number[];
}

export interface VolumeMessage {
  /** The `{site}` of the topic the message came on. */
  site: string;
  payload: DetectorVolumePayload;
  /** The engine's clock when the message arrived, ms since the Unix epoch. */
  receivedAtMs: number;
}

export interface AcceptanceResult {
  accepted: VolumeReading[];
  rejections: Rejection[];
}

/**
 * Decides, for a det.volume message that passed its schema, which detector readings are taken:
 * the site must be known and its interval fit the aggregation; an entry's `ts` must parse and lie
 * neither beyond `maxFuture` ahead nor beyond `retention` back; each detector must be known and
 * belong to this site (a detector of another site is named with its site). Sequence numbers are
 * not judged here (see `trackSequence`).
 *
 * @example
 * acceptDetectorVolume(map, {
 *   site: 'JS-02',
 *   receivedAtMs: Date.parse('2026-11-28T07:01:00Z'),
 *   payload: { interval: 60, entries: [{ ts: '2026-11-28T07:01:00Z', seq: 3,
 *     values: { 'jingsan-eb-stopline-0': { count: 12, occupancy: 0.2 }, 'nope': { count: 1, occupancy: 0 } } }] },
 * })
 * // => { accepted: [{ site: 'JS-02', detector: 'jingsan-eb-stopline-0', seq: 3, count: 12, … }],
 * //      rejections: [{ code: 'unknown-detector', detector: 'nope', seq: 3, reason: '…' }] }
 */
export function acceptDetectorVolume(
  map: DetectorMap,
  { site, payload, receivedAtMs }: VolumeMessage,
  options: AcceptanceOptions = {},
): AcceptanceResult {
  const {
    maxFuture = 60,
    retention = 7 * 86_400,
    expectedInterval,
    aggregationIntervals = DEFAULT_AGGREGATION_INTERVALS,
  } = options;
  if (!(maxFuture >= 0 && retention > 0) || aggregationIntervals.some((i) => !(i > 0))) {
    throw new IngestError(
      'BAD_OPTION',
      'acceptDetectorVolume: maxFuture must be ≥ 0, retention and aggregation intervals positive (seconds)',
    );
  }
  const siteDetectors = map.sites[site];
  if (!siteDetectors) {
    return reject({
      code: 'unknown-site',
      site,
      reason: `site ${site} has no detectors in the network; check the topic's site id`,
    });
  }
  const { interval } = payload;
  if (expectedInterval !== undefined && Math.abs(interval - expectedInterval) > 1e-9) {
    return reject({
      code: 'interval-mismatch',
      site,
      reason: `interval ${interval} s, but site ${site} is configured for ${expectedInterval} s`,
    });
  }
  const misfit = aggregationIntervals.find((length) => !divides(interval, length));
  if (misfit !== undefined) {
    return reject({
      code: 'interval-mismatch',
      site,
      reason: `interval ${interval} s does not divide the ${misfit} s aggregation interval; report in an interval that divides ${aggregationIntervals.join(' s and ')} s`,
    });
  }

  const accepted: VolumeReading[] = [];
  const rejections: Rejection[] = [];
  for (const { ts, seq, values } of payload.entries) {
    const endMs = Date.parse(ts);
    const entryProblem = Number.isNaN(endMs)
      ? ({ code: 'bad-timestamp', reason: `ts ${ts} is not a valid time` } as const)
      : endMs > receivedAtMs + maxFuture * MS
        ? ({
            code: 'future-timestamp',
            reason: `ts ${ts} is ${Math.round((endMs - receivedAtMs) / MS)} s ahead of the engine's clock (at most ${maxFuture} s); check the controller's clock`,
          } as const)
        : endMs < receivedAtMs - retention * MS
          ? ({
              code: 'stale-timestamp',
              reason: `ts ${ts} is older than the ${retention} s retention horizon`,
            } as const)
          : undefined;
    if (entryProblem) {
      rejections.push({ ...entryProblem, site, seq });
      continue;
    }
    for (const [detector, { count, occupancy }] of Object.entries(values)) {
      const known = map.detectors[detector];
      if (!known) {
        rejections.push({
          code: 'unknown-detector',
          site,
          detector,
          seq,
          reason: `detector ${detector} is not in the network (site ${site} has ${siteDetectors.length} detectors, e.g. ${siteDetectors[0] ?? 'none'})`,
        });
      } else if (known.site !== site) {
        rejections.push({
          code: 'wrong-site',
          site,
          detector,
          seq,
          reason: `detector ${detector} belongs to site ${known.site}, not ${site}`,
        });
      } else {
        accepted.push({ site, detector, seq, endMs, interval, count, occupancy });
      }
    }
  }
  return { accepted, rejections };
}

function reject(rejection: Rejection): AcceptanceResult {
  return { accepted: [], rejections: [rejection] };
}

/** True when `part` seconds fit a whole number of times into `whole` (to the millisecond). */
function divides(part: number, whole: number): boolean {
  const ratio = whole / part;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9 && Math.round(ratio) >= 1;
}
