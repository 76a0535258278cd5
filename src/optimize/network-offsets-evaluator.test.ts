// Tests that the incremental offset evaluator and the search's skipping are exact: equal to evaluating afresh.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offsetEvaluator } from './network-offsets-evaluator.ts';
import { gridInput } from './network-offsets.fixture.ts';
import { offsetModel } from './network-offsets-model.ts';
import { hillClimb, retrySets } from './network-offsets-search.ts';

const networks = {
  'a 3×3 grid': gridInput({ rows: 3, columns: 3 }),
  'a 3×4 grid with two priority junctions': gridInput({
    rows: 3,
    columns: 4,
    unsignalized: ['n1_1', 'n2_0'],
  }),
};

const move = fc.record({
  signal: fc.nat(),
  offset: fc.integer({ min: -100, max: 200 }),
  keep: fc.boolean(),
});

describe.each(Object.entries(networks))('offsetEvaluator on %s', (_, input) => {
  describe.each([1, 2, 3])('with %i sweep(s)', (sweeps) => {
    const model = offsetModel(input, { sweeps });
    const signals = model.signals.length;
    const fresh = (offsets: ArrayLike<number>) => offsetEvaluator(model, offsets);

    it('equals a full re-evaluation after any sequence of kept and undone moves', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 89 }), { minLength: signals, maxLength: signals }),
          fc.array(move, { maxLength: 25 }),
          (start, moves) => {
            const evaluator = offsetEvaluator(model, start);
            for (const { signal, offset, keep } of moves) {
              const before = evaluator.performanceIndex();
              const change = evaluator.tryOffset(signal % signals, offset);
              const offsets = Array.from({ length: signals }, (_, s) => evaluator.offset(s));
              expect(before + change).toBeCloseTo(fresh(offsets).performanceIndex(), 8);
              if (keep) evaluator.accept();
              else evaluator.reject();
            }
            const offsets = Array.from({ length: signals }, (_, s) => evaluator.offset(s));
            const reference = fresh(offsets);
            expect(evaluator.performanceIndex()).toBeCloseTo(reference.performanceIndex(), 8);
            const [mine, theirs] = [evaluator.laneMeasures(), reference.laneMeasures()];
            mine.delay.forEach((delay, lane) => expect(delay).toBeCloseTo(theirs.delay[lane]!, 10));
            mine.stops.forEach((stops, lane) => expect(stops).toBeCloseTo(theirs.stops[lane]!, 10));
          },
        ),
        { numRuns: 40 },
      );
    });
  });
});

describe.each([1, 2, 3])('retrySets with %i sweep(s), on a 9×9 grid', (sweeps) => {
  const model = offsetModel(gridInput({ rows: 9, columns: 9 }), { sweeps });
  const signals = model.signals.length;
  const retry = retrySets(model);
  const dependsOn = (signal: number) =>
    [...Array(signals).keys()].filter((other) => retry[other]!.includes(signal));

  it('make a trial at the centre of a grid depend on a diamond of signals around it', () => {
    // Lanes up to `sweeps` links downstream are recomputed; the departures feeding each were
    // worked out from arrivals one sweep less deep: radius 1, 2, 4 for 1, 2, 3 sweeps.
    const radius = Math.max(sweeps, 2 * sweeps - 2);
    const centre = model.signals.indexOf('n4_4');
    const distance = (signal: number) =>
      model.signals[signal]!.slice(1)
        .split('_')
        .reduce((sum, part) => sum + Math.abs(Number(part) - 4), 0);
    expect(Math.max(...dependsOn(centre).map(distance))).toBe(radius);
    expect(dependsOn(centre)).toHaveLength(2 * radius * (radius + 1) + 1);
  });

  it("leave a trial's change exactly alone when a signal it does not depend on moves", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 89 }), { minLength: signals, maxLength: signals }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 89 }),
        (start, trialSignal, otherSignal, step) => {
          const signal = trialSignal % signals;
          const outside = [...Array(signals).keys()].filter(
            (other) => !retry[other]!.includes(signal),
          );
          const other = outside[otherSignal % outside.length]!;
          const evaluator = offsetEvaluator(model, start);
          const change = evaluator.tryOffset(signal, start[signal]! + step);
          evaluator.reject();
          evaluator.tryOffset(other, start[other]! + 37);
          evaluator.accept();
          expect(evaluator.tryOffset(signal, start[signal]! + step)).toBe(change);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('hillClimb', () => {
  it('climbs exactly as if it re-tried every signal on every pass, with fewer evaluations', () => {
    const model = offsetModel(gridInput({ rows: 4, columns: 4 }));
    const signals = model.signals.length;
    const climb = (retry: Int32Array[]) => {
      const evaluator = offsetEvaluator(model);
      const passes: number[] = [];
      const evaluations = hillClimb(evaluator, {
        stepSizes: [23, 11, 6, 3, 1],
        maxPasses: 20,
        tolerance: 1e-6,
        retry,
        onPass: () => passes.push(evaluator.performanceIndex()),
      });
      const offsets = Array.from({ length: signals }, (_, s) => evaluator.offset(s));
      return { evaluations, offsets, passes };
    };
    const everyone = Int32Array.from(model.signals.keys());
    const skipping = climb(retrySets(model));
    const exhaustive = climb(model.signals.map(() => everyone));
    expect(skipping.offsets).toEqual(exhaustive.offsets);
    expect(skipping.passes).toEqual(exhaustive.passes);
    expect(skipping.evaluations).toBeLessThan(exhaustive.evaluations);
  });
});

describe('offsetEvaluator', () => {
  it('refuses a second trial before the first is settled', () => {
    const evaluator = offsetEvaluator(offsetModel(networks['a 3×3 grid']));
    evaluator.tryOffset(0, 10);
    expect(() => evaluator.tryOffset(1, 10)).toThrow(
      expect.objectContaining({ code: 'TRIAL_PENDING' }),
    );
  });
});
