// The synthetic Jinshui Road weekdays: turning shares, flow propagation, tidal entries, count rows.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MultiDirectedGraph } from 'graphology';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TurningFlows } from '../src/demand/types.ts';
import { loadNetwork } from '../src/io/load.ts';
import type { RoadNetwork } from '../src/network/types.ts';
import { seededRandom } from '../src/seeded-random.ts';
import {
  PEAK_FLOWS,
  PEAKS,
  TIDAL_WEEKDAY_SEED,
  WEEKDAY_SEED,
  boundaryEntries,
  countRows,
  drawnAndCounted,
  factorAt,
  heading,
  hourlyFlow,
  linkFlows,
  peakFlow,
  shapesOf,
  sortedMovements,
  tidalEntryFlow,
  tidalLinkFlows,
  tidalMovementFlows,
  tidalShares,
} from './day-counts.ts';

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));

let network: RoadNetwork;
beforeAll(async () => {
  ({ network } = await loadNetwork(fixture('networks/zhengzhou-jinshui-road.geojson')));
});

/** The data rows of a counts file, without its comments and header. */
async function countLines(path: string): Promise<string[]> {
  const text = await readFile(fixture(path), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .slice(1);
}

describe('tidalShares', () => {
  it('splits Jinshui Road 0.86/0.07/0.07 and the cross streets 0.70/0.15/0.15', () => {
    const shares = tidalShares(network);
    expect(shares['jinshui-eb-3>jinshui-eb-4']).toBeCloseTo(0.86, 12);
    expect(shares['jinshui-eb-3>jingqi-nb-out']).toBeCloseTo(0.07, 12);
    expect(shares['jinshui-eb-3>jingqi-sb-out']).toBeCloseTo(0.07, 12);
    expect(shares['jingqi-nb-in>jingqi-nb-out']).toBeCloseTo(0.7, 12);
    expect(shares['jingqi-nb-in>jinshui-wb-3']).toBeCloseTo(0.15, 12);
  });

  it("takes Weilai Road's westbound U-turn out of through", () => {
    const shares = tidalShares(network);
    expect(shares['jinshui-wb-7>jinshui-eb-7']).toBeCloseTo(0.02, 12);
    expect(shares['jinshui-wb-7>jinshui-wb-6']).toBeCloseTo(0.84, 12);
  });

  it("gives every approach's movements shares that sum to 1", () => {
    const shares = tidalShares(network);
    const byApproach: Record<string, number> = {};
    for (const movement of Object.values(network.getAttribute('movements'))) {
      byApproach[movement.from] = (byApproach[movement.from] ?? 0) + shares[movement.id]!;
    }
    for (const total of Object.values(byApproach)) expect(total).toBeCloseTo(1, 12);
  });
});

describe('linkFlows', () => {
  it('carries an entry down Jinshui Road by the through share', () => {
    const flows = linkFlows(network, { 'jinshui-eb-0': 1000 }, tidalShares(network));
    expect(flows['jinshui-eb-1']).toBeCloseTo(860, 9);
    expect(flows['jinshui-eb-2']).toBeCloseTo(739.6, 9);
    expect(flows['chengdong-nb-out']).toBeCloseTo(70, 9);
    expect(flows['jinshui-wb-8']).toBe(0);
  });

  it('sends the westbound U-turn at Weilai Road on eastbound, with no flow back', () => {
    const flows = linkFlows(network, { 'jinshui-wb-9': 1000 }, tidalShares(network));
    const atWeilai = 1000 * 0.86 * 0.86;
    expect(flows['jinshui-wb-7']).toBeCloseTo(atWeilai, 9);
    expect(flows['jinshui-eb-7']).toBeCloseTo(atWeilai * 0.02, 9);
    expect(flows['jinshui-eb-9']).toBeCloseTo(atWeilai * 0.02 * 0.86 * 0.86, 9);
    expect(flows['jinshui-wb-9']).toBe(1000);
  });

  it('conserves flow: what enters at the boundary leaves at the boundary, and inner links get only what turns send them', () => {
    const shares = tidalShares(network);
    for (const hour of [3, 8.25, 12, 18.25]) {
      const flows = tidalLinkFlows(network, shares, hour);
      const entries = boundaryEntries(network);
      const exits = network.filterEdges(
        (_link, _attributes, _source, target) =>
          network.getNodeAttribute(target, 'kind') === 'boundary',
      );
      const entering = entries.reduce((sum, link) => sum + flows[link]!, 0);
      const leaving = exits.reduce((sum, link) => sum + flows[link]!, 0);
      expect(leaving).toBeCloseTo(entering, 6);
      const flowOf = tidalMovementFlows(network, shares)(hour);
      const sent: Record<string, number> = {};
      for (const movement of Object.values(network.getAttribute('movements'))) {
        sent[movement.to] = (sent[movement.to] ?? 0) + flowOf(movement);
      }
      for (const link of network.edges().filter((link) => !entries.includes(link))) {
        expect(flows[link]).toBeCloseTo(sent[link] ?? 0, 6);
      }
    }
  });

  it('refuses a cycle of turns that passes on all of its flow', () => {
    const loop = new MultiDirectedGraph();
    loop.mergeEdgeWithKey('a', 'x', 'y');
    loop.mergeEdgeWithKey('b', 'y', 'x');
    loop.setAttribute('movements', {
      'a>b': { id: 'a>b', from: 'a', to: 'b' },
      'b>a': { id: 'b>a', from: 'b', to: 'a' },
    });
    expect(() =>
      linkFlows(loop as unknown as RoadNetwork, { a: 100 }, { 'a>b': 1, 'b>a': 1 }),
    ).toThrow(/linkFlows/);
  });
});

describe('tidalEntryFlow', () => {
  it('peaks eastbound in the morning and westbound in the evening at 1250 pcu/h, 0.65 the other way', () => {
    expect(tidalEntryFlow(network, 'jinshui-eb-0', 8.25)).toBeCloseTo(1250, 9);
    expect(tidalEntryFlow(network, 'jinshui-wb-9', 8.25)).toBeCloseTo(812.5, 9);
    expect(tidalEntryFlow(network, 'jinshui-wb-9', 18.25)).toBeCloseTo(1250, 9);
    expect(tidalEntryFlow(network, 'jinshui-eb-0', 18.25)).toBeCloseTo(812.5, 9);
  });

  it("enters a cross street at its intersection's approach flow × the day shape", () => {
    expect(tidalEntryFlow(network, 'weilai-nb-in', 8.25)).toBeCloseTo(620 * 0.95, 9);
    expect(tidalEntryFlow(network, 'weilai-sb-in', 12)).toBeCloseTo(620 * 0.6, 9);
    expect(tidalEntryFlow(network, 'dongming-sb-in', 3)).toBeCloseTo(480 * 0.05, 9);
  });
});

describe('countRows', () => {
  it("rewrites the first weekday's counts exactly as the fixture has them", async () => {
    const shapes = shapesOf(PEAKS);
    const rows = countRows(
      sortedMovements(network),
      (hour) => (movement) => {
        const direction = heading(network, movement.from);
        return peakFlow(movement, direction) * factorAt(shapes[direction], hour);
      },
      seededRandom(WEEKDAY_SEED),
    );
    expect(rows).toEqual(await countLines('counts/zhengzhou-jinshui-weekday.csv'));
  });

  it("rewrites the tidal weekday's counts exactly as the fixture has them", async () => {
    const rows = countRows(
      sortedMovements(network),
      tidalMovementFlows(network, tidalShares(network)),
      seededRandom(TIDAL_WEEKDAY_SEED),
    );
    expect(rows).toEqual(await countLines('counts/zhengzhou-jinshui-tidal-weekday.csv'));
  });

  it('writes every movement in every 15 minutes, 00:00–24:00, in hh:mm', () => {
    const movements = sortedMovements(network).slice(0, 2);
    const rows = countRows(movements, () => () => 400, seededRandom(1));
    expect(rows).toHaveLength(96 * 2);
    expect(rows[0]).toMatch(/^00:00,00:15,[^,]+,[^,]+,\d+$/);
    expect(rows.at(-1)).toMatch(/^23:45,24:00,[^,]+,[^,]+,\d+$/);
    const mean = rows.reduce((sum, row) => sum + Number(row.split(',')[4]), 0) / rows.length;
    expect(mean).toBeGreaterThan(95);
    expect(mean).toBeLessThan(105);
  });
});

describe('hourlyFlow', () => {
  it('averages the 15-minute intervals of the hour, each at its middle', () => {
    expect(hourlyFlow((hour) => ({ a: hour }), 'a', 8, 9)).toBeCloseTo(8.5, 12);
    expect(hourlyFlow((hour) => ({ a: hour }), 'a', 17.75, 18.75)).toBeCloseTo(18.25, 12);
  });
});

describe('drawnAndCounted', () => {
  it('counts routes that turn on from a link, and counted vehicles out of it', () => {
    const flows: TurningFlows = {
      begin: 0,
      end: 900,
      interval: 900,
      flows: [
        { movement: 'a>b', begin: 0, end: 900, vehicles: 3, flow: 12 },
        { movement: 'b>c', begin: 0, end: 900, vehicles: 2, flow: 8 },
      ],
    };
    const movements = { 'a>b': { from: 'a' }, 'b>c': { from: 'b' } };
    const vehicles = [{ route: ['a', 'b', 'c'] }, { route: ['a', 'b'] }, { route: ['b'] }];
    expect(drawnAndCounted(vehicles, flows, movements, ['a', 'b', 'c'])).toEqual({
      a: { drawn: 2, counted: 3 },
      b: { drawn: 1, counted: 2 },
      c: { drawn: 0, counted: 0 },
    });
  });
});

describe('PEAK_FLOWS', () => {
  it('names every signalized intersection of the Jinshui Road network', () => {
    const signalized = network.filterNodes((_node, attributes) => attributes.kind === 'signalized');
    expect(Object.keys(PEAK_FLOWS).sort()).toEqual(signalized.sort());
  });
});
