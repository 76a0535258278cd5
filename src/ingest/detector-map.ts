// The detector map: each detector's site, lane, movements and channel, with implied stop-line detectors.
import type { Detector, RoadNetwork } from '../network/types.ts';
import { IngestError } from './types.ts';

/** Metres of detection zone of an implied stop-line detector: a counting loop, as the demo network's. */
export const IMPLIED_DETECTOR_LENGTH = 2;

/** The longest id that fits a topic id (`TopicId` in controllers/payloads.ts). */
const MAX_ID_LENGTH = 64;

/** One detector placed in the signal system: its controller, its lane and what the lane serves. */
export interface MappedDetector extends Detector {
  /** The signal controlling the intersection its link enters: the MQTT `{site}`. */
  site: string;
  intersection: string;
  /** Ordinal within the site, from 1: the Indiana hi-res detector channel (codes 81/82). */
  channel: number;
  /** True for a stop-line detector the map added because the intersection had none. */
  implied: boolean;
  /** Movements leaving from the detector's lane. */
  movements: string[];
  /** Of the detector's lane, vehicles per hour of green. */
  saturationFlow: number;
  /** Of the detector's lane, m/s. */
  speedLimit: number;
}

/** One lane entering a signalized intersection. */
export interface MappedLane {
  /** `laneKey(link, lane)`. */
  key: string;
  link: string;
  lane: number;
  site: string;
  /** Movements leaving from this lane. */
  movements: string[];
  /** Detectors on this lane, by channel. */
  detectors: string[];
}

/** One movement at a signalized intersection, with the lanes it leaves from. */
export interface MappedMovement {
  id: string;
  site: string;
  /** Lane keys (`laneKey`) of the lanes the movement leaves from. */
  lanes: string[];
}

export interface DetectorMap {
  detectors: Record<string, MappedDetector>;
  /** Site → its detector ids in channel order. */
  sites: Record<string, string[]>;
  /** Site → channel → detector id. */
  channels: Record<string, Record<number, string>>;
  lanes: Record<string, MappedLane>;
  movements: Record<string, MappedMovement>;
  /** Detectors that could not be placed (their link enters no signalized intersection), with why. */
  unmapped: { detector: string; reason: string }[];
}

export interface DetectorMapOptions {
  /** Add implied stop-line detectors where a signalized intersection has none; default true. */
  implied?: boolean;
  /** Channel numbers a controller's configuration fixes, by detector id; the rest are numbered around them. */
  channels?: Record<string, number>;
}

/** The key of a lane in `DetectorMap.lanes`: link id and lane index. */
export const laneKey = (link: string, lane: number): string => `${link}@${lane}`;

/**
 * The id of the implied stop-line detector on `lane` of `link`: `stopline:{link}:{lane}`, with
 * `%`, `/`, `+`, `#` and whitespace in the link id percent-encoded (so it may sit in a topic and
 * different links never share an id); a link id that would make it longer than 64 characters is
 * cut and tagged with its FNV-1a hash.
 *
 * @example
 * impliedDetectorId('jinshui-eb-2', 0) // => 'stopline:jinshui-eb-2:0'
 * impliedDetectorId('-E1#2', 1) // => 'stopline:-E1%232:1'
 */
