// Delay at a signal (HCM 2000): uniform and incremental delay, level of service, queue estimates.

export interface DelayOptions {
  /** Analysis period T, hours (HCM default 0.25: the peak 15 minutes). */
  analysisPeriod?: number;
  /** Incremental delay factor k: 0.5 for pretimed control. */
  incrementalDelayFactor?: number;
  /** Upstream filtering factor I: 1.0 for an isolated intersection. */
  upstreamFiltering?: number;
  /** Progression factor PF applied to the uniform delay: 1.0 for random arrivals. */
  progressionFactor?: number;
}

/**
 * Uniform delay d1, seconds per vehicle (HCM 2000 eq. 16-11): `0.5·C·(1 − g/C)² / (1 − min(1, X)·g/C)`.
 *
 * @example
 * uniformDelay(90, 0.4, 1.032) // => 27.0 (methods.md T7)
 */
export function uniformDelay(
  cycleLength: number,
  greenRatio: number,
  degreeOfSaturation: number,
): number {
  const red = 1 - greenRatio;
  return (0.5 * cycleLength * red * red) / (1 - Math.min(1, degreeOfSaturation) * greenRatio);
}

/**
 * Incremental (random and oversaturation) delay d2, seconds per vehicle (HCM 2000 eq. 16-12):
 * `900·T·[(X − 1) + √((X − 1)² + 8·k·I·X / (c·T))]`, with c the capacity in veh/h. Zero capacity
 * gives Infinity unless there is no demand.
 *
 * @example
 * incrementalDelay(800 / 775, 775) // => 40.9 (methods.md T7)
 */
export function incrementalDelay(
  degreeOfSaturation: number,
  capacity: number,
  { analysisPeriod = 0.25, incrementalDelayFactor = 0.5, upstreamFiltering = 1 }: DelayOptions = {},
): number {
  if (degreeOfSaturation === 0) return 0;
  if (!(capacity > 0)) return Infinity;
  const excess = degreeOfSaturation - 1;
  const random =
    (8 * incrementalDelayFactor * upstreamFiltering * degreeOfSaturation) /
    (capacity * analysisPeriod);
  return 900 * analysisPeriod * (excess + Math.sqrt(excess * excess + random));
}

/**
 * Control delay d = d1·PF + d2 of a lane group, seconds per vehicle (the initial-queue delay d3 is
 * zero: no queue is assumed at the start of the analysis period).
 *
 * @example
 * controlDelay({ cycleLength: 80, greenRatio: 0.5, flow: 500, saturationFlow: 1800 }) // => 16.3 (LOS B, T7)
 */
export function controlDelay(
  {
    cycleLength,
    greenRatio,
    flow,
    saturationFlow,
  }: { cycleLength: number; greenRatio: number; flow: number; saturationFlow: number },
  options: DelayOptions = {},
): number {
  if (flow === 0) return 0;
  const capacity = saturationFlow * greenRatio;
  const degreeOfSaturation = capacity > 0 ? flow / capacity : Infinity;
  if (!Number.isFinite(degreeOfSaturation)) return Infinity;
  const progression = options.progressionFactor ?? 1;
  return (
    uniformDelay(cycleLength, greenRatio, degreeOfSaturation) * progression +
    incrementalDelay(degreeOfSaturation, capacity, options)
  );
}

export type LevelOfService = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

/**
 * Level of service of a signalized lane group or intersection from its control delay (HCM 2000,
 * 2010 and 2016 thresholds: 10, 20, 35, 55, 80 s); F also when demand exceeds capacity.
 *
 * @example
 * levelOfService(67.9) // => 'E'
 */
export function levelOfService(delay: number, degreeOfSaturation = 0): LevelOfService {
  if (degreeOfSaturation > 1 || delay > 80) return 'F';
  if (delay > 55) return 'E';
  if (delay > 35) return 'D';
  if (delay > 20) return 'C';
  if (delay > 10) return 'B';
  return 'A';
}

/**
 * Back of queue, vehicles per lane: the vehicles that arrive during red and while the queue
 * discharges, `v·r / (1 − v/s)`, plus Akçelik's overflow queue
 * `(c·T/4)·[(X − 1) + √((X − 1)² + 12·(X − X₀)/(c·T))]` with `X₀ = 0.67 + s·g/600` (s in veh/s).
 *
 * @example
 * backOfQueue({ cycleLength: 90, greenRatio: 0.45, flow: 400, saturationFlow: 1800 }) // => 7.07
 */
export function backOfQueue(
  {
    cycleLength,
    greenRatio,
    flow,
    saturationFlow,
  }: { cycleLength: number; greenRatio: number; flow: number; saturationFlow: number },
  { analysisPeriod = 0.25 }: DelayOptions = {},
): number {
  if (flow === 0) return 0;
  const red = cycleLength * (1 - greenRatio);
  const flowRatio = Math.min(flow / saturationFlow, 0.99);
  const uniform = ((flow / 3600) * red) / (1 - flowRatio);
  const capacity = saturationFlow * greenRatio;
  if (!(capacity > 0)) return Infinity;
  const degreeOfSaturation = flow / capacity;
  const threshold = 0.67 + ((saturationFlow / 3600) * greenRatio * cycleLength) / 600;
  if (degreeOfSaturation <= threshold) return uniform;
  const cT = capacity * analysisPeriod;
  const excess = degreeOfSaturation - 1;
  const overflow =
    (cT / 4) * (excess + Math.sqrt(excess * excess + (12 * (degreeOfSaturation - threshold)) / cT));
  return uniform + overflow;
}
