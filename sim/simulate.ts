// The vehicle-level, lane-based simulator: Newell's car following on every lane, signals by plan.
//
// Car following is Newell's simplified model (2002) with a bounded acceleration:
//   x_i(t + Δt) = min(x_i(t) + min(v_free, v_i(t) + a·Δt)·Δt, x_leader(t + Δt − τ) − δ).
// Why Newell and not Krauss or IDM: its parameters are the triangular fundamental diagram itself
// (free speed, jam spacing δ, wave lag τ), so a lane discharges a queue at exactly
// 3600 / (τ + δ / v_free) veh/h — we set τ from the lane's saturation flow and the saturation
// headway falls out by construction, with no calibration loop. It is collision-free with no
// safety check, needs one min() per vehicle and step, and the update reads only the leader's past,
// so all vehicles move at once in any order (no update-order artefacts, simple typed-array loops).
// The discharge headway after the first few vehicles stays τ + δ / v_free, because each follower
// repeats its leader's trajectory τ later and δ behind. Start-up: the driver first at a stop line
// moves `startReaction` (2.5 s) after the green begins, then accelerates at `a`; with Newell's lag
// behind it the first four vehicles lose 2.0 s against the saturation headway — HCM's default
// start-up lost time l1 (tested). Without it the front vehicle, standing on the line, crossed at
// the green's first step and the approach gained ≈ 2.5 s of green per cycle: against SUMO 1.15 on
// one saturated lane (11.1 m/s, 30 s green) SUMO passed 13.9 vehicles per green, we 16.0, and with
// it 15.0, the long-run headway still the lane's saturation flow as the issue demands (SUMO's
// default Krauss car discharges at 2.1 s ≈ 1,710 veh/h there, the HCM lane 1,816). On the fidelity
// suite it took Jinshui from 0.66/0.57 × SUMO to 0.82/0.87 ×, and atlanta greenwave from 0.79 to
// 0.90 ×. (Rather than re-calibrating SUMO's vType to our saturation flow, which would move the
// coordination suite's SUMO figures, and could not reach the RESCO and Atlanta route files.)
//
// Time step 0.5 s by default: τ is 1.0–1.5 s on urban lanes and must be at least one step (the
// update reads the leader's past only), the leader's lagged position is interpolated between two
// stored steps, yellows of 3 s and all-reds of 2 s are resolved to a sixth or better, and a stop
// line is crossed within half a second of the continuous model. 1 s would quantize a 1.9 s
// saturation headway to 2 s steps and lose all-reds of 1 s; 0.5 s costs twice the work of 1 s and
// is SUMO's usual step for signal studies.
//
// Lanes: a vehicle enters a lane of its first link that serves its first movement, at its trip's
// `departSpeed` (absent: 0 m/s, SUMO's default; `max`: as fast as lane and leader allow), and on
// each crossing takes the movement's toLane that best serves the movement after; when its lane has
// no connection for its next movement it changes to an adjacent lane (mandatory, never in the
// last `laneChangeZone` metres; stuck there, it asks the target lane's followers to yield). A
// vehicle queued behind a front vehicle that is held (red or yellow, or a permissive or minor
// movement waiting for a gap with the junction place taken) while its own movement may go changes
// to an adjacent lane that serves its movement and is not held the same way — SUMO's strategic
// change out of a shared lane blocked by a turning vehicle (on Jinshui, through cars behind a
// protected left lost 772 s against SUMO's 84 s). SUMO splits one pair of links into a movement
// per link index (`a>b@6`, `a>b@7`): a route uses the lanes of all of them, each lane obeying the
// signal group of the movement that owns it.
// Stop lines: red stops a vehicle (braking comfortably when it can), yellow stops it when it can
// stop at `comfortableDeceleration`; green lets it cross when the downstream lane has room —
// spillback comes from the car following itself, the last vehicle downstream being the leader.
//
// Signals: each signal has a controller (signal-control.ts) that walks its plan's stages part by
// part (green, yellow, all-red) on simulated time and writes a colour code per signal group only
// when it changes, so the cost per step is one comparison per signal. A new plan (`setPlan`, or a
// `schedule` row) starts at the end of the current cycle; its first cycles are lengthened or
// shortened by at most `maxCycleAdjustment` of the cycle (greens scaled, never below their
// minimum) until its offset is reached — the "best way" transition of NTCIP 1202 controllers.
//
// Permissive greens (SUMO `g`): the front vehicle of a movement whose green is permissive yields
// to the conflicting movements (conflicting signal groups whose paths cross, or merge into a lane
// both enter) that have a protected green, or a permissive one of higher turn rank: it enters only
// when no conflicting vehicle can reach its stop line within the critical gap after its own
// arrival (the earliest arrival, accelerating at `acceleration` up to the speed limit, so the
// check is never optimistic) and no conflicting vehicle crossed its stop line in the last
// `clearingTime` (1 s: from the stop line to the conflict point). The check runs only for a front
// vehicle close enough to have to decide (braking distance + a step + δ), and scans the
// conflicting approach lanes front first, stopping at the first vehicle too far to matter.
// Without a gap it pulls into the junction when the place there is free (one per approach lane,
// as SUMO's internal-lane wait position), so the vehicles behind it on a shared lane can go on; it
// leaves the junction in a gap, or as soon as its green ends (the change interval clears the
// junction: the one or two "sneakers" per cycle HCM counts). Its stop-line crossing is counted
// when it enters the junction, in the green. Critical gaps stay at 4.5 s for a left turn and 4 s
// for the others (HCM's 4.1 s base for a left turn across one lane, plus its two-stage and
// heavy-vehicle adjustments): on a generated 6×6 grid at 400 veh/h per entry a 3.5 s left-turn gap
// came closer to SUMO (122 vs 127 s/veh; 4.5 s gave 187 s), but on the fidelity suite, with the
// start-up and right-of-way rules, 3.5/3 s took cologne3 (offsets kept) from 1.12 to 0.78 × and
// Jinshui greenwave from 0.81 to 0.83 ×, cologne1 (offsets kept) from 1.08 to 1.01 ×: one row more
// outside the 20 %, so the HCM-based values stay until a SUMO-like arrival-window model replaces them.
//
// Right of way without signals (SUMO priority and right-before-left junctions, read from the
// connections' `state`): a movement whose lanes are `minor`/`stop` yields as on a permissive green
// to the `major` movements it crosses or merges with, an `equal` one to the one from its right.
// A vehicle standing there grows impatient as SUMO's do (`--time-to-impatience`, 180 s): the gap
// it needs shrinks linearly to none, so a minor road is never starved for good.
//
// Dawdling and jam spacing, after SUMO's defaults: drivers cruise `dawdling` (0.65 m/s) below the
// limit — SUMO's Krauss driver dawdles by up to σ·a·Δt a step (0.5 · 2.6 m/s² · 1 s), and its
// timeLoss counts it (on cologne3 vehicles that never stopped lost 6.3 s in SUMO, 2.8 s here) —
// with Newell's lag set from that cruise speed so the saturation flow holds; and the jam spacing
// defaults to the trips' mean length + SUMO's 2.5 m minGap when they give lengths (RESCO's 4.3 m
// cars: 6.8 m, not 7.5 m — a fifth more storage per lane; on cologne1 it took the network's own
// program from 1.30 to 1.04 × SUMO, the departure queue on the 97 m entry 23429231#1 being the gap).
//
// Teleports, as SUMO's `--time-to-teleport`: a vehicle that has stood (below 0.1 m/s) at the
// front of a lane for `timeToTeleport` seconds leaves the lane, travels on along its route at the
// links' free-flow times, and is put back on the first link where there is room at its start; a
// vehicle that finds no room before its route ends arrives there. So an oversaturated network
// does not lock up for good, and runs stay comparable with SUMO's.
//
// Detectors (detection.ts): a count is a vehicle front entering the zone; occupancy is the exact
// time some body (jam spacing − 2.5 m = 5 m, SUMO's car without its standstill gap) overlaps the
// zone, fronts moving linearly within a step; hi-res events carry exact simulated times (phase
// changes at their part boundaries, detector on/off within the step). Detectors and trajectories
// are computed only when asked for, so the default run pays nothing for them; per-movement and
// per-signal outputs cost one add per crossing and per halting vehicle and step.
import type { RoadNetwork } from '../src/network/types.ts';
import type { VehicleTrip } from '../src/demand/types.ts';
import { STOP_LINE_ZONE } from '../src/timing/actuation.ts';
import type { TimingPlan } from '../src/timing/types.ts';
import { checkOptions, checkPlan, checkScheduleEntry, checkedInterval } from './checks.ts';
import { compileNetwork, type CompiledNetwork } from './compile.ts';
import { fleetJamSpacing } from './fleet.ts';
import { DetectorField } from './detection.ts';
import { SimulationError } from './errors.ts';
import {
  ARRIVED,
  IN_JUNCTION,
  IN_NETWORK,
  PENDING,
  TELEPORTING,
  movementCounters,
  summarize,
} from './outputs.ts';
import { timeToCover, yieldTable } from './permissive.ts';
import { compileRoute } from './routes.ts';
import { vehicleArrays, type VehicleArrays } from './vehicles.ts';
import { PERMISSIVE_GREEN, PROTECTED_GREEN, RED, SignalController } from './signal-control.ts';
import type {
  HiResEvent,
  LaneSnapshot,
  Simulation,
  SimulationOptions,
  SimulationResult,
  SteppedSimulationOptions,
  TrajectorySample,
} from './types.ts';

