// The engine: MQTT in, ingest, store, plan deployment and the adaptive loop, on an injected clock.
// Every step is a pure function of the state; this class only runs them and carries out their effects.
import { nextDeadline, tick } from '../controllers/deployment.ts';
import { isoTime, type ControllerAction } from '../controllers/actions.ts';
import { alarmTopic } from '../controllers/topics.ts';
import { closeStoredIntervals, openSince } from '../ingest/aggregate.ts';
import type { Link, MessageMeta } from '../mqtt/link.ts';
import type { RoadNetwork } from '../network/types.ts';
import type { Store } from '../store/types.ts';
import type { TimingPlan } from '../timing/types.ts';
import { adaptiveCycle, transitionDue, transitionStep, type CycleResult } from './adaptive.ts';
import { systemClock, type Clock } from './clock.ts';
import {
  engineContext,
  engineSettings,
  type EngineContext,
  type EngineOptions,
} from './context.ts';
import { dispatchMessage } from './dispatch.ts';
import {
  alarmPayload,
  INPUT_REJECTED,
  type EngineAlarm,
  type EngineEffect,
  type StoreEffect,
} from './effects.ts';
import { EngineError } from './errors.ts';
import { engineIngestTick } from './ingest-tick.ts';
import { silentLogger, type EngineLogger } from './logger.ts';
import { createEngineMetrics, type EngineMetrics } from './engine-metrics.ts';
import { operatorDeploy } from './plan-step.ts';
import {
  bounded,
  createEngineState,
  restoreState,
  savedState,
  STATE_KEYS,
  type Decision,
  type EngineState,
  type SavedState,
} from './state.ts';
import { engineViews, type EngineViews } from './views.ts';

export interface EngineDependencies {
  network: RoadNetwork;
  /** A connected link with the engine's account (MQTT, or a `MemoryBus` link). */
  link: Link;
  store: Store;
  zone: string;
  clock?: Clock;
  logger?: EngineLogger;
  options?: EngineOptions;
}

/** Running totals an offline driver waits on (see `Engine.until`). */
export interface EngineCounters {
  /** Messages the link delivered. */
  received: number;
  /** Messages handled (perhaps with parts refused). */
  handled: number;
  /** Messages refused whole. */
  rejected: number;
  /** Messages on the engine's own topics, skipped. */
  ignored: number;
  /** Publishes started (commands, alarms). */
  published: number;
  /** Adaptive cycles run. */
  cycles: number;
}

/** The filters the engine subscribes to in its zone. */
export const engineSubscriptions = (zone: string): string[] => [
  `tsc/${zone}/+/presence`,
  `tsc/${zone}/+/status/#`,
  `tsc/${zone}/+/result/#`,
];

/**
 * The live loop. Collaborators are injected; timers run only on `clock`. Messages are handled one
 * at a time, synchronously, as they arrive (a message that arrives while a step runs waits for
 * it); publishes and store writes are started in order and tracked, so `idle()` can wait for them.
 * No input stops it: a bad message becomes an `input.rejected` alarm, a failing publish or store
 * write a log line and a metric.
 *
 * @example
 * const engine = new Engine({ network, link, store, zone: 'zz', clock, logger });
 * await engine.start();
 * engine.runAdaptiveCycle(); // => [{ group: 'group-1', mode: 'time-of-day', reason: 'coverage 0 % < 70 %, …' }]
 * await engine.idle();
 * await engine.stop();
 */
export class Engine {
  readonly zone: string;
  readonly context: EngineContext;
  readonly views: EngineViews;
  readonly #link: Link;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #logger: EngineLogger;
  readonly #metrics: EngineMetrics;
  #state: EngineState;
  #phase: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  #busy = false;
  readonly #queue: (() => void)[] = [];
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #timers: Partial<Record<'deadline' | 'ingest' | 'cycle' | 'transition', () => void>> =
    {};
  #deadlineAt: number | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #rejections = new Map<string, { fromMs: number; count: number }>();
  readonly #waiters = new Set<{ test: () => boolean; resolve: () => void }>();
  /** Parts of the state changed since they were last saved. */
  #dirty = { ingest: false, evidence: false, plans: false };
  /** When the ingest state and the evidence were last saved, on the engine's clock. */
  #ingestSavedAt = 0;
  #evidenceSavedAt = 0;
  readonly counters: EngineCounters = {
    received: 0,
    handled: 0,
    rejected: 0,
    ignored: 0,
    published: 0,
    cycles: 0,
  };

