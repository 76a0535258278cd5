// The TRANSYT-style offset model compiled to typed arrays: stop-line lanes, signal exits, link arrivals.
import { DEFAULT_JAM_SPACING, DEFAULT_LOST_TIME } from '../analysis/timing-model.ts';
import {
  disperseInto,
  dispersion,
  queueInto,
  redStart,
  type Dispersion,
  type FlowProfile,
} from '../analysis/cyclic-flow-profiles.ts';
import { incrementalDelay } from '../analysis/delay.ts';
import { freeFlowTime } from '../network/routing.ts';
import type { RoadNetwork } from '../network/types.ts';
import { linkArrivals, type ArrivalContext, type ArrivalTerm } from './network-offsets-arrivals.ts';
import {
  checkFlows,
  checkOptions,
  commonCycleLength,
  wrapSteps,
  type NetworkOffsetsInput,
  type OffsetModelOptions,
} from './network-offsets-input.ts';
import { laneStreams, type LaneStream } from './network-offsets-lanes.ts';

/** A signal's exit link, whose departures feed the arrivals of coordinated links downstream. */
export interface ExitSource {
  signal: number;
  link: string;
  /** Lanes whose departures take the link, and the share of each lane's departures that do. */
  lanes: Int32Array;
  shares: Float64Array;
  /** veh/s of movements into the link that no lane models (uncontrolled turns, unserved lanes). */
  uniform: number;
  /** Approaches whose arrivals this source feeds. */
  approaches: Int32Array;
}

/** A coordinated approach: a link into a signal whose arrivals come, at least in part, from signals. */
export interface CoordinatedApproach {
  link: string;
  signal: number;
  lanes: Int32Array;
  /** veh/s arriving uniformly. */
  uniform: number;
  terms: ArrivalTerm[];
  /**
   * Each term at the first sweep, when its source's lanes see uniform arrivals: weight × the
   * dispersed departures, on the source signal's own clock (dispersion and a shift commute).
   */
  firstSweep: { signal: number; profile: FlowProfile }[];
}

/** The compiled model: typed arrays and indices, built once per optimization. */
export interface OffsetModel {
  cycleLength: number;
  /** Steps per cycle. */
  steps: number;
  /** Seconds per step. */
  step: number;
  sweeps: number;
  stopWeight: number;
  /** Signal ids, sorted; every other array refers to signals by index here. */
  signals: string[];
  /** Lanes at each signal. */
  signalLanes: Int32Array[];
  /** Offsets of the input plans, in steps. */
  initialOffsets: Int32Array;
  lanes: LaneStream[];
  laneSignal: Int32Array;
  /** Coordinated approach of each lane, or −1 when its arrivals are uniform. */
  laneApproach: Int32Array;
  /** Multiplier from the approach's IN profile to the lane's arrivals (capped at capacity). */
  laneArrivalScale: Float64Array;
  /** Where each lane's GO profile drops to 0, on its signal's own clock: the queue starts there. */
  laneRedStart: Int32Array;
  /** Departures under uniform arrivals, on the signal's own clock (veh/s). */
  laneUniformDepartures: FlowProfile[];
  /** [delay veh·s, stops] per cycle under uniform arrivals: offset-free. */
  laneUniformQueue: Float64Array;
  /** Random-and-oversaturation delay, veh·h/h (HCM d2 × flow): offset-free. */
  laneRandomDelay: Float64Array;
  /** Sources each lane's departures feed. */
  laneSources: Int32Array[];
  sources: ExitSource[];
  approaches: CoordinatedApproach[];
}

/**
 * Compiles the offset model of a coordination group: the lanes of each signal with their GO
 * profiles, every exit link of a signal as a source of departures, and for each link into a
 * signal that any source reaches, its arrivals as dispersed sources plus uniform flow.
 *
 * @throws {NetworkOffsetsError} on no plans, a plan for a signal the network lacks, plans with
 * different cycle lengths, a negative or non-finite flow, or an option out of range.
 * @example
 * offsetModel(gridInput({ rows: 10, columns: 10 })).approaches.length // => 360, the links between signals
 */
