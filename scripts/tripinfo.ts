// Reads SUMO tripinfo output into the RESCO delay measure (mean timeLoss + departDelay) and stops per vehicle.

/** One finished trip from a SUMO `<tripinfo>` element, times in seconds. */
export interface TripRecord {
  id: string;
  /** Time lost to driving below the desired speed (signals, queues, turns), seconds. */
  timeLoss: number;
  /** Time spent waiting to be inserted into the network, seconds. */
  departDelay: number;
  /** How often the vehicle came to a halt (speed < 0.1 m/s): its stops. */
  waitingCount: number;
}

/** The delay measure over a set of finished trips. */
export interface TripSummary {
  finishedTrips: number;
  /** Mean of timeLoss + departDelay, seconds per vehicle; NaN when no trip finished. */
  meanDelay: number;
  /** Mean waitingCount, stops per vehicle; NaN when no trip finished. */
  meanStops: number;
}

const TRIPINFO_TAG = /<tripinfo\s([^>]*?)\/?>/g;
const ATTRIBUTE = /([\w:.-]+)="([^"]*)"/g;

/**
 * Finished trips in SUMO tripinfo XML, one at a time, in file order. Trips written by
 * `--tripinfo-output.write-unfinished` (arrival -1) are skipped, since they never finished.
 *
 * @example
 * [...tripRecords('<tripinfo id="a" arrival="90" timeLoss="7.5" departDelay="0.5" waitingCount="1"/>')]
 * // → [{ id: 'a', timeLoss: 7.5, departDelay: 0.5, waitingCount: 1 }]
 */
export function* tripRecords(xml: string): Generator<TripRecord> {
  for (const tag of xml.matchAll(TRIPINFO_TAG)) {
    const attributes = new Map<string, string>();
    for (const [, name, value] of tag[1]!.matchAll(ATTRIBUTE)) attributes.set(name!, value!);
    if (Number(attributes.get('arrival') ?? '0') < 0) continue;
    yield {
      id: attributes.get('id') ?? '',
      timeLoss: numberAttribute(attributes, 'timeLoss'),
      departDelay: numberAttribute(attributes, 'departDelay'),
      waitingCount: numberAttribute(attributes, 'waitingCount'),
    };
  }
}

/**
 * The RESCO delay measure (mean timeLoss + departDelay) and mean stops over the finished trips
 * in SUMO tripinfo XML.
 *
 * @example
 * summarizeTripinfo(
 *   '<tripinfo id="a" arrival="90" timeLoss="7" departDelay="1" waitingCount="1"/>' +
 *     '<tripinfo id="b" arrival="95" timeLoss="20" departDelay="0" waitingCount="2"/>',
 * );
 * // → { finishedTrips: 2, meanDelay: 14, meanStops: 1.5 }
 */
export function summarizeTripinfo(xml: string): TripSummary {
  let finishedTrips = 0;
  let totalDelay = 0;
  let totalStops = 0;
  for (const trip of tripRecords(xml)) {
    finishedTrips++;
    totalDelay += trip.timeLoss + trip.departDelay;
    totalStops += trip.waitingCount;
  }
  return {
    finishedTrips,
    meanDelay: finishedTrips > 0 ? totalDelay / finishedTrips : NaN,
    meanStops: finishedTrips > 0 ? totalStops / finishedTrips : NaN,
  };
}

/** Stops of a chosen set of vehicles, such as an arterial's through traffic. */
export interface StopSummary {
  /** Finished trips of the chosen vehicles. */
  trips: number;
  /** Mean waitingCount over those trips, stops per vehicle; NaN when none finished. */
  meanStops: number;
}

/**
 * Mean stops per vehicle over the finished trips of the given vehicles. A stop is SUMO's
 * waitingCount: each time the vehicle's speed fell below 0.1 m/s, so a green wave driven
 * without halting counts 0 and a stop-and-go queue counts every halt.
 *
 * @example
 * summarizeStops(
 *   '<tripinfo id="a" arrival="90" timeLoss="7" departDelay="1" waitingCount="1"/>' +
 *     '<tripinfo id="b" arrival="95" timeLoss="20" departDelay="0" waitingCount="2"/>',
 *   new Set(['b']),
 * );
 * // → { trips: 1, meanStops: 2 }
 */
export function summarizeStops(xml: string, vehicles: ReadonlySet<string>): StopSummary {
  let trips = 0;
  let totalStops = 0;
  for (const trip of tripRecords(xml)) {
    if (!vehicles.has(trip.id)) continue;
    trips++;
    totalStops += trip.waitingCount;
  }
  return { trips, meanStops: trips > 0 ? totalStops / trips : NaN };
}

function numberAttribute(attributes: Map<string, string>, name: string): number {
  const value = Number(attributes.get(name));
  if (!Number.isFinite(value)) {
    throw new Error(
      `tripRecords: <tripinfo id="${attributes.get('id')}"> has no numeric ${name}; ` +
        'write tripinfo with SUMO ≥ 1.0 (it adds timeLoss, departDelay and waitingCount).',
    );
  }
  return value;
}
