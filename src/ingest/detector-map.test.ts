// Tests for the detector map: sites, channels, movements per lane, and the implied stop-line rule.
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../sim/compile.ts';
import { DetectorField } from '../../sim/detection.ts';
import { loadNetwork } from '../io/load.ts';
import { buildNetwork } from '../network/build.ts';
import {
  detectorMap,
  impliedDetectorId,
  impliedStopLineDetectors,
  laneKey,
} from './detector-map.ts';
import { MOVEMENTS, twoCrossings, twoCrossingsSpec } from './ingest.fixture.ts';
import { IngestError, type IngestErrorCode } from './types.ts';

const JINSHUI = fileURLToPath(
  new URL('../../fixtures/networks/zhengzhou-jinshui-road.geojson', import.meta.url),
);
/** Link ids: any text, and text made mostly of the characters a topic id cannot hold. */
const linkIds = fc.oneof(
  fc.string({ minLength: 1, maxLength: 120 }),
  fc.string({
    unit: fc.constantFrom('a', '/', '+', '#', ' ', '%', '2', '\t'),
    minLength: 1,
    maxLength: 80,
  }),
);
/** The topic-id rule of controllers/payloads.ts. */
const TOPIC_ID = /^[^/+#\s]{1,64}$/u;

function codeOf(run: () => unknown): IngestErrorCode | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof IngestError) return error.code;
    throw error;
  }
  return undefined;
}

describe('impliedDetectorId', () => {
  it('reads as stopline:{link}:{lane}, with topic characters in the link percent-encoded', () => {
    expect(impliedDetectorId('jinshui-eb-2', 0)).toBe('stopline:jinshui-eb-2:0');
    expect(impliedDetectorId('-E1#2', 1)).toBe('stopline:-E1%232:1');
    expect(impliedDetectorId('a/b c+d%', 3)).toBe('stopline:a%2Fb%20c%2Bd%25:3');
  });

  it('always fits a topic id, and never gives two lanes the same id', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(linkIds, fc.nat(12)), {
          selector: ([link, lane]) => `${link}\u0000${lane}`,
          minLength: 2,
          maxLength: 30,
        }),
        (lanes) => {
          const ids = lanes.map(([link, lane]) => impliedDetectorId(link, lane));
          expect(ids.every((id) => TOPIC_ID.test(id))).toBe(true);
          expect(new Set(ids).size).toBe(ids.length);
        },
      ),
    );
  });
});

describe('impliedStopLineDetectors', () => {
  it('adds one per lane of every link entering a signalized crossing with no detector, and only there', () => {
    const implied = impliedStopLineDetectors(twoCrossings());
    expect(implied.map((detector) => detector.id)).toEqual([
      'stopline:ab:0',
      'stopline:ab:1',
      'stopline:e_in:0',
      'stopline:e_in:1',
    ]);
    expect(implied[0]).toEqual({
      id: 'stopline:ab:0',
      link: 'ab',
      lane: 0,
      position: 198,
      length: 2,
      kind: 'stopline',
    });
  });

  it('gives the demo network the same detectors each time: 70 on its seven crossings without any', async () => {
    const { network } = await loadNetwork(JINSHUI);
    const first = impliedStopLineDetectors(network);
    expect(first).toHaveLength(70);
    expect(impliedStopLineDetectors((await loadNetwork(JINSHUI)).network)).toEqual(first);
    const crossings = new Set(first.map((detector) => network.target(detector.link)));
    expect(crossings.has('jingsan')).toBe(false);
    expect(crossings.has('weilai')).toBe(false);
    expect(crossings.size).toBe(7);
    expect(first.every((detector) => TOPIC_ID.test(detector.id))).toBe(true);
  });
});

