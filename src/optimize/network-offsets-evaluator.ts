// The performance index of a set of offsets, and its exact incremental update when one offset moves.
import { SPILLBACK_PENALTY } from '../analysis/evaluate-timing.ts';
import {
  disperseInto,
  queueInto,
  rotateInto,
  type FlowProfile,
} from '../analysis/cyclic-flow-profiles.ts';
import { NetworkOffsetsError, wrapSteps } from './network-offsets-input.ts';
import type { OffsetModel } from './network-offsets-model.ts';

/**
 * Evaluates offsets on a compiled model. Profiles are kept per sweep: OUT at sweep 0 is each
 * lane's departures under uniform arrivals (offset-free on the signal's own clock, so IN at sweep
 * 1 is a sum of precomputed dispersed profiles, each shifted by its source signal's offset); IN at
 * sweep k ≥ 2 is built from the OUT of sweep k − 1 upstream, dispersed; OUT at sweep k from IN at
 * sweep k through the stop-line queue; delay and stops from IN at the last sweep. Moving signal
 * S's offset recomputes, sweep by sweep: the IN of every approach fed by a lane whose OUT changed
 * (at sweep 1: S's lanes), then OUT of S's lanes and of the lanes on approaches whose IN changed;
 * finally delay and stops of S's lanes and of the lanes whose last IN changed. Nothing else can
 * change, so the result is exactly a full evaluation's (up to floating-point summation order).
 */
export interface OffsetEvaluator {
  /**
   * Performance index of the current offsets, a pending trial included, veh·h/h: delay in
   * veh·h/h plus K (seconds per stop) times stops per second.
   */
  performanceIndex(): number;
  /** Current offset of a signal, in steps. */
  offset(signal: number): number;
  /**
   * Moves one signal's offset (steps) as a trial and returns the change in the performance index
   * (negative: better), summed over the lanes recomputed only, so it depends on nothing else.
   */
  tryOffset(signal: number, offset: number): number;
  /** Keeps the pending trial. */
  accept(): void;
  /** Undoes the pending trial. */
  reject(): void;
  /** Sets every offset (steps) and evaluates from scratch; returns the performance index. */
  setOffsets(offsets: ArrayLike<number>): number;
  /** Per lane: uniform delay (veh·h/h) and stops (per second) at the current offsets. */
  laneMeasures(): { delay: Float64Array; stops: Float64Array };
}

/**
 * An evaluator over `model`, starting at `offsets` (steps per signal; default the plans' own).
 *
 * @example
 * const evaluator = offsetEvaluator(offsetModel(input));
 * if (evaluator.tryOffset(0, 30) < 0) evaluator.accept(); else evaluator.reject();
 */
