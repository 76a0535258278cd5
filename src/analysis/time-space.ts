// Time–space diagram as data: each signal's greens and reds over a few cycles, and the green bands.
import { CodedError } from '../coded-error.ts';
import type { BandwidthResult, Corridor, CorridorSignal } from '../optimize/corridor.ts';

/**
 * Conventions (all times in seconds, all positions in metres):
 *
 * - Time 0 is the start of the first signal's outbound green (the offset reference of
 *   `BandwidthResult`); the diagram covers the window [0, cycles·C).
 * - Outbound runs towards increasing position; inbound runs back, from the last signal to the first.
 * - A signal's outbound green starts at its offset (taken modulo C) and lasts `green`·C, or
 *   `greenSeconds`; its inbound green starts `inboundGreenStart` seconds later and lasts
 *   `inboundGreen`·C (the outbound green by default). The shift is the result's
 *   `inboundGreenStart` for the signal when it has one (the optimizer's left-turn lead/lag choice),
 *   else the one its `leftTurns` make with the corridor's `leftTurn` greens (δ·l − δ̄·l̄), else the
 *   corridor's `inboundGreenStart`, else 0. Everything outside a green is red: the
 *   corridor has no yellow, so none is drawn.
 * - A band is the time–space strip a platoon occupies: it leaves its first signal at `start` +
 *   k·C (k = `cycleIndex`) and travels each link at that link's speed from `result.links`. `start`
 *   is the earliest time in [0, C) at which a band of the result's width fits every green, less
 *   each green's queue clearance, along the whole corridor: where the optimizer's offsets put it.
 * - Intervals and parallelograms are clipped or filtered to the window, so a band that starts
 *   before 0 or ends after the window still shows its visible part.
 */

/** Direction of travel along the corridor. */
export type TravelDirection = 'outbound' | 'inbound';

/** A half-open interval [start, end) of time, seconds. */
export interface TimeInterval {
  start: number;
  end: number;
}

/** A point of the diagram: time in seconds, position in metres. */
export interface TimeSpacePoint {
  time: number;
  position: number;
}

/** What one signal shows one direction of through traffic over the window. */
export interface SignalDisplay {
  /** Start of the green within the first cycle, in [0, C) s. */
  greenStart: number;
  /** Green duration, seconds. */
  green: number;
  /** Seconds at the start of each green the band leaves free for the standing queue. */
  queueClearance: number;
  /** Greens within the window, in time order, clipped to it. */
  greens: TimeInterval[];
  /** Reds within the window: the rest of it. */
  reds: TimeInterval[];
  /** The queue-clearance part at the start of each green, clipped to the window. */
  queueClearances: TimeInterval[];
}

/** One signal's row of the diagram. */
export interface TimeSpaceSignal {
  id: string;
  /** Metres along the corridor. */
  position: number;
  /** Start of the outbound green relative to the first signal's, in [0, C) s. */
  offset: number;
  outbound: SignalDisplay;
  inbound: SignalDisplay;
}

/** The part of one band between two neighbouring signals. */
export interface BandParallelogram {
  /** Signal ids in the direction of travel. */
  from: string;
  to: string;
  /** The band that leaves its first signal at `start` + cycleIndex·C. */
  cycleIndex: number;
  /** Progression speed on this link in this direction, m/s. */
  speed: number;
  /** Band start at `from`, band start at `to`, band end at `to`, band end at `from`. */
  corners: [TimeSpacePoint, TimeSpacePoint, TimeSpacePoint, TimeSpacePoint];
}

/** A green band in one direction, repeated every cycle. */
export interface GreenBand {
  direction: TravelDirection;
  /** Bandwidth, seconds. */
  width: number;
  /** Band start at its first signal (the first signal outbound, the last inbound), in [0, C) s; null without a band. */
  start: number | null;
  /** Parallelograms touching the window, by cycle index, then along the direction of travel. */
  parallelograms: BandParallelogram[];
}

export interface TimeSpaceDiagram {
  /** Seconds. */
  cycle: number;
  /** Number of cycles shown. */
  cycles: number;
  /** cycles·C, seconds: the window is [0, duration). */
  duration: number;
  bandwidth: { outbound: number; inbound: number };
  efficiency: number;
  /** In order of increasing position. */
  signals: TimeSpaceSignal[];
  bands: { outbound: GreenBand; inbound: GreenBand };
}

