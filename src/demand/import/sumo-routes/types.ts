// The shapes the SUMO route reader passes between its parts, and the ones it exports.
import type { ProblemList } from '../../../network/errors.ts';

/** The road network as the route reader needs it; SUMO edge ids are the graph's link ids. */
export interface RoutableNetwork {
  hasLink(id: string): boolean;
  /** True when a movement leads from link `from` into link `to`. */
  isConnected(from: string, to: string): boolean;
  /** Links from `from` to `to`, through `via` in order, both ends included; undefined without a path. */
  route(from: string, to: string, via?: string[]): string[] | undefined;
}

export interface SumoRoutesOptions {
  /** Start of the demand window, seconds (SUMO `<time><begin>`); also the begin of a flow that gives none. */
  begin?: number;
  /** End of the window, seconds, exclusive (SUMO `<time><end>`); also the end of a flow that gives none. */
  end?: number;
}

/** A `vType` or `vTypeDistribution` of a route file, as the demand sees it. */
export interface SumoVehicleType {
  id: string;
  /** SUMO `vClass`, `passenger` when the file gives none; absent for a `vTypeDistribution`. */
  vehicleClass?: string;
  /** Vehicle length, metres, when the file gives it. */
  length?: number;
  /** Passenger car equivalents; for a distribution, the probability-weighted mean of its members. */
  pce: number;
}

/** Demand window, seconds, `[begin, end)`. */
export interface DemandWindow {
  begin: number;
  end: number;
}

/** Begin and end a flow falls back on: an enclosing `<interval>`, else the options. */
export interface FlowDefaults {
  begin?: number;
  end?: number;
}

/** A route as defined in the file: its edges and its `probability` within a distribution. */
export interface RouteDefinition {
  id?: string;
  edges: string[];
  probability: number;
}

/** What reading a vehicle, trip or flow needs: the file's types and routes, and what it has seen. */
export interface DemandContext {
  network: RoutableNetwork;
  problems: ProblemList;
  vehicleTypes: ReadonlyMap<string, SumoVehicleType>;
  routes: ReadonlyMap<string, RouteDefinition>;
  /** Trip routes by `from to via…`, so each origin–destination pair is routed once. */
  tripRoutes: Map<string, string[] | undefined>;
  vehicleIds: Set<string>;
  window: DemandWindow;
}
