// Demand: vehicles with routes on the graph, and turning-movement flows aggregated from them.

/** One vehicle (or one vehicle of a flow), routed on the graph's links. */
export interface VehicleTrip {
  id: string;
  /** Departure time, seconds (the source file's clock: SUMO's begin, CityFlow's 0). */
  depart: number;
  /** Link ids from origin to destination, consecutive links joined by a movement. */
  route: string[];
  /** Vehicle type id from the source file. */
  vehicleType: string;
  /** Passenger car equivalents: 1 for a car, more for buses and trucks. */
  pce: number;
  /** Vehicle class (SUMO `vClass`: passenger, bus, truck, …), when the source says. */
  vehicleClass?: string;
  /** Vehicle length in metres, when the source says. */
  length?: number;
  /**
   * Speed when entering the network, m/s, or `max` (as fast as the lane and the vehicle ahead
   * allow), when the source says (SUMO `departSpeed`); absent means 0, SUMO's default.
   */
  departSpeed?: number | 'max';
}

export interface VehicleDemand {
  /** The file the demand came from, for messages. */
  source?: string;
  vehicles: VehicleTrip[];
}

/** Counted or derived flow of one movement in one interval. */
export interface MovementFlow {
  movement: string;
  /** Interval start and end, seconds. */
  begin: number;
  end: number;
  /** Vehicles counted in the interval. */
  vehicles: number;
  /** Passenger car units per hour over the interval. */
  flow: number;
}

export interface TurningFlows {
  begin: number;
  end: number;
  /** Interval length, seconds. */
  interval: number;
  flows: MovementFlow[];
}
