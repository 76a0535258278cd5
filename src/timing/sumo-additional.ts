// Writes timing plans as a SUMO additional file (`sumo -a FILE`): fixed-time plans as static tlLogic programs, actuated ones (free or coordinated) as actuated.
import {
  formatSeconds,
  sumoCoordinatedProgram,
  sumoFreeProgram,
  sumoOffset,
  sumoPhasesFromPlan,
  type SumoActuatedProgram,
  type SumoApproachLane,
} from './sumo-program.ts';
import { runsFree } from './actuation.ts';
import type { TimingPlan } from './types.ts';

export interface SumoProgramOutput {
  plan: TimingPlan;
  /** Length of the signal's state string: its number of link indices. */
  linkCount: number;
  /** SUMO programID; must differ from the net's own (`0`) to be loaded beside it. */
  programId: string;
  /**
   * The lanes entering the signal (`sumoApproachLanes` of the `.net.xml`): required for an
   * actuated plan, whose stop-line detectors go on them; unused for a fixed-time one.
   */
  lanes?: readonly SumoApproachLane[];
  /**
   * An actuated plan's pedestrian needs per stage (see `SumoFreeOptions.pedestrians`): link-indexed
   * plans have lost their pedestrian groups.
   */
  pedestrians?: readonly (number | undefined)[];
  /** An actuated plan's simulation begin, seconds (see `SumoFreeOptions.begin`). */
  begin?: number;
}

/**
 * A SUMO additional file with one `<tlLogic>` per plan, in the net's signal link order (signal
 * group ids are link indices). Fixed-time plans are written `type="static"`: yellow and all-red
 * phases kept, the plan's offset converted to SUMO's (the program starts with the first stage's
 * green). An actuated plan is written `type="actuated"` with its stop-line presence detectors
 * before it, as `sumoFreeProgram` (free) or `sumoCoordinatedProgram` (coordinated) maps it (their
 * documentation lists what SUMO runs differently). The last program loaded for a signal is the
 * one SUMO runs.
 *
 * @throws {RangeError} when an actuated plan comes without `lanes`, or as `sumoFreeProgram` and
 *   `sumoCoordinatedProgram`.
 * @example
 * sumoAdditional([{ plan, linkCount: 4, programId: 'greenwave' }])
 * // => '<additional>\n    <tlLogic id="J1" type="static" programID="greenwave" offset="0">…'
 */
export function sumoAdditional(programs: readonly SumoProgramOutput[], comment?: string): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  if (comment) lines.push(`<!-- ${comment.replaceAll('--', '—')} -->`);
  lines.push('<additional>');
  for (const output of programs) {
    lines.push(
      ...(output.plan.actuated !== undefined ? actuatedLines(output) : staticLines(output)),
    );
  }
  lines.push('</additional>', '');
  return lines.join('\n');
}

/**
 * The lanes entering each traffic light of a SUMO `.net.xml`, with the link indices that leave
 * each, in the net's connection order: what `sumoAdditional` needs to place an actuated plan's
 * detectors.
 *
 * @throws {RangeError} when a connection to a traffic light names a lane the net does not have.
 * @example
 * sumoApproachLanes(netXml)['JS-01'];
 * // => [{ id: 'chengdong-nb-in_0', length: 246.1, linkIndices: [4] }, …]
 */
export function sumoApproachLanes(netXml: string): Record<string, SumoApproachLane[]> {
  const lengths = new Map<string, number>();
  for (const [, text] of netXml.matchAll(/<lane\s([^>]*)>/g)) {
    const attributes = attributesOf(text!);
    const id = attributes.get('id');
    if (id !== undefined) lengths.set(id, Number(attributes.get('length')));
  }
  const bySignal: Record<string, Map<string, SumoApproachLane>> = {};
  for (const [, text] of netXml.matchAll(/<connection\s([^>]*)>/g)) {
    const attributes = attributesOf(text!);
    const signal = attributes.get('tl');
    const linkIndex = Number(attributes.get('linkIndex'));
    if (signal === undefined || !Number.isInteger(linkIndex) || linkIndex < 0) continue;
    const id = `${attributes.get('from')}_${attributes.get('fromLane')}`;
    const length = lengths.get(id);
    if (length === undefined || !Number.isFinite(length)) {
      throw new RangeError(
        `sumoApproachLanes: a connection of traffic light "${signal}" leaves lane "${id}", which the net does not have. Give the whole .net.xml.`,
      );
    }
    const lanes = (bySignal[signal] ??= new Map());
    const lane = lanes.get(id) ?? { id, length, linkIndices: [] };
    if (!lane.linkIndices.includes(linkIndex)) lane.linkIndices.push(linkIndex);
    lanes.set(id, lane);
  }
  return Object.fromEntries(
    Object.entries(bySignal).map(([signal, lanes]) => [signal, [...lanes.values()]]),
  );
}