export function offsetEvaluator(
  model: OffsetModel,
  offsets: ArrayLike<number> = model.initialOffsets,
): OffsetEvaluator {
  const { steps, sweeps, lanes, approaches, sources } = model;
  const laneCount = lanes.length;
  const current = new Int32Array(model.signals.length);
  const out = Array.from({ length: sweeps }, (_, sweep) =>
    sweep === 0 ? [] : views(laneCount, steps),
  );
  const arriving = Array.from({ length: sweeps + 1 }, (_, sweep) =>
    sweep === 0 ? [] : views(approaches.length, steps),
  );
  const laneDelay = new Float64Array(laneCount);
  const laneStops = new Float64Array(laneCount);
  const laneCost = new Float64Array(laneCount);
  let total = 0;

  const scratch = [new Float64Array(steps), new Float64Array(steps)] as const;
  const queue = new Float64Array(3);
  const journal = undoJournal(steps);
  const laneMark = new Int32Array(laneCount);
  const approachMark = new Int32Array(approaches.length);
  const sourceMark = new Int32Array(sources.length);
  let epoch = 0;
  const laneLists = [new Int32Array(laneCount), new Int32Array(laneCount)];
  const approachList = new Int32Array(approaches.length);
  let pending = -1;
  let pendingOffset = 0;
  let pendingTotal = 0;

  const computeOut = (sweep: number, lane: number) => {
    const offset = current[model.laneSignal[lane]!]!;
    const target = out[sweep]![lane]!;
    const approach = model.laneApproach[lane]!;
    if (approach < 0) {
      rotateInto(model.laneUniformDepartures[lane]!, offset, target);
      return;
    }
    const inflow = arriving[sweep]![approach]!;
    const from = model.laneRedStart[lane]! + offset;
    const scale = model.laneArrivalScale[lane]!;
    queueInto(inflow, scale, lanes[lane]!.go, offset, model.step, target, queue, from);
  };

  const computeIn = (sweep: number, approach: number) => {
    const { uniform, terms, firstSweep } = approaches[approach]!;
    const target = arriving[sweep]![approach]!;
    target.fill(uniform);
    if (sweep === 1) {
      for (const term of firstSweep) addShifted(term.profile, current[term.signal]!, target);
      return;
    }
    const departures = out[sweep - 1]!;
    for (const term of terms) {
      const source = sources[term.source]!;
      let profile = scratch[0];
      let spare = scratch[1];
      profile.fill(source.uniform);
      for (let index = 0; index < source.lanes.length; index++) {
        const share = source.shares[index]!;
        const lane = departures[source.lanes[index]!]!;
        for (let i = 0; i < steps; i++) profile[i]! += share * lane[i]!;
      }
      for (const link of term.chain) {
        disperseInto(profile, link, spare);
        const dispersed = spare;
        spare = profile;
        profile = dispersed;
      }
      const weight = term.weight;
      for (let i = 0; i < steps; i++) target[i]! += weight * profile[i]!;
    }
  };

  /** Recomputes a lane's delay and stops; returns the change in its cost. */
  const computeCost = (lane: number): number => {
    const approach = model.laneApproach[lane]!;
    if (approach < 0) {
      queue[0] = model.laneUniformQueue[lane * 2]!;
      queue[1] = model.laneUniformQueue[lane * 2 + 1]!;
    } else {
      const offset = current[model.laneSignal[lane]!]!;
      const inflow = arriving[sweeps]![approach]!;
      const from = model.laneRedStart[lane]! + offset;
      const scale = model.laneArrivalScale[lane]!;
      queueInto(inflow, scale, lanes[lane]!.go, offset, model.step, undefined, queue, from);
    }
    laneDelay[lane] = queue[0]! / model.cycleLength;
    laneStops[lane] = queue[1]! / model.cycleLength;
    // A queue longer than the lane spills back into the junction upstream, which the isolated
    // queue cannot see: charged as the timing model charges it, one veh·h/h per vehicle over.
    const spillback = approach < 0 ? 0 : Math.max(0, queue[2]! - lanes[lane]!.storage);
    const cost =
      laneDelay[lane]! +
      model.laneRandomDelay[lane]! +
      model.stopWeight * laneStops[lane]! +
      (SPILLBACK_PENALTY * spillback) / 3600;
    const change = cost - laneCost[lane]!;
    laneCost[lane] = cost;
    return change;
  };

  const evaluateAll = (): number => {
    for (let sweep = 1; sweep < sweeps; sweep++) {
      for (let a = 0; a < approaches.length; a++) computeIn(sweep, a);
      for (let lane = 0; lane < laneCount; lane++) computeOut(sweep, lane);
    }
    for (let a = 0; a < approaches.length; a++) computeIn(sweeps, a);
    for (let lane = 0; lane < laneCount; lane++) computeCost(lane);
    total = 0;
    for (let lane = 0; lane < laneCount; lane++) total += laneCost[lane]!;
    return total;
  };

  /** Lanes of `signal` and of the listed approaches, into `list`; returns the count. */
  const collectLanes = (signal: number, approachCount: number, list: Int32Array): number => {
    epoch++;
    let count = 0;
    for (const lane of model.signalLanes[signal]!) {
      laneMark[lane] = epoch;
      list[count++] = lane;
    }
    for (let index = 0; index < approachCount; index++) {
      for (const lane of approaches[approachList[index]!]!.lanes) {
        if (laneMark[lane] === epoch) continue;
        laneMark[lane] = epoch;
        list[count++] = lane;
      }
    }
    return count;
  };

  /** Approaches fed by the sources of the listed lanes, into `approachList`; returns the count. */
  const collectApproaches = (list: Int32Array, laneTotal: number): number => {
    epoch++;
    let count = 0;
    for (let index = 0; index < laneTotal; index++) {
      for (const source of model.laneSources[list[index]!]!) {
        if (sourceMark[source] === epoch) continue;
        sourceMark[source] = epoch;
        for (const approach of sources[source]!.approaches) {
          if (approachMark[approach] === epoch) continue;
          approachMark[approach] = epoch;
          approachList[count++] = approach;
        }
      }
    }
    return count;
  };

  const settle = () => {
    if (pending >= 0) {
      throw new NetworkOffsetsError(
        'TRIAL_PENDING',
        'offsetEvaluator: a trial is pending; accept() or reject() it first',
      );
    }
  };

  const evaluator: OffsetEvaluator = {
    performanceIndex: () => total,
    offset: (signal) => current[signal]!,
    tryOffset(signal, offset) {
      settle();
      pending = signal;
      pendingOffset = current[signal]!;
      pendingTotal = total;
      current[signal] = wrapSteps(offset, steps);
      let laneTotal = collectLanes(signal, 0, laneLists[0]!);
      let list = laneLists[0]!;
      for (let sweep = 1; sweep <= sweeps; sweep++) {
        const approachCount = collectApproaches(list, laneTotal);
        for (let index = 0; index < approachCount; index++) {
          const approach = approachList[index]!;
          journal.save(arriving[sweep]![approach]!);
          computeIn(sweep, approach);
        }
        list = laneLists[sweep % 2]!;
        laneTotal = collectLanes(signal, approachCount, list);
        if (sweep === sweeps) break;
        for (let index = 0; index < laneTotal; index++) {
          const lane = list[index]!;
          journal.save(out[sweep]![lane]!);
          computeOut(sweep, lane);
        }
      }
      let change = 0;
      for (let index = 0; index < laneTotal; index++) {
        const lane = list[index]!;
        journal.saveCost(lane, laneDelay[lane]!, laneStops[lane]!, laneCost[lane]!);
        change += computeCost(lane);
      }
      total += change;
      return change;
    },
    accept() {
      pending = -1;
      journal.clear();
    },
    reject() {
      if (pending < 0) return;
      current[pending] = pendingOffset;
      journal.restore((lane, delay, stops, cost) => {
        laneDelay[lane] = delay;
        laneStops[lane] = stops;
        laneCost[lane] = cost;
      });
      total = pendingTotal;
      pending = -1;
    },
    setOffsets(next) {
      settle();
      for (let signal = 0; signal < current.length; signal++) {
        current[signal] = wrapSteps(next[signal] ?? 0, steps);
      }
      return evaluateAll();
    },
    laneMeasures: () => ({ delay: laneDelay.slice(), stops: laneStops.slice() }),
  };
  evaluator.setOffsets(offsets);
  return evaluator;
}

