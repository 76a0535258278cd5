// The virtual field: the simulator plays every signal controller and its detectors over MQTT, each
// controller on its own connection with its own account, on the injected clock.
//
// Time: the simulation's clock is seconds since local midnight (in `timeZone`) of the day the field
// starts, so a day of counts lines up with it; `originMs` is that midnight on the wall clock. The
// field keeps that origin for its whole life: across a daylight-saving change its readings stay on
// the wall clock, and its demand is the counts an hour off until it restarts.
import type { PublishAction } from '../controllers/actions.ts';
import {
  createControllerAgent,
  presenceMessage,
  type ControllerAgentState,
} from '../controllers/controller-agent.ts';
import {
  PlanCommandPayload,
  payloadParser,
  type ActivePlanPayload,
  type HiresPayload,
  type PlanResultPayload,
} from '../controllers/payloads.ts';
import { siteTopic } from '../controllers/topics.ts';
import { CodedError } from '../coded-error.ts';
import type { TurningFlows, VehicleTrip } from '../demand/types.ts';
import type { Clock } from '../engine/clock.ts';
import { silentLogger, type EngineLogger } from '../engine/logger.ts';
import { secondOfDay } from '../engine/prior.ts';
import { detectorMap, impliedStopLineDetectors, type DetectorMap } from '../ingest/detector-map.ts';
import type { Link, MessageMeta } from '../mqtt/link.ts';
import type { RoadNetwork, Signal } from '../network/types.ts';
import { seededRandom } from '../seeded-random.ts';
import { createSimulation } from '../../sim/simulate.ts';
import type { Simulation, SimulationResult, SteppedSimulationOptions } from '../../sim/types.ts';
import type { ConnectController, FieldAccount } from './field-connection.ts';
import { answerCommand, type FieldControllerFault } from './field-controller.ts';
import { tripsFromCounts } from './field-demand.ts';
import {
  faultEvent,
  hiresEntries,
  volumePayloads,
  type FieldDetectorFault,
} from './field-messages.ts';

export type { FieldDetectorFault } from './field-messages.ts';
export type { FieldControllerFault } from './field-controller.ts';
export {
  mqttConnector,
  type ConnectController,
  type ControllerConnection,
  type FieldAccount,
} from './field-connection.ts';

export type FieldErrorCode =
  'BAD_OPTION' | 'UNKNOWN_SITE' | 'UNKNOWN_DETECTOR' | 'NOT_STARTED' | 'ALREADY_STARTED';

/** A caller's mistake with the virtual field; the message says where and how to fix it. */
export class FieldError extends CodedError<FieldErrorCode> {}

/**
 * The field's vehicles: drawn from a day of turning counts (seconds since midnight) as time
 * passes, or a given list departing on the simulation's clock (seconds since local midnight of
 * the field's first day).
 */
export type FieldDemand = { counts: TurningFlows } | { trips: readonly VehicleTrip[] };

export interface VirtualFieldOptions {
  network: RoadNetwork;
  zone: string;
  /** One per controller to play; signals without an account run their first program, unheard. */
  accounts: readonly FieldAccount[];
  connect: ConnectController;
  clock: Clock;
  /** IANA zone of the counts' clock; default `UTC`. */
  timeZone?: string;
  /** Default none: empty roads (detectors still report, zeros). */
  demand?: FieldDemand;
  /** Seed of the demand and the simulation; default 1. */
  seed?: number;
  /** Seconds per det.volume entry; default 60 (it must divide the engine's 300 and 900 s). */
  interval?: number;
  /** Seconds between tlc.hires batches; default 5; 0 sends none. */
  hiResEvery?: number;
  /** Seconds between simulation advances on the clock; default 1; 0 arms no timer (call `advanceTo`). */
  tick?: number;
  /** The simulator's other settings (step, teleports, …). */
  simulation?: Omit<SteppedSimulationOptions, 'begin' | 'end' | 'rng' | 'detection'>;
  logger?: EngineLogger;
}

/** What the field shows of its simulation: it alone advances it and drains its detectors. */
export type FieldSimulation = Pick<Simulation, 'time' | 'activePlan' | 'planStatus' | 'result'>;

