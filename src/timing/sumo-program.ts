// SUMO signal programs (phase state strings) to stage-based timing plans, and back; actuated plans (free or coordinated) as actuated programs.
import type { GreenKind } from '../network/types.ts';
import { STOP_LINE_ZONE } from './actuation.ts';
import { stageDuration } from './intervals.ts';
import type { Stage, TimingPlan } from './types.ts';

/** One SUMO `<phase>`: a time slice of the whole state string. */
export interface SumoPhase {
  /** Seconds. */
  duration: number;
  /** One character per link index: `G g s` green, `y Y u` change, `r` red, `o O` off. */
  state: string;
  /** Seconds (actuated programs). */
  minDur?: number;
  /** Seconds (actuated programs). */
  maxDur?: number;
  name?: string;
}

/** One SUMO `<tlLogic>` program, as read from a `.net.xml` or additional file. */
export interface SumoProgram {
  signal: string;
  programId: string;
  /** SUMO `offset`, seconds: the program's phase 0 starts at `offset` (mod cycle). */
  offset: number;
  phases: SumoPhase[];
}

/** A phase written back by `sumoPhasesFromPlan`. */
export interface SumoPhaseOut {
  duration: number;
  state: string;
  name?: string;
}

/** Minimum green given to a stage whose phase names no `minDur`, seconds. */
const DEFAULT_STAGE_MIN_GREEN = 5;

type PhaseRole = 'green' | 'yellow' | 'allRed';

/** What one group shows in one phase: its green kind, or nothing when not green. */
type Greens = Map<number, GreenKind>;

interface StageDraft {
  /** Index of the SUMO phase that starts the stage (before rotation). */
  phaseIndex: number;
  green: SumoPhase;
  change: SumoPhase[];
}

/**
 * Converts a SUMO program into a stage-based timing plan. Each phase with a green (`G`, `g`, `s`)
 * and no `y`/`u` starts a stage; the phases with `y`/`u` that follow are its yellow and the
 * phases with neither green nor yellow its all-red. A program that starts inside a change
 * interval is rotated so the plan starts at the first green; the offset moves with it, so it
 * still refers to the first stage's green start.
 *
 * A group that shows yellow between two stages in which it is green (green → yellow → green)
 * cannot be said with two stages alone: a zero-length stage holding the groups that stay green
 * through the change is put between them, so that `sumoPhasesFromPlan` writes the same phases.
 *
 * @throws {RangeError} when there are no phases, a duration is negative or not a number, or
 *   the state strings differ in length.
 * @example
 * planFromSumoPhases({ signal: 'J1', programId: '0', offset: 0, phases: [
 *   { duration: 31, state: 'GGrr' }, { duration: 4, state: 'yyrr' },
 *   { duration: 31, state: 'rrGG' }, { duration: 4, state: 'rryy' },
 * ] });
 * // => { id: '0', signal: 'J1', cycleLength: 70, offset: 0, stages: [
 * //      { id: '0', greens: { 0: 'protected', 1: 'protected' }, green: 31, yellow: 4, allRed: 0, minGreen: 5 },
 * //      { id: '2', greens: { 2: 'protected', 3: 'protected' }, green: 31, yellow: 4, allRed: 0, minGreen: 5 } ], … }
 */
export function planFromSumoPhases(program: SumoProgram): TimingPlan {
  checkProgram(program);
  const { phases } = program;
  const cycleLength = sum(phases.map((phase) => phase.duration));
  const unsignalled = unsignalledIndices(phases);
  const firstGreen = phases.findIndex((phase) => phaseRole(phase.state) === 'green');
  // Seconds from the program's start (SUMO offset) to the first stage's green.
  const lead = firstGreen < 0 ? 0 : sum(phases.slice(0, firstGreen).map((p) => p.duration));
  const stages =
    firstGreen < 0 ? [] : stagesOf(rotate(phases, firstGreen), firstGreen, phases.length);
  return {
    id: program.programId,
    signal: program.signal,
    cycleLength,
    offset: cycleLength > 0 ? modulo(program.offset + lead, cycleLength) : 0,
    offsetReference: 'first-stage-green-start',
    stages,
    ...(unsignalled.length > 0 ? { unsignalled: unsignalled.map(String) } : {}),
    origin: 'sumo',
  };
}

/**
 * Writes a timing plan as SUMO phases, `linkCount` characters per state. Per stage: its green
 * (`G` protected, `g` permissive, `r` otherwise, `O` for unsignalled groups); then, if it has a
 * yellow, a phase where the groups that lose green show `y` and the groups green in the next stage
 * too keep their letter; then, if it has an all-red, the same with `r` for the losing groups.
 * Signal group ids must be link indices (`"0"`, `"1"`, …), as `planFromSumoPhases` makes them.
 * A plan without stages becomes one dark phase of the cycle length.
 *
 * The phases start with the first stage's green: give SUMO `sumoOffset(plan)` as the offset.
 *
 * @throws {RangeError} when a signal group id is not a link index below `linkCount`.
 * @example
 * sumoPhasesFromPlan(plan, 4);
 * // => [{ duration: 31, state: 'GGrr' }, { duration: 4, state: 'yyrr' },
 * //     { duration: 31, state: 'rrGG' }, { duration: 4, state: 'rryy' }]
 */