export interface TimeSpaceOptions {
  /** Cycles shown (default 3). */
  cycles?: number;
  /**
   * Seconds a band may overlap a red and still count as fitting (default 0.01: `maximizeBandwidth`
   * rounds seconds to the millisecond and keeps its rounded speeds within 10 ms over the corridor).
   */
  tolerance?: number;
}

/** Stable codes for a caller's mistakes here. Tests check codes, not message text. */
export type TimeSpaceErrorCode =
  | 'BAD_OPTION'
  | 'BAD_CYCLE'
  | 'NO_SIGNALS'
  | 'BAD_GREEN'
  | 'MISSING_OFFSET'
  | 'MISSING_LINK'
  | 'BAD_SPEED'
  | 'BAD_BANDWIDTH'
  | 'BAND_DOES_NOT_FIT';

/** A caller's mistake; the message starts with the function name and says how to fix it. */
export class TimeSpaceError extends CodedError<TimeSpaceErrorCode> {}

const NAME = 'timeSpaceDiagram';

/**
 * The time–space diagram of a corridor under a bandwidth result, as plain data: signal rows with
 * their greens and reds in each direction, and both green bands as parallelograms, over `cycles`
 * cycles. See the conventions at the top of this file.
 *
 * @throws {TimeSpaceError} on a bad option, a result that does not belong to the corridor (a
 * missing offset or link, a bad cycle or speed), or a band that does not fit the greens.
 * @example
 * const d = timeSpaceDiagram(corridor, result, { cycles: 2 });
 * d.signals[1].outbound.greens // => [{ start: 40, end: 80 }, { start: 120, end: 160 }]
 * d.bands.outbound.start // => 0
 */
export function timeSpaceDiagram(
  corridor: Corridor,
  result: BandwidthResult,
  { cycles = 3, tolerance = 0.01 }: TimeSpaceOptions = {},
): TimeSpaceDiagram {
  if (!(Number.isFinite(cycles) && cycles > 0))
    throw new TimeSpaceError(
      'BAD_OPTION',
      `${NAME}: cycles must be a positive number, not ${cycles}.`,
    );
  if (!(Number.isFinite(tolerance) && tolerance >= 0))
    throw new TimeSpaceError(
      'BAD_OPTION',
      `${NAME}: tolerance must be ≥ 0 seconds, not ${tolerance}.`,
    );
  const cycle = result.cycle;
  if (!(Number.isFinite(cycle) && cycle > 0))
    throw new TimeSpaceError(
      'BAD_CYCLE',
      `${NAME}: result.cycle must be a positive number of seconds, not ${cycle}.`,
    );
  if (corridor.signals.length === 0)
    throw new TimeSpaceError(
      'NO_SIGNALS',
      `${NAME}: the corridor has no signals; give at least one.`,
    );
  const duration = cycles * cycle;
  const ordered = [...corridor.signals].sort((a, b) => a.position - b.position);
  const signals = ordered.map((signal) => signalRow(signal, result, duration));
  const bandOf = (direction: TravelDirection): GreenBand =>
    greenBand(direction, signals, result, { duration, tolerance });
  return {
    cycle,
    cycles,
    duration,
    bandwidth: { ...result.bandwidth },
    efficiency: result.efficiency,
    signals,
    bands: { outbound: bandOf('outbound'), inbound: bandOf('inbound') },
  };
}

/** x mod m in [0, m), also for negative x. */
function modulo(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r;
}

/** Green fraction, checked to lie in [0, 1]; `greenSeconds` wins over `green`, as in the optimizer. */
function greenFraction(signal: CorridorSignal, cycle: number): number {
  const fraction = signal.greenSeconds === undefined ? signal.green : signal.greenSeconds / cycle;
  if (fraction === undefined || !(fraction >= 0 && fraction <= 1))
    throw new TimeSpaceError(
      'BAD_GREEN',
      `${NAME}: signal ${signal.id} needs a green fraction in [0, 1] or greenSeconds in [0, ${cycle}], got ${fraction === undefined ? 'neither' : fraction}.`,
    );
  return fraction;
}

function queueClearanceOf(signal: CorridorSignal, direction: TravelDirection): number {
  const clearance = signal.queueClearance;
  if (typeof clearance === 'number') return clearance;
  return clearance?.[direction] ?? 0;
}

