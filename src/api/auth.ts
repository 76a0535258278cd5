// API keys for writes: `x-api-key: KEY` or `Authorization: Bearer KEY`, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

/**
 * The keys of `GREENWAVE_API_KEYS`: comma-separated, blanks ignored.
 *
 * @example
 * parseApiKeys(' k1, k2 ,,') // => ['k1', 'k2']
 */
export function parseApiKeys(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * A preHandler that lets a request through only with one of `keys`. With no keys configured every
 * write is refused (`WRITES_DISABLED`): an engine is never writable by accident.
 *
 * @example
 * app.post('/api/v1/adaptive/run', { preHandler: requireApiKey(['secret']) }, handler);
 */
export function requireApiKey(keys: readonly string[]): (request: FastifyRequest) => Promise<void> {
  const digests = keys.map(digest);
  return async (request) => {
    if (digests.length === 0) {
      throw new ApiError(
        'WRITES_DISABLED',
        'writes are disabled: no API keys are configured; start the engine with GREENWAVE_API_KEYS=key1,key2',
      );
    }
    const given = presentedKey(request);
    if (given === undefined) {
      throw new ApiError(
        'UNAUTHORIZED',
        'this request needs an API key: send it as x-api-key: KEY or Authorization: Bearer KEY',
      );
    }
    const candidate = digest(given);
    // Compare with every key (no early exit), so timing says nothing about which matched.
    const matched = digests.reduce((found, key) => timingSafeEqual(key, candidate) || found, false);
    if (!matched) {
      throw new ApiError('UNAUTHORIZED', 'the API key is not valid; check GREENWAVE_API_KEYS');
    }
  };
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const authorization = request.headers.authorization;
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(.+)$/i.exec(authorization);
  return bearer?.[1]?.trim() || undefined;
}
