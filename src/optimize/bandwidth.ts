// Two-way arterial bandwidth maximization: MAXBAND solved exactly with HiGHS, turned into offsets.
import highsModule from 'highs';
import type { BandwidthResult, Corridor, LeadLag } from './corridor.ts';
import { resolveCorridor, type ResolvedCorridor, type ResolvedSignal } from './bandwidth-input.ts';
import { column, leadChoices, maxbandProgram } from './bandwidth-milp.ts';

export { CorridorError, corridorProblems, type CorridorProblem } from './bandwidth-input.ts';

type HighsLoader = typeof highsModule.default;
/** A loaded HiGHS solver (`await highsLoader()`). */
export type Highs = Awaited<ReturnType<HighsLoader>>;

// The package's types describe CommonJS (`module.exports.default`); Node's ESM import yields the loader.
const loadHighs: HighsLoader =
  typeof highsModule === 'function' ? highsModule : highsModule.default;
let sharedSolver: Promise<Highs> | undefined;

/**
 * The HiGHS solver shared by every call, loaded (WebAssembly) on first use.
 *
 * @example
 * const solver = await highsSolver(); // then maximizeBandwidth(corridor, { solver })
 */
export function highsSolver(): Promise<Highs> {
  return (sharedSolver ??= loadHighs());
}

export interface BandwidthOptions {
  /** A loaded HiGHS instance to reuse; by default one is loaded once and shared. */
  solver?: Highs;
}

/**
 * Why a valid corridor has no progression band at all:
 * `QUEUE_CLEARANCE_FILLS_GREEN` — at some signal the queue clearance leaves no green for the band
 * at any cycle in the range; `NO_FEASIBLE_PROGRESSION` — the solver proved the program infeasible
 * (not expected: with one speed range for every link a constant speed always meets the
 * speed-change bound, so this is a safety net).
 */
export type BandwidthInfeasibleCode = 'QUEUE_CLEARANCE_FILLS_GREEN' | 'NO_FEASIBLE_PROGRESSION';

export type BandwidthOutcome =
  | { status: 'optimal'; result: BandwidthResult }
  | { status: 'infeasible'; code: BandwidthInfeasibleCode; signal?: string; message: string };

/** The expected domain outcome of an infeasible corridor, thrown by `maximizeBandwidth`. */
export class CorridorInfeasibleError extends Error {
  override name = 'CorridorInfeasibleError';

  constructor(
    readonly code: BandwidthInfeasibleCode,
    message: string,
    readonly signal?: string,
  ) {
    super(`maximizeBandwidth: ${message}`);
  }
}

/**
 * The bands, cycle, offsets and progression speeds that maximize b + inboundWeight·b̄ on an
 * arterial (MAXBAND), as data: an infeasible corridor is an outcome with a code, not an exception.
 *
 * @throws {CorridorError} when the corridor itself is wrong (see `corridorProblems`).
 * @example
 * const outcome = await bandwidthOutcome(corridor);
 * if (outcome.status === 'optimal') outcome.result.bandwidth // => { outbound: 40, inbound: 40 }
 */
export async function bandwidthOutcome(
  corridor: Corridor,
  options: BandwidthOptions = {},
): Promise<BandwidthOutcome> {
  const resolved = resolveCorridor(corridor);
  const blocked = queueBlockedSignal(resolved);
  if (blocked) return { status: 'infeasible', ...blocked };
  const solver = options.solver ?? (await highsSolver());
  const solution = solver.solve(maxbandProgram(resolved), {
    output_flag: false,
    mip_rel_gap: 1e-7,
    mip_abs_gap: 1e-9,
  });
  if (solution.Status === 'Infeasible') {
    return {
      status: 'infeasible',
      code: 'NO_FEASIBLE_PROGRESSION',
      message: 'no progression band satisfies the cycle, speed and ratio constraints together.',
    };
  }
  if (solution.Status !== 'Optimal') {
    throw new Error(`maximizeBandwidth: HiGHS stopped with status "${solution.Status}"`);
  }
  const value = (name: string) => solution.Columns[name]?.Primal ?? 0;
  return { status: 'optimal', result: bandwidthResult(resolved, value) };
}

