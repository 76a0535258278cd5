// Ingest through Mosquitto: det.volume from 100 controller links into stored aggregates, beside the
// raw throughput of the same broker in the same run, and the latency from message to stored aggregate.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetectorVolumePayload } from '../src/controllers/payloads.ts';
import { siteTopic } from '../src/controllers/topics.ts';
import { ManualClock } from '../src/engine/clock.ts';
import { Engine } from '../src/engine/engine.ts';
import { minuteOfVolume } from '../src/engine/testing.ts';
import { detectorMap, type DetectorMap } from '../src/ingest/detector-map.ts';
import { connectLink, type Link } from '../src/mqtt/link.ts';
import {
  MosquittoProcessError,
  startMosquitto,
  type MosquittoProcess,
} from '../src/mqtt/mosquitto-process.ts';
import { cheapUserRecords } from '../src/mqtt/testing.ts';
import { buildNetwork } from '../src/network/build.ts';
import { gridSpec } from '../src/network/grid.ts';
import type { RoadNetwork } from '../src/network/types.ts';
import { openEmbeddedStore, type DetectorAggregate, type Store } from '../src/store/index.ts';

const RESULTS = 'bench/results/ingest.json';
const MOSQUITTO = '/usr/sbin/mosquitto';
const ZONE = 'zz';
/** 10 × 10 signals: 100 controller links, 8 implied stop-line detectors each. */
const GRID = { rows: 10, columns: 10 };
/** Simulated minutes of det.volume per controller (one message a minute, as controllers report). */
const THROUGHPUT_MINUTES = 60;
/** The raw runs are short, so they send the throughput feed this many times over: 18,000 messages. */
const RAW_REPEATS = 3;
const LATENCY_MINUTES = 30;
/** Messages published but not yet delivered (raw) or handled (ingest), at most: the same in both. */
const WINDOW = 200;
/** Raw runs before and after the ingest run: each is short (a fraction of a second), so several. */
const RAW_RUNS = 2;
/** Every movement's flow, veh/h: only the counts' size depends on it. */
const MOVEMENT_FLOW = 300;
/** The simulated start: whole hours, so the 5- and 15-minute intervals fill completely. */
const START_MS = Date.parse('2026-11-28T06:00:00Z');
const MINUTE_MS = 60_000;
/** Linux reports process CPU time in /proc in USER_HZ ticks, 100 a second on every architecture. */
const USER_HZ = 100;

/** One controller's message of one minute, ready to publish. */
interface FeedMessage {
  topic: string;
  payload: string;
}

/** Every controller's messages: `minutes[m][s]` is site `s`'s message of minute `m`. */
interface Feed {
  sites: string[];
  minutes: FeedMessage[][];
  /** Vehicles sent per detector over the whole feed, to check the stored aggregates against. */
  sent: Map<string, number>;
  payloadBytes: { min: number; max: number; mean: number };
}

/** The det.volume feed of every site of `map`: minute `m` ends at `START_MS + (m + 1)` minutes, seq `m + 1`. */
function detectorFeed(map: DetectorMap, minutes: number): Feed {
  const sites = Object.keys(map.sites).sort();
  // Each site's own movements only: `minuteOfVolume` spreads them over every detector of the map.
  const flowsOf = (site: string) =>
    Object.fromEntries(
      Object.values(map.movements)
        .filter((movement) => movement.site === site)
        .map((movement) => [movement.id, MOVEMENT_FLOW]),
    );
  const movementFlows = new Map(sites.map((site) => [site, flowsOf(site)]));
  const topics = sites.map((site) =>
    siteTopic({ zone: ZONE, site, kind: 'status', code: 'det.volume' }),
  );
  const messages = Array.from({ length: minutes }, (_, minute) =>
    sites.map((site, index) => {
      const payload = minuteOfVolume(map, site, {
        minute,
        endMs: START_MS + (minute + 1) * MINUTE_MS,
        seq: minute + 1,
        movementFlows: movementFlows.get(site)!,
      });
      return { topic: topics[index]!, payload: JSON.stringify(payload) };
    }),
  );
  return feedOf(sites, messages);
}

