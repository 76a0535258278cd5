// The in-memory broker: matching, retained replay, rights, wills, MQTT 5 properties.
import { describe, expect, it } from 'vitest';
import type { Account } from '../mqtt/accounts.ts';
import { MemoryBus } from './memory-bus.ts';

const J1: Account = { username: 'zz-J1', role: 'controller', zone: 'zz', site: 'J1' };

describe('MemoryBus', () => {
  it('delivers to matching filters at once, one copy per link', async () => {
    const bus = new MemoryBus();
    const engine = bus.link({ name: 'engine' });
    const seen: string[] = [];
    engine.onMessage((topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    await engine.subscribe('tsc/zz/+/status/#');
    await engine.subscribe('tsc/zz/J1/#');
    await bus.link({ account: J1 }).publish('tsc/zz/J1/status/det.volume', 'a');
    await bus.link().publish('tsc/zz/J2/result/x', 'b');
    expect(seen).toEqual(['tsc/zz/J1/status/det.volume a']);
  });

  it('replays retained messages to a later subscriber, and an empty payload clears one', async () => {
    const bus = new MemoryBus();
    const controller = bus.link({ account: J1 });
    await controller.publish('tsc/zz/J1/presence', 'online', { retain: true });
    await controller.publish('tsc/zz/J1/status/tlc.plan', 'plan', { retain: true });
    await controller.publish('tsc/zz/J1/status/tlc.plan', '', { retain: true });
    const late = bus.link();
    const seen: { topic: string; retained: boolean }[] = [];
    late.onMessage((topic, _payload, meta) => seen.push({ topic, retained: meta.retained }));
    await late.subscribe('tsc/zz/#');
    expect(seen).toEqual([{ topic: 'tsc/zz/J1/presence', retained: true }]);
  });

  it("enforces a controller's topic rights as the embedded broker does", async () => {
    const bus = new MemoryBus();
    const controller = bus.link({ account: J1 });
    await expect(controller.publish('tsc/zz/J2/presence', 'x')).rejects.toMatchObject({
      code: 'PUBLISH_DENIED',
    });
    await expect(controller.subscribe('tsc/zz/+/command/#')).rejects.toMatchObject({
      code: 'SUBSCRIBE_DENIED',
    });
    expect(await controller.subscribe('tsc/zz/J1/command/#')).toBe(1);
  });

  it('publishes the will on an abrupt close only', async () => {
    const bus = new MemoryBus();
    const will = { topic: 'tsc/zz/J1/presence', payload: 'offline' };
    await bus.link({ account: J1, will }).close();
    expect(bus.retained(will.topic)).toBeUndefined();
    await bus.link({ account: J1, will }).close({ abrupt: true });
    expect(bus.retained(will.topic)?.toString()).toBe('offline');
  });

  it('hands MQTT 5 properties to MQTT 5 links only', async () => {
    const bus = new MemoryBus();
    const five = bus.link({ protocolVersion: 5 });
    const four = bus.link();
    const metas: Record<string, unknown>[] = [];
    for (const link of [five, four]) {
      link.onMessage((_topic, _payload, meta) => metas.push({ ...meta }));
      await link.subscribe('a/#');
    }
    await bus
      .link()
      .publish('a/b', 'x', { correlationId: 'c1', responseTopic: 'a/r', expirySeconds: 9 });
    expect(metas).toEqual([
      { retained: false, correlationId: 'c1', responseTopic: 'a/r', expirySeconds: 9 },
      { retained: false },
    ]);
  });
});
