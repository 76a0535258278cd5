// Composition root: configuration → broker, link, store, prior, engine, HTTP app, demo field → running.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.ts';
import { parseApiKeys } from './api/auth.ts';
import type { TurningFlows } from './demand/types.ts';
import { prepareServeAccounts } from './engine/broker-accounts.ts';
import { systemClock, type Clock } from './engine/clock.ts';
import type { EngineOptions } from './engine/context.ts';
import { loadDemoField, type DemoField } from './engine/demo-field.ts';
import { Engine } from './engine/engine.ts';
import { EngineError } from './engine/errors.ts';
import { silentLogger, type EngineLogger } from './engine/logger.ts';
import { timeOfDayPrior, type TimeOfDayPrior } from './engine/prior.ts';
import { loadDemand, loadNetwork } from './io/load.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './mqtt/embedded-broker.ts';
import { connectLink, type Link } from './mqtt/link.ts';
import { openStore, type Store } from './store/index.ts';
import { PASSAGE_RANGE, passageFromText } from './timing/validate.ts';

export interface GreenwaveConfig {
  /** The network file (GeoJSON, SUMO, CityFlow). */
  networkFile: string;
  /** A day of turning counts (counts CSV) for the time-of-day prior; none: fall back to the signals' programs. */
  priorFile?: string;
  /** IANA zone the counts' clock is read in; default the process's. */
  timeZone?: string;
  /** The engine's data: users file, embedded store; default `./data`. */
  dataDir?: string;
  /** External broker with the engine's credentials, `mqtt://user:password@host:1883`; none: embedded. */
  mqttUrl?: string;
  /** Embedded broker's port (0: any free one) and interface. */
  mqttPort?: number;
  mqttHost?: string;
  /** InfluxDB 1.x, `http://user:password@host:8086/db`; none: the embedded store. */
  influxUrl?: string;
  httpPort?: number;
  httpHost?: string;
  apiKeys?: readonly string[];
  zone?: string;
  /** Run the virtual field (`src/field/demo.ts`) against the engine. */
  demo?: boolean;
  /** Where the field's module is; default `src/field/demo.ts` (tests give their own). */
  demoFieldModule?: URL;
  engine?: EngineOptions;
  clock?: Clock;
  logger?: EngineLogger;
  /** fastify's request log. */
  httpLog?: boolean;
  /** scrypt cost of the regenerated passwords; lower only in tests. */
  scryptCost?: { ln?: number };
  seed?: number;
}

export interface Running {
  engine: Engine;
  app: FastifyInstance;
  /** `http://host:port`. */
  httpAddress: string;
  /** The broker the engine uses, without credentials. */
  brokerUrl: string;
  prior: TimeOfDayPrior | undefined;
  field: DemoField | undefined;
  /** Stops the field, the engine, HTTP, the link, the broker and the store, in that order. */
  stop(): Promise<void>;
}

/**
 * Starts everything `greenwave serve` runs and returns once the HTTP server listens. What was
 * started is stopped again when a later step fails.
 *
 * @throws {EngineError} `BAD_OPTION` for an MQTT_URL without credentials; link, store and file errors as they come.
 * @example
 * const running = await startGreenwave({ networkFile: DEMO_NETWORK, priorFile: DEMO_COUNTS, demo: true });
 * console.log(running.httpAddress); // http://127.0.0.1:8080
 * await running.stop();
 */
