// Detector health: stuck on, stuck off, chattering, missing and gaps judged on the evidence, with events.
import type { DetectorMap, MappedDetector } from './detector-map.ts';
import {
  emptyEvidence,
  emptyTrack,
  evidenceOf,
  type ActiveFault,
  type DetectorEvidence,
  type DetectorFault,
  type DetectorTrack,
  type FaultSpan,
  type HealthBucket,
  type HealthState,
  type SiteEvidence,
  type SiteSeen,
} from './health-evidence.ts';
import { siteEntry } from './site-table.ts';
import { IngestError, MS } from './types.ts';

export type DetectorStatus = 'ok' | DetectorFault;

/** Faults by severity: the first one a detector has is its status. */
export const FAULT_SEVERITY: readonly DetectorFault[] = [
  'missing',
  'stuck-on',
  'stuck-off',
  'chattering',
  'gaps',
];

/**
 * Thresholds of the health tests. Each default says where it comes from.
 */
export interface HealthOptions {
  /**
   * Occupancy at or above which a bucket counts as "on"; default 0.95. A working detector is
   * off between vehicles even in a queue that moves; only a stopped queue or a fault holds it on.
   */
  stuckOnOccupancy?: number;
  /**
   * Seconds "on" (or one hi-res on without off) before stuck-on; default 600: longer than any
   * plausible red (cycles end by 180–240 s), the same order as NTCIP 1202's max-presence timer.
   */
  stuckOnDuration?: number;
  /**
   * Seconds of zero counts before stuck-off may be judged; default 600: several cycles, so red
   * times and platoon gaps (which make zeros more likely than Poisson arrivals do) cannot cause it.
   */
  stuckOffDuration?: number;
  /**
   * Stuck-off when P(0 vehicles | expected λ) = e^−λ is below this; default 0.001 (λ > 6.9
   * vehicles): one false alarm in a thousand such runs on a working detector with Poisson traffic.
   */
  stuckOffProbability?: number;
  /**
   * The least share of the other lanes' flow (scaled by the priors when all have one) a lane is
   * taken to carry, whatever its own history; default 0.1. Lanes are not used alike: at low flow
   * drivers going straight avoid a shared through-left lane, which may carry a few per cent of its
   * link, about a tenth of an even share on three lanes. The floor still catches a dead detector
   * without a history of its own where the other lanes are busy (λ > 6.9 needs 69 of theirs).
   */
  stuckOffShareFloor?: number;
  /**
   * Chattering when a bucket counts more than this times the lane's saturation flow over the
   * seconds covered; default 1.5. No lane discharges above its saturation flow (HCM); the margin
   * covers short-headway platoons and the saturation-flow estimate.
   */
  chatterFactor?: number;
  /** Hi-res short pulses within `shortPulseWindow` that make chattering; default 5 (reasoning). */
  shortPulses?: number;
  /** Seconds; default 60. */
  shortPulseWindow?: number;
  /** Seconds without chattering evidence before it clears; default 900 (one design interval). */
  chatterClear?: number;
  /**
   * Intervals without a reading, while the site's other detectors report, before missing;
   * default 3 (Caltrans PeMS "No Data": silent detector, others on the controller reporting).
   */
  missingIntervals?: number;
  /** Gap rate (missing / expected entries) above which the site's detectors get `gaps`; default 0.1. */
  gapRate?: number;
  /** Gap rate at or below which `gaps` clears (hysteresis, so it does not flap); default 0.05. */
  gapClearRate?: number;
  /** Seconds of cleared faults kept (as spans); default 3600. */
  history?: number;
  /** The bucket length the evidence was kept in, seconds; default 60 (as `observeReadings`). */
  bucket?: number;
}

