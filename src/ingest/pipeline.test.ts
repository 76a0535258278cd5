// The ingest path end to end on the demo network: a virtual day of det.volume messages to demand.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DetectorVolumePayload, HiresPayload } from '../controllers/payloads.ts';
import { loadNetwork } from '../io/load.ts';
import type { RoadNetwork } from '../network/types.ts';
import { detectorPriorFlows, estimateDemand } from './demand-estimate.ts';
import { detectorMap, type DetectorMap } from './detector-map.ts';
import { DETECTOR_ON } from './health-evidence.ts';
import { faultSpans, type HealthEvent } from './health.ts';
import { MOVEMENTS, twoCrossings } from './ingest.fixture.ts';
import {
  createIngestState,
  ingestDetectorVolume,
  ingestHires,
  ingestTick,
  type ClosedInterval,
  type IngestState,
} from './pipeline.ts';
import { storeRows } from './store-rows.ts';
import type { Rejection } from './types.ts';

const JINSHUI = fileURLToPath(
  new URL('../../fixtures/networks/zhengzhou-jinshui-road.geojson', import.meta.url),
);
const T0 = Date.parse('2026-11-28T07:00:00Z');
const MINUTE = 60_000;
const at = (minute: number) => T0 + minute * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();

/** Vehicles in minute k at `perHour`, whole, adding up exactly over the minutes. */
const countIn = (perHour: number, minute: number) =>
  Math.floor((perHour * (minute + 1)) / 60) - Math.floor((perHour * minute) / 60);

