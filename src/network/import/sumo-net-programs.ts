// Reads the traffic lights of a SUMO network: every tlLogic program, its phases checked.
import type { SumoPhase, SumoProgram } from '../../timing/sumo-program.ts';
import type { ProblemList } from '../errors.ts';
import { attributeReader } from './sumo-net-attributes.ts';
import { report } from './sumo-net-problems.ts';
import { childrenTagged, type XmlElement } from './sumo-xml.ts';

/** All programs of one traffic light, in file order, and the length of their state strings. */
export interface TrafficLight {
  id: string;
  programs: SumoProgram[];
  linkCount: number;
}

export interface TrafficLights {
  lights: Map<string, TrafficLight>;
  /** Every `tlLogic` id in the file, including those whose programs have problems. */
  declared: Set<string>;
}

/** The traffic lights by id; a program with a problem is reported and left out. */
export function readTrafficLights(net: XmlElement, problems: ProblemList): TrafficLights {
  const lights = new Map<string, TrafficLight>();
  const declared = new Set<string>();
  for (const element of childrenTagged(net, 'tlLogic')) {
    const id = element.attributes.id;
    if (id !== undefined) declared.add(id);
    const label = tlLogicLabel(element);
    const program = programOf(element, label, problems);
    if (!program) continue;
    const linkCount = program.phases[0]?.state.length ?? 0;
    const light = lights.get(program.signal);
    if (!light) {
      lights.set(program.signal, { id: program.signal, programs: [program], linkCount });
    } else if (light.programs.some((other) => other.programId === program.programId)) {
      report(problems, 'duplicateId', label, 'program');
    } else if (linkCount !== light.linkCount) {
      report(problems, 'programStateLength', label, linkCount, light.id, light.linkCount);
    } else {
      light.programs.push(program);
    }
  }
  return { lights, declared };
}

function tlLogicLabel({ attributes }: XmlElement): string {
  return `tlLogic id="${attributes.id ?? '?'}" programID="${attributes.programID ?? '?'}"`;
}

function programOf(
  element: XmlElement,
  label: string,
  problems: ProblemList,
): SumoProgram | undefined {
  const read = attributeReader(element, label, problems);
  const signal = read.text('id');
  const programId = read.text('programID');
  const offset =
    read.optional('offset') === 'begin' ? 0 : read.number('offset', { required: false });
  const phaseElements = childrenTagged(element, 'phase');
  if (phaseElements.length === 0) report(problems, 'noPhases', label);
  const phases = phaseElements.map((phase, index) =>
    phaseOf(phase, `phase ${index} of ${label}`, problems),
  );
  const complete = phases.filter((phase): phase is SumoPhase => phase !== undefined);
  if (signal === undefined || programId === undefined || complete.length !== phases.length) {
    return undefined;
  }
  if (!statesAgree(complete, label, problems) || complete.length === 0) return undefined;
  return { signal, programId, offset: offset ?? 0, phases: complete };
}

function phaseOf(element: XmlElement, label: string, problems: ProblemList): SumoPhase | undefined {
  const read = attributeReader(element, label, problems);
  const duration = read.number('duration', { required: true });
  const state = read.text('state');
  const minDur = read.number('minDur', { required: false });
  const maxDur = read.number('maxDur', { required: false });
  const name = read.optional('name');
  if (duration !== undefined && duration < 0) {
    report(problems, 'negativeDuration', label, duration);
    return undefined;
  }
  if (state !== undefined && !/^[rRyYgGsuoO]*$/.test(state)) {
    report(problems, 'badState', label, state);
    return undefined;
  }
  if (duration === undefined || state === undefined) return undefined;
  return {
    duration,
    state,
    ...(minDur !== undefined ? { minDur } : {}),
    ...(maxDur !== undefined ? { maxDur } : {}),
    ...(name ? { name } : {}),
  };
}

/** True when every phase has as many signals as phase 0; each one that has not is reported. */
function statesAgree(phases: SumoPhase[], label: string, problems: ProblemList): boolean {
  const expected = phases[0]?.state.length ?? 0;
  let agree = true;
  phases.forEach((phase, index) => {
    if (phase.state.length === expected) return;
    agree = false;
    report(
      problems,
      'phaseStateLength',
      `phase ${index} of ${label}`,
      phase.state.length,
      expected,
    );
  });
  return agree;
}
