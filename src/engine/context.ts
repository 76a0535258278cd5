// The engine's settings (every option with its default and why) and the read-only context its steps share.
import type { RetryPolicy } from '../controllers/command-delivery.ts';
import type { PlanChangeLimits } from '../controllers/plan-transition.ts';
import type { AggregationOptions } from '../ingest/aggregate.ts';
import { detectorMap, type DetectorMap } from '../ingest/detector-map.ts';
import type { IngestOptions } from '../ingest/pipeline.ts';
import type { RoadNetwork, Signal } from '../network/types.ts';
import type { NetworkTimingOptions } from '../optimize/network-timing.ts';
import type { Actuation } from '../timing/types.ts';
import { isPassage, type ValidatePlanOptions } from '../timing/validate.ts';
import { EngineError } from './errors.ts';
import type { TimeOfDayPrior } from './prior.ts';

export interface EngineOptions {
  /** This instance's id: part of every command's correlation id; default `engine`. */
  engineId?: string;
  /** Seconds between adaptive cycles; default 300 (5 min: several cycles of data, a few steps an hour). */
  period?: number;
  /** Seconds after `start` before the first cycle, so retained plans and presence arrive first; default 10. */
  firstCycleDelay?: number;
  /** Run cycles on the clock; default true. `false`: only `runAdaptiveCycle` (tests, offline drivers). */
  adaptive?: boolean;
  /** Seconds between ingest ticks (intervals closed, health judged, rows stored); default 60. */
  ingestTick?: number;
  /**
   * Seconds between saves of the ingest state (sequences, open intervals, detector verdicts,
   * recent aggregates: about 1 MB of JSON for 800 detectors); default 900. It is also saved when a
   * detector fault is raised or cleared, and at stop. A crash loses the readings taken since the
   * last save (at most this long) from the intervals still open; intervals already stored are
   * never closed again, and the entries forgotten are not counted as gaps of the feeds.
   */
  ingestSave?: number;
  /**
   * Seconds between saves of the detector-health evidence, the bulk of the ingest state (an hour
   * of minute buckets per detector, 5.4 MB of JSON for 800 detectors); default 3600, the evidence
   * history: a copy that old holds nothing the checks still read. A stop saves it whole; a crash
   * loses what came since the last save, and since stuck-on and stuck-off runs must be contiguous,
   * any gap restarts them whatever the age of the copy.
   */
  evidenceSave?: number;
  /** Seconds of recent detector data the demand is estimated from; default 900 (HCM's design interval). */
  window?: number;
  /** Aggregation lengths and grace; default 300 and 900 s, 120 s grace. */
  aggregation?: AggregationOptions;
  /** The aggregation length demand is estimated from, s; default the shortest of `aggregation`. */
  estimationInterval?: number;
  ingest?: IngestOptions;
  /** The time-of-day schedule and flows: the fallback plans and the prior of the estimate. */
  prior?: TimeOfDayPrior;
  fallback?: {
    /** Below this share of a group's movements measured, the group runs the schedule; default 0.7. */
    minCoverage?: number;
    /** Above this share of a group's detectors faulty, the group runs the schedule; default 0.2. */
    maxFaultyShare?: number;
  };
  /** How far one step may move a plan (`limitPlanChange`); default 10 % of cycle and of offset. */
  limits?: Omit<PlanChangeLimits, 'signal' | 'validation'>;
  /** A new target within this many seconds of the running plan (cycle, offset, every green) is not sent; default 2. */
  minChange?: number;
  /** Seconds between transition steps while a site has not reached its target; default 180 (two 90-s cycles). */
  transitionStep?: number;
  /** Options of `optimizeNetwork` (cycle range, offsets, groups). */
  optimize?: NetworkTimingOptions;
  /**
   * The proof in simulation before plans are sent (`proveCandidates`): the optimizer's plans, the
   * same demand with the cycle held to each of `cycleFactors` of the optimizer's longest, every
   * signal timed alone, the schedule's plans and the plans the sites run now, each simulated on
   * the estimated demand; the least delay wins unless the current plans come within `margin` of it
   * (a change costs a transition). Default on: factors 0.9 and 0.8, margin 0 (on Jinshui Road a
   * margin of 0.05 held the morning's growing queues on stale plans), 600 s warm-up (queues as
   * long as a peak's build before scoring; 300 s ranked worse on Jinshui Road near capacity),
   * 900 s horizon (about 1 s per cycle on the 9-signal demo corridor). `false` sends the
   * optimizer's plans unproven.
   */
  proof?: Partial<ProofSettings> | false;
  /**
   * How the controllers run the plans sent to them: coordinated-actuated with this passage time
   * (`TimingPlan.actuated`: stages gap out and are skipped, the time saved goes to the coordinated
   * stage, cycle and offset hold), or `false` (default) for fixed time. Every plan the engine
   * sends, adaptive or fallback, and every plan the proof simulates, runs so.
   */
  actuation?: Actuation | false;
  /** Command expiry, s; default 60. */
  expirySeconds?: number;
  retry?: Partial<RetryPolicy>;
  validation?: ValidatePlanOptions;
  /** `input.rejected` alarms per site within `window` seconds before the rest are only counted; default 10 per 60 s. */
  rejectionAlarms?: { limit?: number; window?: number };
  /** Decisions kept (and shown over HTTP); default 200. */
  decisionLog?: number;
  /** Alarms kept (and shown over HTTP); default 200. */
  alarmLog?: number;
}

