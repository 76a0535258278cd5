// SUMO phases ↔ stage plans: worked programs, the awkward shapes real nets have, a round-trip property; actuated plans as actuated programs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  planFromSumoPhases,
  sumoCoordinatedProgram,
  sumoFreeProgram,
  sumoOffset,
  sumoPhasesFromPlan,
  type SumoApproachLane,
  type SumoPhase,
} from './sumo-program.ts';
import type { Stage, TimingPlan } from './types.ts';

function program(phases: SumoPhase[], offset = 0) {
  return { signal: 'J1', programId: '0', offset, phases };
}

/** Duration and state only: what a round trip must keep. */
function slices(phases: { duration: number; state: string }[]) {
  return phases.map(({ duration, state }) => ({ duration, state }));
}

describe('planFromSumoPhases', () => {
  // The netconvert default for a four-leg junction: through+right, then protected left, per axis.
  const cologne = [
    { duration: 33, state: 'GGGggrrrrGGGggrrrr', minDur: 5, maxDur: 50 },
    { duration: 3, state: 'yyyggrrrryyyggrrrr' },
    { duration: 6, state: 'rrrGGrrrrrrrGGrrrr', minDur: 5, maxDur: 50 },
    { duration: 3, state: 'rrryyrrrrrrryyrrrr' },
    { duration: 33, state: 'rrrrrGGggrrrrrGGgg', minDur: 5, maxDur: 50 },
    { duration: 3, state: 'rrrrryyggrrrrryygg' },
    { duration: 6, state: 'rrrrrrrGGrrrrrrrGG', minDur: 5, maxDur: 50 },
    { duration: 3, state: 'rrrrrrryyrrrrrrryy' },
  ];

  it('makes a stage of each green phase, its yellow from the phases after it', () => {
    const plan = planFromSumoPhases(program(cologne));
    expect(plan.cycleLength).toBe(90);
    expect(plan.offset).toBe(0);
    expect(plan.offsetReference).toBe('first-stage-green-start');
    expect(plan.origin).toBe('sumo');
    expect(
      plan.stages.map((s) => [s.id, s.green, s.yellow, s.allRed, s.minGreen, s.maxGreen]),
    ).toEqual([
      ['0', 33, 3, 0, 5, 50],
      ['2', 6, 3, 0, 5, 50],
      ['4', 33, 3, 0, 5, 50],
      ['6', 6, 3, 0, 5, 50],
    ]);
  });

  it('reads G as protected and g as permissive', () => {
    const [first] = planFromSumoPhases(program(cologne)).stages;
    expect(first?.greens).toEqual({
      0: 'protected',
      1: 'protected',
      2: 'protected',
      3: 'permissive',
      4: 'permissive',
      9: 'protected',
      10: 'protected',
      11: 'protected',
      12: 'permissive',
      13: 'permissive',
    });
  });

  it('reads s (green right turn after stopping) as protected', () => {
    const plan = planFromSumoPhases(program([{ duration: 20, state: 'sG' }]));
    expect(plan.stages[0]?.greens).toEqual({ 0: 'protected', 1: 'protected' });
  });

  it('counts phases with neither yellow nor green as all-red', () => {
    const plan = planFromSumoPhases(
      program([
        { duration: 30, state: 'GGrr' },
        { duration: 4, state: 'yyrr' },
        { duration: 2, state: 'rrrr' },
        { duration: 30, state: 'rrGG' },
        { duration: 3, state: 'rryy' },
        { duration: 1, state: 'rrrr' },
        { duration: 1, state: 'rrrr' },
      ]),
    );
    expect(plan.stages.map((s) => [s.yellow, s.allRed])).toEqual([
      [4, 2],
      [3, 2],
    ]);
    expect(plan.cycleLength).toBe(71);
  });

  it('gives a minimum green of 5 s without minDur, but never more than the green', () => {
    const plan = planFromSumoPhases(
      program([
        { duration: 3, state: 'Gr' },
        { duration: 20, state: 'rG' },
      ]),
    );
    expect(plan.stages.map((s) => s.minGreen)).toEqual([3, 5]);
    expect(plan.stages.every((s) => s.maxGreen === undefined)).toBe(true);
  });

  it('names stages after named phases', () => {
    const plan = planFromSumoPhases(
      program([
        { duration: 30, state: 'Gr', name: 'main' },
        { duration: 30, state: 'rG', name: 'side' },
      ]),
    );
    expect(plan.stages.map((s) => s.id)).toEqual(['main', 'side']);
  });

  it('makes two stages of a green followed directly by another green', () => {
    const plan = planFromSumoPhases(
      program([
        { duration: 25, state: 'GrGG' },
        { duration: 5, state: 'GrGr' },
        { duration: 15, state: 'GGGr' },
      ]),
    );
    expect(plan.stages.map((s) => [s.green, s.yellow])).toEqual([
      [25, 0],
      [5, 0],
      [15, 0],
    ]);
  });

  it('rotates a program that starts inside a change interval, keeping the offset on the first green', () => {
    const plan = planFromSumoPhases(
      program(
        [
          { duration: 3, state: 'rryy' },
          { duration: 2, state: 'rrrr' },
          { duration: 30, state: 'GGrr' },
          { duration: 3, state: 'yyrr' },
          { duration: 30, state: 'rrGG' },
        ],
        80,
      ),
    );
    // SUMO starts phase 0 at t ≡ 80 (mod 68); the first green follows 5 s later.
    expect(plan.offset).toBe(85 % 68);
    expect(plan.stages.map((s) => [s.id, s.green, s.yellow, s.allRed])).toEqual([
      ['2', 30, 3, 0],
      ['4', 30, 3, 2],
    ]);
  });

  it('brings a negative SUMO offset into the cycle', () => {
    const plan = planFromSumoPhases(program(cologne, -10));
    expect(plan.offset).toBe(80);
  });

  it('lists links that are off in every phase as unsignalled', () => {
    const plan = planFromSumoPhases(
      program([
        { duration: 30, state: 'GrO' },
        { duration: 30, state: 'rGo' },
      ]),
    );
    expect(plan.unsignalled).toEqual(['2']);
  });

  it('puts a zero-length stage where a group goes green, yellow, green (as in Ingolstadt)', () => {
    const phases = [
      { duration: 38, state: 'GGgGrGGG' },
      { duration: 3, state: 'yygyryyy' },
      { duration: 6, state: 'GGGrrrrr' },
      { duration: 3, state: 'yyyrrrrr' },
      { duration: 37, state: 'rrrGGGrr' },
      { duration: 3, state: 'rrryyyrr' },
    ];
    const plan = planFromSumoPhases(program(phases));
    expect(plan.stages.map((s) => [s.id, s.green, Object.keys(s.greens).join(',')])).toEqual([
      ['0', 38, '0,1,2,3,5,6,7'],
      ['1', 0, '2'],
      ['2', 6, '0,1,2'],
      ['4', 37, '3,4,5'],
      ['5', 0, ''],
    ]);
    expect(plan.cycleLength).toBe(90);
    expect(sumoPhasesFromPlan(plan, 8)).toEqual(phases);
  });

  it('makes a program with no green a plan without stages', () => {
    const plan = planFromSumoPhases(program([{ duration: 90, state: 'OOOO' }]));
    expect(plan.stages).toEqual([]);
    expect(plan.unsignalled).toEqual(['0', '1', '2', '3']);
    expect(sumoPhasesFromPlan(plan, 4)).toEqual([{ duration: 90, state: 'OOOO' }]);
  });

  it('refuses a program with no phases, or with states of different lengths', () => {
    expect(() => planFromSumoPhases(program([]))).toThrow(RangeError);
    expect(() =>
      planFromSumoPhases(
        program([
          { duration: 30, state: 'Gr' },
          { duration: 30, state: 'rGr' },
        ]),
      ),
    ).toThrow(/planFromSumoPhases/);
    expect(() => planFromSumoPhases(program([{ duration: -1, state: 'G' }]))).toThrow(RangeError);
  });
});

