// The simulator's plain-data inputs and outputs: options, per-vehicle results, totals, observers.
import type { DetectorSpec, TurnType } from '../src/network/types.ts';
import type { VehicleTrip } from '../src/demand/types.ts';
import type { TimingPlan } from '../src/timing/types.ts';

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
  /**
   * Jam spacing (vehicle length + gap when stopped), metres. Default: the trips' mean length + 2.5
   * (SUMO's minGap) when every trip gives its length, else 7.5.
   */
  jamSpacing?: number;
  /** Largest acceleration, m/s². Default 2.6 (SUMO's passenger car). */
  acceleration?: number;
  /** Comfortable deceleration for stopping at a yellow or red, m/s². Default 3. */
  comfortableDeceleration?: number;
  /** Metres before the stop line in which no lane change starts. Default 20 (at most half the link). */
  laneChangeZone?: number;
  /** Hooks for tests and tools; called synchronously, must not mutate what they are given. */
  observer?: SimulationObserver;
  /** Plans by time of day; each entry's plans take over from `from` on, through a transition. */
  schedule?: ScheduleEntry[];
  /**
   * Largest change of one cycle in a plan transition, as a fraction of the new plan's cycle length,
   * in (0, 1). Default 0.2.
   */
  maxCycleAdjustment?: number;
  /**
   * Detector counts, occupancy and Indiana hi-res events, read through `createSimulation`'s
   * `detectorReadings` and `hiResEvents`; off (and free) when absent.
   */
  detection?: DetectionOptions;
  /** Samples of every vehicle's position for time-space diagrams; off when absent. */
  trajectories?: TrajectoryOptions;
  /**
   * Seconds a vehicle may stand at the front of a lane before it is teleported along its route
   * (SUMO `--time-to-teleport`). Default 300; 0 or less never teleports.
   */
  timeToTeleport?: number;
  /** Critical gap of a permissive movement by turn, seconds. Default left and U-turn 4.5, others 4. */
  criticalGap?: Partial<Record<TurnType, number>>;
  /**
   * Seconds a vehicle that has just crossed its stop line takes to clear the conflict area; a
   * permissive vehicle does not enter before. Default 2.
   */
  clearingTime?: number;
  /**
   * Seconds the driver standing first at a stop line takes to react to the start of green: the
   * perception–reaction part of the start-up lost time (the acceleration part follows from
   * `acceleration`). Default 2.5.
   */
  startReaction?: number;
  /**
   * Mean speed below the limit at which drivers cruise on a free lane, m/s: SUMO's Krauss driver
   * dawdles by up to σ·a·Δt every step (σ 0.5, a 2.6 m/s², Δt 1 s), 0.65 m/s on average, and the
   * time it loses so counts in its timeLoss. Default 0.65; at most half the limit is taken.
   */
  dawdling?: number;
  /**
   * Seconds of standing after which a yielding vehicle needs no gap at all, SUMO's
   * `--time-to-impatience`: the critical gap shrinks linearly with the time the vehicle has stood.
   * Default 180, SUMO's; 0 or less keeps the critical gap.
   */
  timeToImpatience?: number;
}

/** Settings of a stepped simulation: as `simulate`'s, but it may run without an end. */
export type SteppedSimulationOptions = Omit<SimulationOptions, 'end'> & {
  /** Simulated time after which `advance` does nothing, seconds. Default: no end. */
  end?: number;
};

/** One row of a time-of-day schedule. */
export interface ScheduleEntry {
  /** Simulated time from which the plans run, seconds. */
  from: number;
  /** Signal id → plan; signals not named keep their plan. */
  plans: Record<string, TimingPlan>;
}

export interface DetectionOptions {
  /** Detectors besides the network's own. */
  detectors?: DetectorSpec[];
  /** Seconds per reading. Default 60. */
  interval?: number;
  /** Indiana hi-res events (phases and detectors). Default true. */
  hiRes?: boolean;
}

export interface TrajectoryOptions {
  /** Links to sample; default every link. */
  links?: string[];
  /** Seconds between samples, rounded to whole steps. Default one step. */
  every?: number;
}

/** Counts and occupancy of one detector over one interval. */
export interface DetectorReading {
  detector: string;
  /** Seconds. */
  begin: number;
  /** Seconds. */
  end: number;
  /** Vehicles whose front entered the detection zone. */
  count: number;
  /** Fraction of the interval in which some vehicle body (jam spacing − 2.5 m long) covered the zone. */
  occupancy: number;
}