export function sumoPhasesFromPlan(plan: TimingPlan, linkCount: number): SumoPhaseOut[] {
  const writer = phaseWriter(plan, linkCount, 'sumoPhasesFromPlan');
  if (plan.stages.length === 0) {
    return [{ duration: plan.cycleLength, state: writer.state(() => 'r') }];
  }
  return plan.stages.flatMap((stage, position) => {
    const next = (position + 1) % plan.stages.length;
    const phases: SumoPhaseOut[] = [];
    if (stage.green > 0) {
      phases.push({ duration: stage.green, state: writer.green(position), ...phaseName(stage.id) });
    }
    return [...phases, ...writer.change(position, next)];
  });
}

/**
 * The SUMO `tlLogic@offset` for the phases `sumoPhasesFromPlan` writes, which start with the
 * first stage's green: the plan's offset, moved back to that green when it refers to the yellow.
 *
 * @example
 * sumoOffset({ ...plan, offset: 10, offsetReference: 'first-stage-green-start' }); // => 10
 */
export function sumoOffset(plan: TimingPlan): number {
  const first = plan.stages[0];
  if (plan.offsetReference === 'first-stage-green-start' || !first || plan.cycleLength <= 0) {
    return plan.offset;
  }
  return modulo(plan.offset - first.green, plan.cycleLength);
}

// ---- actuated plans as SUMO actuated programs ---------------------------------------------

/** A lane entering a signal: where a free plan's stop-line presence detector goes. */
export interface SumoApproachLane {
  /** SUMO lane id (`EDGE_INDEX`). */
  id: string;
  /** Metres. */
  length: number;
  /** The signal's link indices that leave this lane. */
  linkIndices: number[];
}

/** Where an actuated plan's program reads its calls, and where it starts (free and coordinated alike). */
export interface SumoFreeOptions {
  /** The lanes entering the signal (`sumoApproachLanes` reads them from the `.net.xml`). */
  lanes: readonly SumoApproachLane[];
  /**
   * Per stage, its pedestrian groups' walk and clearance in seconds (0 when the crossing length is
   * unknown), or undefined for a stage with none. Link-indexed plans have lost their pedestrian
   * groups (no crossings are exported); without this every stage counts as vehicles only.
   */
  pedestrians?: readonly (number | undefined)[];
  /** The tlLogic's programID, part of the detector ids. */
  programId: string;
  /**
   * The simulation's begin, seconds: a free program is offset so that it starts with the first
   * stage's green there (SUMO 1.15 has no `offset="begin"`); a coordinated one so that it stands
   * where its plan stands in the cycle. Default 0.
   */
  begin?: number;
}

/** A phase of an actuated program. `next`: indices of the phases it may go on to. */
export interface SumoActuatedPhase extends SumoPhaseOut {
  minDur: number;
  maxDur: number;
  next?: number[];
  /** Switch to this phase before the current one's maxDur when this expression holds. */
  earlyTarget?: string;
  /** Switch to this phase at the current one's maxDur when this expression holds. */
  finalTarget?: string;
}

/** A stop-line presence detector: an induction loop over the last metres of a lane. */
export interface SumoPresenceDetector {
  id: string;
  lane: string;
  /** Metres from the lane's start. */
  pos: number;
  /** Metres. */
  length: number;
}

/** Everything a `<tlLogic type="actuated">` holds besides its phases, and the detectors it reads. */
export interface SumoActuatedProgram {
  /** SUMO `tlLogic@offset`, seconds: where the program stands at `begin` is its phase 0's start. */
  offset: number;
  phases: SumoActuatedPhase[];
  /** `<param>` entries, in order. */
  params: [string, string][];
  /** Named expressions (`<condition>`). */
  conditions: { id: string; value: string }[];
  /** `<assignment>`s, run in order at every switching decision. */
  assignments: { id: string; check: string; value: string }[];
  detectors: SumoPresenceDetector[];
}

/** maxDur of the resting first stage, seconds: a day, so only its conditions end it. */
const REST_MAX_DURATION = 86_400;
/**
 * SUMO's `cycleTime` param, seconds. An uncoordinated program's `c:` is the time since phase 0
 * (the first stage's green) began, modulo this: long enough never to wrap within a run.
 */
const CLOCK_WRAP = 10_000_000;

