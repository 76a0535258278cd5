// Benchmarks for the per-signal optimizer: stage order, cycle and splits of one signal, and a network.
import b from 'benny';
import { buildNetwork } from '../src/network/build.ts';
import { gridSpec } from '../src/network/grid.ts';
import { optimizeSignal } from '../src/optimize/signal-timing.ts';

const network = buildNetwork(gridSpec({ rows: 1, columns: 1, lanes: 3 }));
const signal = Object.values(network.getAttribute('signals'))[0]!;
const flows = Object.fromEntries(
  signal.signalGroups
    .flatMap((group) => group.movements)
    .map((id, index) => [id, 150 + (index % 4) * 60]),
);

export const optimizeSuite = () =>
  b.suite(
    'optimize',
    b.add('optimizeSignal: two-stage signal, cycle 45–150 s (signals per second)', () => {
      optimizeSignal(network, signal, flows);
    }),
    b.add('optimizeSignal with the stage order kept (signals per second)', () => {
      optimizeSignal(network, signal, flows, { sequence: 'keep' });
    }),
    b.cycle(),
    b.complete(),
    b.save({ file: 'optimize', folder: 'bench/results', format: 'json', details: false }),
  );
