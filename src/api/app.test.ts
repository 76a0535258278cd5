// Tests for the HTTP app, through fastify's inject (no socket).
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../network/build.ts';
import { buildApp } from './app.ts';

const network = buildNetwork({
  name: 'two-nodes',
  coordinates: 'planar',
  intersections: [
    { id: 'a', kind: 'boundary', position: [0, 0] },
    { id: 'b', kind: 'boundary', position: [100, 0] },
  ],
  links: [
    {
      id: 'ab',
      from: 'a',
      to: 'b',
      lanes: [{ index: 0, length: 100, speedLimit: 10, width: 3.5 }],
    },
  ],
  movements: [],
  signals: [],
});

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