/**
 * A free plan (`actuated.free`) as a SUMO 1.15 actuated program with custom switching rules,
 * reading stop-line presence detectors it places itself: the closest SUMO comes to the
 * simulator's free operation (`SignalController`).
 *
 * Mapping. Each lane entering the signal gets an induction loop over its last 30 m (the
 * simulator's stop-line zone); a stage is called while one of its lanes' loops was occupied within
 * the passage time (`z:DET <= passage`). A stage's callers are the lanes of its vehicle groups,
 * for later stages only those not also green in the first stage, as the simulator has them. Each
 * stage is a green phase (`duration` its planned green) and, for every stage it may go on to, its
 * own yellow and all-red towards that stage (fixed; the groups green in both keep their green), so
 * a skip shows the change interval the simulator shows. The green lists those change phases in
 * `next`, in stage order and wrapping to the first stage; their `earlyTarget`/`finalTarget` pick
 * the first called stage after it, skipping uncalled ones (a stage with a pedestrian group is
 * always called: recall). A later stage: `minDur` its minimum (its minGreen and its pedestrians'
 * walk and clearance, at most its green), `maxDur` its planned green; it gaps out past `minDur`
 * once its loops have been quiet for the passage time, and maxes out at `maxDur`. The first
 * stage: `maxDur` a day and `minDur` 1 s, so SUMO decides every second; it rests while no other
 * stage is called, and once one is, an assignment notes when (`callAt`, on the time-in-cycle
 * clock `c:`, the time since that green began) and the green ends at gap-out past its minimum or
 * its planned green after the call (max-out). `max-gap` is set to the passage time for reference
 * (the rules above decide). Each lane's loop is named as the lane's detector (`<param key=LANE>`),
 * so SUMO builds none of its own.
 *
 * SUMO 1.15's own gap control is not used, as it differs from the simulator's: its loops sit
 * `detector-gap` seconds upstream and `max-gap` counts from a vehicle leaving that loop (here a
 * presence zone at the stop line); it picks among `next` phases the one with the most active
 * detectors rather than the first called in stage order; it keeps a phase green while its own
 * detectors are active, past `maxDur` when the phase lists itself in `next` (which resting would
 * need), so no max-out from a conflicting call; and it ignores a lane whose links are not all
 * green (a shared through-and-left lane calls neither stage). `earliestEnd`/`latestEnd` and
 * `linkMinDur`/`linkMaxDur` time from the cycle or the green's start, not from a call. Custom
 * switching rules (`earlyTarget`, `finalTarget`, `<condition>`, `<assignment>`, in 1.15) express
 * the simulator's rules instead. `cycleTime` must be set: without it `c:` wraps at the sum of the
 * phase durations, and a rest longer than that would never end at its max-out.
 *
 * What remains different: SUMO decides at whole seconds (the simulator at its step); a call is
 * noticed at the next decision, so the first stage's max-out starts up to 1 s late (a call already
 * there when that green begins counts from its start); SUMO's loop sees a vehicle while any part
 * of it is in the zone, the simulator while its front is; and at `begin` the first green lasts
 * its `duration` (the planned green) before SUMO's first decision, where the simulator would end
 * it at gap-out past its minimum. SUMO warns that the first stage's `minDur` of 1 s is short for
 * a 30 m detector; the rules hold that green for its minimum all the same.
 *
 * @throws {RangeError} when the plan is not free, a stage has no green or no change interval
 *   (SUMO chooses the next stage by its change phases), a signal group is not a link index below
 *   `linkCount`, or no lane feeds a stage's groups.
 * @example
 * const { phases } = sumoFreeProgram(freePlan, 4, { lanes, programId: 'free' });
 * phases[0]; // => { duration: 31, state: 'GGrr', minDur: 1, maxDur: 86400, next: [1] }
 * phases[1].earlyTarget; // => 'c: >= 5 and (!D0 or c: >= callAt + 31) and T0to1'
 */
export function sumoFreeProgram(
  plan: TimingPlan,
  linkCount: number,
  options: SumoFreeOptions,
): SumoActuatedProgram {
  const where = `sumoFreeProgram: plan "${plan.id}" of "${plan.signal}"`;
  if (plan.actuated?.free !== true) {
    throw new RangeError(
      `${where} is not free. Give a plan with actuated.free, or write it static.`,
    );
  }
  return actuatedProgram(plan, linkCount, options, 'free', where);
}