describe('sumoPhasesFromPlan', () => {
  const stage = (id: string, greens: Stage['greens'], green: number, yellow = 0, allRed = 0) => ({
    id,
    greens,
    green,
    yellow,
    allRed,
    minGreen: 5,
  });
  const plan: TimingPlan = {
    id: 'am',
    signal: 'J1',
    cycleLength: 80,
    offset: 12,
    offsetReference: 'first-stage-green-start',
    stages: [
      stage('2+6', { 0: 'protected', 1: 'protected', 2: 'permissive' }, 40, 4, 1),
      stage('1+5', { 1: 'protected', 2: 'protected' }, 10, 3, 0),
      stage('4+8', { 3: 'protected' }, 20, 0, 2),
    ],
    unsignalled: ['4'],
  };

  it('writes green, yellow and all-red phases; a group green in the next stage keeps its letter', () => {
    expect(sumoPhasesFromPlan(plan, 5)).toEqual([
      { duration: 40, state: 'GGgrO', name: '2+6' },
      { duration: 4, state: 'yGgrO' },
      { duration: 1, state: 'rGgrO' },
      { duration: 10, state: 'rGGrO', name: '1+5' },
      { duration: 3, state: 'ryyrO' },
      { duration: 20, state: 'rrrGO', name: '4+8' },
      { duration: 2, state: 'rrrrO' },
    ]);
  });

  it('gives SUMO the offset of the first green', () => {
    expect(sumoOffset(plan)).toBe(12);
    expect(sumoOffset({ ...plan, offsetReference: 'first-stage-yellow-start' })).toBe(52);
  });

  it('refuses signal groups that are not link indices', () => {
    const named: TimingPlan = { ...plan, stages: [stage('a', { north: 'protected' }, 30)] };
    expect(() => sumoPhasesFromPlan(named, 5)).toThrow(RangeError);
    expect(() => sumoPhasesFromPlan(plan, 3)).toThrow(/sumoPhasesFromPlan/);
  });
});

