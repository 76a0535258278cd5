// The live loop end to end, one story for every broker and store: a virtual field on the demo
// network connects, publishes detector data, applies the engine's plans; bad inputs are refused
// with alarms; a controller cannot speak for another site; the engine restarts where it stopped.
// `live-loop.test.ts` runs it on the embedded broker, `live-loop.services.test.ts` on Mosquitto
// (MQTT 5) with the embedded store and with InfluxDB.
//
// The clock is a ManualClock moved in steps of a few seconds (shorter than the engine's first
// retry, so a command always has its answer before the engine could send it again); after each
// step the story waits until the engine has taken every det.volume the field sent and every
// command is answered — conditions, never fixed sleeps. The tests are one story in order, on one
// rig: each goes on from where the one before left the clock, the engine and the field.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentKey } from '../controllers/plan-payloads.ts';
import { alarmTopic, siteTopic } from '../controllers/topics.ts';
import type { TurningFlows } from '../demand/types.ts';
import { ManualClock } from '../engine/clock.ts';
import { Engine } from '../engine/engine.ts';
import { memoryLogger } from '../engine/logger.ts';
import type { TimeOfDayPrior } from '../engine/prior.ts';
import { sequenceKey } from '../ingest/sequence.ts';
import type { UserRecord } from '../mqtt/accounts.ts';
import { connectLink, LinkError, type Link } from '../mqtt/link.ts';
import { cheapUserRecords, inbox } from '../mqtt/testing.ts';
import type { RoadNetwork } from '../network/types.ts';
import type { Store } from '../store/types.ts';
import { loadDemoNetwork } from './field.fixture.ts';
import { mqttConnector, VirtualField, type FieldAccount } from './virtual-field.ts';

export interface LiveLoopBroker {
  url: string;
  close(): Promise<void>;
}

/** What a run of the story needs from its services. */
export interface LiveLoopServices {
  /** For the suite's title. */
  name: string;
  /** The MQTT version every link must end up speaking: 4 (3.1.1) or 5. */
  protocolVersion: 4 | 5;
  /** How the broker refuses a controller's publish to another site: it drops the connection
   * (aedes, MQTT-3.3.5-2) or answers PUBACK "not authorized" (MQTT 5). */
  forbiddenPublish: 'disconnect' | 'refuse';
  startBroker(users: readonly UserRecord[]): Promise<LiveLoopBroker>;
  /** Opens the store; called again after the engine's restart, and must find the same data. */
  openStore(where: { dataDir: string; clock: ManualClock }): Promise<Store>;
  /** When the story starts, ms; 07:30 UTC of some day (the counts' morning peak). Default `T0`. */
  startMs?: number;
  dispose?(): Promise<void>;
}

const ZONE = 'zz';
/** 07:30 UTC: the counts' morning peak begins (read in UTC). */
const T0 = Date.parse('2026-11-30T07:30:00.000Z');
/** Seconds per clock step: below the engine's first retry (5 s). */
const STEP = 5;
/**
 * Seconds from the engine's start to its first cycle (then every 300 s). Not the default 10: a
 * cycle less than the aggregation grace (120 s) after a 5-minute boundary finds only one closed
 * 5-minute aggregate starting inside its 15-minute window, below the half window a lane needs to
 * count as measured, so it would fall back to the schedule for ever.
 */
const FIRST_CYCLE_DELAY = 150;
const ENGINE_PASSWORD = 'engine-secret';
/** A controller account the broker knows, for a site the network does not have. */
const GHOST_SITE = 'ghost';
/** Per test and for the set-up: the story takes a few seconds, more on a loaded machine. */
const TIMEOUT_MS = 60_000;

interface Rig {
  startMs: number;
  network: RoadNetwork;
  day: TurningFlows;
  prior: TimeOfDayPrior;
  sites: string[];
  accounts: FieldAccount[];
  broker: LiveLoopBroker;
  dataDir: string;
  clock: ManualClock;
  store: Store;
  link: Link;
  engine: Engine;
  logger: ReturnType<typeof memoryLogger>;
  field: VirtualField;
  watcher: Link;
  seen: ReturnType<typeof inbox>;
  /** Links the story opened besides the engine's and the field's, closed at the end. */
  extra: Link[];
}

/**
 * Registers the live-loop story as a `describe` block run against `given` services.
 *
 * @example
 * liveLoopScenario({ name: 'aedes', protocolVersion: 4, forbiddenPublish: 'disconnect', startBroker, openStore });
 */
