// The views the web page adds: the whole plans the controllers run, and the demand the engine
// would estimate now (prior alone without data, detectors once they count). Run: npx vitest run src/engine/views.test.ts
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedMinutes, rig, T0, type Rig } from './engine.fixture.ts';

describe('engine views for the page', () => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig();
  });
  afterAll(() => r.cleanUp());

  it('shows the demand as the time-of-day prior before any detector data', () => {
    const demand = r.engine.views.demand();
    expect(demand).toMatchObject({
      at: new Date(T0).toISOString(),
      source: 'prior',
      window: 900,
      period: 'am-peak',
      coverage: { measured: 0, partial: 0, share: 0 },
    });
    expect(demand.flows).toEqual(r.demo.prior.flowsAt(T0));
  });

  it('gives the whole plan each controller reports, once it runs the engine’s', async () => {
    expect(r.engine.views.activePlans()).toEqual({});
    r.engine.runAdaptiveCycle();
    await r.engine.idle();
    const active = r.engine.views.activePlans();
    expect(Object.keys(active)).toEqual(r.demo.sites);
    const step = r.engine.views.plans().find((view) => view.site === 'JS-04')!.step!;
    expect(active['JS-04']).toMatchObject({
      id: step.id,
      signal: 'JS-04',
      cycleLength: step.cycleLength,
      offset: step.offset,
      offsetReference: step.offsetReference,
      stages: step.stages,
    });
  });

  it('estimates the demand from the detectors once they have counted a window', async () => {
    await feedMinutes(r, 20);
    const demand = r.engine.views.demand();
    expect(demand.source).toBe('detectors');
    expect(demand.coverage.share).toBeGreaterThan(0.5);
    expect(demand.at).toBe(new Date(T0 + 20 * 60_000).toISOString());
  });
});
