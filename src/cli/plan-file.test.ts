// Tests for reading plan files: every JSON shape, SUMO additional files, what warns and what fails.
import { describe, expect, it } from 'vitest';
import { loadNetwork } from '../io/load.ts';
import { InputFileError } from '../network/errors.ts';
import type { TimingPlan } from '../timing/types.ts';
import { parsePlanFile } from './plan-file.ts';

const { network } = await loadNetwork('fixtures/sumo/four-leg-signalised.net.xml');
const own = network.getAttribute('signals')['GS_C']!.programs[0]!;
/** The same signal's plan with a 24 s cycle of two 6 s greens: below the minimums, but it runs. */
const shorter: TimingPlan = {
  ...own,
  id: 'shorter',
  cycleLength: 24,
  offset: 0,
  stages: own.stages.map((stage) => ({ ...stage, green: 6 })),
};

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof InputFileError) return error.code;
    throw error;
  }
  return undefined;
}

describe('parsePlanFile, plan JSON', () => {
  it('reads optimize’s report, an array of plans and a single plan alike', () => {
    const shapes = [
      { signals: [{ signal: 'GS_C', status: 'optimal', plan: shorter }] },
      [shorter],
      shorter,
    ];
    for (const shape of shapes) {
      const read = parsePlanFile(JSON.stringify(shape), 'plans.json', network);
      expect(read.format).toBe('plan-json');
      expect(read.plans).toEqual({ GS_C: shorter });
    }
  });

  it('runs a plan with greens below their minimum, with a warning', () => {
    const read = parsePlanFile(JSON.stringify([shorter]), 'plans.json', network);
    expect(read.warnings.some((warning) => warning.includes('GREEN_BELOW_MINIMUM'))).toBe(true);
  });

  it('refuses a plan whose stages do not fill its cycle, an unknown signal, a time-of-day set', () => {
    const parse = (value: unknown) => () =>
      parsePlanFile(JSON.stringify(value), 'plans.json', network);
    expect(codeOf(parse([{ ...shorter, cycleLength: 90 }]))).toBe('BAD_VALUE');
    expect(codeOf(parse([{ ...shorter, signal: 'nowhere' }]))).toBe('UNKNOWN_SIGNAL');
    expect(codeOf(parse({ periods: [], schedule: [] }))).toBe('BAD_VALUE');
    expect(codeOf(parse({ plans: 'none' }))).toBe('FORMAT_UNKNOWN');
    expect(codeOf(() => parsePlanFile('{ "signals": [', 'plans.json', network))).toBe(
      'PARSE_FAILED',
    );
    expect(codeOf(() => parsePlanFile('cycle,90', 'plans.csv', network))).toBe('FORMAT_UNKNOWN');
  });
});

describe('parsePlanFile, SUMO additional files', () => {
  const program = (id: string, green: number) =>
    `<tlLogic id="GS_C" type="static" programID="${id}" offset="0">` +
    `<phase duration="${green}" state="GGGgrrrrGGGgrrrr"/><phase duration="4" state="yyyyrrrryyyyrrrr"/>` +
    `<phase duration="${green}" state="rrrrgGGgrrrrGGgG"/><phase duration="4" state="rrrryyyyrrrryyyy"/></tlLogic>`;

  it('runs the last program of a signal, as SUMO does, and says a WAUT is not followed', () => {
    const xml = `<additional>${program('a', 20)}${program('b', 26)}<WAUT refTime="0" id="w" startProg="a"/></additional>`;
    const read = parsePlanFile(xml, 'plans.add.xml', network);
    expect(read.format).toBe('sumo-additional');
    expect(read.plans['GS_C']!.cycleLength).toBe(60);
    expect(read.warnings.some((warning) => warning.includes('WAUT'))).toBe(true);
  });

  it('refuses states of the wrong length, a file that is not <additional>, and broken XML', () => {
    const short =
      '<additional><tlLogic id="GS_C" type="static" programID="x" offset="0"><phase duration="30" state="Gr"/></tlLogic></additional>';
    expect(codeOf(() => parsePlanFile(short, 'x.add.xml', network))).toBe('STATE_LENGTH_MISMATCH');
    expect(codeOf(() => parsePlanFile('<net></net>', 'x.add.xml', network))).toBe('FORMAT_UNKNOWN');
    expect(codeOf(() => parsePlanFile('<additional></additional>', 'x.add.xml', network))).toBe(
      'FORMAT_UNKNOWN',
    );
    expect(codeOf(() => parsePlanFile('<additional><tlLogic', 'x.add.xml', network))).toBe(
      'PARSE_FAILED',
    );
  });
});