export function liveLoopScenario(given: LiveLoopServices): void {
  describe(`the live loop on ${given.name}`, () => {
    let rig: Rig;

    beforeAll(async () => {
      rig = await startRig(given);
    }, TIMEOUT_MS);
    afterAll(async () => {
      if (!rig) return;
      await rig.field.stop();
      await rig.engine.stop();
      await rig.store.close();
      await Promise.allSettled([rig.link, rig.watcher, ...rig.extra].map((link) => link.close()));
      await rig.broker.close();
      await rm(rig.dataDir, { recursive: true, force: true });
      await given.dispose?.();
    }, TIMEOUT_MS);

    /** Resolves when `test` holds, checked whenever the engine or the field moves. */
    const waitFor = (test: () => boolean, what: string, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        let done = false;
        const finish = (error?: Error) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          clearInterval(poll);
          if (error) reject(error);
          else resolve();
        };
        const timer = setTimeout(
          () => finish(new Error(`waitFor: ${what} did not happen within ${timeoutMs} ms`)),
          timeoutMs,
        );
        // Some conditions change on messages only the watcher sees: look every few ms as well.
        const poll = setInterval(() => test() && finish(), 5);
        void rig.engine.until(test).then(() => finish());
        void rig.field.until(test).then(() => finish());
      });

    const engineSeq = (site: string) =>
      rig.engine.state.ingest.sequences[sequenceKey(site, 'det.volume')]?.last ?? 0;
    const quiet = () =>
      rig.sites.every(
        (site) =>
          engineSeq(site) >= rig.field.controller(site).volumeSeq &&
          rig.engine.state.deployment.sites[site]?.pending === undefined,
      );
    /** Waits until the engine has every det.volume sent and every command is answered. */
    const settle = async () => {
      await rig.field.idle();
      await waitFor(quiet, 'every det.volume taken and every command answered');
      await rig.engine.idle();
    };
    /** Moves the clock `seconds` on, a step at a time, settling after each. */
    const run = async (seconds: number) => {
      for (let done = 0; done < seconds; done += STEP) {
        rig.clock.advance(Math.min(STEP, seconds - done) * 1000);
        await settle();
      }
    };
    /** Runs until `test` holds, at most `seconds`. */
    const runUntil = async (test: () => boolean, what: string, seconds: number) => {
      for (let done = 0; !test(); done += STEP) {
        if (done >= seconds) throw new Error(`runUntil: ${what} not within ${seconds} s`);
        await run(STEP);
      }
    };
    const alarmsOf = (code: string) =>
      rig.seen.messages
        .filter((message) => message.topic === alarmTopic(ZONE, code))
        .map((message) => JSON.parse(message.payload) as Record<string, unknown>);

    it(
      'connects every controller with its own account, and its detector data reaches the engine',
      async () => {
        expect(rig.link.protocolVersion).toBe(given.protocolVersion);
        await waitFor(
          () => rig.engine.views.controllers().every((view) => view.presence.state === 'online'),
          'every controller online',
        );
        await run(120);
        for (const site of rig.sites) {
          expect(rig.field.controller(site).volumeSeq, site).toBeGreaterThanOrEqual(2);
          expect(engineSeq(site), site).toBe(rig.field.controller(site).volumeSeq);
        }
        // every detector of the map reported, under the ids and sites the engine expects
        const heard = rig.engine.state.ingest.health.detectors;
        expect(Object.keys(rig.field.map.detectors).filter((id) => !heard[id])).toEqual([]);
        const hires = await rig.store.hiresEvents({ fromMs: rig.startMs, toMs: rig.clock.now() });
        expect(new Set(hires.map((event) => event.site))).toEqual(new Set(rig.sites));
        expect(hires.some((event) => event.code === 82)).toBe(true);
        expect(rig.field.counters.publishFailures).toBe(0);
      },
      TIMEOUT_MS,
    );

    it(
      'deploys plans that every controller applies and the simulation runs',
      async () => {
        await runUntil(() => rig.engine.views.decisions(1).length > 0, 'the first decision', 300);
        // no detector history yet: the schedule's plans
        const [first] = rig.engine.views.decisions(1);
        expect(first).toMatchObject({ mode: 'time-of-day', period: 'am-peak', trigger: 'period' });
        for (const site of rig.sites) {
          expect(first!.outcomes[site], site).toBe('sent');
          const controller = rig.field.controller(site);
          expect(controller.active, site).toMatchObject({ planId: 'am-peak', version: 1 });
          expect(controller.commands.map((received) => received.result?.status)).toEqual([
            'applied',
          ]);
          expect(rig.engine.state.deployment.sites[site]?.active?.version, site).toBe(1);
          expect(rig.engine.state.deployment.sites[site]?.history.at(-1)?.outcome).toBe('applied');
        }
        // each simulated signal takes the plan at the end of the cycle it is in
        const running = () =>
          rig.sites.every((site) => rig.field.simulation.activePlan(site).id === 'am-peak');
        await runUntil(running, 'every simulated signal running am-peak', 300);
        for (const site of rig.sites) {
          const plan = rig.field.simulation.activePlan(site);
          expect(plan.cycleLength, site).toBe(rig.field.controller(site).active!.cycle);
          expect(plan.offset, site).toBe(rig.field.controller(site).active!.offset);
        }
        const command = rig.field.controller(rig.sites[0]!).commands[0]!;
        if (given.protocolVersion === 5) {
          expect(command.meta.correlationId).toBe(command.command.correlationId);
          expect(command.meta.responseTopic).toBe(command.command.replyTo);
          expect(command.meta.expirySeconds).toBeGreaterThan(0);
          expect(command.meta.expirySeconds).toBeLessThanOrEqual(60);
        } else {
          expect(command.meta.correlationId).toBeUndefined();
          expect(Date.parse(command.command.expiresAt)).toBeGreaterThan(command.atMs);
        }
        const retained = rig.seen.messages.filter((message) =>
          message.topic.endsWith('/status/tlc.plan'),
        );
        expect(new Set(retained.map((message) => message.topic.split('/')[2]))).toEqual(
          new Set(rig.sites),
        );
        expect(rig.field.result().totals.arrived).toBeGreaterThan(100);
      },
      TIMEOUT_MS,
    );

    it(
      'refuses malformed payloads with input.rejected alarms and keeps deploying plans',
      async () => {
        const site = rig.sites[0]!;
        const account = rig.accounts.find((entry) => entry.site === site)!;
        const raw = await connectLink({
          url: rig.broker.url,
          username: account.username,
          password: account.password,
          clientId: `${account.username}:raw`,
          protocol: 'auto',
        });
        rig.extra.push(raw);
        const ghostAccount = rig.accounts.find((entry) => entry.site === GHOST_SITE)!;
        const ghost = await connectLink({
          url: rig.broker.url,
          username: ghostAccount.username,
          password: ghostAccount.password,
          protocol: 'auto',
        });
        rig.extra.push(ghost);
        const volume = siteTopic({ zone: ZONE, site, kind: 'status', code: 'det.volume' });
        const [own] = rig.field.map.sites[site]!;
        const [foreign] = rig.field.map.sites[rig.sites[1]!]!;
        // the field's latest entry again: a duplicate seq, so the field's own sequence is not disturbed
        const seq = rig.field.controller(site).volumeSeq;
        const ts = new Date(
          rig.clock.now() - ((rig.clock.now() - rig.startMs) % 60_000),
        ).toISOString();
        const entry = (values: Record<string, { count: number; occupancy: number }>) =>
          JSON.stringify({ interval: 60, entries: [{ ts, seq, values }] });
        const cases: [Link, string, string, string][] = [
          [raw, volume, '{"interval": 60, "entries": [', 'not-json'],
          [raw, volume, '{"interval":"60","entries":[]}', 'schema'],
          [raw, volume, entry({ ghost: { count: 1, occupancy: 0 } }), 'unknown-detector'],
          [raw, volume, entry({ [foreign!]: { count: 3, occupancy: 0.1 } }), 'wrong-site'],
          [raw, volume, JSON.stringify({ interval: 60, pad: 'x'.repeat(300 * 1024) }), 'too-large'],
          [raw, `tsc/${ZONE}/${site}/status/tlc.unknown`, '{}', 'unknown-topic'],
          [
            raw,
            `tsc/${ZONE}/${site}/result/tlc.plan.set`,
            '{"correlationId":7,"status":"applied"}',
            'schema',
          ],
          [
            ghost,
            `tsc/${ZONE}/${GHOST_SITE}/status/det.volume`,
            entry({ [own!]: { count: 3, occupancy: 0.1 } }),
            'unknown-site',
          ],
        ];
        const before = alarmsOf('input.rejected').length;
        for (const [link, topic, payload, reasonCode] of cases) {
          await link.publish(topic, payload, { qos: 1 });
          await waitFor(
            () =>
              alarmsOf('input.rejected').some(
                (alarm) =>
                  alarm['topic'] === topic &&
                  (alarm['values'] as Record<string, unknown>)['reasonCode'] === reasonCode,
              ),
            `an input.rejected alarm (${reasonCode}) for ${topic}`,
          );
        }
        const raised = alarmsOf('input.rejected').slice(before);
        expect(
          raised.map((alarm) => (alarm['values'] as Record<string, unknown>)['reasonCode']),
        ).toEqual(cases.map(([, , , reasonCode]) => reasonCode));
        for (const alarm of raised) {
          expect(alarm).toMatchObject({ code: 'input.rejected', active: true });
          expect(String(alarm['reason']).length).toBeGreaterThan(10);
        }
        await rig.engine.idle();
        expect(rig.engine.views.metrics()).toContain(
          'greenwave_inputs_rejected_total{reason="too-large",type="det.volume"} 1',
        );
        // the loop runs on: data keeps coming, and the next plans reach every controller
        const versions = () =>
          rig.sites.map((entry) => rig.field.controller(entry).active?.version ?? 0);
        const deployed = versions();
        await runUntil(
          () => versions().every((version, index) => version > deployed[index]!),
          'a new plan on every controller',
          900,
        );
        for (const entry of rig.sites) {
          const controller = rig.field.controller(entry);
          expect(controller.commands.at(-1)?.result?.status, entry).toBe('applied');
          expect(rig.engine.state.deployment.sites[entry]?.active?.version).toBe(
            controller.active?.version,
          );
          expect(engineSeq(entry)).toBe(controller.volumeSeq);
        }
      },
      TIMEOUT_MS,
    );

    it(
      'lets no controller publish as another site',
      async () => {
        const [site, other] = rig.sites as [string, string];
        const account = rig.accounts.find((entry) => entry.site === site)!;
        // no `account` option: the link does not refuse locally, so the broker has to
        const raw = await connectLink({
          url: rig.broker.url,
          username: account.username,
          password: account.password,
          clientId: `${account.username}:impostor`,
          protocol: 'auto',
          reconnectPeriodMs: 60_000,
        });
        rig.extra.push(raw);
        const topic = siteTopic({ zone: ZONE, site: other, kind: 'status', code: 'det.volume' });
        const forged = JSON.stringify({
          interval: 60,
          entries: [{ ts: new Date(rig.clock.now()).toISOString(), seq: 999_999, values: {} }],
        });
        const counters = { ...rig.engine.counters };
        let outcome: string | undefined;
        void raw.publish(topic, forged, { qos: 1 }).then(
          () => (outcome = 'accepted'),
          (error: LinkError) => (outcome = error.code),
        );
        await waitFor(() => outcome !== undefined || !raw.connected, 'the broker to refuse');
        if (given.forbiddenPublish === 'disconnect') {
          expect(raw.connected).toBe(false);
          await raw.close({ abrupt: true });
          await waitFor(() => outcome !== undefined, 'the publish to end');
          expect(outcome).toBe('CLOSED');
        } else {
          expect(outcome).toBe('PUBLISH_REFUSED');
        }
        // a fence through the broker: the watcher's own message comes back after anything routed before
        const fence = `tsc/${ZONE}/engine/alarm/test.fence`;
        await rig.watcher.publish(fence, '{}', { qos: 1 });
        await waitFor(
          () => rig.seen.messages.some((message) => message.topic === fence),
          'the fence to come back',
        );
        expect(rig.seen.messages.filter((message) => message.payload === forged)).toEqual([]);
        expect(engineSeq(other)).toBeLessThan(999_999);
        expect(rig.engine.counters.rejected).toBe(counters.rejected);
      },
      TIMEOUT_MS,
    );

    it(
      'restarts the engine with its plans, versions and controller state, resending nothing',
      async () => {
        const before = {
          deployment: structuredClone(rig.engine.state.deployment),
          plans: rig.engine.views.plans(),
          decisions: rig.engine.views.decisions(1000).length,
          commands: rig.sites.map((site) => rig.field.controller(site).commands.length),
        };
        await rig.engine.stop();
        await rig.store.close();
        await rig.link.close();
        rig.store = await given.openStore({ dataDir: rig.dataDir, clock: rig.clock });
        rig.link = await engineLink(rig.broker.url);
        rig.logger = memoryLogger();
        rig.engine = newEngine(rig);
        await rig.engine.start();
        // it comes back with what it had, and the retained presence and plans it reads again agree
        await waitFor(
          () => rig.engine.counters.handled >= 2 * rig.sites.length,
          'retained presence and plans',
        );
        for (const site of rig.sites) {
          const was = before.deployment.sites[site]!;
          const now = rig.engine.state.deployment.sites[site]!;
          expect(now.lastVersion, site).toBe(was.lastVersion);
          expect(now.active, site).toEqual(was.active);
          expect(now.history, site).toEqual(was.history);
        }
        expect(rig.engine.views.plans()).toEqual(before.plans);
        expect(rig.engine.views.decisions(1000)).toHaveLength(before.decisions);
        // nothing goes out before the new engine's first decision (its first cycle, 150 s on)
        await run(FIRST_CYCLE_DELAY - STEP);
        expect(rig.sites.map((site) => rig.field.controller(site).commands.length)).toEqual(
          before.commands,
        );
        await runUntil(
          () => rig.engine.views.decisions(1000).length > before.decisions,
          "the new engine's first decision",
          2 * STEP,
        );
        const [decision] = rig.engine.views.decisions(1);
        // what it sends continues the versions and changes the plan; what it keeps is not sent again
        rig.sites.forEach((site, index) => {
          const was = before.deployment.sites[site]!;
          const since = rig.field.controller(site).commands.slice(before.commands[index]);
          if (decision!.outcomes[site] !== 'sent') expect(since, site).toEqual([]);
          since.forEach((received, offset) => {
            expect(received.command.version, site).toBe(was.lastVersion + offset + 1);
            expect(contentKey(received.command), site).not.toBe(contentKey(was.active!));
            expect(received.result?.status, site).toBe('applied');
          });
        });
        for (const site of rig.sites) {
          expect(engineSeq(site), site).toBe(rig.field.controller(site).volumeSeq);
        }
        expect(rig.logger.entries.filter((entry) => entry.level === 'error')).toEqual([]);
      },
      TIMEOUT_MS,
    );
  });
}

