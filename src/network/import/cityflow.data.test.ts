// Validation on the real CityFlow data (Jinan, Hangzhou, Atlanta): counts taken from the raw files, routes connected.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCityflowFlow } from '../../demand/import/cityflow-flow.ts';
import { buildNetwork } from '../build.ts';
import { validatePlan } from '../../timing/validate.ts';
import { parseCityflowRoadnet } from './cityflow-roadnet.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dataDirectory = process.env.GREENWAVE_DATA ?? path.resolve(repositoryRoot, '../shared/data');

/** The raw file, read here without the importer, for counts that do not trust it. */
interface RawRoadnet {
  intersections: {
    id: string;
    virtual: boolean;
    roadLinks: { startRoad: string; endRoad: string }[];
    trafficLight?: { lightphases: { time: number }[] };
  }[];
  roads: { id: string }[];
}

interface RawFlowEntry {
  route: string[];
  startTime: number;
  endTime: number;
  interval: number;
}

function readData(file: string): unknown {
  return JSON.parse(readFileSync(path.join(dataDirectory, file), 'utf8'));
}

const maps = [
  {
    name: 'Jinan 3×4',
    roadnet: 'cityflow/jinan_3x4/roadnet_3_4.json',
    signals: 12,
    roads: 62,
    // README: the CoLight-family built-in plan is 5 + 8 × 30 s.
    cycleLength: 245,
    flows: [{ file: 'cityflow/jinan_3x4/anon_3_4_jinan_real.json', vehicles: 6295 }],
  },
  {
    name: 'Hangzhou 4×4',
    roadnet: 'cityflow/hangzhou_4x4/roadnet_4_4.json',
    signals: 16,
    roads: 80,
    cycleLength: 245,
    flows: [
      { file: 'cityflow/hangzhou_4x4/anon_4_4_hangzhou_real.json', vehicles: 2983 },
      { file: 'cityflow/hangzhou_4x4/anon_4_4_hangzhou_real_5816.json', vehicles: 6984 },
    ],
  },
  {
    name: 'Atlanta 1×5',
    roadnet: 'libsignal/atlanta_1x5/roadnet_atlanta.json',
    // Five corridor signals and the minor one at 69538856 (one 30 s phase, every road link green).
    signals: 6,
    roads: 32,
    cycleLength: undefined,
    flows: [{ file: 'libsignal/atlanta_1x5/atlanta.json', vehicles: 2171 }],
  },
];

describe(`CityFlow data in ${dataDirectory}`, () => {
  describe.each(maps)('$name', (map) => {
    const raw = readData(map.roadnet) as RawRoadnet;
    const spec = parseCityflowRoadnet(raw, map.roadnet);
    const junctions = raw.intersections.filter((intersection) => !intersection.virtual);
    const rawSignalized = junctions.filter(
      (intersection) =>
        intersection.roadLinks.length > 0 &&
        (intersection.trafficLight?.lightphases.length ?? 0) > 0,
    );
    const rawPairs = new Set(
      junctions.flatMap((intersection) =>
        intersection.roadLinks.map((roadLink) => `${roadLink.startRoad}>${roadLink.endRoad}`),
      ),
    );

    it('has the signalized intersections, boundaries and roads of the raw file', () => {
      const kinds = spec.intersections.map((intersection) => intersection.kind);
      expect(rawSignalized).toHaveLength(map.signals);
      expect(kinds.filter((kind) => kind === 'signalized')).toHaveLength(map.signals);
      expect(spec.signals).toHaveLength(map.signals);
      expect(kinds.filter((kind) => kind === 'boundary')).toHaveLength(
        raw.intersections.length - junctions.length,
      );
      expect(raw.roads).toHaveLength(map.roads);
      expect(spec.links).toHaveLength(map.roads);
    });

    it('has one movement per road link of a real intersection, joining the same roads', () => {
      const roadLinks = junctions.reduce(
        (sum, intersection) => sum + intersection.roadLinks.length,
        0,
      );
      expect(spec.movements).toHaveLength(roadLinks);
      expect(new Set(spec.movements.map((m) => `${m.from}>${m.to}`))).toEqual(rawPairs);
    });

    it("keeps each signal's built-in program: all light phases, stages filling the cycle", () => {
      for (const intersection of rawSignalized) {
        const plan = spec.signals.find((signal) => signal.id === intersection.id)?.programs?.[0];
        const phaseTimes = intersection.trafficLight?.lightphases.map((phase) => phase.time) ?? [];
        const cycleLength = phaseTimes.reduce((sum, time) => sum + time, 0);
        expect(plan?.cycleLength).toBe(cycleLength);
        if (map.cycleLength !== undefined) expect(cycleLength).toBe(map.cycleLength);
        const filled = plan?.stages.reduce((sum, stage) => sum + stage.green + stage.allRed, 0);
        expect(filled).toBeCloseTo(cycleLength, 9);
        expect(plan?.offset).toBeGreaterThanOrEqual(0);
        expect(plan?.offset).toBeLessThan(cycleLength);
      }
    });

    it('builds into a road network whose built-in programs pass validatePlan', () => {
      const network = buildNetwork(spec);
      expect(network.order).toBe(raw.intersections.length);
      expect(network.size).toBe(map.roads);
      const signals = Object.values(network.getAttribute('signals'));
      expect(signals).toHaveLength(map.signals);
      for (const signal of signals) {
        for (const plan of signal.programs) expect(validatePlan(plan, signal)).toEqual([]);
      }
    });

    it.each(map.flows)(
      'reads $file: $vehicles vehicles, every route connected',
      ({ file, vehicles }) => {
        const entries = readData(file) as RawFlowEntry[];
        // Independent count by CityFlow's rule; in these files every entry is one vehicle.
        const expected = entries.reduce(
          (sum, entry) =>
            sum +
            (entry.endTime > entry.startTime
              ? Math.floor((entry.endTime - entry.startTime) / entry.interval) + 1
              : 1),
          0,
        );
        const demand = parseCityflowFlow(entries, file, {
          linkIds: new Set(raw.roads.map((road) => road.id)),
          roadLinkPairs: rawPairs,
        });
        expect(entries).toHaveLength(vehicles);
        expect(expected).toBe(vehicles);
        expect(demand.vehicles).toHaveLength(vehicles);
        const lastDeparture = Math.max(...entries.map((entry) => entry.endTime));
        expect(Math.max(...demand.vehicles.map((vehicle) => vehicle.depart))).toBe(lastDeparture);
      },
    );
  });
});
