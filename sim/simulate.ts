// The vehicle-level, lane-based simulator: Newell's car following on every lane, signals by plan.
import { DEFAULT_JAM_SPACING } from '../src/analysis/timing-model.ts';
//
// Car following is Newell's simplified model (2002) with a bounded acceleration:
//   x_i(t + Δt) = min(x_i(t) + min(v_free, v_i(t) + a·Δt)·Δt, x_leader(t + Δt − τ) − δ).
// Why Newell and not Krauss or IDM: its parameters are the triangular fundamental diagram itself
// (free speed, jam spacing δ, wave lag τ), so a lane discharges a queue at exactly
// 3600 / (τ + δ / v_free) veh/h — we set τ from the lane's saturation flow and the saturation
// headway falls out by construction, with no calibration loop. It is collision-free with no
// safety check, needs one min() per vehicle and step, and the update reads only the leader's past,
// so all vehicles move at once in any order (no update-order artefacts, simple typed-array loops).
// The bounded acceleration adds the start-up lost time (v_free / 2a ≈ 2.7 s) that HCM and SUMO
// have; the discharge headway after the first few vehicles stays τ + δ / v_free, because each
// follower repeats its leader's trajectory τ later and δ behind.
//
// Time step 0.5 s by default: τ is 1.0–1.5 s on urban lanes and must be at least one step (the
// update reads the leader's past only), the leader's lagged position is interpolated between two
// stored steps, yellows of 3 s and all-reds of 2 s are resolved to a sixth or better, and a stop
// line is crossed within half a second of the continuous model. 1 s would quantize a 1.9 s
// saturation headway to 2 s steps and lose all-reds of 1 s; 0.5 s costs twice the work of 1 s and
// is SUMO's usual step for signal studies.
//
// Lanes: a vehicle enters a lane of its first link that serves its first movement, and on each
// crossing takes the movement's toLane that best serves the movement after; when its lane has no
// connection for its next movement it changes to an adjacent lane (mandatory changes only, never
// in the last `laneChangeZone` metres; stuck there, it asks the target lane's followers to yield).
// Stop lines: red stops a vehicle (braking comfortably when it can), yellow stops it when it can
// stop at `comfortableDeceleration`; green lets it cross when the downstream lane has room —
// spillback comes from the car following itself, the last vehicle downstream being the leader.
// Permissive greens are treated as protected (no gap acceptance yet); unsignalled movements go.
import type { RoadNetwork } from '../src/network/types.ts';
import type { VehicleTrip } from '../src/demand/types.ts';
import type { TimingPlan } from '../src/timing/types.ts';
import { compileNetwork } from './compile.ts';
import { SimulationError } from './errors.ts';
import { colourCode } from './signal-states.ts';
import type { LaneSnapshot, SimulationOptions, SimulationResult, VehicleResult } from './types.ts';

const HALTING_SPEED = 0.1;
/** Below this speed a vehicle that cannot change lanes asks the target lane to yield, m/s. */
const STUCK_SPEED = 1;

const PENDING = 0;
const IN_NETWORK = 1;
const ARRIVED = 2;

/**
 * Simulates `vehicles` on `network` from `begin` to `end` under `plans` (signal id → plan; a signal
 * without one runs its first program). Pure: no I/O, no clock; the same rng sequence gives the same
 * result.
 *
 * @throws {SimulationError} `BAD_OPTIONS`, `UNKNOWN_LINK`, `EMPTY_ROUTE`, `ROUTE_NOT_CONNECTED`,
 *   `MISSING_PLAN`.
 * @example
 * const result = simulate(network, trips, {}, { begin: 0, end: 3600, rng: seededRandom(1) });
 * result.totals.meanDelay // => seconds per arrived vehicle
 */
