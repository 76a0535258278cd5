// SUMO signal programs (phase state strings) to stage-based timing plans, and back.
import type { GreenKind } from '../network/types.ts';
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
  const unsignalled = new Set(plan.unsignalled?.map((id) => linkIndexOf(id, linkCount)) ?? []);
  const stages = plan.stages.map((stage) => greensByIndex(stage, linkCount));
  if (stages.length === 0) {
    return [{ duration: plan.cycleLength, state: renderState(linkCount, unsignalled, () => 'r') }];
  }
  return plan.stages.flatMap((stage, position) => {
    const greens = stages[position] ?? new Map();
    const next = stages[(position + 1) % stages.length] ?? new Map();
    const render = (losing: string): string =>
      renderState(linkCount, unsignalled, (index) => {
        const kind = greens.get(index);
        if (kind === undefined) return 'r';
        return next.has(index) ? greenLetter(kind) : losing;
      });
    const phases: SumoPhaseOut[] = [];
    if (stage.green > 0) {
      const state = renderState(linkCount, unsignalled, (index) => {
        const kind = greens.get(index);
        return kind === undefined ? 'r' : greenLetter(kind);
      });
      phases.push({ duration: stage.green, state, ...phaseName(stage.id) });
    }
    if (stage.yellow > 0) phases.push({ duration: stage.yellow, state: render('y') });
    if (stage.allRed > 0) phases.push({ duration: stage.allRed, state: render('r') });
    return phases;
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

function greensByIndex(stage: Stage, linkCount: number): Greens {
  return new Map(
    Object.entries(stage.greens).map(([id, kind]) => [linkIndexOf(id, linkCount), kind]),
  );
}

function linkIndexOf(groupId: string, linkCount: number): number {
  const index = Number(groupId);
  if (!/^\d+$/.test(groupId) || index >= linkCount) {
    throw new RangeError(
      `sumoPhasesFromPlan: signal group "${groupId}" is not a link index below ${linkCount}. Name signal groups by their SUMO link index.`,
    );
  }
  return index;
}

function renderState(
  linkCount: number,
  unsignalled: Set<number>,
  signal: (index: number) => string,
): string {
  return range(linkCount)
    .map((index) => (unsignalled.has(index) ? 'O' : signal(index)))
    .join('');
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
