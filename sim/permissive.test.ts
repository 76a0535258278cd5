// Tests for permissive greens: left turns take only gaps in the opposing flow, and never cross on red.
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../src/network/build.ts';
import { gridSpec } from '../src/network/grid.ts';
import { seededRandom } from '../src/seeded-random.ts';
import { compileNetwork } from './compile.ts';
import { timeToCover, yieldTable } from './permissive.ts';
import { trip } from './scenarios.fixture.ts';
import { simulate } from './simulate.ts';
import { signalColour } from './signal-states.ts';
import type { CrossingEvent, SimulationOptions } from './types.ts';

// One signal, one lane per link: northbound lefts against southbound through traffic.
const network = buildNetwork(gridSpec({ rows: 1, columns: 1, lanes: 1, spacing: 300 }));
const plan = network.getAttribute('signals').n0_0!.programs[0]!;
const LEFT = ['n0_-1-n0_0', 'n0_0-n-1_0'];
const OPPOSING = ['n0_1-n0_0', 'n0_0-n0_-1'];
const END = 1800;
const trips = [
  // 600 veh/h against 807 veh/h of capacity (1,816 veh/h × 40 / 90 s): below saturation, so the
  // opposing queue clears each green and leaves gaps (at 720 veh/h the start-up lost time left
  // too few for the test to see 40 turns).
  ...Array.from({ length: 300 }, (_, index) =>
    trip(`through${index}`, index * 6 + (index % 4), OPPOSING),
  ),
  ...Array.from({ length: 90 }, (_, index) => trip(`left${index}`, index * 20 + 3, LEFT)),
].sort((a, b) => a.depart - b.depart);

function run(options: Partial<SimulationOptions> = {}) {
  const crossings: CrossingEvent[] = [];
  const result = simulate(
    network,
    trips,
    {},
    {
      begin: 0,
      end: END,
      rng: seededRandom(1),
      trajectories: { links: [LEFT[1]!] },
      observer: { crossing: (event) => crossings.push(event) },
      ...options,
    },
  );
  // When each left turner got onto its exit link: the step before its first sample there.
  const entries = new Map<string, number>();
  for (const sample of result.trajectories!) {
    if (!entries.has(sample.vehicle)) entries.set(sample.vehicle, sample.time - result.step);
  }
  const opposing = crossings
    .filter((event) => event.from === OPPOSING[0])
    .map((event) => event.time)
    .sort((a, b) => a - b);
  return { result, crossings, entries, opposing };
}

/** Left turns that went in a green shorter than `gap` before the next opposing vehicle or right after one. */
function tooShortGaps(
  entries: Map<string, number>,
  opposing: number[],
  gap: number,
  clearing: number,
): number[] {
  return [...entries.values()].filter((time) => {
    if (signalColour(plan, 'north-left', time) !== 'green') return false;
    const previous = opposing.filter((crossing) => crossing <= time).at(-1) ?? -Infinity;
    const next = opposing.find((crossing) => crossing > time) ?? Infinity;
    // One second of slack: crossings are stamped with the start of their step.
    return time - previous < clearing || next - time < gap - 1;
  });
}

describe('permissive left turns against an opposing through flow', () => {
  const { result, crossings, entries, opposing } = run();

  it('turn only in gaps of at least the critical gap, and not while an opposing vehicle clears', () => {
    expect(entries.size).toBeGreaterThan(40);
    expect(tooShortGaps(entries, opposing, 4.5, 1)).toEqual([]);
  });

  it('would turn into short gaps without gap acceptance (the check can fail)', () => {
    const loose = run({ criticalGap: { left: 0.5 }, clearingTime: 0 });
    expect(tooShortGaps(loose.entries, loose.opposing, 4.5, 1).length).toBeGreaterThan(10);
    const lefts = (outcome: typeof loose) =>
      outcome.result.movements.find((movement) => movement.id === `${LEFT[0]}>${LEFT[1]}`)!;
    expect(lefts(loose).meanDelay).toBeLessThan(
      lefts({ result, crossings, entries, opposing }).meanDelay,
    );
  });

  it('clear the junction at the end of the green: some turn in the yellow or the red', () => {
    const late = [...entries.values()].filter(
      (time) => signalColour(plan, 'north-left', time) !== 'green',
    );
    expect(late.length).toBeGreaterThan(0);
  });

  it('never cross their stop line on red', () => {
    const onRed = crossings.filter(
      (event) => signalColour(plan, event.signalGroup!, event.time) === 'red',
    );
    expect(onRed).toEqual([]);
  });
});

describe('yieldTable', () => {
  const net = compileNetwork(buildNetwork(gridSpec({ rows: 1, columns: 1 })), {
    step: 0.5,
    jamSpacing: 7.5,
  });
  const table = yieldTable(buildNetwork(gridSpec({ rows: 1, columns: 1 })), net);
  const index = (from: string, to: string) => net.movementIds.indexOf(`${from}>${to}`);
  const yieldsTo = (movement: number) =>
    [...table.yieldTo[movement]!]
      .filter((_, position) => position % 2 === 0)
      .map((other) => net.movementIds[other]);

  it('makes a left turn yield to the opposing through and right turn, not to the opposing left', () => {
    const left = index('n0_-1-n0_0', 'n0_0-n-1_0');
    expect(yieldsTo(left)).toContain('n0_1-n0_0>n0_0-n0_-1');
    expect(yieldsTo(left)).not.toContain('n0_1-n0_0>n0_0-n1_0');
    expect(table.criticalGap[left]).toBe(4.5);
  });

  it('lets a through movement outrank a left turn when both are permissive, and not the other way', () => {
    const left = index('n0_-1-n0_0', 'n0_0-n-1_0');
    const through = index('n0_1-n0_0', 'n0_0-n0_-1');
    const pairs = table.yieldTo[left]!;
    const position = [...pairs].findIndex((other, at) => at % 2 === 0 && other === through);
    expect(pairs[position + 1]).toBe(1);
    const back = table.yieldTo[through]!;
    const reverse = [...back].findIndex((other, at) => at % 2 === 0 && other === left);
    expect(back[reverse + 1]).toBe(0);
  });
});

describe('timeToCover', () => {
  it('accelerates from a standstill, then cruises', () => {
    // 13.89² / (2 · 2.6) = 37.1 m to reach the limit in 5.34 s, then 12.9 m at 13.89 m/s.
    expect(timeToCover(50, 0, 2.6, 13.89)).toBeCloseTo(5.342 + 12.9 / 13.89, 2);
    expect(timeToCover(13.89 * 3, 13.89, 2.6, 13.89)).toBeCloseTo(3, 9);
    expect(timeToCover(0, 5, 2.6, 13.89)).toBe(0);
  });
});
