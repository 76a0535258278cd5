// The road-network model: plain data specs from importers, and the typed graph built from them.
import type { MultiDirectedGraph } from 'graphology';
import type { TimingPlan } from '../timing/types.ts';

/** Coordinates: `planar` is x/y in metres (SUMO, CityFlow); `lonlat` is WGS84 degrees (GeoJSON). */
export type CoordinateSystem = 'planar' | 'lonlat';

/** A position: `[x, y]` metres in a planar network, `[longitude, latitude]` in a lonlat one. */
export type Position = [number, number];

export type IntersectionKind = 'signalized' | 'priority' | 'unsignalized' | 'boundary';

/** A turn, seen from the driver: derived from the angle between the links when not given. */
export type TurnType = 'left' | 'through' | 'right' | 'uturn';

/** How a signal group may move while green: `protected` has priority, `permissive` yields. */
export type GreenKind = 'protected' | 'permissive';

export interface IntersectionSpec {
  id: string;
  kind: IntersectionKind;
  /** A name for people, e.g. the cross streets. */
  name?: string;
  position: Position;
  /** Distance from the centre to the stop lines, metres; used for clearance widths. */
  radius?: number;
}

export interface LaneSpec {
  /** 0 is the rightmost lane (the kerb lane in right-hand traffic), as in SUMO. */
  index: number;
  /** Metres. */
  length: number;
  /** Metres per second. */
  speedLimit: number;
  /** Metres. */
  width: number;
  /** Vehicles per hour of green; when absent the demand module estimates it from the lane. */
  saturationFlow?: number;
  /** Vehicle classes allowed, when the source restricts them (SUMO `allow`). */
  allow?: string[];
  /** Lane-use arrows, when the source gives them: the turns this lane may make. */
  turns?: TurnType[];
}

export interface LinkSpec {
  id: string;
  from: string;
  to: string;
  lanes: LaneSpec[];
  /** Centre line from upstream to downstream intersection; defaults to the two intersection positions. */
  geometry?: Position[];
  /** Metres; defaults to the longest lane length or the geometry's length. */
  length?: number;
  name?: string;
}

/**
 * Right of way of a lane connection at an intersection without signals (SUMO connection `state`:
 * `M` major, `m` minor, `=` equal — right before left, `s`/`w` stop): a minor or stop connection
 * yields to major ones it crosses or merges with, an equal one to the one coming from its right.
 */
export type RightOfWay = 'major' | 'minor' | 'equal' | 'stop';

export interface LaneConnection {
  fromLane: number;
  toLane: number;
  /** Right of way where no signal controls the connection, when the source says. */
  priority?: RightOfWay;
}

/** A turning movement: traffic from one link into another through an intersection. */
export interface MovementSpec {
  /** Defaults to `${from}>${to}`. */
  id?: string;
  from: string;
  to: string;
  lanes: LaneConnection[];
  turn?: TurnType;
  /** The signal that controls the movement, with the signal group (SUMO link index, CityFlow road link). */
  signal?: string;
  signalGroup?: string;
}

export interface SignalGroupSpec {
  id: string;
  /** Position in the signal's state string (SUMO `linkIndex`); importers set it, others derive it. */
  index?: number;
  kind?: 'vehicle' | 'pedestrian';
  /** Minimum green, seconds. */
  minGreen?: number;
  /** Pedestrian crossing length in metres, for pedestrian clearance. */
  crossingLength?: number;
  /** For a pedestrian group: the links whose carriageway the crossing spans. */
  crosses?: string[];
}

export interface SignalSpec {
  id: string;
  /** The intersections this controller runs (SUMO may join several junctions into one). */
  intersections: string[];
  signalGroups: SignalGroupSpec[];
  /** Programs found in the source file, in the source's own stage structure. */
  programs?: TimingPlan[];
}

export interface DetectorSpec {
  id: string;
  link: string;
  lane: number;
  /** Metres from the start of the lane. */
  position: number;
  /** Metres of detection zone. */
  length?: number;
  kind?: 'stopline' | 'advance' | 'count';
}

/** What an importer hands to `buildNetwork`: plain data, checked there as a whole. */
export interface NetworkSpec {
  name: string;
  coordinates: CoordinateSystem;
  /** The file the spec came from, for error messages. */
  source?: string;
  intersections: IntersectionSpec[];
  links: LinkSpec[];
  movements: MovementSpec[];
  signals: SignalSpec[];
  detectors?: DetectorSpec[];
}

// ---- the built graph -------------------------------------------------------------------------

export interface Lane extends LaneSpec {
  saturationFlow: number;
}

export interface IntersectionAttributes extends IntersectionSpec {
  /** The signal controlling this intersection, if any. */
  signal?: string;
}

export interface LinkAttributes extends Omit<LinkSpec, 'lanes' | 'geometry' | 'length'> {
  lanes: Lane[];
  geometry: Position[];
  length: number;
  /** Free-flow speed, m/s: the fastest lane's limit. */
  speedLimit: number;
  /** Compass bearing of the link where it enters its downstream intersection, degrees from north. */
  arrivalBearing: number;
  /** Compass bearing of the link where it leaves its upstream intersection, degrees from north. */
  departureBearing: number;
}

export interface Movement {
  id: string;
  intersection: string;
  from: string;
  to: string;
  lanes: LaneConnection[];
  turn: TurnType;
  /** The approach (incoming link) the movement belongs to. */
  approach: string;
  signal?: string;
  signalGroup?: string;
}

export interface SignalGroup {
  id: string;
  index: number;
  kind: 'vehicle' | 'pedestrian';
  minGreen: number;
  crossingLength?: number;
  crosses?: string[];
  /** Movement ids served by this group. */
  movements: string[];
}

/** Two signal groups that must not both have priority at once. `merging` = same exit link. */
export interface Conflict {
  a: string;
  b: string;
  kind: 'crossing' | 'merging';
}

export interface Signal {
  id: string;
  intersections: string[];
  signalGroups: SignalGroup[];
  conflicts: Conflict[];
  programs: TimingPlan[];
}

export interface Detector extends DetectorSpec {
  length: number;
  kind: 'stopline' | 'advance' | 'count';
}

export interface NetworkAttributes {
  name: string;
  coordinates: CoordinateSystem;
  source?: string;
  movements: Record<string, Movement>;
  signals: Record<string, Signal>;
  detectors: Record<string, Detector>;
}

/** The road network: intersections are nodes, links are directed edges keyed by link id. */
export type RoadNetwork = MultiDirectedGraph<
  IntersectionAttributes,
  LinkAttributes,
  NetworkAttributes
>;
