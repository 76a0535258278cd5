// A signal controller on simulated time: stages and intergreens by plan, transitions, coordinated-
// actuated operation (gap-out, skips, early return to the coordinated stage), free operation (rest
// in the first stage, max-out from a conflicting call), hi-res events.
import { runsFree } from '../src/timing/actuation.ts';
import { stageDuration } from '../src/timing/intervals.ts';
import type { Stage, TimingPlan } from '../src/timing/types.ts';
import { firstGreenStart, transitionAdjustments, transitionGreens } from './transition.ts';
import type { HiResCode, HiResEvent, PlanStatus } from './types.ts';

/** The hot loop's colour codes, in order: red, yellow, green that yields, green with priority. */
export const RED = 0;
export const YELLOW = 1;
export const PERMISSIVE_GREEN = 2;
export const PROTECTED_GREEN = 3;

const GREEN_PART = 0;
const YELLOW_PART = 1;
const ALL_RED_PART = 2;

/** A signal group the controller drives: where its colour goes and its hi-res parameter. */
export interface ControlledGroup {
  id: string;
  slot: number;
  param: number;
  /** A pedestrian group: served every cycle (recall), never a vehicle caller. */
  pedestrian?: true;
  /** A pedestrian group's walk and clearance, seconds, when its crossing length is known. */
  pedestrianGreen?: number;
}

/** How one stage of an actuated plan may end early. */
export interface StageActuation {
  /** Colour slots of its vehicle groups that are not also green in the coordinated stage. */
  calls: Int32Array;
  /** The green it runs at least: its minimum green, and its pedestrian groups' walk and clearance. */
  minimum: number;
  /** Whether it may gap out: not the coordinated stage, and something can call it or it has pedestrians. */
  actuated: boolean;
  /** Whether it may be left out when nobody waits: actuated, called by vehicles, no pedestrian group. */
  skippable: boolean;
}

/** Seconds the first stage's green is lengthened at a time while it rests (free operation). */
const REST_STEP = 1;

/**
 * How each stage of `plan` runs under its `actuated` settings (undefined for a fixed-time plan).
 * The first stage is the coordinated one; a stage called by nothing (all its groups also green in
 * the coordinated stage) runs fixed. In free operation the first stage is actuated too (called by
 * its own vehicle groups, never skipped), and a later stage that nothing calls is always skipped.
 *
 * @example
 * stageActuation({ ...plan, actuated: { passage: 2 } }, groups)?.[1]
 * // => { calls: Int32Array [5, 7], minimum: 7, actuated: true, skippable: true }
 */
export function stageActuation(
  plan: TimingPlan,
  groups: readonly ControlledGroup[],
): StageActuation[] | undefined {
  if (!plan.actuated) return undefined;
  const free = runsFree(plan);
  const coordinated = plan.stages[0]?.greens ?? {};
  const unsignalled = new Set(plan.unsignalled ?? []);
  return plan.stages.map((stage, index) => {
    const served = groups.filter(
      (group) => Object.hasOwn(stage.greens, group.id) && !unsignalled.has(group.id),
    );
    const pedestrians = served.filter((group) => group.pedestrian);
    const calls = served.filter(
      (group) => !group.pedestrian && (index === 0 || !Object.hasOwn(coordinated, group.id)),
    );
    const actuated = (free || index > 0) && (calls.length > 0 || pedestrians.length > 0);
    return {
      calls: Int32Array.from(calls, (group) => group.slot),
      minimum: Math.max(stage.minGreen, ...pedestrians.map((group) => group.pedestrianGreen ?? 0)),
      actuated,
      skippable: index > 0 && pedestrians.length === 0 && (free || calls.length > 0),
    };
  });
}