/**
 * A coordinated-actuated plan (`actuated` without `free`) as a SUMO 1.15 actuated program with
 * custom switching rules: the simulator's floating force-offs (`SignalController`). The same
 * detectors, calls, phases and later-stage rules as `sumoFreeProgram` (skipped when uncalled,
 * gap-out past the minimum, max-out at the planned green); a later stage that nothing can call
 * (all its groups also green in the first stage) and no pedestrian needs runs its planned green and
 * is never skipped. The program is coordinated (`coordinated=true`, `cycleTime` the plan's cycle), so the
 * time-in-cycle clock `c:` is the time since the plan's first-stage green start, fixed by the
 * offset; the first (coordinated) stage's green ends when `c:` reaches its planned green, in the
 * one-second window `[green, green + 1)` in which SUMO makes exactly one decision, towards the first
 * called stage; with none called it stays green to the same point of the next cycle, as the
 * simulator skips every later stage. When later stages end early, their changes reach the first
 * stage's green sooner, so it starts early and still ends on the plan's point: cycle and offset hold.
 *
 * Placement. SUMO reads `tlLogic@offset` twice: `c:` is `(t − offset) mod cycleTime`, and at
 * `begin` the program stands `(begin − offset) mod (sum of durations)` into its phases. The offset
 * written is the plan's cycle start at or before `begin` (congruent to `sumoOffset(plan)`), and the
 * phases list the planned sequence first (each green, then its change to the next stage, the last
 * back to the first) and the skipping changes after it, so at `begin` SUMO stands where the plan
 * stands. Checked in SUMO 1.15 on Jinshui Road (9 signals, an hour, seed 1): every one of 351
 * coordinated greens ended on its planned point, 65 started early, no later stage ran past its
 * planned green.
 *
 * What SUMO 1.15 cannot express: a phase that began before `begin`. A later stage caught
 * mid-green there counts its minDur and maxDur from `begin`, so in that first cycle it runs at
 * least its minimum from `begin`, possibly past its planned end (the first coordinated green is
 * then shortened); from the next cycle on the program runs as planned. Its decisions fall on whole
 * seconds from each phase's start, so a plan with fractional seconds may end the coordinated green
 * up to a second late (the one-second window always holds one decision). The rest is as in
 * `sumoFreeProgram`: SUMO's loops see a vehicle while any part of it is in the zone, and its minDur
 * of 1 s for the coordinated green draws a warning (that green never ends on it). The expressions
 * use only `+`, `>=` and `>` (`<` would need escaping; SUMO sources of the period evaluate `-` as
 * `+`).
 *
 * @throws {RangeError} when the plan is fixed-time or free, its stages do not fill its cycle, a
 *   stage has no green or no change interval, a signal group is not a link index below
 *   `linkCount`, or no lane feeds a stage's groups.
 * @example
 * const { phases, params } = sumoCoordinatedProgram(coordinatedPlan, 4, { lanes, programId: 'p' });
 * phases[1].earlyTarget; // => 'c: >= 31 and 32 > c: and T0to1'
 * params[2]; // => ['cycleTime', '70']
 */
export function sumoCoordinatedProgram(
  plan: TimingPlan,
  linkCount: number,
  options: SumoFreeOptions,
): SumoActuatedProgram {
  const where = `sumoCoordinatedProgram: plan "${plan.id}" of "${plan.signal}"`;
  if (!plan.actuated || plan.actuated.free === true) {
    throw new RangeError(
      `${where} is not coordinated-actuated. Give a plan with actuated and no free, or use sumoFreeProgram or sumoPhasesFromPlan.`,
    );
  }
  const filled = plan.stages.reduce((total, stage) => total + stageDuration(stage), 0);
  if (Math.abs(filled - plan.cycleLength) > 1e-3) {
    throw new RangeError(
      `${where}: its stages add to ${formatSeconds(filled)} s, its cycle is ${formatSeconds(plan.cycleLength)} s. Make the stages fill the cycle (validatePlan, CYCLE_MISMATCH).`,
    );
  }
  return actuatedProgram(plan, linkCount, options, 'coordinated', where);
}

/** Free operation, or coordination with floating force-offs. */
type Operation = 'free' | 'coordinated';

/** What `sumoFreeProgram` and `sumoCoordinatedProgram` share: everything but their first stage. */
function actuatedProgram(
  plan: TimingPlan,
  linkCount: number,
  options: SumoFreeOptions,
  operation: Operation,
  where: string,
): SumoActuatedProgram {
  checkActuatedStages(plan, where);
  const passage = plan.actuated!.passage;
  const writer = phaseWriter(
    plan,
    linkCount,
    operation === 'free' ? 'sumoFreeProgram' : 'sumoCoordinatedProgram',
  );
  const detectors = presenceDetectors(plan.signal, options);
  const callers = stageCallers(writer);
  const calls = callConditions(plan, callers, detectors, { ...options, passage, where, operation });
  const resting = plan.stages.length === 1;
  const { phases, targets } = resting
    ? { phases: [restingPhase(plan, writer)], targets: [] }
    : actuatedPhases(plan, writer, callers, options.pedestrians, operation);
  const begin = options.begin ?? 0;
  const free = operation === 'free';
  // SUMO places the program at `begin` by (begin − offset) modulo the sum of its durations.
  const total = phases.reduce((sum, phase) => sum + phase.duration, 0);
  const offset = free
    ? modulo(begin, total)
    : begin - modulo(begin - sumoOffset(plan), plan.cycleLength);
  return {
    offset: roundMillis(offset),
    phases,
    params: [
      ['max-gap', formatSeconds(passage)],
      ['coordinated', String(!free)],
      ['cycleTime', free ? String(CLOCK_WRAP) : formatSeconds(plan.cycleLength)],
      ...detectors.map((detector): [string, string] => [detector.lane, detector.id]),
    ],
    conditions: [...calls, ...targets],
    assignments: resting || !free ? [] : CALL_TIMER,
    detectors,
  };
}

