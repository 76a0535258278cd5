// Cyclic flow profiles (TRANSYT): Robertson platoon dispersion and the stop-line queue over one cycle.

/**
 * A cyclic flow profile: one cycle split into equal steps, each holding a flow rate in vehicles per
 * second averaged over the step. Index 0 is the start of the cycle; the step after the last is
 * index 0 of the next cycle.
 */
export type FlowProfile = Float64Array;

export interface DispersionOptions {
  /** Platoon dispersion factor α: 0.25 light friction, 0.35 moderate (TRANSYT default), 0.5 heavy. */
  alpha?: number;
  /** Travel-time factor β: the platoon leader's travel time as a share of the mean (TRANSYT 0.8). */
  beta?: number;
  /** Seconds per profile step. */
  step?: number;
}

/** Robertson's parameters for one link, in profile steps. */
export interface Dispersion {
  /** Smoothing factor F = 1 / (1 + α·β·Ta), with Ta in steps. */
  smoothingFactor: number;
  /** Steps from the upstream stop line to the first arrivals downstream: β·Ta, rounded. */
  lag: number;
}

/**
 * Robertson's smoothing factor and lag for a link of mean travel time `travelTime` seconds: as in
 * TRANSYT, both are in profile steps, F = 1 / (1 + α·β·Ta) and lag t = round(β·Ta).
 *
 * @throws {RangeError} when the travel time is negative or not finite, or an option is out of range.
 * @example
 * dispersion(30) // => { smoothingFactor: 0.1064, lag: 24 } (methods.md T8)
 */
export function dispersion(
  travelTime: number,
  { alpha = 0.35, beta = 0.8, step = 1 }: DispersionOptions = {},
): Dispersion {
  if (!(travelTime >= 0) || !Number.isFinite(travelTime)) {
    throw new RangeError(`dispersion: travel time ${travelTime} s; give a finite time ≥ 0`);
  }
  if (!(alpha >= 0) || !(beta > 0) || !(step > 0)) {
    throw new RangeError(
      `dispersion: alpha ${alpha}, beta ${beta}, step ${step}; give α ≥ 0, β > 0, step > 0`,
    );
  }
  const steps = (beta * travelTime) / step;
  return { smoothingFactor: 1 / (1 + alpha * steps), lag: Math.round(steps) };
}

/**
 * Robertson's platoon dispersion of a cyclic profile over a link, at cyclic steady state:
 * `q_d(i + t) = F·q_u(i) + (1 − F)·q_d(i + t − 1)`. The steady state is found in closed form (one
 * pass from an empty link gives the last step's value short of the geometric tail `(1 − F)^n` of
 * the cycle before, which is then added back), so no iteration count has to be chosen. Volume over
 * the cycle is conserved.
 *
 * @throws {RangeError} on an empty profile, a negative travel time or an option out of range.
 * @example
 * const upstream = new Float64Array(60).fill(0.5, 0, 20); // 1,800 veh/h for 20 s of a 60 s cycle
 * const downstream = robertsonDispersion(upstream, 30);
 * downstream[43] // => 0.4478, the peak (methods.md T8); the sum stays 10 vehicles
 */
export function robertsonDispersion(
  upstream: FlowProfile,
  travelTime: number,
  options: DispersionOptions = {},
): FlowProfile {
  if (upstream.length === 0) {
    throw new RangeError('robertsonDispersion: empty profile; give at least one step per cycle');
  }
  const downstream = new Float64Array(upstream.length);
  disperseInto(upstream, dispersion(travelTime, options), downstream);
  return downstream;
}

/**
 * The hot-loop form of `robertsonDispersion`: writes the dispersed profile into `downstream` (same
 * length as `upstream`, not the same array).
 *
 * @example
 * disperseInto(upstream, dispersion(30), downstream);
 */
export function disperseInto(
  upstream: FlowProfile,
  { smoothingFactor, lag }: Dispersion,
  downstream: FlowProfile,
): void {
  const steps = upstream.length;
  const keep = 1 - smoothingFactor;
  let from = ((-lag % steps) + steps) % steps;
  let flow = 0;
  for (let index = 0; index < steps; index++) {
    flow = smoothingFactor * upstream[from]! + keep * flow;
    if (++from === steps) from = 0;
  }
  // The value a whole cycle of earlier cycles would have left: x = y + (1 − F)^n·x.
  const tail = keep ** steps;
  flow = tail < 1 ? flow / (1 - tail) : 0;
  from = ((-lag % steps) + steps) % steps;
  for (let index = 0; index < steps; index++) {
    flow = smoothingFactor * upstream[from]! + keep * flow;
    downstream[index] = flow;
    if (++from === steps) from = 0;
  }
}

/** What one cycle of a stop-line queue costs, at cyclic steady state. */
export interface StopLineMeasures {
  /** Uniform delay, vehicle-seconds per cycle: the area under the queue. */
  delay: number;
  /** Vehicles stopped per cycle (see `stopLineQueue` for what counts as a stop). */
  stops: number;
  /** Vehicles arriving per cycle (after the cap at capacity). */
  arrivals: number;
  /** Departure (OUT) profile at the stop line, veh/s per step. */
  departures: FlowProfile;
}

export interface StopLineOptions {
  /** Seconds per profile step. */
  step?: number;
  /** Steps the capacity profile is late against the arrivals: the signal's offset in steps. */
  shift?: number;
}

