// Reads network and demand files from disk, detecting each format by its content.
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve as resolvePath } from 'node:path';
import { parseCounts } from '../demand/import/counts.ts';
import { parseCityflowFlow } from '../demand/import/cityflow-flow.ts';
import { parseSumoRoutes } from '../demand/import/sumo-routes.ts';
import { movementsByLinkPair, turningFlows } from '../demand/turning-flows.ts';
import type { TurningFlows, VehicleTrip } from '../demand/types.ts';
import { buildNetwork } from '../network/build.ts';
import { InputFileError } from '../network/errors.ts';
import { parseCityflowRoadnet } from '../network/import/cityflow-roadnet.ts';
import { parseGeojsonNetwork } from '../network/import/geojson.ts';
import { parseSumoNet } from '../network/import/sumo-net.ts';
import { fastestRoute, successors } from '../network/routing.ts';
import type { NetworkSpec, RoadNetwork } from '../network/types.ts';

export type NetworkFormat = 'geojson' | 'sumo-net' | 'cityflow-roadnet';
export type DemandFormat = 'sumo-routes' | 'cityflow-flow' | 'counts';
export type FileFormat = NetworkFormat | DemandFormat | 'sumo-config';

/**
 * The format of a file from its content (not its name): SUMO XML by its root element, GeoJSON by
 * its `FeatureCollection`, CityFlow by its keys, counts by a CSV header with begin and end.
 *
 * @example
 * detectFormat('<net version="1.9">…') // => 'sumo-net'
 */
export function detectFormat(text: string): FileFormat | undefined {
  const head = text
    .slice(0, 4096)
    .replace(/<\?xml[^>]*\?>|<!--[\s\S]*?-->/g, '')
    .trimStart();
  if (head.startsWith('<')) {
    const root = /^<([A-Za-z]+)/.exec(head)?.[1];
    if (root === 'net') return 'sumo-net';
    if (root === 'routes') return 'sumo-routes';
    if (root === 'configuration' || root === 'sumoConfiguration') return 'sumo-config';
    return undefined;
  }
  if (head.startsWith('{')) {
    if (/"type"\s*:\s*"FeatureCollection"/.test(text.slice(0, 65536))) return 'geojson';
    if (/"intersections"\s*:/.test(head) || /"roads"\s*:/.test(head)) return 'cityflow-roadnet';
    return undefined;
  }
  if (head.startsWith('[')) return /"route"\s*:/.test(head) ? 'cityflow-flow' : undefined;
  const header = head.split(/\r?\n/).find((line) => line.trim() !== '' && !line.startsWith('#'));
  if (header && /\bbegin\b/i.test(header) && /\bend\b/i.test(header) && header.includes(',')) {
    return 'counts';
  }
  return undefined;
}

export interface LoadedNetwork {
  network: RoadNetwork;
  format: NetworkFormat;
  file: string;
  /** The window the source suggests (a sumocfg's begin and end), seconds. */
  window?: { begin: number; end: number };
  /** Route files named by a sumocfg, for when no demand file is given. */
  demandFiles?: string[];
}

/**
 * Reads and builds a network from the project's GeoJSON, SUMO `.net.xml`, CityFlow `roadnet.json`
 * or a `.sumocfg` (which names the net, the routes and the window).
 *
 * @throws {InputFileError} when the file cannot be read, its format is unknown, or it is invalid.
 */
export async function loadNetwork(file: string): Promise<LoadedNetwork> {
  const text = await readText(file);
  const format = detectFormat(text);
  if (format === 'sumo-config') return loadSumoConfig(file, text);
  if (format === 'sumo-net')
    return { network: buildNetwork(parseSumoNet(text, file)), format, file };
  if (format === 'geojson' || format === 'cityflow-roadnet') {
    const json = parseJson(text, file);
    const spec: NetworkSpec =
      format === 'geojson' ? parseGeojsonNetwork(json, file) : parseCityflowRoadnet(json, file);
    return { network: buildNetwork({ ...spec, source: file }), format, file };
  }
  throw unknownFormat(file, 'a network (GeoJSON, SUMO .net.xml, CityFlow roadnet.json, .sumocfg)');
}

export interface LoadedDemand {
  format: DemandFormat;
  file: string;
  /** Vehicles with routes, for route-based formats. */
  vehicles?: VehicleTrip[];
  /** Turning-movement flows over the window. */
  flows: TurningFlows;
}

export interface DemandOptions {
  begin?: number;
  end?: number;
  /** Interval for the turning flows, seconds; default the whole window. */
  interval?: number;
}