/** The proof in simulation's settings (see `EngineOptions.proof`). */
export interface ProofSettings {
  cycleFactors: number[];
  /** Share of the current plans' delay a candidate must save to replace them. */
  margin: number;
  warmup: number;
  horizon: number;
}

/** The options with every default filled in. */
export type EngineSettings = Required<
  Omit<
    EngineOptions,
    'prior' | 'retry' | 'validation' | 'fallback' | 'rejectionAlarms' | 'proof' | 'actuation'
  >
> & {
  proof: ProofSettings | false;
  actuation: Actuation | false;
  retry: Partial<RetryPolicy>;
  validation: ValidatePlanOptions | undefined;
  fallback: { minCoverage: number; maxFaultyShare: number };
  rejectionAlarms: { limit: number; window: number };
};

/** What every step of the engine reads and never changes. */
export interface EngineContext {
  network: RoadNetwork;
  map: DetectorMap;
  signals: Readonly<Record<string, Signal>>;
  zone: string;
  settings: EngineSettings;
  prior: TimeOfDayPrior | undefined;
}

const positive = (value: number) => Number.isFinite(value) && value > 0;

/**
 * The settings from the options, checked.
 *
 * @throws {EngineError} `BAD_OPTION` naming the option and a good value.
 * @example
 * engineSettings({ period: 60 }).period; // => 60
 */
