// Tests for buildNetwork: derived turns, conflicts, saturation flows, and whole-spec checks.
import { describe, expect, it } from 'vitest';
import { buildNetwork } from './build.ts';
import { crossingSpec } from './crossing.fixture.ts';
import { inputErrorOf } from './input-error-of.ts';

describe('buildNetwork', () => {
  const network = buildNetwork(crossingSpec());
  const movements = network.getAttribute('movements');
  const signal = network.getAttribute('signals')['C']!;
  const conflict = (a: string, b: string) =>
    signal.conflicts.find((c) => (c.a === a && c.b === b) || (c.a === b && c.b === a))?.kind;

  it('derives turns from geometry for right-hand traffic', () => {
    // From the south arm heading north: east is a right turn, west a left.
    expect(movements['s_in>n_out']!.turn).toBe('through');
    expect(movements['s_in>e_out']!.turn).toBe('right');
    expect(movements['s_in>w_out']!.turn).toBe('left');
    expect(movements['e_in>s_out']!.turn).toBe('left');
  });

  it('finds crossing and merging conflicts, and none between opposing throughs', () => {
    expect(conflict('sn', 'we')).toBe('crossing');
    expect(conflict('sn', 'ns')).toBeUndefined();
    expect(conflict('sw', 'ns')).toBe('crossing'); // left turn against the opposing through
    expect(conflict('se', 'ws')).toBeUndefined(); // two right turns
    expect(conflict('se', 'we')).toBe('merging'); // right turn into the cross street's through
    expect(conflict('sn', 'se')).toBeUndefined(); // same approach
    expect(conflict('se', 'ns')).toBeUndefined(); // right turn and the opposing through
  });

  it('gives lanes the HCM saturation flow and links their speed and length', () => {
    const link = network.getEdgeAttributes('s_in');
    expect(link.lanes[0]!.saturationFlow).toBe(1900);
    expect(link.length).toBe(200);
    expect(link.arrivalBearing).toBeCloseTo(0);
    expect(network.getNodeAttribute('C', 'signal')).toBe('C');
  });

  it('rejects a movement to a missing lane, naming the file and the element', () => {
    const spec = crossingSpec();
    spec.movements[0]!.lanes = [{ fromLane: 0, toLane: 5 }];
    const error = inputErrorOf(() => buildNetwork(spec));
    expect(error.code).toBe('UNKNOWN_LANE');
    expect(error.file).toBe('crossing.json');
    expect(error.problems[0]!.element).toContain('n_in>e_out');
  });

  it('rejects a link with no lanes and a movement between links that do not meet', () => {
    const spec = crossingSpec();
    spec.links[0]!.lanes = [];
    spec.movements.push({ from: 'n_out', to: 's_out', lanes: [] });
    const codes = inputErrorOf(() => buildNetwork(spec)).problems.map((problem) => problem.code);
    expect(codes).toContain('LINK_WITHOUT_LANES');
    expect(codes).toContain('MOVEMENT_NOT_AT_INTERSECTION');
  });

  it('rejects unknown intersections, signals and signal groups', () => {
    const spec = crossingSpec();
    spec.links.push({ id: 'x', from: 'C', to: 'nowhere', lanes: spec.links[0]!.lanes });
    spec.movements[0]!.signalGroup = 'zz';
    spec.movements[1]!.signal = 'other';
    const codes = inputErrorOf(() => buildNetwork(spec)).problems.map((problem) => problem.code);
    expect(codes).toEqual(
      expect.arrayContaining(['UNKNOWN_INTERSECTION', 'UNKNOWN_SIGNAL_GROUP', 'UNKNOWN_SIGNAL']),
    );
  });

  it('does not modify the spec it is given', () => {
    const spec = crossingSpec();
    const before = JSON.stringify(spec);
    buildNetwork(spec);
    expect(JSON.stringify(spec)).toBe(before);
  });
});