/** Adds `profile` read `shift` steps late into `target`. */
function addShifted(profile: FlowProfile, shift: number, target: FlowProfile): void {
  const steps = profile.length;
  let from = ((-shift % steps) + steps) % steps;
  for (let index = 0; index < steps; index++) {
    target[index]! += profile[from]!;
    if (++from === steps) from = 0;
  }
}

/** `count` profiles of `steps` steps, views on one buffer. */
function views(count: number, steps: number): FlowProfile[] {
  const buffer = new Float64Array(count * steps);
  return Array.from({ length: count }, (_, index) =>
    buffer.subarray(index * steps, (index + 1) * steps),
  );
}

/** Copies of what a trial overwrites, to put back on `reject`. */
function undoJournal(steps: number) {
  let data = new Float64Array(steps * 64);
  const targets: FlowProfile[] = [];
  const costs: number[] = [];
  const clear = () => {
    targets.length = 0;
    costs.length = 0;
  };
  return {
    save(profile: FlowProfile) {
      const at = targets.length * steps;
      if (at + steps > data.length) {
        const grown = new Float64Array(data.length * 2);
        grown.set(data);
        data = grown;
      }
      data.set(profile, at);
      targets.push(profile);
    },
    saveCost(lane: number, delay: number, stops: number, cost: number) {
      costs.push(lane, delay, stops, cost);
    },
    restore(cost: (lane: number, delay: number, stops: number, value: number) => void) {
      targets.forEach((profile, index) =>
        profile.set(data.subarray(index * steps, (index + 1) * steps)),
      );
      for (let index = 0; index < costs.length; index += 4) {
        cost(costs[index]!, costs[index + 1]!, costs[index + 2]!, costs[index + 3]!);
      }
      clear();
    },
    clear,
  };
}
