// Tests for the signal controller: colours as signalColour has them, hi-res events, plan transitions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimingPlan } from '../src/timing/types.ts';
import { SignalController, type ControlledGroup } from './signal-control.ts';
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