/**
 * The first stage's max-out timer: `callAt` is the time-in-cycle (`c:`, seconds since the first
 * stage's green began) the first conflicting call was seen, -1 while there is none.
 */
const CALL_TIMER: SumoActuatedProgram['assignments'] = [
  // A call noted in an earlier green is stale once the first stage's green begins again.
  { id: 'callAt', check: 'callAt > c:', value: '-1' },
  { id: 'callAt', check: '!CALL', value: '-1' },
  // A call seen at the first decision (1 s in) was there when the green began.
  { id: 'callAt', check: 'CALL and 0 > callAt', value: 'c: * (c: > 1)' },
];

function checkActuatedStages(plan: TimingPlan, where: string): void {
  if (plan.stages.length === 0) {
    throw new RangeError(`${where} has no stages. Give it at least one stage.`);
  }
  for (const stage of plan.stages) {
    if (!(stage.green > 0)) {
      throw new RangeError(
        `${where}: stage "${stage.id}" has a green of ${stage.green} s. Give every stage of an actuated plan a green (SUMO runs no phase of 0 s).`,
      );
    }
    if (plan.stages.length > 1 && !(stage.yellow + stage.allRed > 0)) {
      throw new RangeError(
        `${where}: stage "${stage.id}" has no yellow or all-red. Give every stage of an actuated plan a change interval: SUMO picks the next stage by its change phases.`,
      );
    }
  }
}

/**
 * Per stage, the link indices that call it: its vehicle groups, for later stages without those
 * also green in the first stage (the simulator's `stageActuation`).
 */
function stageCallers(writer: PhaseWriter): number[][] {
  return writer.greens.map((greens, stage) =>
    [...greens.keys()].filter(
      (index) => !writer.unsignalled.has(index) && (stage === 0 || !writer.greens[0]!.has(index)),
    ),
  );
}

/**
 * Per stage `k`, `Dk`: one of its callers' loops occupied within the passage time; and for later
 * stages `Ck`: called (`Dk`, or always for a stage with pedestrians: recall; in coordination also
 * for a stage nothing can call, which runs fixed); in free operation also `CALL`: any later stage
 * called, and `callAt`, the call timer.
 */
function callConditions(
  plan: TimingPlan,
  callers: readonly number[][],
  detectors: readonly SumoPresenceDetector[],
  options: SumoFreeOptions & { passage: number; where: string; operation: Operation },
): SumoActuatedProgram['conditions'] {
  const laneLinks = new Map(options.lanes.map((lane) => [lane.id, lane.linkIndices]));
  const conditions = callers.map((calling, stage) => {
    const loops = detectors.filter((detector) =>
      laneLinks.get(detector.lane)!.some((index) => calling.includes(index)),
    );
    if (calling.length > 0 && loops.length === 0) {
      throw new RangeError(
        `${options.where}: no lane feeds the link indices ${calling.join(', ')} of stage "${plan.stages[stage]!.id}". Give the lanes of this signal from its .net.xml (sumoApproachLanes).`,
      );
    }
    const presence = loops.map((loop) => `${formatSeconds(options.passage)} >= z:${loop.id}`);
    // A first stage that nothing calls and no pedestrian needs never gaps out.
    const never = stage === 0 && options.pedestrians?.[0] === undefined ? '1' : '0';
    return { id: `D${stage}`, value: presence.join(' or ') || never };
  });
  const later = range(plan.stages.length - 1).map((k) => k + 1);
  if (later.length === 0) return conditions;
  const recalled = (k: number) =>
    options.pedestrians?.[k] !== undefined ||
    (options.operation === 'coordinated' && callers[k]!.length === 0);
  const stageCalls = later.map((k) => ({ id: `C${k}`, value: recalled(k) ? '1' : `D${k}` }));
  if (options.operation === 'coordinated') return [...conditions, ...stageCalls];
  return [
    ...conditions,
    ...stageCalls,
    { id: 'CALL', value: later.map((k) => `C${k}`).join(' or ') },
    { id: 'callAt', value: '-1' },
  ];
}

