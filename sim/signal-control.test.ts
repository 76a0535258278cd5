// Tests for the signal controller: colours as signalColour has them, hi-res events, plan transitions,
// coordinated-actuated operation (gap-out, skips, early return), free operation (rest, max-out).
// Run: npx vitest run sim/signal-control.test.ts
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimingPlan } from '../src/timing/types.ts';
import { SignalController, stageActuation, type ControlledGroup } from './signal-control.ts';
import { signalColour, type SignalColour } from './signal-states.ts';
import { firstGreenStart } from './transition.ts';
import type { HiResEvent } from './types.ts';

const GROUPS = ['a', 'b', 'c', 'd'];
const groups: ControlledGroup[] = GROUPS.map((id, index) => ({
  id,
  slot: index,
  param: index + 1,
}));

/** Plans whose stages fill the cycle; groups may be green in several stages, protected or not. */
const planArbitrary = fc
  .record({
    stages: fc.array(
      fc.record({
        green: fc.integer({ min: 1, max: 40 }),
        yellow: fc.integer({ min: 0, max: 4 }),
        allRed: fc.integer({ min: 0, max: 3 }),
        greens: fc.subarray(GROUPS),
        permissive: fc.subarray(GROUPS),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    offset: fc.nat(200),
    yellowReferenced: fc.boolean(),
  })
  .map(({ stages, offset, yellowReferenced }): TimingPlan => {
    const cycleLength = stages.reduce(
      (sum, stage) => sum + stage.green + stage.yellow + stage.allRed,
      0,
    );
    return {
      id: 'p',
      signal: 's',
      cycleLength,
      offset: offset % cycleLength,
      offsetReference: yellowReferenced ? 'first-stage-yellow-start' : 'first-stage-green-start',
      stages: stages.map((stage, index) => ({
        id: `s${index}`,
        greens: Object.fromEntries(
          stage.greens.map((group) => [
            group,
            stage.permissive.includes(group) ? ('permissive' as const) : ('protected' as const),
          ]),
        ),
        green: stage.green,
        yellow: stage.yellow,
        allRed: stage.allRed,
        minGreen: 1,
      })),
    };
  });

function colourOf(code: number): SignalColour {
  return code >= 2 ? 'green' : code === 1 ? 'yellow' : 'red';
}

/** Two stages, `a` then `b`, each protected; yellow 3, all-red 2. */
function twoStage(greenA: number, greenB: number, offset: number, minGreen = 10): TimingPlan {
  const stage = (id: string, green: number) => ({
    id,
    greens: { [id]: 'protected' as const },
    green,
    yellow: 3,
    allRed: 2,
    minGreen,
  });
  return {
    id: `plan-${greenA}-${greenB}-${offset}`,
    signal: 's',
    cycleLength: greenA + greenB + 10,
    offset,
    offsetReference: 'first-stage-green-start',
    stages: [stage('a', greenA), stage('b', greenB)],
  };
}

/** Runs a controller in quarter seconds from `begin` to `end`, calling `at` before each moment. */
function run(
  controller: SignalController,
  begin: number,
  end: number,
  at: (time: number, colours: Uint8Array) => void = () => {},
): HiResEvent[] {
  const colours = new Uint8Array(groups.length);
  const events: HiResEvent[] = [];
  controller.start(colours);
  for (let time = begin; time < end; time += 0.25) {
    controller.advanceTo(time, colours, events);
    at(time, colours);
  }
  return events;
}

describe('SignalController', () => {
  it('shows every group the colour signalColour gives, at any time', () => {
    fc.assert(
      fc.property(
        planArbitrary,
        fc.integer({ min: -3, max: 3 }),
        fc.integer({ min: -4, max: 4 }),
        (plan, cycles, quarters) => {
          // Starts on either side of a cycle boundary, where an off-by-one would show.
          const begin = firstGreenStart(plan) + cycles * plan.cycleLength + quarters / 4;
          const controller = new SignalController('s', groups, plan, begin, 0.2);
          run(controller, begin, begin + 2 * plan.cycleLength, (time, colours) => {
            GROUPS.forEach((group, index) => {
              expect([time, group, colourOf(colours[index]!)]).toEqual([
                time,
                group,
                signalColour(plan, group, time),
              ]);
            });
          });
        },
      ),
    );
  });

  it('emits begin green, begin yellow and end yellow exactly where signalColour changes', () => {
    fc.assert(
      fc.property(planArbitrary, (plan) => {
        const events = run(
          new SignalController('s', groups, plan, 0, 0.2),
          0,
          3 * plan.cycleLength,
        );
        const expected: string[] = [];
        for (let time = 0.25; time < 3 * plan.cycleLength; time += 0.25) {
          GROUPS.forEach((group, index) => {
            const before = signalColour(plan, group, time - 0.25);
            const now = signalColour(plan, group, time);
            if (before === now) return;
            if (now === 'green') expected.push(`${time} 1 ${index + 1}`);
            if (before === 'green') expected.push(`${time} 8 ${index + 1}`);
            if (now === 'red') expected.push(`${time} 9 ${index + 1}`);
          });
        }
        const seen = events
          .filter((event) => [1, 8, 9].includes(event.code))
          .map((event) => `${event.time} ${event.code} ${event.param}`);
        expect(seen.sort()).toEqual(expected.sort());
      }),
    );
  });

  it('brackets each all-red with red clearance begin (10) and end (11)', () => {
    const plan = twoStage(30, 20, 0);
    const events = run(new SignalController('s', groups, plan, 0, 0.2), 0, 120);
    const forA = events
      .filter((event) => event.param === 1)
      .map((event) => [event.time, event.code]);
    expect(forA).toEqual([
      [30, 8],
      [33, 9],
      [33, 10],
      [35, 11],
      [60, 1],
      [90, 8],
      [93, 9],
      [93, 10],
      [95, 11],
    ]);
  });

  it('switches plans at the end of the cycle and reaches the new offset with greens ≥ their minimum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 15, max: 60 }),
        fc.integer({ min: 15, max: 60 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 300 }),
        (greenA, greenB, offset, switchAt) => {
          const old = twoStage(40, 40, 0);
          const next = twoStage(greenA, greenB, offset % (greenA + greenB + 10));
          const controller = new SignalController('s', groups, old, 0, 0.2);
          const colours = new Uint8Array(groups.length);
          const events: HiResEvent[] = [];
          controller.start(colours);
          const end = switchAt + 90 + 7 * next.cycleLength;
          for (let time = 0; time < end; time += 0.25) {
            if (time === switchAt) {
              controller.setPlan(next);
              expect(controller.status().pending).toBe(next);
            }
            controller.advanceTo(time, colours, events);
          }
          expect(controller.status()).toEqual({ active: next, transitionCycles: 0 });
          // Every green (begin green to begin yellow) is at least its stage's minimum.
          for (const param of [1, 2]) {
            const mine = events.filter((event) => event.param === param);
            mine.forEach((event, index) => {
              const yellow = mine.slice(index).find((later) => later.code === 8);
              if (event.code === 1 && yellow) {
                expect(yellow.time - event.time).toBeGreaterThanOrEqual(10 - 1e-9);
              }
            });
          }
          // The last two green starts of the first stage sit on the new plan's offset.
          const starts = events.filter((event) => event.param === 1 && event.code === 1);
          for (const start of starts.slice(-2)) {
            const cycle = next.cycleLength;
            const misalignment = (((start.time - firstGreenStart(next)) % cycle) + cycle) % cycle;
            expect(Math.min(misalignment, cycle - misalignment)).toBeLessThan(1e-6);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('lets the old plan finish its cycle: the new one starts at the next first-stage green', () => {
    const old = twoStage(40, 40, 0);
    const controller = new SignalController('s', groups, old, 0, 0.2);
    const colours = new Uint8Array(groups.length);
    controller.start(colours);
    controller.advanceTo(50, colours);
    controller.setPlan(twoStage(20, 20, 10));
    controller.advanceTo(89.75, colours);
    expect(controller.status().active).toBe(old);
    controller.advanceTo(90, colours);
    expect(controller.status().active.id).toBe('plan-20-20-10');
    expect(controller.status().transitionCycles).toBeGreaterThan(0);
  });
});

/** Stages of one group list each, protected, yellow 3, all-red 2; actuated when `passage` is given. */
function stagedPlan(
  stages: { greens: string[]; green: number; minGreen: number }[],
  { offset = 0, passage, free = false }: { offset?: number; passage?: number; free?: boolean } = {},
): TimingPlan {
  return {
    id: `staged-${stages.map((stage) => stage.green).join('-')}-${offset}-${passage ?? 'fixed'}${free ? '-free' : ''}`,
    signal: 's',
    cycleLength: stages.reduce((sum, stage) => sum + stage.green + 5, 0),
    offset,
    offsetReference: 'first-stage-green-start',
    stages: stages.map((stage, index) => ({
      id: `s${index}`,
      greens: Object.fromEntries(stage.greens.map((group) => [group, 'protected' as const])),
      green: stage.green,
      yellow: 3,
      allRed: 2,
      minGreen: stage.minGreen,
    })),
    ...(passage !== undefined ? { actuated: free ? { passage, free } : { passage } } : {}),
  };
}

/**
 * `a` coordinated for 30 s (minimum 10), then `b` and `c` for 20 s each (minimum 7): an 85 s
 * cycle, stage greens starting at 0, 35 and 60, passage 3 s.
 */
const coordinated = (passage: number | undefined, offset = 0) =>
  stagedPlan(
    [
      { greens: ['a'], green: 30, minGreen: 10 },
      { greens: ['b'], green: 20, minGreen: 7 },
      { greens: ['c'], green: 20, minGreen: 7 },
    ],
    { passage, offset },
  );

/** Planned greens of `a` (minimum 10), `b` and `c` (minimum 6) for the property tests. */
const threeGreens = fc.tuple(
  fc.integer({ min: 10, max: 40 }),
  fc.integer({ min: 8, max: 30 }),
  fc.integer({ min: 8, max: 30 }),
);

/** Runs of quarter seconds (each at most `longest`), each with a bitmask of the slots called. */
const callRuns = (longest: number) =>
  fc.array(fc.tuple(fc.integer({ min: 1, max: longest }), fc.integer({ min: 0, max: 7 })), {
    minLength: 1,
    maxLength: 40,
  });

/** Demand as the simulator gives it: before each moment, the groups (by slot) with a vehicle in the zone. */
type Demand = (time: number) => number[];

/** Runs `controller` in quarter seconds on `demand`, as `run` does, with a lastCall array. */
function runActuated(
  controller: SignalController,
  begin: number,
  end: number,
  demand: Demand,
  at: (time: number, colours: Uint8Array) => void = () => {},
): HiResEvent[] {
  const colours = new Uint8Array(groups.length);
  const lastCall = new Float64Array(groups.length).fill(-Infinity);
  const events: HiResEvent[] = [];
  controller.start(colours);
  for (let time = begin; time < end; time += 0.25) {
    for (const slot of demand(time)) lastCall[slot] = time;
    controller.advanceTo(time, colours, events, undefined, lastCall);
    at(time, colours);
  }
  return events;
}

/** When `group` (a–d) had hi-res `code`. */
function timesOf(events: readonly HiResEvent[], group: string, code: number): number[] {
  const param = GROUPS.indexOf(group) + 1;
  return events
    .filter((event) => event.param === param && event.code === code)
    .map((event) => event.time);
}

/**
 * Every group's phase events in the order 1, 8, 9, 10, 11 (a green → yellow → red), each green and
 * each yellow lasting longer than zero: no colour shown for no time.
 */
function expectNoFlicker(events: readonly HiResEvent[]): void {
  const order = [1, 8, 9, 10, 11];
  for (const param of new Set(events.map((event) => event.param))) {
    const mine = events.filter((event) => event.param === param && event.code !== 4);
    mine.slice(1).forEach((event, index) => {
      const before = mine[index]!;
      const expected = order[(order.indexOf(before.code) + 1) % order.length];
      expect([param, before.time, event.code]).toEqual([param, before.time, expected]);
      if (before.code === 1 || before.code === 8) {
        expect([param, event.time - before.time > 0]).toEqual([param, true]);
      }
    });
  }
}

describe('stageActuation', () => {
  const pedestrians: ControlledGroup[] = [
    ...groups,
    { id: 'walk-long', slot: 4, param: 5, pedestrian: true, pedestrianGreen: 12 },
    { id: 'walk-short', slot: 5, param: 6, pedestrian: true, pedestrianGreen: 4 },
  ];

  it('never actuates the coordinated first stage, nor a stage all of whose groups are green in it', () => {
    const plan = stagedPlan(
      [
        { greens: ['a', 'b', 'walk-long'], green: 30, minGreen: 10 },
        { greens: ['b'], green: 10, minGreen: 5 },
        { greens: ['a', 'c'], green: 20, minGreen: 7 },
      ],
      { passage: 3 },
    );
    // The coordinated stage has a pedestrian group: it still never gaps out.
    const [first, within, crossing] = stageActuation(plan, pedestrians)!;
    expect(first).toMatchObject({ actuated: false, skippable: false });
    expect(within).toEqual({
      calls: Int32Array.from([]),
      minimum: 5,
      actuated: false,
      skippable: false,
    });
    // `a` runs on from the coordinated stage: only `c` calls the third.
    expect(crossing).toEqual({
      calls: Int32Array.from([2]),
      minimum: 7,
      actuated: true,
      skippable: true,
    });
  });

  it('leaves pedestrian and unsignalled groups out of the calls; a pedestrian stage is never skipped and runs its walk and clearance', () => {
    const plan: TimingPlan = {
      ...stagedPlan(
        [
          { greens: ['a'], green: 30, minGreen: 10 },
          { greens: ['b', 'd', 'walk-long'], green: 20, minGreen: 7 },
          { greens: ['walk-short'], green: 10, minGreen: 6 },
          { greens: ['c', 'walk-short'], green: 20, minGreen: 7 },
        ],
        { passage: 2 },
      ),
      unsignalled: ['d'],
    };
    const [, withWalk, walkOnly, longMinimum] = stageActuation(plan, pedestrians)!;
    expect(withWalk).toEqual({
      calls: Int32Array.from([1]),
      minimum: 12,
      actuated: true,
      skippable: false,
    });
    expect(walkOnly).toEqual({
      calls: Int32Array.from([]),
      minimum: 6,
      actuated: true,
      skippable: false,
    });
    expect(longMinimum).toEqual({
      calls: Int32Array.from([2]),
      minimum: 7,
      actuated: true,
      skippable: false,
    });
  });

  it('is undefined for a fixed-time plan', () => {
    expect(stageActuation(coordinated(undefined), groups)).toBeUndefined();
  });
});

describe('SignalController, coordinated-actuated', () => {
  const always =
    (slots: number[]): Demand =>
    () =>
      slots;

  it.each([
    // b's last call, its gap-out (undefined: it runs its planned 20 s)
    { lastB: 30, gapOut: 42, why: 'quiet since its start: at its 7 s minimum, not before' },
    { lastB: 40, gapOut: 43.25, why: 'the first quarter second quiet longer than the passage' },
    { lastB: 50, gapOut: 53.25, why: 'called into its green: passage after the last call' },
    { lastB: 60, gapOut: undefined, why: 'called to its end: forced off at its planned green' },
  ])('gaps out at $gapOut when b was last called at $lastB ($why)', ({ lastB, gapOut }) => {
    const controller = new SignalController('s', groups, coordinated(3), 0, 0.2);
    // b called from 20 s (before a's green ends, so b is not skipped) to lastB; c always.
    const events = runActuated(controller, 0, 200, (time) =>
      time >= 20 && time <= lastB ? [1, 2] : [2],
    );
    expect(timesOf(events, 'b', 4)).toEqual(gapOut === undefined ? [] : [gapOut]);
    const bEnds = gapOut ?? 55;
    expect(timesOf(events, 'b', 1)[0]).toBe(35);
    expect(timesOf(events, 'b', 8)[0]).toBe(bEnds);
    // c starts earlier and keeps its planned 20 s (floating force-off), then a returns early.
    expect(timesOf(events, 'c', 1)[0]).toBe(bEnds + 5);
    expect(timesOf(events, 'c', 8)[0]).toBe(bEnds + 25);
    expect(timesOf(events, 'a', 1)[0]).toBe(bEnds + 30);
    expect(timesOf(events, 'a', 8).slice(0, 2)).toEqual([30, 115]);
    // Never twice in a cycle: a later green is no gap-out.
    expect(timesOf(events, 'c', 4)).toEqual([]);
    expectNoFlicker(events);
  });

  it('reports a gap-out (4) for every group that calls the stage, and for no other', () => {
    // b and d call the second stage; a runs on into it from the coordinated stage.
    const plan = stagedPlan(
      [
        { greens: ['a'], green: 30, minGreen: 10 },
        { greens: ['a', 'b', 'd'], green: 20, minGreen: 7 },
        { greens: ['c'], green: 20, minGreen: 7 },
      ],
      { passage: 3 },
    );
    const events = runActuated(new SignalController('s', groups, plan, 0, 0.2), 0, 85, (time) =>
      time <= 30 ? [1] : time <= 40 ? [3] : [2],
    );
    expect(events.filter((event) => event.code === 4)).toEqual([
      { time: 43.25, signal: 's', code: 4, param: 2 },
      { time: 43.25, signal: 's', code: 4, param: 4 },
    ]);
  });

  it('skips a stage nobody calls: its groups stay red, the change before it leads to the next stage served', () => {
    // d is green in the first and the third stage: with the second skipped it never changes.
    const plan = stagedPlan(
      [
        { greens: ['a', 'd'], green: 30, minGreen: 10 },
        { greens: ['b'], green: 20, minGreen: 7 },
        { greens: ['c', 'd'], green: 20, minGreen: 7 },
      ],
      { passage: 3 },
    );
    const colours: number[][] = [];
    const events = runActuated(
      new SignalController('s', groups, plan, 0, 0.2),
      0,
      3 * 85,
      always([2]),
      (time, now) => colours.push([time, ...now]),
    );
    expect(timesOf(events, 'b', 1)).toEqual([]);
    expect(events.filter((event) => event.param === 4)).toEqual([]);
    expect(colours.every((row) => row[4]! >= 2)).toBe(true);
    expect(colours.every((row) => row[2] === 0)).toBe(true);
    // Cycles of 60 s (85 − 25 saved); a's green still ends at 30 + 85k.
    expect(
      events.filter((event) => event.param === 1).map((event) => [event.time, event.code]),
    ).toEqual([
      [30, 8],
      [33, 9],
      [33, 10],
      [35, 11],
      [60, 1],
      [115, 8],
      [118, 9],
      [118, 10],
      [120, 11],
      [145, 1],
      [200, 8],
      [203, 9],
      [203, 10],
      [205, 11],
      [230, 1],
    ]);
    expect(timesOf(events, 'c', 1)).toEqual([35, 120, 205]);
    expect(timesOf(events, 'c', 8)).toEqual([55, 140, 225]);
    expectNoFlicker(events);
  });

  it('skips the stages after a gap-out that nobody calls, and returns early to the coordinated stage', () => {
    const events = runActuated(
      new SignalController('s', groups, coordinated(3), 0, 0.2),
      0,
      85,
      (time) => (time <= 30 ? [1] : []),
    );
    expect(timesOf(events, 'b', 4)).toEqual([42]);
    expect(timesOf(events, 'c', 1)).toEqual([]);
    expect(timesOf(events, 'a', 1)).toEqual([47]);
    expectNoFlicker(events);
  });

  it('returns early to the coordinated stage every cycle, its green still ending on the offset', () => {
    // b is called just before a's green ends (30 + 85k) and gaps out at its minimum; c always.
    const offset = 17;
    const events = runActuated(
      new SignalController('s', groups, coordinated(3, offset), 0, 0.2),
      0,
      8 * 85,
      (time) => ((time - offset) % 85 >= 29 && (time - offset) % 85 <= 30 ? [1, 2] : [2]),
    );
    // Starting at 0 falls in c's green of the cycle before: a first turns green at the offset.
    const cycles = [0, 1, 2, 3, 4, 5, 6];
    expect(timesOf(events, 'a', 1)[0]).toBe(offset);
    expect(timesOf(events, 'a', 8).slice(0, 7)).toEqual(
      cycles.map((cycle) => offset + 30 + 85 * cycle),
    );
    expect(timesOf(events, 'b', 4).slice(0, 7)).toEqual(
      cycles.map((cycle) => offset + 42 + 85 * cycle),
    );
    expect(timesOf(events, 'a', 1).slice(1, 8)).toEqual(
      cycles.map((cycle) => offset + 72 + 85 * cycle),
    );
    expectNoFlicker(events);
  });

  it('with no vehicle at all skips every other stage and keeps the coordinated groups green throughout', () => {
    const greens: boolean[] = [];
    const events = runActuated(
      new SignalController('s', groups, coordinated(3, 40), 0, 0.2),
      0,
      10 * 85,
      () => [],
      (_, colours) => greens.push(colours[0]! >= 2 && colours[1] === 0 && colours[2] === 0),
    );
    // Starting at 0 falls in the offset-40 plan's third stage: it gaps out, then only a.
    const afterFirst = events.filter((event) => event.time > 40);
    expect(afterFirst).toEqual([]);
    expect(greens.slice(40 * 4).every(Boolean)).toBe(true);
  });

  it('keeps the gap-outs and skips of the cycle a new plan arrives in; the new plan reaches its offset from the nominal cycle end', () => {
    const next = stagedPlan(
      [
        { greens: ['a'], green: 40, minGreen: 10 },
        { greens: ['b'], green: 20, minGreen: 7 },
        { greens: ['c'], green: 25, minGreen: 7 },
      ],
      { passage: 3, offset: 23 },
    );
    // b called until a ends, c not at all, until 50 s; then both always (the new plan runs as fixed).
    const demand: Demand = (time) => (time <= 30 ? [1] : time < 50 ? [] : [1, 2]);
    const actuated = new SignalController('s', groups, coordinated(3), 0, 0.2);
    // The same plans without a lastCall: fixed time.
    const fixed = new SignalController('s', groups, coordinated(3), 0, 0.2);
    const switchAt = (controller: SignalController) => (time: number) => {
      if (time === 45) controller.setPlan(next);
      if (time === 46.75) expect(controller.status().pending).toBe(next);
    };
    const actuatedEvents = runActuated(actuated, 0, 900, (time) => {
      switchAt(actuated)(time);
      return demand(time);
    });
    const fixedEvents = run(fixed, 0, 900, switchAt(fixed));
    expect(actuated.status()).toEqual({ active: next, transitionCycles: 0 });
    // The cycle it arrived in: b gapped out at 42, c skipped, the new plan from 47.
    expect(timesOf(actuatedEvents, 'b', 4)).toEqual([42]);
    expect(timesOf(actuatedEvents, 'a', 1)[0]).toBe(47);
    expect(timesOf(fixedEvents, 'a', 1)[0]).toBe(85);
    expect(timesOf(actuatedEvents, 'c', 1)[0]).toBeGreaterThan(85);
    // From the nominal end on, the two run the same plan the same way: a's greens end together.
    const fromNominal = (events: HiResEvent[]) => events.filter((event) => event.time > 85);
    expect(timesOf(actuatedEvents, 'a', 8).slice(1)).toEqual(timesOf(fixedEvents, 'a', 8).slice(1));
    expect(fromNominal(actuatedEvents)).toEqual(fromNominal(fixedEvents));
    expectNoFlicker(actuatedEvents);
  });

  it('shows a full yellow to the coordinated groups when a new plan arrives after the last green of a skipping cycle', () => {
    // b is skipped at 30, so a's change interval (30–35) keeps a green into the next cycle; the
    // plan arriving at 31 starts with b: a must now have its 3 s yellow, not turn red at once.
    const next = stagedPlan([
      { greens: ['b'], green: 30, minGreen: 10 },
      { greens: ['a'], green: 20, minGreen: 7 },
    ]);
    const plan = stagedPlan(
      [
        { greens: ['a'], green: 30, minGreen: 10 },
        { greens: ['b'], green: 20, minGreen: 7 },
      ],
      { passage: 3 },
    );
    const controller = new SignalController('s', groups, plan, 0, 0.2);
    const events = runActuated(controller, 0, 120, (time) => {
      if (time === 31) controller.setPlan(next);
      return [];
    });
    const yellows = timesOf(events, 'a', 8);
    const reds = timesOf(events, 'a', 9);
    expect(yellows.length).toBeGreaterThan(0);
    expect(reds.map((red, index) => red - yellows[index]!)).toEqual(reds.map(() => 3));
    expectNoFlicker(events);
  });

  it('whatever the demand, ends the coordinated green where the fixed plan does and runs every other green between its minimum and its planned green', () => {
    fc.assert(
      fc.property(
        threeGreens,
        fc.integer({ min: 0, max: 150 }),
        fc.integer({ min: 0, max: 5 }),
        // Per quarter second, a bitmask of the groups called (b = 2, c = 4), in runs.
        callRuns(80),
        ([greenA, greenB, greenC], offset, passage, runs) => {
          const planOf = (actuated?: number) =>
            stagedPlan(
              [
                { greens: ['a'], green: greenA, minGreen: 10 },
                { greens: ['b'], green: greenB, minGreen: 6 },
                { greens: ['c'], green: greenC, minGreen: 6 },
              ],
              { passage: actuated, offset: offset % (greenA + greenB + greenC + 15) },
            );
          const masks = runs.flatMap(([length, mask]) => Array<number>(length).fill(mask));
          const end = 6 * planOf().cycleLength;
          const demand: Demand = (time) => {
            const mask = masks[Math.round(time * 4) % masks.length]!;
            return [1, 2].filter((slot) => mask & (1 << slot));
          };
          const plan = planOf(passage);
          const coordinatedGreen: boolean[] = [];
          const events = runActuated(
            new SignalController('s', groups, plan, 0, 0.2),
            0,
            end,
            demand,
            (_, colours) => coordinatedGreen.push(colours[0]! >= 2),
          );
          const fixed = run(new SignalController('s', groups, planOf(), 0, 0.2), 0, end);
          // a's green ends only where the fixed plan ends it, and a is green wherever it is there.
          const fixedEnds = timesOf(fixed, 'a', 8);
          expect(timesOf(events, 'a', 8).filter((time) => !fixedEnds.includes(time))).toEqual([]);
          const fixedGreen: boolean[] = [];
          run(new SignalController('s', groups, planOf(), 0, 0.2), 0, end, (_, colours) =>
            fixedGreen.push(colours[0]! >= 2),
          );
          expect(
            fixedGreen.flatMap((green, quarter) =>
              green && !coordinatedGreen[quarter] ? [quarter / 4] : [],
            ),
          ).toEqual([]);
          for (const [group, planned] of [
            ['b', greenB],
            ['c', greenC],
          ] as const) {
            const starts = timesOf(events, group, 1);
            const ends = timesOf(events, group, 8).filter((time) => time > (starts[0] ?? end));
            starts.slice(0, ends.length).forEach((start, index) => {
              const green = ends[index]! - start;
              expect(green).toBeGreaterThanOrEqual(6);
              expect(green).toBeLessThanOrEqual(planned);
            });
          }
          expectNoFlicker(events);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('SignalController, free', () => {
  /** `coordinated(3)` run free: `a` rests, 30 s its max green; `b` and `c` 20 s, minimums 10, 7, 7. */
  const free = (passage = 3) =>
    stagedPlan(
      [
        { greens: ['a'], green: 30, minGreen: 10 },
        { greens: ['b'], green: 20, minGreen: 7 },
        { greens: ['c'], green: 20, minGreen: 7 },
      ],
      { passage, free: true },
    );

  it('rests in the first stage while nothing else is called, whatever its own traffic', () => {
    const greens: boolean[] = [];
    const events = runActuated(
      new SignalController('s', groups, free(), 0, 0.2),
      0,
      600,
      (time) => (time % 7 < 2 ? [0] : []),
      (_, colours) => greens.push(colours[0]! >= 2 && colours[1] === 0 && colours[2] === 0),
    );
    expect(events).toEqual([]);
    expect(greens.every(Boolean)).toBe(true);
  });

  it('serves a side call at once when the first stage is past its minimum and quiet, then rests again', () => {
    // b waits from 100 until its green comes, then is gone; nobody calls c.
    let served = Infinity;
    const events = runActuated(
      new SignalController('s', groups, free(), 0, 0.2),
      0,
      300,
      (time) => (time >= 100 && time <= served + 1 ? [1] : []),
      (time, colours) => {
        if (colours[1]! >= 2 && served === Infinity) served = time;
      },
    );
    expect(timesOf(events, 'a', 4)).toEqual([100]);
    expect(timesOf(events, 'a', 8)).toEqual([100]);
    expect(timesOf(events, 'b', 1)).toEqual([105]);
    // b's minimum (7 s), its caller quiet since 106: gap-out at 112; c skipped; a back at 117.
    expect(timesOf(events, 'b', 4)).toEqual([112]);
    expect(timesOf(events, 'c', 1)).toEqual([]);
    expect(timesOf(events, 'a', 1)).toEqual([117]);
    expect(events.filter((event) => event.time > 117)).toEqual([]);
    expectNoFlicker(events);
  });

  it('maxes out the first stage its planned green after a conflicting call when its own traffic never gaps out', () => {
    const events = runActuated(new SignalController('s', groups, free(), 0, 0.2), 0, 200, (time) =>
      time >= 100 ? [0, 1] : [0],
    );
    expect(timesOf(events, 'a', 8)[0]).toBe(130);
    expect(timesOf(events, 'a', 4)).toEqual([]);
    expect(timesOf(events, 'b', 1)[0]).toBe(135);
    // b called throughout: it runs its planned 20 s (max), c is skipped, a returns at 160.
    expect(timesOf(events, 'b', 8)[0]).toBe(155);
    expect(timesOf(events, 'a', 1)[0]).toBe(160);
    expectNoFlicker(events);
  });

  /**
   * Vehicles arriving at the stop line as `arrivals` has them (slots by time) and waiting in the
   * zone until their group turns green, as the simulator's queues do.
   */
  const waiting = (arrivals: (time: number) => number[]) => {
    const queued = new Set<number>();
    const demand: Demand = (time) => {
      for (const slot of arrivals(time)) queued.add(slot);
      return [...queued];
    };
    const served = (_: number, colours: Uint8Array) => {
      for (const slot of queued) if (colours[slot]! >= 2) queued.delete(slot);
    };
    return { demand, served };
  };

  it('runs its first green at least its minimum when a call waits from the start', () => {
    const { demand, served } = waiting((time) => (time === 0 ? [2] : []));
    const events = runActuated(
      new SignalController('s', groups, free(), 0, 0.2),
      0,
      60,
      demand,
      served,
    );
    expect(timesOf(events, 'a', 8)[0]).toBe(10);
    expect(timesOf(events, 'c', 1)[0]).toBe(15);
    expectNoFlicker(events);
  });

  it('leaves a rest for a new plan at once, and the coordinated plan then reaches its offset', () => {
    const controller = new SignalController('s', groups, free(), 0, 0.2);
    const target = coordinated(3, 40);
    // Nobody calls before the plan comes; from then on c always does, so every cycle shows.
    const events = runActuated(controller, 0, 1200, (time) => {
      if (time === 200) controller.setPlan(target);
      return time >= 200 ? [2] : [];
    });
    expect(controller.status().active.id).toBe(target.id);
    expect(controller.status().transitionCycles).toBe(0);
    // Past the transition, a's green ends on the plan: 40 + 30 + 85k.
    const ends = timesOf(events, 'a', 8).filter((time) => time > 800);
    expect(ends.length).toBeGreaterThan(0);
    for (const end of ends) expect((end - 70) % 85).toBeCloseTo(0, 9);
    expect(timesOf(events, 'a', 8)[0]).toBeLessThan(210);
    expectNoFlicker(events);
  });

  it('goes free at the end of a coordinated cycle', () => {
    const controller = new SignalController('s', groups, coordinated(3), 0, 0.2);
    const events = runActuated(controller, 0, 600, (time) => {
      if (time === 10) controller.setPlan(free());
      return [];
    });
    expect(controller.status()).toEqual({ active: free(), transitionCycles: 0 });
    expect(events.filter((event) => event.time > 60)).toEqual([]);
    expectNoFlicker(events);
  });

  it('whatever the demand, serves every call within one round of max greens and keeps every green within its minimum and maximum', () => {
    fc.assert(
      fc.property(
        threeGreens,
        fc.integer({ min: 0, max: 5 }),
        callRuns(120),
        ([greenA, greenB, greenC], passage, runs) => {
          const plan = stagedPlan(
            [
              { greens: ['a'], green: greenA, minGreen: 10 },
              { greens: ['b'], green: greenB, minGreen: 6 },
              { greens: ['c'], green: greenC, minGreen: 6 },
            ],
            { passage, free: true },
          );
          const masks = runs.flatMap(([length, mask]) => Array<number>(length).fill(mask));
          const end = 900;
          const called = (time: number) => masks[Math.round(time * 4) % masks.length]!;
          const waits: number[][] = [[], [], []];
          const since = [Infinity, Infinity, Infinity];
          const { demand, served } = waiting((time) =>
            [0, 1, 2].filter((slot) => called(time) & (1 << slot)),
          );
          const events = runActuated(
            new SignalController('s', groups, plan, 0, 0.2),
            0,
            end,
            demand,
            (time, colours) => {
              for (const slot of [0, 1, 2]) {
                if (colours[slot]! >= 2) {
                  if (since[slot] !== Infinity) waits[slot]!.push(time - since[slot]!);
                  since[slot] = Infinity;
                } else if (called(time) & (1 << slot)) {
                  since[slot] = Math.min(since[slot]!, time);
                }
              }
              served(time, colours);
            },
          );
          // A call waits at most every stage's max green and change interval once, plus one quarter.
          const round = greenA + greenB + greenC + 15 + 0.25;
          for (const slot of [0, 1, 2]) {
            for (const wait of waits[slot]!) expect(wait).toBeLessThanOrEqual(round);
          }
          for (const [group, minimum, maximum] of [
            ['b', 6, greenB],
            ['c', 6, greenC],
          ] as const) {
            const starts = timesOf(events, group, 1);
            const ends = timesOf(events, group, 8).filter((time) => time > (starts[0] ?? end));
            starts.slice(0, ends.length).forEach((start, index) => {
              const green = ends[index]! - start;
              expect(green).toBeGreaterThanOrEqual(minimum);
              expect(green).toBeLessThanOrEqual(maximum);
            });
          }
          const starts = timesOf(events, 'a', 1);
          const ends = timesOf(events, 'a', 8).filter((time) => time > (starts[0] ?? end));
          starts.slice(0, ends.length).forEach((start, index) => {
            expect(ends[index]! - start).toBeGreaterThanOrEqual(10);
          });
          expectNoFlicker(events);
        },
      ),
      { numRuns: 80 },
    );
  });
});
