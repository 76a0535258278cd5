// Runs every benchmark suite; results land as JSON in bench/results/
import { networkSuite } from './network.bench.ts';
import { optimizeSuite } from './optimize.bench.ts';
import { bandwidthSuite } from './bandwidth.bench.ts';
import { offsetsSuite } from './offsets.bench.ts';
import { simSuite } from './sim.bench.ts';
import { ingestSuite } from './ingest.bench.ts';

await networkSuite();
await optimizeSuite();
await bandwidthSuite();
await offsetsSuite();
await simSuite();
await ingestSuite();