  /** @throws {EngineError} `BAD_OPTION` for a bad option or zone. */
  constructor({
    network,
    link,
    store,
    zone,
    clock = systemClock,
    logger = silentLogger,
    options = {},
  }: EngineDependencies) {
    const settings = engineSettings(options);
    this.context = engineContext(network, zone, settings, options.prior);
    this.zone = zone;
    this.#link = link;
    this.#store = store;
    this.#clock = clock;
    this.#logger = logger;
    this.#state = createEngineState(settings.aggregation);
    this.#metrics = createEngineMetrics(() => this.#state);
    this.views = engineViews(() => this.#state, this.context, {
      metrics: () => this.#metrics.registry.render(),
      status: () => ({
        zone: this.zone,
        engineId: settings.engineId,
        phase: this.#phase,
        mqtt: { connected: this.#link.connected, protocolVersion: this.#link.protocolVersion },
        counters: { ...this.counters },
        now: new Date(this.#clock.now()).toISOString(),
      }),
    });
  }

  /** The engine's state (plain JSON); read-only for callers. */
  get state(): EngineState {
    return this.#state;
  }

  /**
   * Restores the saved state, subscribes to the zone's controller topics (retained presence and
   * plans arrive first) and starts the timers.
   *
   * @throws {EngineError} `ALREADY_STARTED`; link errors when a subscription is refused.
   */
  async start(): Promise<void> {
    if (this.#phase !== 'new') {
      throw new EngineError(
        'ALREADY_STARTED',
        'Engine.start: already started; create a new Engine to start again',
      );
    }
    this.#phase = 'starting';
    const saved: SavedState = {
      deployment: await this.#store.getState(STATE_KEYS.deployment),
      ingest: await this.#store.getState(STATE_KEYS.ingest),
      evidence: await this.#store.getState(STATE_KEYS.evidence),
      plans: await this.#store.getState(STATE_KEYS.plans),
    };
    this.#ingestSavedAt = this.#evidenceSavedAt = this.#clock.now();
    const restored = restoreState(this.#state, saved);
    this.#state = restored.state;
    for (const note of restored.notes) this.#logger.info({ zone: this.zone }, `engine: ${note}`);
    if (saved.ingest !== undefined) await this.#closeStoredIntervals();
    this.#unsubscribe = this.#link.onMessage((topic, payload, meta) =>
      this.#receive(topic, payload, meta),
    );
    for (const filter of engineSubscriptions(this.zone)) await this.#link.subscribe(filter, 1);
    this.#phase = 'running';
    const { settings } = this.context;
    this.#every('ingest', settings.ingestTick, () => this.#ingestTick());
    if (settings.adaptive) {
      this.#timers.cycle = this.#clock.setTimer(settings.firstCycleDelay * 1000, () =>
        this.#cycleTimer(),
      );
    }
    this.#run(() => {
      this.#armDeadline();
      this.#armTransition();
    });
    this.#logger.info(
      {
        zone: this.zone,
        sites: Object.keys(this.context.signals).length,
        detectors: Object.keys(this.context.map.detectors).length,
        protocolVersion: this.#link.protocolVersion,
        period: settings.period,
        prior: this.context.prior ? this.context.prior.timeZone : 'none',
      },
      'engine: started',
    );
  }

  /**
   * Stops the timers and the message intake (unsubscribing), saves the state and waits for pending
   * publishes and writes. The link and the store stay open: their owner closes them.
   */
  async stop(): Promise<void> {
    if (this.#phase === 'stopped') return;
    // Before the saved state was read, saving would overwrite it with an empty one.
    const save = this.#phase === 'running';
    this.#phase = 'stopped';
    for (const cancel of Object.values(this.#timers)) cancel?.();
    this.#unsubscribe?.();
    if (this.#link.connected) {
      for (const filter of engineSubscriptions(this.zone)) {
        await this.#link.unsubscribe(filter).catch(() => {});
      }
    }
    if (save) {
      const { deployment } = savedState(this.#state);
      this.#track(this.#store.putState(STATE_KEYS.deployment, deployment), 'state');
      this.#saveIngest();
      this.#saveEvidence();
      this.#savePlans();
    }
    await this.idle();
    this.#logger.info({ zone: this.zone }, 'engine: stopped');
  }

  /** Resolves once nothing is queued and every publish and store write started has settled. */
  async idle(): Promise<void> {
    while (this.#inflight.size > 0 || this.#queue.length > 0) {
      await Promise.allSettled([...this.#inflight]);
    }
  }

  /**
   * Resolves when `test` holds, checked now and after every message and timer the engine handles:
   * e.g. `engine.until(() => engine.counters.received >= sent)` in an offline driver.
   */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add({ test, resolve }));
  }

  /**
   * Runs one adaptive cycle now (the API's and the tests' trigger); the periodic cycles keep their
   * rhythm. Returns its decisions.
   *
   * @throws {EngineError} `NOT_STARTED` before `start` or after `stop`.
   */
  runAdaptiveCycle(): Decision[] {
    this.#assertRunning('runAdaptiveCycle');
    return this.#call('runAdaptiveCycle', () => this.#cycle('manual'));
  }

  /**
   * Deploys an operator's plan to one site whole, and holds the site out of the adaptive loop for
   * `holdSeconds` (default 3600). `force` sends it even when it equals the running plan.
   *
   * @throws {EngineError} `UNKNOWN_SITE` for a site that is not a signal of the network.
   * @example
   * engine.deployPlan('JS-01', plan).outcome; // => 'sent'
   */
  deployPlan(
    site: string,
    plan: TimingPlan,
    { force = false, holdSeconds = 3600 }: { force?: boolean; holdSeconds?: number } = {},
  ): { outcome: string; version?: number; correlationId?: string; decision: Decision } {
    this.#assertRunning('deployPlan');
    if (this.context.signals[site] === undefined) {
      throw new EngineError(
        'UNKNOWN_SITE',
        `Engine.deployPlan: site ${site} is not a signal of the network; use one of ${Object.keys(this.context.signals).join(', ')}`,
      );
    }
    return this.#call('deployPlan', () => {
      const now = this.#clock.now();
      const before = this.#state;
      const step = operatorDeploy(before, this.context, site, plan, { now, holdSeconds, force });
      const pending = step.state.deployment.sites[site]?.pending;
      const decision: Decision = {
        id: `operator-${site}-${now}`,
        at: new Date(now).toISOString(),
        trigger: 'operator',
        group: site,
        sites: [site],
        mode: 'operator',
        reason:
          step.outcome === 'invalid'
            ? `operator's plan ${plan.id} is invalid for ${site}: not sent`
            : `operator's plan ${plan.id}, site held for ${holdSeconds} s`,
        cycleLength: plan.cycleLength,
        outcomes: { [site]: step.outcome },
      };
      const state = {
        ...step.state,
        decisions: bounded(step.state.decisions, [decision], this.context.settings.decisionLog),
      };
      this.#commit(before, { state, effects: step.effects });
      this.#metrics.decisions.inc({ mode: 'operator' });
      this.#savePlans();
      return {
        outcome: step.outcome,
        ...(pending && (step.outcome === 'sent' || step.outcome === 'held')
          ? { version: pending.version, correlationId: pending.correlationId }
          : {}),
        decision,
      };
    });
  }

  // ---- intake and steps ---------------------------------------------------------------------

  #receive(topic: string, payload: Buffer, meta: MessageMeta): void {
    if (this.#phase === 'stopped') return;
    this.counters.received += 1;
    this.#run(() => {
      const before = this.#state;
      const dispatched = dispatchMessage(before, this.context, {
        topic,
        payload,
        meta,
        now: this.#clock.now(),
      });
      this.#metrics.received.inc({ type: dispatched.type });
      if (dispatched.outcome === 'handled') this.counters.handled += 1;
      else if (dispatched.outcome === 'rejected') this.counters.rejected += 1;
      else this.counters.ignored += 1;
      this.#commit(before, dispatched);
      if (dispatched.state.ingest !== before.ingest) {
        this.#dirty.ingest = true;
        this.#dirty.evidence = true;
      }
    });
  }

  /**
   * A state saved before a crash may hold intervals open that closed and were stored after it:
   * they are marked closed from the store's rows, so that they are not stored again with less.
   * A store that cannot answer leaves the state as it was (and says so in the log).
   */
  async #closeStoredIntervals(): Promise<void> {
    const { aggregation } = this.#state.ingest;
    const fromMs = openSince(aggregation);
    const toMs = this.#clock.now();
    if (fromMs === undefined || fromMs >= toMs) return;
    try {
      const stored = await this.#store.detectorAggregates({ fromMs, toMs });
      const closed = closeStoredIntervals(aggregation, stored);
      if (closed === aggregation) return;
      this.#state = { ...this.#state, ingest: { ...this.#state.ingest, aggregation: closed } };
      this.#logger.info(
        {
          zone: this.zone,
          closedThrough: closed.levels.map((level) => isoTime(level.closedThroughMs)),
        },
        'engine: intervals stored after the ingest state was saved are closed',
      );
    } catch (error) {
      this.#logger.warn(
        { zone: this.zone, error: (error as Error).message },
        'engine: could not read which intervals were stored; they may be stored again',
      );
    }
  }

  /**
   * Closes intervals, judges health, and saves on three rhythms: the ingest state every
   * `ingestSave` seconds and when a fault is raised or cleared, the evidence every `evidenceSave`
   * seconds, plans when changed. Saving the whole ingest state at every tick cost more than the
   * messages themselves (5.8 MB of JSON a minute for 800 detectors).
   */
  #ingestTick(): void {
    const before = this.#state;
    const now = this.#clock.now();
    const step = engineIngestTick(before, this.context, now);
    this.#commit(before, step);
    if (step.state.ingest !== before.ingest) this.#dirty.ingest = true;
    const { ingestSave, evidenceSave } = this.context.settings;
    if (step.faultChanges > 0 || now - this.#ingestSavedAt >= ingestSave * 1000) {
      this.#saveIngest();
    }
    if (now - this.#evidenceSavedAt >= evidenceSave * 1000) this.#saveEvidence();
    if (this.#dirty.plans) this.#savePlans();
  }

  #cycleTimer(): void {
    this.#timers.cycle = this.#clock.setTimer(this.context.settings.period * 1000, () =>
      this.#cycleTimer(),
    );
    this.#run(() => this.#cycle('period'));
  }

  #cycle(trigger: 'period' | 'manual'): Decision[] {
    const started = performance.now();
    const before = this.#state;
    const result: CycleResult = adaptiveCycle(before, this.context, {
      now: this.#clock.now(),
      trigger,
    });
    this.#commit(before, result);
    this.counters.cycles += 1;
    this.#metrics.cycles.inc({ trigger });
    this.#metrics.cycleSeconds.set((performance.now() - started) / 1000);
    for (const decision of result.decisions) this.#metrics.decisions.inc({ mode: decision.mode });
    this.#savePlans();
    return result.decisions;
  }

  #transition(): void {
    delete this.#timers.transition;
    const before = this.#state;
    const result = transitionStep(before, this.context, this.#clock.now());
    if (result.decisions.length === 0) {
      this.#armTransition();
      return;
    }
    this.#commit(before, result);
    for (const decision of result.decisions) this.#metrics.decisions.inc({ mode: decision.mode });
    this.#savePlans();
  }

  #deadline(): void {
    delete this.#timers.deadline;
    this.#deadlineAt = undefined;
    const before = this.#state;
    const step = tick(before.deployment, this.#clock.now(), { retry: this.context.settings.retry });
    this.#commit(before, { state: { ...before, deployment: step.state }, effects: step.actions });
  }

  /**
   * Runs `job` now, or after the running one (a message delivered by a handler's own publish
   * arrives while a step runs). A job that throws is logged and counted, never fatal.
   */
  #run(job: () => void): void {
    this.#queue.push(job);
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        try {
          next();
        } catch (error) {
          this.#metrics.errors.inc();
          this.#logger.error(
            { error: (error as Error).message, stack: (error as Error).stack },
            'engine: a step failed; the engine carries on',
          );
        }
        this.#wake();
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Runs `job` as a step and hands its result or its error to the caller. */
  #call<T>(method: string, job: () => T): T {
    let outcome: { value: T } | { error: unknown } | undefined;
    this.#run(() => {
      try {
        outcome = { value: job() };
      } catch (error) {
        outcome = { error };
      }
    });
    if (outcome === undefined) {
      throw new EngineError(
        'BUSY',
        `Engine.${method}: called from inside one of the engine's own steps (a message handler); call it afterwards`,
      );
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) {
      if (waiter.test()) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Takes the step's state, carries out its effects, saves and re-arms what the change needs. */
  #commit(
    before: EngineState,
    step: { state: EngineState; effects: readonly EngineEffect[] },
  ): void {
    this.#state = step.state;
    for (const effect of step.effects) this.#effect(effect);
    if (this.#state.deployment !== before.deployment) {
      this.#metrics.countDeployment(before.deployment, this.#state.deployment);
      this.#track(
        this.#store.putState(STATE_KEYS.deployment, savedState(this.#state).deployment),
        'state',
      );
      this.#armDeadline();
    }
    if (this.#state.plans !== before.plans) this.#armTransition();
  }

  #effect(effect: EngineEffect): void {
    switch (effect.type) {
      case 'publish':
        return this.#publishCommand(effect);
      case 'alarm':
        return this.#alarm(effect);
      case 'log':
        return this.#logger[effect.level](effect.fields, effect.message);
      case 'store':
        return this.#write(effect);
    }
  }

  #publishCommand(action: Extract<ControllerAction, { type: 'publish' }>): void {
    this.counters.published += 1;
    this.#metrics.publishes.inc({ topic: action.topic.split('/').slice(3).join('/') });
    this.#track(
      this.#link.publish(action.topic, JSON.stringify(action.payload), {
        qos: action.qos,
        retain: action.retain,
        ...(action.expirySeconds === undefined ? {} : { expirySeconds: action.expirySeconds }),
        ...(action.responseTopic === undefined ? {} : { responseTopic: action.responseTopic }),
        ...(action.correlationId === undefined ? {} : { correlationId: action.correlationId }),
      }),
      'publish',
      { topic: action.topic },
    );
  }

  #alarm(alarm: EngineAlarm): void {
    this.#metrics.alarms.inc({ code: alarm.code });
    if (alarm.code === INPUT_REJECTED) {
      const reason = String(alarm.values?.['reasonCode'] ?? 'unknown');
      const type = String(alarm.values?.['messageType'] ?? 'unknown');
      this.#metrics.rejected.inc({ type, reason });
      if (!this.#rejectionAllowed(alarm.site)) {
        this.#metrics.suppressed.inc({ code: alarm.code });
        this.#logger.debug(
          { site: alarm.site, topic: alarm.topic },
          `alarm suppressed: ${alarm.reason}`,
        );
        return;
      }
    }
    const payload = alarmPayload(alarm);
    this.#state = {
      ...this.#state,
      alarms: bounded(this.#state.alarms, [payload], this.context.settings.alarmLog),
    };
    this.#dirty.plans = true;
    const fields = {
      alarm: alarm.code,
      site: alarm.site,
      ...(alarm.topic === undefined ? {} : { topic: alarm.topic }),
      ...(alarm.values ?? {}),
    };
    if (alarm.active) this.#logger.warn(fields, `alarm ${alarm.code}: ${alarm.reason}`);
    else this.#logger.info(fields, `alarm ${alarm.code} cleared: ${alarm.reason}`);
    this.counters.published += 1;
    this.#track(
      this.#link.publish(alarmTopic(alarm.zone ?? this.zone, alarm.code), JSON.stringify(payload), {
        qos: 1,
        retain: false,
      }),
      'publish',
      { topic: alarmTopic(this.zone, alarm.code) },
    );
  }

  /** At most `rejectionAlarms.limit` input.rejected alarms per site per window; the rest are counted. */
  #rejectionAllowed(site: string): boolean {
    const { limit, window } = this.context.settings.rejectionAlarms;
    const now = this.#clock.now();
    const entry = this.#rejections.get(site);
    if (entry === undefined || now - entry.fromMs >= window * 1000) {
      this.#rejections.set(site, { fromMs: now, count: 1 });
      return limit > 0;
    }
    entry.count += 1;
    return entry.count <= limit;
  }

  #write(effect: StoreEffect): void {
    const store = this.#store;
    const written =
      effect.kind === 'detectors'
        ? store.writeDetectorAggregates(effect.rows)
        : effect.kind === 'movements'
          ? store.writeMovementAggregates(effect.rows)
          : effect.kind === 'hires'
            ? store.writeHiresEvents(effect.rows)
            : store.writePlanRecords(effect.rows);
    this.#track(written, 'store', { kind: effect.kind, rows: effect.rows.length });
  }

  #track(
    operation: Promise<unknown>,
    what: 'publish' | 'store' | 'state',
    fields: Record<string, unknown> = {},
  ): void {
    const tracked = operation.then(
      () => {},
      (error: Error) => {
        (what === 'publish' ? this.#metrics.publishErrors : this.#metrics.storeErrors).inc();
        this.#logger.warn({ ...fields, error: error.message }, `engine: ${what} failed`);
      },
    );
    this.#inflight.add(tracked);
    void tracked.finally(() => this.#inflight.delete(tracked));
  }

  #saveIngest(): void {
    this.#ingestSavedAt = this.#clock.now();
    if (!this.#dirty.ingest) return;
    this.#track(this.#store.putState(STATE_KEYS.ingest, savedState(this.#state).ingest), 'state');
    this.#dirty.ingest = false;
  }

  #saveEvidence(): void {
    this.#evidenceSavedAt = this.#clock.now();
    if (!this.#dirty.evidence) return;
    this.#track(
      this.#store.putState(STATE_KEYS.evidence, savedState(this.#state).evidence),
      'state',
    );
    this.#dirty.evidence = false;
  }

  #savePlans(): void {
    this.#track(this.#store.putState(STATE_KEYS.plans, savedState(this.#state).plans), 'state');
    this.#dirty.plans = false;
  }

  // ---- timers -------------------------------------------------------------------------------

  #every(name: 'ingest', seconds: number, job: () => void): void {
    const arm = () => {
      this.#timers[name] = this.#clock.setTimer(seconds * 1000, () => {
        arm();
        this.#run(job);
      });
    };
    arm();
  }

  /** One timer at the deployment's next deadline (a retry or an expiry), moved when it changes. */
  #armDeadline(): void {
    if (this.#phase !== 'running') return;
    const at = nextDeadline(this.#state.deployment);
    if (at === this.#deadlineAt) return;
    this.#timers.deadline?.();
    delete this.#timers.deadline;
    this.#deadlineAt = at;
    if (at === undefined) return;
    this.#timers.deadline = this.#clock.setTimer(Math.max(0, at - this.#clock.now()), () =>
      this.#run(() => this.#deadline()),
    );
  }

  /** A transition step `transitionStep` seconds on, while some site is on its way to a target. */
  #armTransition(): void {
    if (this.#phase !== 'running' || this.#timers.transition || !transitionDue(this.#state)) return;
    this.#timers.transition = this.#clock.setTimer(
      this.context.settings.transitionStep * 1000,
      () => this.#run(() => this.#transition()),
    );
  }

  #assertRunning(method: string): void {
    if (this.#phase !== 'running') {
      throw new EngineError(
        'NOT_STARTED',
        `Engine.${method}: the engine is ${this.#phase}; call start() first (and not after stop())`,
      );
    }
  }
}