/**
 * The deterministic (fluid) queue at a stop line over one cycle, at cyclic steady state: vehicles
 * arrive by the IN profile and leave at up to the capacity (GO) profile, saturation flow while
 * green and 0 while red. The queue is exact for rates constant within a step (a queue that empties
 * mid-step is cut there). A vehicle stops when it joins a queue or meets a capacity below the
 * arrival rate; vehicles slowed but not stopped count in full (TRANSYT's partial stops are not
 * modelled). When more arrives in a cycle than can leave, arrivals are scaled down to capacity:
 * the overflow belongs to the random-and-oversaturation term, as `min(1, X)` in HCM's d1.
 *
 * @example
 * const capacity = new Float64Array(90).fill(0.5, 0, 40); // 1,800 veh/h of green, 40 s of 90 s
 * stopLineQueue(new Float64Array(90).fill(0.1), capacity).delay / 9 // => 17.36 s/veh, Webster's d1
 */
export function stopLineQueue(
  arrivals: FlowProfile,
  capacity: FlowProfile,
  { step = 1, shift = 0 }: StopLineOptions = {},
): StopLineMeasures {
  if (arrivals.length === 0 || arrivals.length !== capacity.length) {
    throw new RangeError(
      `stopLineQueue: ${arrivals.length} arrival steps, ${capacity.length} capacity steps; give two profiles of one cycle, same length`,
    );
  }
  const inflow = sumOf(arrivals);
  const outflow = sumOf(capacity);
  const scale = inflow > outflow ? outflow / inflow : 1;
  const departures = new Float64Array(arrivals.length);
  const result = new Float64Array(2);
  const from = redStart(capacity) + shift;
  queueInto(arrivals, scale, capacity, shift, step, departures, result, from);
  return { delay: result[0]!, stops: result[1]!, arrivals: inflow * scale * step, departures };
}

/**
 * The hot-loop form of `stopLineQueue`: arrivals are multiplied by `scale` (the caller keeps them
 * at or below capacity), the capacity profile is read `shift` steps late, departures are written
 * when a profile is given, and `[delay, stops]` per cycle go into `result` (and the longest
 * queue, vehicles, into `result[2]` when it has room). `from` is the step to
 * start at, best where the queue is likely empty (where the capacity drops to 0, `redStart`): the
 * queue there is found in one pass when it is empty, in two otherwise.
 *
 * @example
 * queueInto(arrivals, 1, capacity, offsetSteps, 1, departures, result); // result[0] veh·s, result[1] stops
 */
export function queueInto(
  arrivals: FlowProfile,
  scale: number,
  capacity: FlowProfile,
  shift: number,
  step: number,
  departures: FlowProfile | undefined,
  result: Float64Array,
  from = 0,
): void {
  const steps = arrivals.length;
  const start = ((from % steps) + steps) % steps;
  const green = (((start - shift) % steps) + steps) % steps;
  // Lindley: from an empty queue, the queue a cycle later is the steady state's queue at the start.
  const left = queueCycle(arrivals, scale, capacity, start, green, step, departures, 0, result);
  if (left > 0) queueCycle(arrivals, scale, capacity, start, green, step, departures, left, result);
}

/**
 * The step where a GO profile's capacity drops to 0 (the start of red), or 0 when it never does.
 *
 * @example
 * redStart(new Float64Array([0, 0.5, 0.5, 0])) // => 3
 */
export function redStart(capacity: FlowProfile): number {
  const steps = capacity.length;
  for (let index = 0; index < steps; index++) {
    if (capacity[index] === 0 && capacity[(index - 1 + steps) % steps]! > 0) return index;
  }
  return 0;
}

/** One cycle of the fluid queue from `queue` vehicles; returns the queue at the end. */
function queueCycle(
  arrivals: FlowProfile,
  scale: number,
  capacity: FlowProfile,
  start: number,
  greenStart: number,
  step: number,
  departures: FlowProfile | undefined,
  queue: number,
  result: Float64Array,
): number {
  const steps = arrivals.length;
  let delay = 0;
  let stops = 0;
  let longest = queue;
  let index = start;
  let green = greenStart;
  for (let count = 0; count < steps; count++) {
    const arriving = scale * arrivals[index]!;
    const net = arriving - capacity[green]!;
    let next: number;
    if (net >= 0) {
      next = queue + net * step;
      delay += (queue + next) * 0.5 * step;
      stops += (queue > 0 ? arriving : net) * step;
    } else if (queue <= 0) {
      next = 0;
    } else {
      const emptied = queue / -net;
      if (emptied >= step) {
        next = queue + net * step;
        delay += (queue + next) * 0.5 * step;
        stops += arriving * step;
      } else {
        next = 0;
        delay += queue * 0.5 * emptied;
        stops += arriving * emptied;
      }
    }
    if (departures) departures[index] = arriving + (queue - next) / step;
    queue = next;
    if (queue > longest) longest = queue;
    if (++index === steps) index = 0;
    if (++green === steps) green = 0;
  }
  result[0] = delay;
  result[1] = stops;
  if (result.length > 2) result[2] = longest;
  return queue;
}

/**
 * A profile read `shift` steps late: `rotated[i] = profile[i − shift]`, cyclically, written into
 * `target` — how a signal's own-time profile looks on the common clock at offset `shift`.
 *
 * @example
 * rotateInto(new Float64Array([1, 2, 3]), 1, target) // target => [3, 1, 2]
 */
export function rotateInto(profile: FlowProfile, shift: number, target: FlowProfile): void {
  const steps = profile.length;
  let from = ((-shift % steps) + steps) % steps;
  for (let index = 0; index < steps; index++) {
    target[index] = profile[from]!;
    if (++from === steps) from = 0;
  }
}

function sumOf(profile: FlowProfile): number {
  let total = 0;
  for (let index = 0; index < profile.length; index++) total += profile[index]!;
  return total;
}
