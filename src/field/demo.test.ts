// The demo field behind `greenwave serve`: found by the engine's loader, it plays every controller
// of the network over the broker with the demo accounts, and says goodbye when stopped.
import { describe, expect, it } from 'vitest';
import type { DetectorVolumePayload } from '../controllers/payloads.ts';
import { ManualClock } from '../engine/clock.ts';
import { loadDemoField } from '../engine/demo-field.ts';
import { memoryLogger } from '../engine/logger.ts';
import { startEmbeddedBroker } from '../mqtt/embedded-broker.ts';
import { connectLink } from '../mqtt/link.ts';
import { cheapUserRecords, inbox } from '../mqtt/testing.ts';
import { loadDemoNetwork } from './field.fixture.ts';

describe('startDemoField', () => {
  it('is the hook greenwave serve loads, and plays every controller over the broker', async () => {
    const { network, day, sites } = await loadDemoNetwork();
    const loaded = await loadDemoField();
    expect(loaded.reason).toBeUndefined();
    const accounts = sites.map((site) => ({
      site,
      username: `demo-${site}`,
      password: `${site}-password`,
    }));
    const users = await cheapUserRecords([
      { username: 'engine', password: 'engine-password', role: 'engine' },
      ...accounts.map((account) => ({ ...account, role: 'controller' as const, zone: 'zone-1' })),
    ]);
    const broker = await startEmbeddedBroker({ port: 0, users });
    const watcher = await connectLink({
      url: broker.url,
      username: 'engine',
      password: 'engine-password',
    });
    const seen = inbox(watcher);
    await watcher.subscribe('tsc/zone-1/#', 1);
    const clock = new ManualClock(Date.parse('2026-11-30T00:00:00.000Z')); // 08:00 in Zhengzhou
    const logger = memoryLogger();
    try {
      const field = await loaded.start!({
        network,
        zone: 'zone-1',
        brokerUrl: broker.url,
        accounts,
        clock,
        logger,
        demand: day,
        timeZone: 'Asia/Shanghai',
        seed: 1,
      });
      for (const site of sites) {
        await seen.next((message) => message.topic === `tsc/zone-1/${site}/presence`);
      }
      clock.advance(60_000);
      for (const site of sites) {
        const message = await seen.next(
          (candidate) => candidate.topic === `tsc/zone-1/${site}/status/det.volume`,
        );
        const payload = JSON.parse(message.payload) as DetectorVolumePayload;
        expect(payload.entries[0]!.ts).toBe('2026-11-30T00:01:00.000Z');
      }
      await field.stop();
      for (const site of sites) {
        await seen.next(
          (message) =>
            message.topic === `tsc/zone-1/${site}/presence` &&
            JSON.parse(message.payload).state === 'shutdown',
        );
      }
      expect(logger.entries.filter((entry) => entry.level === 'warn')).toEqual([]);
    } finally {
      await watcher.close();
      await broker.close();
    }
  });
});
