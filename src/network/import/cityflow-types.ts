// A CityFlow roadnet as read: its roads, intersections, road links and traffic lights, checked.
import type { Position, TurnType } from '../types.ts';

export type RoadLinkType = 'go_straight' | 'turn_left' | 'turn_right';

export const TURN_OF_ROAD_LINK: Record<RoadLinkType, TurnType> = {
  go_straight: 'through',
  turn_left: 'left',
  turn_right: 'right',
};

export interface CityflowLane {
  width: number;
  maxSpeed: number;
}

export interface CityflowRoad {
  id: string;
  /** How problems name the road. */
  element: string;
  startIntersection: string;
  endIntersection: string;
  points: Position[];
  lanes: CityflowLane[];
}

export interface CityflowLaneLink {
  startLaneIndex: number;
  endLaneIndex: number;
}

export interface CityflowRoadLink {
  type: RoadLinkType;
  startRoad: string;
  endRoad: string;
  laneLinks: CityflowLaneLink[];
}

/** A road link with the turn it makes (CityFlow's type, or a U-turn). */
export interface TurningRoadLink extends CityflowRoadLink {
  turn: TurnType;
}

export interface CityflowLightPhase {
  /** Seconds. */
  time: number;
  availableRoadLinks: number[];
}

export interface CityflowTrafficLight {
  roadLinkIndices?: number[];
  lightphases: CityflowLightPhase[];
}

export interface CityflowIntersection {
  id: string;
  virtual: boolean;
  point: Position;
  /** Junction radius, metres: CityFlow cuts the lane ends back by it. */
  width?: number;
  roadLinks: CityflowRoadLink[];
  trafficLight?: CityflowTrafficLight;
}

/** The roads read so far, to check road links against. */
export interface KnownRoads {
  /** Every road id in the file, including roads that could not be read. */
  roadIds: Set<string>;
  /** The roads that were read whole. */
  roads: Map<string, CityflowRoad>;
}