/**
 * Runs one signal. A cycle is a list of parts (each stage's green, yellow and all-red) with the
 * colour code of every group in each; the controller walks them as time advances and writes a
 * group's colour only when it changes. A new plan starts when the current cycle ends, and its
 * first cycles are lengthened or shortened (`transitionAdjustments`) until its offset is reached.
 * A group green in consecutive stages stays green through the change interval between them, as
 * `greenIntervals` has it; a cycle longer than its stages gives the rest to the last all-red.
 *
 * An actuated plan (`plan.actuated`) reads, by colour slot, when a vehicle was last in a stop-line
 * zone (`lastCall`): a stage past its minimum whose callers have been quiet for the passage time
 * ends (gap-out, hi-res 4); when a green ends, the stages after it that nobody calls are skipped;
 * every later part floats earlier, and the cycle's saving goes to the coordinated first stage of
 * the next cycle, whose green still ends where the plan puts it.
 *
 * A free plan (`actuated.free`) keeps no cycle and no offset: each cycle starts when the last one
 * ends. Its first stage rests in green while no other stage is called (and no plan waits); from a
 * conflicting call on it ends at gap-out once past its minimum, or at the latest its planned green
 * after the call (NTCIP max-out). Later stages skip and gap out as in coordination.
 */
export class SignalController {
  readonly signal: string;
  private readonly groups: readonly ControlledGroup[];
  private readonly maxAdjustment: number;
  private plan: TimingPlan;
  private pending: TimingPlan | undefined;
  /** A plan set too late in a cycle to follow it: pending from the next cycle on. */
  private deferred: TimingPlan | undefined;
  private adjustments: number[] = [];
  private adjustment = 0;
  private actuation: StageActuation[] | undefined;
  /** This cycle's greens as planned (transition and early return included) and as run. */
  private planned: number[] = [];
  private greens: number[] = [];
  private skipped = new Uint8Array(0);
  /** Free operation: when a conflicting call was first seen in this first-stage green (NaN: none). */
  private conflictSince = Number.NaN;
  private cycleStart = 0;
  private cycleDuration = 0;
  private partEnds = new Float64Array(0);
  private partKinds = new Uint8Array(0);
  private codes = new Uint8Array(0);
  private part = 0;
  private readonly current: Uint8Array;
  private readonly clearing: Uint8Array;

  /**
   * A controller running `plan` as its offset has it at `begin` (no transition at the start).
   *
   * @example
   * const controller = new SignalController('J1', groups, plan, 0, 0.2);
   * controller.start(colours); controller.advanceTo(42, colours, events);
   */
  constructor(
    signal: string,
    groups: readonly ControlledGroup[],
    plan: TimingPlan,
    begin: number,
    maxAdjustment: number,
  ) {
    this.signal = signal;
    this.groups = groups;
    this.maxAdjustment = maxAdjustment;
    this.plan = plan;
    this.current = new Uint8Array(groups.length);
    this.clearing = new Uint8Array(groups.length);
    this.actuation = stageActuation(plan, groups);
    if (runsFree(plan)) {
      this.buildCycle(begin, stageTime(plan), [], 0);
    } else {
      const reference = firstGreenStart(plan);
      const cycles = Math.floor((begin - reference) / plan.cycleLength);
      this.buildCycle(reference + cycles * plan.cycleLength, plan.cycleLength, [], 0);
    }
    while (this.part < this.partEnds.length - 1 && this.partEnds[this.part]! <= begin) this.part++;
    this.current.set(
      this.codes.subarray(this.part * groups.length, (this.part + 1) * groups.length),
    );
  }

  /** Writes every group's colour code into `colours` (once, before the first step). */
  start(colours: Uint8Array): void {
    this.groups.forEach((group, index) => (colours[group.slot] = this.current[index]!));
  }

