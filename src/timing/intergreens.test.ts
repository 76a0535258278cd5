// Tests for intergreens from the network: ITE values per signal group and per stage change.
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../network/build.ts';
import { gridSpec } from '../network/grid.ts';
import { yellowChange } from './clearance.ts';
import { groupIntergreens, intersectionWidth, withIteIntergreens } from './intergreens.ts';
import { validatePlan } from './validate.ts';

describe('intergreens from the network', () => {
  // 2 lanes of 3.5 m each way, 50 km/h: width 14 m, speed 13.89 m/s.
  const network = buildNetwork(gridSpec({ rows: 1, columns: 2, lanes: 2, speedLimit: 13.89 }));
  const signal = network.getAttribute('signals')['n0_0']!;

  it('clears the widest road at the intersection when no radius is given', () => {
    expect(intersectionWidth(network, 'n0_0')).toBe(14);
  });

  it('gives each vehicle group the ITE yellow and all-red for its approach speed', () => {
    const values = groupIntergreens(network, signal);
    // Yellow 1 + 13.89/6.1 = 3.28 s; all-red (14 + 6.1)/13.89 = 1.45 s.
    expect(values['north-through']).toEqual({ yellow: 3.3, allRed: 1.4 });
    expect(values['north-through']!.yellow).toBeCloseTo(yellowChange({ approachSpeed: 13.89 }), 1);
  });

  it('sets each stage change from the groups that lose green, keeping greens and validity', () => {
    const plan = signal.programs[0]!;
    const timed = withIteIntergreens(plan, network, signal);
    expect(timed.stages.map((stage) => [stage.green, stage.yellow, stage.allRed])).toEqual([
      [40, 3.3, 1.4],
      [40, 3.3, 1.4],
    ]);
    expect(timed.cycleLength).toBeCloseTo(89.4);
    expect(validatePlan(timed, signal)).toEqual([]);
  });
});