/**
 * Indiana hi-res event codes used here: 1 phase begin green, 4 phase gap out (actuated plans),
 * 8 begin yellow clearance, 9 end yellow clearance, 10 begin red clearance, 11 end red clearance,
 * 81 detector off, 82 detector on.
 */
export type HiResCode = 1 | 4 | 8 | 9 | 10 | 11 | 81 | 82;

/** One hi-res event at a signal. */
export interface HiResEvent {
  /** Simulated time, seconds. */
  time: number;
  signal: string;
  code: HiResCode;
  /** Signal-group index + 1 for phase events, the detector channel for detector events. */
  param: number;
}

/** Where a detector reports in hi-res events: its signal and channel (ordinal among that signal's detectors + 1). */
export interface DetectorChannel {
  detector: string;
  signal: string;
  channel: number;
}

/** One sample of a vehicle for time-space diagrams. */
export interface TrajectorySample {
  /** Seconds. */
  time: number;
  vehicle: string;
  link: string;
  lane: number;
  /** Metres from the start of the link. */
  position: number;
  /** Metres per second. */
  speed: number;
}

/** The running state of one signal's plan. */
export interface PlanStatus {
  /** The plan the current cycle belongs to. */
  active: TimingPlan;
  /** A plan set but not yet started: it starts at the end of the current cycle. */
  pending?: TimingPlan;
  /** Cycles, the current one included, still lengthened or shortened to reach the offset. */
  transitionCycles: number;
}

/** A vehicle passing a stop line from one link into the next, during the step that starts at `time`. */
export interface CrossingEvent {
  vehicle: string;
  movement: string;
  /** The link and lane index the vehicle left. */
  from: string;
  lane: number;
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
  /** Vehicles past their stop line waiting in the junction for a gap (permissive movements). */
  inJunction: number;
  /** Vehicles teleported off their lane and not yet put back on one. */
  teleporting: number;
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
  /** Times it was teleported; absent when never. */
  teleports?: number;
}

/** What happened on one movement over the run. */
export interface MovementResult {
  id: string;
  signal?: string;
  signalGroup?: string;
  /** Vehicles that crossed its stop line. */
  throughput: number;
  /** Seconds lost on the approach link, per vehicle that crossed. */
  meanDelay: number;
  /** Stops on the approach link by the vehicles that crossed. */
  stops: number;
  meanStops: number;
  /** Vehicles halting (below 0.1 m/s) on the approach bound for this movement: time mean and most. */
  meanQueue: number;
  maxQueue: number;
}

/** What happened at one signal over the run: its movements together. */
export interface SignalResult {
  id: string;
  throughput: number;
  meanDelay: number;
  stops: number;
  meanStops: number;
  /** Vehicles halting on its approaches: time mean and most. */
  meanQueue: number;
  maxQueue: number;
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
  /** Vehicle-seconds simulated: vehicles on a lane or in a junction, summed over steps, times the step. */
  vehicleSeconds: number;
  /** Vehicles teleported off a lane where they stood too long (a vehicle may count more than once). */
  teleports: number;
}

export interface SimulationResult {
  begin: number;
  end: number;
  step: number;
  vehicles: VehicleResult[];
  totals: SimulationTotals;
  movements: MovementResult[];
  signals: SignalResult[];
  /** Present when `trajectories` was asked for. */
  trajectories?: TrajectorySample[];
}

/** A simulation run step by step: the live loop and the virtual field drive it. */
export interface Simulation {
  /** Simulated time reached, seconds. */
  readonly time: number;
  /** Runs whole steps up to `until` (never past the end); returns the simulation, for chaining. */
  advance(until: number): Simulation;
  /** A new plan for one signal: it starts at the end of the current cycle, through a transition. */
  setPlan(signal: string, plan: TimingPlan): void;
  /** The plan the signal's current cycle belongs to. */
  activePlan(signal: string): TimingPlan;
  planStatus(signal: string): PlanStatus;
  /** More demand: trips departing before now enter as soon as there is room. */
  addTrips(trips: readonly VehicleTrip[]): void;
  /** Readings of the intervals completed since the last call, in time order. */
  detectorReadings(): DetectorReading[];
  /** Hi-res events since the last call, in time order. */
  hiResEvents(): HiResEvent[];
  /** Every detector that reports hi-res events, with its signal and channel. */
  detectorChannels(): DetectorChannel[];
  /** The results so far (the same as `simulate`'s once the end is reached). */
  result(): SimulationResult;
}