/** A one-stage plan: nothing ever conflicts, so its green rests for good. */
function restingPhase(plan: TimingPlan, writer: PhaseWriter): SumoActuatedPhase {
  const { green, id } = plan.stages[0]!;
  return {
    duration: green,
    state: writer.green(0),
    minDur: green,
    maxDur: green,
    ...phaseName(id),
  };
}

/** A stage's green, or its change interval from stage `from` to stage `to`. */
type PhaseBlock = { green: number } | { from: number; to: number };

/**
 * Each stage's green, then its change towards each stage it may go on to (`Tktoj` names when it
 * does: `j` is the first stage called after `k`), linked by `next`. The first stage's green ends
 * by `firstStageEnd`; a later one gaps out past its minimum (in coordination, a stage nothing can
 * call and no pedestrian needs runs its planned green) and maxes out at its planned green.
 */
function actuatedPhases(
  plan: TimingPlan,
  writer: PhaseWriter,
  callers: readonly number[][],
  pedestrians: readonly (number | undefined)[] | undefined,
  operation: Operation,
): { phases: SumoActuatedPhase[]; targets: SumoActuatedProgram['conditions'] } {
  const count = plan.stages.length;
  const minimum = (stage: Stage, index: number) =>
    operation === 'coordinated' &&
    callers[index]!.length === 0 &&
    pedestrians?.[index] === undefined
      ? stage.green
      : Math.min(stage.green, Math.max(stage.minGreen, pedestrians?.[index] ?? 0));
  const targets = range(count).flatMap((from) =>
    successors(from, count).map((to) => ({
      id: `T${from}to${to}`,
      value: firstCalled(from, to, count),
    })),
  );
  const phases: SumoActuatedPhase[] = [];
  const greenIndex: number[] = [];
  const changeIndex = new Map<string, number>();
  for (const block of phaseOrder(count, operation)) {
    if ('green' in block) {
      const stage = plan.stages[block.green]!;
      const first = block.green === 0;
      greenIndex[block.green] = phases.length;
      phases.push({
        duration: stage.green,
        state: writer.green(block.green),
        minDur: first ? Math.min(1, stage.green) : minimum(stage, block.green),
        maxDur: first ? REST_MAX_DURATION : stage.green,
        ...phaseName(stage.id),
      });
      continue;
    }
    const { from, to } = block;
    const id = `T${from}to${to}`;
    const early =
      from === 0
        ? `${firstStageEnd(plan.stages[0]!, minimum(plan.stages[0]!, 0), operation)} and ${id}`
        : `!D${from} and ${id}`;
    changeIndex.set(id, phases.length);
    const change = writer.change(from, to);
    change.forEach((phase, position) => {
      const decision = position === 0 ? { earlyTarget: early, finalTarget: id } : {};
      const last = position === change.length - 1;
      phases.push({
        ...phase,
        minDur: phase.duration,
        maxDur: phase.duration,
        next: [last ? -1 - to : phases.length + 1],
        ...decision,
      });
    });
  }
  return {
    phases: phases.map((phase, index) => {
      const stage = greenIndex.indexOf(index);
      if (stage >= 0) {
        const next = successors(stage, count).map((to) => changeIndex.get(`T${stage}to${to}`)!);
        return { ...phase, next };
      }
      // A change's last phase leads to the green of its target, noted as -1 − stage above.
      const [next] = phase.next!;
      return next! < 0 ? { ...phase, next: [greenIndex[-1 - next!]!] } : phase;
    }),
    targets,
  };
}

/**
 * When the first stage's green may end (its change's `earlyTarget`, before the target): in free
 * operation past its minimum at gap-out, or its planned green after the first conflicting call;
 * in coordination when the time in cycle reaches its planned green (one decision a cycle).
 */
function firstStageEnd(first: Stage, minimum: number, operation: Operation): string {
  const green = formatSeconds(first.green);
  if (operation === 'coordinated') {
    return `c: >= ${green} and ${formatSeconds(first.green + 1)} > c:`;
  }
  return `c: >= ${formatSeconds(minimum)} and (!D0 or c: >= callAt + ${green})`;
}

/**
 * The order of the phases: free, each stage's green and then its changes (to its successors in
 * order); coordinated, the planned sequence first (each green and its change to the next stage),
 * so that SUMO's placement at `begin` by offset finds the plan's position, then the skipping changes.
 */
function phaseOrder(count: number, operation: Operation): PhaseBlock[] {
  const all = range(count).flatMap((from): PhaseBlock[] => [
    { green: from },
    ...successors(from, count).map((to) => ({ from, to })),
  ]);
  if (operation === 'free') return all;
  const planned = (block: PhaseBlock) => 'green' in block || block.to === (block.from + 1) % count;
  return [...all.filter(planned), ...all.filter((block) => !planned(block))];
}