/** A feed of these messages, with the vehicles each detector sends and the payload sizes. */
function feedOf(sites: string[], minutes: FeedMessage[][]): Feed {
  const sent = new Map<string, number>();
  const sizes: number[] = [];
  for (const message of minutes.flat()) {
    sizes.push(Buffer.byteLength(message.payload));
    const payload = JSON.parse(message.payload) as DetectorVolumePayload;
    for (const [detector, { count }] of Object.entries(payload.entries[0]!.values)) {
      sent.set(detector, (sent.get(detector) ?? 0) + count);
    }
  }
  const payloadBytes = {
    min: Math.min(...sizes),
    max: Math.max(...sizes),
    mean: sizes.reduce((sum, size) => sum + size, 0) / sizes.length,
  };
  return { sites, minutes, sent, payloadBytes };
}

/**
 * Publish and arrival times of every message of a feed. Mosquitto keeps each publisher's order, so
 * the n-th message arriving on a site's topic is that site's minute n: no payload is parsed to
 * match them up.
 */
class Arrivals {
  readonly publishedAt: Float64Array;
  readonly arrivedAt: Float64Array;
  readonly perMinute: Int32Array;
  published = 0;
  arrived = 0;
  /** Publishes the broker refused or that failed. */
  failures = 0;
  readonly #perSite: Int32Array;
  readonly #siteOf: Map<string, number>;
  readonly #minutes: number;
  readonly #waiters = new Set<{ test: () => boolean; resolve: () => void }>();

