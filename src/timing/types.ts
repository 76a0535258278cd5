// Timing plans: a cycle, an offset with its reference, and an ordered sequence of stages.
import type { GreenKind } from '../network/types.ts';

/**
 * Where the offset is measured to: the start of the first stage's green (TS2 style, and what SUMO's
 * `tlLogic@offset` means for a program whose first phase is that green), or the start of its yellow
 * (Type 170 style).
 */
export type OffsetReference = 'first-stage-green-start' | 'first-stage-yellow-start';

/** A stage: the set of signal groups green together, followed by its change interval. */
export interface Stage {
  id: string;
  /** Signal group id → how it moves while green. Groups not listed are red. */
  greens: Record<string, GreenKind>;
  /** Displayed green, seconds. */
  green: number;
  /** Yellow after this stage, seconds (for the groups that lose green at its end). */
  yellow: number;
  /** All-red after the yellow, seconds. */
  allRed: number;
  /** The shortest green this stage may be given, seconds. */
  minGreen: number;
  /** The longest, seconds, when bounded (actuated programs). */
  maxGreen?: number;
}

export interface TimingPlan {
  id: string;
  signal: string;
  /** Cycle length, seconds. */
  cycleLength: number;
  /** Offset, seconds, in [0, cycleLength). */
  offset: number;
  offsetReference: OffsetReference;
  stages: Stage[];
  /** Signal groups shown dark or never signalled (SUMO `o`/`O`), e.g. uncontrolled links. */
  unsignalled?: string[];
  /** Where the plan came from: `sumo`, `cityflow`, `geojson`, `greenwave`. */
  origin?: string;
  /** Coordinated-actuated operation; absent, the plan runs fixed time. */
  actuated?: Actuation;
}

/**
 * Coordinated-actuated operation with floating force-offs (NTCIP 1202 coordination): the first
 * stage, whose green the offset is measured to, is the coordinated stage. Every other stage is
 * skipped when no vehicle waits for it and ends early (gap-out) once past its minimum green when
 * its stop-line detectors have seen no vehicle for `passage` seconds; it never runs longer than its
 * planned green. The time saved goes to the coordinated stage, whose green ends where the plan has
 * it, so the cycle and the offset hold. Stages with a pedestrian group are never skipped and run
 * at least their pedestrian timing (pedestrian recall).
 */
export interface Actuation {
  /** Seconds without a vehicle on a stage's detectors that end its green (passage time). */
  passage: number;
  /**
   * Free operation (NTCIP 1202's free pattern) instead of coordination: no cycle and no offset.
   * Every stage is actuated, each planned green its maximum: the first stage rests in green while
   * no other stage is called, and once one is, ends at gap-out past its minimum or a planned green
   * after the call (max-out); the others are skipped or gap out as above. Absent or false,
   * coordinated.
   */
  free?: boolean;
}

/** A coded problem found by `validatePlan`. Codes are stable; messages are for people. */
export interface PlanProblem {
  code: PlanProblemCode;
  message: string;
  stage?: string;
  signalGroup?: string;
}

export type PlanProblemCode =
  | 'MALFORMED_PLAN'
  | 'CYCLE_NOT_POSITIVE'
  | 'CYCLE_MISMATCH'
  | 'OFFSET_OUT_OF_RANGE'
  | 'NO_STAGES'
  | 'NEGATIVE_DURATION'
  | 'GREEN_BELOW_MINIMUM'
  | 'PEDESTRIAN_CLEARANCE_SHORT'
  | 'CONFLICTING_GREENS'
  | 'SIGNAL_GROUP_NEVER_SERVED'
  | 'UNKNOWN_SIGNAL_GROUP'
  | 'UNKNOWN_SIGNAL'
  | 'YELLOW_OUT_OF_RANGE'
  | 'ACTUATION_INVALID';