describe('the ingest path on the demo network', () => {
  let network: RoadNetwork;
  let map: DetectorMap;
  /** The "true" flows the virtual field counts, veh/h; the prior is half of them. */
  let truth: Record<string, number>;
  let prior: Record<string, number>;
  let state: IngestState;
  const rejections: Rejection[] = [];
  const events: HealthEvent[] = [];
  const closed: ClosedInterval[] = [];
  const STUCK = 'weilai-eb-stopline-1';

  beforeAll(async () => {
    network = (await loadNetwork(JINSHUI)).network;
    map = detectorMap(network);
    truth = Object.fromEntries(
      Object.keys(map.movements).map((movement, index) => [movement, 120 + ((index * 37) % 400)]),
    );
    prior = Object.fromEntries(Object.entries(truth).map(([id, flow]) => [id, flow / 2]));
    const laneFlows = detectorPriorFlows(map, truth);
    state = createIngestState({ intervals: [300, 900], grace: 60 });
    for (let minute = 0; minute < 20; minute++) {
      for (const [site, detectors] of Object.entries(map.sites)) {
        const values: DetectorVolumePayload['entries'][number]['values'] = {};
        for (const id of detectors) {
          values[id] =
            id === STUCK && minute >= 2
              ? { count: 0, occupancy: 1 }
              : { count: countIn(laneFlows[id]!, minute), occupancy: 0.12 };
        }
        if (site === 'JS-07' && minute === 5)
          values['jingsan-eb-stopline-0'] = { count: 3, occupancy: 0.1 };
        if (site === 'JS-02' && minute === 6) values['ghost'] = { count: 3, occupancy: 0.1 };
        const payload = {
          interval: 60,
          entries: [{ ts: iso(at(minute + 1)), seq: minute, values }],
        };
        const deliveries = site === 'JS-01' && minute === 7 ? 2 : 1;
        for (let delivery = 0; delivery < deliveries; delivery++) {
          const result = ingestDetectorVolume(state, map, {
            site,
            payload,
            receivedAtMs: at(minute + 1) + 500,
          });
          state = result.state;
          rejections.push(...result.rejections);
        }
      }
      const tick = ingestTick(state, map, { nowMs: at(minute + 1) + 61_000, prior });
      state = tick.state;
      events.push(...tick.events);
      closed.push(...tick.closed);
    }
  });

  it('rejects the foreign and the unknown detector by name and takes the rest of their messages', () => {
    expect(
      rejections.map(({ code, site, detector, seq }) => ({ code, site, detector, seq })),
    ).toEqual([
      { code: 'wrong-site', site: 'JS-07', detector: 'jingsan-eb-stopline-0', seq: 5 },
      { code: 'unknown-detector', site: 'JS-02', detector: 'ghost', seq: 6 },
    ]);
  });

  it('counts every vehicle once, the redelivered message included, per detector and per movement', () => {
    const laneFlows = detectorPriorFlows(map, truth);
    const quarters = closed.filter((entry) => entry.interval === 900);
    expect(quarters.map((entry) => entry.startMs)).toEqual([T0]);
    const [quarter] = quarters;
    for (const id of map.sites['JS-01']!) {
      const sent = Array.from({ length: 15 }, (_, minute) => countIn(laneFlows[id]!, minute));
      expect(quarter!.detectors[id]!.count).toBe(sent.reduce((a, b) => a + b, 0));
    }
    // Movements add up to the lanes' counting detectors (the stuck one is out, its advance in).
    const counted = Object.values(quarter!.detectors).reduce(
      (total, totals) => total + totals.count,
      0,
    );
    const stuck = quarter!.detectors[STUCK]!.count;
    expect(stuck).not.toBe(quarter!.detectors['weilai-eb-advance-1']!.count);
    const moved = Object.values(quarter!.movements).reduce(
      (total, entry) => total + entry.count,
      0,
    );
    expect(moved).toBe(counted - stuck);
    expect(closed.filter((entry) => entry.interval === 300).map((entry) => entry.startMs)).toEqual([
      T0,
      at(5),
      at(10),
      at(15),
    ]);
  });

  it('raises stuck-on for the detector held on, once, since it stuck, and nothing else', () => {
    expect(
      events.map(({ type, detector, fault, sinceMs }) => ({ type, detector, fault, sinceMs })),
    ).toEqual([{ type: 'raised', detector: STUCK, fault: 'stuck-on', sinceMs: at(2) }]);
  });

  it('estimates demand close to the truth from healthy detectors, the prior where there are none', () => {
    const estimate = estimateDemand(
      map,
      closed.filter((entry) => entry.interval === 300),
      { nowMs: at(15), prior, faults: faultSpans(state.health) },
    );
    // Jingsan and Weilai have detectors on some approaches only: the others are not implied there.
    const fromPrior = Object.values(estimate.movements).filter(
      (movement) => movement.source === 'prior',
    );
    expect(new Set(fromPrior.map((movement) => movement.site))).toEqual(
      new Set(['JS-02', 'JS-07']),
    );
    expect(estimate.coverage).toMatchObject({ total: 109, prior: fromPrior.length, none: 0 });
    expect(estimate.coverage.measured + estimate.coverage.partial).toBe(109 - fromPrior.length);
    expect(estimate.coverage.share).toBeCloseTo(94 / 109, 12);
    for (const movement of Object.values(estimate.movements)) {
      if (movement.source === 'prior') {
        expect(movement.flow).toBe(prior[movement.movement]);
      } else {
        expect(movement.source).toBe('measured');
        expect(Math.abs(movement.flow - truth[movement.movement]!)).toBeLessThan(8);
      }
    }
    // The stuck detector's lane is counted by the advance detector on it.
    const weilaiThrough = Object.values(estimate.movements).find((movement) =>
      movement.detectors.includes('weilai-eb-advance-1'),
    );
    expect(weilaiThrough?.detectors).not.toContain(STUCK);
  });

  it('carries on the same from its state saved as JSON and read back, as after a restart', () => {
    const restored = JSON.parse(JSON.stringify(state)) as IngestState;
    expect(restored).toEqual(state);
    const message = (site: string) => ({
      site,
      receivedAtMs: at(21),
      payload: {
        interval: 60,
        entries: [
          {
            ts: iso(at(21)),
            seq: 20,
            values: { [map.sites[site]![0]!]: { count: 4, occupancy: 0.1 } },
          },
        ],
      },
    });
    const next = (from: IngestState) => {
      const ingested = ingestDetectorVolume(from, map, message('JS-01'));
      return {
        ...ingestTick(ingested.state, map, { nowMs: at(40), prior }),
        sequence: ingested.sequence,
      };
    };
    const [fromMemory, fromDisk] = [next(state), next(restored)];
    expect(fromDisk.closed).toEqual(fromMemory.closed);
    expect(fromDisk.events).toEqual(fromMemory.events);
    expect(fromDisk.sequence).toEqual(fromMemory.sequence);
    expect(fromDisk.closed.length).toBeGreaterThan(0);
  });

  it('keeps the state it had for a message from a site it does not know', () => {
    const before = state;
    const result = ingestDetectorVolume(before, map, {
      site: 'nowhere',
      receivedAtMs: at(20),
      payload: { interval: 60, entries: [{ ts: iso(at(20)), seq: 1, values: {} }] },
    });
    expect(result.state).toBe(before);
    expect(result.rejections).toMatchObject([{ code: 'unknown-site' }]);
  });
});