export interface HealthInputs {
  /** The engine's clock, ms since the Unix epoch. */
  nowMs: number;
  /** Site → share of its det.volume entries that never arrived (`gapRate`). */
  gapRates?: Readonly<Record<string, number>>;
  /** Detector → expected flow, veh/h, e.g. from the time-of-day design flows (`detectorPriorFlows`). */
  priorFlows?: Readonly<Record<string, number>>;
}

export interface DetectorHealth {
  detector: string;
  site: string;
  status: DetectorStatus;
  /** When the status began, ms (for a fault: when its evidence began). */
  sinceMs: number;
  reason: string;
  faults: ({ fault: DetectorFault } & ActiveFault)[];
}

/** A fault raised or cleared: the engine turns each into an alarm on `engine/alarm/…`. */
export interface HealthEvent {
  type: 'raised' | 'cleared';
  detector: string;
  site: string;
  fault: DetectorFault;
  /** When the evaluation saw the change, ms. */
  atMs: number;
  /** When the fault's evidence began, ms. */
  sinceMs: number;
  reason: string;
}

/**
 * Judges every detector of the map on the evidence (`observeReadings`, `observeDetectorEvents`):
 * - `missing`: no reading for `missingIntervals` of its interval while the site's others report
 *   (a whole site silent is the controller's problem, seen in its presence, not the detectors');
 * - `stuck-on`: occupancy ≥ `stuckOnOccupancy` through the latest `stuckOnDuration`, or a hi-res
 *   on without an off for as long;
 * - `stuck-off`: zero counts through the latest ≥ `stuckOffDuration` while the chance of that is
 *   below `stuckOffProbability`. The witnesses are the detectors on the same lane, else those on
 *   the link's other lanes; the chance is the least of (a) e^−λ, λ what the witnesses counted
 *   meanwhile (scaled by the priors when all have one; × `stuckOffShareFloor` for other lanes)
 *   and (b) by the detector's own share of the witnesses' flow in its healthy evidence before
 *   the silence, a vehicles to their B, with W theirs meanwhile: Π (B + i) / (B + W + i) over
 *   i = 1..a, the chance that none of its a vehicles fell in the silence (Fisher's exact test,
 *   so a share learned from few vehicles proves little). Without witnesses, e^−λ of the prior.
 *   Once raised it holds while the detector stays silent and its witnesses count;
 * - `chattering`: a bucket above `chatterFactor` × saturation flow, or `shortPulses` hi-res
 *   pulses too short for a vehicle within `shortPulseWindow`, in the last `chatterClear` (the
 *   buckets back from the newest to the first that ended before it);
 * - `gaps`: the site's gap rate above `gapRate`, until it falls to `gapClearRate`.
 * A fault keeps its first `sinceMs` while it lasts; raised and cleared faults become events.
 *
 * @example
 * const { state, health, events } = evaluateHealth(healthState, map, { nowMs, gapRates, priorFlows });
 * health['weilai-eb-stopline-1'] // => { status: 'stuck-on', sinceMs: …, reason: 'occupancy ≥ 0.95 for 660 s …', … }
 * events // => [{ type: 'raised', detector: 'weilai-eb-stopline-1', fault: 'stuck-on', … }]
 */