export async function startGreenwave(config: GreenwaveConfig): Promise<Running> {
  const {
    networkFile,
    priorFile,
    timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone,
    dataDir = 'data',
    mqttUrl,
    mqttPort = 1883,
    mqttHost = '127.0.0.1',
    influxUrl,
    httpPort = 8080,
    httpHost = '127.0.0.1',
    apiKeys = [],
    zone = 'zone-1',
    demo = false,
    demoFieldModule,
    engine: engineOptions = {},
    clock = systemClock,
    logger = silentLogger,
    httpLog = false,
    scryptCost,
    seed = 1,
  } = config;
  const stack: { name: string; stop: () => Promise<unknown> }[] = [];
  const unwind = async () => {
    for (const { name, stop } of stack.reverse()) {
      await stop().catch((error: Error) =>
        logger.warn({ error: error.message }, `serve: stopping ${name} failed`),
      );
    }
    stack.length = 0;
  };
  try {
    await mkdir(dataDir, { recursive: true });
    const { network, file } = await loadNetwork(networkFile);
    const sites = Object.keys(network.getAttribute('signals')).sort();
    let day: TurningFlows | undefined;
    let prior: TimeOfDayPrior | undefined;
    if (priorFile) {
      day = (await loadDemand(priorFile, network, { interval: 900 })).flows;
      prior = timeOfDayPrior(network, day, {
        timeZone,
        ...(engineOptions.optimize ? { optimize: engineOptions.optimize } : {}),
      });
    }

    let brokerUrl: string;
    let credentials: { username: string; password: string };
    let demoAccounts: Awaited<ReturnType<typeof prepareServeAccounts>>['demo'] = [];
    if (mqttUrl) {
      ({ url: brokerUrl, credentials } = splitCredentials(mqttUrl));
    } else {
      const accounts = await prepareServeAccounts(join(dataDir, 'users.json'), {
        zone,
        demoSites: demo ? sites : [],
        ...(scryptCost ? { scryptCost } : {}),
      });
      logger.info(
        {
          file: join(dataDir, 'users.json'),
          created: accounts.created,
          demoAccounts: accounts.demo.length,
        },
        'serve: broker accounts ready (engine and demo passwords are new at every start)',
      );
      const broker: EmbeddedBroker = await startEmbeddedBroker({
        port: mqttPort,
        host: mqttHost,
        users: accounts.users,
        logger,
      });
      stack.push({ name: 'the broker', stop: () => broker.close() });
      brokerUrl = broker.url;
      credentials = accounts.engine;
      demoAccounts = accounts.demo;
    }

    const presence = `tsc/${zone}/engine/presence`;
    const link: Link = await connectLink({
      url: brokerUrl,
      ...credentials,
      protocol: 'auto',
      will: {
        topic: presence,
        payload: JSON.stringify({ state: 'offline', ts: iso(clock) }),
        retain: true,
      },
      birth: { topic: presence, payload: JSON.stringify({ state: 'online', ts: iso(clock) }) },
      logger,
    });
    stack.push({
      name: 'the MQTT link',
      stop: async () => {
        await link
          .publish(presence, JSON.stringify({ state: 'shutdown', ts: iso(clock) }), {
            qos: 1,
            retain: true,
          })
          .catch(() => {});
        await link.close();
      },
    });

    const store: Store = await openStore({
      ...(influxUrl ? { influxUrl } : {}),
      dataDir: join(dataDir, 'store'),
      clock,
    });
    stack.push({ name: 'the store', stop: () => store.close() });

    const engine = new Engine({
      network,
      link,
      store,
      zone,
      clock,
      logger,
      options: { ...engineOptions, ...(prior ? { prior } : {}) },
    });
    await engine.start();
    stack.push({ name: 'the engine', stop: () => engine.stop() });

    const app = buildApp({ network, engine, apiKeys, logger: httpLog });
    const httpAddress = await app.listen({ port: httpPort, host: httpHost });
    stack.push({ name: 'the HTTP server', stop: () => app.close() });
    logger.info(
      {
        network: file,
        http: httpAddress,
        mqtt: brokerUrl,
        protocol: link.protocolVersion,
        zone,
        store: influxUrl ? 'influxdb' : 'embedded',
        writes: apiKeys.length > 0 ? 'API key' : 'disabled',
      },
      'serve: running',
    );

    let field: DemoField | undefined;
    if (demo) {
      const loaded = await loadDemoField(demoFieldModule);
      if (loaded.start) {
        field = await loaded.start({
          network,
          zone,
          brokerUrl,
          accounts: demoAccounts,
          clock,
          logger,
          ...(day ? { demand: day } : {}),
          timeZone,
          seed,
        });
        const started = field;
        stack.push({ name: 'the virtual field', stop: () => started.stop() });
      } else {
        logger.warn({}, `serve: ${loaded.reason}`);
      }
    }
    return { engine, app, httpAddress, brokerUrl, prior, field, stop: unwind };
  } catch (error) {
    await unwind();
    throw error;
  }
}