describe('round trip', () => {
  const linkCount = 6;
  const greens = fc.dictionary(
    fc.integer({ min: 0, max: linkCount - 1 }).map(String),
    fc.constantFrom<'protected' | 'permissive'>('protected', 'permissive'),
    { minKeys: 1 },
  );
  const stage = fc.record({
    greens,
    green: fc.integer({ min: 1, max: 60 }),
    yellow: fc.constantFrom(0, 3, 4),
    allRed: fc.constantFrom(0, 1, 2),
  });
  const plans = fc.array(stage, { minLength: 1, maxLength: 6 }).map((stages): TimingPlan => ({
    id: 'p',
    signal: 'J1',
    cycleLength: stages.reduce((t, s) => t + s.green + s.yellow + s.allRed, 0),
    offset: 0,
    offsetReference: 'first-stage-green-start',
    stages: stages.map((s, i) => ({ ...s, id: String(i), minGreen: Math.min(5, s.green) })),
  }));

  it('phases written from any plan read back and write again as the same phases', () => {
    fc.assert(
      fc.property(plans, (plan) => {
        const phases = sumoPhasesFromPlan(plan, linkCount);
        const again = planFromSumoPhases({ signal: 'J1', programId: 'p', offset: 0, phases });
        expect(slices(sumoPhasesFromPlan(again, linkCount))).toEqual(slices(phases));
        expect(again.cycleLength).toBe(plan.cycleLength);
      }),
    );
  });

  it('phases give each group the green the plan gives it, through change intervals into the next stage', () => {
    fc.assert(
      fc.property(plans, (plan) => {
        const phases = sumoPhasesFromPlan(plan, linkCount);
        for (let index = 0; index < linkCount; index += 1) {
          const id = String(index);
          const shown = phases
            .filter((phase) => /[Gg]/.test(phase.state.charAt(index)))
            .reduce((total, phase) => total + phase.duration, 0);
          const given = plan.stages.reduce((total, stage, position) => {
            if (!(id in stage.greens)) return total;
            const next = plan.stages[(position + 1) % plan.stages.length];
            const continues = next !== undefined && id in next.greens;
            return total + stage.green + (continues ? stage.yellow + stage.allRed : 0);
          }, 0);
          expect(shown).toBe(given);
        }
      }),
    );
  });
});

/** Link indices of the property tests' signal. */
const LINKS = 6;

/** Any stage of a LINKS-link signal, every change interval with an all-red. */
const anyStage = fc.record({
  id: fc.constant('s'),
  greens: fc.dictionary(
    fc.integer({ min: 0, max: LINKS - 1 }).map(String),
    fc.constantFrom<'protected' | 'permissive'>('protected', 'permissive'),
    { minKeys: 1 },
  ),
  green: fc.integer({ min: 1, max: 60 }),
  yellow: fc.constantFrom(0, 3),
  allRed: fc.constantFrom(1, 2),
  minGreen: fc.integer({ min: 0, max: 20 }),
});

