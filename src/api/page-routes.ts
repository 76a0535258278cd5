// The web page: `GET /` and its three static files (HTML, ES module JS, CSS) from src/api/page/,
// read once when the app is built and served as they are: no build step, nothing from a CDN.
// Test: npx vitest run src/api/page-routes.test.ts
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { documented } from './openapi.ts';

/** The page's files: URL path → file under src/api/page/ and its media type. */
export const PAGE_FILES = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/page/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/page/view.js': { file: 'view.js', type: 'text/javascript; charset=utf-8' },
  '/page/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
} as const;

/**
 * Registers the page's routes, each file read once here (left out of the OpenAPI document).
 *
 * @example
 * await app.register(pageRoutes);
 * (await app.inject('/')).headers['content-type'] // => 'text/html; charset=utf-8'
 */
export async function pageRoutes(app: FastifyInstance): Promise<void> {
  for (const [url, { file, type }] of Object.entries(PAGE_FILES)) {
    const body = await readFile(new URL(`./page/${file}`, import.meta.url), 'utf8');
    app.get(url, { schema: documented({ hide: true }) }, async (_request, reply) =>
      reply.type(type).header('cache-control', 'no-cache').send(body),
    );
  }
}
