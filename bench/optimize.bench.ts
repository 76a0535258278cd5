// Benchmarks for the optimizer, on the Jinshui Road fixture with its weekday counts (am peak).
import b from 'benny';
import { designFlows } from '../src/demand/design-flows.ts';
import { loadDemand, loadNetwork } from '../src/io/load.ts';
import { optimizeNetwork } from '../src/optimize/network-timing.ts';
import { optimizeSignal } from '../src/optimize/signal-timing.ts';

const { network } = await loadNetwork('fixtures/networks/zhengzhou-jinshui-road.geojson');
const demand = await loadDemand('fixtures/counts/zhengzhou-jinshui-weekday.csv', network, {
  begin: 7 * 3600,
  end: 10 * 3600,
  interval: 900,
});
const signals = Object.values(network.getAttribute('signals'));
const fourStage = signals.find((signal) => signal.programs[0]!.stages.length === 4)!;
const flows = designFlows(
  demand.flows,
  fourStage.signalGroups.flatMap((group) => group.movements),
);

export const optimizeSuite = () =>
  b.suite(
    'optimize',
    b.add(
      'optimizeSignal, four stages, 6 stage orders, cycle 45–150 s (signals per second)',
      () => {
        optimizeSignal(network, fourStage, flows);
      },
    ),
    b.add('optimizeSignal, four stages, order kept (signals per second)', () => {
      optimizeSignal(network, fourStage, flows, { sequence: 'keep' });
    }),
    b.add(`optimizeNetwork, Jinshui Road (${signals.length} signals, common cycle)`, () => {
      optimizeNetwork(network, demand.flows);
    }),
    b.cycle(),
    b.complete(),
    b.save({ file: 'optimize', folder: 'bench/results', format: 'json', details: false }),
  );
