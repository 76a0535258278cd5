// The HTTP application, built from its dependencies so tests can inject requests without a socket.
import Fastify, { type FastifyInstance } from 'fastify';
import { summarizeNetwork } from '../network/summary.ts';
import type { RoadNetwork } from '../network/types.ts';

export interface AppDependencies {
  network: RoadNetwork;
  /** Seconds since the process started, for /health. */
  uptime?: () => number;
  logger?: boolean;
}

/**
 * Builds the fastify app: `/health` (unauthenticated) and `/api/v1/network`, a summary of the
 * loaded network. Start it with `app.listen`; test it with `app.inject`.
 *
 * @example
 * const app = buildApp({ network });
 * (await app.inject('/health')).json() // => { status: 'ok', network: 'zhengzhou-jinshui-road', … }
 */
export function buildApp({
  network,
  uptime = process.uptime,
  logger = false,
}: AppDependencies): FastifyInstance {
  const app = Fastify({ logger });
  const summary = summarizeNetwork(network);

  app.get('/health', async () => ({
    status: 'ok',
    network: summary.name,
    signals: summary.signals,
    uptimeSeconds: Math.round(uptime()),
  }));

  app.get('/api/v1/network', async () => summary);

  return app;
}
