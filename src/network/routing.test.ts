// Tests for successors and fastest routes on the crossing fixture.
import { describe, expect, it } from 'vitest';
import { buildNetwork } from './build.ts';
import { crossingSpec } from './crossing.fixture.ts';
import { fastestRoute, freeFlowTime, successors } from './routing.ts';

describe('routing', () => {
  const spec = crossingSpec();
  // A slow detour: w_out leads on to a link back into the crossing from the west boundary.
  spec.links.push({
    id: 'w_loop',
    from: 'w',
    to: 'C',
    lanes: [{ index: 0, length: 2000, speedLimit: 5, width: 3.5 }],
  });
  spec.movements.push({ from: 'w_out', to: 'w_loop', lanes: [{ fromLane: 0, toLane: 0 }] });
  spec.intersections.find((node) => node.id === 'w')!.kind = 'priority';
  spec.movements.push({ from: 'w_loop', to: 'e_out', lanes: [{ fromLane: 0, toLane: 0 }] });
  const network = buildNetwork(spec);
  const next = successors(network);

  it('lists the links each link turns into', () => {
    expect([...next.get('s_in')!].sort()).toEqual(['e_out', 'n_out', 'w_out']);
    expect(next.get('n_out')).toEqual([]);
  });

  it('finds the fastest route by free-flow time', () => {
    expect(fastestRoute(network, next, 's_in', 'e_out')).toEqual(['s_in', 'e_out']);
    expect(fastestRoute(network, next, 's_in', 'w_loop')).toEqual(['s_in', 'w_out', 'w_loop']);
    expect(fastestRoute(network, next, 'w_in', 'w_in')).toEqual(['w_in']);
    expect(freeFlowTime(network, 'w_loop')).toBe(400);
  });

  it('returns undefined when no route exists or a link is unknown', () => {
    expect(fastestRoute(network, next, 'n_out', 's_in')).toBeUndefined();
    expect(fastestRoute(network, next, 'nope', 's_in')).toBeUndefined();
  });
});