  /**
   * Moves to `time` (never backwards), updating `colours`, pushing events when given, and writing
   * into `greenStarts` (by colour slot, when given) the time each group's green began. An actuated
   * plan runs on `lastCall` (by colour slot, the last time a vehicle was in its stop-line zone);
   * without it every plan runs fixed time.
   */
  advanceTo(
    time: number,
    colours: Uint8Array,
    events?: HiResEvent[],
    greenStarts?: Float64Array,
    lastCall?: Float64Array,
  ): void {
    for (;;) {
      if (this.actuation && lastCall) {
        if (this.part === 0 && runsFree(this.plan)) this.rest(time, lastCall);
        this.gapOut(time, lastCall, events);
      }
      if (!(time >= this.partEnds[this.part]!)) return;
      const at = this.partEnds[this.part]!;
      if (this.actuation && lastCall) this.skipUncalled(time, lastCall);
      this.part++;
      if (this.part === this.partKinds.length) this.nextCycle(at);
      this.enterPart(at, colours, events, greenStarts);
    }
  }

  /**
   * Runs `plan` from the end of the current cycle, through a transition to its offset; from the
   * end of the next cycle when the current one is already in its last change interval and the
   * new first stage would cut a green short there (no yellow would be shown).
   */
  setPlan(plan: TimingPlan): void {
    const count = this.groups.length;
    const shown = this.codes.slice(this.part * count, (this.part + 1) * count);
    const pending = this.pending;
    this.pending = plan;
    // The last stage's change interval now leads into the new plan's first stage.
    this.layOut();
    const changed = this.codes
      .subarray(this.part * count, (this.part + 1) * count)
      .some((code, column) => code !== shown[column]);
    if (changed) {
      this.pending = pending;
      this.deferred = plan;
      this.layOut();
    } else {
      this.deferred = undefined;
    }
  }

  /** Whether the plan it runs, or one it is to run, is actuated (and so reads stop-line calls). */
  get actuated(): boolean {
    return [this.plan, this.pending, this.deferred].some((plan) => plan?.actuated !== undefined);
  }

  status(): PlanStatus {
    const transitionCycles = this.adjustments.length + (this.adjustment !== 0 ? 1 : 0);
    const pending = this.deferred ?? this.pending;
    return pending
      ? { active: this.plan, pending, transitionCycles }
      : { active: this.plan, transitionCycles };
  }

  private nextCycle(at: number): void {
    // An actuated cycle that ended early returns to the coordinated stage now; its green still
    // ends where the plan has it. A free cycle has no nominal end: the next one starts now.
    const nominal = runsFree(this.plan) ? at : this.cycleStart + this.cycleDuration;
    let early = nominal - at > 1e-9 ? nominal - at : 0;
    if (this.pending) {
      this.plan = this.pending;
      this.pending = undefined;
      this.adjustments = runsFree(this.plan)
        ? []
        : transitionAdjustments(this.plan, nominal, this.maxAdjustment);
      this.actuation = stageActuation(this.plan, this.groups);
    }
    if (runsFree(this.plan)) early = 0;
    const adjustment = this.adjustments.shift() ?? 0;
    const greens = transitionGreens(this.plan, adjustment);
    if (early > 0) greens[0] = greens[0]! + early;
    if (this.deferred) {
      this.pending = this.deferred;
      this.deferred = undefined;
    }
    const duration = runsFree(this.plan)
      ? stageTime(this.plan)
      : this.plan.cycleLength + adjustment + early;
    this.buildCycle(at, duration, greens, adjustment);
    this.part = 0;
  }

  private buildCycle(start: number, duration: number, greens: number[], adjustment: number): void {
    const { stages } = this.plan;
    this.cycleStart = start;
    this.cycleDuration = duration;
    this.adjustment = adjustment;
    this.planned =
      greens.length === stages.length ? [...greens] : stages.map((stage) => stage.green);
    this.greens = [...this.planned];
    this.skipped = new Uint8Array(stages.length);
    this.conflictSince = Number.NaN;
    this.layOut();
  }