  constructor(feed: Feed) {
    const total = feed.sites.length * feed.minutes.length;
    this.#minutes = feed.minutes.length;
    this.publishedAt = new Float64Array(total);
    this.arrivedAt = new Float64Array(total);
    this.perMinute = new Int32Array(this.#minutes);
    this.#perSite = new Int32Array(feed.sites.length);
    this.#siteOf = new Map(feed.minutes[0]!.map((message, site) => [message.topic, site]));
  }

  markPublished(site: number, minute: number): void {
    this.publishedAt[site * this.#minutes + minute] = performance.now();
    this.published += 1;
  }

  /** Call on every message delivered; topics not of the feed are passed over. */
  arrive(topic: string): void {
    const site = this.#siteOf.get(topic);
    if (site === undefined) return;
    const minute = this.#perSite[site]!++;
    this.arrivedAt[site * this.#minutes + minute] = performance.now();
    this.perMinute[minute]! += 1;
    this.arrived += 1;
    for (const waiter of this.#waiters) {
      if (waiter.test()) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add({ test, resolve }));
  }

  /** Milliseconds from publish to arrival, of every message. */
  latencies(): Float64Array {
    return this.arrivedAt.map((arrived, index) => arrived - this.publishedAt[index]!);
  }
}

/** How one run publishes a feed; `atMinute` runs as each minute begins. Resolves with the first publish's time. */
type Publisher = (
  feed: Feed,
  links: readonly Link[],
  arrivals: Arrivals,
  atMinute: (minute: number) => void | Promise<void>,
) => Promise<number>;

/** Publishes one message at QoS 1; a refusal is counted, not thrown (the count is reported). */
function send(
  links: readonly Link[],
  feed: Feed,
  arrivals: Arrivals,
  site: number,
  minute: number,
) {
  const { topic, payload } = feed.minutes[minute]![site]!;
  arrivals.markPublished(site, minute);
  links[site]!.publish(topic, payload, { qos: 1 }).catch(() => (arrivals.failures += 1));
}

/**
 * As fast as it goes: every site on its own link, with at most `WINDOW` messages undelivered, since
 * Mosquitto drops QoS 1 messages beyond a subscriber's queue (1,000 by default) and an unthrottled
 * flood would measure losses. Before minute `m`, every message of minute `m − 2` must have arrived,
 * so none reaches the engine after its interval closed.
 */
const saturated: Publisher = async (feed, links, arrivals, atMinute) => {
  const sites = feed.sites.length;
  const startedAt = performance.now();
  for (let minute = 0; minute < feed.minutes.length; minute++) {
    const barrier = minute - 2;
    if (barrier >= 0) await arrivals.until(() => arrivals.perMinute[barrier] === sites);
    await atMinute(minute);
    for (let site = 0; site < sites; site++) {
      if (arrivals.published - arrivals.arrived >= WINDOW) {
        await arrivals.until(() => arrivals.published - arrivals.arrived < WINDOW);
      }
      send(links, feed, arrivals, site, minute);
    }
  }
  await arrivals.until(() => arrivals.arrived === arrivals.published);
  return startedAt;
};

/**
 * As the field sends it: every controller reports its minute at once (a burst of one message per
 * link), and the next minute starts once the burst has arrived and `atMinute` is done. No backlog
 * is carried from one minute to the next, so the latencies are those of a zone keeping up.
 */
const inBursts: Publisher = async (feed, links, arrivals, atMinute) => {
  const sites = feed.sites.length;
  const startedAt = performance.now();
  for (let minute = 0; minute < feed.minutes.length; minute++) {
    await atMinute(minute);
    for (let site = 0; site < sites; site++) send(links, feed, arrivals, site, minute);
    await arrivals.until(() => arrivals.perMinute[minute] === sites);
  }
  return startedAt;
};

interface Write {
  calledAt: number;
  storedAt: number;
  rows: readonly DetectorAggregate[];
}

/**
 * A store that records when each detector-aggregate write was called and when it was durable,
 * and counts the engine's state saves by key.
 */
function timedStore(store: Store): {
  store: Store;
  writes: Write[];
  stateSaves: Record<string, number>;
} {
  const writes: Write[] = [];
  const stateSaves: Record<string, number> = {};
  const timed = new Proxy(store, {
    get(target, property) {
      if (property === 'writeDetectorAggregates') {
        return async (rows: readonly DetectorAggregate[]) => {
          const calledAt = performance.now();
          await target.writeDetectorAggregates(rows);
          writes.push({ calledAt, storedAt: performance.now(), rows });
        };
      }
      if (property === 'putState') {
        return (key: string, value: unknown) => {
          stateSaves[key] = (stateSaves[key] ?? 0) + 1;
          return target.putState(key, value);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { store: timed, writes, stateSaves };
}

/** CPU seconds a process has used so far (user + system), from /proc; NaN where there is none. */
async function processCpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14, 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return NaN;
  }
}

/**
 * Starts measuring wall time and the CPU time of the broker and of this process (links, engine,
 * store); the result also gives messages per CPU second of both, which other load on the machine
 * disturbs far less than messages per wall-clock second.
 */
async function cpuMeter(broker: MosquittoProcess) {
  const brokerBefore = await processCpuSeconds(broker.pid);
  const benchBefore = process.cpuUsage();
  const wallBefore = performance.now();
  return async (messages: number) => {
    const wallSeconds = (performance.now() - wallBefore) / 1000;
    const bench = process.cpuUsage(benchBefore);
    const mosquittoCpuSeconds = (await processCpuSeconds(broker.pid)) - brokerBefore;
    const benchProcessCpuSeconds = (bench.user + bench.system) / 1e6;
    return {
      wallSeconds,
      mosquittoCpuSeconds,
      benchProcessCpuSeconds,
      mosquittoCpuShare: mosquittoCpuSeconds / wallSeconds,
      benchProcessCpuShare: benchProcessCpuSeconds / wallSeconds,
      messagesPerCpuSecond: messages / (mosquittoCpuSeconds + benchProcessCpuSeconds),
    };
  };
}

/** The value below which `share` of the sorted values lie (nearest rank). */
function quantile(sorted: ArrayLike<number>, share: number): number {
  const rank = Math.max(1, Math.ceil(share * sorted.length));
  return sorted[rank - 1]!;
}

function median(values: readonly number[]): number {
  return quantile(Float64Array.from(values).sort(), 0.5);
}

/** Runs `job` `times` times, one after the other. */
async function repeat<T>(times: number, job: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let run = 0; run < times; run++) results.push(await job());
  return results;
}

interface Latency {
  samples: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
}

function latency(values: ArrayLike<number>): Latency {
  const sorted = Float64Array.from(values).sort();
  return {
    samples: sorted.length,
    medianMs: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1]!,
  };
}

interface Connection {
  broker: MosquittoProcess;
  links: readonly Link[];
  /** The engine account's password. */
  password: string;
}

/** The feed through the broker to one subscriber link with the engine's account. */
async function rawRun({ broker, links, password }: Connection, feed: Feed, publish: Publisher) {
  const sink = await connectLink({
    url: broker.url,
    username: 'engine',
    password,
    clientId: 'engine:raw-sink',
  });
  try {
    await sink.subscribe(`tsc/${ZONE}/+/status/#`, 1);
    const arrivals = new Arrivals(feed);
    sink.onMessage((topic) => arrivals.arrive(topic));
    const meter = await cpuMeter(broker);
    const startedAt = await publish(feed, links, arrivals, () => {});
    const seconds = (performance.now() - startedAt) / 1000;
    return {
      messages: arrivals.arrived,
      publishFailures: arrivals.failures,
      seconds,
      messagesPerSecond: arrivals.arrived / seconds,
      publishToDelivered: latency(arrivals.latencies()),
      cpu: await meter(arrivals.arrived),
    };
  } finally {
    await sink.close();
  }
}

/**
 * The feed through the broker to a running Engine (adaptive cycles off) with an embedded store in
 * a temporary directory (fsync on). Its ManualClock moves to each minute's end as the minute
 * begins, so the ingest tick closes intervals as the data goes by; `waitForStore` waits at each
 * minute until every write started has settled. At the end the clock moves past the last
 * interval's grace, and the run ends when the last aggregate is durable.
 */
async function ingestRun(
  { broker, links, password }: Connection,
  feed: Feed,
  network: RoadNetwork,
  { publish, waitForStore }: { publish: Publisher; waitForStore: boolean },
) {
  const folder = await mkdtemp(join(tmpdir(), 'greenwave-ingest-bench-'));
  const clock = new ManualClock(START_MS);
  const embedded = await openEmbeddedStore({ dataDir: folder, clock });
  const { store, writes, stateSaves } = timedStore(embedded);
  const link = await connectLink({
    url: broker.url,
    username: 'engine',
    password,
    clientId: 'engine:ingest',
  });
  const engine = new Engine({
    network,
    link,
    store,
    zone: ZONE,
    clock,
    options: { adaptive: false },
  });
  try {
    await engine.start();
    const arrivals = new Arrivals(feed);
    // After the engine's own handler, which handles each message synchronously as it comes:
    // this one runs once the engine is done with the message.
    link.onMessage((topic) => arrivals.arrive(topic));
    const moveClockTo = (ms: number) => clock.advance(Math.max(0, ms - clock.now()));
    const meter = await cpuMeter(broker);
    const startedAt = await publish(feed, links, arrivals, async (minute) => {
      moveClockTo(START_MS + (minute + 1) * MINUTE_MS);
      if (waitForStore) await engine.idle();
    });
    const handledAt = performance.now();
    const endMs = START_MS + feed.minutes.length * MINUTE_MS;
    moveClockTo(endMs + 3 * MINUTE_MS); // past the default grace of 120 s
    await engine.idle();
    const storedAt = Math.max(...writes.map((write) => write.storedAt));
    const cpu = await meter(arrivals.arrived);
    /** State saves while the feed ran (the stop's own saves come after). */
    const stateSavesDuringRun = { ...stateSaves };
    const seconds = (storedAt - startedAt) / 1000;
    const handledSeconds = (handledAt - startedAt) / 1000;
    return {
      messages: arrivals.arrived,
      publishFailures: arrivals.failures,
      counters: { ...engine.counters },
      seconds,
      messagesPerSecond: arrivals.arrived / seconds,
      handledSeconds,
      handledPerSecond: arrivals.arrived / handledSeconds,
      detectorAggregateWrites: writes.length,
      ingestStateBytes: Buffer.byteLength(JSON.stringify(engine.state.ingest)),
      stateSaves: stateSavesDuringRun,
      publishToHandled: latency(arrivals.latencies()),
      closeToStored: latency(writes.map((write) => write.storedAt - write.calledAt)),
      publishToStoredWithoutClockWait: latency(processingLatencies(feed, arrivals, writes)),
      cpu,
      stored: await checkStored(store, feed, endMs),
    };
  } finally {
    await engine.stop();
    await link.close();
    await embedded.close();
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Per message: publish → handled, plus close → stored of the write that held its 5-minute
 * interval. The wait between the two (the interval's end plus the grace, on the engine's clock)
 * is left out: it is a setting, not a cost, and the bench's clock does not run at wall speed.
 */
function processingLatencies(feed: Feed, arrivals: Arrivals, writes: readonly Write[]): number[] {
  const storeTime = new Map<number, number>();
  for (const write of writes) {
    for (const row of write.rows) {
      if (row.interval === 300) storeTime.set(row.startMs, write.storedAt - write.calledAt);
    }
  }
  const minutes = feed.minutes.length;
  return Array.from(arrivals.latencies(), (handled, index) => {
    const intervalStartMs = START_MS + Math.floor((index % minutes) / 5) * 5 * MINUTE_MS;
    return handled + (storeTime.get(intervalStartMs) ?? NaN);
  });
}

/** Rows stored per interval length against one per detector and interval, and every detector's vehicles against what it sent. */
async function checkStored(store: Store, feed: Feed, endMs: number) {
  const rows = await store.detectorAggregates({ fromMs: START_MS, toMs: endMs });
  const minutes = feed.minutes.length;
  const of = (interval: number) => {
    const mine = rows.filter((row) => row.interval === interval);
    const vehicles = new Map<string, number>();
    for (const row of mine)
      vehicles.set(row.detector, (vehicles.get(row.detector) ?? 0) + row.count);
    const perStart = new Map<number, number>();
    for (const row of mine) perStart.set(row.startMs, (perStart.get(row.startMs) ?? 0) + 1);
    const starts = Array.from({ length: (minutes * 60) / interval }, (_, index) => {
      return START_MS + index * interval * 1000;
    });
    return {
      rows: mine.length,
      expectedRows: feed.sent.size * starts.length,
      /** Interval starts (UTC) with fewer rows than detectors. */
      incompleteIntervals: starts
        .filter((start) => (perStart.get(start) ?? 0) < feed.sent.size)
        .map((start) => new Date(start).toISOString().slice(11, 16)),
      vehiclesMatch: [...feed.sent].every(([detector, sent]) => vehicles.get(detector) === sent),
    };
  };
  return {
    vehiclesSent: [...feed.sent.values()].reduce((sum, count) => sum + count, 0),
    fiveMinutes: of(300),
    fifteenMinutes: of(900),
  };
}

/** The first line of `mosquitto -h`, e.g. `mosquitto version 2.0.11`. */
function mosquittoVersion(): Promise<string> {
  return new Promise((resolve) =>
    execFile(MOSQUITTO, ['-h'], (_error, stdout) =>
      resolve(String(stdout).split('\n')[0]?.trim() || 'unknown'),
    ),
  );
}

function format(value: number, digits = 0): string {
  return value.toLocaleString('en', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Controller accounts (one per site) and the engine's, hashed cheaply; each password from its username. */
async function benchAccounts(sites: readonly string[]) {
  const password = (username: string) => `bench-${username}`;
  const controllers = sites.map((site) => ({
    username: `${ZONE}-${site}`,
    role: 'controller' as const,
    zone: ZONE,
    site,
  }));
  const users = await cheapUserRecords([
    { username: 'engine', password: password('engine'), role: 'engine' },
    ...controllers.map((account) => ({ ...account, password: password(account.username) })),
  ]);
  return { users, controllers, password };
}

/**
 * The ingest suite, against one private Mosquitto: 100 controller links (a 10×10 grid, one
 * account each) publish det.volume at QoS 1. Throughput: an hour of data as fast as it goes, to
 * one subscriber link (the broker's raw rate, before and after) and to a running Engine until its
 * aggregates are stored. Latency: half an hour in minute bursts, as the field sends, each way.
 * Prints the rates, their ratio and the latencies, and writes `bench/results/ingest.json`.
 * Without Mosquitto it says so and measures nothing.
 *
 * @example
 * await ingestSuite(); // raw …: 12,000 msg/s; ingest: … msg/s; ingest / raw …; latencies …
 */
export async function ingestSuite(): Promise<void> {
  console.log('\nRunning "ingest" suite...');
  const network = buildNetwork(gridSpec(GRID));
  const map = detectorMap(network);
  const throughputFeed = detectorFeed(map, THROUGHPUT_MINUTES);
  const { sites, minutes } = throughputFeed;
  // The raw runs send the ingest run's messages again (the broker reads no payload), three times over.
  const rawFeed = feedOf(sites, Array.from({ length: RAW_REPEATS }, () => minutes).flat());
  const latencyFeed = feedOf(sites, minutes.slice(0, LATENCY_MINUTES));
  const { users, controllers, password } = await benchAccounts(sites);
  let broker: MosquittoProcess;
  try {
    broker = await startMosquitto({ users, binary: MOSQUITTO });
  } catch (error) {
    if (error instanceof MosquittoProcessError && error.code === 'NOT_INSTALLED') {
      console.log(
        `  Skipped: Mosquitto is not installed (no ${MOSQUITTO}); install it (apt-get install mosquitto) to measure ingest through a broker. ${RESULTS} is left as it was.`,
      );
      return;
    }
    throw error;
  }
  const links: Link[] = [];
  try {
    const opened = await Promise.all(
      controllers.map((account) =>
        connectLink({
          url: broker.url,
          username: account.username,
          password: password(account.username),
        }),
      ),
    );
    links.push(...opened);
    const connection: Connection = { broker, links, password: password('engine') };
    const version = await mosquittoVersion();
    const messages = throughputFeed.sites.length * throughputFeed.minutes.length;
    console.log(
      `  ${version}, ${links.length} controller links (MQTT ${links[0]!.protocolVersion === 5 ? '5' : '3.1.1'}), det.volume of ${format(throughputFeed.payloadBytes.mean)} B at QoS 1`,
    );

    // JIT and socket buffers warm up on a first run, which ran at a third of the later rate.
    await rawRun(connection, latencyFeed, saturated);
    const rawBefore = await repeat(RAW_RUNS, () => rawRun(connection, rawFeed, saturated));
    const ingest = await ingestRun(connection, throughputFeed, network, {
      publish: saturated,
      waitForStore: false,
    });
    const rawAfter = await repeat(RAW_RUNS, () => rawRun(connection, rawFeed, saturated));
    const rawBursts = await rawRun(connection, latencyFeed, inBursts);
    const ingestBursts = await ingestRun(connection, latencyFeed, network, {
      publish: inBursts,
      waitForStore: true,
    });

    const rawRuns = [...rawBefore, ...rawAfter];
    const rawRate = median(rawRuns.map((run) => run.messagesPerSecond));
    const rawPerCpu = median(rawRuns.map((run) => run.cpu.messagesPerCpuSecond));
    const ratio = {
      rawMessagesPerSecond: rawRate,
      ingestToRaw: ingest.messagesPerSecond / rawRate,
      handledToRaw: ingest.handledPerSecond / rawRate,
      rawMessagesPerCpuSecond: rawPerCpu,
      ingestToRawPerCpuSecond: ingest.cpu.messagesPerCpuSecond / rawPerCpu,
    };
    const cpu = (run: { cpu: { mosquittoCpuShare: number; benchProcessCpuShare: number } }) =>
      `CPU: mosquitto ${format(run.cpu.mosquittoCpuShare * 100)} %, this process ${format(run.cpu.benchProcessCpuShare * 100)} %`;
    console.log(
      `  throughput, at most ${WINDOW} messages undelivered (raw ${format(rawRuns[0]!.messages)} messages a run, ingest ${format(messages)}):`,
    );
    const rates = (runs: typeof rawRuns) =>
      runs.map((run) => format(run.messagesPerSecond)).join(', ');
    console.log(
      `    raw: ${rates(rawBefore)} msg/s before, ${rates(rawAfter)} after the ingest run; median ${format(rawRate)} msg/s (${cpu(rawBefore.at(-1)!)})`,
    );
    console.log(
      `    ingest: ${format(ingest.seconds, 2)} s = ${format(ingest.messagesPerSecond)} msg/s (${cpu(ingest)})`,
    );
    console.log(
      `    ingest / raw: ${format(ratio.ingestToRaw, 3)} (messages handled alone: ${format(ingest.handledPerSecond)} msg/s, ${format(ratio.handledToRaw, 3)} of raw)`,
    );
    console.log(
      `    per CPU second (broker + this process): raw ${format(rawPerCpu)}, ingest ${format(ingest.cpu.messagesPerCpuSecond)} messages, ratio ${format(ratio.ingestToRawPerCpuSecond, 3)}`,
    );
    const line = (label: string, value: Latency) =>
      console.log(
        `    ${label}: median ${format(value.medianMs, 1)} ms, p99 ${format(value.p99Ms, 1)} ms`,
      );
    console.log(
      `  latency, ${format(latencyFeed.minutes.length)} minutes in bursts of ${links.length} (one per controller):`,
    );
    line('raw publish → delivered        ', rawBursts.publishToDelivered);
    line('publish → handled by the engine', ingestBursts.publishToHandled);
    line('interval closed → stored       ', ingestBursts.closeToStored);
    line('publish → stored, no clock wait', ingestBursts.publishToStoredWithoutClockWait);
    console.log('  latency under the throughput run (queues full):');
    line('publish → handled              ', ingest.publishToHandled);
    line('interval closed → stored       ', ingest.closeToStored);

    const problems = [ingest, ingestBursts].flatMap((run) => [
      ...(run.counters.handled !== run.messages || run.counters.rejected > 0
        ? [
            `handled ${run.counters.handled} and rejected ${run.counters.rejected} of ${run.messages}`,
          ]
        : []),
      ...[run.stored.fiveMinutes, run.stored.fifteenMinutes].flatMap((stored, index) =>
        stored.rows === stored.expectedRows && stored.vehiclesMatch
          ? []
          : [
              `${index === 0 ? '5' : '15'}-minute aggregates: ${stored.rows} rows stored of ${stored.expectedRows} (incomplete: ${stored.incompleteIntervals.join(', ') || 'none'}), vehicles ${stored.vehiclesMatch ? 'match' : 'do not match'} what was sent`,
            ],
      ),
    ]);
    const lost = [...rawRuns, rawBursts, ingest, ingestBursts].some(
      (run) => run.publishFailures > 0,
    );
    if (lost) problems.push('some publishes failed (see publishFailures)');
    for (const problem of new Set(problems)) console.log(`  CHECK FAILED: ${problem}`);

    const report = {
      date: new Date().toISOString(),
      node: process.version,
      mosquitto: version,
      setup: {
        network: `${GRID.rows}×${GRID.columns} grid: ${throughputFeed.sites.length} signals, ${throughputFeed.sent.size} stop-line detectors`,
        controllerLinks: links.length,
        protocolVersion: links[0]!.protocolVersion,
        qos: 1,
        payloadBytes: throughputFeed.payloadBytes,
        rawMessages: rawFeed.sites.length * rawFeed.minutes.length,
        ingestMessages: messages,
        latencyMessages: latencyFeed.sites.length * latencyFeed.minutes.length,
        window: WINDOW,
        engine:
          'Engine with adaptive cycles off, default aggregation (300 and 900 s, grace 120 s), ingest tick (60 s) and state saves (ingest state every 900 s, health evidence every 3600 s of its clock), on a ManualClock moved to each minute as it is published; embedded store in a temporary directory, fsync on; every link, the engine and the store in this one Node process, Mosquitto in its own',
      },
      measure: `Throughput: messages/s from the first publish until every message arrived at one subscriber link (raw: ${RAW_RUNS} runs before and ${RAW_RUNS} after the ingest run, after a warm-up run; the ratio is to their median), or until every message was handled and the last aggregate was durable in the store (ingest). Latency: wall-clock ms with every controller publishing its minute at once, the next minute after the burst is handled and the store idle. The wait between handling and the interval closing (its end plus the grace: 2 to 7 minutes of real time with the defaults) is a setting, not a cost, and is not included: close → stored starts when the ingest tick closes the interval`,
      throughput: { rawBefore, ingest, rawAfter, ratio },
      latency: { raw: rawBursts, ingest: ingestBursts },
      problems: [...new Set(problems)],
    };
    await mkdir('bench/results', { recursive: true });
    await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`  Saved to: ${RESULTS}`);
  } finally {
    await Promise.all(links.map((link) => link.close()));
    await broker.close();
  }
}
