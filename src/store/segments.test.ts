// Segment file names and lines of the embedded store.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TIME_MS, MIN_TIME_MS } from './rows.ts';
import {
  LAYOUTS,
  decodeSegment,
  encodeLine,
  parseSegmentFileName,
  segmentFileName,
  segmentStart,
} from './segments.ts';

describe('segment files', () => {
  it('names every storable hour and day so the name reads back as its start', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MIN_TIME_MS, max: MAX_TIME_MS }),
        fc.constantFrom(LAYOUTS.detector, LAYOUTS.plan),
        (ms, layout) => {
          const start = segmentStart(layout, ms);
          expect(start).toBeLessThanOrEqual(ms);
          expect(ms - start).toBeLessThan(layout.segmentMs);
          expect(parseSegmentFileName(layout, segmentFileName(layout, start))).toBe(start);
        },
      ),
    );
  });

  it('ignores files that are not segments of the layout', () => {
    expect(parseSegmentFileName(LAYOUTS.detector, '2026-11-28T07.jsonl')).toBe(
      Date.UTC(2026, 10, 28, 7),
    );
    expect(parseSegmentFileName(LAYOUTS.detector, '2026-11-28.jsonl')).toBeUndefined();
    expect(parseSegmentFileName(LAYOUTS.plan, '2026-11-28T07.jsonl')).toBeUndefined();
    expect(parseSegmentFileName(LAYOUTS.detector, '2026-11-28T25.jsonl')).toBeUndefined();
    expect(parseSegmentFileName(LAYOUTS.detector, 'notes.txt')).toBeUndefined();
  });

  it('reads later lines over earlier ones and skips a torn tail', () => {
    const first = { site: 'a', timestampMs: 5, code: 82, param: 1 };
    const text =
      encodeLine(LAYOUTS.hires, [first, { ...first, param: 2 }]) +
      encodeLine(LAYOUTS.hires, [{ ...first, param: 2 }]) +
      '\n[[5,"a",82,3],[5,"a"';
    expect([...decodeSegment(LAYOUTS.hires, text, 'x').values()]).toEqual([
      first,
      { ...first, param: 2 },
    ]);
  });

  it('refuses lines that parse but are not rows of the measurement', () => {
    expect(() => decodeSegment(LAYOUTS.hires, '\n[[5,"a",82]]', 'x')).toThrow(
      expect.objectContaining({ code: 'CORRUPT_DATA' }),
    );
    expect(() => decodeSegment(LAYOUTS.hires, '\n{"rows":[]}', 'x')).toThrow(
      expect.objectContaining({ code: 'CORRUPT_DATA' }),
    );
  });
});