/** Link 0 EW through, 1 EW left, 2 NS through, 3 NS left; the left stage keeps EW through green. */
const THREE_STAGES: TimingPlan['stages'] = [
  { id: 'EW', greens: { 0: 'protected' }, green: 30, yellow: 3, allRed: 2, minGreen: 10 },
  {
    id: 'EW-left',
    greens: { 0: 'protected', 1: 'protected' },
    green: 8,
    yellow: 3,
    allRed: 0,
    minGreen: 5,
  },
  {
    id: 'NS',
    greens: { 2: 'protected', 3: 'permissive' },
    green: 20,
    yellow: 3,
    allRed: 2,
    minGreen: 8,
  },
];

describe('sumoFreeProgram', () => {
  // Link 0 EW through, 1 EW left, 2 NS through, 3 NS left; the left stage keeps EW through green.
  const plan: TimingPlan = {
    id: 'free',
    signal: 'J1',
    cycleLength: 79,
    offset: 0,
    offsetReference: 'first-stage-green-start',
    stages: THREE_STAGES,
    actuated: { passage: 2, free: true },
  };
  const lanes: SumoApproachLane[] = [
    { id: 'ew_0', length: 100, linkIndices: [0] },
    { id: 'ew_1', length: 100, linkIndices: [0, 1] },
    { id: 'ns_0', length: 80, linkIndices: [2, 3] },
    { id: 'short_0', length: 12, linkIndices: [2] },
  ];
  const options = { lanes, programId: 'free' };
  const condition = (program: ReturnType<typeof sumoFreeProgram>, id: string) =>
    program.conditions.find((entry) => entry.id === id)?.value;

  it('writes each stage as a green and its own change towards every stage it may go on to', () => {
    const { phases } = sumoFreeProgram(plan, 4, options);
    expect(phases.map(({ duration, state, next }) => [duration, state, next])).toEqual([
      [30, 'Grrr', [1, 3]],
      [3, 'Grrr', [2]], // EW → EW-left: the through group keeps its green
      [2, 'Grrr', [5]],
      [3, 'yrrr', [4]], // EW → NS, EW-left skipped
      [2, 'rrrr', [8]],
      [8, 'GGrr', [6, 7]],
      [3, 'yyrr', [8]], // EW-left → NS (no all-red)
      [3, 'Gyrr', [0]], // EW-left → EW, NS skipped
      [20, 'rrGg', [9]],
      [3, 'rryy', [10]],
      [2, 'rrrr', [0]],
    ]);
  });

  it('lets the first stage rest, the others run from their minimum to their planned green', () => {
    const { phases } = sumoFreeProgram(plan, 4, options);
    const greens = [phases[0]!, phases[5]!, phases[8]!];
    expect(greens.map(({ name, minDur, maxDur }) => [name, minDur, maxDur])).toEqual([
      ['EW', 1, 86_400],
      ['EW-left', 5, 8],
      ['NS', 8, 20],
    ]);
    expect(phases.filter((phase) => !phase.name).every((p) => p.minDur === p.maxDur)).toBe(true);
  });

  it('calls a stage from the loops of its lanes, later stages not by groups the first stage serves', () => {
    const program = sumoFreeProgram(plan, 4, options);
    expect(condition(program, 'D0')).toBe('2 >= z:J1_free_ew_0 or 2 >= z:J1_free_ew_1');
    expect(condition(program, 'D1')).toBe('2 >= z:J1_free_ew_1');
    expect(condition(program, 'D2')).toBe('2 >= z:J1_free_ns_0 or 2 >= z:J1_free_short_0');
    expect(condition(program, 'C2')).toBe('D2');
    expect(program.detectors).toEqual([
      { id: 'J1_free_ew_0', lane: 'ew_0', pos: 70, length: 30 },
      { id: 'J1_free_ew_1', lane: 'ew_1', pos: 70, length: 30 },
      { id: 'J1_free_ns_0', lane: 'ns_0', pos: 50, length: 30 },
      { id: 'J1_free_short_0', lane: 'short_0', pos: 0, length: 12 },
    ]);
    expect(program.params).toContainEqual(['ew_1', 'J1_free_ew_1']);
    expect(program.params).toContainEqual(['max-gap', '2']);
  });

  it('goes on to the first called stage, skipping the uncalled ones, back to the first stage', () => {
    const program = sumoFreeProgram(plan, 4, options);
    expect(condition(program, 'T0to1')).toBe('C1');
    expect(condition(program, 'T0to2')).toBe('C2 and !C1');
    expect(condition(program, 'T1to2')).toBe('C2');
    expect(condition(program, 'T1to0')).toBe('!C2');
    expect(condition(program, 'T2to0')).toBe('1');
    const [, fromFirst, , , , , fromLeft] = program.phases;
    expect(fromFirst?.earlyTarget).toBe('c: >= 10 and (!D0 or c: >= callAt + 30) and T0to1');
    expect(fromFirst?.finalTarget).toBe('T0to1');
    expect(fromLeft?.earlyTarget).toBe('!D1 and T1to2');
  });

  it('times the first stage’s max-out from the first conflicting call, noted afresh each green', () => {
    const { assignments } = sumoFreeProgram(plan, 4, options);
    expect(assignments).toEqual([
      { id: 'callAt', check: 'callAt > c:', value: '-1' },
      { id: 'callAt', check: '!CALL', value: '-1' },
      { id: 'callAt', check: 'CALL and 0 > callAt', value: 'c: * (c: > 1)' },
    ]);
  });

  it('keeps a stage with pedestrians on recall, at least their walk and clearance (within its green)', () => {
    const program = sumoFreeProgram(plan, 4, {
      ...options,
      pedestrians: [undefined, 6, 25],
    });
    expect(condition(program, 'C1')).toBe('1');
    expect(condition(program, 'C2')).toBe('1');
    expect(condition(program, 'CALL')).toBe('C1 or C2');
    expect(program.phases[5]!.minDur).toBe(6);
    expect(program.phases[8]!.minDur).toBe(20);
  });

  it('offsets the program so that its first green starts at the begin', () => {
    // The phases last 79 s in all: 27,000 s is 61 s into the 342nd round.
    expect(sumoFreeProgram(plan, 4, { ...options, begin: 27_000 }).offset).toBe(61);
    expect(sumoFreeProgram(plan, 4, options).offset).toBe(0);
  });

  it('rests a one-stage plan in its green for good', () => {
    const one = { ...plan, stages: [plan.stages[0]!] };
    const program = sumoFreeProgram(one, 4, options);
    expect(program.phases).toEqual([
      { duration: 30, state: 'Grrr', minDur: 30, maxDur: 30, name: 'EW' },
    ]);
    expect(program.assignments).toEqual([]);
  });

  it('refuses a plan that is not free, a stage without change interval, and lanes that miss a stage', () => {
    const coordinated = { ...plan, actuated: { passage: 2 } };
    expect(() => sumoFreeProgram(coordinated, 4, options)).toThrow(RangeError);
    const noChange = {
      ...plan,
      stages: plan.stages.map((stage, index) => (index === 1 ? { ...stage, yellow: 0 } : stage)),
    };
    expect(() => sumoFreeProgram(noChange, 4, options)).toThrow(/change interval/);
    const noLeft = lanes.filter((lane) => lane.id !== 'ew_1');
    expect(() => sumoFreeProgram(plan, 4, { ...options, lanes: noLeft })).toThrow(/EW-left/);
  });

  it('from every green, each change leads through the stage’s yellow and all-red to its target', () => {
    const linkCount = LINKS;
    const stage = anyStage;
    const plans = fc
      .array(stage, { minLength: 2, maxLength: 5 })
      .map((stages): TimingPlan => ({ ...plan, stages }));
    const allLanes = Array.from({ length: linkCount }, (_, index) => ({
      id: `l_${index}`,
      length: 50,
      linkIndices: [index],
    }));
    fc.assert(
      fc.property(plans, (free) => {
        const { phases } = sumoFreeProgram(free, linkCount, { ...options, lanes: allLanes });
        const greens = phases.flatMap((phase, index) => (phase.name === 's' ? [index] : []));
        expect(greens).toHaveLength(free.stages.length);
        greens.forEach((green, from) => {
          const count = free.stages.length;
          const targets =
            from === 0
              ? [...Array(count).keys()].slice(1)
              : [...[...Array(count).keys()].slice(from + 1), 0];
          expect(phases[green]!.next).toHaveLength(targets.length);
          phases[green]!.next!.forEach((first, position) => {
            const to = targets[position]!;
            expect(phases[first]!.earlyTarget).toContain(`T${from}to${to}`);
            let index = first;
            let seconds = 0;
            while (!greens.includes(index)) {
              seconds += phases[index]!.duration;
              expect(phases[index]!.next).toHaveLength(1);
              index = phases[index]!.next![0]!;
            }
            expect(index).toBe(greens[to]);
            expect(seconds).toBe(free.stages[from]!.yellow + free.stages[from]!.allRed);
          });
        });
      }),
    );
  });
});