export function evaluateHealth(
  state: HealthState,
  map: DetectorMap,
  { nowMs, gapRates = {}, priorFlows = {} }: HealthInputs,
  options: HealthOptions = {},
): { state: HealthState; health: Record<string, DetectorHealth>; events: HealthEvent[] } {
  const settings = settingsOf(options);
  const neighbours = neighbourhoodsOf(map);
  // Built afresh rather than copied: a copy of a record of every detector costs more than this.
  const detectors: Record<string, DetectorTrack> = {};
  for (const id in state.detectors) {
    if (map.detectors[id] === undefined) detectors[id] = state.detectors[id]!;
  }
  const health: Record<string, DetectorHealth> = {};
  const events: HealthEvent[] = [];
  // A neighbour with a fault of its own (gaps aside: they lose entries, not vehicles) is no witness.
  const faulty = (id: string) =>
    Object.keys(state.detectors[id]?.faults ?? {}).some((fault) => fault !== 'gaps');
  const witness = (id: string) => evidenceOf(state, map.detectors[id]!);

  const oldestSpanMs = nowMs - settings.history * MS;
  let siteEvidence: { site: string; entry: SiteEvidence | undefined } | undefined;
  // Site by site: a site's evidence is looked up once for its detectors.
  for (const detector of detectorsBySite(map)) {
    if (siteEvidence === undefined || siteEvidence.site !== detector.site) {
      siteEvidence = { site: detector.site, entry: siteEntry(state.sites, detector.site) };
    }
    const known = state.detectors[detector.id];
    const before = known ?? emptyTrack();
    const evidence = siteEvidence.entry?.detectors[detector.id] ?? emptyEvidence();
    const seen = siteEvidence.entry?.seen;
    const found: Partial<Record<DetectorFault, ActiveFault>> = {
      missing: missing(detector, evidence, seen, settings),
      'stuck-on': stuckOn(evidence, nowMs, settings),
      'stuck-off': stuckOff(
        detector,
        evidence,
        known,
        witness,
        neighbours,
        faulty,
        priorFlows,
        settings,
      ),
      chattering: chattering(detector, evidence, nowMs, settings),
      gaps: gaps(detector.site, before, gapRates, nowMs, settings),
    };
    const faults: Partial<Record<DetectorFault, ActiveFault>> = {};
    let spans =
      before.spans.length === 0
        ? before.spans
        : before.spans.filter((span) => span.toMs > oldestSpanMs);
    let clean = true;
    for (const fault of FAULT_SEVERITY) {
      const now = found[fault];
      const was = before.faults[fault];
      if (now) {
        clean = false;
        faults[fault] = was ? { ...now, sinceMs: was.sinceMs } : now;
        if (!was) events.push(event('raised', detector, fault, nowMs, now));
      } else if (was) {
        spans = [...spans, { fault, fromMs: was.sinceMs, toMs: nowMs }];
        events.push(
          event('cleared', detector, fault, nowMs, { ...was, reason: `cleared: ${was.reason}` }),
        );
      }
    }
    const hadFaults = hasAny(before.faults);
    const okSinceMs = clean
      ? hadFaults || before.okSinceMs === undefined
        ? nowMs
        : before.okSinceMs
      : before.okSinceMs;
    // A detector fine before and now keeps its track and its report: most do, at every tick.
    if (
      known !== undefined &&
      clean &&
      !hadFaults &&
      spans === before.spans &&
      okSinceMs === before.okSinceMs
    ) {
      detectors[detector.id] = known;
      health[detector.id] = fineReport(detector, known, okSinceMs ?? nowMs);
      continue;
    }
    detectors[detector.id] = {
      ...before,
      faults,
      spans,
      ...(okSinceMs !== undefined ? { okSinceMs } : {}),
    };
    health[detector.id] = report(detector, faults, okSinceMs ?? nowMs);
  }
  return { state: { ...state, detectors }, health, events };
}

/**
 * The periods whose data must not drive an estimate, per detector: faults cleared within the
 * history and active ones (to Infinity). `gaps` is left out: a gappy feed loses whole entries,
 * not vehicles within them, and flows are counts over the seconds covered, so what arrives is sound.
 *
 * @example
 * faultSpans(health)['weilai-eb-stopline-1'] // => [{ fault: 'stuck-on', fromMs: …, toMs: Infinity }]
 */
export function faultSpans(state: HealthState): Record<string, FaultSpan[]> {
  const spans: Record<string, FaultSpan[]> = {};
  for (const id in state.detectors) {
    const track = state.detectors[id]!;
    if (track.spans.length === 0 && !hasAny(track.faults)) continue;
    const active = Object.entries(track.faults).map(([fault, { sinceMs }]) => ({
      fault: fault as DetectorFault,
      fromMs: sinceMs,
      toMs: Infinity,
    }));
    const unusable = [...track.spans, ...active].filter((span) => span.fault !== 'gaps');
    if (unusable.length > 0) spans[id] = unusable;
  }
  return spans;
}