/** A plan command as a field controller received it, and its answer. */
export interface ReceivedCommand {
  command: PlanCommandPayload;
  /** MQTT 5 properties as delivered (response topic, correlation data, expiry). */
  meta: MessageMeta;
  /** The clock when it arrived, ms. */
  atMs: number;
  /** The answer published; absent when the controller did not answer (`silent`). */
  result?: PlanResultPayload;
}

/** What one field controller runs and has received. */
export interface FieldController {
  site: string;
  /** The plan it runs (its retained `status/tlc.plan`), undefined before any command. */
  active?: ActivePlanPayload;
  commands: ReceivedCommand[];
  fault?: FieldControllerFault;
  /** The last det.volume `seq` it published; 0 before any. */
  volumeSeq: number;
}

/** Running totals, for offline drivers and tests. */
export interface FieldCounters {
  volumeMessages: number;
  hiresMessages: number;
  commands: number;
  applied: number;
  rejected: number;
  /** Commands that did not parse (answered by nobody: they carry no usable correlation id). */
  malformedCommands: number;
  publishFailures: number;
}

interface Slot {
  site: string;
  account: FieldAccount;
  signal: Signal;
  link?: Link;
  agent: ControllerAgentState;
  commands: ReceivedCommand[];
  fault?: FieldControllerFault;
}

const parseCommand = payloadParser(PlanCommandPayload);
/** Entries per message, under the schemas' item limits and the engine's 256 KiB. */
const VOLUME_ENTRIES_PER_MESSAGE = 60;
const HIRES_ENTRIES_PER_MESSAGE = 1000;

/**
 * Every controller of a network played by the simulator over MQTT. `start` connects one link per
 * account (client id = username, Last Will presence `offline`, birth presence `online`, both
 * retained), subscribes each to its own `command/tlc.plan.set`, and from then on, every `tick`
 * seconds of the clock, advances the simulation to the clock's time: vehicles are drawn from the
 * demand, detector readings go out per interval and site on `status/det.volume` (the ids
 * `detectorMap` gives: the network's detectors and the implied stop-line ones), hi-res events
 * every `hiResEvery` seconds on `status/tlc.hires`. A command is answered as the controller-agent
 * logic says (with the site's own signal) on the topic it names, followed by the retained
 * `status/tlc.plan`; an applied plan is set in the simulation, where it starts at the end of the
 * running cycle. Faults are injected per detector and per controller. No input stops it: a bad
 * command is logged and counted, a failed publish too.
 *
 * @example
 * const field = await VirtualField.start({ network, zone: 'zz', accounts, clock,
 *   connect: mqttConnector({ url: broker.url }), demand: { counts: day }, timeZone: 'Asia/Shanghai' });
 * clock.advance(60_000); // a minute of traffic; every site publishes its det.volume
 * field.controller('JS-01').active?.planId; // => 'am-peak' once the engine deployed it
 * field.result().totals.meanDelay; // => seconds per vehicle so far
 * await field.stop();
 */
export class VirtualField {
  readonly zone: string;
  readonly map: DetectorMap;
  /** The wall-clock time of the simulation's second 0 (local midnight of the first day), ms. */
  readonly originMs: number;
  readonly counters: FieldCounters = {
    volumeMessages: 0,
    hiresMessages: 0,
    commands: 0,
    applied: 0,
    rejected: 0,
    malformedCommands: 0,
    publishFailures: 0,
  };
  readonly #simulation: Simulation;
  readonly #network: RoadNetwork;
  readonly #slots = new Map<string, Slot>();
  readonly #connect: ConnectController;
  readonly #clock: Clock;
  readonly #logger: EngineLogger;
  readonly #interval: number;
  readonly #hiResEvery: number;
  readonly #tick: number;
  readonly #counts: TurningFlows | undefined;
  readonly #rng: () => number;
  readonly #chunk: number;
  #drawnUntil: number;
  #nextHires: number;
  #lastSeq: Record<string, number> = {};
  readonly #faults: Record<string, FieldDetectorFault> = {};
  readonly #hires = new Map<string, HiresPayload['entries']>();
  readonly #inflight = new Set<Promise<void>>();
  readonly #waiters = new Set<{ test: () => boolean; resolve: () => void }>();
  #phase: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  #advancing = false;
  #cancelTimer: (() => void) | undefined;