/**
 * The broker URL without its credentials, and the credentials (percent-decoded).
 *
 * @throws {EngineError} `BAD_OPTION` when the URL carries no username and password.
 * @example
 * splitCredentials('mqtt://engine:s%40cret@broker:1883') // => { url: 'mqtt://broker:1883', credentials: { username: 'engine', password: 's@cret' } }
 */
export function splitCredentials(mqttUrl: string): {
  url: string;
  credentials: { username: string; password: string };
} {
  let parsed: URL;
  try {
    parsed = new URL(mqttUrl);
  } catch {
    throw new EngineError(
      'BAD_OPTION',
      `serve: MQTT_URL "${mqttUrl}" is not a URL; give mqtt://user:password@host:1883`,
    );
  }
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  if (!username || !password) {
    throw new EngineError(
      'BAD_OPTION',
      `serve: MQTT_URL must carry the engine's credentials, e.g. mqtt://engine:password@${parsed.host}`,
    );
  }
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString().replace(/\/$/, ''), credentials: { username, password } };
}

/** Settings from the environment (`MQTT_URL`, `MQTT_PORT`, `INFLUX_URL`, `PORT`, `HOST`, …). */
export function configFromEnvironment(
  env: Record<string, string | undefined>,
): Partial<GreenwaveConfig> {
  const number = (name: string) => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
      throw new EngineError('BAD_OPTION', `serve: ${name} must be a port number, not "${value}"`);
    }
    return parsed;
  };
  const text = (name: string) =>
    env[name] === undefined || env[name] === '' ? undefined : env[name];
  const mqttPort = number('MQTT_PORT');
  const httpPort = number('PORT');
  const period = text('GREENWAVE_PERIOD');
  const proofOff = env['GREENWAVE_PROOF'] === 'off';
  const actuation = actuationFrom(text('GREENWAVE_ACTUATION'));
  return {
    ...(text('MQTT_URL') ? { mqttUrl: text('MQTT_URL')! } : {}),
    ...(mqttPort !== undefined ? { mqttPort } : {}),
    ...(text('MQTT_HOST') ? { mqttHost: text('MQTT_HOST')! } : {}),
    ...(text('INFLUX_URL') ? { influxUrl: text('INFLUX_URL')! } : {}),
    ...(httpPort !== undefined ? { httpPort } : {}),
    ...(text('HOST') ? { httpHost: text('HOST')! } : {}),
    apiKeys: parseApiKeys(env['GREENWAVE_API_KEYS']),
    ...(text('GREENWAVE_DATA_DIR') ? { dataDir: text('GREENWAVE_DATA_DIR')! } : {}),
    ...(text('GREENWAVE_ZONE') ? { zone: text('GREENWAVE_ZONE')! } : {}),
    ...(text('GREENWAVE_TIME_ZONE') ? { timeZone: text('GREENWAVE_TIME_ZONE')! } : {}),
    ...(env['GREENWAVE_DEMO'] === 'off' ? { demo: false } : {}),
    ...(period || proofOff || actuation
      ? {
          engine: {
            ...(period ? { period: Number(period) } : {}),
            ...(proofOff ? { proof: false as const } : {}),
            ...(actuation ? { actuation } : {}),
          },
        }
      : {}),
  };
}

/** `GREENWAVE_ACTUATION`: a passage time in seconds runs the controllers actuated; `off` (default) fixed time. */
function actuationFrom(value: string | undefined): { passage: number } | undefined {
  if (value === undefined || value === 'off') return undefined;
  const passage = passageFromText(value);
  if (passage === undefined) {
    throw new EngineError(
      'BAD_OPTION',
      `serve: GREENWAVE_ACTUATION must be a passage time in seconds ${PASSAGE_RANGE} (e.g. 2) or off, not "${value}"`,
    );
  }
  return { passage };
}

const iso = (clock: Clock) => new Date(clock.now()).toISOString();
