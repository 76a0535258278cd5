// Validation on the real SUMO nets (RESCO Cologne and Ingolstadt, LibSignal Atlanta): counts from the raw XML, program round trips.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sumoPhasesFromPlan } from '../../timing/sumo-program.ts';
import { buildNetwork } from '../build.ts';
import { parseSumoNet } from './sumo-net.ts';

const dataDirectory =
  process.env.GREENWAVE_DATA ?? path.resolve(import.meta.dirname, '../../../../shared/data');

const nets = [
  'resco/cologne1/cologne1.net.xml',
  'resco/cologne3/cologne3.net.xml',
  'resco/ingolstadt1/ingolstadt1.net.xml',
  'libsignal/atlanta_1x5/atlanta_1x5.net.xml',
];

/** Counts read from the XML with regular expressions, trusting nothing in the importer. */
interface RawCounts {
  normalEdges: number;
  junctions: number;
  /** Lane connections between two normal edges (ids not starting with ':'). */
  vehicleConnections: number;
  /** tlLogic id → its programs' phases, in file order. */
  programs: Map<string, { duration: number; state: string }[][]>;
  /** tl id → distinct link indices its connections use. */
  linkIndices: Map<string, Set<number>>;
}

function withoutComments(xml: string): string {
  return xml.replace(/<!--[\s\S]*?-->/g, '');
}

function rawCounts(xml: string): RawCounts {
  const text = withoutComments(xml);
  const edgeTags = text.match(/<edge\s[^>]*>/g) ?? [];
  const junctionTags = text.match(/<junction\s[^>]*>/g) ?? [];
  const connectionTags = text.match(/<connection\s[^>]*>/g) ?? [];
  const programs = new Map<string, { duration: number; state: string }[][]>();
  for (const [, id = '', body = ''] of text.matchAll(
    /<tlLogic\s[^>]*id="([^"]+)"[^>]*>([\s\S]*?)<\/tlLogic>/g,
  )) {
    const phases = [...body.matchAll(/<phase\s[^>]*duration="([\d.]+)"[^>]*state="([^"]+)"/g)].map(
      ([, duration = '', state = '']) => ({ duration: Number(duration), state }),
    );
    programs.set(id, [...(programs.get(id) ?? []), phases]);
  }
  const linkIndices = new Map<string, Set<number>>();
  for (const tag of connectionTags) {
    const tl = /\btl="([^"]+)"/.exec(tag)?.[1];
    const index = /\blinkIndex="(\d+)"/.exec(tag)?.[1];
    if (tl === undefined || index === undefined) continue;
    linkIndices.set(tl, (linkIndices.get(tl) ?? new Set()).add(Number(index)));
  }
  return {
    normalEdges: edgeTags.filter((tag) => !/\bfunction="/.test(tag)).length,
    junctions: junctionTags.filter((tag) => !/\btype="internal"/.test(tag)).length,
    vehicleConnections: connectionTags.filter((tag) => /\bfrom="[^:"][^"]*"\s+to="[^:"]/.test(tag))
      .length,
    programs,
    linkIndices,
  };
}

describe(`SUMO nets in ${dataDirectory}`, () => {
  describe.each(nets)('%s', (file) => {
    const xml = readFileSync(path.join(dataDirectory, file), 'utf8');
    const raw = rawCounts(xml);
    const spec = parseSumoNet(xml, file);

    it('has a link per normal edge and an intersection per non-internal junction', () => {
      expect(spec.links).toHaveLength(raw.normalEdges);
      expect(spec.intersections).toHaveLength(raw.junctions);
    });

    it('puts every lane connection between normal edges in exactly one movement', () => {
      const lanes = spec.movements.flatMap((movement) => movement.lanes);
      expect(lanes).toHaveLength(raw.vehicleConnections);
    });

    it('names each movement from>to, or from>to@linkIndex when split, each id once', () => {
      const ids = spec.movements.map((movement) => movement.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const movement of spec.movements) {
        const pair = `${movement.from}>${movement.to}`;
        expect([pair, `${pair}@${movement.signalGroup ?? 'unsignalled'}`]).toContain(movement.id);
      }
    });

    it('has a signal per tlLogic id, a group per link index, as long as the state strings', () => {
      expect(spec.signals.map((signal) => signal.id).sort()).toEqual(
        [...raw.programs.keys()].sort(),
      );
      for (const signal of spec.signals) {
        const stateLength = raw.programs.get(signal.id)?.[0]?.[0]?.state.length;
        expect(signal.signalGroups).toHaveLength(raw.linkIndices.get(signal.id)?.size ?? -1);
        expect(signal.signalGroups).toHaveLength(stateLength ?? -1);
        expect(signal.intersections.length).toBeGreaterThan(0);
      }
    });

    it('writes every program back as the same phases', () => {
      for (const signal of spec.signals) {
        const programs = raw.programs.get(signal.id) ?? [];
        expect(signal.programs).toHaveLength(programs.length);
        signal.programs?.forEach((plan, position) => {
          const phases = sumoPhasesFromPlan(plan, signal.signalGroups.length);
          expect(phases.map(({ duration, state }) => ({ duration, state }))).toEqual(
            programs[position],
          );
          expect(plan.cycleLength).toBe(
            programs[position]?.reduce((total, phase) => total + phase.duration, 0),
          );
        });
      }
    });

    it('builds into a road network', () => {
      const network = buildNetwork(spec);
      expect(network.order).toBe(raw.junctions);
      expect(network.size).toBe(raw.normalEdges);
    });
  });
});
