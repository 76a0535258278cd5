// An OpenAPI 3.1 document built from the routes' own schemas (no @fastify/swagger installed): the
// schemas that validate and serialize each route are the ones documented.
import type { FastifySchema } from 'fastify';

/** What a route's `schema` may hold beyond fastify's own keys. */
export interface DocumentedSchema {
  summary?: string;
  description?: string;
  tags?: string[];
  params?: unknown;
  querystring?: unknown;
  body?: unknown;
  response?: Record<string, unknown>;
  /** Needs an API key. */
  security?: boolean;
  /** The response's media type when not JSON, e.g. `text/plain`. */
  produces?: string;
  /** Left out of the document. */
  hide?: boolean;
}

/**
 * A route schema with its documentation keys (fastify ignores the keys it does not compile).
 *
 * @example
 * app.get('/health', { schema: documented({ summary: 'Liveness', response: { 200: Health } }) }, handler);
 */
export const documented = (schema: DocumentedSchema): FastifySchema => schema as FastifySchema;

export interface RouteDocumentation {
  method: string | string[];
  url: string;
  schema?: DocumentedSchema;
}

interface ObjectSchema {
  properties?: Record<string, { description?: string }>;
  required?: string[];
}

/**
 * The OpenAPI 3.1 document of `routes` (HEAD and hidden routes left out). JSON Schema in the
 * routes (TypeBox) is JSON Schema 2020-12 in OpenAPI 3.1, so it goes in unchanged.
 *
 * @example
 * openApiDocument([{ method: 'GET', url: '/api/v1/plans/:site', schema: { summary: 'One site', params } }], info)
 *   .paths['/api/v1/plans/{site}'].get.parameters[0].name // => 'site'
 */
export function openApiDocument(
  routes: readonly RouteDocumentation[],
  info: { title: string; version: string; description?: string },
): {
  openapi: string;
  info: typeof info;
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, unknown>;
} {
  const paths: Record<string, Record<string, unknown>> = {};
  const sorted = [...routes].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  for (const route of sorted) {
    const schema = plain(route.schema ?? {}) as DocumentedSchema;
    if (schema.hide) continue;
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      const operation: Record<string, unknown> = {
        ...(schema.summary ? { summary: schema.summary } : {}),
        ...(schema.description ? { description: schema.description } : {}),
        ...(schema.tags ? { tags: schema.tags } : {}),
        operationId: `${method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase())}`,
      };
      const parameters = [
        ...parametersOf(schema.params, 'path'),
        ...parametersOf(schema.querystring, 'query'),
      ];
      if (parameters.length > 0) operation['parameters'] = parameters;
      if (schema.body !== undefined) {
        operation['requestBody'] = {
          required: true,
          content: { 'application/json': { schema: schema.body } },
        };
      }
      operation['responses'] = Object.fromEntries(
        Object.entries(schema.response ?? { 200: {} }).map(([status, body]) => [
          status,
          {
            description: (body as { description?: string }).description ?? describeStatus(status),
            ...(Object.keys(body as object).length > 0
              ? { content: { [schema.produces ?? 'application/json']: { schema: body } } }
              : {}),
          },
        ]),
      );
      if (schema.security) operation['security'] = [{ apiKey: [] }, { bearer: [] }];
      paths[path] = { ...paths[path], [method.toLowerCase()]: operation };
    }
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}

function parametersOf(schema: unknown, where: 'path' | 'query'): Record<string, unknown>[] {
  const object = schema as ObjectSchema | undefined;
  if (!object?.properties) return [];
  return Object.entries(object.properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

function describeStatus(status: string): string {
  const known: Record<string, string> = {
    200: 'OK',
    202: 'Accepted',
    400: 'Bad request',
    401: 'No or a wrong API key',
    403: 'Writes disabled',
    404: 'Not found',
    422: 'Refused',
    503: 'Unavailable',
  };
  return known[status] ?? 'Response';
}

/** A schema as plain JSON: TypeBox's symbol keys dropped. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {})) as unknown;
}
