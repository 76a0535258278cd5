// The web page: `/` is HTML that loads its script and styles, served with the right media types,
// and nothing it loads comes from another host (the page must work offline).
// Run: npx vitest run src/api/page-routes.test.ts
import { describe, expect, it } from 'vitest';
import { oneLinkNetwork } from './app.fixture.ts';
import { buildApp } from './app.ts';
import { PAGE_FILES } from './page-routes.ts';

const network = oneLinkNetwork();

describe('the web page', () => {
  const app = buildApp({ network });

  it('serves / as HTML that loads /page/app.js as a module and /page/style.css', async () => {
    const page = await app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toMatch(/^<!doctype html>/i);
    expect(page.body).toContain('<script type="module" src="/page/app.js"></script>');
    expect(page.body).toContain('<link rel="stylesheet" href="/page/style.css" />');
    for (const section of ['map', 'plans', 'time-space', 'measures', 'decisions', 'alarms'])
      expect(page.body).toContain(`id="${section}"`);
  });

  it('serves the script, its helpers and the styles with their media types', async () => {
    const expected: Record<string, RegExp> = {
      '/page/app.js': /^text\/javascript/,
      '/page/view.js': /^text\/javascript/,
      '/page/style.css': /^text\/css/,
    };
    for (const [url, type] of Object.entries(expected)) {
      const response = await app.inject(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toMatch(type);
      expect(response.body.length, url).toBeGreaterThan(100);
    }
    const script = (await app.inject('/page/app.js')).body;
    expect(script).toContain("from './view.js'");
    expect((await app.inject('/page/view.js')).body).toContain('export function projection');
    expect(Object.keys(PAGE_FILES).sort()).toEqual(Object.keys(expected).concat('/').sort());
  });

  it('loads nothing from another host, and polls the live routes', async () => {
    const script = (await app.inject('/page/app.js')).body;
    for (const url of Object.keys(PAGE_FILES)) {
      const body = (await app.inject(url)).body;
      // The SVG namespace is a name, not a download.
      const external = body
        .replaceAll('http://www.w3.org/2000/svg', '')
        .match(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi);
      expect(external, url).toBeNull();
    }
    const used = [...script.matchAll(/['`](\/api\/v1\/[a-z./-]+)/g)].map((match) => match[1]!);
    expect(used).toEqual(
      expect.arrayContaining([
        '/api/v1/network/map',
        '/api/v1/controllers',
        '/api/v1/detectors',
        '/api/v1/alarms',
        '/api/v1/decisions',
        '/api/v1/plans',
        '/api/v1/measures',
        '/api/v1/time-space.svg',
      ]),
    );
  });
});