const HALTING_SPEED = 0.1;
/** Below this speed a vehicle that cannot change lanes asks the target lane to yield, m/s. */
const STUCK_SPEED = 1;

/**
 * Simulates `vehicles` on `network` from `begin` to `end` under `plans` (signal id → plan; a signal
 * without one runs its first program). Pure: no I/O, no clock; the same rng sequence gives the same
 * result. The same as `createSimulation(…).advance(end).result()`.
 *
 * @throws {SimulationError} `BAD_OPTIONS`, `UNKNOWN_LINK`, `EMPTY_ROUTE`, `ROUTE_NOT_CONNECTED`,
 *   `MISSING_PLAN`, `UNKNOWN_SIGNAL`, `BAD_PLAN`, `BAD_DETECTOR`.
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
  if (!Number.isFinite(options.end)) {
    throw new SimulationError('BAD_OPTIONS', 'simulate: end must be finite seconds');
  }
  return startSimulation('simulate', network, vehicles, plans, options)
    .advance(options.end)
    .result();
}

/**
 * A simulation to run step by step: `advance` to a time, steer signals with `setPlan`, add
 * demand with `addTrips`, drain detector readings and hi-res events, read `result` at any time.
 * Options as `simulate`'s, but `end` may be left out for a run without end.
 *
 * @throws {SimulationError} as `simulate`; `setPlan` and `activePlan` throw `UNKNOWN_SIGNAL` and
 *   `BAD_PLAN`, `addTrips` the route codes.
 * @example
 * const run = createSimulation(network, trips, plans, { begin: 0, rng: seededRandom(1), detection: {} });
 * run.advance(900);
 * run.setPlan('J1', eveningPlan);
 * run.advance(1800).detectorReadings() // => [{ detector: 'D1', begin: 0, end: 60, count: 12, occupancy: 0.1 }, …]
 */
export function createSimulation(
  network: RoadNetwork,
  vehicles: readonly VehicleTrip[],
  plans: Readonly<Record<string, TimingPlan>>,
  options: SteppedSimulationOptions,
): Simulation {
  return startSimulation('createSimulation', network, vehicles, plans, options);
}

