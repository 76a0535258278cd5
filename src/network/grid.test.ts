// Tests for the generated grid: its size, its movements, and that its plans validate.
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../timing/validate.ts';
import { buildNetwork } from './build.ts';
import { gridSpec } from './grid.ts';

describe('gridSpec', () => {
  const network = buildNetwork(gridSpec({ rows: 10, columns: 10 }));
  const signals = Object.values(network.getAttribute('signals'));

  it('has every signal, boundary, link and movement of a 10×10 grid', () => {
    expect(signals).toHaveLength(100);
    expect(network.order).toBe(140);
    // 2 × (10 rows × 11 gaps) × 2 axes = 440 links; 4 approaches × 3 turns at each signal.
    expect(network.size).toBe(440);
    expect(Object.keys(network.getAttribute('movements'))).toHaveLength(1200);
  });

  it('gives geometry-derived turns that agree with the generated ones', () => {
    const spec = gridSpec({ rows: 2, columns: 2 });
    const withoutTurns = buildNetwork({
      ...spec,
      movements: spec.movements.map(({ turn: _turn, ...rest }) => rest),
    });
    const derived = withoutTurns.getAttribute('movements');
    for (const movement of spec.movements) {
      expect(derived[`${movement.from}>${movement.to}`]!.turn).toBe(movement.turn);
    }
  });

  it('writes plans that validate against the derived conflicts', () => {
    for (const signal of signals) {
      expect(validatePlan(signal.programs[0]!, signal)).toEqual([]);
    }
  });
});