export function simulate(
  network: RoadNetwork,
  vehicles: readonly VehicleTrip[],
  plans: Readonly<Record<string, TimingPlan>>,
  options: SimulationOptions,
): SimulationResult {
  const {
    begin,
    end,
    step = 0.5,
    rng,
    jamSpacing = DEFAULT_JAM_SPACING,
    acceleration = 2.6,
    comfortableDeceleration = 3,
    laneChangeZone = 20,
    observer,
  } = options;
  checkOptions(options, step, jamSpacing, acceleration, comfortableDeceleration);
  const net = compileNetwork(network, plans, { step, jamSpacing });
  const linkCount = net.linkIds.length;
  const laneCount = net.laneLink.length;

  const trips = vehicles
    .map((trip, order) => ({ trip, order }))
    .filter(({ trip }) => trip.depart >= begin && trip.depart < end)
    .sort((a, b) => a.trip.depart - b.trip.depart || a.order - b.order)
    .map(({ trip }) => trip);
  const count = trips.length;
  const routes: Int32Array[] = [];
  const routeMovements: Int32Array[] = [];
  for (const trip of trips) {
    const [route, movements] = compileRoute(trip, net.linkOf, net.movementOf, linkCount);
    routes.push(route);
    routeMovements.push(movements);
  }

  // Ring buffer of odometer readings: K steps of history per vehicle, enough for the longest lag.
  let longestLag = 1;
  for (const lag of net.laneLagSteps) longestLag = Math.max(longestLag, lag);
  const K = Math.ceil(longestLag) + 2;
  const history = new Float64Array(count * K);
  const odometer = new Float64Array(count);
  const linkStart = new Float64Array(count);
  const speed = new Float64Array(count);
  const lane = new Int32Array(count).fill(-1);
  const routeStep = new Int32Array(count);
  const nextLane = new Int32Array(count).fill(-1);
  const wantLane = new Int32Array(count).fill(-1);
  const status = new Uint8Array(count);
  const moving = new Uint8Array(count);
  const transferredAt = new Int32Array(count).fill(-1);
  const entered = new Float64Array(count).fill(NaN);
  const arrival = new Float64Array(count).fill(NaN);
  const stops = new Int32Array(count);
  const waitingTime = new Float64Array(count);
  const timeLoss = new Float64Array(count);

  const lanes: number[][] = Array.from({ length: laneCount }, () => []);
  const requests: number[][] = Array.from({ length: laneCount }, () => []);
  let requestedLanes: number[] = [];
  const entryQueues: number[][] = Array.from({ length: linkCount }, () => []);
  routes.forEach((route, vehicle) => entryQueues[route[0]!]!.push(vehicle));
  const entryLinks = entryQueues.flatMap((queue, link) => (queue.length > 0 ? [link] : []));
  const entryHead = new Int32Array(linkCount);
  const colourNow = new Uint8Array(net.groups.length);

  let inserted = 0;
  let arrived = 0;
  let released = 0;
  let vehicleSeconds = 0;

  const slot = (stepIndex: number) => ((stepIndex % K) + K) % K;
  /** Odometer of `vehicle` at step `stepIndex + 1 − lagSteps` (the time Newell's leader term reads). */
  const laggedOdometer = (vehicle: number, lagSteps: number, stepIndex: number): number => {
    const moment = stepIndex + 1 - lagSteps;
    const before = Math.floor(moment);
    const fraction = moment - before;
    const base = vehicle * K;
    const first = history[base + slot(before)]!;
    return fraction === 0 ? first : first + (history[base + slot(before + 1)]! - first) * fraction;
  };
  const positionAt = (vehicle: number, stepIndex: number) =>
    history[vehicle * K + slot(stepIndex)]! - linkStart[vehicle]!;
  /** How many lanes a vehicle on `globalLane` must cross to make `movement` (0 when none is next). */
  const lanesAway = (globalLane: number, movement: number): number => {
    if (movement < 0) return 0;
    const laneIndex = net.laneIndex[globalLane]!;
    let best = Infinity;
    for (const from of net.movementFromLanes[movement]!) {
      best = Math.min(best, Math.abs(from - laneIndex));
    }
    return best;
  };
  const pickBest = (candidates: number[], scores: number[]): number => {
    let best = Infinity;
    for (const score of scores) best = Math.min(best, score);
    const ties = candidates.filter((_, index) => scores[index] === best);
    return ties.length === 1 ? ties[0]! : ties[Math.floor(rng() * ties.length)]!;
  };
  /** Sets where a vehicle goes from its lane: the downstream lane, or the lane it must change to. */
  const chooseNext = (vehicle: number) => {
    const movements = routeMovements[vehicle]!;
    const index = routeStep[vehicle]!;
    nextLane[vehicle] = -1;
    wantLane[vehicle] = -1;
    if (index >= movements.length) return;
    const movement = movements[index]!;
    const current = lane[vehicle]!;
    const laneIndex = net.laneIndex[current]!;
    const targets = net.movementTargets[movement]![laneIndex]!;
    if (targets.length > 0) {
      const after = index + 1 < movements.length ? movements[index + 1]! : -1;
      const candidates = [...targets];
      nextLane[vehicle] = pickBest(
        candidates,
        candidates.map((target) => lanesAway(target, after)),
      );
      return;
    }
    const froms = [...net.movementFromLanes[movement]!];
    const goal = pickBest(
      froms,
      froms.map((from) => Math.abs(from - laneIndex)),
    );
    wantLane[vehicle] = current + Math.sign(goal - laneIndex);
  };

  const insert = (vehicle: number, link: number, stepIndex: number, time: number): boolean => {
    const movements = routeMovements[vehicle]!;
    const movement = movements.length > 0 ? movements[0]! : -1;
    const first = net.linkFirstLane[link]!;
    const laneIndices =
      movement >= 0
        ? [...net.movementFromLanes[movement]!]
        : Array.from({ length: net.linkLaneCount[link]! }, (_, index) => index);
    const candidates: number[] = [];
    const scores: number[] = [];
    const speeds: number[] = [];
    const after = movements.length > 1 ? movements[1]! : -1;
    for (const laneIndex of laneIndices) {
      const candidate = first + laneIndex;
      const queue = lanes[candidate]!;
      const freeSpeed = net.laneSpeed[candidate]!;
      let entrySpeed = freeSpeed;
      const last = queue[queue.length - 1];
      if (last !== undefined) {
        const lagSteps = net.laneLagSteps[candidate]!;
        const position = positionAt(last, stepIndex);
        const lagged = laggedOdometer(last, lagSteps, stepIndex) - linkStart[last]!;
        if (position < jamSpacing || lagged < jamSpacing) continue;
        entrySpeed = Math.min(freeSpeed, (position - jamSpacing) / (lagSteps * step));
      }
      let lookAhead = 0;
      if (movement >= 0) {
        lookAhead = Infinity;
        for (const target of net.movementTargets[movement]![laneIndex]!) {
          lookAhead = Math.min(lookAhead, lanesAway(target, after));
        }
      }
      candidates.push(candidate);
      // Best serving lane first, then the one that lets it in fastest.
      scores.push(lookAhead * 1000 - entrySpeed);
      speeds.push(entrySpeed);
    }
    if (candidates.length === 0) return false;
    const chosen = pickBest(candidates, scores);
    const entrySpeed = speeds[candidates.indexOf(chosen)]!;
    lanes[chosen]!.push(vehicle);
    lane[vehicle] = chosen;
    odometer[vehicle] = 0;
    linkStart[vehicle] = 0;
    for (let back = 0; back < K; back++) {
      history[vehicle * K + slot(stepIndex - back)] = -entrySpeed * back * step;
    }
    speed[vehicle] = entrySpeed;
    moving[vehicle] = entrySpeed >= HALTING_SPEED ? 1 : 0;
    status[vehicle] = IN_NETWORK;
    entered[vehicle] = time;
    routeStep[vehicle] = 0;
    chooseNext(vehicle);
    inserted++;
    return true;
  };

  const insertDue = (stepIndex: number) => {
    const time = begin + stepIndex * step;
    while (released < count && trips[released]!.depart <= time) released++;
    for (const link of entryLinks) {
      const queue = entryQueues[link]!;
      let head = entryHead[link]!;
      while (head < queue.length && trips[queue[head]!]!.depart <= time) {
        if (!insert(queue[head]!, link, stepIndex, time)) break;
        head++;
      }
      entryHead[link] = head;
    }
  };

  const snapshotLanes = (stepIndex: number): LaneSnapshot[] =>
    lanes.map((queue, globalLane) => ({
      link: net.linkIds[net.laneLink[globalLane]!]!,
      lane: net.laneIndex[globalLane]!,
      length: net.linkLength[net.laneLink[globalLane]!]!,
      vehicles: queue.map((vehicle) => trips[vehicle]!.id),
      positions: queue.map((vehicle) => positionAt(vehicle, stepIndex)),
    }));

  const stepCount = Math.max(0, Math.round((end - begin) / step));
  const changers: number[] = [];
  insertDue(0);
  for (let stepIndex = 0; stepIndex < stepCount; stepIndex++) {
    const time = begin + stepIndex * step;
    for (let group = 0; group < colourNow.length; group++) {
      colourNow[group] = colourCode(net.groups[group]!, time);
    }

    // 1. Move every vehicle: it reads only the past of others, so the order does not matter.
    changers.length = 0;
    for (let globalLane = 0; globalLane < laneCount; globalLane++) {
      const queue = lanes[globalLane]!;
      if (queue.length === 0) continue;
      const link = net.laneLink[globalLane]!;
      const length = net.linkLength[link]!;
      const freeSpeed = net.laneSpeed[globalLane]!;
      const lagSteps = net.laneLagSteps[globalLane]!;
      const zoneEnd = length - Math.min(laneChangeZone, length / 2);
      const yielding = requests[globalLane]!;
      for (let rank = 0; rank < queue.length; rank++) {
        const vehicle = queue[rank]!;
        const position = odometer[vehicle]! - linkStart[vehicle]!;
        const current = speed[vehicle]!;
        let reach = position + Math.min(freeSpeed, current + acceleration * step) * step;
        if (rank > 0) {
          const leader = queue[rank - 1]!;
          reach = Math.min(
            reach,
            laggedOdometer(leader, lagSteps, stepIndex) - linkStart[leader]! - jamSpacing,
          );
        } else if (nextLane[vehicle]! >= 0) {
          const movement = routeMovements[vehicle]![routeStep[vehicle]!]!;
          const group = net.movementGroup[movement]!;
          const colour = group < 0 ? 2 : colourNow[group]!;
          const toLine = length - position;
          const stop =
            colour === 0 ||
            (colour === 1 && toLine >= (current * current) / (2 * comfortableDeceleration));
          if (stop) {
            const braking = position + step * Math.sqrt(2 * comfortableDeceleration * toLine);
            reach = Math.min(reach, length, braking);
          } else {
            const downstream = lanes[nextLane[vehicle]!]!;
            const last = downstream[downstream.length - 1];
            if (last !== undefined) {
              const lagged = laggedOdometer(last, lagSteps, stepIndex) - linkStart[last]!;
              reach = Math.min(reach, length + lagged - jamSpacing);
            }
          }
        }
        if (wantLane[vehicle]! >= 0) {
          changers.push(vehicle);
          reach = Math.min(reach, zoneEnd);
        }
        for (const asking of yielding) {
          const askingPosition = positionAt(asking, stepIndex) - jamSpacing;
          if (position <= askingPosition) reach = Math.min(reach, askingPosition);
        }
        odometer[vehicle] = odometer[vehicle]! + Math.max(0, reach - position);
      }
    }

    // 2. Stop lines and route ends, lane by lane in a fixed order (it settles who merges first).
    for (let globalLane = 0; globalLane < laneCount; globalLane++) {
      const queue = lanes[globalLane]!;
      const link = net.laneLink[globalLane]!;
      const length = net.linkLength[link]!;
      while (queue.length > 0) {
        const vehicle = queue[0]!;
        const position = odometer[vehicle]! - linkStart[vehicle]!;
        if (position <= length) break;
        const route = routes[vehicle]!;
        if (routeStep[vehicle] === route.length - 1) {
          const before = positionAt(vehicle, stepIndex);
          const fraction = (length - before) / (position - before);
          arrival[vehicle] = time + step * fraction;
          timeLoss[vehicle] =
            timeLoss[vehicle]! +
            Math.max(0, step * fraction - (length - before) / net.laneSpeed[globalLane]!);
          vehicleSeconds += step * fraction;
          status[vehicle] = ARRIVED;
          lane[vehicle] = -1;
          queue.shift();
          arrived++;
          continue;
        }
        const target = nextLane[vehicle]!;
        const downstream = target >= 0 ? lanes[target]! : undefined;
        const last = downstream?.[downstream.length - 1];
        const blocked =
          !downstream ||
          transferredAt[vehicle] === stepIndex ||
          (last !== undefined &&
            odometer[last]! - linkStart[last]! - (position - length) < jamSpacing);
        if (blocked) {
          odometer[vehicle] = linkStart[vehicle]! + length;
          break;
        }
        queue.shift();
        downstream.push(vehicle);
        linkStart[vehicle] = linkStart[vehicle]! + length;
        const movement = routeMovements[vehicle]![routeStep[vehicle]!]!;
        routeStep[vehicle] = routeStep[vehicle]! + 1;
        lane[vehicle] = target;
        transferredAt[vehicle] = stepIndex;
        chooseNext(vehicle);
        observer?.crossing?.({
          vehicle: trips[vehicle]!.id,
          movement: net.movementIds[movement]!,
          signal: net.movementSignal[movement],
          signalGroup: net.movementSignalGroup[movement],
          time,
        });
      }
    }

    // 3. Record the new positions, speeds, stops, waiting and time lost.
    let inNetwork = 0;
    const next = slot(stepIndex + 1);
    for (let globalLane = 0; globalLane < laneCount; globalLane++) {
      const queue = lanes[globalLane]!;
      const freeSpeed = net.laneSpeed[globalLane]!;
      inNetwork += queue.length;
      for (const vehicle of queue) {
        const moved = odometer[vehicle]! - history[vehicle * K + slot(stepIndex)]!;
        const velocity = moved / step;
        speed[vehicle] = velocity;
        history[vehicle * K + next] = odometer[vehicle]!;
        timeLoss[vehicle] = timeLoss[vehicle]! + Math.max(0, step - moved / freeSpeed);
        if (velocity < HALTING_SPEED) {
          waitingTime[vehicle] = waitingTime[vehicle]! + step;
          if (moving[vehicle]) stops[vehicle] = stops[vehicle]! + 1;
          moving[vehicle] = 0;
        } else {
          moving[vehicle] = 1;
        }
      }
    }
    vehicleSeconds += inNetwork * step;

    // 4. Mandatory lane changes, where the target lane has room by Newell's own spacing rule.
    for (const requested of requestedLanes) requests[requested]!.length = 0;
    requestedLanes = [];
    for (const vehicle of changers) {
      if (status[vehicle] !== IN_NETWORK || wantLane[vehicle]! < 0) continue;
      changeLane(vehicle, stepIndex + 1);
    }

    // 5. Insert the vehicles whose time has come, where their first lane has room.
    insertDue(stepIndex + 1);
    if (observer?.step) {
      let onLanes = 0;
      for (const queue of lanes) onLanes += queue.length;
      observer.step({
        time: begin + (stepIndex + 1) * step,
        inserted,
        arrived,
        inNetwork: onLanes,
        waiting: released - inserted,
        lanes: () => snapshotLanes(stepIndex + 1),
      });
    }
  }

  function changeLane(vehicle: number, stepIndex: number): void {
    const from = lane[vehicle]!;
    const to = wantLane[vehicle]!;
    const position = positionAt(vehicle, stepIndex);
    const lagSteps = net.laneLagSteps[to]!;
    const target = lanes[to]!;
    let rank = 0;
    while (rank < target.length && positionAt(target[rank]!, stepIndex) >= position) rank++;
    const leader = target[rank - 1];
    const follower = target[rank];
    let blocker: number | undefined;
    if (leader !== undefined) {
      const gap = positionAt(leader, stepIndex) - position;
      const lagged = laggedOdometer(leader, lagSteps, stepIndex) - linkStart[leader]!;
      if (gap < jamSpacing) blocker = leader;
      else if (lagged - jamSpacing < position) blocker = -1;
    }
    if (follower !== undefined && blocker === undefined) {
      const followerPosition = positionAt(follower, stepIndex);
      const lagged = laggedOdometer(vehicle, lagSteps, stepIndex) - linkStart[vehicle]!;
      if (position - followerPosition < jamSpacing) blocker = follower;
      else if (lagged - jamSpacing < followerPosition) blocker = -1;
    }
    const source = lanes[from]!;
    if (blocker === undefined) {
      source.splice(source.indexOf(vehicle), 1);
      target.splice(rank, 0, vehicle);
      lane[vehicle] = to;
      chooseNext(vehicle);
      return;
    }
    // Two vehicles side by side, each wanting the other's lane: they swap.
    if (
      blocker >= 0 &&
      wantLane[blocker] === from &&
      Math.abs(positionAt(blocker, stepIndex) - position) < 0.5
    ) {
      source[source.indexOf(vehicle)] = blocker;
      target[target.indexOf(blocker)] = vehicle;
      lane[vehicle] = to;
      lane[blocker] = from;
      chooseNext(vehicle);
      chooseNext(blocker);
      return;
    }
    if (speed[vehicle]! < STUCK_SPEED) {
      if (requests[to]!.length === 0) requestedLanes.push(to);
      requests[to]!.push(vehicle);
    }
  }

  return summarize(
    trips,
    { begin, end, step },
    { status, entered, arrival, stops, waitingTime, timeLoss },
    { inserted, arrived, vehicleSeconds, released },
  );
}