type Settings = Required<HealthOptions>;

function settingsOf(options: HealthOptions): Settings {
  const settings: Settings = {
    stuckOnOccupancy: 0.95,
    stuckOnDuration: 600,
    stuckOffDuration: 600,
    stuckOffProbability: 0.001,
    stuckOffShareFloor: 0.1,
    chatterFactor: 1.5,
    shortPulses: 5,
    shortPulseWindow: 60,
    chatterClear: 900,
    missingIntervals: 3,
    gapRate: 0.1,
    gapClearRate: 0.05,
    history: 3600,
    bucket: 60,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  };
  const positive = Object.entries(settings).filter(
    ([name, value]) => !(value > 0) && !(name === 'gapClearRate' && value === 0),
  );
  if (
    positive.length > 0 ||
    settings.stuckOffProbability >= 1 ||
    settings.stuckOffShareFloor > 1 ||
    settings.gapClearRate > settings.gapRate
  ) {
    throw new IngestError(
      'BAD_OPTION',
      `evaluateHealth: ${positive.map(([name]) => name).join(', ') || 'options'} must be positive, stuckOffProbability below 1, stuckOffShareFloor at most 1 and gapClearRate ≤ gapRate`,
    );
  }
  return settings;
}

function missing(
  detector: MappedDetector,
  track: DetectorEvidence,
  site: SiteSeen | undefined,
  { missingIntervals }: Settings,
): ActiveFault | undefined {
  if (!site) return undefined;
  const interval = track.interval ?? site.interval;
  const lastMs = track.lastEndMs ?? site.firstMs;
  if (site.lastMs - lastMs < missingIntervals * interval * MS) return undefined;
  return {
    sinceMs: lastMs,
    reason:
      track.lastEndMs === undefined
        ? `never reported while site ${detector.site} reported until ${iso(site.lastMs)}`
        : `no reading since ${iso(lastMs)} while site ${detector.site} reported until ${iso(site.lastMs)}`,
  };
}

function stuckOn(
  track: DetectorEvidence,
  nowMs: number,
  { stuckOnOccupancy, stuckOnDuration }: Settings,
): ActiveFault | undefined {
  if (track.onSinceMs !== undefined && nowMs - track.onSinceMs >= stuckOnDuration * MS) {
    return {
      sinceMs: track.onSinceMs,
      reason: `on without an off since ${iso(track.onSinceMs)} (${Math.round((nowMs - track.onSinceMs) / MS)} s; hi-res 82 without 81)`,
    };
  }
  const run = latestRun(track.buckets, (bucket) => occupancy(bucket) >= stuckOnOccupancy);
  if (!run || run.spanMs < stuckOnDuration * MS) return undefined;
  return {
    sinceMs: run.fromMs,
    reason: `occupancy ≥ ${stuckOnOccupancy} for ${Math.round(run.spanMs / MS)} s, longer than any red`,
  };
}

