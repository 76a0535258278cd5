// Real SUMO on an exported network: netconvert keeps greenwave's connections and link indices, sumo runs the counts.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sumoRoutesXml } from '../demand/export/sumo-routes-writer.ts';
import { routesFromTurns } from '../demand/routes-from-turns.ts';
import { seededRandom } from '../seeded-random.ts';
import type { VehicleTrip } from '../demand/types.ts';
import type { RoadNetwork } from '../network/types.ts';
import { loadDemand, loadNetwork } from './load.ts';
import { exportSumoNetwork, type SumoExport } from './sumo-export.ts';

const run = promisify(execFile);
const FIXTURES = join(import.meta.dirname, '../../fixtures');
const NETWORK = join(FIXTURES, 'networks/zhengzhou-jinshui-road.geojson');
const COUNTS = join(FIXTURES, 'counts/zhengzhou-jinshui-weekday.csv');
/** The morning peak hour, 07:30–08:30, seconds of the day. */
const PEAK = { begin: 27_000, end: 30_600 };

type Attributes = Record<string, string>;

function tags(xml: string, name: string): Attributes[] {
  const text = xml.replace(/<!--[\s\S]*?-->/g, '');
  return [...text.matchAll(new RegExp(`<${name}\\s([^>]*?)/?>`, 'g'))].map((match) =>
    Object.fromEntries([...match[1]!.matchAll(/([\w:.-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}

/** The `<tlLogic>` elements of a net with the state strings of their phases. */
function programs(xml: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const match of xml.matchAll(/<tlLogic\s[^>]*id="([^"]+)"[^>]*>([\s\S]*?)<\/tlLogic>/g)) {
    result.set(
      match[1]!,
      [...match[2]!.matchAll(/state="([^"]+)"/g)].map((state) => state[1]!),
    );
  }
  return result;
}

describe('exportSumoNetwork on Jinshui Road (netconvert and sumo 1.15)', () => {
  let directory: string;
  let network: RoadNetwork;
  let exported: SumoExport;
  let netXml: string;

  beforeAll(async () => {
    await run('netconvert', ['--version']).catch(() => {
      throw new Error(
        'netconvert is missing: install SUMO (Debian: apt-get install sumo) to validate',
      );
    });
    directory = await mkdtemp(join(tmpdir(), 'greenwave-export-'));
    network = (await loadNetwork(NETWORK)).network;
    exported = await exportSumoNetwork(network, join(directory, 'jinshui.net.xml'));
    netXml = await readFile(exported.netFile, 'utf8');
  });

  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('gives every signal a tlLogic as long as its vehicle signal groups', () => {
    const found = programs(netXml);
    const expected = new Map(
      Object.entries(exported.linkIndices).map(([signal, links]) => [signal, links.linkCount]),
    );
    expect([...found.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [signal, states] of found) {
      expect(new Set(states.map((state) => state.length)), signal).toEqual(
        new Set([expected.get(signal)]),
      );
    }
    expect(expected.get('JS-07')).toBe(13);
    expect(expected.get('JS-01')).toBe(8);
    expect(exported.warnings).toEqual([]);
  });

  it('keeps exactly greenwave lane connections, each on its signal group link index', () => {
    const connections = tags(netXml, 'connection').filter((c) => !c.from!.startsWith(':'));
    const expected = new Map<string, string>();
    for (const movement of Object.values(network.getAttribute('movements'))) {
      const index = exported.linkIndices[movement.signal!]!.groups[movement.signalGroup!];
      for (const lane of movement.lanes) {
        expected.set(
          `${movement.from}_${lane.fromLane}>${movement.to}_${lane.toLane}`,
          `${movement.signal}#${index}`,
        );
      }
    }
    const found = new Map(
      connections.map((c) => [
        `${c.from}_${c.fromLane}>${c.to}_${c.toLane}`,
        `${c.tl}#${c.linkIndex}`,
      ]),
    );
    expect(found).toEqual(expected);
    const uturn = connections.find((c) => c.from === 'jinshui-wb-7' && c.to === 'jinshui-eb-7');
    expect(uturn?.dir).toBe('t');
  });

  it('runs the morning peak of the counts in sumo, every vehicle inserted and arriving', async () => {
    const demand = await loadDemand(COUNTS, network, PEAK);
    const vehicles: VehicleTrip[] = routesFromTurns(network, demand.flows, {
      rng: seededRandom(20_240_501),
      ...PEAK,
    });
    expect(vehicles.length).toBeGreaterThan(5000);
    const routes = join(directory, 'jinshui-am-peak.rou.xml');
    await writeFile(routes, sumoRoutesXml(vehicles, { comment: 'Jinshui Road, 07:30–08:30' }));
    const { stdout, stderr } = await run(
      'sumo',
      [
        ...['-n', exported.netFile, '-r', routes],
        ...['-b', String(PEAK.begin), '-e', String(PEAK.end + 7200)],
        ...['--duration-log.statistics', '--no-step-log', '--seed', '1'],
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const number = (label: string) =>
      Number(new RegExp(`${label}:\\s*([\\d.]+)`).exec(stdout)?.[1]);
    const arrived = Number(/Statistics \(avg of (\d+)\)/.exec(stdout)?.[1]);
    const teleports = (stderr.match(/Teleporting vehicle/g) ?? []).length;
    console.log(
      `Jinshui Road 07:30–08:30 in sumo: ${vehicles.length} vehicles, ${number('Inserted')} inserted, ` +
        `${arrived} arrived, mean timeLoss ${number('TimeLoss')} s, departDelay ${number('DepartDelay')} s, ` +
        `${teleports} teleports`,
    );
    expect(stderr).not.toMatch(/Error/);
    expect(number('Inserted')).toBe(vehicles.length);
    expect(number('Running')).toBe(0);
    expect(number('Waiting')).toBe(0);
    expect(arrived).toBe(vehicles.length);
    expect(number('TimeLoss')).toBeGreaterThan(0);
  });
});