/** The stages `from` may go on to, in stage order: the first stage's to every other, the others' to the later ones and back to the first. */
function successors(from: number, count: number): number[] {
  if (from === 0) return range(count - 1).map((k) => k + 1);
  return [...range(count - from - 1).map((k) => from + 1 + k), 0];
}

/** `to` is the first stage called after `from`: it is called, and every stage between is not. */
function firstCalled(from: number, to: number, count: number): string {
  const between = range((to === 0 ? count : to) - from - 1).map((k) => `!C${from + 1 + k}`);
  return [...(to === 0 ? [] : [`C${to}`]), ...between].join(' and ') || '1';
}

/** One loop over the last `STOP_LINE_ZONE` metres of every lane entering the signal. */
function presenceDetectors(signal: string, options: SumoFreeOptions): SumoPresenceDetector[] {
  return options.lanes.map((lane) => {
    const length = Math.min(STOP_LINE_ZONE, lane.length);
    return {
      id: `${signal}_${options.programId}_${lane.id}`,
      lane: lane.id,
      pos: roundMillis(lane.length - length),
      length: roundMillis(length),
    };
  });
}

/** Seconds as SUMO files write them: rounded to the millisecond, no trailing zeros. */
export function formatSeconds(value: number): string {
  return String(roundMillis(value));
}

function roundMillis(value: number): number {
  return Math.round(value * 1000) / 1000;
}

// ---- reading phases -----------------------------------------------------------------------

function checkProgram(program: SumoProgram): void {
  const where = `planFromSumoPhases: program "${program.programId}" of "${program.signal}"`;
  const first = program.phases[0];
  if (!first) throw new RangeError(`${where} has no phases. Give at least one phase.`);
  program.phases.forEach((phase, index) => {
    if (!Number.isFinite(phase.duration) || phase.duration < 0) {
      throw new RangeError(
        `${where}: phase ${index} lasts ${phase.duration} s. Give a duration of 0 s or more.`,
      );
    }
    if (phase.state.length !== first.state.length) {
      throw new RangeError(
        `${where}: phase ${index} has ${phase.state.length} signals, phase 0 has ${first.state.length}. Give every phase one character per link index.`,
      );
    }
  });
  if (!Number.isFinite(program.offset)) {
    throw new RangeError(`${where}: offset is ${program.offset}. Give a number of seconds.`);
  }
}

/** A phase with any yellow is a change interval; one with neither yellow nor green is all-red. */
function phaseRole(state: string): PhaseRole {
  if (/[yYu]/.test(state)) return 'yellow';
  if (/[gGs]/.test(state)) return 'green';
  return 'allRed';
}

function greensOf(state: string): Greens {
  const greens: Greens = new Map();
  [...state].forEach((signal, index) => {
    if (signal === 'G' || signal === 's') greens.set(index, 'protected');
    else if (signal === 'g') greens.set(index, 'permissive');
  });
  return greens;
}

function unsignalledIndices(phases: SumoPhase[]): number[] {
  const length = phases[0]?.state.length ?? 0;
  return range(length).filter((index) =>
    phases.every((phase) => /[oO]/.test(phase.state.charAt(index))),
  );
}

/** The phases from `start` on, then those before it: a program that starts with its first green. */
function rotate<T>(items: T[], start: number): T[] {
  return [...items.slice(start), ...items.slice(0, start)];
}

function stagesOf(rotated: SumoPhase[], firstGreen: number, phaseCount: number): Stage[] {
  const drafts: StageDraft[] = [];
  rotated.forEach((phase, position) => {
    const phaseIndex = (position + firstGreen) % phaseCount;
    const current = drafts[drafts.length - 1];
    if (phaseRole(phase.state) === 'green' || !current) {
      drafts.push({ phaseIndex, green: phase, change: [] });
    } else {
      current.change.push(phase);
    }
  });
  const used = new Set<string>();
  return drafts.flatMap((draft, position) => {
    const next = drafts[(position + 1) % drafts.length] ?? draft;
    const stage = stageOf(draft, uniqueId(draft.green.name, draft.phaseIndex, used));
    const keep = keptThroughChange(draft, next);
    if (!keep) return [stage];
    const id = uniqueId(undefined, (draft.phaseIndex + 1) % phaseCount, used);
    return [stage, transitionStage(id, keep)];
  });
}

function stageOf(draft: StageDraft, id: string): Stage {
  const { green } = draft;
  const seconds = (role: PhaseRole): number =>
    sum(draft.change.filter((p) => phaseRole(p.state) === role).map((p) => p.duration));
  return {
    id,
    greens: Object.fromEntries([...greensOf(green.state)].map(([i, kind]) => [String(i), kind])),
    green: green.duration,
    yellow: seconds('yellow'),
    allRed: seconds('allRed'),
    minGreen: Math.min(green.minDur ?? DEFAULT_STAGE_MIN_GREEN, green.duration),
    ...(green.maxDur !== undefined ? { maxGreen: green.maxDur } : {}),
  };
}

