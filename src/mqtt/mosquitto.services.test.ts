// The link against a real Mosquitto 2 (MQTT 5): negotiation, properties, message expiry, will
// delay, and the same topic rights as the embedded broker from the generated acl_file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from './accounts.ts';
import { connectLink, type Link, type LinkOptions } from './link.ts';
import { startMosquitto, type MosquittoProcess } from './mosquitto-process.ts';
import { canPublish, topicMatches, topicRights } from './rights.ts';
import { cheapUserRecords, inbox, startProxy } from './testing.ts';
import { createUserRecord } from './user-record.ts';

const jingsan: Account = {
  username: 'zz-jingsan',
  role: 'controller',
  zone: 'zz',
  site: 'jingsan',
};
const dongfeng: Account = {
  username: 'zz-dongfeng',
  role: 'controller',
  zone: 'zz',
  site: 'dongfeng',
};
const passwords: Record<string, string> = {
  engine: 'engine-secret',
  'zz-jingsan': 'jingsan-secret',
  'zz-dongfeng': 'dongfeng-secret',
};

/** Topics that exercise every rule: own and other site, every kind, deeper levels, the engine. */
const probeTopics = [
  'tsc/zz/jingsan/presence',
  'tsc/zz/jingsan/status/det.volume',
  'tsc/zz/jingsan/result/tlc.plan.set',
  'tsc/zz/jingsan/command/tlc.plan.set',
  'tsc/zz/jingsan/alarm/tlc.detector',
  'tsc/zz/jingsan/status/det.volume/live',
  'tsc/zz/dongfeng/presence',
  'tsc/zz/dongfeng/status/det.volume',
  'tsc/zz/dongfeng/command/tlc.plan.set',
  'tsc/zx/jingsan/status/det.volume',
  'tsc/zz/engine/alarm/input.rejected',
  'elsewhere/topic',
];

