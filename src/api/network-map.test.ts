// The map the page draws: the demo network's intersections, links and detectors, and pointAlong.
// Run: npx vitest run src/api/network-map.test.ts
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemo, type Demo } from '../engine/engine.fixture.ts';
import { networkMap, pointAlong, type NetworkMap } from './network-map.ts';

describe('pointAlong', () => {
  it('walks a polyline by its drawn length, clamped to its ends', () => {
    const line: [number, number][] = [
      [0, 0],
      [10, 0],
      [10, 10],
    ];
    expect(pointAlong(line, 0.75)).toEqual([10, 5]);
    expect(pointAlong(line, 0.25)).toEqual([5, 0]);
    expect(pointAlong(line, -1)).toEqual([0, 0]);
    expect(pointAlong(line, 2)).toEqual([10, 10]);
    expect(pointAlong([[3, 4]], 0.5)).toEqual([3, 4]);
    expect(() => pointAlong([], 0.5)).toThrow(/pointAlong/);
  });
});

describe('networkMap on the demo network (Jinshui Road)', () => {
  let demo: Demo;
  let map: NetworkMap;
  beforeAll(async () => {
    demo = await loadDemo();
    map = networkMap(demo.network, demo.map);
  });

  it('has every intersection with its position and signal, and lonlat bounds around them', () => {
    expect(map.coordinates).toBe('lonlat');
    expect(map.intersections).toHaveLength(demo.network.order);
    const signalled = map.intersections.filter((intersection) => intersection.signal);
    expect(signalled.map((intersection) => intersection.signal).sort()).toEqual(demo.sites);
    expect(map.intersections.find((intersection) => intersection.id === 'chengdong')).toEqual({
      id: 'chengdong',
      kind: 'signalized',
      name: 'Jinshui Road / Chengdong Road (金水路/城东路)',
      signal: 'JS-01',
      position: [113.688, 34.7629],
    });
    const [west, south, east, north] = map.bounds;
    for (const { position } of map.intersections) {
      expect(position[0]).toBeGreaterThanOrEqual(west);
      expect(position[0]).toBeLessThanOrEqual(east);
      expect(position[1]).toBeGreaterThanOrEqual(south);
      expect(position[1]).toBeLessThanOrEqual(north);
    }
    expect([west, east]).toEqual([113.684, 113.7255]);
  });

  it('has every link with its ends, lanes and centre line', () => {
    expect(map.links).toHaveLength(demo.network.size);
    expect(map.links.find((link) => link.id === 'jinshui-eb-0')).toMatchObject({
      from: 'jinshui-west',
      to: 'chengdong',
      lanes: 3,
      geometry: [
        [113.684, 34.76265],
        [113.688, 34.7629],
      ],
    });
  });

  it("places every detector of the engine's map, implied ones too, on its own link", () => {
    expect(map.detectors).toHaveLength(Object.keys(demo.map.detectors).length);
    const real = map.detectors.find((detector) => detector.id === 'jingsan-eb-stopline-0')!;
    expect(real).toMatchObject({ site: 'JS-02', link: 'jinshui-eb-1', lane: 0, implied: false });
    // 373 m of a 376 m link that runs from chengdong towards jingsan: just short of jingsan.
    const [from, to] = demo.network.getEdgeAttribute('jinshui-eb-1', 'geometry');
    const share = 373 / demo.network.getEdgeAttribute('jinshui-eb-1', 'length');
    expect(real.position[0]).toBeCloseTo(from![0] + share * (to![0] - from![0]), 9);
    expect(real.position[1]).toBeCloseTo(from![1] + share * (to![1] - from![1]), 9);
    expect(map.detectors.some((detector) => detector.implied)).toBe(true);
  });
});
