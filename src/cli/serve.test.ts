// `greenwave serve` from options and environment to a running engine, stopped by a signal.
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../engine/engine.fixture.ts';
import { UsageError } from './args.ts';
import { serve } from './serve.ts';

describe('greenwave serve', () => {
  let dataDir: string | undefined;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('starts on the demo network, serves HTTP, and stops on SIGTERM', async () => {
    dataDir = await temporaryDirectory();
    const signals = new EventEmitter();
    let stderr = '';
    const output = { out: () => {}, err: (text: string) => void (stderr += text) };
    const exit = serve({ 'no-demo': true }, output, {
      env: { MQTT_PORT: '0', PORT: '0', GREENWAVE_DATA_DIR: dataDir, GREENWAVE_ZONE: 'zz' },
      signals: signals as unknown as Pick<NodeJS.Process, 'once' | 'off'>,
    });
    for (let wait = 0; !/greenwave: engine on /.test(stderr); wait++) {
      expect(wait).toBeLessThan(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const address = /at (http:\/\/[^ ]+) /.exec(stderr)![1]!;
    const health = (await (await fetch(`${address}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', signals: 9 });
    const write = await fetch(`${address}/api/v1/adaptive/run`, { method: 'POST' });
    expect(write.status).toBe(403); // no GREENWAVE_API_KEYS: writes are off
    expect(stderr).toContain('"msg":"engine: started"');
    expect(stderr).not.toContain('virtual field');
    signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toContain('"msg":"engine: stopped"');
  });

  it('refuses a bad port', async () => {
    await expect(
      serve({ port: 'x' }, { out: () => {}, err: () => {} }, { env: {} }),
    ).rejects.toThrow(UsageError);
    await expect(
      serve({}, { out: () => {}, err: () => {} }, { env: { PORT: '70000' } }),
    ).rejects.toThrow(UsageError);
  });
});
