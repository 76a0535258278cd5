// The simulator on the SUMO maps of the fidelity suite: runs that once gave NaN or crashed.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSimulationInputs } from '../src/cli/sim.ts';
import { seededRandom } from '../src/seeded-random.ts';
import { simulate } from './simulate.ts';

const data = process.env.GREENWAVE_DATA ?? path.resolve(import.meta.dirname, '../../shared/data');

async function runMap(map: string, seed: number) {
  const inputs = await loadSimulationInputs({
    net: path.join(data, map, `${path.basename(map)}.sumocfg`),
  });
  return simulate(inputs.network, inputs.vehicles, inputs.plans, {
    begin: inputs.begin,
    end: inputs.end,
    rng: seededRandom(seed),
  });
}

describe('simulate on the RESCO Cologne maps', () => {
  it('keeps every total finite on cologne1 (a vehicle held a rounding error past its stop line gave NaN)', async () => {
    const { totals } = await runMap('resco/cologne1', 2);
    for (const [name, value] of Object.entries(totals)) {
      expect(Number.isFinite(value), name).toBe(true);
    }
    expect(totals.arrived).toBeGreaterThan(1900);
  });

  it('runs cologne3 to the end (a vehicle ending its route beside a yielding one crashed it)', async () => {
    const { totals } = await runMap('resco/cologne3', 1);
    expect(Number.isFinite(totals.meanDelay)).toBe(true);
    expect(totals.arrived).toBeGreaterThan(2700);
  });

  it('uses both lanes of the through movement SUMO splits into 23429231#1>32038051#0@6 and @7', async () => {
    const { movements } = await runMap('resco/cologne1', 1);
    const split = movements.filter((movement) => movement.id.startsWith('23429231#1>32038051#0@'));
    expect(split).toHaveLength(2);
    for (const movement of split) expect(movement.throughput).toBeGreaterThan(100);
  });
});