// ---- the rig ----------------------------------------------------------------------------------

function engineLink(url: string): Promise<Link> {
  const presence = `tsc/${ZONE}/engine/presence`;
  return connectLink({
    url,
    username: 'engine',
    password: ENGINE_PASSWORD,
    clientId: 'engine',
    protocol: 'auto',
    will: { topic: presence, payload: JSON.stringify({ state: 'offline' }), retain: true },
  });
}

function newEngine(rig: Pick<Rig, 'network' | 'link' | 'store' | 'clock' | 'logger' | 'prior'>) {
  return new Engine({
    network: rig.network,
    link: rig.link,
    store: rig.store,
    zone: ZONE,
    clock: rig.clock,
    logger: rig.logger,
    options: { prior: rig.prior, firstCycleDelay: FIRST_CYCLE_DELAY },
  });
}

async function startRig(services: LiveLoopServices): Promise<Rig> {
  const { network, day, prior, sites } = await loadDemoNetwork();
  const accounts: FieldAccount[] = [...sites, GHOST_SITE].map((site) => ({
    site,
    username: `${ZONE}-${site}`,
    password: `${site}-secret`,
  }));
  const users = await cheapUserRecords([
    { username: 'engine', password: ENGINE_PASSWORD, role: 'engine' },
    ...accounts.map((account) => ({ ...account, role: 'controller' as const, zone: ZONE })),
  ]);
  const broker = await services.startBroker(users);
  const dataDir = await mkdtemp(join(tmpdir(), 'greenwave-live-loop-'));
  const startMs = services.startMs ?? T0;
  const clock = new ManualClock(startMs);
  const watcher = await connectLink({
    url: broker.url,
    username: 'engine',
    password: ENGINE_PASSWORD,
    clientId: 'engine:watcher',
    protocol: 'auto',
  });
  const seen = inbox(watcher);
  await watcher.subscribe(`tsc/${ZONE}/#`, 1);
  const store = await services.openStore({ dataDir, clock });
  const link = await engineLink(broker.url);
  const logger = memoryLogger();
  const engine = newEngine({ network, link, store, clock, logger, prior });
  await engine.start();
  const field = await VirtualField.start({
    network,
    zone: ZONE,
    accounts: accounts.filter((account) => account.site !== GHOST_SITE),
    connect: mqttConnector({ url: broker.url, reconnectPeriodMs: 200 }),
    clock,
    timeZone: 'UTC',
    demand: { counts: day },
    seed: 7,
  });
  return {
    startMs,
    network,
    day,
    prior,
    sites,
    accounts,
    broker,
    dataDir,
    clock,
    store,
    link,
    engine,
    logger,
    field,
    watcher,
    seen,
    extra: [],
  };
}