function signalRow(
  signal: CorridorSignal,
  result: BandwidthResult,
  duration: number,
): TimeSpaceSignal {
  const cycle = result.cycle;
  const entry = result.signals.find((s) => s.id === signal.id);
  if (!entry || !Number.isFinite(entry.offset))
    throw new TimeSpaceError(
      'MISSING_OFFSET',
      `${NAME}: the result has no offset for signal ${signal.id}; pass the result optimized for this corridor.`,
    );
  const offset = modulo(entry.offset, cycle);
  const outboundGreen = greenFraction(signal, cycle);
  const inboundGreen = signal.inboundGreen ?? outboundGreen;
  if (!(inboundGreen >= 0 && inboundGreen <= 1))
    throw new TimeSpaceError(
      'BAD_GREEN',
      `${NAME}: signal ${signal.id} inboundGreen must lie in [0, 1], not ${inboundGreen}.`,
    );
  const inboundStart = modulo(offset + inboundShift(signal, entry), cycle);
  return {
    id: signal.id,
    position: signal.position,
    offset,
    outbound: display(
      offset,
      outboundGreen * cycle,
      queueClearanceOf(signal, 'outbound'),
      cycle,
      duration,
    ),
    inbound: display(
      inboundStart,
      inboundGreen * cycle,
      queueClearanceOf(signal, 'inbound'),
      cycle,
      duration,
    ),
  };
}

/** Seconds from the outbound to the inbound green start; see the conventions at the top. */
function inboundShift(signal: CorridorSignal, entry: BandwidthResult['signals'][number]): number {
  if (entry.inboundGreenStart !== undefined) return entry.inboundGreenStart;
  const left = signal.leftTurn;
  if (left && entry.leftTurns) {
    const { outbound, inbound } = entry.leftTurns;
    return (
      (outbound === 'lead' ? (left.outbound ?? 0) : 0) -
      (inbound === 'lead' ? (left.inbound ?? 0) : 0)
    );
  }
  return signal.inboundGreenStart ?? 0;
}

function display(
  greenStart: number,
  green: number,
  queueClearance: number,
  cycle: number,
  duration: number,
): SignalDisplay {
  const greens = repeatedIntervals(greenStart, green, cycle, duration);
  return {
    greenStart,
    green,
    queueClearance,
    greens,
    reds: complement(greens, duration),
    queueClearances: repeatedIntervals(
      greenStart,
      Math.min(queueClearance, green),
      cycle,
      duration,
    ),
  };
}

/** [start + k·C, start + k·C + length) for every k, clipped to [0, duration), touching ones merged. */
function repeatedIntervals(
  start: number,
  length: number,
  cycle: number,
  duration: number,
): TimeInterval[] {
  const intervals: TimeInterval[] = [];
  if (!(length > 0)) return intervals;
  for (let k = -Math.ceil(length / cycle); start + k * cycle < duration; k++) {
    const begin = Math.max(0, start + k * cycle);
    const end = Math.min(duration, start + k * cycle + length);
    if (end <= begin) continue;
    const last = intervals[intervals.length - 1];
    if (last && begin <= last.end) last.end = Math.max(last.end, end);
    else intervals.push({ start: begin, end });
  }
  return intervals;
}

/** The parts of [0, duration) not covered by sorted, disjoint intervals. */
function complement(intervals: TimeInterval[], duration: number): TimeInterval[] {
  const gaps: TimeInterval[] = [];
  let cursor = 0;
  for (const { start, end } of intervals) {
    if (start > cursor) gaps.push({ start: cursor, end: start });
    cursor = end;
  }
  if (cursor < duration) gaps.push({ start: cursor, end: duration });
  return gaps;
}

/** Link speed between two neighbouring signals in one direction, from the result's links. */
function linkSpeed(
  result: BandwidthResult,
  lower: TimeSpaceSignal,
  upper: TimeSpaceSignal,
  direction: TravelDirection,
): number {
  const link = result.links.find(
    (l) => (l.from === lower.id && l.to === upper.id) || (l.from === upper.id && l.to === lower.id),
  );
  if (!link)
    throw new TimeSpaceError(
      'MISSING_LINK',
      `${NAME}: the result has no link between ${lower.id} and ${upper.id}; pass the result optimized for this corridor.`,
    );
  const speed = link[direction];
  if (!(Number.isFinite(speed) && speed > 0))
    throw new TimeSpaceError(
      'BAD_SPEED',
      `${NAME}: the ${direction} speed from ${link.from} to ${link.to} must be a positive number of m/s, not ${speed}.`,
    );
  return speed;
}

/** Signals in the direction of travel, each with the band's travel time from the first and the speed on its way in. */
interface Leg {
  signal: TimeSpaceSignal;
  travelTime: number;
  speed: number;
}