export function offsetModel(
  input: NetworkOffsetsInput,
  options: OffsetModelOptions = {},
): OffsetModel {
  const {
    stopWeight = 20,
    alpha = 0.35,
    beta = 0.8,
    profileStep = 1,
    sweeps = 2,
    throughUnsignalized = 3,
    lostTime = DEFAULT_LOST_TIME,
    startLag = 2,
    jamSpacing = DEFAULT_JAM_SPACING,
    delay = {},
  } = options;
  checkOptions({
    stopWeight,
    alpha,
    beta,
    profileStep,
    sweeps,
    throughUnsignalized,
    lostTime,
    startLag,
    jamSpacing,
  });
  const { network, plans, movementFlows } = input;
  const signals = Object.keys(plans).sort();
  const cycleLength = commonCycleLength(network, plans, signals);
  checkFlows(network, movementFlows);
  const steps = Math.max(1, Math.round(cycleLength / profileStep));
  const step = cycleLength / steps;

  const laneOptions = { steps, lostTime, startLag, jamSpacing };
  const { lanes, signalLanes } = stopLineLanes(input, signals, laneOptions);
  const signalIndex = new Map(signals.map((id, index) => [id, index]));
  const laneSignal = Int32Array.from(lanes, (lane) => signalIndex.get(lane.signal)!);
  const context = arrivalContext(input, { alpha, beta, step, throughUnsignalized });
  const sources = exitSources(network, signals, signalLanes, lanes, context);
  const uniform = uniformArrivalQueues(lanes, steps, step);
  const coordinated = coordinatedApproaches(
    lanes,
    laneSignal,
    sources,
    context,
    uniform.departures,
  );
  return {
    cycleLength,
    steps,
    step,
    sweeps,
    stopWeight,
    signals,
    signalLanes: signalLanes.map((members) => Int32Array.from(members)),
    initialOffsets: Int32Array.from(signals, (id) => wrapSteps(plans[id]!.offset / step, steps)),
    lanes,
    laneSignal,
    ...coordinated,
    laneRedStart: Int32Array.from(lanes, (lane) => redStart(lane.go)),
    laneUniformDepartures: uniform.departures,
    laneUniformQueue: uniform.queue,
    laneRandomDelay: Float64Array.from(
      lanes,
      (lane) =>
        (incrementalDelay(lane.flow / lane.capacity, lane.capacity, delay) * lane.flow) / 3600,
    ),
    laneSources: laneSourcesOf(sources, lanes.length),
    sources,
  };
}

/** The lanes with traffic and some green at each signal, numbered across signals. */
function stopLineLanes(
  { network, plans, movementFlows }: NetworkOffsetsInput,
  signals: readonly string[],
  options: Parameters<typeof laneStreams>[4],
): { lanes: LaneStream[]; signalLanes: number[][] } {
  const lanes: LaneStream[] = [];
  const signalLanes = signals.map((id) => {
    const signal = network.getAttribute('signals')[id]!;
    const streams = laneStreams(network, signal, plans[id]!, movementFlows, options).filter(
      (lane) => lane.flow > 0 && lane.capacity > 0,
    );
    lanes.push(...streams);
    return streams.map((_, index) => lanes.length - streams.length + index);
  });
  return { lanes, signalLanes };
}

/** What `linkArrivals` needs, sources aside: demand by link and movement, and dispersion by link. */
function arrivalContext(
  { network, movementFlows }: NetworkOffsetsInput,
  {
    alpha,
    beta,
    step,
    throughUnsignalized,
  }: { alpha: number; beta: number; step: number; throughUnsignalized: number },
): Omit<ArrivalContext, 'sourceOf' | 'sourceFlow'> {
  const movements = Object.values(network.getAttribute('movements'));
  const into = groupBy(movements, (movement) => movement.to);
  const outOf = groupBy(movements, (movement) => movement.from);
  const movementFlow = (movement: string) => movementFlows[movement] ?? 0;
  const dispersions = new Map<string, Dispersion>();
  return {
    network,
    linkDemand: (link) =>
      (outOf.get(link) ?? []).reduce((sum, movement) => sum + movementFlow(movement.id), 0),
    movementsInto: (link) => into.get(link) ?? [],
    movementFlow,
    dispersionOf: (link) => {
      let found = dispersions.get(link);
      if (!found) {
        found = dispersion(freeFlowTime(network, link), { alpha, beta, step });
        dispersions.set(link, found);
      }
      return found;
    },
    maxDepth: throughUnsignalized,
  };
}

/** Each lane's departures and [delay, stops] per cycle under uniform arrivals, on its own clock. */
function uniformArrivalQueues(lanes: readonly LaneStream[], steps: number, step: number) {
  const departures: FlowProfile[] = [];
  const queue = new Float64Array(lanes.length * 2);
  const result = new Float64Array(2);
  lanes.forEach((lane, index) => {
    const arrivals = new Float64Array(steps).fill(lane.flow / 3600);
    const leaving = new Float64Array(steps);
    const scale = Math.min(1, lane.capacity / lane.flow);
    queueInto(arrivals, scale, lane.go, 0, step, leaving, result, redStart(lane.go));
    departures.push(leaving);
    queue.set(result, index * 2);
  });
  return { departures, queue };
}

/**
 * The approaches some source reaches, with their arrival terms; each lane's approach (−1: uniform
 * arrivals) and its share of the approach's arrivals. Fills in each source's approaches.
 */
