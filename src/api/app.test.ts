// Tests for the HTTP app, through fastify's inject (no socket): with and without a running engine.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rig, type Rig } from '../engine/engine.fixture.ts';
import { oneLinkNetwork } from './app.fixture.ts';
import { buildApp } from './app.ts';

const network = oneLinkNetwork();

describe('buildApp', () => {
  it('answers /health with the loaded network', async () => {
    const app = buildApp({ network, uptime: () => 12.4 });
    const response = await app.inject('/health');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ok',
      network: 'two-nodes',
      signals: 0,
      uptimeSeconds: 12,
    });
  });

  it('serves the network summary under /api/v1', async () => {
    const response = await buildApp({ network }).inject('/api/v1/network');
    expect(response.json()).toMatchObject({
      links: 1,
      lanes: 1,
      intersections: { total: 2, boundary: 2 },
    });
  });
});

describe('buildApp with an engine', () => {
  let r: Rig;
  let app: FastifyInstance;
  const KEY = 'test-key-1';
  beforeAll(async () => {
    r = await rig();
    app = buildApp({ network: r.demo.network, engine: r.engine, apiKeys: [KEY, 'other-key'] });
  });
  afterAll(async () => {
    await app.close();
    await r.cleanUp();
  });
  const json = (response: { json(): unknown }) => response.json() as Record<string, unknown>;

  it('answers /health with the engine and its MQTT link', async () => {
    const response = await app.inject('/health');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      network: r.demo.network.getAttribute('name'),
      signals: 9,
      engine: {
        phase: 'running',
        mqtt: { connected: true, protocolVersion: 4 },
        controllersOnline: 9,
      },
    });
  });

  it('serves Prometheus text at /metrics without a key', async () => {
    const response = await app.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toContain('greenwave_up 1\n');
    expect(response.body).toContain('# TYPE greenwave_messages_received_total counter');
    expect(response.body).toContain('greenwave_messages_received_total{type="presence"} 9');
  });

  it('refuses writes without a valid key, and takes x-api-key or a bearer token', async () => {
    const run = (headers: Record<string, string | undefined>) =>
      app.inject({ method: 'POST', url: '/api/v1/adaptive/run', headers });
    for (const headers of [
      {},
      { 'x-api-key': 'wrong' },
      { authorization: 'Bearer wrong' },
      { authorization: KEY },
    ]) {
      const response = await run(headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(401);
      expect(json(response)).toMatchObject({ code: 'UNAUTHORIZED' });
    }
    const withKey = await run({ 'x-api-key': KEY });
    expect(withKey.statusCode).toBe(200);
    const { decisions } = withKey.json() as { decisions: Record<string, unknown>[] };
    expect(decisions[0]).toMatchObject({
      mode: 'time-of-day',
      trigger: 'manual',
      period: 'am-peak',
    });
    expect((decisions[0]!['outcomes'] as Record<string, string>)['JS-01']).toBe('sent');
    const bearer = await run({ authorization: 'Bearer other-key' });
    expect(bearer.statusCode).toBe(200);
    const closed = buildApp({ network: r.demo.network, engine: r.engine });
    const refused = await closed.inject({
      method: 'POST',
      url: '/api/v1/adaptive/run',
      headers: { 'x-api-key': KEY },
    });
    expect(refused.statusCode).toBe(403);
    expect(json(refused)).toMatchObject({ code: 'WRITES_DISABLED' });
  });

  it('shows controllers, plans, decisions, alarms and detectors', async () => {
    const controllers = (await app.inject('/api/v1/controllers')).json() as Record<
      string,
      unknown
    >[];
    expect(controllers).toHaveLength(9);
    expect(controllers[0]).toMatchObject({
      site: 'JS-01',
      presence: { state: 'online' },
      active: { planId: 'am-peak', version: 1 },
      lastVersion: 1,
    });
    expect((controllers[0]!['history'] as unknown[]).length).toBe(1);
    const one = await app.inject('/api/v1/controllers/JS-07');
    expect(json(one)).toMatchObject({ site: 'JS-07', active: { planId: 'am-peak' } });
    const missing = await app.inject('/api/v1/controllers/nowhere');
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toMatchObject({ code: 'SITE_NOT_FOUND' });
    const plans = (await app.inject('/api/v1/plans')).json() as Record<string, unknown>[];
    expect(plans[0]).toMatchObject({
      site: 'JS-01',
      mode: 'time-of-day',
      reached: true,
      target: { id: 'am-peak', signal: 'JS-01' },
      active: { planId: 'am-peak' },
    });
    expect((plans[0]!['target'] as { stages: unknown[] }).stages.length).toBeGreaterThan(1);
    const decisions = (await app.inject('/api/v1/decisions?limit=1')).json() as Record<
      string,
      unknown
    >[];
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!['reason']).toMatch(/coverage/);
    const detectors = (await app.inject('/api/v1/detectors?site=JS-02')).json() as Record<
      string,
      unknown
    >[];
    expect(detectors.map((view) => view['detector'])).toEqual(r.demo.map.sites['JS-02']);
    expect(detectors[0]).toMatchObject({ site: 'JS-02', status: 'unknown', channel: 1 });
    r.bus.inject('tsc/zz/JS-01/status/det.volume', 'nonsense');
    const alarms = (await app.inject('/api/v1/alarms?limit=1')).json() as Record<string, unknown>[];
    expect(alarms).toEqual([
      expect.objectContaining({ code: 'input.rejected', topic: 'tsc/zz/JS-01/status/det.volume' }),
    ]);
    expect((await app.inject('/api/v1/alarms?limit=0')).statusCode).toBe(400);
  });

  it("deploys an operator's plan, and answers a bad one with its problems", async () => {
    const plan = { ...r.demo.signals['JS-02']!.programs[0]!, id: 'operator-plan' };
    const post = (site: string, body: unknown, query = '') =>
      app.inject({
        method: 'POST',
        url: `/api/v1/plans/${site}${query}`,
        headers: { 'x-api-key': KEY },
        payload: body as object,
      });
    const deployed = await post('JS-02', plan, '?holdSeconds=600');
    expect(deployed.statusCode).toBe(202);
    expect(json(deployed)).toMatchObject({ outcome: 'sent', version: expect.any(Number) });
    expect(r.controllers['JS-02']!.agent.active?.planId).toBe('operator-plan');
    const view = json(await app.inject('/api/v1/plans/JS-02'));
    expect(view).toMatchObject({ mode: 'operator', heldUntil: expect.any(String) });
    const invalid = await post('JS-02', { ...plan, offset: plan.cycleLength + 1 });
    expect(invalid.statusCode).toBe(422);
    expect(json(invalid)).toMatchObject({
      code: 'PLAN_INVALID',
      problems: [expect.objectContaining({ code: 'OFFSET_OUT_OF_RANGE' })],
    });
    const malformed = await post('JS-02', { id: 'x', cycleLength: 'long' });
    expect(malformed.statusCode).toBe(400);
    expect(json(malformed)).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await post('nowhere', plan)).statusCode).toBe(404);
    expect((await post('JS-03', plan)).statusCode).toBe(400);
  });

  it('documents every route in an OpenAPI document built from the route schemas', async () => {
    const document = (await app.inject('/docs/openapi.json')).json() as {
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(document.openapi).toBe('3.1.0');
    const deploy = document.paths['/api/v1/plans/{site}']!['post']!;
    expect(deploy['security']).toEqual([{ apiKey: [] }, { bearer: [] }]);
    expect(deploy['requestBody']).toMatchObject({
      content: {
        'application/json': { schema: { required: expect.arrayContaining(['cycleLength']) } },
      },
    });
    expect(deploy['parameters']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'site', in: 'path', required: true }),
      ]),
    );
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/metrics',
        '/api/v1/controllers',
        '/api/v1/decisions',
        '/api/v1/adaptive/run',
      ]),
    );
    expect(document.paths['/docs']).toBeUndefined();
    const page = await app.inject('/docs');
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('/api/v1/adaptive/run');
  });

  it('reports degraded health once the engine has stopped', async () => {
    await r.engine.stop();
    const response = await app.inject('/health');
    expect(response.statusCode).toBe(503);
    expect(json(response)).toMatchObject({ status: 'degraded', engine: { phase: 'stopped' } });
    const run = await app.inject({
      method: 'POST',
      url: '/api/v1/adaptive/run',
      headers: { 'x-api-key': KEY },
    });
    expect(run.statusCode).toBe(503);
    expect(json(run)).toMatchObject({ code: 'ENGINE_NOT_RUNNING' });
  });
});