describe('Mosquitto (MQTT 5)', () => {
  let mosquitto: MosquittoProcess;
  const links: Link[] = [];
  let count = 0;
  const link = async (username: string, extra: Partial<LinkOptions> = {}) => {
    const opened = await connectLink({
      url: mosquitto.url,
      username,
      password: passwords[username]!,
      clientId: `${username}:${(count += 1)}`,
      reconnectPeriodMs: 100,
      ...extra,
    });
    links.push(opened);
    return opened;
  };

  beforeAll(async () => {
    // The engine's hashes at the real default costs, so Mosquitto is shown to take those.
    const engine = await createUserRecord({
      username: 'engine',
      password: passwords.engine!,
      role: 'engine',
    });
    const controllers = await cheapUserRecords([
      { ...jingsan, password: passwords['zz-jingsan']! },
      { ...dongfeng, password: passwords['zz-dongfeng']! },
    ]);
    mosquitto = await startMosquitto({ users: [engine, ...controllers] });
  });
  afterAll(async () => {
    await Promise.all(links.map((open) => open.close()));
    await mosquitto?.close();
    if (mosquitto) expect(() => process.kill(mosquitto.pid, 0)).toThrow();
  });

  it("negotiates MQTT 5 with 'auto' and refuses bad credentials", async () => {
    const engine = await link('engine');
    expect(engine.protocolVersion).toBe(5);
    const wrong = connectLink({
      url: mosquitto.url,
      username: 'zz-jingsan',
      password: 'dongfeng-secret',
      connectTimeoutMs: 3000,
    });
    // MQTT 5 "not authorized" (0x87): a refusal, not a reason to fall back to 3.1.1.
    await expect(wrong).rejects.toMatchObject({ code: 'CONNECT_REFUSED', reasonCode: 135 });
    const old = await link('engine', { protocol: 4 });
    expect(old.protocolVersion).toBe(4);
  });

  it('carries message expiry, response topic and correlation data', async () => {
    const controller = await link('zz-jingsan');
    const commands = inbox(controller);
    await controller.subscribe('tsc/zz/jingsan/command/#');
    const engine = await link('engine');
    await engine.publish('tsc/zz/jingsan/command/tlc.plan.set', '{"planId":"am"}', {
      expirySeconds: 60,
      responseTopic: 'tsc/zz/jingsan/result/tlc.plan.set',
      correlationId: 'corr-42',
    });
    const received = await commands.next(() => true);
    expect(received.meta).toMatchObject({
      responseTopic: 'tsc/zz/jingsan/result/tlc.plan.set',
      correlationId: 'corr-42',
      retained: false,
    });
    expect(received.meta.expirySeconds).toBeGreaterThan(55);
    expect(received.meta.expirySeconds).toBeLessThanOrEqual(60);
  });

  it('does not deliver an expired command to a controller that comes back late', async () => {
    const proxy = await startProxy(mosquitto.port);
    const engine = await link('engine');
    const watch = inbox(engine);
    await engine.subscribe('tsc/zz/dongfeng/presence');
    const controller = await link('zz-dongfeng', {
      url: proxy.url,
      will: { topic: 'tsc/zz/dongfeng/presence', payload: 'offline' },
      birth: { topic: 'tsc/zz/dongfeng/presence', payload: 'online' },
      willDelaySeconds: 10,
    });
    const commands = inbox(controller);
    await controller.subscribe('tsc/zz/dongfeng/command/#');
    await watch.next((m) => m.payload === 'online');
    proxy.setBlocked(true);
    proxy.cut();
    await expect.poll(() => controller.connected).toBe(false);
    await engine.publish('tsc/zz/dongfeng/command/tlc.plan.set', 'stale', { expirySeconds: 1 });
    await engine.publish('tsc/zz/dongfeng/command/tlc.plan.set', 'fresh', { expirySeconds: 60 });
    await new Promise((resolve) => setTimeout(resolve, 2200));
    proxy.setBlocked(false);
    // The session outlived the drop: the fresh command waits for the controller, the stale one expired.
    await commands.next((m) => m.payload === 'fresh');
    expect(commands.messages.map((m) => m.payload)).toEqual(['fresh']);
    // And the will, delayed longer than the drop lasted, was never sent.
    expect(watch.messages.map((m) => m.payload)).not.toContain('offline');
    await controller.close();
    await proxy.close();
  });

  it('delays the will by willDelaySeconds after an abrupt drop', async () => {
    const engine = await link('engine');
    const watch = inbox(engine);
    await engine.subscribe('tsc/zz/jingsan/presence');
    const controller = await link('zz-jingsan', {
      will: { topic: 'tsc/zz/jingsan/presence', payload: 'gone' },
      willDelaySeconds: 1,
    });
    const dropped = Date.now();
    await controller.close({ abrupt: true });
    const will = await watch.next((m) => m.payload === 'gone');
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(900);
    expect(will.topic).toBe('tsc/zz/jingsan/presence');
    const late = await link('engine');
    const later = inbox(late);
    await late.subscribe('tsc/zz/jingsan/presence');
    expect(await later.next(() => true)).toMatchObject({
      payload: 'gone',
      meta: { retained: true },
    });
  });

  it('lets a controller publish exactly where the embedded broker would', async () => {
    const engine = await link('engine');
    const received = inbox(engine);
    await engine.subscribe('#');
    const controller = await link('zz-jingsan');
    const refused: string[] = [];
    for (const topic of probeTopics) {
      await controller.publish(topic, `from jingsan: ${topic}`).catch((error) => {
        expect(error).toMatchObject({ code: 'PUBLISH_REFUSED', reasonCode: 135 });
        refused.push(topic);
      });
    }
    await engine.publish('tsc/zz/engine/alarm/barrier', 'barrier');
    await received.next((m) => m.payload === 'barrier');
    const delivered = received.messages
      .filter((m) => m.payload.startsWith('from jingsan'))
      .map((m) => m.topic);
    const allowed = probeTopics.filter((topic) => canPublish(jingsan, topic));
    expect(delivered).toEqual(allowed);
    expect(refused).toEqual(probeTopics.filter((topic) => !allowed.includes(topic)));
  });

  it('drops a forged publish over MQTT 3.1.1 too', async () => {
    const engine = await link('engine');
    const received = inbox(engine);
    await engine.subscribe('tsc/zz/dongfeng/status/#');
    const controller = await link('zz-jingsan', { protocol: 4 });
    // 3.1.1 has no negative PUBACK: Mosquitto acknowledges and discards.
    await controller.publish('tsc/zz/dongfeng/status/det.volume', 'forged');
    await engine.publish('tsc/zz/dongfeng/status/det.volume', 'barrier');
    await received.next((m) => m.payload === 'barrier');
    expect(received.messages.map((m) => m.payload)).toEqual(['barrier']);
  });

  it('delivers a controller only what it may read, whatever it subscribes to', async () => {
    const controller = await link('zz-jingsan');
    const received = inbox(controller);
    // Mosquitto grants these subscriptions and filters each message by the read rights instead;
    // the embedded broker refuses them. Either way nothing of another site arrives.
    for (const filter of ['#', 'tsc/zz/+/command/#', 'tsc/zz/dongfeng/command/#']) {
      await controller.subscribe(filter).catch((error) => {
        expect(error).toMatchObject({ code: 'SUBSCRIBE_DENIED' });
      });
    }
    const engine = await link('engine');
    for (const topic of probeTopics) await engine.publish(topic, `to: ${topic}`);
    await engine.publish('tsc/zz/jingsan/command/barrier', 'barrier');
    await received.next((m) => m.payload === 'barrier');
    const readable = probeTopics.filter((topic) =>
      topicRights(jingsan).subscribe.some((pattern) => topicMatches(pattern, topic)),
    );
    const delivered = [
      ...new Set(received.messages.filter((m) => m.payload.startsWith('to: ')).map((m) => m.topic)),
    ];
    expect(delivered).toEqual(readable);
    expect(delivered).not.toContain('tsc/zz/dongfeng/command/tlc.plan.set');
  });
});