describe('detectorMap', () => {
  it('places each detector at the signal of the crossing its link enters, channels in order of appearance', () => {
    const map = detectorMap(twoCrossings());
    expect(map.sites.SA).toEqual(['w-0', 'w-1', 'w-2', 'w-adv-1', 'ba-0']);
    expect(map.channels.SA).toEqual({ 1: 'w-0', 2: 'w-1', 3: 'w-2', 4: 'w-adv-1', 5: 'ba-0' });
    expect(map.detectors['w-0']).toMatchObject({
      site: 'SA',
      intersection: 'A',
      link: 'w_in',
      lane: 0,
      channel: 1,
      implied: false,
      kind: 'stopline',
      movements: [MOVEMENTS.westRight, MOVEMENTS.westThrough],
      saturationFlow: 1900,
      speedLimit: 13.89,
    });
    expect(map.detectors['w-2']!.movements).toEqual([MOVEMENTS.westLeft]);
    expect(map.sites.SB).toEqual([
      'stopline:ab:0',
      'stopline:ab:1',
      'stopline:e_in:0',
      'stopline:e_in:1',
    ]);
    expect(map.detectors['stopline:e_in:1']).toMatchObject({
      site: 'SB',
      channel: 4,
      implied: true,
      movements: [MOVEMENTS.eastThroughB],
    });
  });

  it('names the detectors it cannot place and why', () => {
    const map = detectorMap(twoCrossings());
    expect(map.detectors['exit-0']).toBeUndefined();
    expect(map.unmapped).toEqual([
      { detector: 'exit-0', reason: 'its link a_w enters w, which no signal controls' },
    ]);
  });

  it('lists lanes with their movements and detectors, and movements with their lanes', () => {
    const map = detectorMap(twoCrossings());
    expect(map.lanes[laneKey('w_in', 1)]).toEqual({
      key: 'w_in@1',
      link: 'w_in',
      lane: 1,
      site: 'SA',
      movements: [MOVEMENTS.westThrough],
      detectors: ['w-1', 'w-adv-1'],
    });
    expect(map.lanes[laneKey('n_in', 0)]!.detectors).toEqual([]);
    expect(map.movements[MOVEMENTS.westThrough]).toEqual({
      id: MOVEMENTS.westThrough,
      site: 'SA',
      lanes: ['w_in@0', 'w_in@1'],
    });
    expect(Object.keys(map.movements)).toHaveLength(8);
  });

  it('takes a movement that names no lanes as leaving from every lane of its link', () => {
    const spec = twoCrossingsSpec();
    spec.movements = spec.movements.map((movement) =>
      movement.from === 'ba' ? { ...movement, lanes: [] } : movement,
    );
    const map = detectorMap(buildNetwork(spec));
    expect(map.movements[MOVEMENTS.eastThroughA]!.lanes).toEqual(['ba@0', 'ba@1']);
    expect(map.detectors['ba-0']!.movements).toEqual([MOVEMENTS.eastThroughA]);
  });

  it('keeps the channels a controller fixes and numbers the rest around them', () => {
    const map = detectorMap(twoCrossings(), { channels: { 'w-2': 1, 'w-0': 7 } });
    expect(map.channels.SA).toEqual({ 1: 'w-2', 2: 'w-1', 3: 'w-adv-1', 4: 'ba-0', 7: 'w-0' });
    expect(codeOf(() => detectorMap(twoCrossings(), { channels: { 'w-2': 1, 'w-0': 1 } }))).toBe(
      'DUPLICATE_CHANNEL',
    );
    expect(codeOf(() => detectorMap(twoCrossings(), { channels: { 'w-2': 0 } }))).toBe(
      'DUPLICATE_CHANNEL',
    );
  });

  it('adds no detectors when told not to', () => {
    const map = detectorMap(twoCrossings(), { implied: false });
    expect(map.sites.SB).toBeUndefined();
    expect(Object.keys(map.detectors)).toHaveLength(5);
  });

  it('refuses a network detector that already has an implied id', () => {
    const spec = twoCrossingsSpec();
    spec.detectors = [
      ...spec.detectors!,
      { id: 'stopline:ab:0', link: 'a_w', lane: 1, position: 10 },
    ];
    expect(codeOf(() => detectorMap(buildNetwork(spec)))).toBe('IMPLIED_ID_TAKEN');
  });

  it('maps all 80 detectors of the demo network, channels 1…n within each of its 9 signals', async () => {
    const { network } = await loadNetwork(JINSHUI);
    const map = detectorMap(network);
    expect(Object.keys(map.detectors)).toHaveLength(80);
    expect(Object.keys(map.sites).sort()).toEqual(
      Object.keys(network.getAttribute('signals')).sort(),
    );
    for (const [site, ids] of Object.entries(map.sites)) {
      expect(ids.map((id) => map.detectors[id]!.channel)).toEqual(ids.map((_, i) => i + 1));
      expect(ids.every((id) => map.detectors[id]!.site === site)).toBe(true);
    }
    expect(map.sites['JS-02']).toEqual([
      'jingsan-eb-stopline-0',
      'jingsan-eb-stopline-1',
      'jingsan-eb-stopline-2',
    ]);
    expect(map.detectors['jingsan-eb-stopline-0']!.movements).toEqual([
      'jinshui-eb-1>jingsan-sb-out',
      'jinshui-eb-1>jinshui-eb-2',
    ]);
    // Every movement of the network leaves from lanes the map knows.
    expect(Object.values(map.movements).every((movement) => movement.lanes.length > 0)).toBe(true);
    expect(Object.keys(map.movements)).toHaveLength(109);
  });

  it('agrees with the simulator’s detector field on every id, site and channel (the virtual field’s hi-res)', async () => {
    const { network } = await loadNetwork(JINSHUI);
    const field = new DetectorField(
      network,
      compileNetwork(network, { step: 0.5, jamSpacing: 7.5 }),
      {
        detectors: impliedStopLineDetectors(network),
        interval: 60,
        hiRes: true,
        begin: 0,
        step: 0.5,
        jamSpacing: 7.5,
      },
    );
    const map = detectorMap(network);
    const byId = (a: { detector: string }, b: { detector: string }) =>
      a.detector < b.detector ? -1 : 1;
    const ours = Object.values(map.detectors).map(({ id, site, channel }) => ({
      detector: id,
      signal: site,
      channel,
    }));
    expect(ours.sort(byId)).toEqual([...field.channels].sort(byId));
    expect(ours).toHaveLength(80);
  });
});