export function engineSettings(options: EngineOptions = {}): EngineSettings {
  const aggregation = {
    intervals: options.aggregation?.intervals ?? [300, 900],
    grace: options.aggregation?.grace ?? 120,
  };
  const settings: EngineSettings = {
    engineId: options.engineId ?? 'engine',
    period: options.period ?? 300,
    firstCycleDelay: options.firstCycleDelay ?? 10,
    adaptive: options.adaptive ?? true,
    ingestTick: options.ingestTick ?? 60,
    ingestSave: options.ingestSave ?? 900,
    evidenceSave: options.evidenceSave ?? 3600,
    window: options.window ?? 900,
    aggregation,
    estimationInterval: options.estimationInterval ?? Math.min(...aggregation.intervals),
    ingest: options.ingest ?? {},
    fallback: {
      minCoverage: options.fallback?.minCoverage ?? 0.7,
      maxFaultyShare: options.fallback?.maxFaultyShare ?? 0.2,
    },
    limits: options.limits ?? {},
    minChange: options.minChange ?? 2,
    transitionStep: options.transitionStep ?? 180,
    optimize: options.optimize ?? {},
    proof:
      options.proof === false
        ? false
        : {
            cycleFactors: options.proof?.cycleFactors ?? [0.9, 0.8],
            margin: options.proof?.margin ?? 0,
            warmup: options.proof?.warmup ?? 600,
            horizon: options.proof?.horizon ?? 900,
          },
    actuation: options.actuation ?? false,
    expirySeconds: options.expirySeconds ?? 60,
    retry: options.retry ?? {},
    validation: options.validation,
    rejectionAlarms: {
      limit: options.rejectionAlarms?.limit ?? 10,
      window: options.rejectionAlarms?.window ?? 60,
    },
    decisionLog: options.decisionLog ?? 200,
    alarmLog: options.alarmLog ?? 200,
  };
  const checks: [string, boolean, string][] = [
    ['period', positive(settings.period), '300'],
    ['firstCycleDelay', settings.firstCycleDelay >= 0, '10'],
    ['ingestTick', positive(settings.ingestTick), '60'],
    ['ingestSave', positive(settings.ingestSave), '900'],
    ['evidenceSave', positive(settings.evidenceSave), '3600'],
    ['window', positive(settings.window), '900'],
    ['minChange', settings.minChange >= 0, '2'],
    ['transitionStep', positive(settings.transitionStep), '180'],
    ['expirySeconds', positive(settings.expirySeconds), '60'],
    [
      'estimationInterval',
      aggregation.intervals.includes(settings.estimationInterval),
      `one of aggregation.intervals (${aggregation.intervals.join(', ')})`,
    ],
    [
      'fallback.minCoverage',
      settings.fallback.minCoverage >= 0 && settings.fallback.minCoverage <= 1,
      '0.7',
    ],
    [
      'fallback.maxFaultyShare',
      settings.fallback.maxFaultyShare >= 0 && settings.fallback.maxFaultyShare <= 1,
      '0.2',
    ],
    ['rejectionAlarms.limit', settings.rejectionAlarms.limit >= 0, '10'],
    ['rejectionAlarms.window', positive(settings.rejectionAlarms.window), '60'],
    [
      'proof',
      settings.proof === false ||
        (settings.proof.cycleFactors.every((factor) => factor > 0 && factor < 1) &&
          settings.proof.margin >= 0 &&
          settings.proof.margin < 1 &&
          settings.proof.warmup >= 0 &&
          positive(settings.proof.horizon)),
      '{ cycleFactors: [0.9, 0.8], margin: 0, warmup: 600, horizon: 900 } or false',
    ],
    [
      'actuation',
      settings.actuation === false || isPassage(settings.actuation.passage),
      '{ passage: 2 } or false',
    ],
    ['decisionLog', Number.isInteger(settings.decisionLog) && settings.decisionLog > 0, '200'],
    ['alarmLog', Number.isInteger(settings.alarmLog) && settings.alarmLog > 0, '200'],
    ['engineId', /^[^/+#\s:]{1,32}$/.test(settings.engineId), '"engine"'],
  ];
  for (const [name, good, example] of checks) {
    if (!good) {
      throw new EngineError(
        'BAD_OPTION',
        `Engine: option ${name} is ${JSON.stringify(name.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown>)?.[key], settings))}; give e.g. ${example}`,
      );
    }
  }
  return settings;
}

/**
 * The context of an engine on `network` in `zone`.
 *
 * @throws {EngineError} `BAD_OPTION` for a zone that cannot sit in a topic.
 */
export function engineContext(
  network: RoadNetwork,
  zone: string,
  settings: EngineSettings,
  prior: TimeOfDayPrior | undefined,
): EngineContext {
  if (!/^[^/+#\s]{1,64}$/.test(zone)) {
    throw new EngineError(
      'BAD_OPTION',
      `Engine: zone ${JSON.stringify(zone)} must be 1–64 characters without '/', '+', '#' or spaces`,
    );
  }
  return {
    network,
    map: detectorMap(network),
    signals: network.getAttribute('signals'),
    zone,
    settings,
    prior,
  };
}
