// Benchmarks for MAXBAND: solve time on the Jinshui Road corridor and generated 10-, 20- and 40-signal arterials.
import { readFileSync } from 'node:fs';
import b from 'benny';
import { highsSolver, maximizeBandwidth } from '../src/optimize/bandwidth.ts';
import type { Corridor } from '../src/optimize/corridor.ts';
import { seededRandom } from '../src/seeded-random.ts';

/**
 * An arterial like Jinshui Road, extended: spacing 250–550 m, through greens 35–60 % of the cycle,
 * a few inbound greens shifted by a leading left turn, cycle 90–140 s, progression 40–60 km/h.
 *
 * @example
 * generatedArterial(10).signals.length // => 10
 */
export function generatedArterial(signals: number, seed = signals): Corridor {
  const next = seededRandom(seed);
  let position = 0;
  return {
    cycle: { min: 90, max: 140 },
    speed: { min: 11.1, max: 16.7 },
    maxSpeedChange: 0.01,
    signals: Array.from({ length: signals }, (_, index) => {
      if (index > 0) position += Math.round(250 + 300 * next());
      const green = Math.round(35 + 25 * next()) / 100;
      const leadingLeft = next() < 0.2;
      return {
        id: `S${String(index + 1).padStart(2, '0')}`,
        position,
        green,
        ...(leadingLeft && { inboundGreenStart: 12 }),
      };
    }),
  };
}

await highsSolver(); // load the WebAssembly before timing
const jinshuiRoad = JSON.parse(
  readFileSync('fixtures/corridors/zhengzhou-jinshui-road.json', 'utf8'),
) as Corridor;
const arterials = [10, 20, 40].map((count) => generatedArterial(count));

export const bandwidthSuite = () =>
  b.suite(
    'bandwidth',
    b.add('maximizeBandwidth, Jinshui Road fixture, 9 signals (solves per second)', async () => {
      await maximizeBandwidth(jinshuiRoad);
    }),
    ...arterials.map((corridor) =>
      b.add(
        `maximizeBandwidth, ${corridor.signals.length} signals, cycle 90–140 s, 40–60 km/h (solves per second)`,
        async () => {
          await maximizeBandwidth(corridor);
        },
      ),
    ),
    b.cycle(),
    b.complete(),
    b.save({ file: 'bandwidth', folder: 'bench/results', format: 'json', details: false }),
  );