function legs(
  signals: TimeSpaceSignal[],
  result: BandwidthResult,
  direction: TravelDirection,
): Leg[] {
  const path = direction === 'outbound' ? signals : [...signals].reverse();
  const out: Leg[] = [];
  path.forEach((signal, index) => {
    const previous = out[index - 1];
    if (!previous) {
      out.push({ signal, travelTime: 0, speed: 0 });
      return;
    }
    const [lower, upper] =
      direction === 'outbound' ? [previous.signal, signal] : [signal, previous.signal];
    const speed = linkSpeed(result, lower, upper, direction);
    const distance = Math.abs(signal.position - previous.signal.position);
    out.push({ signal, travelTime: previous.travelTime + distance / speed, speed });
  });
  return out;
}

/**
 * Earliest band start at the first leg, in [0, C), such that a band of `width` seconds lies inside
 * every leg's green less its queue clearance; null if none does. The feasible starts form arcs on
 * the cycle, and the earliest point of each arc is where some green's usable part begins, so those
 * are the only candidates to try.
 */
function earliestBandStart(
  path: { travelTime: number; display: SignalDisplay }[],
  width: number,
  cycle: number,
  tolerance = 1e-6,
): number | null {
  const usable = path.map(({ travelTime, display: d }) => ({
    travelTime,
    begin: d.greenStart + d.queueClearance,
    slack: d.green - d.queueClearance - width,
    alwaysGreen: d.green >= cycle && d.queueClearance <= 0,
  }));
  const fits = (start: number): boolean =>
    usable.every(({ travelTime, begin, slack, alwaysGreen }) => {
      if (alwaysGreen) return true;
      const late = modulo(start + travelTime - begin, cycle);
      return late <= slack + tolerance || (late >= cycle - tolerance && slack >= -tolerance);
    });
  if (usable.every((u) => u.alwaysGreen)) return 0;
  const candidates = usable
    .filter((u) => !u.alwaysGreen)
    .map(({ travelTime, begin }) => modulo(begin - travelTime, cycle))
    .map((start) => (start > cycle - tolerance ? 0 : start))
    .sort((a, b) => a - b);
  return candidates.find(fits) ?? null;
}

function greenBand(
  direction: TravelDirection,
  signals: TimeSpaceSignal[],
  result: BandwidthResult,
  { duration, tolerance }: { duration: number; tolerance: number },
): GreenBand {
  const width = result.bandwidth[direction];
  if (!(Number.isFinite(width) && width >= 0 && width <= result.cycle))
    throw new TimeSpaceError(
      'BAD_BANDWIDTH',
      `${NAME}: the ${direction} bandwidth must lie in [0, ${result.cycle}] s, not ${width}.`,
    );
  const path = legs(signals, result, direction);
  if (width === 0) return { direction, width, start: null, parallelograms: [] };
  const start = earliestBandStart(
    path.map((leg) => ({ travelTime: leg.travelTime, display: leg.signal[direction] })),
    width,
    result.cycle,
    tolerance,
  );
  if (start === null)
    throw new TimeSpaceError(
      'BAND_DOES_NOT_FIT',
      `${NAME}: no ${direction} band of ${width} s fits the greens at these offsets and speeds; pass the result optimized for this corridor, or a larger tolerance for rounded offsets.`,
    );
  return {
    direction,
    width,
    start,
    parallelograms: bandParallelograms(path, start, width, result.cycle, duration),
  };
}

function bandParallelograms(
  path: Leg[],
  start: number,
  width: number,
  cycle: number,
  duration: number,
): BandParallelogram[] {
  const total = path[path.length - 1]?.travelTime ?? 0;
  const parallelograms: BandParallelogram[] = [];
  const first = Math.floor((-total - width - start) / cycle);
  for (let cycleIndex = first; start + cycleIndex * cycle < duration; cycleIndex++) {
    const leave = start + cycleIndex * cycle;
    for (let index = 1; index < path.length; index++) {
      const from = path[index - 1]!;
      const to = path[index]!;
      const earliest = leave + from.travelTime;
      const latest = leave + to.travelTime + width;
      if (latest <= 0 || earliest >= duration) continue;
      parallelograms.push({
        from: from.signal.id,
        to: to.signal.id,
        cycleIndex,
        speed: to.speed,
        corners: [
          { time: earliest, position: from.signal.position },
          { time: leave + to.travelTime, position: to.signal.position },
          { time: latest, position: to.signal.position },
          { time: earliest + width, position: from.signal.position },
        ],
      });
    }
  }
  return parallelograms;
}