/**
 * Reads demand for a network: SUMO routes (vehicles, routes, flows, trips; trips routed by free-flow
 * time), CityFlow flow files, or a counts file; and aggregates turning-movement flows.
 *
 * @throws {InputFileError} when the file is unreadable, of unknown format, or inconsistent with the network.
 */
export async function loadDemand(
  file: string,
  network: RoadNetwork,
  options: DemandOptions = {},
): Promise<LoadedDemand> {
  const text = await readText(file);
  const format = detectFormat(text);
  const movements = network.getAttribute('movements');
  if (format === 'counts') {
    const byPair = movementsByLinkPair(network);
    const flows = parseCounts(text, file, (id) =>
      id in movements
        ? [{ movement: id, share: 1 }]
        : (byPair.get(id) ?? []).map(({ movement, share }) => ({ movement: movement.id, share })),
    );
    return { format, file, flows: clipFlows(flows, options) };
  }
  let vehicles: VehicleTrip[];
  if (format === 'sumo-routes') {
    vehicles = parseSumoRoutes(text, file, routingOn(network), options).vehicles;
  } else if (format === 'cityflow-flow') {
    const roadLinkPairs = new Set(Object.values(movements).map((m) => `${m.from}>${m.to}`));
    vehicles = parseCityflowFlow(parseJson(text, file), file, {
      roadLinkPairs,
      linkIds: new Set(network.edges()),
    }).vehicles.filter((vehicle) => inWindow(vehicle.depart, options));
  } else {
    throw unknownFormat(file, 'demand (SUMO .rou.xml, CityFlow flow JSON, counts CSV)');
  }
  return { format, file, vehicles, flows: turningFlows(network, vehicles, options) };
}

/** The graph as the SUMO route reader needs it: link checks and trip routing. */
export function routingOn(network: RoadNetwork) {
  const next = successors(network);
  return {
    hasLink: (id: string) => network.hasEdge(id),
    isConnected: (from: string, to: string) => next.get(from)?.includes(to) ?? false,
    route: (from: string, to: string, via: string[] = []) => {
      const stops = [from, ...via, to];
      const route: string[] = [from];
      for (let i = 1; i < stops.length; i++) {
        const leg = fastestRoute(network, next, stops[i - 1]!, stops[i]!);
        if (!leg) return undefined;
        route.push(...leg.slice(1));
      }
      return route;
    },
  };
}

function inWindow(time: number, { begin, end }: DemandOptions): boolean {
  return (begin === undefined || time >= begin) && (end === undefined || time < end);
}

function clipFlows(flows: TurningFlows, options: DemandOptions): TurningFlows {
  if (options.begin === undefined && options.end === undefined) return flows;
  const kept = flows.flows.filter((flow) => inWindow(flow.begin, options));
  return {
    ...flows,
    begin: options.begin ?? flows.begin,
    end: options.end ?? flows.end,
    flows: kept,
  };
}

async function loadSumoConfig(file: string, text: string): Promise<LoadedNetwork> {
  const value = (name: string) => new RegExp(`<${name}\\s+value="([^"]*)"`).exec(text)?.[1];
  const netFile = value('net-file');
  if (!netFile) {
    throw new InputFileError(file, [
      {
        code: 'MISSING_ATTRIBUTE',
        element: '<input>',
        message: 'names no net-file.',
        fix: 'Add <net-file value="NAME.net.xml"/> under <input>.',
      },
    ]);
  }
  const resolve = (name: string) => resolvePath(dirname(file), name);
  const loaded = await loadNetwork(resolve(netFile));
  const begin = Number(value('begin') ?? NaN);
  const end = Number(value('end') ?? NaN);
  const routes = value('route-files');
  return {
    ...loaded,
    ...(Number.isFinite(begin) && Number.isFinite(end) ? { window: { begin, end } } : {}),
    ...(routes ? { demandFiles: routes.split(',').map((name) => resolve(name.trim())) } : {}),
  };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new InputFileError(file, [
      {
        code: 'PARSE_FAILED',
        element: basename(file),
        message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
        fix: 'Check the path and that the file is readable.',
      },
    ]);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputFileError(file, [
      {
        code: 'PARSE_FAILED',
        element: basename(file),
        message: `is not valid JSON (${(error as Error).message}).`,
        fix: 'Fix the JSON syntax at the position given.',
      },
    ]);
  }
}

function unknownFormat(file: string, expected: string): InputFileError {
  return new InputFileError(file, [
    {
      code: 'FORMAT_UNKNOWN',
      element: basename(file),
      message: `is not ${expected}.`,
      fix: 'Give a file in one of those formats; the format is read from the content, not the name.',
    },
  ]);
}
