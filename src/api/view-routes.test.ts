// The page's read routes on the demo engine: the network map, the time–space diagram of the plans
// the engine wants, before/after measures, their 400s and their place in the OpenAPI document.
// Run: npx vitest run src/api/view-routes.test.ts
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rig, type Rig } from '../engine/engine.fixture.ts';
import { buildApp } from './app.ts';
import { defaultCorridorSites } from '../analysis/time-space-corridor.ts';
import { plansToDraw } from './view-routes.ts';

describe('the page routes with the demo engine', () => {
  let r: Rig;
  let app: FastifyInstance;
  beforeAll(async () => {
    r = await rig();
    app = buildApp({ network: r.demo.network, engine: r.engine });
  });
  afterAll(async () => {
    await app.close();
    await r.cleanUp();
  });
  const get = (url: string) => app.inject(url);

  it('serves the network map, with or without an engine', async () => {
    for (const server of [app, buildApp({ network: r.demo.network })]) {
      const response = await server.inject('/api/v1/network/map');
      expect(response.statusCode).toBe(200);
      const map = response.json() as {
        coordinates: string;
        intersections: { id: string; signal?: string; position: number[] }[];
        links: { id: string; lanes: number; geometry: number[][] }[];
        detectors: { id: string; site: string }[];
      };
      expect(map.coordinates).toBe('lonlat');
      expect(map.intersections).toHaveLength(29);
      expect(map.intersections.find((node) => node.id === 'jingsan')).toMatchObject({
        signal: 'JS-02',
        position: [113.6921, 34.7632],
      });
      expect(map.links).toHaveLength(56);
      expect(map.links[0]!.geometry.length).toBeGreaterThanOrEqual(2);
      expect(map.detectors).toHaveLength(Object.keys(r.demo.map.detectors).length);
    }
  });

  it("draws the network programs' diagram before the first cycle, on the stretch with one cycle", async () => {
    const response = await get('/api/v1/time-space.svg');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(response.body.startsWith('<svg')).toBe(true);
    // No step yet: each site falls back to the network's program; 120 s runs JS-03 … JS-06.
    expect(response.body).toContain('JS-03 → JS-06: step plans (plan-1, weekday-peak)');
    for (const site of ['JS-03', 'JS-04', 'JS-05', 'JS-06']) expect(response.body).toContain(site);
    expect(response.body).not.toContain('>JS-07<');
  });

  it("draws the engine's plans with their green bands once it has decided", async () => {
    r.engine.runAdaptiveCycle();
    await r.engine.idle();
    const plans = plansToDraw(r.demo.network, r.engine.views, 'step');
    expect(plans['JS-01']!.id).toBe('am-peak');
    const sites = defaultCorridorSites(r.demo.network, plans);
    expect(sites.length).toBeGreaterThanOrEqual(2);
    const response = await get('/api/v1/time-space.svg?cycles=2&width=800');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(
      `${sites[0]} → ${sites[sites.length - 1]}: step plans (am-peak)`,
    );
    expect(response.body).toContain('width="800"');
    const chosen = await get('/api/v1/time-space.svg?sites=JS-04,JS-05,JS-06&plan=target');
    expect(chosen.statusCode).toBe(200);
    expect(chosen.body).toContain('JS-04 → JS-06: target plans (am-peak)');
    // The engine's offsets leave a band each way on this stretch, drawn as parallelograms.
    const [, outbound, inbound] = /outbound band ([\d.]+) s · inbound band ([\d.]+) s/.exec(
      chosen.body,
    )!;
    expect(Number(outbound)).toBeGreaterThan(0);
    expect(Number(inbound)).toBeGreaterThan(0);
    expect(chosen.body).toContain('<polygon class="band outbound"');
    expect(chosen.body).toContain('<polygon class="band inbound"');
  });

  it('answers 400 for unknown sites, fewer than two, repeats; 422 for different cycles', async () => {
    const cases: [string, number, string, string][] = [
      ['sites=JS-01', 400, 'CORRIDOR_INVALID', 'TOO_FEW_SITES'],
      ['sites=', 400, 'CORRIDOR_INVALID', 'TOO_FEW_SITES'],
      ['sites=JS-01,JS-01', 400, 'CORRIDOR_INVALID', 'TOO_FEW_SITES'],
      ['sites=JS-01,nowhere', 400, 'CORRIDOR_INVALID', 'UNKNOWN_SITE'],
      ['sites=JS-01,JS-03&plan=program', 422, 'NO_COMMON_CYCLE', 'NO_COMMON_CYCLE'],
      ['plan=best', 400, 'VALIDATION_FAILED', ''],
      ['cycles=0', 400, 'VALIDATION_FAILED', ''],
    ];
    for (const [query, status, code, problem] of cases) {
      const response = await get(`/api/v1/time-space.svg?${query}`);
      expect(response.statusCode, query).toBe(status);
      const body = response.json() as { code: string; problem?: string; message: string };
      expect(body.code, query).toBe(code);
      if (problem) expect(body.problem, query).toBe(problem);
    }
    const unknown = (await get('/api/v1/time-space.svg?sites=JS-01,nowhere')).json() as {
      message: string;
    };
    expect(unknown.message).toMatch(/nowhere/);
  });

  it('gives before/after measures per signal on the demand the engine estimates', async () => {
    const response = await get('/api/v1/measures');
    expect(response.statusCode).toBe(200);
    const body = response.json() as {
      demand: { source: string; period?: string; coverage: { share: number } };
      sites: {
        site: string;
        before?: { planId: string; source: string; delay: number; levelOfService: string };
        after?: { planId: string; source: string; delay: number };
        change?: { delay: number };
      }[];
    };
    expect(body.demand).toMatchObject({ source: 'prior', period: 'am-peak' });
    expect(body.demand).not.toHaveProperty('flows');
    expect(body.sites.map((site) => site.site)).toEqual(r.demo.sites);
    for (const site of body.sites) {
      expect(site.before).toMatchObject({
        planId: r.demo.signals[site.site]!.programs[0]!.id,
        source: 'network-program',
      });
      expect(site.after).toMatchObject({ planId: 'am-peak', source: 'controller' });
      expect(site.before!.levelOfService).toMatch(/^[A-F]$/);
      expect(site.change!.delay).toBeCloseTo(site.after!.delay - site.before!.delay, 6);
    }
    // The engine's plans are designed for this demand: on the whole they delay traffic less.
    const total = (key: 'before' | 'after') =>
      body.sites.reduce((sum, site) => sum + site[key]!.delay, 0);
    expect(total('after')).toBeLessThan(total('before'));
  });

  it('documents the new routes in the OpenAPI document, and not the page, which reads only them', async () => {
    const document = (await get('/docs/openapi.json')).json() as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/network/map', '/api/v1/time-space.svg', '/api/v1/measures']),
    );
    const svg = document.paths['/api/v1/time-space.svg']!['get']!;
    expect(svg['responses']).toMatchObject({ 200: { content: { 'image/svg+xml': {} } } });
    expect(svg['parameters']).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'sites', in: 'query' })]),
    );
    expect(document.paths['/']).toBeUndefined();
    // Every route the page's script reads is one the app documents.
    const script = (await get('/page/app.js')).body;
    const used = [...script.matchAll(/['`](\/api\/v1\/[a-z./-]+)/g)].map((match) => match[1]!);
    expect(used.length).toBeGreaterThan(7);
    for (const path of used) expect(Object.keys(document.paths), path).toContain(path);
  });

  // Last: it leaves JS-05 held by an operator's free plan.
  it('draws no band through a signal running free: 422 FREE_OPERATION when named, left out by default', async () => {
    const free = { ...plansToDraw(r.demo.network, r.engine.views, 'step')['JS-05']! };
    r.engine.deployPlan('JS-05', { ...free, id: 'free', actuated: { passage: 2, free: true } });
    await r.engine.idle();
    const named = await get('/api/v1/time-space.svg?sites=JS-04,JS-05,JS-06');
    expect(named.statusCode).toBe(422);
    expect(named.json()).toMatchObject({
      code: 'NO_COMMON_CYCLE',
      problem: 'FREE_OPERATION',
      message: expect.stringMatching(/^JS-05 runs free/),
    });
    const byDefault = await get('/api/v1/time-space.svg');
    expect(byDefault.statusCode).toBe(200);
    expect(byDefault.body).not.toContain('>JS-05<');
    // Every signal free: nothing to draw, and the answer says why.
    const plans = plansToDraw(r.demo.network, r.engine.views, 'step');
    for (const [site, plan] of Object.entries(plans)) {
      r.engine.deployPlan(site, { ...plan, id: 'free', actuated: { passage: 2, free: true } });
    }
    await r.engine.idle();
    const none = await get('/api/v1/time-space.svg');
    expect(none.statusCode).toBe(422);
    expect(none.json()).toMatchObject({ problem: 'FREE_OPERATION' });
  });
});
