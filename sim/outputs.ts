// From the run's counters to its results: per vehicle, per movement, per signal, and totals.
import type { VehicleTrip } from '../src/demand/types.ts';
import type { CompiledNetwork } from './compile.ts';
import type {
  MovementResult,
  SignalResult,
  SimulationResult,
  SimulationTotals,
  TrajectorySample,
  VehicleResult,
} from './types.ts';

/** A vehicle's state: not yet in, on a lane, gone, between lanes after a teleport, waiting in a junction. */
export const PENDING = 0;
export const IN_NETWORK = 1;
export const ARRIVED = 2;
export const TELEPORTING = 3;
export const IN_JUNCTION = 4;

/** What the hot loop counts per vehicle. */
export interface VehicleCounters {
  status: Uint8Array;
  entered: Float64Array;
  arrival: Float64Array;
  stops: Int32Array;
  waitingTime: Float64Array;
  timeLoss: Float64Array;
  teleports: Int32Array;
}

/** What the hot loop counts per movement and per signal. */
export interface MovementCounters {
  throughput: Int32Array;
  /** Seconds lost on the approach, summed over the vehicles that crossed. */
  delay: Float64Array;
  stops: Int32Array;
  /** Halting vehicles bound for the movement, summed over steps. */
  queueSum: Float64Array;
  queueMax: Int32Array;
  signalQueueSum: Float64Array;
  signalQueueMax: Int32Array;
  /** Steps over which the queues were summed. */
  samples: number;
}

/**
 * Fresh counters for `net`, all zero.
 *
 * @example
 * movementCounters(net).throughput // => Int32Array(movements) [0, 0, …]
 */
export function movementCounters(net: CompiledNetwork): MovementCounters {
  const movements = net.movementIds.length;
  return {
    throughput: new Int32Array(movements),
    delay: new Float64Array(movements),
    stops: new Int32Array(movements),
    queueSum: new Float64Array(movements),
    queueMax: new Int32Array(movements),
    signalQueueSum: new Float64Array(net.signals.length),
    signalQueueMax: new Int32Array(net.signals.length),
    samples: 0,
  };
}

export interface RunSummary {
  begin: number;
  end: number;
  step: number;
  /** Simulated time reached: the wait of vehicles still outside counts up to it. */
  now: number;
  /** Whether the run reached its end: then every trip counts, else only those due by `now`. */
  finished: boolean;
  inserted: number;
  arrived: number;
  vehicleSeconds: number;
  teleports: number;
  trajectories?: TrajectorySample[];
}

/**
 * The run's results. Means are over arrived vehicles (0 when none arrived, and `arrived` says so);
 * a movement's delay and stops are those on its approach link, over the vehicles that crossed.
 *
 * @example
 * summarize(trips, net, vehicles, movements, summary).totals.meanDelay // => seconds
 */
export function summarize(
  trips: readonly VehicleTrip[],
  net: CompiledNetwork,
  state: VehicleCounters,
  counters: MovementCounters,
  summary: RunSummary,
): SimulationResult {
  let travelTimeSum = 0;
  let delaySum = 0;
  let stopsSum = 0;
  const results: VehicleResult[] = [];
  trips.forEach((trip, vehicle) => {
    const status = state.status[vehicle]!;
    if (!summary.finished && status === PENDING && trip.depart > summary.now) return;
    const hasEntered = status !== PENDING;
    const entered = state.entered[vehicle]!;
    const departDelay = (hasEntered ? entered : summary.end) - trip.depart;
    const result: VehicleResult = {
      id: trip.id,
      depart: trip.depart,
      delay: state.timeLoss[vehicle]!,
      departDelay,
      stops: state.stops[vehicle]!,
      waitingTime: state.waitingTime[vehicle]!,
    };
    if (hasEntered) result.entered = entered;
    if (status === ARRIVED) {
      result.arrival = state.arrival[vehicle]!;
      result.travelTime = result.arrival - entered;
      travelTimeSum += result.travelTime;
      delaySum += result.delay + departDelay;
      stopsSum += result.stops;
    }
    if (state.teleports[vehicle]! > 0) result.teleports = state.teleports[vehicle]!;
    results.push(result);
  });
  const { arrived, inserted } = summary;
  const mean = (sum: number) => (arrived > 0 ? sum / arrived : 0);
  const totals: SimulationTotals = {
    vehicles: results.length,
    inserted,
    arrived,
    inNetwork: inserted - arrived,
    waiting: results.length - inserted,
    meanTravelTime: mean(travelTimeSum),
    meanDelay: mean(delaySum),
    meanStops: mean(stopsSum),
    vehicleSeconds: summary.vehicleSeconds,
    teleports: summary.teleports,
  };
  const result: SimulationResult = {
    begin: summary.begin,
    end: summary.end,
    step: summary.step,
    vehicles: results,
    totals,
    movements: movementResults(net, counters),
    signals: signalResults(net, counters),
  };
  if (summary.trajectories) result.trajectories = summary.trajectories;
  return result;
}

function movementResults(net: CompiledNetwork, counters: MovementCounters): MovementResult[] {
  const samples = Math.max(1, counters.samples);
  return net.movementIds.map((id, movement) => {
    const throughput = counters.throughput[movement]!;
    const stops = counters.stops[movement]!;
    const result: MovementResult = {
      id,
      throughput,
      meanDelay: throughput > 0 ? counters.delay[movement]! / throughput : 0,
      stops,
      meanStops: throughput > 0 ? stops / throughput : 0,
      meanQueue: counters.queueSum[movement]! / samples,
      maxQueue: counters.queueMax[movement]!,
    };
    const signal = net.movementSignal[movement];
    const signalGroup = net.movementSignalGroup[movement];
    if (signal !== undefined) result.signal = signal;
    if (signalGroup !== undefined) result.signalGroup = signalGroup;
    return result;
  });
}

function signalResults(net: CompiledNetwork, counters: MovementCounters): SignalResult[] {
  const samples = Math.max(1, counters.samples);
  return net.signals.flatMap((signal, index): SignalResult[] => {
    if (signal.movements.length === 0) return [];
    let throughput = 0;
    let delay = 0;
    let stops = 0;
    for (const movement of signal.movements) {
      throughput += counters.throughput[movement]!;
      delay += counters.delay[movement]!;
      stops += counters.stops[movement]!;
    }
    return [
      {
        id: signal.id,
        throughput,
        meanDelay: throughput > 0 ? delay / throughput : 0,
        stops,
        meanStops: throughput > 0 ? stops / throughput : 0,
        meanQueue: counters.signalQueueSum[index]! / samples,
        maxQueue: counters.signalQueueMax[index]!,
      },
    ];
  });
}
