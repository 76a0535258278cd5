// End to end over a real broker (embedded aedes, MQTT 3.1.1): controllers with their own accounts
// feed detector data, the engine deploys plans and every controller applies them; bad payloads are
// refused with alarms; a controller cannot speak for another site; a restart keeps everything.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteTopic } from '../controllers/topics.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../mqtt/embedded-broker.ts';
import { connectLink, type Link } from '../mqtt/link.ts';
import { cheapUserRecords, inbox } from '../mqtt/testing.ts';
import { openStore, type Store } from '../store/index.ts';
import { ManualClock } from './clock.ts';
import { controllerAccount, loadDemo, T0, ZONE, type Demo } from './engine.fixture.ts';
import { Engine } from './engine.ts';
import { memoryLogger } from './logger.ts';
import { fakeController, minuteOfVolume, type FakeController } from './testing.ts';

const password = (username: string) => `${username}-secret`;

/** Resolves when `test` holds for the engine, or fails naming `what` after `timeoutMs`. */
function waitFor(engine: Engine, test: () => boolean, what: string, timeoutMs = 10_000) {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    engine.until(test).finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    }),
  ]);
}

describe('engine and controllers over the embedded broker', () => {
  let demo: Demo;
  let broker: EmbeddedBroker;
  let dataDir: string;
  let store: Store;
  let engine: Engine;
  let engineLink: Link;
  let watcher: Link;
  let alarms: ReturnType<typeof inbox>;
  const clock = new ManualClock(T0);
  const controllers: Record<string, FakeController> = {};
  const links: Link[] = [];

  const startEngine = async (name: string) => {
    store = await openStore({ dataDir, clock });
    engineLink = await connectLink({
      url: broker.url,
      username: 'engine',
      password: password('engine'),
      clientId: `engine:${name}`,
      reconnectPeriodMs: 100,
    });
    engine = new Engine({
      network: demo.network,
      link: engineLink,
      store,
      zone: ZONE,
      clock,
      logger: memoryLogger(),
      options: { prior: demo.prior, adaptive: false },
    });
    await engine.start();
  };
  const allOnline = () =>
    engine.views.controllers().every((view) => view.presence.state === 'online');
  const allApplied = (version: number) => () =>
    demo.sites.every((site) => {
      const record = engine.state.deployment.sites[site];
      return record?.active?.version === version && record.pending === undefined;
    });

  beforeAll(async () => {
    demo = await loadDemo();
    dataDir = await mkdtemp(join(tmpdir(), 'greenwave-e2e-'));
    const users = await cheapUserRecords([
      { username: 'engine', password: password('engine'), role: 'engine' },
      ...demo.sites.map((site) => ({
        ...controllerAccount(site),
        password: password(controllerAccount(site).username),
      })),
    ]);
    broker = await startEmbeddedBroker({ port: 0, users });
    await startEngine('first');
    watcher = await connectLink({
      url: broker.url,
      username: 'engine',
      password: password('engine'),
      clientId: 'engine:watcher',
    });
    alarms = inbox(watcher);
    await watcher.subscribe(`tsc/${ZONE}/engine/alarm/#`);
    for (const site of demo.sites) {
      const account = controllerAccount(site);
      const presence = siteTopic({ zone: ZONE, site, kind: 'presence', code: '' });
      const link = await connectLink({
        url: broker.url,
        username: account.username,
        password: password(account.username),
        account,
        will: {
          topic: presence,
          payload: JSON.stringify({ state: 'offline', ts: new Date(T0).toISOString() }),
        },
        reconnectPeriodMs: 100,
      });
      links.push(link);
      controllers[site] = await fakeController(link, {
        zone: ZONE,
        site,
        signal: demo.signals[site]!,
        clock,
      });
      await controllers[site].online();
    }
  });

  afterAll(async () => {
    await engine?.stop();
    await Promise.all([...links, engineLink, watcher].map((link) => link?.close()));
    await store?.close();
    await broker?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('sees every controller come online', async () => {
    await waitFor(engine, allOnline, 'presence of every controller');
    expect(engine.views.controllers()).toHaveLength(9);
  });

  it('takes detector data, deploys plans for it, and every controller applies them', async () => {
    for (let minute = 0; minute < 25; minute++) {
      const before = engine.counters.received;
      const movementFlows = demo.prior.flowsAt(clock.now());
      await Promise.all(
        demo.sites.map((site) =>
          controllers[site]!.publishVolume(
            minuteOfVolume(demo.map, site, {
              minute,
              endMs: clock.now(),
              seq: minute,
              movementFlows,
            }),
          ),
        ),
      );
      await waitFor(
        engine,
        () => engine.counters.received >= before + 9,
        `minute ${minute}'s data`,
      );
      clock.advance(60_000);
    }
    expect(engine.counters.rejected).toBe(0);
    const [decision] = engine.runAdaptiveCycle();
    expect(decision).toMatchObject({ mode: 'adaptive' });
    await waitFor(engine, allApplied(1), 'every controller to apply v1');
    for (const site of demo.sites) {
      expect(controllers[site]!.agent.active).toMatchObject({ planId: 'adaptive', version: 1 });
    }
    await engine.idle();
    const stored = await store.planRecords({ fromMs: T0, toMs: clock.now() + 1 });
    expect(stored.map((record) => record.site).sort()).toEqual(demo.sites);
  });

  it('refuses malformed payloads with alarms while the loop keeps running', async () => {
    const js01 = controllers['JS-01']!;
    const link = links[demo.sites.indexOf('JS-01')]!;
    const volume = siteTopic({ zone: ZONE, site: 'JS-01', kind: 'status', code: 'det.volume' });
    const ts = new Date(clock.now()).toISOString();
    const [own] = demo.map.sites['JS-01']!;
    const [foreign] = demo.map.sites['JS-02']!;
    const entry = (detector: string) =>
      JSON.stringify({
        interval: 60,
        entries: [{ ts, seq: 100, values: { [detector]: { count: 1, occupancy: 0.1 } } }],
      });
    const cases: [string, string, string][] = [
      [volume, 'not json at all', 'not-json'],
      [volume, '{"interval":60,"entries":[{"ts":1,"seq":"x","values":{}}]}', 'schema'],
      [volume, entry('ghost-detector'), 'unknown-detector'],
      [volume, entry(foreign!), 'wrong-site'],
      [volume, JSON.stringify({ pad: 'x'.repeat(400 * 1024) }), 'too-large'],
      [
        siteTopic({ zone: ZONE, site: 'JS-01', kind: 'status', code: 'tlc.mystery' }),
        '{}',
        'unknown-topic',
      ],
    ];
    for (const [topic, payload, reasonCode] of cases) {
      await link.publish(topic, payload, { qos: 1 });
      const alarm = await alarms.next(
        (message) => JSON.parse(message.payload).values?.reasonCode === reasonCode,
      );
      expect(JSON.parse(alarm.payload)).toMatchObject({
        code: 'input.rejected',
        topic,
        site: 'JS-01',
        active: true,
      });
    }
    // a good message afterwards is still taken
    const before = engine.counters.handled;
    await js01.publishVolume(JSON.parse(entry(own!)));
    await waitFor(engine, () => engine.counters.handled > before, 'the good message');
    expect(engine.views.status().phase).toBe('running');
  });

  it('never hears a controller that publishes as another site', async () => {
    const rogue = await mqtt.connectAsync(broker.url, {
      username: controllerAccount('JS-02').username,
      password: password(controllerAccount('JS-02').username),
      clientId: `${controllerAccount('JS-02').username}:rogue`,
      reconnectPeriod: 0,
    });
    rogue.on('error', () => {});
    const closed = new Promise<void>((resolve) => rogue.once('close', () => resolve()));
    const forged = JSON.stringify({ state: 'offline', ts: new Date(clock.now()).toISOString() });
    rogue.publish(siteTopic({ zone: ZONE, site: 'JS-01', kind: 'presence', code: '' }), forged, {
      qos: 1,
      retain: true,
    });
    await closed;
    rogue.end(true);
    // the checked link refuses before sending
    await expect(
      links[demo.sites.indexOf('JS-02')]!.publish(
        siteTopic({ zone: ZONE, site: 'JS-01', kind: 'presence', code: '' }),
        forged,
      ),
    ).rejects.toMatchObject({ code: 'PUBLISH_DENIED' });
    // an honest message sent after arrives, and the forged one never did
    const before = engine.counters.received;
    await controllers['JS-03']!.online();
    await waitFor(engine, () => engine.counters.received >= before + 2, 'the honest message');
    expect(engine.views.controllers().find((view) => view.site === 'JS-01')?.presence.state).toBe(
      'online',
    );
  });

  it('keeps plans, versions and controller state across a restart, and carries on from them', async () => {
    await engine.stop();
    await engineLink.close();
    await store.close();
    await startEngine('second');
    for (const site of demo.sites) {
      expect(engine.state.deployment.sites[site]).toMatchObject({
        lastVersion: 1,
        active: { planId: 'adaptive', version: 1 },
        presence: { state: 'online' },
      });
    }
    expect(engine.views.decisions().map((decision) => decision.mode)).toEqual(['adaptive']);
    clock.advance(2 * 3600_000); // 10:00: the data is stale, the schedule's midday plans take over
    const [decision] = engine.runAdaptiveCycle();
    expect(decision).toMatchObject({ mode: 'time-of-day', period: 'midday' });
    await waitFor(engine, allApplied(2), 'every controller to apply v2');
    for (const site of demo.sites) expect(controllers[site]!.agent.active?.version).toBe(2);
  });

  it('raises controller.offline when a controller drops (its Last Will)', async () => {
    const index = demo.sites.indexOf('JS-08');
    await links[index]!.close({ abrupt: true });
    await waitFor(
      engine,
      () =>
        engine.views.controllers().find((view) => view.site === 'JS-08')?.presence.state ===
        'offline',
      'the Last Will of JS-08',
    );
    const alarm = await alarms.next(
      (message) => JSON.parse(message.payload).code === 'controller.offline',
    );
    expect(JSON.parse(alarm.payload)).toMatchObject({ site: 'JS-08', active: true });
  });
});