function stuckOff(
  detector: MappedDetector,
  track: DetectorEvidence,
  own: DetectorTrack | undefined,
  witness: (id: string) => DetectorEvidence | undefined,
  neighbours: Neighbourhoods,
  faulty: (id: string) => boolean,
  priorFlows: Readonly<Record<string, number>>,
  { stuckOffDuration, stuckOffProbability, stuckOffShareFloor, stuckOnOccupancy }: Settings,
): ActiveFault | undefined {
  // A detector held on counts nothing too: that is stuck-on's to judge, not stuck-off's.
  const run = latestRun(
    track.buckets,
    (bucket) => bucket.count === 0 && occupancy(bucket) < stuckOnOccupancy,
  );
  if (!run || run.covered < stuckOffDuration) return undefined;
  const observed = (ids: readonly string[]) =>
    ids
      .filter((id) => id !== detector.id && !faulty(id))
      .map((id) => ({
        id,
        ...totalsWithin(witness(id), run.fromMs, run.toMs),
      }))
      .filter((entry) => entry.covered > 0);
  const sameLane = observed(neighbours.byLane.get(detector.id) ?? []);
  const witnesses =
    sameLane.length > 0 ? sameLane : observed(neighbours.byLink.get(detector.id) ?? []);
  const prior = priorFlows[detector.id];
  if (witnesses.length === 0) {
    if (prior === undefined) return undefined;
    return silence(run, (prior / 3600) * run.covered, 'the prior flow', stuckOffProbability);
  }
  // Raised, it holds while the silence lasts (back to its start, or to the oldest evidence kept)
  // and the witnesses count: a share learned before the silence must not age out of the history.
  const raised = own?.faults['stuck-off'];
  if (
    raised &&
    sum(witnesses, 'count') > 0 &&
    run.fromMs <= Math.max(raised.sinceMs, track.buckets[0]!.firstMs) + MS
  ) {
    return raised;
  }
  const names = witnesses.map((entry) => entry.id).join(', ');
  // What the witnesses' flow alone promises: all of it on the same lane, the floor from others.
  const even =
    sameLane.length > 0
      ? onTheSameLane(witnesses, run, `detectors on the same lane (${names})`)
      : onTheOtherLanes(detector, witnesses, priorFlows, run, stuckOffShareFloor);
  const learned = ownShare(track, own, witnesses, witness, run, names);
  // The stronger evidence of the two speaks: the less likely the silence, the stronger.
  const { expected, source, probability } =
    learned && learned.probability < even.probability ? learned : even;
  return silence(run, expected, source, stuckOffProbability, probability);
}

/** Vehicles expected in a silence, where from, and the chance of none on a working detector. */
interface Expectation {
  expected: number;
  source: string;
  probability: number;
}

/** The fault for a silence when its chance (e^−expected unless given) is below the limit. */
function silence(
  run: Run,
  expected: number,
  source: string,
  limit: number,
  probability = Math.exp(-expected),
): ActiveFault | undefined {
  if (probability >= limit) return undefined;
  return {
    sinceMs: run.fromMs,
    reason: `no vehicle in ${Math.round(run.covered)} s where ${expected.toFixed(1)} were expected from ${source} (P(0) = ${probability.toExponential(1)})`,
  };
}

/** The witnesses' own rate: detectors on the same lane see the same vehicles. */
function onTheSameLane(
  witnesses: readonly { count: number; covered: number }[],
  run: Run,
  source: string,
): Expectation {
  const expected = (sum(witnesses, 'count') / sum(witnesses, 'covered')) * run.covered;
  return { expected, source, probability: Math.exp(-expected) };
}

/**
 * The other lanes' rate, scaled by the priors when all have one, times the share floor: the
 * lanes of a link are not used alike, so only a floor of that is sure to come.
 */
function onTheOtherLanes(
  detector: MappedDetector,
  witnesses: readonly { id: string; count: number; covered: number }[],
  priorFlows: Readonly<Record<string, number>>,
  run: Run,
  floor: number,
): Expectation {
  const prior = priorFlows[detector.id];
  const priors = witnesses.map((entry) => priorFlows[entry.id]);
  const scaled = prior !== undefined && priors.every((flow) => flow !== undefined && flow > 0);
  const expectedThere = scaled
    ? witnesses.reduce((total, entry, index) => total + (priors[index]! / 3600) * entry.covered, 0)
    : 0;
  const rate =
    scaled && expectedThere > 0
      ? (prior / 3600) * (sum(witnesses, 'count') / expectedThere)
      : sum(witnesses, 'count') / sum(witnesses, 'covered');
  const expected = floor * rate * run.covered;
  return {
    expected,
    source: `${floor === 1 ? '' : `${floor} × `}the other lanes of ${detector.link}${scaled ? ', scaled by the prior flows' : ''}`,
    probability: Math.exp(-expected),
  };
}