function staticLines({ plan, linkCount, programId }: SumoProgramOutput): string[] {
  const lines = [
    `    <tlLogic id="${escapeXml(plan.signal)}" type="static" programID="${escapeXml(programId)}" offset="${formatSeconds(sumoOffset(plan))}">`,
  ];
  for (const phase of sumoPhasesFromPlan(plan, linkCount)) {
    const name = phase.name !== undefined ? ` name="${escapeXml(phase.name)}"` : '';
    lines.push(
      `        <phase duration="${formatSeconds(phase.duration)}" state="${phase.state}"${name}/>`,
    );
  }
  lines.push('    </tlLogic>');
  return lines;
}

function actuatedLines(output: SumoProgramOutput): string[] {
  const { plan, linkCount, programId, lanes, pedestrians, begin } = output;
  if (!lanes) {
    throw new RangeError(
      `sumoAdditional: plan "${plan.id}" of "${plan.signal}" is actuated and needs the lanes entering the signal for its detectors. Give lanes: sumoApproachLanes(netXml)["${plan.signal}"].`,
    );
  }
  const write = runsFree(plan) ? sumoFreeProgram : sumoCoordinatedProgram;
  const program: SumoActuatedProgram = write(plan, linkCount, {
    lanes,
    programId,
    ...(pedestrians ? { pedestrians } : {}),
    ...(begin !== undefined ? { begin } : {}),
  });
  const lines = program.detectors.map(
    (detector) =>
      `    <inductionLoop id="${escapeXml(detector.id)}" lane="${escapeXml(detector.lane)}" pos="${detector.pos}" length="${detector.length}" friendlyPos="true" file="NUL"/>`,
  );
  lines.push(
    `    <tlLogic id="${escapeXml(plan.signal)}" type="actuated" programID="${escapeXml(programId)}" offset="${formatSeconds(program.offset)}">`,
  );
  for (const [key, value] of program.params) {
    lines.push(`        <param key="${escapeXml(key)}" value="${escapeXml(value)}"/>`);
  }
  for (const phase of program.phases) {
    const attributes = [
      `duration="${formatSeconds(phase.duration)}"`,
      `minDur="${formatSeconds(phase.minDur)}"`,
      `maxDur="${formatSeconds(phase.maxDur)}"`,
      `state="${phase.state}"`,
      ...(phase.next ? [`next="${phase.next.join(' ')}"`] : []),
      ...(phase.earlyTarget ? [`earlyTarget="${escapeXml(phase.earlyTarget)}"`] : []),
      ...(phase.finalTarget ? [`finalTarget="${escapeXml(phase.finalTarget)}"`] : []),
      ...(phase.name !== undefined ? [`name="${escapeXml(phase.name)}"`] : []),
    ];
    lines.push(`        <phase ${attributes.join(' ')}/>`);
  }
  for (const { id, value } of program.conditions) {
    lines.push(`        <condition id="${escapeXml(id)}" value="${escapeXml(value)}"/>`);
  }
  for (const { id, check, value } of program.assignments) {
    lines.push(
      `        <assignment id="${escapeXml(id)}" check="${escapeXml(check)}" value="${escapeXml(value)}"/>`,
    );
  }
  lines.push('    </tlLogic>');
  return lines;
}

const ATTRIBUTE = /([\w:.-]+)="([^"]*)"/g;

function attributesOf(text: string): Map<string, string> {
  return new Map([...text.matchAll(ATTRIBUTE)].map(([, name, value]) => [name!, value!]));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