  /**
   * A field ready to `start`, its simulation at the clock's time of day (rounded down to the
   * interval, so readings end on whole intervals).
   *
   * @throws {FieldError} `BAD_OPTION` for a bad interval, tick, hiResEvery or time zone;
   *   `UNKNOWN_SITE` for an account whose site is not a signal of the network.
   */
  constructor({
    network,
    zone,
    accounts,
    connect,
    clock,
    timeZone = 'UTC',
    demand,
    seed = 1,
    interval = 60,
    hiResEvery = 5,
    tick = 1,
    simulation = {},
    logger = silentLogger,
  }: VirtualFieldOptions) {
    const checks: [string, boolean, string][] = [
      ['interval', Number.isInteger(interval) && interval > 0 && interval <= 3600, '60'],
      ['hiResEvery', Number.isFinite(hiResEvery) && hiResEvery >= 0, '5'],
      ['tick', Number.isFinite(tick) && tick >= 0, '1'],
      ['seed', Number.isInteger(seed), '1'],
    ];
    for (const [name, good, example] of checks) {
      if (!good) {
        throw new FieldError(
          'BAD_OPTION',
          `VirtualField: option ${name} is ${JSON.stringify({ interval, hiResEvery, tick, seed }[name])}; give e.g. ${example}`,
        );
      }
    }
    const signals = network.getAttribute('signals');
    for (const account of accounts) {
      if (signals[account.site] === undefined) {
        throw new FieldError(
          'UNKNOWN_SITE',
          `VirtualField: account ${account.username} is for site ${account.site}, which is not a signal of the network; give accounts for ${Object.keys(signals).slice(0, 5).join(', ')}…`,
        );
      }
      this.#slots.set(account.site, {
        site: account.site,
        account,
        signal: signals[account.site]!,
        agent: createControllerAgent({ zone, site: account.site }),
        commands: [],
      });
    }
    this.zone = zone;
    this.map = detectorMap(network);
    this.#network = network;
    this.#connect = connect;
    this.#clock = clock;
    this.#logger = logger;
    this.#interval = interval;
    this.#hiResEvery = hiResEvery;
    this.#tick = tick;

    const now = clock.now();
    let second: number;
    try {
      second = secondOfDay(now, timeZone);
    } catch (error) {
      throw new FieldError('BAD_OPTION', `VirtualField: ${(error as Error).message}`);
    }
    this.originMs = now - Math.round(second * 1000);
    const begin = Math.floor(second / interval) * interval;
    this.#rng = seededRandom(seed);
    this.#counts = demand && 'counts' in demand ? demand.counts : undefined;
    this.#chunk = this.#counts?.interval ?? 900;
    this.#drawnUntil = begin;
    this.#nextHires = begin + hiResEvery;
    this.#simulation = createSimulation(
      network,
      demand && 'trips' in demand ? demand.trips : [],
      {},
      {
        ...simulation,
        begin,
        rng: seededRandom(seed ^ 0x5eed),
        detection: {
          detectors: impliedStopLineDetectors(network),
          interval,
          hiRes: hiResEvery > 0,
        },
      },
    );
  }

  /**
   * A new field, started.
   *
   * @example
   * const field = await VirtualField.start({ network, zone, accounts, connect, clock });
   */
  static async start(options: VirtualFieldOptions): Promise<VirtualField> {
    const field = new VirtualField(options);
    await field.start();
    return field;
  }

  /**
   * Connects every controller (all or none: a refused account closes the others and throws),
   * subscribes each to its commands, and arms the clock's timer.
   *
   * @throws {FieldError} `ALREADY_STARTED`; the connector's errors (e.g. `LinkError` `CONNECT_REFUSED`).
   */
  async start(): Promise<void> {
    if (this.#phase !== 'new') {
      throw new FieldError(
        'ALREADY_STARTED',
        'VirtualField.start: already started; create a new VirtualField to start again',
      );
    }
    this.#phase = 'starting';
    const slots = [...this.#slots.values()];
    const opened = await Promise.allSettled(slots.map((slot) => this.#open(slot)));
    const failed = opened.find((outcome) => outcome.status === 'rejected');
    if (failed) {
      this.#phase = 'stopped';
      await Promise.allSettled(slots.map((slot) => slot.link?.close()));
      throw (failed as PromiseRejectedResult).reason;
    }
    this.#phase = 'running';
    if (this.#tick > 0) this.#arm();
    this.#logger.info(
      {
        zone: this.zone,
        controllers: slots.length,
        detectors: Object.keys(this.map.detectors).length,
        simulationTime: this.#simulation.time,
        protocolVersion: slots[0]?.link?.protocolVersion,
      },
      'field: controllers connected',
    );
  }

  /**
   * Stops the timer, sends what hi-res events are left, says `shutdown` on every controller's
   * presence and disconnects cleanly (no Last Will).
   */
  async stop(): Promise<void> {
    if (this.#phase === 'stopped') return;
    const wasRunning = this.#phase === 'running';
    this.#phase = 'stopped';
    this.#cancelTimer?.();
    if (wasRunning) {
      this.#flushHires();
      for (const slot of this.#slots.values()) {
        this.#publish(slot, presenceMessage(slot.agent, 'shutdown', this.#clock.now()));
      }
    }
    // A clean close waits a moment for what is unacknowledged, then fails the rest: never hangs.
    await Promise.allSettled([...this.#slots.values()].map((slot) => slot.link?.close()));
    await this.idle();
    this.#wake();
    this.#logger.info({ zone: this.zone }, 'field: stopped');
  }

  /**
   * Advances the simulation to the clock time `ms` and publishes what it produced: det.volume for
   * every interval completed, tlc.hires when a batch is due (and always before det.volume, so a
   * reader that has a site's det.volume has its earlier events). Earlier times do nothing.
   *
   * @throws {FieldError} `NOT_STARTED` before `start` or after `stop`.
   */
  advanceTo(ms: number): void {
    if (this.#phase !== 'running') {
      throw new FieldError(
        'NOT_STARTED',
        `VirtualField.advanceTo: the field is ${this.#phase}; call start() first (and not after stop())`,
      );
    }
    if (this.#advancing) return;
    this.#advancing = true;
    try {
      const until = (ms - this.originMs) / 1000;
      if (!(until > this.#simulation.time)) return;
      this.#drawDemand(until);
      const simulation = this.#simulation.advance(until);
      const entries = hiresEntries(simulation.hiResEvents(), {
        map: this.map,
        channels: simulation.detectorChannels(),
        originMs: this.originMs,
        faults: this.#faults,
      });
      for (const [site, events] of entries) this.#bufferHires(site, events);
      const volume = volumePayloads(simulation.detectorReadings(), {
        map: this.map,
        originMs: this.originMs,
        interval: this.#interval,
        lastSeq: this.#lastSeq,
        faults: this.#faults,
      });
      const played = volume.messages.filter((message) => this.#slots.has(message.site));
      const hiresDue = this.#hiResEvery > 0 && simulation.time >= this.#nextHires;
      if (hiresDue || played.length > 0) this.#flushHires();
      while (this.#hiResEvery > 0 && this.#nextHires <= simulation.time) {
        this.#nextHires += this.#hiResEvery;
      }
      this.#lastSeq = volume.lastSeq;
      for (const { site, payload } of played) {
        const slot = this.#slots.get(site)!;
        for (let from = 0; from < payload.entries.length; from += VOLUME_ENTRIES_PER_MESSAGE) {
          const part = {
            interval: payload.interval,
            entries: payload.entries.slice(from, from + VOLUME_ENTRIES_PER_MESSAGE),
          };
          this.counters.volumeMessages += 1;
          this.#publishRaw(slot, siteTopic({ ...this.#topicOf(site), code: 'det.volume' }), part);
        }
      }
    } finally {
      this.#advancing = false;
    }
    this.#wake();
  }

  /**
   * Makes a detector misbehave from now on (`undefined` heals it). A stuck-on detector also
   * reports turning on in its hi-res events, and off again when healed.
   *
   * @throws {FieldError} `UNKNOWN_DETECTOR` for a detector not in the detector map.
   */
  setDetectorFault(detector: string, fault: FieldDetectorFault | undefined): void {
    if (this.map.detectors[detector] === undefined) {
      throw new FieldError(
        'UNKNOWN_DETECTOR',
        `VirtualField.setDetectorFault: detector ${detector} is not in the network's detector map; use an id of field.map.detectors`,
      );
    }
    const event = faultEvent(this.map, detector, {
      from: this.#faults[detector],
      to: fault,
      ms: this.#clock.now(),
    });
    if (fault === undefined) delete this.#faults[detector];
    else this.#faults[detector] = fault;
    if (event) this.#bufferHires(event.site, [event.entry]);
  }

  /**
   * Makes a controller refuse every new plan (`reject`: it keeps its plan and answers
   * `invalid-plan`) or stop answering commands (`silent`); `undefined` heals it.
   *
   * @throws {FieldError} `UNKNOWN_SITE` for a site the field does not play.
   */
  setControllerFault(site: string, fault: FieldControllerFault | undefined): void {
    const slot = this.#slot(site, 'setControllerFault');
    if (fault === undefined) delete slot.fault;
    else slot.fault = fault;
  }

  /**
   * What one controller runs and has received (a copy).
   *
   * @throws {FieldError} `UNKNOWN_SITE` for a site the field does not play.
   */
  controller(site: string): FieldController {
    const slot = this.#slot(site, 'controller');
    return {
      site,
      ...(slot.agent.active ? { active: slot.agent.active } : {}),
      commands: [...slot.commands],
      ...(slot.fault ? { fault: slot.fault } : {}),
      volumeSeq: this.#lastSeq[site] ?? 0,
    };
  }

  /** The sites the field plays, sorted. */
  get sites(): string[] {
    return [...this.#slots.keys()].sort();
  }

  /** The simulation, to read: its time, the plans its signals run, its measures so far. */
  get simulation(): FieldSimulation {
    return this.#simulation;
  }

  /** The simulation's measures so far: delay, stops, travel times per vehicle, movement and signal. */
  result(): SimulationResult {
    return this.#simulation.result();
  }

  /** Resolves once every publish started has settled (acknowledged, or failed and counted). */
  async idle(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  /**
   * Resolves when `test` holds, checked now and after every advance, command and settled publish.
   *
   * @example
   * await field.until(() => field.controller('JS-01').active?.version === 2);
   */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add({ test, resolve }));
  }

  // ---- controllers ----------------------------------------------------------------------------

  async #open(slot: Slot): Promise<void> {
    const { site, account } = slot;
    const presence = siteTopic({ ...this.#topicOf(site), kind: 'presence', code: '' });
    const now = this.#clock.now();
    const link = await this.#connect({
      site,
      zone: this.zone,
      username: account.username,
      password: account.password,
      account: { username: account.username, role: 'controller', zone: this.zone, site },
      will: {
        topic: presence,
        payload: JSON.stringify(presenceMessage(slot.agent, 'offline', now).payload),
        qos: 1,
        retain: true,
      },
      birth: {
        topic: presence,
        payload: JSON.stringify(presenceMessage(slot.agent, 'online', now).payload),
      },
    });
    slot.link = link;
    const commandTopic = siteTopic({
      ...this.#topicOf(site),
      kind: 'command',
      code: 'tlc.plan.set',
    });
    link.onMessage((topic, payload, meta) => {
      if (topic === commandTopic) this.#onCommand(slot, payload, meta);
    });
    await link.subscribe(commandTopic, 1);
  }

  #onCommand(slot: Slot, payload: Buffer, meta: MessageMeta): void {
    if (this.#phase !== 'running') return;
    const parsed = parseCommand(payload);
    if (!parsed.ok) {
      this.counters.malformedCommands += 1;
      this.#logger.warn(
        { site: slot.site, reason: parsed.reason },
        'field: malformed command ignored',
      );
      this.#wake();
      return;
    }
    const now = this.#clock.now();
    const received: ReceivedCommand = { command: parsed.value, meta, atMs: now };
    slot.commands.push(received);
    this.counters.commands += 1;
    // The plan starts from the cycle running now, not from where the last tick left the signals.
    this.advanceTo(now);
    const receipt = answerCommand(slot.agent, parsed.value, {
      now,
      signal: slot.signal,
      ...(slot.fault ? { fault: slot.fault } : {}),
      run: (plan) => this.#simulation.setPlan(slot.site, plan),
    });
    if (receipt === undefined) {
      this.#wake();
      return;
    }
    slot.agent = receipt.state;
    received.result = receipt.result;
    if (receipt.result.status === 'applied') this.counters.applied += 1;
    else this.counters.rejected += 1;
    this.#logger.info(
      {
        site: slot.site,
        planId: receipt.result.planId,
        version: receipt.result.version,
        status: receipt.result.status,
        ...(receipt.result.reason ? { reason: receipt.result.reason } : {}),
      },
      'field: plan command answered',
    );
    for (const action of receipt.actions) this.#publish(slot, action);
    this.#wake();
  }

  // ---- publishing -----------------------------------------------------------------------------

  #bufferHires(site: string, entries: HiresPayload['entries']): void {
    if (this.#hiResEvery === 0 || !this.#slots.has(site) || entries.length === 0) return;
    const buffered = this.#hires.get(site);
    if (buffered) buffered.push(...entries);
    else this.#hires.set(site, [...entries]);
  }

  #flushHires(): void {
    for (const [site, entries] of [...this.#hires].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const slot = this.#slots.get(site)!;
      const ordered = entries.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      for (let from = 0; from < ordered.length; from += HIRES_ENTRIES_PER_MESSAGE) {
        this.counters.hiresMessages += 1;
        this.#publishRaw(slot, siteTopic({ ...this.#topicOf(site), code: 'tlc.hires' }), {
          entries: ordered.slice(from, from + HIRES_ENTRIES_PER_MESSAGE),
        });
      }
    }
    this.#hires.clear();
  }

  #publish(slot: Slot, action: PublishAction): void {
    this.#track(
      slot,
      action.topic,
      slot.link?.publish(action.topic, JSON.stringify(action.payload), {
        qos: action.qos,
        retain: action.retain,
        ...(action.correlationId === undefined ? {} : { correlationId: action.correlationId }),
      }),
    );
  }

  #publishRaw(slot: Slot, topic: string, payload: unknown): void {
    this.#track(slot, topic, slot.link?.publish(topic, JSON.stringify(payload), { qos: 1 }));
  }

  #track(slot: Slot, topic: string, publishing: Promise<void> | undefined): void {
    if (publishing === undefined) return;
    const tracked = publishing.then(
      () => {},
      (error: Error) => {
        this.counters.publishFailures += 1;
        this.#logger.warn(
          { site: slot.site, topic, error: error.message },
          'field: publish failed',
        );
      },
    );
    this.#inflight.add(tracked);
    void tracked.finally(() => {
      this.#inflight.delete(tracked);
      this.#wake();
    });
  }

  // ---- time -----------------------------------------------------------------------------------

  #arm(): void {
    this.#cancelTimer = this.#clock.setTimer(this.#tick * 1000, () => {
      if (this.#phase !== 'running') return;
      this.#arm();
      try {
        this.advanceTo(this.#clock.now());
      } catch (error) {
        this.#logger.error(
          { error: (error as Error).message, stack: (error as Error).stack },
          'field: a simulation step failed; the field carries on',
        );
      }
    });
  }

  /** Vehicles from the counts through `until`, a count interval at a time. */
  #drawDemand(until: number): void {
    const counts = this.#counts;
    if (counts === undefined) return;
    while (this.#drawnUntil < until) {
      const next = (Math.floor(this.#drawnUntil / this.#chunk) + 1) * this.#chunk;
      const trips = tripsFromCounts(this.#network, counts, {
        begin: this.#drawnUntil,
        end: next,
        rng: this.#rng,
      });
      this.#simulation.addTrips(trips);
      this.#drawnUntil = next;
    }
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) {
      if (waiter.test()) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  #slot(site: string, method: string): Slot {
    const slot = this.#slots.get(site);
    if (slot === undefined) {
      throw new FieldError(
        'UNKNOWN_SITE',
        `VirtualField.${method}: the field does not play site ${site}; use one of ${this.sites.join(', ')}`,
      );
    }
    return slot;
  }

  #topicOf(site: string): { zone: string; site: string; kind: 'status' } {
    return { zone: this.zone, site, kind: 'status' };
  }
}