  /**
   * The parts of the current cycle from its greens as run and its skips: each stage's green,
   * yellow and all-red, a skipped stage's three parts empty and showing what came before; the
   * cycle ends what the plan gave it less what the stages saved.
   */
  private layOut(): void {
    const { stages } = this.plan;
    const nextFirst = (this.pending ?? this.plan).stages[0];
    const unsignalled = new Set(this.plan.unsignalled ?? []);
    const count = this.groups.length;
    this.partEnds = new Float64Array(stages.length * 3);
    this.partKinds = new Uint8Array(stages.length * 3);
    this.codes = new Uint8Array(stages.length * 3 * count);
    const saved = stages.reduce(
      (sum, stage, index) =>
        sum +
        (this.skipped[index]
          ? this.planned[index]! + stage.yellow + stage.allRed
          : this.planned[index]! - this.greens[index]!),
      0,
    );
    const end = this.cycleStart + this.cycleDuration - saved;
    let elapsed = this.cycleStart;
    stages.forEach((stage, index) => {
      const skipped = this.skipped[index] === 1;
      const next = stages.find((_, later) => later > index && !this.skipped[later]) ?? nextFirst;
      const lengths = skipped ? [0, 0, 0] : [this.greens[index]!, stage.yellow, stage.allRed];
      for (let kind = GREEN_PART; kind <= ALL_RED_PART; kind++) {
        const part = index * 3 + kind;
        elapsed = Math.min(end, elapsed + lengths[kind]!);
        this.partEnds[part] = elapsed;
        this.partKinds[part] = kind;
        if (skipped) {
          this.codes.copyWithin(part * count, (part - 1) * count, part * count);
          continue;
        }
        this.groups.forEach((group, column) => {
          this.codes[part * count + column] = unsignalled.has(group.id)
            ? PROTECTED_GREEN
            : partCode(group.id, kind, stage, next);
        });
      }
    });
    this.partEnds[this.partEnds.length - 1] = end;
  }

  /** Ends an actuated stage's green now when it is past its minimum and its callers are quiet. */
  private gapOut(time: number, lastCall: Float64Array, events: HiResEvent[] | undefined): void {
    const part = this.part;
    if (this.partKinds[part] !== GREEN_PART || !(time < this.partEnds[part]!)) return;
    const index = (part / 3) | 0;
    const stage = this.actuation![index]!;
    if (!stage.actuated || this.skipped[index]) return;
    const began = part === 0 ? this.cycleStart : this.partEnds[part - 1]!;
    if (time - began < stage.minimum) return;
    if (calling(stage.calls, time, lastCall, this.passage())) return;
    // A free first stage gaps out only towards a conflicting call; without one it rests.
    if (index === 0 && Number.isNaN(this.conflictSince)) return;
    this.greens[index] = time - began;
    this.layOut();
    if (events) {
      for (const group of this.groups) {
        if (stage.calls.includes(group.slot))
          events.push({ time, signal: this.signal, code: 4, param: group.param });
      }
    }
  }

  /**
   * A free plan's first-stage green: while nothing conflicts it rests (its end moves on by
   * `REST_STEP` whenever reached); the first conflicting call starts the max timer, so the green
   * ends at the latest the planned green after the call.
   */
  private rest(time: number, lastCall: Float64Array): void {
    const began = this.cycleStart;
    if (!this.conflicting(time, lastCall)) {
      this.conflictSince = Number.NaN;
      if (time >= this.partEnds[0]!) {
        this.greens[0] = time - began + REST_STEP;
        this.layOut();
      }
      return;
    }
    if (!Number.isNaN(this.conflictSince)) return;
    this.conflictSince = time;
    // The max timer runs from the call: a call waiting as the green starts changes nothing.
    const maxOut = time - began + this.planned[0]!;
    if (Math.abs(maxOut - this.greens[0]!) > 1e-9) {
      this.greens[0] = maxOut;
      this.layOut();
    }
  }