/**
 * Exact two-way bandwidth maximization (MAXBAND, Little 1966; Little, Kelson & Gartner 1981): the
 * cycle in its range, the progression speed of every link in its range and within the
 * speed-change bound, and the offsets that give the widest bands, b + inboundWeight·b̄, with
 * `bandRatio` bounding b / b̄. Unlike Little's model a band may be absent (0 s) when a one-way
 * band beats every two-way pair; give `bandRatio` to require both. A signal with a `leftTurn`
 * gets the lead or lag of each protected left that gives the widest bands (MAXBAND's δ; see
 * `CorridorSignal.leftTurn` for the phasing model), reported with the shift it makes as
 * `leftTurns` and `inboundGreenStart`; otherwise give a shifted inbound green as
 * `inboundGreenStart`. Among equally wide bands (as a
 * share of the cycle) the cycle is whichever the solver finds; pin `cycle` to choose it.
 *
 * @throws {CorridorError} (code `INVALID_CORRIDOR`) when the corridor is wrong; its message says
 * which field and how to fix it.
 * @throws {CorridorInfeasibleError} when no band exists (code `QUEUE_CLEARANCE_FILLS_GREEN`).
 * @example
 * await maximizeBandwidth({
 *   cycle: { min: 80, max: 80 },
 *   speed: { min: 10, max: 10 },
 *   signals: [0, 400, 800].map((position, i) => ({ id: `S${i}`, position, green: 0.5 })),
 * });
 * // => { cycle: 80, bandwidth: { outbound: 40, inbound: 40 }, efficiency: 0.5,
 * //      signals: [{ id: 'S0', offset: 0 }, { id: 'S1', offset: 40 }, { id: 'S2', offset: 0 }], … }
 */
export async function maximizeBandwidth(
  corridor: Corridor,
  options: BandwidthOptions = {},
): Promise<BandwidthResult> {
  const outcome = await bandwidthOutcome(corridor, options);
  if (outcome.status === 'infeasible')
    throw new CorridorInfeasibleError(outcome.code, outcome.message, outcome.signal);
  return outcome.result;
}

/**
 * The first signal whose queue clearance leaves no room for a band even at the longest cycle.
 * Every other constraint on the cycle bounds it from below, so this check is complete: when it
 * passes, the program is feasible (a band in either direction may still come out absent).
 */
function queueBlockedSignal(
  corridor: ResolvedCorridor,
): { code: 'QUEUE_CLEARANCE_FILLS_GREEN'; signal: string; message: string } | undefined {
  const cycle = corridor.cycle.max;
  for (const signal of corridor.signals) {
    for (const direction of ['outbound', 'inbound'] as const) {
      const green = direction === 'outbound' ? signal.green : signal.inboundGreen;
      const queue = signal.queueClearance[direction];
      const usable = green.fraction * cycle + green.seconds - queue;
      if (usable >= 0) continue;
      const shortest = green.fraction > 0 ? (queue - green.seconds) / green.fraction : Infinity;
      const fix = Number.isFinite(shortest)
        ? `allow a cycle of at least ${round(shortest)} s or shorten the queue clearance`
        : 'shorten the queue clearance or lengthen the green';
      return {
        code: 'QUEUE_CLEARANCE_FILLS_GREEN',
        signal: signal.id,
        message:
          `signal ${signal.id}: the ${direction} queue clearance (${queue} s) fills the green ` +
          `even at the longest cycle (${cycle} s); ${fix}.`,
      };
    }
  }
  return undefined;
}