function startSimulation(
  caller: string,
  network: RoadNetwork,
  initialTrips: readonly VehicleTrip[],
  plans: Readonly<Record<string, TimingPlan>>,
  options: SteppedSimulationOptions,
): Simulation {
  const {
    begin,
    end = Infinity,
    step = 0.5,
    rng,
    jamSpacing = fleetJamSpacing(initialTrips),
    acceleration = 2.6,
    comfortableDeceleration = 3,
    laneChangeZone = 20,
    observer,
    schedule = [],
    maxCycleAdjustment = 0.2,
    detection,
    trajectories,
    timeToTeleport = 300,
    criticalGap,
    clearingTime = 1,
    startReaction = 2.5,
    dawdling = 0.65,
    timeToImpatience = 180,
  } = options;
  checkOptions(caller, options, {
    step,
    jamSpacing,
    acceleration,
    comfortableDeceleration,
    maxCycleAdjustment,
    clearingTime,
    startReaction,
    dawdling,
  });
  // Room for one more vehicle, with a micrometre's tolerance: car following leaves a follower at
  // exactly its leader's lagged position − jamSpacing, and a rounding error below that must not
  // read as "no room" (it locked cologne3 up at a spacing of 6.7999… m where 6.8 m did not).
  const roomNeeded = jamSpacing - 1e-6;
  const net = compileNetwork(network, { step, jamSpacing, dawdling });
  const linkCount = net.linkIds.length;
  const laneCount = net.laneLink.length;
  const movementCount = net.movementIds.length;
  const { linkLength, laneLink, laneSpeed, laneCruiseSpeed, laneLagSteps, movementGroup } = net;
  const { routeTargets, routeFromLanes } = net;
  // laneOwner flattened for the hot loop: the owner of lane `l` of movement `m`'s approach.
  const ownerBase = new Int32Array(movementCount);
  let ownerSize = 0;
  net.laneOwner.forEach((owners, movement) => {
    ownerBase[movement] = ownerSize;
    ownerSize += owners.length;
  });
  const ownerFlat = new Int32Array(ownerSize);
  net.laneOwner.forEach((owners, movement) => ownerFlat.set(owners, ownerBase[movement]!));
  const ownerOf = (movement: number, laneIndex: number) =>
    ownerFlat[ownerBase[movement]! + laneIndex]!;
  const {
    yieldTo,
    criticalGap: movementGap,
    yieldsWithoutSignal,
  } = yieldTable(network, net, criticalGap);
  /** Without a signal, a movement that yields by right of way drives as on a permissive green. */
  const unsignalledColour = Uint8Array.from(yieldsWithoutSignal, (yields) =>
    yields ? PERMISSIVE_GREEN : PROTECTED_GREEN,
  );
  const linkFreeFlow = Float64Array.from(net.linkIds, (_, link) => {
    let fastest = 0;
    for (let offset = 0; offset < net.linkLaneCount[link]!; offset++) {
      fastest = Math.max(fastest, laneSpeed[net.linkFirstLane[link]! + offset]!);
    }
    return linkLength[link]! / fastest;
  });

  // Signals: a controller per signal that has a plan; the colour codes the hot loop reads.
  const colourNow = new Uint8Array(net.slotCount);
  /** When each group's green began; −∞ for a green since the start (no driver waits for it). */
  const greenStart = new Float64Array(net.slotCount).fill(-Infinity);
  const entries = [...schedule].sort((a, b) => a.from - b.from);
  for (const entry of entries) checkScheduleEntry(caller, entry, net.signalOf);
  const controllers: SignalController[] = [];
  const controllerOf = new Map<string, SignalController>();
  /** Whether any controller has run or been given an actuated plan: stop-line calls are kept from then on. */
  let calling = false;
  const planAtBegin = (signal: string): TimingPlan | undefined => {
    let plan = plans[signal];
    for (const entry of entries) if (entry.from <= begin) plan = entry.plans[signal] ?? plan;
    return plan ?? network.getAttribute('signals')[signal]?.programs[0];
  };
  const addController = (signal: string, plan: TimingPlan, at: number): SignalController => {
    checkPlan(caller, signal, plan);
    const compiled = net.signals[net.signalOf.get(signal)!]!;
    const controller = new SignalController(signal, compiled.groups, plan, at, maxCycleAdjustment);
    controller.start(colourNow);
    controllers.push(controller);
    controllerOf.set(signal, controller);
    calling ||= controller.actuated;
    return controller;
  };
  for (const signal of net.signals) {
    const plan = planAtBegin(signal.id);
    if (plan) addController(signal.id, plan, begin);
    else if (signal.movements.length > 0) {
      throw new SimulationError(
        'MISSING_PLAN',
        `${caller}: signal ${signal.id} has no plan; pass one in plans["${signal.id}"] or load a network with its programs`,
      );
    }
  }
  let nextEntry = entries.findIndex((entry) => entry.from > begin);
  if (nextEntry < 0) nextEntry = entries.length;

  const hiRes = detection !== undefined && (detection.hiRes ?? true);
  const field = detection
    ? new DetectorField(network, net, {
        detectors: detection.detectors ?? [],
        interval: checkedInterval(caller, detection.interval ?? 60),
        hiRes,
        begin,
        step,
        jamSpacing,
      })
    : undefined;
  const detectorLanes: number[] = [];
  /** Where the first detection zone of each lane starts: a front behind it touches none. */
  const laneFirstZone = new Float64Array(laneCount).fill(Infinity);
  field?.laneDetectors.forEach((detectors, globalLane) => {
    if (detectors.length === 0) return;
    detectorLanes.push(globalLane);
    for (const detector of detectors) {
      laneFirstZone[globalLane] = Math.min(laneFirstZone[globalLane]!, field.zoneStartOf(detector));
    }
  });
  const events: HiResEvent[] = [];
  const eventSink = hiRes ? events : undefined;

  // Stop-line presence for actuated plans: by colour slot, the last time a vehicle was in a zone;
  // kept only once some controller runs or awaits an actuated plan (`calling`).
  const lastCall = new Float64Array(net.slotCount).fill(-Infinity);
  // Lanes with a stop-line zone, and by index the colour slots each calls (no lookup per step).
  const laneSlots = signalledLaneSlots(net);
  const callLanes = [...laneSlots.keys()];
  const callSlots = [...laneSlots.values()];

  const trajectoryLanes: number[] = [];
  const trajectorySamples: TrajectorySample[] | undefined = trajectories ? [] : undefined;
  const trajectoryEvery = Math.max(1, Math.round((trajectories?.every ?? step) / step));
  if (trajectories) {
    const tracked = new Set(trajectories.links ?? net.linkIds);
    for (const link of tracked) {
      if (!net.linkOf.has(link)) {
        throw new SimulationError(
          'UNKNOWN_LINK',
          `${caller}: trajectories.links names ${link}, which is not in the network`,
        );
      }
    }
    for (let globalLane = 0; globalLane < laneCount; globalLane++) {
      if (tracked.has(net.linkIds[laneLink[globalLane]!]!)) trajectoryLanes.push(globalLane);
    }
  }

  // Vehicles: typed arrays that grow when trips are added.
  let longestLag = 1;
  for (const lag of laneLagSteps) longestLag = Math.max(longestLag, lag);
  const K = Math.ceil(longestLag) + 2;
  const trips: VehicleTrip[] = [];
  const routes: Int32Array[] = [];
  const routeMovements: Int32Array[] = [];

  const lanes: number[][] = Array.from({ length: laneCount }, () => []);
  const requests: number[][] = Array.from({ length: laneCount }, () => []);
  let requestedLanes: number[] = [];
  const entryQueues: number[][] = Array.from({ length: linkCount }, () => []);
  const entryHead = new Int32Array(linkCount);
  let entryLinks: number[] = [];
  let departures: number[] = [];
  let departureHead = 0;
  const transit: number[] = [];
  const lastCrossing = new Float64Array(movementCount).fill(-Infinity);
  /** The vehicle waiting in the junction for a gap, by the approach lane it came from; −1 when none. */
  const junctionSlot = new Int32Array(laneCount).fill(-1);
  /**
   * 1 when the front vehicle of the lane stands at its stop line on red or yellow, or waits for a
   * gap with the junction place taken, this step.
   */
  const headHeld = new Uint8Array(laneCount);
  const junctionLanes: number[] = [];
  const counters = movementCounters(net);
  const { queueSum, queueMax, signalQueueSum, signalQueueMax, throughput } = counters;
  const { delay: movementDelay, stops: movementStops } = counters;
  /** Halting vehicles this step by movement and by signal, and which ones have any. */
  const halting = new Int32Array(movementCount);
  const haltingMovements: number[] = [];
  const signalHalting = new Int32Array(net.signals.length);
  const haltingSignals: number[] = [];
  /** Lanes whose front vehicle has stood `timeToTeleport` seconds, this step. */
  const stuckLanes: number[] = [];
  const teleportAfter = timeToTeleport > 0 ? timeToTeleport - 1e-9 : Infinity;

  let stepIndex = 0;
  const stepCount = Number.isFinite(end) ? Math.max(0, Math.round((end - begin) / step)) : Infinity;
  let inserted = 0;
  let arrived = 0;
  let released = 0;
  let vehicleSeconds = 0;
  let teleports = 0;

  const addTrips = (list: readonly VehicleTrip[]) => {
    const due = list
      .map((trip, order) => ({ trip, order }))
      .filter(({ trip }) => trip.depart >= begin && trip.depart < end)
      .sort((a, b) => a.trip.depart - b.trip.depart || a.order - b.order)
      .map(({ trip }) => trip);
    const compiled = due.map((trip) =>
      compileRoute(caller, trip, net.linkOf, net.movementOf, linkCount),
    );
    grow(trips.length + due.length);
    let newEntry = false;
    due.forEach((trip, index) => {
      const vehicle = trips.length;
      trips.push(trip);
      routes.push(compiled[index]![0]);
      routeMovements.push(compiled[index]![1]);
      const link = compiled[index]![0][0]!;
      const queue = entryQueues[link]!;
      if (entryHead[link] === queue.length) newEntry = true;
      let position = queue.length;
      while (position > entryHead[link]! && trips[queue[position - 1]!]!.depart > trip.depart) {
        position--;
      }
      queue.splice(position, 0, vehicle);
    });
    if (newEntry) {
      entryLinks = entryQueues.flatMap((queue, link) =>
        entryHead[link]! < queue.length ? [link] : [],
      );
    }
    departures = [...departures.slice(departureHead), ...due.map((trip) => trip.depart)].sort(
      (a, b) => a - b,
    );
    departureHead = 0;
  };

  /**
   * The hot loop, bound to one set of vehicle arrays as constants; bound again when they grow.
   */
  function bindEngine(state: VehicleArrays) {
    const {
      history,
      odometer,
      linkStart,
      speed,
      lane,
      routeStep,
      nextLane,
      wantLane,
      status,
      moving,
      transferredAt,
      entered,
      arrival,
      stops,
      waitingTime,
      timeLoss,
      stillFor,
      entersJunction,
      lossAtEntry,
      stopsAtEntry,
      transitIndex,
      transitProceed,
    } = state;
    const teleportCount = state.teleports;
    const slot = (index: number) => ((index % K) + K) % K;
    /** Odometer of `vehicle` at step `index + 1 − lagSteps` (the time Newell's leader term reads). */
    const laggedOdometer = (vehicle: number, lagSteps: number, index: number): number => {
      const moment = index + 1 - lagSteps;
      const before = Math.floor(moment);
      const fraction = moment - before;
      const base = vehicle * K;
      const first = history[base + slot(before)]!;
      return fraction === 0
        ? first
        : first + (history[base + slot(before + 1)]! - first) * fraction;
    };
    const positionAt = (vehicle: number, index: number) =>
      history[vehicle * K + slot(index)]! - linkStart[vehicle]!;
    /** How many lanes a vehicle on `globalLane` must cross to make `movement` (0 when none is next). */
    const lanesAway = (globalLane: number, movement: number): number => {
      if (movement < 0) return 0;
      const laneIndex = net.laneIndex[globalLane]!;
      let best = Infinity;
      for (const from of routeFromLanes[movement]!) {
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
      const targets = routeTargets[movement]![laneIndex]!;
      if (targets.length > 0) {
        const after = index + 1 < movements.length ? movements[index + 1]! : -1;
        const candidates = [...targets];
        nextLane[vehicle] = pickBest(
          candidates,
          candidates.map((target) => lanesAway(target, after)),
        );
        return;
      }
      const froms = [...routeFromLanes[movement]!];
      const goal = pickBest(
        froms,
        froms.map((from) => Math.abs(from - laneIndex)),
      );
      wantLane[vehicle] = current + Math.sign(goal - laneIndex);
    };

    /** Puts `vehicle` at the start of link `routeIndex` of its route, on the best lane with room. */
    const place = (vehicle: number, routeIndex: number, index: number, time: number): boolean => {
      const link = routes[vehicle]![routeIndex]!;
      const movements = routeMovements[vehicle]!;
      const movement = routeIndex < movements.length ? movements[routeIndex]! : -1;
      const first = net.linkFirstLane[link]!;
      const laneIndices =
        movement >= 0
          ? [...routeFromLanes[movement]!]
          : Array.from({ length: net.linkLaneCount[link]! }, (_, laneIndex) => laneIndex);
      const candidates: number[] = [];
      const scores: number[] = [];
      const speeds: number[] = [];
      const after = routeIndex + 1 < movements.length ? movements[routeIndex + 1]! : -1;
      for (const laneIndex of laneIndices) {
        const candidate = first + laneIndex;
        const queue = lanes[candidate]!;
        const freeSpeed = laneCruiseSpeed[candidate]!;
        let entrySpeed = freeSpeed;
        const last = queue[queue.length - 1];
        if (last !== undefined) {
          const lagSteps = laneLagSteps[candidate]!;
          const position = positionAt(last, index);
          const lagged = laggedOdometer(last, lagSteps, index) - linkStart[last]!;
          if (position < roomNeeded || lagged < roomNeeded) continue;
          entrySpeed = Math.min(freeSpeed, (position - jamSpacing) / (lagSteps * step));
        }
        let lookAhead = 0;
        if (movement >= 0) {
          lookAhead = Infinity;
          for (const target of routeTargets[movement]![laneIndex]!) {
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
      // A new vehicle enters at its depart speed (SUMO's default 0); a teleported one as fast as it may.
      const allowed = speeds[candidates.indexOf(chosen)]!;
      const departSpeed = trips[vehicle]!.departSpeed;
      const entrySpeed =
        status[vehicle] !== PENDING || departSpeed === 'max'
          ? allowed
          : Math.min(allowed, departSpeed ?? 0);
      lanes[chosen]!.push(vehicle);
      lane[vehicle] = chosen;
      odometer[vehicle] = 0;
      linkStart[vehicle] = 0;
      for (let back = 0; back < K; back++) {
        history[vehicle * K + slot(index - back)] = -entrySpeed * back * step;
      }
      speed[vehicle] = entrySpeed;
      moving[vehicle] = entrySpeed >= HALTING_SPEED ? 1 : 0;
      stillFor[vehicle] = 0;
      lossAtEntry[vehicle] = timeLoss[vehicle]!;
      stopsAtEntry[vehicle] = stops[vehicle]!;
      if (status[vehicle] === PENDING) {
        entered[vehicle] = time;
        inserted++;
      }
      status[vehicle] = IN_NETWORK;
      routeStep[vehicle] = routeIndex;
      chooseNext(vehicle);
      return true;
    };

    const insertDue = (index: number) => {
      const time = begin + index * step;
      while (departureHead < departures.length && departures[departureHead]! <= time) {
        departureHead++;
        released++;
      }
      for (const link of entryLinks) {
        const queue = entryQueues[link]!;
        let head = entryHead[link]!;
        while (head < queue.length && trips[queue[head]!]!.depart <= time) {
          if (!place(queue[head]!, 0, index, time)) break;
          head++;
        }
        entryHead[link] = head;
      }
    };

    /** Sends a vehicle taken off its lane or junction on along its route, off the lanes. */
    const teleport = (vehicle: number, time: number) => {
      status[vehicle] = TELEPORTING;
      entersJunction[vehicle] = 0;
      lane[vehicle] = -1;
      nextLane[vehicle] = -1;
      wantLane[vehicle] = -1;
      stillFor[vehicle] = 0;
      teleportCount[vehicle] = teleportCount[vehicle]! + 1;
      teleports++;
      const routeIndex = routeStep[vehicle]! + 1;
      transitIndex[vehicle] = routeIndex;
      const route = routes[vehicle]!;
      transitProceed[vehicle] =
        time + (routeIndex < route.length ? linkFreeFlow[route[routeIndex]!]! : 0);
      transit.push(vehicle);
    };

    /** Puts teleported vehicles back where there is room, or lets them arrive at their route's end. */
    const landTeleported = (index: number) => {
      const time = begin + index * step;
      for (let position = 0; position < transit.length;) {
        const vehicle = transit[position]!;
        const route = routes[vehicle]!;
        const routeIndex = transitIndex[vehicle]!;
        let done = false;
        if (routeIndex < route.length && place(vehicle, routeIndex, index, time)) done = true;
        else if (time >= transitProceed[vehicle]!) {
          if (routeIndex + 1 >= route.length) {
            arrival[vehicle] = transitProceed[vehicle]!;
            status[vehicle] = ARRIVED;
            arrived++;
            done = true;
          } else {
            transitIndex[vehicle] = routeIndex + 1;
            transitProceed[vehicle] =
              transitProceed[vehicle]! + linkFreeFlow[route[routeIndex + 1]!]!;
          }
        }
        if (done) {
          transit[position] = transit[transit.length - 1]!;
          transit.pop();
        } else position++;
      }
    };

    /**
     * Whether a vehicle of permissive `movement`, `toLine` metres from its stop line, may enter;
     * `waited` seconds standing make it impatient: the gap it needs shrinks to none at
     * `timeToImpatience`, as SUMO's impatience makes its minor vehicles force their way in.
     */
    const gapAccepted = (
      movement: number,
      toLine: number,
      current: number,
      freeSpeed: number,
      time: number,
      index: number,
      waited: number,
    ): boolean => {
      const impatience =
        timeToImpatience > 0 && movementGroup[movement]! < 0
          ? Math.min(1, waited / timeToImpatience)
          : 0;
      const horizon =
        timeToCover(toLine, current, acceleration, freeSpeed) +
        movementGap[movement]! * (1 - impatience);
      const conflicts = yieldTo[movement]!;
      for (let pair = 0; pair < conflicts.length; pair += 2) {
        const other = conflicts[pair]!;
        const otherGroup = movementGroup[other]!;
        const otherColour = otherGroup < 0 ? unsignalledColour[other]! : colourNow[otherGroup]!;
        if (otherColour < PERMISSIVE_GREEN) continue;
        if (otherColour === PERMISSIVE_GREEN && conflicts[pair + 1] === 0) continue;
        if (time - lastCrossing[other]! < clearingTime) return false;
        const length = linkLength[net.movementFrom[other]!]!;
        for (const globalLane of net.movementFromGlobal[other]!) {
          const reachable = laneSpeed[globalLane]! * horizon;
          for (const vehicle of lanes[globalLane]!) {
            const distance = length - positionAt(vehicle, index);
            if (distance > reachable) break;
            // A vehicle ending its route on this link crosses no stop line (undefined movement).
            const routed = routeMovements[vehicle]![routeStep[vehicle]!];
            if (routed === undefined || ownerOf(routed, net.laneIndex[globalLane]!) !== other) {
              continue;
            }
            const arrives = timeToCover(
              distance,
              speed[vehicle]!,
              acceleration,
              laneSpeed[globalLane]!,
            );
            if (arrives < horizon) return false;
          }
        }
      }
      return true;
    };

    /** The vehicle left `globalLane` during the step: its last stretch on the lane's detectors. */
    const observeLeaving = (vehicle: number, globalLane: number, index: number, to: number) => {
      const from = positionAt(vehicle, index);
      for (const detector of field!.laneDetectors[globalLane]!) field!.observe(detector, from, to);
    };

    const snapshotLanes = (index: number): LaneSnapshot[] =>
      lanes.map((queue, globalLane) => ({
        link: net.linkIds[laneLink[globalLane]!]!,
        lane: net.laneIndex[globalLane]!,
        length: linkLength[laneLink[globalLane]!]!,
        vehicles: queue.map((vehicle) => trips[vehicle]!.id),
        positions: queue.map((vehicle) => positionAt(vehicle, index)),
      }));

    /** Marks the groups whose stop-line zone a vehicle's front is in at `time`. */
    const updateCalls = (time: number) => {
      for (let index = 0; index < callLanes.length; index++) {
        const globalLane = callLanes[index]!;
        const front = lanes[globalLane]![0];
        if (front === undefined) continue;
        const toLine = linkLength[laneLink[globalLane]!]! - (odometer[front]! - linkStart[front]!);
        if (toLine > STOP_LINE_ZONE) continue;
        for (const slot of callSlots[index]!) lastCall[slot] = time;
      }
    };

    const changers: number[] = [];
    /** Slow vehicles behind a held front vehicle, this step. */
    const blockedBehind: number[] = [];
    const runStep = () => {
      const index = stepIndex;
      const time = begin + index * step;
      while (nextEntry < entries.length && entries[nextEntry]!.from <= time) {
        for (const [signal, plan] of Object.entries(entries[nextEntry]!.plans)) {
          applyPlan(signal, plan);
        }
        nextEntry++;
      }
      if (calling) updateCalls(time);
      for (const controller of controllers)
        controller.advanceTo(time, colourNow, eventSink, greenStart, lastCall);

      // 1. Move every vehicle: it reads only the past of others, so the order does not matter.
      changers.length = 0;
      blockedBehind.length = 0;
      for (let globalLane = 0; globalLane < laneCount; globalLane++) {
        const queue = lanes[globalLane]!;
        headHeld[globalLane] = 0;
        if (queue.length === 0) continue;
        const link = laneLink[globalLane]!;
        const length = linkLength[link]!;
        const freeSpeed = laneSpeed[globalLane]!;
        const cruiseSpeed = laneCruiseSpeed[globalLane]!;
        const lagSteps = laneLagSteps[globalLane]!;
        const zoneEnd = length - Math.min(laneChangeZone, length / 2);
        const yielding = requests[globalLane]!;
        for (let rank = 0; rank < queue.length; rank++) {
          const vehicle = queue[rank]!;
          const position = odometer[vehicle]! - linkStart[vehicle]!;
          const current = speed[vehicle]!;
          let reach = position + Math.min(cruiseSpeed, current + acceleration * step) * step;
          if (rank > 0) {
            const leader = queue[rank - 1]!;
            reach = Math.min(
              reach,
              laggedOdometer(leader, lagSteps, index) - linkStart[leader]! - jamSpacing,
            );
          } else if (nextLane[vehicle]! >= 0) {
            const movement = ownerOf(
              routeMovements[vehicle]![routeStep[vehicle]!]!,
              net.laneIndex[globalLane]!,
            );
            const group = movementGroup[movement]!;
            const colour = group < 0 ? unsignalledColour[movement]! : colourNow[group]!;
            // A vehicle held at the stop line may stand a rounding error beyond it.
            const toLine = Math.max(0, length - position);
            let stop =
              colour === RED ||
              // The driver first at a stop line reacts to the green only after a reaction time.
              (current < HALTING_SPEED &&
                group >= 0 &&
                time - greenStart[group]! < startReaction) ||
              (colour < PERMISSIVE_GREEN &&
                toLine >= (current * current) / (2 * comfortableDeceleration));
            entersJunction[vehicle] = 0;
            if (colour < PERMISSIVE_GREEN && current < HALTING_SPEED) headHeld[globalLane] = 1;
            if (
              colour === PERMISSIVE_GREEN &&
              yieldTo[movement]!.length > 0 &&
              toLine <=
                (current * current) / (2 * comfortableDeceleration) +
                  freeSpeed * step +
                  jamSpacing &&
              !gapAccepted(movement, toLine, current, freeSpeed, time, index, stillFor[vehicle]!)
            ) {
              // No gap: pull into the junction to wait there when its place is free, else wait here.
              if (junctionSlot[globalLane]! < 0) entersJunction[vehicle] = 1;
              else {
                stop = true;
                if (current < HALTING_SPEED) headHeld[globalLane] = 1;
              }
            }
            if (stop) {
              const braking = position + step * Math.sqrt(2 * comfortableDeceleration * toLine);
              reach = Math.min(reach, length, braking);
            } else {
              const downstream = lanes[nextLane[vehicle]!]!;
              const last = downstream[downstream.length - 1];
              if (last !== undefined) {
                const lagged = laggedOdometer(last, lagSteps, index) - linkStart[last]!;
                reach = Math.min(reach, length + lagged - jamSpacing);
              }
            }
          }
          if (wantLane[vehicle]! >= 0) {
            changers.push(vehicle);
            reach = Math.min(reach, zoneEnd);
          } else if (rank > 0 && current < STUCK_SPEED && headHeld[globalLane]) {
            blockedBehind.push(vehicle);
          }
          for (const asking of yielding) {
            const askingPosition = positionAt(asking, index) - jamSpacing;
            if (position <= askingPosition) reach = Math.min(reach, askingPosition);
          }
          odometer[vehicle] = odometer[vehicle]! + Math.max(0, reach - position);
        }
      }

      // 2. Stop lines and route ends, lane by lane in a fixed order (it settles who merges first).
      for (let globalLane = 0; globalLane < laneCount; globalLane++) {
        const queue = lanes[globalLane]!;
        const link = laneLink[globalLane]!;
        const length = linkLength[link]!;
        while (queue.length > 0) {
          const vehicle = queue[0]!;
          const position = odometer[vehicle]! - linkStart[vehicle]!;
          if (position <= length) break;
          const route = routes[vehicle]!;
          if (routeStep[vehicle] === route.length - 1) {
            if (field) observeLeaving(vehicle, globalLane, index, position);
            const before = positionAt(vehicle, index);
            const fraction = (length - before) / (position - before);
            arrival[vehicle] = time + step * fraction;
            timeLoss[vehicle] =
              timeLoss[vehicle]! +
              Math.max(0, step * fraction - (length - before) / laneSpeed[globalLane]!);
            vehicleSeconds += step * fraction;
            status[vehicle] = ARRIVED;
            lane[vehicle] = -1;
            queue.shift();
            arrived++;
            continue;
          }
          const target = nextLane[vehicle]!;
          const movement = ownerOf(
            routeMovements[vehicle]![routeStep[vehicle]!]!,
            net.laneIndex[globalLane]!,
          );
          if (entersJunction[vehicle] && junctionSlot[globalLane]! < 0) {
            if (field) observeLeaving(vehicle, globalLane, index, position);
            queue.shift();
            odometer[vehicle] = linkStart[vehicle]! + length;
            junctionSlot[globalLane] = vehicle;
            junctionLanes.push(globalLane);
            status[vehicle] = IN_JUNCTION;
            entersJunction[vehicle] = 0;
            crossStopLine(vehicle, movement, globalLane, time);
            continue;
          }
          const downstream = target >= 0 ? lanes[target]! : undefined;
          const last = downstream?.[downstream.length - 1];
          const blocked =
            !downstream ||
            transferredAt[vehicle] === index ||
            (last !== undefined &&
              odometer[last]! - linkStart[last]! - (position - length) < roomNeeded);
          if (blocked) {
            odometer[vehicle] = linkStart[vehicle]! + length;
            break;
          }
          if (field) observeLeaving(vehicle, globalLane, index, position);
          queue.shift();
          crossStopLine(vehicle, movement, globalLane, time);
          enterLane(vehicle, target, length, index);
        }
      }
      if (junctionLanes.length > 0) leaveJunctions(index, time);

      // 3. Record the new positions, speeds, stops, waiting, time lost and queues.
      let inNetwork = 0;
      const next = slot(index + 1);
      stuckLanes.length = 0;
      for (let globalLane = 0; globalLane < laneCount; globalLane++) {
        const queue = lanes[globalLane]!;
        if (queue.length === 0) continue;
        const freeSpeed = laneSpeed[globalLane]!;
        inNetwork += queue.length;
        for (const vehicle of queue) {
          const moved = odometer[vehicle]! - history[vehicle * K + slot(index)]!;
          const velocity = moved / step;
          speed[vehicle] = velocity;
          history[vehicle * K + next] = odometer[vehicle]!;
          timeLoss[vehicle] = timeLoss[vehicle]! + Math.max(0, step - moved / freeSpeed);
          if (velocity < HALTING_SPEED) {
            waitingTime[vehicle] = waitingTime[vehicle]! + step;
            stillFor[vehicle] = stillFor[vehicle]! + step;
            if (moving[vehicle]) stops[vehicle] = stops[vehicle]! + 1;
            moving[vehicle] = 0;
            const movements = routeMovements[vehicle]!;
            const routeIndex = routeStep[vehicle]!;
            if (routeIndex < movements.length) {
              const routed = movements[routeIndex]!;
              const owner = ownerOf(routed, net.laneIndex[globalLane]!);
              const movement = owner >= 0 ? owner : routed;
              if (halting[movement] === 0) haltingMovements.push(movement);
              halting[movement] = halting[movement]! + 1;
            }
          } else {
            moving[vehicle] = 1;
            stillFor[vehicle] = 0;
          }
        }
        if (stillFor[queue[0]!]! >= teleportAfter) stuckLanes.push(globalLane);
      }
      vehicleSeconds += (inNetwork + junctionLanes.length) * step;
      recordQueues();
      if (field) {
        detect(index);
        field.endStep(time, eventSink);
      }
      if (trajectorySamples && (index + 1) % trajectoryEvery === 0) sample(index + 1);
      for (const globalLane of stuckLanes) teleport(lanes[globalLane]!.shift()!, time + step);
      if (junctionLanes.length > 0) {
        for (let position = 0; position < junctionLanes.length;) {
          const globalLane = junctionLanes[position]!;
          const vehicle = junctionSlot[globalLane]!;
          if (stillFor[vehicle]! < teleportAfter) {
            position++;
            continue;
          }
          junctionSlot[globalLane] = -1;
          junctionLanes[position] = junctionLanes[junctionLanes.length - 1]!;
          junctionLanes.pop();
          teleport(vehicle, time + step);
        }
      }

      // 4. Mandatory lane changes, where the target lane has room by Newell's own spacing rule.
      for (const requested of requestedLanes) requests[requested]!.length = 0;
      requestedLanes = [];
      for (const vehicle of changers) {
        if (status[vehicle] !== IN_NETWORK || wantLane[vehicle]! < 0) continue;
        changeLane(vehicle, wantLane[vehicle]!, index + 1, true);
      }
      for (const vehicle of blockedBehind) {
        if (status[vehicle] !== IN_NETWORK || wantLane[vehicle]! >= 0) continue;
        leaveBlockedLane(vehicle, index + 1);
      }

      // 5. Put teleported vehicles back, and insert the vehicles whose time has come.
      if (transit.length > 0) landTeleported(index + 1);
      insertDue(index + 1);
      stepIndex = index + 1;
      if (observer?.step) {
        let onLanes = 0;
        for (const queue of lanes) onLanes += queue.length;
        observer.step({
          time: begin + (index + 1) * step,
          inserted,
          arrived,
          inNetwork: onLanes,
          inJunction: junctionLanes.length,
          waiting: released - inserted,
          teleporting: transit.length,
          lanes: () => snapshotLanes(index + 1),
        });
      }
    };

    /** Counts a stop-line crossing: movement outputs, the conflict clock, the observer. */
    const crossStopLine = (vehicle: number, movement: number, globalLane: number, time: number) => {
      throughput[movement] = throughput[movement]! + 1;
      movementDelay[movement] =
        movementDelay[movement]! + timeLoss[vehicle]! - lossAtEntry[vehicle]!;
      movementStops[movement] = movementStops[movement]! + stops[vehicle]! - stopsAtEntry[vehicle]!;
      lossAtEntry[vehicle] = timeLoss[vehicle]!;
      stopsAtEntry[vehicle] = stops[vehicle]!;
      lastCrossing[movement] = time;
      observer?.crossing?.({
        vehicle: trips[vehicle]!.id,
        movement: net.movementIds[movement]!,
        from: net.linkIds[laneLink[globalLane]!]!,
        lane: net.laneIndex[globalLane]!,
        signal: net.movementSignal[movement],
        signalGroup: net.movementSignalGroup[movement],
        time,
      });
    };

    /** Moves a vehicle that has left link `length` metres long onto `target`, its next lane. */
    const enterLane = (vehicle: number, target: number, length: number, index: number) => {
      lanes[target]!.push(vehicle);
      linkStart[vehicle] = linkStart[vehicle]! + length;
      routeStep[vehicle] = routeStep[vehicle]! + 1;
      lane[vehicle] = target;
      status[vehicle] = IN_NETWORK;
      transferredAt[vehicle] = index;
      chooseNext(vehicle);
    };

    /**
     * Vehicles waiting in the junction for a gap: one goes on when its green still lets it and a gap
     * comes, or at once when its green has ended (the change interval clears the junction), as soon
     * as its next lane has room; meanwhile it stands, losing time.
     */
    const leaveJunctions = (index: number, time: number) => {
      for (let position = 0; position < junctionLanes.length;) {
        const globalLane = junctionLanes[position]!;
        const vehicle = junctionSlot[globalLane]!;
        const movement = ownerOf(
          routeMovements[vehicle]![routeStep[vehicle]!]!,
          net.laneIndex[globalLane]!,
        );
        const group = movementGroup[movement]!;
        const colour = group < 0 ? unsignalledColour[movement]! : colourNow[group]!;
        const target = nextLane[vehicle]!;
        const downstream = lanes[target]!;
        const last = downstream[downstream.length - 1];
        const room =
          last === undefined ||
          (positionAt(last, index) >= roomNeeded &&
            odometer[last]! - linkStart[last]! >= roomNeeded);
        const length = linkLength[laneLink[globalLane]!]!;
        if (
          room &&
          (colour !== PERMISSIVE_GREEN ||
            gapAccepted(movement, 0, 0, laneSpeed[globalLane]!, time, index, stillFor[vehicle]!))
        ) {
          junctionSlot[globalLane] = -1;
          junctionLanes[position] = junctionLanes[junctionLanes.length - 1]!;
          junctionLanes.pop();
          enterLane(vehicle, target, length, index);
          continue;
        }
        speed[vehicle] = 0;
        history[vehicle * K + slot(index + 1)] = odometer[vehicle]!;
        timeLoss[vehicle] = timeLoss[vehicle]! + step;
        waitingTime[vehicle] = waitingTime[vehicle]! + step;
        stillFor[vehicle] = stillFor[vehicle]! + step;
        if (moving[vehicle]) stops[vehicle] = stops[vehicle]! + 1;
        moving[vehicle] = 0;
        position++;
      }
    };

    const recordQueues = () => {
      counters.samples++;
      for (const movement of haltingMovements) {
        const count = halting[movement]!;
        halting[movement] = 0;
        queueSum[movement] = queueSum[movement]! + count;
        if (count > queueMax[movement]!) queueMax[movement] = count;
        const signal = net.movementSignalIndex[movement]!;
        if (signal < 0) continue;
        if (signalHalting[signal] === 0) haltingSignals.push(signal);
        signalHalting[signal] = signalHalting[signal]! + count;
      }
      haltingMovements.length = 0;
      for (const signal of haltingSignals) {
        const count = signalHalting[signal]!;
        signalHalting[signal] = 0;
        signalQueueSum[signal] = signalQueueSum[signal]! + count;
        if (count > signalQueueMax[signal]!) signalQueueMax[signal] = count;
      }
      haltingSignals.length = 0;
    };

    /** Each vehicle on a detector lane: from where its front was to where it is (front first). */
    const detect = (index: number) => {
      for (const globalLane of detectorLanes) {
        const detectors = field!.laneDetectors[globalLane]!;
        const firstZone = laneFirstZone[globalLane]!;
        for (const vehicle of lanes[globalLane]!) {
          const to = odometer[vehicle]! - linkStart[vehicle]!;
          if (to <= firstZone) break;
          const from = positionAt(vehicle, index);
          for (const detector of detectors) field!.observe(detector, from, to);
        }
      }
    };

    const sample = (index: number) => {
      const time = begin + index * step;
      for (const globalLane of trajectoryLanes) {
        const link = net.linkIds[laneLink[globalLane]!]!;
        for (const vehicle of lanes[globalLane]!) {
          trajectorySamples!.push({
            time,
            vehicle: trips[vehicle]!.id,
            link,
            lane: net.laneIndex[globalLane]!,
            position: odometer[vehicle]! - linkStart[vehicle]!,
            speed: speed[vehicle]!,
          });
        }
      }
    };

    /**
     * Moves `vehicle` to lane `to` of its link when Newell's spacing rule leaves room there; a
     * mandatory change (`wantLane`) may also swap with a vehicle side by side wanting its lane, or
     * ask the target lane to make room. Whether it moved.
     */
    function changeLane(vehicle: number, to: number, index: number, mandatory: boolean): boolean {
      const from = lane[vehicle]!;
      const position = positionAt(vehicle, index);
      const lagSteps = laneLagSteps[to]!;
      const target = lanes[to]!;
      let rank = 0;
      while (rank < target.length && positionAt(target[rank]!, index) >= position) rank++;
      const leader = target[rank - 1];
      const follower = target[rank];
      let blocker: number | undefined;
      if (leader !== undefined) {
        const gap = positionAt(leader, index) - position;
        const lagged = laggedOdometer(leader, lagSteps, index) - linkStart[leader]!;
        if (gap < roomNeeded) blocker = leader;
        else if (lagged - jamSpacing < position) blocker = -1;
      }
      if (follower !== undefined && blocker === undefined) {
        const followerPosition = positionAt(follower, index);
        const lagged = laggedOdometer(vehicle, lagSteps, index) - linkStart[vehicle]!;
        if (position - followerPosition < roomNeeded) blocker = follower;
        else if (lagged - jamSpacing < followerPosition) blocker = -1;
      }
      const source = lanes[from]!;
      if (blocker === undefined) {
        source.splice(source.indexOf(vehicle), 1);
        target.splice(rank, 0, vehicle);
        lane[vehicle] = to;
        chooseNext(vehicle);
        return true;
      }
      if (!mandatory) return false;
      // Two vehicles side by side, each wanting the other's lane: they swap.
      if (
        blocker >= 0 &&
        wantLane[blocker] === from &&
        Math.abs(positionAt(blocker, index) - position) < 0.5
      ) {
        source[source.indexOf(vehicle)] = blocker;
        target[target.indexOf(blocker)] = vehicle;
        lane[vehicle] = to;
        lane[blocker] = from;
        chooseNext(vehicle);
        chooseNext(blocker);
        return true;
      }
      if (speed[vehicle]! < STUCK_SPEED) {
        if (requests[to]!.length === 0) requestedLanes.push(to);
        requests[to]!.push(vehicle);
      }
      return false;
    }

    /**
     * A vehicle queued behind a held front vehicle (on red, or waiting for a gap) while its own movement
     * has green changes to an adjacent lane that serves its movement too and is not held (SUMO's
     * strategic and speed-gain changes out of a shared lane blocked by a turning vehicle).
     */
    function leaveBlockedLane(vehicle: number, index: number): void {
      const current = lane[vehicle]!;
      const routed = routeMovements[vehicle]![routeStep[vehicle]!];
      if (routed === undefined) return; // its route ends on this link
      const laneIndex = net.laneIndex[current]!;
      const own = ownerOf(routed, laneIndex);
      const group = movementGroup[own]!;
      if (group >= 0 && colourNow[group]! < PERMISSIVE_GREEN) return;
      let best = -1;
      for (const from of routeFromLanes[routed]!) {
        if (Math.abs(from - laneIndex) !== 1) continue;
        const candidate = current + (from - laneIndex);
        const queue = lanes[candidate]!;
        if (queue.length > 0 && headHeld[candidate]) continue;
        if (best < 0 || queue.length < lanes[best]!.length) best = candidate;
      }
      if (best >= 0) changeLane(vehicle, best, index, false);
    }

    return { runStep, insertDue, updateCalls };
  }

  let vehicles = vehicleArrays(0, K);
  let engine = bindEngine(vehicles);
  const grow = (needed: number) => {
    if (needed <= vehicles.capacity) return;
    vehicles = vehicleArrays(Math.max(needed, vehicles.capacity * 2, 64), K, vehicles);
    engine = bindEngine(vehicles);
  };

  const controllerFor = (signal: string, what: string): SignalController => {
    const controller = controllerOf.get(signal);
    if (!controller) {
      throw new SimulationError(
        'UNKNOWN_SIGNAL',
        `${what}: signal ${signal} is not a signal of this network with a plan; use one of ${[...controllerOf.keys()].slice(0, 5).join(', ')}`,
      );
    }
    return controller;
  };
  function applyPlan(signal: string, plan: TimingPlan): void {
    const controller = controllerOf.get(signal);
    if (controller) {
      checkPlan('setPlan', signal, plan);
      controller.setPlan(plan);
      calling ||= controller.actuated;
    } else if (net.signalOf.has(signal)) {
      addController(signal, plan, begin + stepIndex * step);
    } else {
      throw new SimulationError(
        'UNKNOWN_SIGNAL',
        `setPlan: signal ${signal} is not in the network; give a plan for one of its signals`,
      );
    }
  }

  addTrips(initialTrips);

  const simulation: Simulation = {
    get time() {
      return begin + stepIndex * step;
    },
    advance(until: number) {
      const last = Math.min(stepCount, Math.floor((until - begin) / step + 1e-9));
      if (!Number.isFinite(last)) {
        throw new SimulationError(
          'BAD_OPTIONS',
          `advance: until must be finite seconds for a run without end, got ${until}`,
        );
      }
      if (stepIndex < stepCount) engine.insertDue(stepIndex);
      while (stepIndex < last) engine.runStep();
      // Signals show the state at the time reached, so a plan set now follows the cycle of now.
      const now = begin + stepIndex * step;
      if (calling) engine.updateCalls(now);
      for (const controller of controllers)
        controller.advanceTo(now, colourNow, eventSink, greenStart, lastCall);
      return simulation;
    },
    setPlan(signal, plan) {
      applyPlan(signal, plan);
    },
    activePlan(signal) {
      return controllerFor(signal, 'activePlan').status().active;
    },
    planStatus(signal) {
      return controllerFor(signal, 'planStatus').status();
    },
    addTrips,
    detectorReadings() {
      return field ? field.drainReadings() : [];
    },
    hiResEvents() {
      const drained = events.slice().sort((a, b) => a.time - b.time);
      events.length = 0;
      return drained;
    },
    detectorChannels() {
      return field ? field.channels.map((channel) => ({ ...channel })) : [];
    },
    result() {
      const now = begin + stepIndex * step;
      const finished = stepIndex >= stepCount;
      const summary = {
        begin,
        end: finished ? end : now,
        step,
        now,
        finished,
        inserted,
        arrived,
        vehicleSeconds,
        teleports,
        ...(trajectorySamples ? { trajectories: [...trajectorySamples] } : {}),
      };
      return summarize(trips, net, vehicles, counters, summary);
    },
  };
  return simulation;
}

/** For each lane that a signal group serves at its stop line: the colour slots of those groups. */
function signalledLaneSlots(net: CompiledNetwork): Map<number, number[]> {
  const slots = new Map<number, number[]>();
  net.movementFromGlobal.forEach((lanes, movement) => {
    const slot = net.movementGroup[movement]!;
    if (slot < 0) return;
    for (const globalLane of lanes) {
      const served = slots.get(globalLane) ?? [];
      if (!served.includes(slot)) served.push(slot);
      slots.set(globalLane, served);
    }
  });
  return slots;
}