  /** Whether a later stage waits to be served: a vehicle call, a pedestrian recall, or a new plan. */
  private conflicting(time: number, lastCall: Float64Array): boolean {
    if (this.pending !== undefined) return true;
    const passage = this.passage();
    const stages = this.actuation!;
    for (let index = 1; index < stages.length; index++) {
      const stage = stages[index]!;
      if (!stage.skippable || calling(stage.calls, time, lastCall, passage)) return true;
    }
    return false;
  }

  /** As a green ends: the stages after it in this cycle that nobody calls are skipped. */
  private skipUncalled(time: number, lastCall: Float64Array): void {
    const part = this.part;
    const index = (part / 3) | 0;
    if (this.partKinds[part] !== GREEN_PART || this.skipped[index]) return;
    const passage = this.passage();
    let skipping = false;
    for (let later = index + 1; later < this.plan.stages.length; later++) {
      const stage = this.actuation![later]!;
      if (!stage.skippable || calling(stage.calls, time, lastCall, passage)) break;
      this.skipped[later] = 1;
      skipping = true;
    }
    if (skipping) this.layOut();
  }

  private passage(): number {
    return this.plan.actuated?.passage ?? 0;
  }

  private enterPart(
    at: number,
    colours: Uint8Array,
    events: HiResEvent[] | undefined,
    greenStarts: Float64Array | undefined,
  ): void {
    const count = this.groups.length;
    const base = this.part * count;
    const kind = this.partKinds[this.part]!;
    if (events) {
      // Red clearances end before any green begins at the same moment.
      for (let column = 0; column < count; column++) {
        if (!this.clearing[column]) continue;
        this.clearing[column] = 0;
        events.push({ time: at, signal: this.signal, code: 11, param: this.groups[column]!.param });
      }
    }
    for (let column = 0; column < count; column++) {
      const before = this.current[column]!;
      const after = this.codes[base + column]!;
      const group = this.groups[column]!;
      if (events) {
        const push = (code: HiResCode) =>
          events.push({ time: at, signal: this.signal, code, param: group.param });
        if (before < PERMISSIVE_GREEN && after >= PERMISSIVE_GREEN) push(1);
        else if (before >= PERMISSIVE_GREEN && after === YELLOW) push(8);
        else if (before !== RED && after === RED) {
          if (before !== YELLOW) push(8);
          push(9);
          push(10);
          if (kind === ALL_RED_PART) this.clearing[column] = 1;
          else push(11);
        }
      }
      if (before !== after) {
        this.current[column] = after;
        colours[group.slot] = after;
        if (greenStarts && before < PERMISSIVE_GREEN && after >= PERMISSIVE_GREEN) {
          greenStarts[group.slot] = at;
        }
      }
    }
  }
}

/** The seconds of a plan's stages with their change intervals: a free plan's longest cycle. */
function stageTime(plan: TimingPlan): number {
  return plan.stages.reduce((sum, stage) => sum + stageDuration(stage), 0);
}

/** Whether a vehicle was in the stop-line zone of any of `slots` within `passage` seconds. */
function calling(
  slots: Int32Array,
  time: number,
  lastCall: Float64Array,
  passage: number,
): boolean {
  for (const slot of slots) if (time - lastCall[slot]! <= passage) return true;
  return false;
}

/** A group's colour code in one part of `stage`, `next` being the stage after it. */
function partCode(group: string, kind: number, stage: Stage, next: Stage | undefined): number {
  if (!Object.hasOwn(stage.greens, group)) return RED;
  const here = stage.greens[group];
  if (kind === GREEN_PART) return here === 'protected' ? PROTECTED_GREEN : PERMISSIVE_GREEN;
  if (!next || !Object.hasOwn(next.greens, group)) return kind === YELLOW_PART ? YELLOW : RED;
  const there = next.greens[group];
  return here === 'protected' && there === 'protected' ? PROTECTED_GREEN : PERMISSIVE_GREEN;
}
