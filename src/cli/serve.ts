// `greenwave serve`: the engine with its broker, store, HTTP API and (for the demo) a virtual field.
import { fileURLToPath } from 'node:url';
import { jsonLogger } from '../engine/logger.ts';
import { configFromEnvironment, startGreenwave, type GreenwaveConfig } from '../main.ts';
import type { Output } from './args.ts';
import { UsageError } from './args.ts';

/** The demo network shipped with the project: Jinshui Road, Zhengzhou. */
export const DEMO_NETWORK = fileURLToPath(
  new URL('../../fixtures/networks/zhengzhou-jinshui-road.geojson', import.meta.url),
);
/** A weekday of counts on the demo network: its time-of-day prior. */
export const DEMO_COUNTS = fileURLToPath(
  new URL('../../fixtures/counts/zhengzhou-jinshui-weekday.csv', import.meta.url),
);

/** The options `greenwave serve` takes (for `parse`). */
export const SERVE_OPTIONS = {
  net: 'string',
  port: 'string',
  prior: 'string',
  zone: 'string',
  'data-dir': 'string',
  'no-demo': 'boolean',
} as const;

export const SERVE_USAGE = `  greenwave serve [--net FILE] [--prior COUNTS.csv] [--port N] [--zone ID] [--data-dir DIR]
                  [--no-demo]
      Run the engine: MQTT (embedded broker on MQTT_PORT, default 1883, unless MQTT_URL names
      one, credentials in the URL), store (embedded under GREENWAVE_DATA_DIR, default ./data,
      unless INFLUX_URL), HTTP API on PORT (default 8080; docs at /docs, writes need a key
      from GREENWAVE_API_KEYS), the adaptive loop every GREENWAVE_PERIOD seconds (300), its
      plans proven in simulation before they are sent (GREENWAVE_PROOF=off to skip) and run
      coordinated-actuated when GREENWAVE_ACTUATION gives a passage time (e.g. 2). With
      no --net: the Zhengzhou demo network, its weekday counts as prior, and a virtual field
      playing its controllers (--no-demo or GREENWAVE_DEMO=off to leave the field out).
`;

export interface ServeOptions {
  net?: string;
  port?: string;
  prior?: string;
  zone?: string;
  'data-dir'?: string;
  'no-demo'?: boolean;
}

/**
 * Starts everything and resolves when it has stopped again (SIGINT or SIGTERM); returns the exit
 * code. Environment: `MQTT_URL`, `MQTT_PORT`, `INFLUX_URL`, `PORT`, `HOST`, `GREENWAVE_API_KEYS`,
 * `GREENWAVE_DATA_DIR`, `GREENWAVE_ZONE`, `GREENWAVE_TIME_ZONE`, `GREENWAVE_PERIOD`, `GREENWAVE_PROOF=off`,
 * `GREENWAVE_ACTUATION`, `GREENWAVE_DEMO=off`.
 *
 * @throws {UsageError} for a bad port.
 */
export async function serve(
  options: ServeOptions,
  output: Output,
  {
    env = process.env,
    signals = process,
  }: {
    env?: Record<string, string | undefined>;
    signals?: Pick<NodeJS.Process, 'once' | 'off'>;
  } = {},
): Promise<number> {
  let fromEnv: Partial<GreenwaveConfig>;
  try {
    fromEnv = configFromEnvironment(env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const port = options.port === undefined ? fromEnv.httpPort : Number(options.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new UsageError(`--port (or PORT) must be a port number, not "${options.port}"`);
  }
  const demoNetwork = options.net === undefined;
  const logger = jsonLogger({ write: (line) => output.err(line) }, { level: 'info' });
  const config: GreenwaveConfig = {
    ...fromEnv,
    networkFile: options.net ?? DEMO_NETWORK,
    ...(options.prior
      ? { priorFile: options.prior }
      : demoNetwork
        ? { priorFile: DEMO_COUNTS }
        : {}),
    ...(port !== undefined ? { httpPort: port } : {}),
    ...(options.zone ? { zone: options.zone } : {}),
    ...(options['data-dir'] ? { dataDir: options['data-dir'] } : {}),
    demo: demoNetwork && !options['no-demo'] && fromEnv.demo !== false,
    logger,
    httpLog: false,
  };
  const running = await startGreenwave(config);
  output.err(
    `greenwave: engine on ${running.engine.context.network.getAttribute('name')} at ${running.httpAddress} ` +
      `(health ${running.httpAddress}/health, API docs ${running.httpAddress}/docs), MQTT ${running.brokerUrl}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      signals.off('SIGINT', stop);
      signals.off('SIGTERM', stop);
      output.err('greenwave: stopping\n');
      void running.stop().then(resolve);
    };
    signals.once('SIGINT', stop);
    signals.once('SIGTERM', stop);
  });
  return 0;
}
