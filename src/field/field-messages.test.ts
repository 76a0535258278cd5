// det.volume and tlc.hires payloads from simulated readings and events, with injected faults.
import { beforeAll, describe, expect, it } from 'vitest';
import { payloadParser, DetectorVolumePayload, HiresPayload } from '../controllers/payloads.ts';
import type { DetectorMap } from '../ingest/detector-map.ts';
import type { DetectorReading, HiResEvent } from '../../sim/types.ts';
import { loadDemoNetwork } from './field.fixture.ts';
import { faultEvent, hiresEntries, volumePayloads } from './field-messages.ts';

const ORIGIN = Date.parse('2026-11-30T00:00:00.000Z');
const checkVolume = payloadParser(DetectorVolumePayload);
const checkHires = payloadParser(HiresPayload);
let map: DetectorMap;
beforeAll(async () => {
  ({ map } = await loadDemoNetwork());
});

const reading = (
  detector: string,
  end: number,
  count = 5,
  occupancy = 0.123456,
): DetectorReading => ({
  detector,
  begin: end - 60,
  end,
  count,
  occupancy,
});

describe('volumePayloads', () => {
  it('sends one message per site, one entry per interval end, seq continuing per site', () => {
    const [a1, a2] = map.sites['JS-01']!;
    const [b1] = map.sites['JS-02']!;
    const readings = [
      reading(a1!, 27_120),
      reading(b1!, 27_060),
      reading(a1!, 27_060, 7),
      reading(a2!, 27_060, 0, 0),
      reading('not-in-the-map', 27_060),
    ];
    const { messages, lastSeq } = volumePayloads(readings, {
      map,
      originMs: ORIGIN,
      interval: 60,
      lastSeq: { 'JS-01': 41 },
    });
    expect(messages.map((message) => message.site)).toEqual(['JS-01', 'JS-02']);
    expect(messages[0]!.payload).toEqual({
      interval: 60,
      entries: [
        {
          ts: '2026-11-30T07:31:00.000Z',
          seq: 42,
          values: { [a1!]: { count: 7, occupancy: 0.1235 }, [a2!]: { count: 0, occupancy: 0 } },
        },
        {
          ts: '2026-11-30T07:32:00.000Z',
          seq: 43,
          values: { [a1!]: { count: 5, occupancy: 0.1235 } },
        },
      ],
    });
    expect(messages[1]!.payload.entries.map((entry) => entry.seq)).toEqual([1]);
    expect(lastSeq).toEqual({ 'JS-01': 43, 'JS-02': 1 });
    for (const message of messages)
      expect(checkVolume(JSON.stringify(message.payload)).ok).toBe(true);
  });

  it('reports a stuck-on detector occupied and empty, a stuck-off one empty, a silent one not at all', () => {
    const [on, off, silent, sound] = map.sites['JS-01']!;
    const { messages } = volumePayloads(
      [on!, off!, silent!, sound!].map((id) => reading(id, 27_060, 9, 0.3)),
      {
        map,
        originMs: ORIGIN,
        interval: 60,
        lastSeq: {},
        faults: { [on!]: 'stuck-on', [off!]: 'stuck-off', [silent!]: 'silent' },
      },
    );
    expect(messages[0]!.payload.entries[0]!.values).toEqual({
      [on!]: { count: 0, occupancy: 1 },
      [off!]: { count: 0, occupancy: 0 },
      [sound!]: { count: 9, occupancy: 0.3 },
    });
  });

  it('sends nothing for a site whose detectors are all silent', () => {
    const ids = map.sites['JS-04']!;
    const { messages, lastSeq } = volumePayloads(
      ids.map((id) => reading(id, 27_060)),
      {
        map,
        originMs: ORIGIN,
        interval: 60,
        lastSeq: {},
        faults: Object.fromEntries(ids.map((id) => [id, 'silent'])),
      },
    );
    expect(messages).toEqual([]);
    expect(lastSeq).toEqual({});
  });
});

describe('hiresEntries', () => {
  it('keeps phase events and renumbers detector events to the map channel, per site in time order', () => {
    const [first, second] = map.sites['JS-02']!;
    const channels = [
      { detector: second!, signal: 'JS-02', channel: 1 },
      { detector: first!, signal: 'JS-02', channel: 2 },
    ];
    const events: HiResEvent[] = [
      { time: 27_000.5, signal: 'JS-02', code: 1, param: 3 },
      { time: 27_001, signal: 'JS-02', code: 82, param: 1 },
      { time: 27_001.25, signal: 'JS-02', code: 81, param: 2 },
      { time: 27_002, signal: 'JS-02', code: 82, param: 9 },
      { time: 27_003, signal: 'JS-01', code: 8, param: 1 },
    ];
    const bySite = hiresEntries(events, { map, channels, originMs: ORIGIN });
    expect(bySite.get('JS-02')).toEqual([
      { ts: '2026-11-30T07:30:00.500Z', code: 1, param: 3 },
      { ts: '2026-11-30T07:30:01.000Z', code: 82, param: map.detectors[second!]!.channel },
      { ts: '2026-11-30T07:30:01.250Z', code: 81, param: map.detectors[first!]!.channel },
    ]);
    expect(bySite.get('JS-01')).toEqual([{ ts: '2026-11-30T07:30:03.000Z', code: 8, param: 1 }]);
    expect(checkHires(JSON.stringify({ entries: bySite.get('JS-02') })).ok).toBe(true);
  });

  it("drops a faulty detector's own events", () => {
    const [first] = map.sites['JS-02']!;
    const channels = [{ detector: first!, signal: 'JS-02', channel: 1 }];
    const events: HiResEvent[] = [{ time: 27_001, signal: 'JS-02', code: 82, param: 1 }];
    const faults = { [first!]: 'stuck-off' as const };
    expect(
      hiresEntries(events, { map, channels, originMs: ORIGIN, faults }).get('JS-02'),
    ).toBeUndefined();
  });
});

describe('faultEvent', () => {
  it('turns a detector on when it sticks on and off when it heals; other faults give no event', () => {
    const [id] = map.sites['JS-03']!;
    const ms = ORIGIN + 27_000_000;
    const channel = map.detectors[id!]!.channel;
    expect(faultEvent(map, id!, { from: undefined, to: 'stuck-on', ms })).toEqual({
      site: 'JS-03',
      entry: { ts: '2026-11-30T07:30:00.000Z', code: 82, param: channel },
    });
    expect(faultEvent(map, id!, { from: 'stuck-on', to: undefined, ms })?.entry.code).toBe(81);
    expect(faultEvent(map, id!, { from: 'stuck-on', to: 'stuck-on', ms })).toBeUndefined();
    expect(faultEvent(map, id!, { from: undefined, to: 'silent', ms })).toBeUndefined();
    expect(faultEvent(map, 'nowhere', { from: undefined, to: 'stuck-on', ms })).toBeUndefined();
  });
});
