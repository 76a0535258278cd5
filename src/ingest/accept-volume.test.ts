// Tests for accepting det.volume messages: unknown and foreign detectors, clocks, intervals.
import { describe, expect, it } from 'vitest';
import type { DetectorVolumePayload } from '../controllers/payloads.ts';
import { acceptDetectorVolume } from './accept-volume.ts';
import { detectorMap } from './detector-map.ts';
import { twoCrossings } from './ingest.fixture.ts';
import { IngestError } from './types.ts';

const map = detectorMap(twoCrossings());
const NOW = Date.parse('2026-11-28T07:05:00Z');
const reading = (count: number, occupancy = 0.1) => ({ count, occupancy });

function payload(
  entries: {
    ts: string;
    seq: number;
    values: Record<string, { count: number; occupancy: number }>;
  }[],
  interval = 60,
): DetectorVolumePayload {
  return { interval, entries };
}

describe('acceptDetectorVolume', () => {
  it('takes every reading of a known detector of the site, its ts the end of its interval', () => {
    const result = acceptDetectorVolume(map, {
      site: 'SA',
      receivedAtMs: NOW,
      payload: payload([
        {
          ts: '2026-11-28T07:05:00Z',
          seq: 8,
          values: { 'w-0': reading(7, 0.2), 'w-1': reading(9) },
        },
      ]),
    });
    expect(result.rejections).toEqual([]);
    expect(result.accepted).toEqual([
      { site: 'SA', detector: 'w-0', seq: 8, endMs: NOW, interval: 60, count: 7, occupancy: 0.2 },
      { site: 'SA', detector: 'w-1', seq: 8, endMs: NOW, interval: 60, count: 9, occupancy: 0.1 },
    ]);
  });

  it('rejects an unknown detector by name, and one of another site naming its site, keeping the rest', () => {
    const result = acceptDetectorVolume(map, {
      site: 'SA',
      receivedAtMs: NOW,
      payload: payload([
        {
          ts: '2026-11-28T07:05:00Z',
          seq: 3,
          values: { 'w-0': reading(4), nope: reading(1), 'stopline:ab:0': reading(2) },
        },
      ]),
    });
    expect(result.accepted.map((accepted) => accepted.detector)).toEqual(['w-0']);
    expect(result.rejections).toMatchObject([
      { code: 'unknown-detector', site: 'SA', detector: 'nope', seq: 3 },
      { code: 'wrong-site', site: 'SA', detector: 'stopline:ab:0', seq: 3 },
    ]);
    expect(result.rejections[1]!.reason).toContain('SB');
  });

  it('rejects the entries of a clock far ahead or older than the retention, keeping the others', () => {
    const result = acceptDetectorVolume(
      map,
      {
        site: 'SA',
        receivedAtMs: NOW,
        payload: payload([
          { ts: '2026-11-28T07:06:00Z', seq: 1, values: { 'w-0': reading(1) } },
          { ts: '2026-11-28T07:07:00Z', seq: 2, values: { 'w-0': reading(1) } },
          { ts: '2026-11-27T07:00:00Z', seq: 3, values: { 'w-0': reading(1) } },
          { ts: '2026-11-28T07:04:00Z', seq: 4, values: { 'w-0': reading(1) } },
        ]),
      },
      { maxFuture: 60, retention: 86_400 },
    );
    expect(result.accepted.map((accepted) => accepted.seq)).toEqual([1, 4]);
    expect(result.rejections.map(({ code, seq }) => [code, seq])).toEqual([
      ['future-timestamp', 2],
      ['stale-timestamp', 3],
    ]);
  });

  it('rejects a timestamp that matches the pattern but is no time', () => {
    const result = acceptDetectorVolume(map, {
      site: 'SA',
      receivedAtMs: NOW,
      payload: payload([{ ts: '2026-13-45T99:00:00Z', seq: 1, values: { 'w-0': reading(1) } }]),
    });
    expect(result.rejections).toMatchObject([{ code: 'bad-timestamp', seq: 1 }]);
  });

  it('rejects the whole message of a site with no detectors', () => {
    const result = acceptDetectorVolume(map, {
      site: 'nowhere',
      receivedAtMs: NOW,
      payload: payload([{ ts: '2026-11-28T07:05:00Z', seq: 1, values: { 'w-0': reading(1) } }]),
    });
    expect(result).toEqual({
      accepted: [],
      rejections: [expect.objectContaining({ code: 'unknown-site', site: 'nowhere' })],
    });
  });

  it('rejects an interval that does not fit the aggregation, or not the one configured', () => {
    const at = (interval: number, options = {}) =>
      acceptDetectorVolume(
        map,
        {
          site: 'SA',
          receivedAtMs: NOW,
          payload: payload(
            [{ ts: '2026-11-28T07:05:00Z', seq: 1, values: { 'w-0': reading(1) } }],
            interval,
          ),
        },
        options,
      );
    expect(at(70).rejections).toMatchObject([{ code: 'interval-mismatch' }]);
    expect(at(900).rejections).toMatchObject([{ code: 'interval-mismatch' }]);
    expect(at(0.5).rejections).toEqual([]);
    expect(at(300).rejections).toEqual([]);
    expect(at(60, { expectedInterval: 30 }).rejections[0]!.reason).toContain('30 s');
    expect(at(900, { aggregationIntervals: [900, 3600] }).rejections).toEqual([]);
  });

  it('throws BAD_OPTION on a negative allowance', () => {
    expect(() =>
      acceptDetectorVolume(
        map,
        { site: 'SA', receivedAtMs: NOW, payload: payload([]) },
        { maxFuture: -1 },
      ),
    ).toThrow(IngestError);
  });
});
