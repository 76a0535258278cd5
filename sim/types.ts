// The simulator's plain-data inputs and outputs: options, per-vehicle results, totals, observers.

/** Settings of a run; everything but the window and the rng has a default. */
export interface SimulationOptions {
  /** Simulated time at which the run starts, seconds (the demand's clock). */
  begin: number;
  /** Simulated time at which the run stops, seconds; vehicles departing at or after it are left out. */
  end: number;
  /** Fixed time step, seconds. Default 0.5 (see simulate.ts for why). */
  step?: number;
  /** Random source in [0, 1), e.g. `seededRandom(seed)`: breaks ties between equally good lanes. */
  rng: () => number;
  /** Jam spacing (vehicle length + gap when stopped), metres. Default 7.5. */
  jamSpacing?: number;
  /** Largest acceleration, m/s². Default 2.6 (SUMO's passenger car). */
  acceleration?: number;
  /** Comfortable deceleration for stopping at a yellow or red, m/s². Default 3. */
  comfortableDeceleration?: number;
  /** Metres before the stop line in which no lane change starts. Default 20 (at most half the link). */
  laneChangeZone?: number;
  /** Hooks for tests and tools; called synchronously, must not mutate what they are given. */
  observer?: SimulationObserver;
}

/** A vehicle passing a stop line from one link into the next, during the step that starts at `time`. */
export interface CrossingEvent {
  vehicle: string;
  movement: string;
  signal?: string;
  signalGroup?: string;
  /** Start of the step in which the vehicle crossed, seconds. */
  time: number;
}

/** The vehicles on one lane, front first, with their positions (metres from the lane's start). */
export interface LaneSnapshot {
  link: string;
  lane: number;
  length: number;
  vehicles: string[];
  positions: number[];
}

/** Counts after a step, for invariants. */
export interface StepSnapshot {
  /** Simulated time at the end of the step, seconds. */
  time: number;
  /** Vehicles inserted so far. */
  inserted: number;
  /** Vehicles that left at the end of their route so far. */
  arrived: number;
  /** Vehicles on a lane now (counted from the lanes, not from events). */
  inNetwork: number;
  /** Vehicles whose departure time has come but that wait outside a full first lane. */
  waiting: number;
  /** Every lane's vehicles and positions; computed only when called. */
  lanes(): LaneSnapshot[];
}

export interface SimulationObserver {
  crossing?(event: CrossingEvent): void;
  step?(snapshot: StepSnapshot): void;
}

/** One vehicle's trip, SUMO tripinfo style. */
export interface VehicleResult {
  id: string;
  /** Scheduled departure, seconds. */
  depart: number;
  /** When it entered its first lane, seconds; undefined while it still waits outside. */
  entered?: number;
  /** When it left the end of its route, seconds; undefined while still in the network. */
  arrival?: number;
  /** arrival − entered, seconds (SUMO `duration`); undefined until it arrives. */
  travelTime?: number;
  /** Seconds lost against driving at each lane's speed limit while in the network (SUMO `timeLoss`). */
  delay: number;
  /** entered − depart, seconds: the wait outside a full first lane (up to `end` while still waiting). */
  departDelay: number;
  /** Times the speed fell below 0.1 m/s from moving. */
  stops: number;
  /** Seconds spent below 0.1 m/s (SUMO `waitingTime`, accumulated). */
  waitingTime: number;
}

export interface SimulationTotals {
  /** Vehicles with a departure in [begin, end). */
  vehicles: number;
  inserted: number;
  arrived: number;
  inNetwork: number;
  /** Vehicles that never got in. */
  waiting: number;
  /** Mean `travelTime` of arrived vehicles, seconds. */
  meanTravelTime: number;
  /** Mean `delay + departDelay` of arrived vehicles, seconds (SUMO `timeLoss + departDelay`). */
  meanDelay: number;
  /** Mean stops of arrived vehicles. */
  meanStops: number;
  /** Vehicle-seconds simulated: vehicles in the network, summed over steps, times the step. */
  vehicleSeconds: number;
}

export interface SimulationResult {
  begin: number;
  end: number;
  step: number;
  vehicles: VehicleResult[];
  totals: SimulationTotals;
}
