// The composition root end to end: embedded broker, store, engine, HTTP and the field hook, on
// free ports in a temporary data directory; then a second start on the same data.
import { access, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from './engine/clock.ts';
import type { DemoFieldOptions } from './engine/demo-field.ts';
import { COUNTS_FILE, NETWORK_FILE, T0, temporaryDirectory } from './engine/engine.fixture.ts';
import { connectLink } from './mqtt/link.ts';
import { configFromEnvironment, splitCredentials, startGreenwave, type Running } from './main.ts';

const fieldRuns: DemoFieldOptions[] = [];
(globalThis as { greenwaveFieldRuns?: DemoFieldOptions[] }).greenwaveFieldRuns = fieldRuns;

describe('startGreenwave', () => {
  let dataDir: string;
  let running: Running | undefined;
  afterAll(async () => {
    await running?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs broker, store, engine, HTTP and the field, and stops them', async () => {
    dataDir = await temporaryDirectory();
    const fieldModule = join(dataDir, 'field.mjs');
    await writeFile(
      fieldModule,
      'export async function startDemoField(options) { globalThis.greenwaveFieldRuns.push(options); return { stop: async () => {} }; }\n',
    );
    const clock = new ManualClock(T0);
    const start = () =>
      startGreenwave({
        networkFile: NETWORK_FILE,
        priorFile: COUNTS_FILE,
        timeZone: 'UTC',
        dataDir,
        mqttPort: 0,
        httpPort: 0,
        apiKeys: ['key-1'],
        zone: 'zz',
        demo: true,
        demoFieldModule: pathToFileURL(fieldModule),
        clock,
        scryptCost: { ln: 10 },
      });
    running = await start();
    const health = (await (await fetch(`${running.httpAddress}/health`)).json()) as Record<
      string,
      unknown
    >;
    expect(health).toMatchObject({
      status: 'ok',
      engine: { mqtt: { connected: true, protocolVersion: 4 } },
    });

    // the field got a working account for every signal, on the engine's clock
    expect(fieldRuns).toHaveLength(1);
    const [options] = fieldRuns as [DemoFieldOptions];
    expect(options.accounts.map((account) => account.site)).toEqual(
      Object.keys(options.network.getAttribute('signals')).sort(),
    );
    expect(options).toMatchObject({
      zone: 'zz',
      brokerUrl: running.brokerUrl,
      timeZone: 'UTC',
      seed: 1,
    });
    expect(options.clock).toBe(clock);
    expect(options.demand?.flows.length).toBeGreaterThan(1000);
    const account = options.accounts.find((entry) => entry.site === 'JS-04')!;
    const controller = await connectLink({ url: options.brokerUrl, ...account });
    await controller.publish(
      'tsc/zz/JS-04/presence',
      JSON.stringify({ state: 'online', ts: new Date(T0).toISOString() }),
      { retain: true },
    );
    const engine = running.engine;
    await engine.until(() =>
      engine.views
        .controllers()
        .some((view) => view.site === 'JS-04' && view.presence.state === 'online'),
    );
    await controller.close();

    const run = await fetch(`${running.httpAddress}/api/v1/adaptive/run`, {
      method: 'POST',
      headers: { 'x-api-key': 'key-1' },
    });
    expect(run.status).toBe(200);
    const address = running.httpAddress;
    await running.stop();
    running = undefined;
    await expect(fetch(`${address}/health`)).rejects.toThrow();
    await access(join(dataDir, 'users.json'));

    // a second start on the same data resumes: versions and decisions are still there
    running = await start();
    expect(running.engine.state.deployment.sites['JS-04']).toMatchObject({ lastVersion: 1 });
    expect(running.engine.views.decisions()).toHaveLength(1);
  });
});

describe('splitCredentials', () => {
  it('takes the credentials out of the URL, decoded', () => {
    expect(splitCredentials('mqtt://engine:s%40cret@broker:1883')).toEqual({
      url: 'mqtt://broker:1883',
      credentials: { username: 'engine', password: 's@cret' },
    });
  });

  it('refuses a URL without credentials, or no URL at all', () => {
    expect(() => splitCredentials('mqtt://broker:1883')).toThrow(
      expect.objectContaining({ code: 'BAD_OPTION' }),
    );
    expect(() => splitCredentials('not a url')).toThrow(
      expect.objectContaining({ code: 'BAD_OPTION' }),
    );
  });
});

describe('configFromEnvironment', () => {
  it('reads the documented variables', () => {
    expect(
      configFromEnvironment({
        MQTT_URL: 'mqtt://e:p@b:1883',
        MQTT_PORT: '1884',
        INFLUX_URL: 'http://i:8086/traffic',
        PORT: '9090',
        GREENWAVE_API_KEYS: 'a, b',
        GREENWAVE_DATA_DIR: '/var/lib/greenwave',
        GREENWAVE_ZONE: 'zz',
        GREENWAVE_TIME_ZONE: 'Asia/Shanghai',
        GREENWAVE_PERIOD: '120',
        GREENWAVE_PROOF: 'off',
        GREENWAVE_DEMO: 'off',
      }),
    ).toEqual({
      mqttUrl: 'mqtt://e:p@b:1883',
      mqttPort: 1884,
      influxUrl: 'http://i:8086/traffic',
      httpPort: 9090,
      apiKeys: ['a', 'b'],
      dataDir: '/var/lib/greenwave',
      zone: 'zz',
      timeZone: 'Asia/Shanghai',
      engine: { period: 120, proof: false },
      demo: false,
    });
    expect(configFromEnvironment({})).toEqual({ apiKeys: [] });
    expect(configFromEnvironment({ GREENWAVE_PROOF: 'off' })).toEqual({
      apiKeys: [],
      engine: { proof: false },
    });
    expect(configFromEnvironment({ GREENWAVE_ACTUATION: '2.5' })).toEqual({
      apiKeys: [],
      engine: { actuation: { passage: 2.5 } },
    });
    expect(configFromEnvironment({ GREENWAVE_ACTUATION: 'off' })).toEqual({ apiKeys: [] });
    for (const bad of ['on', '-1', '45']) {
      expect(() => configFromEnvironment({ GREENWAVE_ACTUATION: bad })).toThrow(
        /GREENWAVE_ACTUATION must be a passage time/,
      );
    }
    expect(() => configFromEnvironment({ PORT: 'eighty' })).toThrow(
      expect.objectContaining({ code: 'BAD_OPTION' }),
    );
  });
});