/**
 * The detector's own share of its witnesses' flow, learned from its healthy evidence before the
 * silence: its a vehicles there, and B and W, what the witnesses' mean rate gives over the same
 * seconds and over the silence (a mean, not a sum: an advance and a stop-line detector on one
 * lane count the same vehicles). If its share held, the silence is the 2 × 2 table [a, 0; B, W]
 * with all margins fixed, whose chance is Π (B + i) / (B + W + i) over i = 1..a (Fisher's exact
 * test): the noise of the share learned is in it, so few vehicles before prove little. a W / B
 * are expected. Undefined without such evidence or without a vehicle in it.
 *
 * @example
 * // 150 vehicles to their 180 before, 60 of theirs since: 50 expected, P(0) = 8.4e-15.
 */
function ownShare(
  track: DetectorEvidence,
  own: DetectorTrack | undefined,
  witnesses: readonly { id: string; count: number; covered: number }[],
  witness: (id: string) => DetectorEvidence | undefined,
  run: Run,
  names: string,
): Expectation | undefined {
  const healthy = healthyBefore(track, own, run.fromMs);
  if (!healthy) return undefined;
  const mine = totalsWithin(track, healthy.fromMs, healthy.toMs);
  const theirs = witnesses.map((entry) =>
    totalsWithin(witness(entry.id), healthy.fromMs, healthy.toMs),
  );
  if (mine.count === 0 || sum(theirs, 'covered') === 0) return undefined;
  const before = (sum(theirs, 'count') / sum(theirs, 'covered')) * mine.covered;
  if (before === 0) return undefined;
  const during = (sum(witnesses, 'count') / sum(witnesses, 'covered')) * run.covered;
  let probability = 1;
  for (let vehicle = 1; vehicle <= mine.count && probability > 0; vehicle++) {
    probability *= (before + vehicle) / (before + during + vehicle);
  }
  return {
    expected: (mine.count * during) / before,
    source: `its own share of ${names} (${mine.count} to their ${before.toFixed(1)} in the ${Math.round(mine.covered)} s before)`,
    probability,
  };
}

/**
 * The latest stretch of a detector's evidence before `untilMs` free of its faults (gaps aside:
 * they lose entries, not vehicles): back past any fault that reaches its end, then from the end
 * of the last fault before (or its oldest bucket). Undefined when there is none.
 */
function healthyBefore(
  track: DetectorEvidence,
  own: DetectorTrack | undefined,
  untilMs: number,
): { fromMs: number; toMs: number } | undefined {
  const active = Object.entries(own?.faults ?? {}).map(([fault, { sinceMs }]) => ({
    fault,
    fromMs: sinceMs,
    toMs: Infinity,
  }));
  const spans = [...(own?.spans ?? []), ...active].filter((span) => span.fault !== 'gaps');
  let toMs = untilMs;
  for (let moved = true; moved;) {
    moved = false;
    for (const span of spans) {
      if (span.fromMs < toMs && span.toMs >= toMs) [toMs, moved] = [span.fromMs, true];
    }
  }
  let fromMs = track.buckets[0]?.firstMs ?? toMs;
  for (const span of spans) if (span.toMs < toMs) fromMs = Math.max(fromMs, span.toMs);
  return fromMs < toMs ? { fromMs, toMs } : undefined;
}

