// Benchmarks for the network core: building a city-sized graph, and routing trips on it.
import b from 'benny';
import { buildNetwork } from '../src/network/build.ts';
import { gridSpec } from '../src/network/grid.ts';
import { fastestRoute, successors } from '../src/network/routing.ts';

const spec = gridSpec({ rows: 20, columns: 20 });
const network = buildNetwork(spec);
const next = successors(network);
const corner = 'n-1_0-n0_0';
const farCorner = 'n19_19-n20_19';

export const networkSuite = () =>
  b.suite(
    'network',
    b.add('buildNetwork, 20×20 grid (400 signals, 1,680 links)', () => {
      buildNetwork(spec);
    }),
    b.add('fastestRoute corner to corner, 20×20 grid', () => {
      fastestRoute(network, next, corner, farCorner);
    }),
    b.cycle(),
    b.complete(),
    b.save({ file: 'network', folder: 'bench/results', format: 'json', details: false }),
  );
