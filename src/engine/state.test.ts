// The saved state's round trip, what a damaged save leaves, and the settings' checks.
import { describe, expect, it } from 'vitest';
import { engineSettings } from './context.ts';
import { bounded, createEngineState, restoreState, savedState } from './state.ts';

describe('savedState and restoreState', () => {
  it('round-trips through JSON', () => {
    const state = { ...createEngineState(), cycles: 4 };
    const saved = JSON.parse(JSON.stringify(savedState(state))) as ReturnType<typeof savedState>;
    const { state: restored, notes } = restoreState(createEngineState(), saved);
    expect(restored).toEqual(state);
    expect(notes).toEqual([]);
  });

  it('starts a part fresh when its document is missing or of another format, and says so', () => {
    const saved = savedState({ ...createEngineState(), cycles: 9 });
    const { state, notes } = restoreState(createEngineState(), {
      plans: saved.plans,
      ingest: { ...saved.ingest, format: 1 } as never,
    });
    expect(state.cycles).toBe(9);
    expect(notes).toEqual([
      'no saved deployment: starting fresh',
      'saved ingest state has an unknown format: starting fresh',
      'no saved health evidence: starting fresh',
    ]);
  });

  it('saves the health evidence apart from the rest of the ingest state, and joins them again', () => {
    const fresh = createEngineState();
    const channel = { last: 7, lastTsMs: 420_000, seen: [6, 7], tallies: [] };
    const evidence = {
      '7': { 'JS-02': { seen: { firstMs: 0, lastMs: 60_000, interval: 60 }, detectors: {} } },
    };
    const state = {
      ...fresh,
      ingest: {
        ...fresh.ingest,
        sequences: { 'JS-02/det.volume': channel },
        health: { sites: evidence, detectors: {} },
      },
    };
    const saved = JSON.parse(JSON.stringify(savedState(state))) as ReturnType<typeof savedState>;
    expect(saved.ingest.ingest.health.sites).toEqual({});
    expect(saved.evidence).toEqual({ format: 1, sites: evidence });
    const { state: restored } = restoreState(createEngineState(), saved);
    expect(restored.ingest.health.sites).toEqual(evidence);
    // the channels resume at their next entry: what was sent meanwhile is not a gap of the feed
    expect(restored.ingest.sequences).toEqual({
      'JS-02/det.volume': { ...channel, resumed: true },
    });
    // an ingest state of the first format (intervals not kept by site) is not read
    const { state: older, notes } = restoreState(createEngineState(), {
      ingest: { ...saved.ingest, format: 1 } as never,
      evidence: saved.evidence,
    });
    expect(older.ingest.sequences).toEqual({});
    expect(older.ingest.health.sites).toEqual(evidence);
    expect(notes).toContain('saved ingest state has an unknown format: starting fresh');
  });

  it('keeps lists bounded, newest last', () => {
    expect(bounded([1, 2, 3], [4, 5], 3)).toEqual([3, 4, 5]);
  });
});

describe('engineSettings', () => {
  it('fills in the defaults', () => {
    expect(engineSettings()).toMatchObject({
      period: 300,
      window: 900,
      estimationInterval: 300,
      fallback: { minCoverage: 0.7, maxFaultyShare: 0.2 },
      minChange: 2,
      actuation: false,
      expirySeconds: 60,
    });
  });

  it.each([
    [{ period: 0 }, /period/],
    [{ window: -1 }, /window/],
    [{ estimationInterval: 60 }, /estimationInterval/],
    [{ fallback: { minCoverage: 2 } }, /fallback\.minCoverage/],
    [{ engineId: 'a/b' }, /engineId/],
    [{ actuation: { passage: -1 } }, /actuation/],
    [{ actuation: { passage: Number.NaN } }, /actuation/],
  ])('refuses %j', (options, message) => {
    expect(() => engineSettings(options)).toThrow(message);
    expect(() => engineSettings(options)).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  });
});