function chattering(
  detector: MappedDetector,
  track: DetectorEvidence,
  nowMs: number,
  { chatterFactor, chatterClear, shortPulses, shortPulseWindow, bucket }: Settings,
): ActiveFault | undefined {
  const sinceMs = nowMs - chatterClear * MS;
  // Vehicles per second of coverage no lane can carry.
  const limit = (chatterFactor * detector.saturationFlow) / 3600;
  // The oldest excess within the window: scanned from the newest bucket back to the first that
  // ended before the window, so a tick reads the window's buckets, not the whole history.
  let excess: HealthBucket | undefined;
  // No bucket can be over capacity while the highest count is not over one bucket's capacity.
  const possible = track.peakCount === undefined || track.peakCount > limit * bucket;
  for (let index = possible ? track.buckets.length - 1 : -1; index >= 0; index--) {
    const entry = track.buckets[index]!;
    if (entry.lastMs <= sinceMs) break;
    // Capacity over at least one bucket: a few seconds of data must not make a one-car alarm.
    if (entry.count > limit * Math.max(entry.covered, bucket)) excess = entry;
  }
  const pulses =
    track.shortPulsesMs.length === 0
      ? track.shortPulsesMs
      : track.shortPulsesMs.filter((atMs) => atMs > sinceMs);
  let burstMs: number | undefined;
  for (let last = shortPulses - 1, first = 0; last < pulses.length; last++) {
    while (pulses[last]! - pulses[first]! > shortPulseWindow * MS) first++;
    if (last - first + 1 >= shortPulses) {
      burstMs = pulses[first]!;
      break;
    }
  }
  if (excess && (burstMs === undefined || excess.firstMs <= burstMs)) {
    return {
      sinceMs: excess.firstMs,
      reason: `${excess.count} vehicles in ${Math.round(excess.covered)} s, over ${chatterFactor} × the lane's ${detector.saturationFlow} veh/h`,
    };
  }
  if (burstMs !== undefined) {
    return {
      sinceMs: burstMs,
      reason: `${shortPulses} or more on-times within ${shortPulseWindow} s too short for any vehicle`,
    };
  }
  return undefined;
}

function gaps(
  site: string,
  track: DetectorTrack,
  gapRates: Readonly<Record<string, number>>,
  nowMs: number,
  { gapRate, gapClearRate }: Settings,
): ActiveFault | undefined {
  const rate = gapRates[site];
  if (rate === undefined) return undefined;
  const limit = track.faults.gaps ? gapClearRate : gapRate;
  if (!(rate > limit)) return undefined;
  return {
    sinceMs: track.faults.gaps?.sinceMs ?? nowMs,
    reason: `${(rate * 100).toFixed(1)}% of site ${site}'s det.volume entries missing (limit ${(gapRate * 100).toFixed(0)}%)`,
  };
}

interface Run {
  fromMs: number;
  toMs: number;
  spanMs: number;
  /** Seconds of data in the run. */
  covered: number;
}

/** The run of contiguous buckets meeting `test` that ends with the newest bucket. */
function latestRun(
  buckets: readonly HealthBucket[],
  test: (bucket: HealthBucket) => boolean,
): Run | undefined {
  let index = buckets.length - 1;
  if (index < 0 || !test(buckets[index]!)) return undefined;
  const toMs = buckets[index]!.lastMs;
  let fromMs = buckets[index]!.firstMs;
  let covered = buckets[index]!.covered;
  // Contiguous: a reading ends where the next begins; one second of slack for clock rounding.
  while (index > 0 && test(buckets[index - 1]!) && buckets[index - 1]!.lastMs >= fromMs - MS) {
    index--;
    fromMs = Math.min(fromMs, buckets[index]!.firstMs);
    covered += buckets[index]!.covered;
  }
  return { fromMs, toMs, spanMs: toMs - fromMs, covered };
}

function totalsWithin(
  track: DetectorEvidence | undefined,
  fromMs: number,
  toMs: number,
): { count: number; covered: number } {
  let count = 0;
  let covered = 0;
  for (const bucket of track?.buckets ?? []) {
    if (bucket.lastMs <= fromMs || bucket.firstMs >= toMs) continue;
    count += bucket.count;
    covered += bucket.covered;
  }
  return { count, covered };
}