/**
 * The groups that stay green through a stage's change interval, when they are not simply the
 * groups green in both this stage and the next (a group shows yellow, then green again).
 * Undefined when no zero-length stage is needed, or when the change phases disagree.
 */
function keptThroughChange(draft: StageDraft, next: StageDraft): Greens | undefined {
  const [first, ...rest] = draft.change.map((phase) => greensOf(phase.state));
  if (!first || rest.some((greens) => !sameIndices(greens, first))) return undefined;
  const own = greensOf(draft.green.state);
  if ([...first.keys()].some((index) => !own.has(index))) return undefined;
  const following = greensOf(next.green.state);
  const continuing = new Map([...own].filter(([index]) => following.has(index)));
  return sameIndices(first, continuing) ? undefined : first;
}

/** A stage of no time: marks which groups keep their green between two stages. */
function transitionStage(id: string, greens: Greens): Stage {
  return {
    id,
    greens: Object.fromEntries([...greens].map(([index, kind]) => [String(index), kind])),
    green: 0,
    yellow: 0,
    allRed: 0,
    minGreen: 0,
  };
}

/** The phase's name when it has one not used yet, else its index in the SUMO program. */
function uniqueId(name: string | undefined, phaseIndex: number, used: Set<string>): string {
  const id = name && !used.has(name) ? name : String(phaseIndex);
  // A name may equal another phase's index; a suffix keeps the ids apart.
  const chosen = used.has(id) ? `${phaseIndex}#${used.size}` : id;
  used.add(chosen);
  return chosen;
}

// ---- writing phases -----------------------------------------------------------------------

/** Renders a plan's stages as state strings: each stage's green, and the change from one to another. */
interface PhaseWriter {
  /** Link index → green kind, per stage. */
  greens: Greens[];
  unsignalled: Set<number>;
  state: (signal: (index: number) => string) => string;
  green: (stage: number) => string;
  /** The yellow, then the all-red phase (each when it lasts) from stage `from` to stage `to`. */
  change: (from: number, to: number) => SumoPhaseOut[];
}

function phaseWriter(plan: TimingPlan, linkCount: number, caller: string): PhaseWriter {
  const indexOf = (group: string) => linkIndexOf(group, linkCount, caller);
  const unsignalled = new Set(plan.unsignalled?.map(indexOf) ?? []);
  const greens = plan.stages.map(
    (stage): Greens =>
      new Map(Object.entries(stage.greens).map(([id, kind]) => [indexOf(id), kind])),
  );
  const state = (signal: (index: number) => string): string =>
    range(linkCount)
      .map((index) => (unsignalled.has(index) ? 'O' : signal(index)))
      .join('');
  const green = (stage: number): string =>
    state((index) => {
      const kind = greens[stage]?.get(index);
      return kind === undefined ? 'r' : greenLetter(kind);
    });
  const change = (from: number, to: number): SumoPhaseOut[] => {
    const stage = plan.stages[from]!;
    const own = greens[from] ?? new Map();
    const next = greens[to] ?? new Map();
    // The groups green in the next stage too keep their letter; the others show `losing`.
    const render = (losing: string): string =>
      state((index) => {
        const kind = own.get(index);
        if (kind === undefined) return 'r';
        return next.has(index) ? greenLetter(kind) : losing;
      });
    const phases: SumoPhaseOut[] = [];
    if (stage.yellow > 0) phases.push({ duration: stage.yellow, state: render('y') });
    if (stage.allRed > 0) phases.push({ duration: stage.allRed, state: render('r') });
    return phases;
  };
  return { greens, unsignalled, state, green, change };
}

function linkIndexOf(groupId: string, linkCount: number, caller: string): number {
  const index = Number(groupId);
  if (!/^\d+$/.test(groupId) || index >= linkCount) {
    throw new RangeError(
      `${caller}: signal group "${groupId}" is not a link index below ${linkCount}. Name signal groups by their SUMO link index.`,
    );
  }
  return index;
}

function greenLetter(kind: GreenKind): string {
  return kind === 'protected' ? 'G' : 'g';
}

/** Stage ids made from phase indices are not names worth writing back. */
function phaseName(stageId: string): { name?: string } {
  return /^\d+(#\d+)?$/.test(stageId) ? {} : { name: stageId };
}

// ---- small helpers ------------------------------------------------------------------------

function sameIndices(a: Greens, b: Greens): boolean {
  return a.size === b.size && [...a.keys()].every((index) => b.has(index));
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function range(length: number): number[] {
  return Array.from({ length }, (_, index) => index);
}

function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
