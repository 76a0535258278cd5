// TRANSYT's hill climb over offsets, re-trying a signal only when an offset it interacts with has moved.
import type { OffsetEvaluator } from './network-offsets-evaluator.ts';
import type { OffsetModel } from './network-offsets-model.ts';

export interface ClimbOptions {
  /** Offset step sizes in profile steps, largest first. */
  stepSizes: readonly number[];
  /** Passes over the signals per step size, at most. */
  maxPasses: number;
  /** A move is kept when it lowers the performance index by more than this (veh·h/h). */
  tolerance: number;
  /** For each signal, the signals whose trials its moves can change (`retrySets`). */
  retry: readonly Int32Array[];
  /** Hears the step size (profile steps) and the evaluations of this climb so far after each pass. */
  onPass?: (stepSize: number, evaluations: number) => void;
}

/**
 * TRANSYT's hill climb: for each step size, passes over the signals in order, each offset moved up
 * by the step while that pays, else down while that pays, until a pass moves nothing. A signal
 * whose last trial at this step size failed both ways is skipped until a signal its trials depend
 * on moves: its trial would fail again, so the climb is the same, with fewer evaluations. Returns
 * the evaluations made.
 *
 * @example
 * hillClimb(evaluator, { stepSizes: [23, 11, 6, 3, 1], maxPasses: 20, tolerance: 1e-6, retry })
 * // => 5405 evaluations on the 10×10 grid fixture
 */
export function hillClimb(
  evaluator: OffsetEvaluator,
  { stepSizes, maxPasses, tolerance, retry, onPass }: ClimbOptions,
): number {
  const signalCount = retry.length;
  const due = new Uint8Array(signalCount);
  let evaluations = 0;
  for (const stepSize of stepSizes) {
    due.fill(1);
    for (let pass = 0; pass < maxPasses; pass++) {
      let moved = false;
      for (let signal = 0; signal < signalCount; signal++) {
        if (!due[signal]) continue;
        due[signal] = 0;
        for (const direction of DIRECTIONS) {
          let steps = 0;
          for (;;) {
            const change = evaluator.tryOffset(
              signal,
              evaluator.offset(signal) + direction * stepSize,
            );
            evaluations++;
            if (change < -tolerance) {
              evaluator.accept();
              steps++;
            } else {
              evaluator.reject();
              break;
            }
          }
          if (steps > 0) {
            moved = true;
            for (const other of retry[signal]!) due[other] = 1;
            break;
          }
        }
      }
      onPass?.(stepSize, evaluations);
      if (!moved) break;
    }
  }
  return evaluations;
}

const DIRECTIONS = [1, -1] as const;

/**
 * For each signal T, the signals whose trial move T's offset can change, exactly: a trial of S
 * recomputes the cost of the lanes of S and of the lanes on the approaches its change reaches
 * within `sweeps` links (as `offsetEvaluator` does), and each such cost depends on the offset of
 * its own signal and, sweep by sweep, of the signals whose departures feed its arrivals. When T
 * moves, only the signals whose trials depend on T need trying again.
 *
 * @example
 * retrySets(model)[12] // => Int32Array [2, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17, 18, 22] (5×5 grid, 2 sweeps)
 */
export function retrySets(model: OffsetModel): Int32Array[] {
  const { approaches, sources, laneSignal, laneApproach } = model;
  // Signals whose offsets the IN profile of each approach depends on, at the last sweep.
  let arrivalsDependOn = approaches.map(
    (approach) => new Set(approach.terms.map((term) => sources[term.source]!.signal)),
  );
  for (let sweep = 2; sweep <= model.sweeps; sweep++) {
    const before = arrivalsDependOn;
    arrivalsDependOn = approaches.map((approach) => {
      const signals = new Set<number>();
      for (const term of approach.terms) {
        for (const lane of sources[term.source]!.lanes) {
          signals.add(laneSignal[lane]!);
          const upstream = laneApproach[lane]!;
          if (upstream >= 0) for (const signal of before[upstream]!) signals.add(signal);
        }
      }
      return signals;
    });
  }
  const retry = model.signals.map(() => new Set<number>());
  model.signals.forEach((_, signal) => {
    const dependsOn = new Set([signal]);
    for (const lane of recomputedLanes(model, signal)) {
      dependsOn.add(laneSignal[lane]!);
      const approach = laneApproach[lane]!;
      if (approach >= 0) for (const other of arrivalsDependOn[approach]!) dependsOn.add(other);
    }
    for (const other of dependsOn) retry[other]!.add(signal);
  });
  return retry.map((signals) => Int32Array.from(signals).sort());
}

/** The lanes whose delay and stops a trial move of `signal` recomputes. */
function recomputedLanes(model: OffsetModel, signal: number): Set<number> {
  const own = model.signalLanes[signal]!;
  let lanes = new Set(own);
  for (let sweep = 1; sweep <= model.sweeps; sweep++) {
    const reached = new Set<number>();
    for (const lane of lanes) {
      for (const source of model.laneSources[lane]!) {
        for (const approach of model.sources[source]!.approaches) reached.add(approach);
      }
    }
    lanes = new Set(own);
    for (const approach of reached)
      for (const lane of model.approaches[approach]!.lanes) lanes.add(lane);
  }
  return lanes;
}