interface Neighbourhoods {
  byLane: Map<string, string[]>;
  byLink: Map<string, string[]>;
}

/** The detectors of a map grouped by site (the map's own order), computed once per map. */
const bySiteCache = new WeakMap<DetectorMap, MappedDetector[]>();

function detectorsBySite(map: DetectorMap): MappedDetector[] {
  let found = bySiteCache.get(map);
  if (!found) {
    const listed = new Set(
      Object.values(map.sites).flatMap((ids) => ids.map((id) => map.detectors[id]!)),
    );
    for (const detector of Object.values(map.detectors)) listed.add(detector);
    found = [...listed];
    bySiteCache.set(map, found);
  }
  return found;
}

/** The neighbourhoods of a map, computed once per map: every evaluation asks for them. */
const neighbourhoodCache = new WeakMap<DetectorMap, Neighbourhoods>();

function neighbourhoodsOf(map: DetectorMap): Neighbourhoods {
  let found = neighbourhoodCache.get(map);
  if (!found) {
    found = neighbourhoods(map);
    neighbourhoodCache.set(map, found);
  }
  return found;
}

/** For each detector, the others on its lane, and those on its link's other lanes. */
function neighbourhoods(map: DetectorMap): Neighbourhoods {
  const onLink = new Map<string, string[]>();
  for (const detector of Object.values(map.detectors)) {
    const ids = onLink.get(detector.link);
    if (ids) ids.push(detector.id);
    else onLink.set(detector.link, [detector.id]);
  }
  const byLane = new Map<string, string[]>();
  const byLink = new Map<string, string[]>();
  for (const detector of Object.values(map.detectors)) {
    const link = onLink.get(detector.link)!;
    byLane.set(
      detector.id,
      link.filter((id) => map.detectors[id]!.lane === detector.lane),
    );
    byLink.set(
      detector.id,
      link.filter((id) => map.detectors[id]!.lane !== detector.lane),
    );
  }
  return { byLane, byLink };
}

/** Reports of tracks without faults, by track: such a track is kept from tick to tick, and so is its report. */
const fineReports = new WeakMap<DetectorTrack, DetectorHealth>();

function fineReport(detector: MappedDetector, track: DetectorTrack, okSinceMs: number) {
  let found = fineReports.get(track);
  if (found === undefined || found.sinceMs !== okSinceMs || found.detector !== detector.id) {
    found = report(detector, {}, okSinceMs);
    fineReports.set(track, found);
  }
  return found;
}

/** Whether a record has any own key (without listing them). */
function hasAny(record: object): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

function report(
  detector: MappedDetector,
  faults: Partial<Record<DetectorFault, ActiveFault>>,
  okSinceMs: number,
): DetectorHealth {
  const list = FAULT_SEVERITY.filter((fault) => faults[fault]).map((fault) => ({
    fault,
    ...faults[fault]!,
  }));
  const worst = list[0];
  return {
    detector: detector.id,
    site: detector.site,
    status: worst?.fault ?? 'ok',
    sinceMs: worst?.sinceMs ?? okSinceMs,
    reason: worst?.reason ?? 'no fault found',
    faults: list,
  };
}

function event(
  type: HealthEvent['type'],
  detector: MappedDetector,
  fault: DetectorFault,
  atMs: number,
  { sinceMs, reason }: ActiveFault,
): HealthEvent {
  return { type, detector: detector.id, site: detector.site, fault, atMs, sinceMs, reason };
}

const occupancy = (bucket: HealthBucket) =>
  bucket.covered > 0 ? bucket.occupied / bucket.covered : 0;

const sum = <K extends string>(entries: readonly Record<K, number>[], key: K) =>
  entries.reduce((total, entry) => total + entry[key], 0);

const iso = (ms: number) => new Date(ms).toISOString();
