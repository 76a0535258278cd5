// Tests for one signal's optimized plan: valid, same stages, measured before and after.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { turningFlows } from '../demand/turning-flows.ts';
import { buildNetwork } from '../network/build.ts';
import { gridSpec } from '../network/grid.ts';
import { validatePlan } from '../timing/validate.ts';
import { optimizeNetwork } from './network-timing.ts';
import { optimizeSignal } from './signal-timing.ts';

const network = buildNetwork(gridSpec({ rows: 2, columns: 2, cycleLength: 120 }));
const signal = network.getAttribute('signals')['n0_0']!;
const movements = signal.signalGroups.flatMap((group) => group.movements);
/** Heavy north–south, light east–west. */
const flows = Object.fromEntries(
  movements.map((id) => {
    const movement = network.getAttribute('movements')[id]!;
    const northSouth = movement.approach.includes('n0_-1') || movement.approach.includes('n0_1-');
    return [id, northSouth ? 300 : 80];
  }),
);

describe('optimizeSignal', () => {
  const result = optimizeSignal(network, signal, flows);

  it('writes a valid plan with the signal’s stages and a better delay than the plan it started from', () => {
    expect(result.status).toBe('optimal');
    expect(validatePlan(result.plan, signal)).toEqual([]);
    expect(result.plan.stages.map((stage) => stage.id).sort()).toEqual([
      'east-west',
      'north-south',
    ]);
    expect(result.measures.delay).toBeLessThan(result.before.delay);
    expect(result.plan.origin).toBe('greenwave');
  });

  it('gives the heavier axis the longer green', () => {
    const green = (id: string) => result.plan.stages.find((stage) => stage.id === id)!.green;
    expect(green('north-south')).toBeGreaterThan(green('east-west'));
  });

  it('throws for a signal without a plan to take stages from', () => {
    expect(() => optimizeSignal(network, { ...signal, programs: [] }, flows)).toThrow(
      /optimizeSignal/,
    );
  });
});

describe('optimizeNetwork', () => {
  it('optimizes every signal for its own peak interval and reports progress', () => {
    const route = ['n-1_0-n0_0', 'n0_0-n1_0', 'n1_0-n2_0'];
    const vehicles = Array.from({ length: 120 }, (_, i) => ({
      id: `v${i}`,
      depart: i * 15,
      route,
      vehicleType: 'car',
      pce: 1,
    }));
    const turning = turningFlows(network, vehicles, { begin: 0, end: 1800, interval: 900 });
    const seen: string[] = [];
    const result = optimizeNetwork(network, turning, {}, (_done, _total, id) => seen.push(id));
    expect(result.signals).toHaveLength(4);
    expect(seen).toHaveLength(4);
    for (const { plan, signal: id } of result.signals) {
      expect(validatePlan(plan, network.getAttribute('signals')[id]!)).toEqual([]);
    }
  });
});

describe('optimizeSignal properties', () => {
  it('for any demand, the plan validates, fills its cycle and keeps every minimum green', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 700 }), {
          minLength: movements.length,
          maxLength: movements.length,
        }),
        (demand) => {
          const flowsOf = Object.fromEntries(movements.map((id, index) => [id, demand[index]!]));
          const { plan } = optimizeSignal(network, signal, flowsOf);
          expect(validatePlan(plan, signal)).toEqual([]);
          const used = plan.stages.reduce(
            (sum, stage) => sum + stage.green + stage.yellow + stage.allRed,
            0,
          );
          expect(used).toBeCloseTo(plan.cycleLength, 6);
          for (const stage of plan.stages)
            expect(stage.green).toBeGreaterThanOrEqual(stage.minGreen);
        },
      ),
      { numRuns: 40 },
    );
  });
});
