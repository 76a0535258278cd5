// The ingest steps composed for an engine adapter: per message, and per tick of its clock.
import type { HiresPayload } from '../controllers/payloads.ts';
import {
  acceptDetectorVolume,
  type AcceptanceOptions,
  type VolumeMessage,
} from './accept-volume.ts';
import {
  aggregateReadings,
  closeIntervals,
  createAggregation,
  type AggregationOptions,
  type AggregationState,
  type IntervalAggregate,
} from './aggregate.ts';
import { detectorPriorFlows } from './demand-estimate.ts';
import type { DetectorMap } from './detector-map.ts';
import {
  evaluateHealth,
  faultSpans,
  type DetectorHealth,
  type HealthEvent,
  type HealthOptions,
} from './health.ts';
import {
  createHealthState,
  observeDetectorEvents,
  observeReadings,
  type EvidenceOptions,
  type HealthState,
} from './health-evidence.ts';
import { laneShares, movementTotals, type MovementTotals } from './movement-counts.ts';
import {
  gapRate,
  sequenceKey,
  trackSequence,
  type SequenceOptions,
  type SequenceState,
  type SequenceVerdict,
} from './sequence.ts';
import type { Rejection, VolumeReading } from './types.ts';

/** The status code detector volumes come on: `tsc/{zone}/{site}/status/det.volume`. */
export const DETECTOR_VOLUME_CODE = 'det.volume';

/** Everything the ingest path remembers: plain data that survives a JSON round trip (saved across restarts). */
export interface IngestState {
  sequences: SequenceState;
  aggregation: AggregationState;
  health: HealthState;
}

export interface IngestOptions {
  acceptance?: AcceptanceOptions;
  sequence?: SequenceOptions;
  evidence?: EvidenceOptions;
  health?: HealthOptions;
  /** Seconds over which a site's gap rate is measured; default 900. */
  gapWindow?: number;
  /**
   * Entries a site must have sent (received + missing) within the window before its gap rate
   * is judged; default 10: below that, one lost entry alone would read as a 10 % gap rate.
   */
  gapMinEntries?: number;
}

/** A closed interval with its movement counts. */
export interface ClosedInterval extends IntervalAggregate {
  movements: Record<string, MovementTotals>;
}

/**
 * A fresh ingest state, aggregating at the given interval lengths.
 *
 * @example
 * let ingest = createIngestState({ intervals: [300, 900], grace: 120 });
 */
export function createIngestState(aggregation: AggregationOptions = {}): IngestState {
  return {
    sequences: {},
    aggregation: createAggregation(aggregation),
    health: createHealthState(),
  };
}

/**
 * One det.volume message (schema already checked): semantic acceptance, sequence tracking (gaps,
 * duplicates, resets and late fills reported), aggregation (readings already folded — same
 * detector, same end — dropped; readings for closed intervals rejected), then health evidence.
 *
 * @example
 * const result = ingestDetectorVolume(ingest, map, { site: 'JS-02', payload, receivedAtMs: clock.now() });
 * ingest = result.state;
 * for (const rejection of result.rejections) publishAlarm('input.rejected', rejection);
 */
export function ingestDetectorVolume(
  state: IngestState,
  map: DetectorMap,
  message: VolumeMessage,
  options: IngestOptions = {},
): {
  state: IngestState;
  /** Readings counted for the first time. */
  accepted: VolumeReading[];
  rejections: Rejection[];
  /** Entries whose `seq` was not simply the next one. */
  sequence: SequenceVerdict[];
} {
  const { accepted, rejections } = acceptDetectorVolume(map, message, options.acceptance);
  // A whole message refused (unknown site, interval that does not fit) leaves no trace in the state.
  const messageRejected = rejections.some(
    (rejection) => rejection.code === 'unknown-site' || rejection.code === 'interval-mismatch',
  );
  if (messageRejected) return { state, accepted: [], rejections, sequence: [] };

  const entries = message.payload.entries.map(({ seq, ts }) => ({ seq, tsMs: Date.parse(ts) }));
  const tracked = trackSequence(
    state.sequences,
    sequenceKey(message.site, DETECTOR_VOLUME_CODE),
    entries.filter((entry) => !Number.isNaN(entry.tsMs)),
    options.sequence,
  );
  // Duplicates are the aggregation's to judge (same detector, same interval end): a redelivered
  // entry is dropped there whatever its seq, so its counts never land twice.
  const { state: aggregation, fresh, late } = aggregateReadings(state.aggregation, accepted);
  const health = observeReadings(state.health, map, fresh, options.evidence);
  return {
    state: { sequences: tracked.state, aggregation, health },
    accepted: fresh,
    rejections: [...rejections, ...late],
    sequence: tracked.verdicts.filter((verdict) => verdict.class !== 'new'),
  };
}

