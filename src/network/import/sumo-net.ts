// Reads a SUMO road network (`.net.xml`) into a NetworkSpec: junctions, edges, connections, programs.
import { InputFileError, ProblemList } from '../errors.ts';
import type { NetworkSpec } from '../types.ts';
import { checkConnection, movementsOf, readConnections } from './sumo-net-connections.ts';
import { checkEdgeEnds, linkOf, readEdges } from './sumo-net-edges.ts';
import { readJunctions } from './sumo-net-junctions.ts';
import { report } from './sumo-net-problems.ts';
import { readTrafficLights } from './sumo-net-programs.ts';
import { signalOf } from './sumo-net-signals.ts';
import { readXmlRoot } from './sumo-xml.ts';

/**
 * Reads a SUMO network file into a `NetworkSpec` (planar x/y metres). Junctions become
 * intersections (`internal` ones are skipped), normal edges become links (internal, crossing and
 * walking-area edges are not links; sidewalk- or bicycle-only edges are kept, with their `allow`),
 * lane connections between normal edges become movements, and each `tlLogic` id becomes a signal
 * with one signal group per link index and all its programs as timing plans, the first in the file
 * first. A movement whose lanes have different link indices is split, one per index, with ids
 * `from>to@linkIndex` (e.g. `-32038056#3>32038051#0@5`: SUMO edge ids may hold a `#`). Pure: give
 * it the file's text and name.
 *
 * @throws {InputFileError} listing every problem found (unknown edges and lanes, a `tl` with no
 *   program, link indices beyond the state string, missing attributes, XML that does not parse);
 *   nothing is half-built.
 * @example
 * const spec = parseSumoNet(readFileSync('cologne1.net.xml', 'utf8'), 'cologne1.net.xml');
 * spec.signals[0]?.id; // => 'GS_cluster_357187_359543'
 * spec.signals[0]?.programs?.[0]?.cycleLength; // => 90
 */
export function parseSumoNet(xml: string, file: string): NetworkSpec {
  const problems = new ProblemList(file);
  const net = readXmlRoot(xml, ['net'], {
    notXml: (position, detail) => report(problems, 'notXml', position, detail),
    wrongRoot: () => report(problems, 'notNetFile', 'root element'),
  });
  // readXmlRoot has reported why when it finds no <net>.
  if (net === undefined) throw new InputFileError(file, problems.problems);
  const junctions = readJunctions(net, problems);
  const edges = readEdges(net, problems);
  const trafficLights = readTrafficLights(net, problems);
  const connections = readConnections(net, problems);
  checkEdgeEnds(edges.normal, junctions, problems);
  for (const connection of connections) {
    checkConnection(connection, edges, trafficLights, problems);
  }
  problems.throwIfAny();
  const vehicleConnections = connections.filter(
    (c) => edges.normal.has(c.from) && edges.normal.has(c.to),
  );
  const junctionIds = new Set(junctions.keys());
  return {
    name: networkName(file),
    coordinates: 'planar',
    source: file,
    intersections: [...junctions.values()],
    links: [...edges.normal.values()].map(linkOf),
    movements: movementsOf(vehicleConnections),
    signals: [...trafficLights.lights.values()].map((light) =>
      signalOf(light, connections, edges, junctionIds),
    ),
  };
}

/** `path/to/cologne1.net.xml` → `cologne1`. */
function networkName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.net\.xml(\.gz)?$/, '').replace(/\.xml$/, '') || base;
}