describe('sumoCoordinatedProgram', () => {
  // As sumoFreeProgram's plan, coordinated: cycle 71 s, EW green planned from 0 to 30 s in the cycle.
  const plan: TimingPlan = {
    id: 'coordinated',
    signal: 'J1',
    cycleLength: 71,
    offset: 12,
    offsetReference: 'first-stage-green-start',
    stages: THREE_STAGES,
    actuated: { passage: 2 },
  };
  const lanes: SumoApproachLane[] = [
    { id: 'ew_0', length: 100, linkIndices: [0] },
    { id: 'ew_1', length: 100, linkIndices: [0, 1] },
    { id: 'ns_0', length: 80, linkIndices: [2, 3] },
  ];
  const options = { lanes, programId: 'p' };
  const condition = (program: ReturnType<typeof sumoCoordinatedProgram>, id: string) =>
    program.conditions.find((entry) => entry.id === id)?.value;

  it('lists the planned sequence first, then the changes that skip a stage', () => {
    const { phases } = sumoCoordinatedProgram(plan, 4, options);
    expect(phases.map(({ duration, state, next }) => [duration, state, next])).toEqual([
      [30, 'Grrr', [1, 8]],
      [3, 'Grrr', [2]], // EW → EW-left
      [2, 'Grrr', [3]],
      [8, 'GGrr', [4, 10]],
      [3, 'yyrr', [5]], // EW-left → NS
      [20, 'rrGg', [6]],
      [3, 'rryy', [7]], // NS → EW
      [2, 'rrrr', [0]],
      // The planned sequence fills the cycle; these follow it.
      [3, 'yrrr', [9]], // EW → NS, EW-left skipped
      [2, 'rrrr', [5]],
      [3, 'Gyrr', [0]], // EW-left → EW, NS skipped
    ]);
    expect(phases.slice(0, 8).reduce((total, phase) => total + phase.duration, 0)).toBe(71);
  });

  it('ends the coordinated green where the plan has it in the cycle, once a cycle, towards the first called stage', () => {
    const program = sumoCoordinatedProgram(plan, 4, options);
    const [green, toLeft] = program.phases;
    expect([green!.minDur, green!.maxDur]).toEqual([1, 86_400]);
    expect(toLeft!.earlyTarget).toBe('c: >= 30 and 31 > c: and T0to1');
    expect(program.phases[8]!.earlyTarget).toBe('c: >= 30 and 31 > c: and T0to2');
    expect(condition(program, 'T0to2')).toBe('C2 and !C1');
    expect(program.params.slice(0, 3)).toEqual([
      ['max-gap', '2'],
      ['coordinated', 'true'],
      ['cycleTime', '71'],
    ]);
    // No call timer: the coordinated stage is not actuated.
    expect(program.assignments).toEqual([]);
    expect(condition(program, 'CALL')).toBeUndefined();
  });

  it('lets later stages gap out past their minimum and max out at their planned green', () => {
    const { phases } = sumoCoordinatedProgram(plan, 4, options);
    expect(
      [phases[3], phases[5]].map((phase) => [phase!.name, phase!.minDur, phase!.maxDur]),
    ).toEqual([
      ['EW-left', 5, 8],
      ['NS', 8, 20],
    ]);
    expect(phases[4]!.earlyTarget).toBe('!D1 and T1to2');
    expect(phases[4]!.finalTarget).toBe('T1to2');
  });

  it('runs a later stage nothing can call at its planned green, never skipped', () => {
    // EW-left's only group besides the through is unsignalled: nothing calls it.
    const program = sumoCoordinatedProgram({ ...plan, unsignalled: ['1'] }, 4, options);
    expect(condition(program, 'C1')).toBe('1');
    expect(program.phases[3]!.name).toBe('EW-left');
    expect([program.phases[3]!.minDur, program.phases[3]!.maxDur]).toEqual([8, 8]);
    // Free operation skips such a stage instead.
    const free = sumoFreeProgram(
      { ...plan, unsignalled: ['1'], actuated: { passage: 2, free: true } },
      4,
      options,
    );
    expect(condition(free, 'C1')).toBe('D1');
    expect(condition(free, 'D1')).toBe('0');
  });

  it('writes the offset as the cycle start at or before the begin, on the plan’s offset', () => {
    // 27,000 − 12 = 26,988 s = 380 cycles of 71 s and 8 s: the cycle began 8 s before.
    expect(sumoCoordinatedProgram(plan, 4, { ...options, begin: 27_000 }).offset).toBe(26_992);
    expect(sumoCoordinatedProgram(plan, 4, options).offset).toBe(-59);
    // An offset to the first stage's yellow start is 30 s later than its green start.
    const yellow = { ...plan, offset: 42, offsetReference: 'first-stage-yellow-start' as const };
    expect(sumoCoordinatedProgram(yellow, 4, { ...options, begin: 27_000 }).offset).toBe(26_992);
  });

  it('refuses a fixed-time or free plan, and stages that do not fill the cycle', () => {
    const fixed: TimingPlan = { ...plan, actuated: undefined };
    expect(() => sumoCoordinatedProgram(fixed, 4, options)).toThrow(/not coordinated-actuated/);
    const free = { ...plan, actuated: { passage: 2, free: true } };
    expect(() => sumoCoordinatedProgram(free, 4, options)).toThrow(/sumoFreeProgram/);
    expect(() => sumoCoordinatedProgram({ ...plan, cycleLength: 90 }, 4, options)).toThrow(
      /fill the cycle/,
    );
  });

  it('stands at the begin where the plan stands, and ends the coordinated green at its planned point', () => {
    const linkCount = LINKS;
    const stage = anyStage;
    const cases = fc.record({
      stages: fc.array(stage, { minLength: 2, maxLength: 5 }),
      offsetShare: fc.double({ min: 0, max: 0.999, noNaN: true }),
      reference: fc.constantFrom<TimingPlan['offsetReference']>(
        'first-stage-green-start',
        'first-stage-yellow-start',
      ),
      begin: fc.integer({ min: 0, max: 100_000 }),
    });
    const allLanes = Array.from({ length: linkCount }, (_, index) => ({
      id: `l_${index}`,
      length: 50,
      linkIndices: [index],
    }));
    fc.assert(
      fc.property(cases, ({ stages, offsetShare, reference, begin }) => {
        const cycleLength = stages.reduce((t, s) => t + s.green + s.yellow + s.allRed, 0);
        const coordinated: TimingPlan = {
          ...plan,
          cycleLength,
          offset: Math.floor(offsetShare * cycleLength),
          offsetReference: reference,
          stages,
        };
        const program = sumoCoordinatedProgram(coordinated, linkCount, {
          ...options,
          lanes: allLanes,
          begin,
        });
        // The time in cycle SUMO keeps (`c:`, from the offset) is the plan's.
        const timeInCycle = begin - program.offset;
        expect(timeInCycle).toBeGreaterThanOrEqual(0);
        expect(timeInCycle).toBeLessThan(cycleLength);
        expect(Math.abs((program.offset - sumoOffset(coordinated)) % cycleLength)).toBe(0);
        // SUMO's placement, (begin − offset) modulo all durations, finds the static program's phase.
        const total = program.phases.reduce((t, phase) => t + phase.duration, 0);
        const placed = phaseAt(program.phases, (begin - program.offset) % total);
        const planned = phaseAt(sumoPhasesFromPlan(coordinated, linkCount), timeInCycle);
        expect(placed.state).toBe(planned.state);
        // Every way out of the coordinated green is taken only at its planned end in the cycle.
        const first = stages[0]!.green;
        for (const index of program.phases[0]!.next!) {
          expect(program.phases[index]!.earlyTarget).toMatch(
            new RegExp(`^c: >= ${first} and ${first + 1} > c: and T0to\\d$`),
          );
        }
        expect(first + 1).toBeLessThanOrEqual(cycleLength);
      }),
    );
  });
});

/** The phase a program stands in `seconds` after its phase 0 starts. */
function phaseAt<T extends { duration: number }>(phases: readonly T[], seconds: number): T {
  let elapsed = 0;
  for (const phase of phases) {
    elapsed += phase.duration;
    if (seconds < elapsed) return phase;
  }
  throw new RangeError(`phaseAt: ${seconds} s is past the program's ${elapsed} s`);
}
