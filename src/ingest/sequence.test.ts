// Tests for sequence tracking: gaps, duplicates, late fills, resets after a restart, and the gap rate.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  gapRate,
  resumeSequences,
  sequenceKey,
  trackSequence,
  type SequenceState,
} from './sequence.ts';
import { IngestError } from './types.ts';

const KEY = sequenceKey('JS-02', 'det.volume');
const T0 = Date.parse('2026-11-28T07:00:00Z');
/** Entry `seq` of a channel that sends one entry a minute. */
const entry = (seq: number, minute = seq) => ({ seq, tsMs: T0 + minute * 60_000 });

function run(state: SequenceState, entries: { seq: number; tsMs: number }[]) {
  return trackSequence(state, KEY, entries);
}

describe('trackSequence', () => {
  it('takes the first entry as new, the next as new, a jump as a gap of the entries skipped', () => {
    const { verdicts } = run({}, [entry(5), entry(6), entry(9)]);
    expect(verdicts).toEqual([
      { seq: 5, class: 'new', missing: 0 },
      { seq: 6, class: 'new', missing: 0 },
      { seq: 9, class: 'gap', missing: 2 },
    ]);
  });

  it('drops an entry seen before as a duplicate, in the same message or a later one', () => {
    const first = run({}, [entry(1), entry(2), entry(2)]);
    expect(first.verdicts.map((verdict) => verdict.class)).toEqual(['new', 'new', 'duplicate']);
    const again = run(first.state, [entry(1), entry(3)]);
    expect(again.verdicts.map((verdict) => verdict.class)).toEqual(['duplicate', 'new']);
  });

  it('takes a skipped entry arriving later as late, and it fills the gap', () => {
    const gap = run({}, [entry(1), entry(4)]);
    expect(gapRate(gap.state[KEY], T0 + 10 * 60_000, 3600)).toEqual({
      rate: 2 / 4,
      received: 2,
      missing: 2,
    });
    const filled = run(gap.state, [entry(3), entry(2), entry(3)]);
    expect(filled.verdicts.map((verdict) => verdict.class)).toEqual(['late', 'late', 'duplicate']);
    expect(gapRate(filled.state[KEY], T0 + 10 * 60_000, 3600)).toEqual({
      rate: 0,
      received: 4,
      missing: 0,
    });
  });

  it('takes a lower seq with a later time as a reset after a restart, and counts on from it', () => {
    const before = run({}, [entry(40, 0), entry(41, 1)]);
    const after = run(before.state, [entry(0, 5), entry(1, 6), entry(0, 5)]);
    expect(after.verdicts.map((verdict) => verdict.class)).toEqual(['reset', 'new', 'duplicate']);
    expect(after.state[KEY]!.last).toBe(1);
  });

  it('neither fills nor counts an out-of-order entry older than the remembered window', () => {
    const { state } = trackSequence({}, KEY, [entry(1), entry(50)], { window: 10 });
    const old = trackSequence(state, KEY, [entry(2)], { window: 10 });
    expect(old.verdicts[0]!.class).toBe('late');
    expect(old.state[KEY]).toEqual(state[KEY]);
  });

  it('does not change the state it is given', () => {
    const { state } = run({}, [entry(1), entry(3)]);
    const frozen = structuredClone(state);
    run(state, [entry(2), entry(7), entry(0, 30)]);
    expect(state).toEqual(frozen);
  });

  it('keeps tallies only within the horizon', () => {
    const { state } = trackSequence({}, KEY, [entry(0, 0), entry(2, 200)], { horizon: 3600 });
    expect(state[KEY]!.tallies.map((tally) => tally.startMs)).toEqual([T0 + 200 * 60_000]);
  });

  it('throws BAD_OPTION on a window below 1', () => {
    expect(() => trackSequence({}, KEY, [entry(1)], { window: 0 })).toThrow(IngestError);
  });

  it('counts every entry once and ends with nothing missing, whatever the order and repeats', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.shuffledSubarray(
              Array.from({ length: n }, (_, seq) => seq),
              { minLength: n, maxLength: n },
            ),
            fc.array(fc.nat(n - 1), { maxLength: 20 }),
            fc.nat(30),
          ),
        ),
        ([n, order, repeats, firstBatch]) => {
          const arrivals = [...order, ...repeats].map((seq) => entry(seq));
          let state: SequenceState = {};
          let counted = 0;
          for (const batch of [arrivals.slice(0, firstBatch), arrivals.slice(firstBatch)]) {
            const result = trackSequence(state, KEY, batch, { window: 256, horizon: 86_400 });
            counted += result.verdicts.filter((verdict) => verdict.class !== 'duplicate').length;
            state = result.state;
          }
          expect(counted).toBe(n);
          expect(gapRate(state[KEY], T0 + n * 60_000, 86_400)).toMatchObject({
            received: n,
            missing: 0,
          });
        },
      ),
    );
  });
});

describe('resumeSequences', () => {
  it('resumes each channel at its next newer entry without counting what the engine lost', () => {
    const before = run({}, [entry(1), entry(2)]).state;
    const frozen = structuredClone(before);
    const restored = resumeSequences(before);
    expect(before).toEqual(frozen);
    const resumed = run(restored, [entry(6), entry(9)]);
    expect(resumed.verdicts).toEqual([
      { seq: 6, class: 'resumed', missing: 0 },
      { seq: 9, class: 'gap', missing: 2 },
    ]);
    // 3, 4 and 5 were lost by the engine, not by the controller; 7 and 8 are the feed's own gap
    expect(gapRate(resumed.state[KEY], T0 + 10 * 60_000, 3600)).toMatchObject({
      received: 4,
      missing: 2,
    });
    expect(resumed.state[KEY]!.resumed).toBeUndefined();
  });

  it('keeps duplicates, late entries and the next entry as they were', () => {
    const restored = resumeSequences(run({}, [entry(1), entry(2), entry(4)]).state);
    expect(run(restored, [entry(2), entry(3), entry(5)]).verdicts.map((v) => v.class)).toEqual([
      'duplicate',
      'late',
      'new',
    ]);
  });
});

describe('gapRate', () => {
  it('is missing over expected entries within the window, 0 for a channel never seen', () => {
    const { state } = run({}, [entry(0), entry(1), entry(5), entry(6)]);
    expect(gapRate(state[KEY], T0 + 7 * 60_000, 3600).rate).toBeCloseTo(3 / 7, 12);
    // Only the last two minutes: entries 5 and 6, and the 3 missing counted when 5 arrived.
    expect(gapRate(state[KEY], T0 + 7 * 60_000, 150)).toEqual({
      rate: 3 / 5,
      received: 2,
      missing: 3,
    });
    expect(gapRate(undefined, T0, 900)).toEqual({ rate: 0, received: 0, missing: 0 });
  });
});