export function impliedDetectorId(link: string, lane: number): string {
  const encoded = link.replace(/[%/+#\s]/gu, (character) => encodeURIComponent(character));
  const id = `stopline:${encoded}:${lane}`;
  if (id.length <= MAX_ID_LENGTH) return id;
  const tag = fnv1a(link);
  const room = MAX_ID_LENGTH - `stopline:~${tag}:${lane}`.length;
  return `stopline:${encoded.slice(0, room)}~${tag}:${lane}`;
}

/**
 * The implied detectors: for every signalized intersection (one a signal controls) with no
 * detector on any link entering it, a stop-line counting detector on every lane of every entering
 * link, ids by `impliedDetectorId`, the zone ending at the stop line. The engine's detector map and
 * the simulator's virtual field both call this, so they agree on ids without configuration.
 *
 * @example
 * impliedStopLineDetectors(jinshui).length // => 70 (the seven crossings without detectors)
 * impliedStopLineDetectors(jinshui)[0] // => { id: 'stopline:chengdong-nb-in:0', link: 'chengdong-nb-in', lane: 0, position: 288.4…, length: 2, kind: 'stopline' }
 */
export function impliedStopLineDetectors(network: RoadNetwork): Detector[] {
  const detected = new Set<string>();
  for (const detector of Object.values(network.getAttribute('detectors'))) {
    if (network.hasEdge(detector.link)) detected.add(network.target(detector.link));
  }
  const implied: Detector[] = [];
  const intersections = network
    .filterNodes((node, attributes) => attributes.signal !== undefined && !detected.has(node))
    .sort(byCodeUnit);
  for (const intersection of intersections) {
    const links = network.inEdges(intersection).sort(byCodeUnit);
    for (const link of links) {
      for (const lane of network.getEdgeAttribute(link, 'lanes')) {
        implied.push({
          id: impliedDetectorId(link, lane.index),
          link,
          lane: lane.index,
          position: Math.max(0, lane.length - IMPLIED_DETECTOR_LENGTH),
          length: IMPLIED_DETECTOR_LENGTH,
          kind: 'stopline',
        });
      }
    }
  }
  return implied;
}

/**
 * Places every detector (the network's and, unless `implied: false`, the implied stop-line ones)
 * in the signal system: its site is the signal controlling the intersection its link enters; its
 * movements are those leaving from its lane (a movement that names no lanes leaves from all);
 * its channel is its ordinal within the site, from 1, in order of appearance — the network's
 * detectors as the network lists them, then the implied ones in `impliedStopLineDetectors`
 * order, as the simulator's detector field numbers them — with `options.channels` fixing any a
 * controller's configuration gives.
 *
 * @throws {IngestError} `DUPLICATE_CHANNEL` when `channels` gives one channel twice within a site
 *   or a non-positive one; `IMPLIED_ID_TAKEN` when a network detector already has an implied id.
 * @example
 * const map = detectorMap(jinshui);
 * map.detectors['jingsan-eb-stopline-0'] // => { site: 'JS-02', channel: 1, movements: ['jinshui-eb-1>jingsan-sb-out', 'jinshui-eb-1>jinshui-eb-2'], … }
 * map.sites['JS-02'] // => ['jingsan-eb-stopline-0', 'jingsan-eb-stopline-1', 'jingsan-eb-stopline-2']
 */
export function detectorMap(
  network: RoadNetwork,
  { implied = true, channels = {} }: DetectorMapOptions = {},
): DetectorMap {
  const given = network.getAttribute('detectors');
  const all: Detector[] = Object.values(given);
  const impliedIds = new Set<string>();
  if (implied) {
    for (const detector of impliedStopLineDetectors(network)) {
      if (given[detector.id]) {
        throw new IngestError(
          'IMPLIED_ID_TAKEN',
          `detectorMap: detector "${detector.id}" has the id of an implied stop-line detector; rename it, or pass implied: false`,
        );
      }
      all.push(detector);
      impliedIds.add(detector.id);
    }
  }
  const { lanes, movements } = signalizedLanes(network);

  const unmapped: DetectorMap['unmapped'] = [];
  const bySite = new Map<string, Detector[]>();
  for (const detector of all) {
    const intersection = network.hasEdge(detector.link) ? network.target(detector.link) : undefined;
    const site = intersection && network.getNodeAttribute(intersection, 'signal');
    if (!site) {
      unmapped.push({
        detector: detector.id,
        reason: intersection
          ? `its link ${detector.link} enters ${intersection}, which no signal controls`
          : `its link ${detector.link} is not in the network`,
      });
      continue;
    }
    bySite.set(site, [...(bySite.get(site) ?? []), detector]);
  }

  const detectors: Record<string, MappedDetector> = {};
  const sites: Record<string, string[]> = {};
  const channelTable: Record<string, Record<number, string>> = {};
  for (const site of [...bySite.keys()].sort(byCodeUnit)) {
    const numbered = numberChannels(site, bySite.get(site)!, channels);
    channelTable[site] = {};
    sites[site] = [];
    for (const [detector, channel] of numbered) {
      const link = network.getEdgeAttributes(detector.link);
      const lane = link.lanes.find((candidate) => candidate.index === detector.lane);
      const key = laneKey(detector.link, detector.lane);
      detectors[detector.id] = {
        ...detector,
        site,
        intersection: link.to,
        channel,
        implied: impliedIds.has(detector.id),
        movements: lanes[key]?.movements ?? [],
        saturationFlow:
          lane?.saturationFlow ?? Math.max(...link.lanes.map((l) => l.saturationFlow)),
        speedLimit: lane?.speedLimit ?? link.speedLimit,
      };
      channelTable[site][channel] = detector.id;
      sites[site].push(detector.id);
      lanes[key]?.detectors.push(detector.id);
    }
  }
  return { detectors, sites, channels: channelTable, lanes, movements, unmapped };
}

/** Lanes entering signalized intersections and the movements leaving from each. */
function signalizedLanes(network: RoadNetwork): {
  lanes: Record<string, MappedLane>;
  movements: Record<string, MappedMovement>;
} {
  const lanes: Record<string, MappedLane> = {};
  network.forEachEdge((link, attributes, _from, to) => {
    const site = network.getNodeAttribute(to, 'signal');
    if (!site) return;
    for (const lane of attributes.lanes) {
      const key = laneKey(link, lane.index);
      lanes[key] = { key, link, lane: lane.index, site, movements: [], detectors: [] };
    }
  });
  const movements: Record<string, MappedMovement> = {};
  const sorted = Object.values(network.getAttribute('movements')).sort((a, b) =>
    byCodeUnit(a.id, b.id),
  );
  for (const movement of sorted) {
    const site = network.getNodeAttribute(movement.intersection, 'signal');
    if (!site) continue;
    const fromLanes =
      movement.lanes.length > 0
        ? [...new Set(movement.lanes.map((connection) => connection.fromLane))]
        : network.getEdgeAttribute(movement.from, 'lanes').map((lane) => lane.index);
    const keys = fromLanes.map((lane) => laneKey(movement.from, lane)).filter((key) => lanes[key]);
    movements[movement.id] = { id: movement.id, site, lanes: keys };
    for (const key of keys) lanes[key]!.movements.push(movement.id);
  }
  return { lanes, movements };
}

/** Channels for one site's detectors (already in order): fixed ones kept, the rest filling gaps. */
function numberChannels(
  site: string,
  detectors: Detector[],
  fixed: Record<string, number>,
): [Detector, number][] {
  const taken = new Map<number, string>();
  for (const detector of detectors) {
    const channel = fixed[detector.id];
    if (channel === undefined) continue;
    const holder = taken.get(channel);
    if (!Number.isInteger(channel) || channel < 1 || holder !== undefined) {
      throw new IngestError(
        'DUPLICATE_CHANNEL',
        `detectorMap: channel ${channel} of site ${site} ` +
          (holder !== undefined
            ? `is given to both ${holder} and ${detector.id}; give each detector its own channel`
            : `for ${detector.id} is not a positive integer; give channels from 1`),
      );
    }
    taken.set(channel, detector.id);
  }
  let next = 1;
  return detectors.map((detector) => {
    const channel = fixed[detector.id];
    if (channel !== undefined) return [detector, channel];
    while (taken.has(next)) next++;
    taken.set(next, detector.id);
    return [detector, next];
  });
}

/** Plain code-unit order, the same in every locale (so ids and channels never depend on one). */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** FNV-1a, 32 bits, as 8 hex digits: a short stable tag for a long id. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