/**
 * One tlc.hires message (schema already checked): detector on/off events (81/82) become health
 * evidence; events naming a channel the site does not have are rejected.
 *
 * @example
 * ({ state: ingest } = ingestHires(ingest, map, { site: 'JS-07', payload }));
 */
export function ingestHires(
  state: IngestState,
  map: DetectorMap,
  { site, payload }: { site: string; payload: HiresPayload },
  options: IngestOptions = {},
): { state: IngestState; rejections: Rejection[] } {
  const rejections: Rejection[] = [];
  const events: { tsMs: number; code: number; param: number }[] = [];
  for (const { ts, code, param } of payload.entries) {
    const tsMs = Date.parse(ts);
    if (Number.isNaN(tsMs)) {
      rejections.push({ code: 'bad-timestamp', site, reason: `ts ${ts} is not a valid time` });
    } else {
      events.push({ tsMs, code, param });
    }
  }
  if (!map.sites[site]) {
    return {
      state,
      rejections: [
        {
          code: 'unknown-site',
          site,
          reason: `site ${site} has no detectors in the network; check the topic's site id`,
        },
      ],
    };
  }
  const observed = observeDetectorEvents(state.health, map, site, events, options.evidence);
  for (const channel of observed.unknownChannels) {
    rejections.push({
      code: 'unknown-channel',
      site,
      reason: `detector channel ${channel} is not one of site ${site}'s (1–${map.sites[site].length})`,
    });
  }
  return { state: { ...state, health: observed.state }, rejections };
}

/**
 * One tick of the engine's clock: closes the intervals due (each with movement counts from the
 * counting detectors not faulty in it, shared lanes split by `prior`) and judges detector health
 * (gap rates from the sequences, stuck-off against `prior`).
 *
 * @example
 * const tick = ingestTick(ingest, map, { nowMs: clock.now(), prior: designFlows });
 * ingest = tick.state;
 * await store.writeDetectorAggregates(tick.closed.flatMap((closed) => storeRows(closed, map).detectors));
 * for (const event of tick.events) publishAlarm(`detector.${event.fault}`, event);
 */
export function ingestTick(
  state: IngestState,
  map: DetectorMap,
  { nowMs, prior }: { nowMs: number; prior?: Readonly<Record<string, number>> },
  options: IngestOptions = {},
): {
  state: IngestState;
  closed: ClosedInterval[];
  health: Record<string, DetectorHealth>;
  events: HealthEvent[];
} {
  const gapRates: Record<string, number> = {};
  for (const site of Object.keys(map.sites)) {
    const channel = state.sequences[sequenceKey(site, DETECTOR_VOLUME_CODE)];
    if (!channel) continue;
    const { rate, received, missing } = gapRate(channel, nowMs, options.gapWindow ?? 900);
    if (received + missing >= (options.gapMinEntries ?? 10)) gapRates[site] = rate;
  }
  const judged = evaluateHealth(
    state.health,
    map,
    { nowMs, gapRates, ...(prior ? { priorFlows: detectorPriorFlows(map, prior) } : {}) },
    options.health,
  );
  const { state: aggregation, closed } = closeIntervals(state.aggregation, nowMs);
  // Most ticks close nothing: the spans and shares are only worked out for those that do.
  const spans = closed.length > 0 ? faultSpans(judged.state) : {};
  const shares = closed.length > 0 ? laneShares(map, prior) : {};
  const withMovements = closed.map((aggregate) => {
    const excluded = new Set(
      Object.keys(aggregate.detectors).filter((id) =>
        (spans[id] ?? []).some(
          (span) => span.fromMs < aggregate.endMs && span.toMs > aggregate.startMs,
        ),
      ),
    );
    return {
      ...aggregate,
      movements: movementTotals(map, aggregate.detectors, { shares, excluded }),
    };
  });
  return {
    state: { ...state, aggregation, health: judged.state },
    closed: withMovements,
    health: judged.health,
    events: judged.events,
  };
}
