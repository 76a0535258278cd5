// The HTTP application, built from its dependencies so tests can inject requests without a socket.
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { detectorMap } from '../ingest/detector-map.ts';
import { summarizeNetwork } from '../network/summary.ts';
import type { RoadNetwork } from '../network/types.ts';
import { engineRoutes, type EngineApi } from './engine-routes.ts';
import { ApiError } from './errors.ts';
import {
  documented,
  openApiDocument,
  type DocumentedSchema,
  type RouteDocumentation,
} from './openapi.ts';
import { networkMap, type NetworkMap } from './network-map.ts';
import { pageRoutes } from './page-routes.ts';
import { HealthResponse, NetworkMapResponse } from './schemas.ts';
import { viewRoutes } from './view-routes.ts';

export type { EngineApi } from './engine-routes.ts';

export interface AppDependencies {
  network: RoadNetwork;
  /** The running engine: without one only the network and health routes exist. */
  engine?: EngineApi;
  /** Keys that may write (`GREENWAVE_API_KEYS`); none: writes are refused. */
  apiKeys?: readonly string[];
  /** Seconds since the process started, for /health. */
  uptime?: () => number;
  logger?: boolean;
  version?: string;
}

/**
 * Builds the fastify app: `/health` and `/metrics` (unauthenticated), `/api/v1/network` and its
 * map, and with an engine its routes under `/api/v1` (reads open, writes behind an API key) and
 * the page's time–space diagram and before/after measures; the web page at `/`; the OpenAPI
 * document of all of them at `/docs/openapi.json` and a route list at `/docs`. Start it with
 * `app.listen`; test it with `app.inject`.
 *
 * @example
 * const app = buildApp({ network, engine, apiKeys: ['secret'] });
 * (await app.inject('/health')).json() // => { status: 'ok', network: 'zhengzhou-jinshui-road', … }
 */
export function buildApp({
  network,
  engine,
  apiKeys = [],
  uptime = process.uptime,
  logger = false,
  version = '0.1.0',
}: AppDependencies): FastifyInstance {
  const app = Fastify({ logger });
  const summary = summarizeNetwork(network);
  const routes: RouteDocumentation[] = [];
  app.addHook('onRoute', (route) => {
    routes.push({
      method: route.method,
      url: route.url,
      ...(route.schema ? { schema: route.schema as DocumentedSchema } : {}),
    });
  });
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.statusCode).send(error.body());
    if ((error as FastifyError).validation) {
      return reply
        .code(400)
        .send(new ApiError('VALIDATION_FAILED', `${error.message}; see /docs/openapi.json`).body());
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({
        statusCode: status,
        code: (error as FastifyError).code ?? 'BAD_REQUEST',
        error: 'Bad Request',
        message: error.message,
      });
    }
    request.log.error({ error: error.message, stack: error.stack }, 'request failed');
    return reply
      .code(500)
      .send(new ApiError('INTERNAL', 'the request failed; see the engine log').body());
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        new ApiError('NOT_FOUND', `no route ${request.method} ${request.url}; see /docs`).body(),
      ),
  );

  app.get(
    '/health',
    {
      schema: documented({
        summary: 'Liveness and the state of the MQTT link; 503 when degraded',
        tags: ['operations'],
        response: { 200: HealthResponse, 503: HealthResponse },
      }),
    },
    async (_request, reply) => {
      const status = engine?.views.status();
      const degraded =
        status !== undefined && (status.phase !== 'running' || !status.mqtt.connected);
      const body = {
        status: degraded ? ('degraded' as const) : ('ok' as const),
        network: summary.name,
        signals: summary.signals,
        uptimeSeconds: Math.round(uptime()),
        ...(status
          ? {
              engine: {
                phase: status.phase,
                mqtt: status.mqtt,
                controllersOnline: engine!.views
                  .controllers()
                  .filter((view) => view.presence.state === 'online').length,
              },
            }
          : {}),
      };
      return reply.code(degraded ? 503 : 200).send(body);
    },
  );

  app.get(
    '/metrics',
    {
      schema: documented({
        summary: 'Prometheus metrics (text format 0.0.4)',
        tags: ['operations'],
        produces: 'text/plain',
        response: { 200: Type.String() },
      }),
    },
    async (_request, reply) => {
      const process = `# HELP greenwave_up Whether the engine process is up.\n# TYPE greenwave_up gauge\ngreenwave_up 1\n# HELP greenwave_uptime_seconds Seconds since the process started.\n# TYPE greenwave_uptime_seconds gauge\ngreenwave_uptime_seconds ${Math.round(uptime())}\n`;
      return reply
        .type('text/plain; version=0.0.4; charset=utf-8')
        .send(process + (engine?.views.metrics() ?? ''));
    },
  );

  app.get(
    '/api/v1/network',
    {
      schema: documented({
        summary: 'The loaded network: counts of what it holds and each signal’s programs',
        tags: ['network'],
      }),
    },
    async () => summary,
  );

  let map: NetworkMap | undefined;
  app.get(
    '/api/v1/network/map',
    {
      schema: documented({
        summary:
          'The network as a map: intersections with their signal, links with their centre line and lanes, detectors placed on their link',
        tags: ['network'],
        response: { 200: NetworkMapResponse },
      }),
    },
    async () => (map ??= networkMap(network, detectorMap(network))),
  );

  if (engine) {
    void app.register(engineRoutes, { prefix: '/api/v1', engine, network, apiKeys });
    void app.register(viewRoutes, { prefix: '/api/v1', engine, network });
  }
  void app.register(pageRoutes);

  const info = {
    title: 'greenwave',
    version,
    description:
      'Traffic-signal optimization engine. Reads are open; writes need an API key (x-api-key or Authorization: Bearer).',
  };
  app.get('/docs/openapi.json', { schema: documented({ hide: true }) }, async () =>
    openApiDocument(routes, info),
  );
  app.get('/docs', { schema: documented({ hide: true }) }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(docsPage(openApiDocument(routes, info))),
  );
  return app;
}

/** A plain page listing the routes, linking the OpenAPI document (no external assets). */
function docsPage(document: ReturnType<typeof openApiDocument>): string {
  const escape = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const rows = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => {
      const { summary = '', security } = operation as { summary?: string; security?: unknown };
      return `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td><td>${escape(summary)}</td><td>${security ? 'API key' : ''}</td></tr>`;
    }),
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(document.info.title)} API</title></head><body><h1>${escape(document.info.title)} API ${escape(document.info.version)}</h1><p>${escape(document.info.description ?? '')}</p><p>OpenAPI 3.1 document: <a href="/docs/openapi.json">/docs/openapi.json</a></p><table border="1" cellpadding="4"><tr><th>method</th><th>path</th><th>what</th><th>auth</th></tr>${rows.join('')}</table></body></html>`;
}
