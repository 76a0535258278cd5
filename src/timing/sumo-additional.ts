// Writes timing plans as a SUMO additional file of static tlLogic programs (`sumo -a FILE`).
import { sumoOffset, sumoPhasesFromPlan } from './sumo-program.ts';
import type { TimingPlan } from './types.ts';

export interface SumoProgramOutput {
  plan: TimingPlan;
  /** Length of the signal's state string: its number of link indices. */
  linkCount: number;
  /** SUMO programID; must differ from the net's own (`0`) to be loaded beside it. */
  programId: string;
}

/**
 * A SUMO additional file with one `<tlLogic type="static">` per plan, in the net's signal link
 * order (signal group ids are link indices), yellow and all-red phases kept, and the plan's
 * offset converted to SUMO's (the program starts with the first stage's green). The last program
 * loaded for a signal is the one SUMO runs.
 *
 * @example
 * sumoAdditional([{ plan, linkCount: 4, programId: 'greenwave' }])
 * // => '<additional>\n    <tlLogic id="J1" type="static" programID="greenwave" offset="0">…'
 */
export function sumoAdditional(programs: readonly SumoProgramOutput[], comment?: string): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  if (comment) lines.push(`<!-- ${comment.replaceAll('--', '—')} -->`);
  lines.push('<additional>');
  for (const { plan, linkCount, programId } of programs) {
    lines.push(
      `    <tlLogic id="${escapeXml(plan.signal)}" type="static" programID="${escapeXml(programId)}" offset="${formatSeconds(sumoOffset(plan))}">`,
    );
    for (const phase of sumoPhasesFromPlan(plan, linkCount)) {
      const name = phase.name !== undefined ? ` name="${escapeXml(phase.name)}"` : '';
      lines.push(
        `        <phase duration="${formatSeconds(phase.duration)}" state="${phase.state}"${name}/>`,
      );
    }
    lines.push('    </tlLogic>');
  }
  lines.push('</additional>', '');
  return lines.join('\n');
}

function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