describe('ingestDetectorVolume', () => {
  const map = detectorMap(twoCrossings());
  const message = (seq: number, minute: number, count = 5) => ({
    site: 'SA',
    receivedAtMs: at(minute),
    payload: {
      interval: 60,
      entries: [{ ts: iso(at(minute)), seq, values: { 'w-0': { count, occupancy: 0.1 } } }],
    },
  });

  it('reports gaps, duplicates and resets, and counts only fresh readings', () => {
    let state = createIngestState();
    state = ingestDetectorVolume(state, map, message(1, 1)).state;
    const gap = ingestDetectorVolume(state, map, message(4, 4));
    expect(gap.sequence).toEqual([{ seq: 4, class: 'gap', missing: 2 }]);
    const duplicate = ingestDetectorVolume(gap.state, map, message(4, 4));
    expect(duplicate.sequence).toMatchObject([{ class: 'duplicate' }]);
    expect(duplicate.accepted).toEqual([]);
    const reset = ingestDetectorVolume(duplicate.state, map, message(0, 5));
    expect(reset.sequence).toMatchObject([{ seq: 0, class: 'reset' }]);
    expect(reset.accepted).toHaveLength(1);
    const { closed } = ingestTick(reset.state, map, { nowMs: at(60) });
    expect(closed.find((entry) => entry.interval === 300)!.detectors['w-0']!.count).toBe(15);
  });

  it('raises gaps for the site when a quarter of its entries never arrive, once it has sent enough to tell', () => {
    let state = createIngestState();
    const send = (minutes: number[]) => {
      for (const minute of minutes)
        state = ingestDetectorVolume(state, map, message(minute, minute)).state;
    };
    send([1, 2, 4]);
    expect(ingestTick(state, map, { nowMs: at(5) }).health['w-0']!.status).toBe('ok');
    send([5, 6, 8, 9, 10, 12, 13, 14, 16]);
    const { health, events } = ingestTick(state, map, { nowMs: at(17) });
    expect(health['w-0']).toMatchObject({ status: 'gaps', sinceMs: at(17) });
    // Over the last 15 minutes (from 07:02): 11 entries arrived, 3, 7, 11 and 15 did not.
    expect(health['w-0']!.reason).toContain('26.7%');
    expect(events.filter((event) => event.fault === 'gaps')).toHaveLength(map.sites.SA!.length);
  });

  it('rejects readings for intervals already closed', () => {
    const state = ingestTick(createIngestState({ intervals: [300], grace: 0 }), map, {
      nowMs: at(30),
    }).state;
    const result = ingestDetectorVolume(state, map, message(1, 3));
    expect(result.rejections).toMatchObject([{ code: 'interval-closed', detector: 'w-0' }]);
  });
});

describe('ingestHires', () => {
  const map = detectorMap(twoCrossings());
  const payload = (param: number): HiresPayload => ({
    entries: [{ ts: iso(at(1)), code: DETECTOR_ON, param }],
  });

  it('takes detector on/off events as health evidence and rejects channels the site lacks', () => {
    const unknown = ingestHires(createIngestState(), map, { site: 'SA', payload: payload(9) });
    expect(unknown.rejections).toMatchObject([{ code: 'unknown-channel', site: 'SA' }]);
    const channel = map.detectors['w-2']!.channel;
    const held = ingestHires(createIngestState(), map, {
      site: 'SA',
      payload: payload(channel),
    }).state;
    const { health, events } = ingestTick(held, map, { nowMs: at(12) });
    expect(health['w-2']!.status).toBe('stuck-on');
    expect(events).toMatchObject([{ type: 'raised', detector: 'w-2', fault: 'stuck-on' }]);
    expect(
      ingestHires(createIngestState(), map, { site: 'nowhere', payload: payload(1) }).rejections,
    ).toMatchObject([{ code: 'unknown-site' }]);
  });
});

describe('storeRows', () => {
  it('writes detector rows with the store’s lane numbers and movement rows in whole vehicles', () => {
    const map = detectorMap(twoCrossings());
    let state = createIngestState({ intervals: [300] });
    state = ingestDetectorVolume(state, map, {
      site: 'SA',
      receivedAtMs: at(1),
      payload: {
        interval: 60,
        entries: [
          {
            ts: iso(at(1)),
            seq: 1,
            values: { 'w-0': { count: 9, occupancy: 0.2 }, 'w-2': { count: 4, occupancy: 0.1 } },
          },
        ],
      },
    }).state;
    const prior = { [MOVEMENTS.westRight]: 100, [MOVEMENTS.westThrough]: 800 };
    const [closed] = ingestTick(state, map, { nowMs: at(10), prior }).closed;
    const rows = storeRows(closed!, map);
    expect(rows.detectors).toEqual([
      {
        site: 'SA',
        detector: 'w-0',
        lane: 1,
        startMs: T0,
        interval: 300,
        count: 9,
        occupancy: 0.2,
      },
      {
        site: 'SA',
        detector: 'w-2',
        movement: MOVEMENTS.westLeft,
        lane: 3,
        startMs: T0,
        interval: 300,
        count: 4,
        occupancy: 0.1,
      },
    ]);
    expect(rows.movements).toEqual([
      {
        site: 'SA',
        movement: MOVEMENTS.westRight,
        startMs: T0,
        interval: 300,
        count: 2,
        flow: 120,
      },
      {
        site: 'SA',
        movement: MOVEMENTS.westThrough,
        startMs: T0,
        interval: 300,
        count: 7,
        flow: 420,
      },
      { site: 'SA', movement: MOVEMENTS.westLeft, startMs: T0, interval: 300, count: 4, flow: 240 },
    ]);
  });
});