function coordinatedApproaches(
  lanes: readonly LaneStream[],
  laneSignal: Int32Array,
  sources: ExitSource[],
  context: Omit<ArrivalContext, 'sourceOf' | 'sourceFlow'>,
  uniformDepartures: readonly FlowProfile[],
): Pick<OffsetModel, 'approaches' | 'laneApproach' | 'laneArrivalScale'> {
  const sourceOf = new Map(sources.map((source, index) => [source.link, index]));
  const sourceFlow = sources.map(
    (source) =>
      source.uniform * 3600 +
      [...source.lanes].reduce((sum, lane, index) => {
        const { flow, capacity } = lanes[lane]!;
        return sum + source.shares[index]! * Math.min(flow, capacity);
      }, 0),
  );
  const full: ArrivalContext = {
    ...context,
    sourceOf,
    sourceFlow: (source) => sourceFlow[source]!,
  };
  const steps = uniformDepartures[0]?.length ?? 0;
  const approaches: CoordinatedApproach[] = [];
  const laneApproach = new Int32Array(lanes.length).fill(-1);
  const laneArrivalScale = new Float64Array(lanes.length);
  for (const [link, members] of groupBy(lanes.keys(), (lane) => lanes[lane]!.link)) {
    const demand = context.linkDemand(link);
    for (const lane of members) {
      const { flow, capacity } = lanes[lane]!;
      laneArrivalScale[lane] = (flow / demand) * Math.min(1, capacity / flow);
    }
    const arrivals = linkArrivals(link, full);
    if (arrivals.terms.length === 0) continue;
    for (const lane of members) laneApproach[lane] = approaches.length;
    approaches.push({
      link,
      signal: laneSignal[members[0]!]!,
      lanes: Int32Array.from(members),
      uniform: arrivals.uniform / 3600,
      terms: arrivals.terms,
      firstSweep: arrivals.terms.map((term) => ({
        signal: sources[term.source]!.signal,
        profile: firstSweepTerm(term, sources[term.source]!, uniformDepartures, steps),
      })),
    });
  }
  const fedBy = sources.map(() => new Set<number>());
  approaches.forEach((approach, index) => {
    for (const term of approach.terms) fedBy[term.source]!.add(index);
  });
  sources.forEach((source, index) => {
    source.approaches = Int32Array.from([...fedBy[index]!].sort((a, b) => a - b));
  });
  return { approaches, laneApproach, laneArrivalScale };
}

/** For each lane, the sources its departures feed that reach some approach. */
function laneSourcesOf(sources: readonly ExitSource[], laneCount: number): Int32Array[] {
  const lists = Array.from({ length: laneCount }, () => [] as number[]);
  sources.forEach((source, index) => {
    if (source.approaches.length === 0) return;
    for (const lane of source.lanes) lists[lane]!.push(index);
  });
  return lists.map((list) => Int32Array.from(list));
}

/** A term's arrivals when its source's lanes see uniform arrivals, on the source's own clock. */
function firstSweepTerm(
  term: ArrivalTerm,
  source: ExitSource,
  uniformDepartures: readonly FlowProfile[],
  steps: number,
): FlowProfile {
  let profile = new Float64Array(steps).fill(source.uniform);
  source.lanes.forEach((lane, index) => {
    const departures = uniformDepartures[lane]!;
    const share = source.shares[index]!;
    for (let i = 0; i < steps; i++) profile[i]! += share * departures[i]!;
  });
  for (const link of term.chain) {
    const dispersed = new Float64Array(steps);
    disperseInto(profile, link, dispersed);
    profile = dispersed;
  }
  return profile.map((flow) => flow * term.weight);
}

/** Every link leaving an intersection of a coordinated signal, with the lanes that feed it. */
function exitSources(
  network: RoadNetwork,
  signals: readonly string[],
  signalLanes: readonly number[][],
  lanes: readonly LaneStream[],
  context: Pick<ArrivalContext, 'movementsInto' | 'movementFlow'>,
): ExitSource[] {
  const sources: ExitSource[] = [];
  signals.forEach((id, signal) => {
    const intersections = network.getAttribute('signals')[id]!.intersections;
    for (const intersection of intersections) {
      for (const link of network.outEdges(intersection)) {
        const feeding = signalLanes[signal]!.filter((lane) => lanes[lane]!.exits.has(link));
        const shares = feeding.map((lane) => lanes[lane]!.exits.get(link)!);
        const modelled = feeding.reduce(
          (sum, lane, index) => sum + lanes[lane]!.flow * shares[index]!,
          0,
        );
        const total = context
          .movementsInto(link)
          .reduce((sum, movement) => sum + context.movementFlow(movement.id), 0);
        sources.push({
          signal,
          link,
          lanes: Int32Array.from(feeding),
          shares: Float64Array.from(shares),
          uniform: Math.max(0, total - modelled) / 3600,
          approaches: new Int32Array(0),
        });
      }
    }
  });
  return sources;
}

function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const value = key(item);
    const group = groups.get(value);
    if (group) group.push(item);
    else groups.set(value, [item]);
  }
  return groups;
}
