// A signal controller on simulated time: stages and intergreens by plan, transitions, hi-res events.
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
}

/**
 * Runs one signal. A cycle is a list of parts (each stage's green, yellow and all-red) with the
 * colour code of every group in each; the controller walks them as time advances and writes a
 * group's colour only when it changes. A new plan starts when the current cycle ends, and its
 * first cycles are lengthened or shortened (`transitionAdjustments`) until its offset is reached.
 * A group green in consecutive stages stays green through the change interval between them, as
 * `greenIntervals` has it; a cycle longer than its stages gives the rest to the last all-red.
 */
export class SignalController {
  readonly signal: string;
  private readonly groups: readonly ControlledGroup[];
  private readonly maxAdjustment: number;
  private plan: TimingPlan;
  private pending: TimingPlan | undefined;
  private adjustments: number[] = [];
  private adjustment = 0;
  private greens: number[] = [];
  private cycleStart = 0;
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
    const reference = firstGreenStart(plan);
    const cycles = Math.floor((begin - reference) / plan.cycleLength);
    this.buildCycle(reference + cycles * plan.cycleLength, plan.cycleLength, [], 0);
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
   * into `greenStarts` (by colour slot, when given) the time each group's green began.
   */
  advanceTo(
    time: number,
    colours: Uint8Array,
    events?: HiResEvent[],
    greenStarts?: Float64Array,
  ): void {
    while (time >= this.partEnds[this.part]!) {
      const at = this.partEnds[this.part]!;
      this.part++;
      if (this.part === this.partKinds.length) this.nextCycle(at);
      this.enterPart(at, colours, events, greenStarts);
    }
  }

  /** Runs `plan` from the end of the current cycle, through a transition to its offset. */
  setPlan(plan: TimingPlan): void {
    this.pending = plan;
    // The last stage's change interval now leads into the new plan's first stage.
    const part = this.part;
    this.buildCycle(this.cycleStart, this.cycleDuration(), this.greens, this.adjustment);
    this.part = part;
  }

  status(): PlanStatus {
    const transitionCycles = this.adjustments.length + (this.adjustment !== 0 ? 1 : 0);
    return this.pending
      ? { active: this.plan, pending: this.pending, transitionCycles }
      : { active: this.plan, transitionCycles };
  }

  private cycleDuration(): number {
    return this.partEnds[this.partEnds.length - 1]! - this.cycleStart;
  }

  private nextCycle(at: number): void {
    if (this.pending) {
      this.plan = this.pending;
      this.pending = undefined;
      this.adjustments = transitionAdjustments(this.plan, at, this.maxAdjustment);
    }
    const adjustment = this.adjustments.shift() ?? 0;
    const greens = transitionGreens(this.plan, adjustment);
    this.buildCycle(at, this.plan.cycleLength + adjustment, greens, adjustment);
    this.part = 0;
  }

  private buildCycle(start: number, duration: number, greens: number[], adjustment: number): void {
    const { stages } = this.plan;
    this.cycleStart = start;
    this.adjustment = adjustment;
    this.greens = greens.length === stages.length ? greens : stages.map((stage) => stage.green);
    const nextFirst = (this.pending ?? this.plan).stages[0];
    const unsignalled = new Set(this.plan.unsignalled ?? []);
    const count = this.groups.length;
    this.partEnds = new Float64Array(stages.length * 3);
    this.partKinds = new Uint8Array(stages.length * 3);
    this.codes = new Uint8Array(stages.length * 3 * count);
    const end = start + duration;
    let elapsed = start;
    stages.forEach((stage, index) => {
      const next = index + 1 < stages.length ? stages[index + 1] : nextFirst;
      const lengths = [this.greens[index]!, stage.yellow, stage.allRed];
      for (let kind = GREEN_PART; kind <= ALL_RED_PART; kind++) {
        const part = index * 3 + kind;
        elapsed = Math.min(end, elapsed + lengths[kind]!);
        this.partEnds[part] = elapsed;
        this.partKinds[part] = kind;
        this.groups.forEach((group, column) => {
          this.codes[part * count + column] = unsignalled.has(group.id)
            ? PROTECTED_GREEN
            : partCode(group.id, kind, stage, next);
        });
      }
    });
    this.partEnds[this.partEnds.length - 1] = end;
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

/** A group's colour code in one part of `stage`, `next` being the stage after it. */
function partCode(group: string, kind: number, stage: Stage, next: Stage | undefined): number {
  if (!Object.hasOwn(stage.greens, group)) return RED;
  const here = stage.greens[group];
  if (kind === GREEN_PART) return here === 'protected' ? PROTECTED_GREEN : PERMISSIVE_GREEN;
  if (!next || !Object.hasOwn(next.greens, group)) return kind === YELLOW_PART ? YELLOW : RED;
  const there = next.greens[group];
  return here === 'protected' && there === 'protected' ? PROTECTED_GREEN : PERMISSIVE_GREEN;
}
