// A CityFlow traffic light's built-in program as a timing plan: a stage per light phase, by right of way.
import type { Stage, TimingPlan } from '../../timing/types.ts';
import { DEFAULT_MIN_GREEN } from '../build.ts';
import type { GreenKind } from '../types.ts';
import type {
  CityflowLightPhase,
  CityflowRoadLink,
  CityflowTrafficLight,
  TurningRoadLink,
} from './cityflow-types.ts';

/**
 * The program CityFlow runs when no agent drives the lights: every light phase in turn, for its
 * `time`, from phase 0 at t = 0. Each phase is a stage, except a transition phase, which becomes
 * the all-red of the stage before it (cyclically). Right turns run in every phase, so the
 * transition's right turns stay green through that all-red in CityFlow; the plan does not show it.
 *
 * @example
 * const through = { type: 'go_straight', startRoad: 'a', endRoad: 'b', laneLinks: [], turn: 'through' };
 * const light = { lightphases: [{ time: 5, availableRoadLinks: [] }, { time: 30, availableRoadLinks: [0] }] };
 * cityflowProgram('A', light, [through])
 * // => cycleLength 35, offset 5, one stage `phase-1`: green 30 s, then 5 s all-red (phase 0)
 */
export function cityflowProgram(
  signal: string,
  light: CityflowTrafficLight,
  roadLinks: TurningRoadLink[],
): TimingPlan {
  const phases = light.lightphases.map((phase, position) => ({
    phase,
    position,
    transition: isTransitionPhase(phase, roadLinks),
  }));
  // A program of transition phases only has nothing to fold them into: each stays a stage.
  const firstStage = Math.max(
    0,
    phases.findIndex(({ transition }) => !transition),
  );
  const foldsTransitions = phases.some(({ transition }) => !transition);
  const inCycleOrder = [...phases.slice(firstStage), ...phases.slice(0, firstStage)];

  const stages: Stage[] = [];
  for (const { phase, position, transition } of inCycleOrder) {
    const previous = stages[stages.length - 1];
    if (foldsTransitions && transition && previous) {
      previous.allRed += phase.time;
    } else {
      stages.push(toStage(phase, position, roadLinks));
    }
  }
  const cycleLength = sumOfTimes(light.lightphases);
  return {
    id: 'cityflow',
    signal,
    cycleLength,
    // Cycle time 0 is the start of light phase 0; the offset is read at the first stage's green.
    offset: sumOfTimes(light.lightphases.slice(0, firstStage)) % cycleLength,
    offsetReference: 'first-stage-green-start',
    stages,
    origin: 'cityflow',
  };
}

/**
 * A light phase that releases only right turns (or nothing). CoLight-family files open with one,
 * 5 s long, and use it as the yellow/all-red change between the real phases.
 */
function isTransitionPhase(phase: CityflowLightPhase, roadLinks: CityflowRoadLink[]): boolean {
  return phase.availableRoadLinks.every((position) => roadLinks[position]?.type === 'turn_right');
}

function toStage(phase: CityflowLightPhase, position: number, roadLinks: TurningRoadLink[]): Stage {
  const released = phase.availableRoadLinks.flatMap((index) => {
    const roadLink = roadLinks[index];
    return roadLink ? [{ index, roadLink }] : [];
  });
  const greens: Record<string, GreenKind> = {};
  for (const { index, roadLink } of released) {
    greens[String(index)] = greenKind(
      roadLink,
      released.map((other) => other.roadLink),
    );
  }
  return {
    id: `phase-${position}`,
    greens,
    green: phase.time,
    yellow: 0,
    allRed: 0,
    // Never above the file's own green, so the imported program stays a valid plan.
    minGreen: Math.min(DEFAULT_MIN_GREEN.vehicle, phase.time),
  };
}

/**
 * How a road link moves in a phase. CityFlow gives right of way at a crossing by type, straight
 * before left before right, so: a right turn always yields (it runs in every phase, as a right
 * turn on red); a left turn yields when traffic from another approach goes straight in the same
 * phase (a permitted left, as in the Atlanta files); a U-turn always yields, as U-turning drivers
 * must; anything else is protected.
 */
function greenKind(roadLink: TurningRoadLink, released: TurningRoadLink[]): GreenKind {
  if (roadLink.type === 'turn_right' || roadLink.turn === 'uturn') return 'permissive';
  const opposed = released.some(
    (other) => other.type === 'go_straight' && other.startRoad !== roadLink.startRoad,
  );
  return roadLink.type === 'turn_left' && opposed ? 'permissive' : 'protected';
}

function sumOfTimes(phases: CityflowLightPhase[]): number {
  return phases.reduce((total, phase) => total + phase.time, 0);
}
