// Tests for detector health: each fault raised on its evidence, kept, cleared, and reported as events.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectorMap } from './detector-map.ts';
import {
  evaluateHealth,
  faultSpans,
  type HealthEvent,
  type HealthInputs,
  type HealthOptions,
} from './health.ts';
import {
  createHealthState,
  DETECTOR_OFF,
  DETECTOR_ON,
  observeDetectorEvents,
  observeReadings,
  shortestOnTime,
  type HealthState,
} from './health-evidence.ts';
import { twoCrossings } from './ingest.fixture.ts';
import { siteEntry } from './site-table.ts';
import { IngestError, type VolumeReading } from './types.ts';

const map = detectorMap(twoCrossings());
const T0 = Date.parse('2026-11-28T07:00:00Z');
const MINUTE = 60_000;
const at = (minute: number) => T0 + minute * MINUTE;

type Reading = { count: number; occupancy: number } | undefined;

/** One-minute readings of site SA for minutes [from, to), each detector's from `value`. */
function minutes(
  from: number,
  to: number,
  value: (detector: string, minute: number) => Reading,
  site = 'SA',
): VolumeReading[] {
  const readings: VolumeReading[] = [];
  for (let minute = from; minute < to; minute++) {
    for (const detector of map.sites[site]!) {
      const reading = value(detector, minute);
      if (reading) {
        readings.push({
          site,
          detector,
          seq: minute,
          endMs: at(minute + 1),
          interval: 60,
          ...reading,
        });
      }
    }
  }
  return readings;
}

/** Normal traffic: 8 vehicles a minute, 15 % occupancy. */
const normal = (): Reading => ({ count: 8, occupancy: 0.15 });

function judge(
  state: HealthState,
  nowMinute: number,
  inputs: Omit<HealthInputs, 'nowMs'> = {},
  options: HealthOptions = {},
) {
  return evaluateHealth(state, map, { nowMs: at(nowMinute), ...inputs }, options);
}

/** Folds the minutes [from, to) in one at a time, judging after each as the engine's ticks do. */
function tickThrough(
  start: HealthState,
  from: number,
  to: number,
  value: (detector: string, minute: number) => Reading,
  inputs: Omit<HealthInputs, 'nowMs'> = {},
) {
  let state = start;
  let health: ReturnType<typeof judge>['health'] = {};
  const events: HealthEvent[] = [];
  for (let minute = from; minute < to; minute++) {
    const judged = judge(
      observeReadings(state, map, minutes(minute, minute + 1, value)),
      minute + 1,
      inputs,
    );
    state = judged.state;
    health = judged.health;
    events.push(...judged.events);
  }
  return { state, health, events };
}