/** Converts the program's values (in cycles) into seconds, offsets and speeds. */
function bandwidthResult(
  corridor: ResolvedCorridor,
  value: (column: string) => number,
): BandwidthResult {
  const { signals } = corridor;
  const cycle = 1 / value(column.inverseCycle);
  const outbound = Math.max(0, value(column.outboundBand)) * cycle;
  const inbound = Math.max(0, value(column.inboundBand)) * cycle;
  const travelTimes = signals.slice(1).map((_, link) => ({
    outbound: value(column.outboundTravelTime(link)) * cycle,
    inbound: value(column.inboundTravelTime(link)) * cycle,
  }));
  const slack = (index: number) => value(column.outboundSlack(index)) * cycle;
  const offsets = outboundGreenStarts(signals, travelTimes, slack, cycle);
  return {
    cycle: round(cycle),
    bandwidth: { outbound: round(outbound), inbound: round(inbound) },
    efficiency: round((outbound + inbound) / (2 * cycle), 4),
    signals: signals.map((signal, index) => ({
      id: signal.id,
      offset: offsets[index]!,
      ...leftTurnSequence(signal, index, value),
    })),
    links: travelTimes.map((time, link) => {
      const length = signals[link + 1]!.position - signals[link]!.position;
      return {
        from: signals[link]!.id,
        to: signals[link + 1]!.id,
        outbound: round(length / time.outbound, 4),
        inbound: round(length / time.inbound, 4),
      };
    }),
  };
}

/**
 * The lead or lag of each left of a signal (optimized: its binary; fixed: as given) and the inbound
 * shift it makes, δ·l − δ̄·l̄ seconds. Nothing for a signal without `leftTurn`.
 */
function leftTurnSequence(
  signal: ResolvedSignal,
  index: number,
  value: (column: string) => number,
): Pick<BandwidthResult['signals'][number], 'leftTurns' | 'inboundGreenStart'> {
  const left = signal.leftTurn;
  if (!left) return {};
  const optimized = new Map(
    leadChoices(signal, index).map((choice) => [choice.shift > 0, value(choice.binary) > 0.5]),
  );
  const sequence = (seconds: number, outbound: boolean): LeadLag | undefined => {
    if (!(seconds > 0)) return undefined;
    if (left.leadLag !== 'optimize') return left.leadLag;
    return optimized.get(outbound) ? 'lead' : 'lag';
  };
  const outbound = sequence(left.outbound, true);
  const inbound = sequence(left.inbound, false);
  const shift = (outbound === 'lead' ? left.outbound : 0) - (inbound === 'lead' ? left.inbound : 0);
  return {
    ...((outbound ?? inbound) && {
      leftTurns: { ...(outbound && { outbound }), ...(inbound && { inbound }) },
    }),
    inboundGreenStart: round(shift) + 0,
  };
}

/**
 * Offsets from the outbound band: its first vehicle passes signal i at φ_i + q_i + w_i and signal
 * i + 1 a travel time later, so φ_i = Σ_{j<i} t_j − q_i − w_i, taken relative to signal 1 and
 * modulo the cycle. (The inbound band needs nothing more: the loop constraint makes it agree.)
 */
function outboundGreenStarts(
  signals: readonly ResolvedSignal[],
  travelTimes: readonly { outbound: number }[],
  slack: (index: number) => number,
  cycle: number,
): number[] {
  const bandStart = (index: number) => signals[index]!.queueClearance.outbound + slack(index);
  let arrival = 0;
  return signals.map((_, index) => {
    if (index > 0) arrival += travelTimes[index - 1]!.outbound;
    return inCycle(round(arrival - bandStart(index) + bandStart(0)), round(cycle));
  });
}

/** `seconds` modulo the cycle, in [0, cycle). */
function inCycle(seconds: number, cycle: number): number {
  const wrapped = round(((seconds % cycle) + cycle) % cycle);
  return wrapped >= cycle ? 0 : wrapped;
}

/**
 * Seconds to the millisecond (solver noise is far below that); speeds to 0.1 mm/s, so that a
 * vehicle driving the whole corridor at the rounded speeds still keeps to the band within 10 ms.
 */
function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
