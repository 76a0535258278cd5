// Benchmarks for network offset optimization (TRANSYT class) on 10×10 and 32×32 signal grids.
import b from 'benny';
import { offsetEvaluator } from '../src/optimize/network-offsets-evaluator.ts';
import { gridInput } from '../src/optimize/network-offsets.fixture.ts';
import { offsetModel } from '../src/optimize/network-offsets-model.ts';
import { optimizeOffsets } from '../src/optimize/network-offsets.ts';

const grids = [
  { label: '10×10 grid (100 signals)', input: gridInput({ rows: 10, columns: 10 }) },
  { label: '32×32 grid (1,024 signals)', input: gridInput({ rows: 32, columns: 32 }) },
];

/** One search per grid before timing, for the case names: how much work converging takes. */
const searches = grids.map(({ label, input }) => {
  const result = optimizeOffsets(input);
  const format = (value: number) => Math.round(value).toLocaleString('en');
  return `${label}: ${format(result.evaluations)} evaluations, PI ${format(result.initialPerformanceIndex)} → ${format(result.performanceIndex)} veh·h/h`;
});

/** A trial move and its undo, cycling over signals and offsets: what the search does per evaluation. */
function trialMoves(input: (typeof grids)[number]['input']) {
  const model = offsetModel(input);
  const evaluator = offsetEvaluator(model);
  const signals = model.signals.length;
  let move = 0;
  return () => {
    const signal = move % signals;
    evaluator.tryOffset(signal, evaluator.offset(signal) + 1 + (move % 23));
    evaluator.reject();
    move++;
  };
}

export const offsetsSuite = () =>
  b.suite(
    'offsets',
    b.configure({ minDisplayPrecision: 2 }),
    ...grids.map(({ label, input }) =>
      b.add(`incremental evaluation (trial move + undo), ${label} (evaluations per second)`, () =>
        trialMoves(input),
      ),
    ),
    ...grids.map(({ label, input }) =>
      b.add(`full evaluation, ${label} (evaluations per second)`, () => {
        const model = offsetModel(input);
        const evaluator = offsetEvaluator(model);
        let shift = 0;
        return () => {
          evaluator.setOffsets(model.signals.map((_, signal) => (signal * 7 + shift++) % 90));
        };
      }),
    ),
    ...grids.map(({ input }, index) =>
      b.add(
        `optimizeOffsets from offsets 0, one climb, ${searches[index]} (1/ops = seconds to converge)`,
        () => {
          optimizeOffsets(input);
        },
        { minSamples: 2, maxTime: 1 },
      ),
    ),
    b.cycle(),
    b.complete(),
    b.save({ file: 'offsets', folder: 'bench/results', format: 'json', details: false }),
  );