describe('evaluateHealth', () => {
  it('finds every detector ok on normal traffic, without events', () => {
    const state = observeReadings(createHealthState(), map, minutes(0, 15, normal));
    const { health, events } = judge(state, 15);
    expect(events).toEqual([]);
    expect(map.sites.SA!.map((id) => health[id]!.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(health['w-0']).toMatchObject({ site: 'SA', sinceMs: at(15), faults: [] });
  });

  it('raises stuck-on after 10 minutes at full occupancy, not before, since the run began', () => {
    const stuck = (detector: string, minute: number): Reading =>
      detector === 'w-1' && minute >= 3 ? { count: 0, occupancy: 1 } : normal();
    const nine = observeReadings(createHealthState(), map, minutes(0, 12, stuck));
    expect(judge(nine, 12).health['w-1']!.status).toBe('ok');
    const thirteen = observeReadings(nine, map, minutes(12, 13, stuck));
    const { health, events } = judge(thirteen, 13);
    expect(health['w-1']).toMatchObject({ status: 'stuck-on', sinceMs: at(3) });
    expect(health['w-1']!.faults.map((fault) => fault.fault)).toEqual(['stuck-on']);
    expect(events).toMatchObject([
      {
        type: 'raised',
        detector: 'w-1',
        site: 'SA',
        fault: 'stuck-on',
        atMs: at(13),
        sinceMs: at(3),
      },
    ]);
  });

  it('clears a fault when its evidence ends, keeping the span so the data stays out of estimates', () => {
    const stuck = (detector: string, minute: number): Reading =>
      detector === 'w-1' && minute < 12 ? { count: 0, occupancy: 1 } : normal();
    let state = observeReadings(createHealthState(), map, minutes(0, 12, stuck));
    state = judge(state, 12).state;
    state = observeReadings(state, map, minutes(12, 13, stuck));
    const { state: after, events, health } = judge(state, 13);
    expect(events).toMatchObject([
      { type: 'cleared', detector: 'w-1', fault: 'stuck-on', sinceMs: at(0) },
    ]);
    expect(health['w-1']).toMatchObject({ status: 'ok', sinceMs: at(13) });
    expect(faultSpans(after)).toEqual({
      'w-1': [{ fault: 'stuck-on', fromMs: at(0), toMs: at(13) }],
    });
  });

  it('keeps a fault’s first since while it lasts and raises it only once', () => {
    const stuck = (detector: string): Reading =>
      detector === 'w-1' ? { count: 0, occupancy: 1 } : normal();
    let state = observeReadings(createHealthState(), map, minutes(0, 11, stuck));
    const first = judge(state, 11);
    state = observeReadings(first.state, map, minutes(11, 20, stuck));
    const later = judge(state, 20);
    expect(first.events).toHaveLength(1);
    expect(later.events).toEqual([]);
    expect(later.health['w-1']!.sinceMs).toBe(at(0));
  });

  it('raises stuck-off when the same lane’s advance detector counts what it does not', () => {
    const silent = (detector: string, minute: number): Reading =>
      detector === 'w-1' && minute >= 2 ? { count: 0, occupancy: 0 } : normal();
    const state = observeReadings(createHealthState(), map, minutes(0, 13, silent));
    const { health } = judge(state, 13);
    expect(health['w-1']).toMatchObject({ status: 'stuck-off', sinceMs: at(2) });
    expect(health['w-1']!.reason).toContain('same lane');
    expect(health['w-1']!.reason).toContain('88.0 were expected');
  });

  it('judges stuck-off on the prior by the Poisson test: 20 veh/h may leave 12 minutes empty, 60 veh/h may not', () => {
    // ba-0 is alone on its link: the prior is all there is to expect from.
    const silent = (detector: string): Reading =>
      detector === 'ba-0' ? { count: 0, occupancy: 0 } : normal();
    const state = observeReadings(createHealthState(), map, minutes(0, 12, silent));
    // λ = 20/3600 × 720 = 4: P(0) = 0.018, plausible.
    expect(judge(state, 12, { priorFlows: { 'ba-0': 20 } }).health['ba-0']!.status).toBe('ok');
    // λ = 12: P(0) = 6e-6.
    expect(judge(state, 12, { priorFlows: { 'ba-0': 60 } }).health['ba-0']!.status).toBe(
      'stuck-off',
    );
    // Without a prior or a neighbour nothing can be expected.
    expect(judge(state, 12).health['ba-0']!.status).toBe('ok');
  });

  it('scales the other lanes’ traffic by the priors: a quiet left-turn lane is no fault', () => {
    const leftSilent = (detector: string): Reading =>
      detector === 'w-2' ? { count: 0, occupancy: 0 } : normal();
    const state = observeReadings(createHealthState(), map, minutes(0, 12, leftSilent));
    // The through lanes carry 480 veh/h each against priors of 500: a 10 veh/h left turn expects 1.9.
    const quiet = { 'w-0': 500, 'w-1': 500, 'w-adv-1': 500, 'w-2': 10 };
    expect(judge(state, 12, { priorFlows: quiet }).health['w-2']!.status).toBe('ok');
    // Without priors only the share floor of the other lanes' 8 a minute: 9.6 expected, none seen.
    expect(judge(state, 12).health['w-2']).toMatchObject({ status: 'stuck-off', sinceMs: at(0) });
  });

  describe('stuck-off on a lane the others do not use alike (w-2 as a shared through-left lane)', () => {
    // The priors split the link evenly, as `detectorPriorFlows` does for a through movement.
    const even = { priorFlows: { 'w-0': 60, 'w-1': 60, 'w-adv-1': 60, 'w-2': 60 } };

    it('raises nothing over two night hours when it carries ~3 % of the link while the others count', () => {
      // The others 1–2 a minute (75 veh/h each); w-2 one vehicle every 11–14 minutes (~4.6 veh/h).
      const passes = new Set([3, 15, 29, 40, 52, 66, 80, 93, 106]);
      const night = (detector: string, minute: number): Reading =>
        detector === 'w-2'
          ? { count: passes.has(minute) ? 1 : 0, occupancy: passes.has(minute) ? 0.01 : 0 }
          : { count: minute % 4 === 3 ? 2 : 1, occupancy: 0.02 };
      const { events, health } = tickThrough(createHealthState(), 0, 120, night, even);
      expect(events.filter((event) => event.fault === 'stuck-off')).toEqual([]);
      expect(health['w-2']!.status).toBe('ok');
      // The silence of minutes 107–119: an even share (17 expected) would call it dead.
      expect(
        judge(observeReadings(createHealthState(), map, minutes(107, 120, night)), 120, even)
          .health['w-2']!.status,
      ).toBe('ok');
    });

    it('raises it 10 minutes (stuckOffDuration) after the lane goes dead at a daytime flow, on its own share', () => {
      // The others 6 a minute (360 veh/h each), w-2 5 (29 % of the link) until it dies at minute 30.
      const day = (detector: string, minute: number): Reading =>
        detector === 'w-2'
          ? minute < 30
            ? { count: 5, occupancy: 0.1 }
            : { count: 0, occupancy: 0 }
          : { count: 6, occupancy: 0.12 };
      const before = tickThrough(createHealthState(), 0, 39, day, even);
      expect(before.health['w-2']!.status).toBe('ok');
      const { events, health } = tickThrough(before.state, 39, 40, day, even);
      expect(events).toMatchObject([
        { type: 'raised', detector: 'w-2', fault: 'stuck-off', atMs: at(40), sinceMs: at(30) },
      ]);
      // 150 of its own to the others' 180 before, 60 of theirs since: 50 expected.
      expect(health['w-2']!.reason).toContain('50.0 were expected from its own share');
      // The share floor alone (0.1 × 60 = 6 expected) would not have raised it yet.
      expect(health['w-2']!.reason).not.toContain('0.1 ×');
    });

    it('learns its share from before a fault that began as it went silent (stuck-on first)', () => {
      // As the field plays a dead detector: hi-res on without an off from minute 29.5 (stuck-on
      // at minute 40), counts none from minute 31. At minute 41 its share before minute 29.5
      // still speaks; the floor alone (0.1 × 60 = 6 expected) would not.
      const day = (detector: string, minute: number): Reading =>
        detector === 'w-2'
          ? { count: minute <= 30 ? 5 : 0, occupancy: minute <= 30 ? 0.1 : 0 }
          : { count: 6, occupancy: 0.12 };
      const healthy = tickThrough(createHealthState(), 0, 30, day, even);
      const channel = map.detectors['w-2']!.channel;
      const on = observeDetectorEvents(healthy.state, map, 'SA', [
        { tsMs: at(29.5), code: DETECTOR_ON, param: channel },
      ]);
      const stuckOn = tickThrough(on.state, 30, 40, day, even);
      expect(stuckOn.health['w-2']).toMatchObject({ status: 'stuck-on', sinceMs: at(29.5) });
      const { events, health } = tickThrough(stuckOn.state, 40, 41, day, even);
      expect(events).toMatchObject([{ type: 'raised', fault: 'stuck-off', sinceMs: at(31) }]);
      expect(health['w-2']!.faults.map((fault) => fault.fault)).toEqual(['stuck-on', 'stuck-off']);
      expect(health['w-2']!.faults[1]!.reason).toContain('from its own share');
    });

    it('falls back to the share floor without a history of its own: 0.1 of the other lanes', () => {
      // Silent from the start at 3 a minute on the others: 0.3 a minute expected, so λ > 6.9 after 23 minutes.
      const silent = (detector: string): Reading =>
        detector === 'w-2' ? { count: 0, occupancy: 0 } : { count: 3, occupancy: 0.06 };
      const before = tickThrough(createHealthState(), 0, 23, silent);
      expect(before.events).toEqual([]);
      const { events, health } = tickThrough(before.state, 23, 24, silent);
      expect(events).toMatchObject([
        { type: 'raised', detector: 'w-2', fault: 'stuck-off', sinceMs: at(0) },
      ]);
      expect(health['w-2']!.reason).toContain(
        '7.2 were expected from 0.1 × the other lanes of w_in',
      );
    });

    it('takes a share learned from few vehicles as weak evidence (Fisher, not the share as exact)', () => {
      // Minutes 0–4: w-2 counts 5, the others 1 between them (B = 1 on their mean); then the
      // others 1 every 4 minutes, w-2 none. By minute 45 W = 10: (1/11)^5 = 6e-6 if the 5:1 share
      // were exact, but Π (1 + i) / (11 + i) = 1.4e-3 with its noise, and the floor expects 1.0.
      const burst = (detector: string, minute: number): Reading =>
        detector === 'w-2'
          ? { count: minute < 5 ? 1 : 0, occupancy: minute < 5 ? 0.01 : 0 }
          : {
              count: minute === 2 || (minute >= 5 && (minute - 5) % 4 === 3) ? 1 : 0,
              occupancy: 0.01,
            };
      const { events, health } = tickThrough(createHealthState(), 0, 45, burst);
      expect(events).toEqual([]);
      expect(health['w-2']!.status).toBe('ok');
      // One more of theirs (W = 11): 9.7e-4, and it is raised on its own share.
      const more = tickThrough(createHealthState(), 0, 49, burst);
      expect(more.health['w-2']).toMatchObject({ status: 'stuck-off', sinceMs: at(5) });
      expect(more.health['w-2']!.reason).toContain('55.0 were expected from its own share');
    });

    it('holds the fault through the night once its share before the silence has left the history', () => {
      // Dead at minute 30 by day; the others drop to 1 a minute at minute 60, when the floor
      // (0.1 × 60 an hour) no longer raises it; the history of its share is gone by minute 90.
      const dead = (detector: string, minute: number): Reading =>
        detector === 'w-2'
          ? { count: minute < 30 ? 5 : 0, occupancy: minute < 30 ? 0.1 : 0 }
          : { count: minute < 60 ? 6 : 1, occupancy: 0.05 };
      const night = tickThrough(createHealthState(), 0, 130, dead, even);
      expect(night.events).toMatchObject([{ type: 'raised', detector: 'w-2', atMs: at(40) }]);
      expect(night.health['w-2']).toMatchObject({ status: 'stuck-off', sinceMs: at(30) });
      // A vehicle at last: the detector works again.
      const again = (detector: string, minute: number): Reading =>
        detector === 'w-2' ? { count: 1, occupancy: 0.01 } : dead(detector, minute);
      const healed = tickThrough(night.state, 130, 131, again, even);
      expect(healed.events).toMatchObject([
        { type: 'cleared', detector: 'w-2', fault: 'stuck-off' },
      ]);
    });
  });

  it('does not take a faulty neighbour as a witness', () => {
    const readings = (detector: string): Reading =>
      detector === 'w-1'
        ? { count: 0, occupancy: 0 }
        : detector === 'w-adv-1'
          ? { count: 200, occupancy: 0.5 }
          : { count: 0, occupancy: 0 };
    const state = observeReadings(createHealthState(), map, minutes(0, 12, readings));
    const first = judge(state, 12);
    expect(first.health['w-adv-1']!.status).toBe('chattering');
    // Now w-adv-1 is known faulty: w-1 has no witness left on its lane, and its link is quiet.
    expect(judge(first.state, 12).health['w-1']!.status).toBe('ok');
  });

  it('raises chattering on counts beyond the lane’s capacity, and clears it 15 minutes later', () => {
    const burst = (detector: string, minute: number): Reading =>
      detector === 'w-0' && minute === 4 ? { count: 60, occupancy: 0.5 } : normal();
    let state = observeReadings(createHealthState(), map, minutes(0, 5, burst));
    const raised = judge(state, 5);
    expect(raised.health['w-0']).toMatchObject({ status: 'chattering', sinceMs: at(4) });
    expect(raised.health['w-0']!.reason).toContain('60 vehicles in 60 s');
    state = observeReadings(raised.state, map, minutes(5, 19, burst));
    expect(judge(state, 19).health['w-0']!.status).toBe('chattering');
    state = observeReadings(state, map, minutes(19, 21, burst));
    const cleared = judge(judge(state, 19).state, 21);
    expect(cleared.events).toMatchObject([
      { type: 'cleared', detector: 'w-0', fault: 'chattering' },
    ]);
    // 47 vehicles a minute is 1.5 × 1900 veh/h: just not chattering.
    const full = (detector: string): Reading =>
      detector === 'w-0' ? { count: 47, occupancy: 0.6 } : normal();
    const busy = observeReadings(createHealthState(), map, minutes(0, 5, full));
    expect(judge(busy, 5).health['w-0']!.status).toBe('ok');
  });

  it('raises chattering on hi-res on-times too short for any vehicle, not on ordinary ones', () => {
    const channel = map.detectors['w-0']!.channel;
    const pulses = (onTimeMs: number, count: number) =>
      Array.from({ length: count }, (_, index) => [
        { tsMs: at(2) + index * 5000, code: DETECTOR_ON, param: channel },
        { tsMs: at(2) + index * 5000 + onTimeMs, code: DETECTOR_OFF, param: channel },
      ]).flat();
    // 6 m at 1.5 × 13.89 m/s takes 0.29 s; the log's 0.1 s leaves 0.19 s.
    expect(shortestOnTime(map.detectors['w-0']!, {})).toBeCloseTo(0.188, 3);
    const chatter = observeDetectorEvents(createHealthState(), map, 'SA', pulses(100, 6));
    expect(chatter.unknownChannels).toEqual([]);
    // Since the end of the first short pulse.
    expect(judge(chatter.state, 3).health['w-0']).toMatchObject({
      status: 'chattering',
      sinceMs: at(2) + 100,
    });
    const ordinary = observeDetectorEvents(createHealthState(), map, 'SA', pulses(300, 6));
    expect(judge(ordinary.state, 3).health['w-0']!.status).toBe('ok');
    const few = observeDetectorEvents(createHealthState(), map, 'SA', pulses(100, 4));
    expect(judge(few.state, 3).health['w-0']!.status).toBe('ok');
    expect(
      observeDetectorEvents(createHealthState(), map, 'SA', [
        { tsMs: at(1), code: DETECTOR_ON, param: 99 },
      ]).unknownChannels,
    ).toEqual([99]);
  });

  it('raises stuck-on on a hi-res on without an off for 10 minutes', () => {
    const channel = map.detectors['w-2']!.channel;
    const { state } = observeDetectorEvents(createHealthState(), map, 'SA', [
      { tsMs: at(1), code: DETECTOR_ON, param: channel },
    ]);
    expect(judge(state, 10).health['w-2']!.status).toBe('ok');
    expect(judge(state, 11).health['w-2']).toMatchObject({ status: 'stuck-on', sinceMs: at(1) });
  });

  it('raises missing for a detector silent for 3 intervals while its site reports, not when the site is silent', () => {
    const stops = (detector: string, minute: number): Reading =>
      detector === 'w-2' && minute >= 5 ? undefined : normal();
    // Its last reading ends at minute 5; the others' readings of minutes 5 and 6 are not yet 3.
    const seven = observeReadings(createHealthState(), map, minutes(0, 7, stops));
    expect(judge(seven, 7).health['w-2']!.status).toBe('ok');
    const eight = observeReadings(seven, map, minutes(7, 8, stops));
    expect(judge(eight, 8).health['w-2']).toMatchObject({ status: 'missing', sinceMs: at(5) });
    // The whole site silent since minute 5: a controller problem, not the detectors'.
    const allQuiet = observeReadings(createHealthState(), map, minutes(0, 5, normal));
    const { health } = judge(allQuiet, 30);
    expect(map.sites.SA!.every((id) => health[id]!.status === 'ok')).toBe(true);
  });

  it('raises missing for a detector that never reported while its site does', () => {
    const onlyOne = (detector: string): Reading =>
      detector === 'stopline:ab:0' ? normal() : undefined;
    const state = observeReadings(createHealthState(), map, minutes(0, 4, onlyOne, 'SB'));
    const { health } = judge(state, 4);
    expect(health['stopline:ab:0']!.status).toBe('ok');
    expect(health['stopline:e_in:1']).toMatchObject({ status: 'missing', sinceMs: at(0) });
    expect(health['stopline:e_in:1']!.reason).toContain('never reported');
    // Site SA has not reported at all: nothing is missing there.
    expect(health['w-0']!.status).toBe('ok');
  });

  it('raises gaps above 10 % for the site’s detectors, and clears them only at 5 % or below', () => {
    const state = observeReadings(createHealthState(), map, minutes(0, 5, normal));
    const raised = judge(state, 5, { gapRates: { SA: 0.2 } });
    expect(raised.events.filter((event) => event.fault === 'gaps')).toHaveLength(5);
    expect(raised.health['w-0']).toMatchObject({ status: 'gaps', sinceMs: at(5) });
    expect(raised.health['stopline:ab:0']!.status).toBe('ok');
    const holding = judge(raised.state, 6, { gapRates: { SA: 0.07 } });
    expect(holding.health['w-0']).toMatchObject({ status: 'gaps', sinceMs: at(5) });
    const cleared = judge(holding.state, 7, { gapRates: { SA: 0.04 } });
    expect(cleared.health['w-0']!.status).toBe('ok');
    // Gaps lose entries, not vehicles: the data stays usable.
    expect(faultSpans(cleared.state)).toEqual({});
  });

  it('does not change the state it is given', () => {
    const state = observeReadings(
      createHealthState(),
      map,
      minutes(0, 12, (detector) => (detector === 'w-1' ? { count: 0, occupancy: 1 } : normal())),
    );
    const frozen = structuredClone(state);
    judge(state, 12);
    observeReadings(state, map, minutes(12, 14, normal));
    expect(state).toEqual(frozen);
  });

  it('folds a message by copying only the evidence it touches (regression: every detector per message)', () => {
    const before = observeReadings(createHealthState(), map, [
      ...minutes(0, 5, normal),
      ...minutes(0, 5, normal, 'SB'),
    ]);
    const after = observeReadings(
      before,
      map,
      minutes(5, 6, (detector) => (detector === 'w-0' ? normal() : undefined)),
    );
    expect(siteEntry(after.sites, 'SB')).toBe(siteEntry(before.sites, 'SB'));
    const [was, now] = [before, after].map((state) => siteEntry(state.sites, 'SA')!.detectors);
    expect(now!['w-0']).not.toBe(was!['w-0']);
    expect(now!['w-0']!.buckets).toHaveLength(6);
    for (const id of ['w-1', 'w-2', 'w-adv-1', 'ba-0']) expect(now![id]).toBe(was![id]);
    expect(after.detectors).toBe(before.detectors);
  });

  it('keeps the peak count of the buckets kept, so chattering reads them only when it can be', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 60 })), {
          minLength: 1,
          maxLength: 40,
        }),
        (minutesAndCounts) => {
          let state = createHealthState();
          for (const [minute, count] of minutesAndCounts) {
            const reading = { site: 'SA', detector: 'w-0', seq: minute, interval: 60, count };
            state = observeReadings(
              state,
              map,
              [{ ...reading, endMs: at(minute + 1), occupancy: 0.1 }],
              { history: 1800 },
            );
          }
          const evidence = siteEntry(state.sites, 'SA')!.detectors['w-0']!;
          expect(evidence.peakCount).toBe(Math.max(0, ...evidence.buckets.map((b) => b.count)));
        },
      ),
    );
  });

  it('throws BAD_OPTION on a threshold that is not positive', () => {
    expect(() => judge(createHealthState(), 1, {}, { stuckOnDuration: 0 })).toThrow(IngestError);
    expect(() => judge(createHealthState(), 1, {}, { gapRate: 0.05, gapClearRate: 0.1 })).toThrow(
      IngestError,
    );
  });
});