function checkOptions(
  options: SimulationOptions,
  step: number,
  jamSpacing: number,
  acceleration: number,
  comfortableDeceleration: number,
): void {
  const problems: string[] = [];
  if (!Number.isFinite(options.begin) || !Number.isFinite(options.end)) {
    problems.push('begin and end must be finite seconds');
  } else if (options.end < options.begin) {
    problems.push(`end (${options.end}) must not be before begin (${options.begin})`);
  }
  if (!(step > 0) || !Number.isFinite(step)) problems.push(`step must be > 0 s, got ${step}`);
  if (!(jamSpacing > 0)) problems.push(`jamSpacing must be > 0 m, got ${jamSpacing}`);
  if (!(acceleration > 0)) problems.push(`acceleration must be > 0 m/s², got ${acceleration}`);
  if (!(comfortableDeceleration > 0)) {
    problems.push(`comfortableDeceleration must be > 0 m/s², got ${comfortableDeceleration}`);
  }
  if (typeof options.rng !== 'function')
    problems.push('rng must be a function, e.g. seededRandom(1)');
  if (problems.length > 0) {
    throw new SimulationError('BAD_OPTIONS', `simulate: ${problems.join('; ')}`);
  }
}

function compileRoute(
  trip: VehicleTrip,
  linkOf: ReadonlyMap<string, number>,
  movementOf: ReadonlyMap<number, number>,
  linkCount: number,
): [Int32Array, Int32Array] {
  if (trip.route.length === 0) {
    throw new SimulationError(
      'EMPTY_ROUTE',
      `simulate: vehicle ${trip.id} has no route; give it at least one link`,
    );
  }
  const route = Int32Array.from(
    trip.route.map((id) => {
      const link = linkOf.get(id);
      if (link === undefined) {
        throw new SimulationError(
          'UNKNOWN_LINK',
          `simulate: vehicle ${trip.id} uses link ${id}, which is not in the network; route it on this network`,
        );
      }
      return link;
    }),
  );
  const movements = new Int32Array(route.length - 1);
  for (let index = 0; index + 1 < route.length; index++) {
    const movement = movementOf.get(route[index]! * linkCount + route[index + 1]!);
    if (movement === undefined) {
      throw new SimulationError(
        'ROUTE_NOT_CONNECTED',
        `simulate: vehicle ${trip.id} goes from ${trip.route[index]} to ${trip.route[index + 1]}, which no movement joins; fix its route`,
      );
    }
    movements[index] = movement;
  }
  return [route, movements];
}

