// Tests for the SUMO additional file: one static tlLogic per plan, offsets, escaped ids.
import { describe, expect, it } from 'vitest';
import { planFromSumoPhases } from './sumo-program.ts';
import { sumoAdditional } from './sumo-additional.ts';

const phases = [
  { duration: 31, state: 'GGrr' },
  { duration: 4, state: 'yyrr' },
  { duration: 31, state: 'rrGG' },
  { duration: 4, state: 'rryy' },
];

describe('sumoAdditional', () => {
  it('writes the plan back as the phases it came from, with its offset', () => {
    const plan = planFromSumoPhases({ signal: 'J&1', programId: '0', offset: 12, phases });
    const xml = sumoAdditional([{ plan, linkCount: 4, programId: 'greenwave' }], 'a -- comment');
    expect(xml).toContain('<tlLogic id="J&#38;1" type="static" programID="greenwave" offset="12">');
    const written = [...xml.matchAll(/<phase duration="([^"]+)" state="([^"]+)"/g)].map(
      (match) => ({
        duration: Number(match[1]),
        state: match[2],
      }),
    );
    expect(written).toEqual(phases);
    expect(xml).not.toMatch(/<!--.*--.*-->/);
  });
});
