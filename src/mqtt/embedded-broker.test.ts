// The embedded broker with real mqtt.js clients: accounts, topic rights, will and presence,
// the MQTT 5 fallback, oversize packets, reconnection and clean shutdown.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from './accounts.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.ts';
import { connectLink, LinkError, type Link, type LinkOptions } from './link.ts';
import { cheapUserRecords, inbox, startProxy } from './testing.ts';

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

/** The accounts above as users-file records. */
const testUsers = () =>
  cheapUserRecords([
    { username: 'engine', password: passwords.engine!, role: 'engine' },
    { ...jingsan, password: passwords['zz-jingsan']! },
    { ...dongfeng, password: passwords['zz-dongfeng']! },
  ]);

describe('embedded broker', () => {
  let broker: EmbeddedBroker;
  const links: Link[] = [];
  let count = 0;
  // Each link its own client id: two links sharing one would keep taking the session from each other.
  const link = async (username: string, extra: Partial<LinkOptions> = {}) => {
    const opened = await connectLink({
      url: broker.url,
      username,
      clientId: `${username}:${(count += 1)}`,
      password: passwords[username]!,
      reconnectPeriodMs: 100,
      ...extra,
    });
    links.push(opened);
    return opened;
  };

  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const logger = {
    info: () => {},
    warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
  };

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0, users: await testUsers(), logger });
  });
  afterAll(async () => {
    await Promise.all(links.map((open) => open.close()));
    await broker.close();
  });

  describe('accounts', () => {
    it('lets in good credentials, over MQTT 3.1.1 after MQTT 5 is refused', async () => {
      const engine = await link('engine');
      expect(engine.protocolVersion).toBe(4);
      expect(engine.connected).toBe(true);
    });

    it('refuses a wrong password and an unknown user with return code 4', async () => {
      const attempt = (username: string, password: string) =>
        connectLink({ url: broker.url, username, password, connectTimeoutMs: 3000 });
      await expect(attempt('zz-jingsan', 'dongfeng-secret')).rejects.toMatchObject({
        code: 'CONNECT_REFUSED',
        reasonCode: 4,
      });
      await expect(attempt('zz-nobody', 'x')).rejects.toMatchObject({ reasonCode: 4 });
    });

    it("refuses another account's client id (no session takeover)", async () => {
      const attempt = connectLink({
        url: broker.url,
        username: 'zz-dongfeng',
        password: passwords['zz-dongfeng']!,
        clientId: 'zz-jingsan',
        connectTimeoutMs: 3000,
      });
      await expect(attempt).rejects.toMatchObject({ code: 'CONNECT_REFUSED', reasonCode: 2 });
    });

    it('refuses MQTT 5 when asked for it explicitly', async () => {
      const attempt = connectLink({
        url: broker.url,
        username: 'engine',
        password: passwords.engine!,
        protocol: 5,
        connectTimeoutMs: 3000,
      });
      await expect(attempt).rejects.toMatchObject({ code: 'PROTOCOL_REFUSED', reasonCode: 1 });
    });

    it('gives up on an unreachable broker after connectTimeoutMs', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as { port: number };
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const started = Date.now();
      const attempt = connectLink({
        url: `mqtt://127.0.0.1:${port}`,
        username: 'engine',
        password: 'x',
        reconnectPeriodMs: 100,
        connectTimeoutMs: 600,
      });
      await expect(attempt).rejects.toMatchObject({ code: 'CONNECT_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(3000);
    });
  });

  describe('topic rights', () => {
    it("delivers a controller's own status to the engine", async () => {
      const engine = await link('engine');
      const received = inbox(engine);
      await engine.subscribe('tsc/+/+/status/#');
      const controller = await link('zz-jingsan', { account: jingsan });
      await controller.publish('tsc/zz/jingsan/status/det.volume', '{"n":1}', { qos: 1 });
      const message = await received.next((m) => m.topic === 'tsc/zz/jingsan/status/det.volume');
      expect(message.payload).toBe('{"n":1}');
    });

    it('closes a controller publishing as another site, and nobody receives it', async () => {
      const engine = await link('engine');
      const received = inbox(engine);
      await engine.subscribe('tsc/#');
      // A rogue client, not our link: the broker alone must stop it.
      const rogue = await mqtt.connectAsync(broker.url, {
        username: 'zz-jingsan',
        password: passwords['zz-jingsan'],
        clientId: 'zz-jingsan:rogue',
        reconnectPeriod: 0,
      });
      const closed = new Promise<void>((resolve) => rogue.once('close', () => resolve()));
      rogue.on('error', () => {});
      rogue.publish('tsc/zz/dongfeng/status/det.volume', 'forged', { qos: 1 });
      rogue.publish('tsc/zz/dongfeng/presence', 'forged', { qos: 1, retain: true });
      await closed;
      rogue.end(true);
      // A message sent after the forged ones arrives; the forged ones never do.
      const honest = await link('zz-dongfeng', { account: dongfeng });
      await honest.publish('tsc/zz/dongfeng/status/det.volume', 'honest');
      await received.next((m) => m.payload === 'honest');
      expect(received.messages.filter((m) => m.payload === 'forged')).toEqual([]);
      expect(warnings).toContainEqual({
        fields: expect.objectContaining({
          username: 'zz-jingsan',
          topic: 'tsc/zz/dongfeng/status/det.volume',
        }),
        message: 'mqtt: publish denied, connection closed',
      });
    });

    it('never replays a forged retained message to later subscribers', async () => {
      const dongfengLink = await link('zz-dongfeng', { account: dongfeng });
      await dongfengLink.publish('tsc/zz/dongfeng/presence', 'true presence', { retain: true });
      const rogue = await mqtt.connectAsync(broker.url, {
        username: 'zz-jingsan',
        password: passwords['zz-jingsan'],
        clientId: 'zz-jingsan:rogue2',
        reconnectPeriod: 0,
      });
      rogue.on('error', () => {});
      const closed = new Promise<void>((resolve) => rogue.once('close', () => resolve()));
      rogue.publish('tsc/zz/dongfeng/presence', 'forged presence', { qos: 1, retain: true });
      await closed;
      rogue.end(true);
      const late = await link('engine', { clientId: 'engine:late' });
      const received = inbox(late);
      await late.subscribe('tsc/zz/dongfeng/presence');
      const retained = await received.next(() => true);
      expect(retained).toMatchObject({ payload: 'true presence', meta: { retained: true } });
    });

    it('refuses before sending when the link knows its account', async () => {
      const controller = await link('zz-jingsan', {
        account: jingsan,
        clientId: 'zz-jingsan:checked',
      });
      const attempt = controller.publish('tsc/zz/dongfeng/status/det.volume', 'x');
      await expect(attempt).rejects.toMatchObject({ code: 'PUBLISH_DENIED' });
      expect(controller.connected).toBe(true);
    });

    it("refuses a controller's subscription to another site's commands; nothing arrives", async () => {
      const controller = await link('zz-jingsan', { clientId: 'zz-jingsan:listener' });
      const received = inbox(controller);
      await expect(controller.subscribe('tsc/zz/dongfeng/command/#')).rejects.toMatchObject({
        code: 'SUBSCRIBE_DENIED',
        reasonCode: 128,
      });
      await expect(controller.subscribe('tsc/zz/+/command/#')).rejects.toMatchObject({
        code: 'SUBSCRIBE_DENIED',
      });
      await expect(controller.subscribe('#')).rejects.toMatchObject({ code: 'SUBSCRIBE_DENIED' });
      await expect(controller.subscribe('$SYS/#')).rejects.toMatchObject({
        code: 'SUBSCRIBE_DENIED',
      });
      expect(await controller.subscribe('tsc/zz/jingsan/command/#')).toBe(1);
      const engine = await link('engine', { clientId: 'engine:commands' });
      await engine.publish('tsc/zz/dongfeng/command/tlc.plan.set', 'for dongfeng');
      await engine.publish('tsc/zz/jingsan/command/tlc.plan.set', 'for jingsan');
      await received.next((m) => m.payload === 'for jingsan');
      expect(received.messages.map((m) => m.payload)).toEqual(['for jingsan']);
    });

    it('delivers an engine command to the right controller only', async () => {
      const [jingsanLink, dongfengLink] = await Promise.all([
        link('zz-jingsan', { clientId: 'zz-jingsan:cmd' }),
        link('zz-dongfeng', { clientId: 'zz-dongfeng:cmd' }),
      ]);
      const [atJingsan, atDongfeng] = [inbox(jingsanLink), inbox(dongfengLink)];
      await jingsanLink.subscribe('tsc/zz/jingsan/command/#');
      await dongfengLink.subscribe('tsc/zz/dongfeng/command/#');
      const engine = await link('engine', { clientId: 'engine:deploy' });
      const command = JSON.stringify({
        correlationId: 'c-1',
        replyTo: 'tsc/zz/jingsan/result/tlc.plan.set',
      });
      await engine.publish('tsc/zz/jingsan/command/tlc.plan.set', command, {
        expirySeconds: 60,
        responseTopic: 'tsc/zz/jingsan/result/tlc.plan.set',
        correlationId: 'c-1',
      });
      await engine.publish('tsc/zz/dongfeng/command/tlc.plan.set', 'barrier');
      await atDongfeng.next((m) => m.payload === 'barrier');
      const received = await atJingsan.next(() => true);
      // MQTT 3.1.1 carries no properties: the payload says where to answer.
      expect(received).toEqual({
        topic: 'tsc/zz/jingsan/command/tlc.plan.set',
        payload: command,
        meta: { retained: false },
      });
      expect(atJingsan.messages).toHaveLength(1);
      expect(atDongfeng.messages.map((m) => m.payload)).toEqual(['barrier']);
    });
  });

  describe('presence', () => {
    it('keeps presence retained and publishes the Last Will when a controller drops', async () => {
      const engine = await link('engine', { clientId: 'engine:presence' });
      const received = inbox(engine);
      await engine.subscribe('tsc/+/+/presence');
      const controller = await link('zz-jingsan', {
        clientId: 'zz-jingsan:presence',
        will: { topic: 'tsc/zz/jingsan/presence', payload: '{"state":"offline"}' },
        birth: { topic: 'tsc/zz/jingsan/presence', payload: '{"state":"online"}' },
      });
      await received.next((m) => m.payload === '{"state":"online"}');
      expect(controller.connected).toBe(true);
      await controller.close({ abrupt: true });
      await received.next((m) => m.payload === '{"state":"offline"}');
      // A subscriber arriving later reads the last state from the retained message.
      const late = await link('engine', { clientId: 'engine:late-presence' });
      const later = inbox(late);
      await late.subscribe('tsc/zz/jingsan/presence');
      expect(await later.next(() => true)).toMatchObject({
        payload: '{"state":"offline"}',
        meta: { retained: true },
      });
    });

    it('discards the will on a clean close', async () => {
      const engine = await link('engine', { clientId: 'engine:clean' });
      const received = inbox(engine);
      await engine.subscribe('tsc/zz/dongfeng/presence');
      const controller = await link('zz-dongfeng', {
        clientId: 'zz-dongfeng:clean',
        will: { topic: 'tsc/zz/dongfeng/presence', payload: 'offline' },
        birth: { topic: 'tsc/zz/dongfeng/presence', payload: 'online' },
      });
      await received.next((m) => m.payload === 'online');
      await controller.publish('tsc/zz/dongfeng/presence', 'shutdown', { retain: true });
      await controller.close();
      await engine.publish('tsc/zz/dongfeng/presence', 'barrier');
      await received.next((m) => m.payload === 'barrier');
      expect(received.messages.map((m) => m.payload)).not.toContain('offline');
    });
  });

  describe('connections', () => {
    it('reconnects after a network drop: will, then birth again, subscriptions kept', async () => {
      const proxy = await startProxy(broker.port);
      const engine = await link('engine', { clientId: 'engine:watch' });
      const received = inbox(engine);
      await engine.subscribe('tsc/zz/jingsan/#');
      const controller = await link('zz-jingsan', {
        url: proxy.url,
        clientId: 'zz-jingsan:blip',
        will: { topic: 'tsc/zz/jingsan/presence', payload: 'blip-offline' },
        birth: { topic: 'tsc/zz/jingsan/presence', payload: 'blip-online' },
      });
      const commands = inbox(controller);
      await controller.subscribe('tsc/zz/jingsan/command/#');
      await received.next((m) => m.payload === 'blip-online');
      const onlineBefore = received.messages.filter((m) => m.payload === 'blip-online').length;
      proxy.cut();
      await received.next((m) => m.payload === 'blip-offline');
      await received.next(
        (m) => m.payload === 'blip-online' && received.messages.indexOf(m) >= onlineBefore + 1,
      );
      await expect.poll(() => controller.connected).toBe(true);
      await engine.publish('tsc/zz/jingsan/command/tlc.plan.set', 'after the blip');
      await commands.next((m) => m.payload === 'after the blip');
      await controller.close();
      await proxy.close();
    });

    it('rejects what is still waiting for the broker when closed', async () => {
      const proxy = await startProxy(broker.port);
      const controller = await link('zz-jingsan', {
        url: proxy.url,
        clientId: 'zz-jingsan:pending',
      });
      await proxy.close(); // the broker is now out of reach, and stays so
      await expect.poll(() => controller.connected).toBe(false);
      const live = controller.publish('tsc/zz/jingsan/status/det.volume', 'live', { qos: 0 });
      await expect(live).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
      const pending = controller.publish('tsc/zz/jingsan/status/det.volume', 'stuck', { qos: 1 });
      await controller.close();
      await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
      await expect(controller.publish('tsc/zz/jingsan/presence', 'x')).rejects.toBeInstanceOf(
        LinkError,
      );
    });

    it('drops a connection announcing a packet over the limit, and delivers one below it', async () => {
      const small = await startEmbeddedBroker({
        port: 0,
        users: await testUsers(),
        maxPacketBytes: 64 * 1024,
      });
      try {
        const engine = await connectLink({
          url: small.url,
          username: 'engine',
          password: passwords.engine!,
        });
        const received = inbox(engine);
        await engine.subscribe('tsc/#');
        const sender = await connectLink({
          url: small.url,
          username: 'zz-jingsan',
          password: passwords['zz-jingsan']!,
          reconnectPeriodMs: 0,
        });
        await sender.publish('tsc/zz/jingsan/status/det.volume', 'x'.repeat(60 * 1024));
        await received.next((m) => m.payload.length === 60 * 1024);
        const dropped = new Promise<void>((resolve) => {
          const timer = setInterval(
            () => !sender.connected && (clearInterval(timer), resolve()),
            10,
          );
        });
        void sender
          .publish('tsc/zz/jingsan/status/det.volume', 'y'.repeat(65 * 1024))
          .catch(() => {});
        await dropped;
        await sender.close();
        await engine.publish('tsc/zz/engine/alarm/barrier', 'barrier');
        await received.next((m) => m.payload === 'barrier');
        expect(received.messages.some((m) => m.payload.startsWith('y'))).toBe(false);
        await engine.close();
      } finally {
        await small.close();
      }
    });

    it('lets a process that used a broker and links exit on its own', async () => {
      const here = fileURLToPath(new URL('.', import.meta.url));
      const dir = mkdtempSync(join(tmpdir(), 'greenwave-mqtt-exit-'));
      const script = join(dir, 'exit.mts');
      writeFileSync(
        script,
        `
import { startEmbeddedBroker } from '${join(here, 'embedded-broker.ts')}';
import { connectLink } from '${join(here, 'link.ts')}';
import { createUserRecord } from '${join(here, 'user-record.ts')}';
const user = await createUserRecord({ username: 'engine', password: 'pw', role: 'engine' }, { scryptCost: { ln: 10 }, mosquittoIterations: 10 });
const broker = await startEmbeddedBroker({ port: 0, users: [user] });
const link = await connectLink({ url: broker.url, username: 'engine', password: 'pw', will: { topic: 'w', payload: 'x' }, birth: { topic: 'w', payload: 'y' } });
await link.subscribe('w');
await link.publish('w', 'z');
await link.close();
await broker.close();
console.log('closed');
`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'pipe' });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const exitCode = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve(null);
        }, 10_000);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
      rmSync(dir, { recursive: true, force: true });
      expect({ exitCode, output: output.trim() }).toEqual({ exitCode: 0, output: 'closed' });
    });
  });
});