function summarize(
  trips: readonly VehicleTrip[],
  window: { begin: number; end: number; step: number },
  state: {
    status: Uint8Array;
    entered: Float64Array;
    arrival: Float64Array;
    stops: Int32Array;
    waitingTime: Float64Array;
    timeLoss: Float64Array;
  },
  counts: { inserted: number; arrived: number; vehicleSeconds: number; released: number },
): SimulationResult {
  let travelTimeSum = 0;
  let delaySum = 0;
  let stopsSum = 0;
  const results = trips.map((trip, vehicle): VehicleResult => {
    const hasEntered = state.status[vehicle] !== PENDING;
    const hasArrived = state.status[vehicle] === ARRIVED;
    const entered = state.entered[vehicle]!;
    const departDelay = (hasEntered ? entered : window.end) - trip.depart;
    const result: VehicleResult = {
      id: trip.id,
      depart: trip.depart,
      delay: state.timeLoss[vehicle]!,
      departDelay,
      stops: state.stops[vehicle]!,
      waitingTime: state.waitingTime[vehicle]!,
    };
    if (hasEntered) result.entered = entered;
    if (hasArrived) {
      result.arrival = state.arrival[vehicle]!;
      result.travelTime = result.arrival - entered;
      travelTimeSum += result.travelTime;
      delaySum += result.delay + departDelay;
      stopsSum += result.stops;
    }
    return result;
  });
  const { arrived, inserted } = counts;
  // With no arrivals the means are 0, and `arrived` says so: no division by zero.
  const mean = (sum: number) => (arrived > 0 ? sum / arrived : 0);
  return {
    ...window,
    vehicles: results,
    totals: {
      vehicles: trips.length,
      inserted,
      arrived,
      inNetwork: inserted - arrived,
      waiting: trips.length - inserted,
      meanTravelTime: mean(travelTimeSum),
      meanDelay: mean(delaySum),
      meanStops: mean(stopsSum),
      vehicleSeconds: counts.vehicleSeconds,
    },
  };
}
