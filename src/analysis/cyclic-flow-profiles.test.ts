// Tests for cyclic flow profiles: Robertson's dispersion against methods.md T8, and the stop-line queue against Webster.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dispersion,
  queueInto,
  redStart,
  robertsonDispersion,
  rotateInto,
  stopLineQueue,
} from './cyclic-flow-profiles.ts';
import { uniformDelay } from './delay.ts';

const sum = (profile: Float64Array) => profile.reduce((total, value) => total + value, 0);

/** The recursion run cycle after cycle from an empty link: the independent check of the closed form. */
function iterated(upstream: Float64Array, travelTime: number, alpha = 0.35, beta = 0.8) {
  const steps = upstream.length;
  const smoothing = 1 / (1 + alpha * beta * travelTime);
  const lag = Math.round(beta * travelTime);
  const downstream = new Float64Array(steps);
  let previous = 0;
  for (let cycle = 0; cycle < 400; cycle++) {
    for (let index = 0; index < steps; index++) {
      const from = (((index - lag) % steps) + steps) % steps;
      previous = smoothing * upstream[from]! + (1 - smoothing) * previous;
      downstream[index] = previous;
    }
  }
  return downstream;
}

const profile = (steps: number) =>
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: steps, maxLength: steps });

describe('robertsonDispersion', () => {
  // methods.md §10.2 T8: C = 60 s at 1 s steps, 0.5 veh/s for steps 0–19, Ta = 30 s, α 0.35, β 0.8.
  const upstream = new Float64Array(60).fill(0.5, 0, 20);

  it('gives F = 0.1064 and a 24 s lag for Ta = 30 s (methods.md T8)', () => {
    const { smoothingFactor, lag } = dispersion(30);
    expect(smoothingFactor).toBeCloseTo(0.1064, 4);
    expect(lag).toBe(24);
  });

  it('peaks at 0.4478 veh/s at step 43 and conserves the 10 vehicles (methods.md T8)', () => {
    const downstream = robertsonDispersion(upstream, 30);
    const peak = Math.max(...downstream);
    expect(peak).toBeCloseTo(0.4478, 4);
    expect(downstream.indexOf(peak)).toBe(43);
    expect(sum(upstream)).toBeCloseTo(10, 10);
    expect(sum(downstream)).toBeCloseTo(10, 10);
  });

  it('equals the recursion iterated to cyclic steady state', () => {
    const downstream = robertsonDispersion(upstream, 30);
    const reference = iterated(upstream, 30);
    downstream.forEach((flow, index) => expect(flow).toBeCloseTo(reference[index]!, 12));
  });

  it('conserves volume for any profile, travel time and step', () => {
    fc.assert(
      fc.property(
        profile(45),
        fc.double({ min: 0, max: 200, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(0.5, 1, 2),
        (flows, travelTime, alpha, step) => {
          const upstream = Float64Array.from(flows);
          const downstream = robertsonDispersion(upstream, travelTime, { alpha, step });
          expect(sum(downstream)).toBeCloseTo(sum(upstream), 8);
          expect(Math.min(...downstream)).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('only shifts the profile when nothing disperses (α = 0) and delays it by β·Ta', () => {
    const downstream = robertsonDispersion(upstream, 10, { alpha: 0 });
    const shifted = new Float64Array(60);
    rotateInto(upstream, 8, shifted);
    expect([...downstream]).toEqual([...shifted]);
  });

  it('counts Ta and the lag in steps when a step is longer than a second', () => {
    expect(dispersion(30, { step: 2 })).toEqual({ smoothingFactor: 1 / (1 + 0.35 * 12), lag: 12 });
  });

  it('throws a RangeError on an empty profile or a negative travel time', () => {
    expect(() => robertsonDispersion(new Float64Array(0), 10)).toThrow(RangeError);
    expect(() => robertsonDispersion(upstream, -1)).toThrow(RangeError);
    expect(() => dispersion(10, { beta: 0 })).toThrow(RangeError);
  });
});

describe('stopLineQueue', () => {
  // 90 s cycle, effective green 40 s at 1,800 veh/h, uniform 360 veh/h.
  const capacity = new Float64Array(90).fill(0.5, 0, 40);
  const uniform = new Float64Array(90).fill(0.1);

  it("gives Webster's uniform delay d1 for uniform arrivals", () => {
    const { delay, arrivals } = stopLineQueue(uniform, capacity);
    expect(arrivals).toBeCloseTo(9, 10);
    expect(delay / arrivals).toBeCloseTo(uniformDelay(90, 40 / 90, 0.1 / (0.5 * (40 / 90))), 10);
  });

  it('stops the share (1 − g/C) / (1 − v/s) of vehicles for uniform arrivals', () => {
    const { stops, arrivals } = stopLineQueue(uniform, capacity);
    expect(stops / arrivals).toBeCloseTo(50 / 90 / (1 - 0.2), 10);
  });

  it('lets a platoon that arrives in green on an empty stop line through without delay', () => {
    const platoon = new Float64Array(90).fill(0.4, 10, 30);
    const { delay, stops, departures } = stopLineQueue(platoon, capacity);
    expect(delay).toBe(0);
    expect(stops).toBe(0);
    expect([...departures]).toEqual([...platoon]);
  });

  it('conserves vehicles, and sends none while red', () => {
    const platoon = new Float64Array(90).fill(0.4, 50, 70);
    const { departures, arrivals } = stopLineQueue(platoon, capacity);
    expect(sum(departures)).toBeCloseTo(arrivals, 10);
    departures.forEach((flow, index) => {
      if (capacity[index] === 0) expect(flow).toBeCloseTo(0, 12);
      expect(flow).toBeLessThanOrEqual(capacity[index]! + 1e-12);
    });
  });

  it('caps arrivals at capacity when the lane is oversaturated', () => {
    const heavy = new Float64Array(90).fill(0.4);
    const { arrivals, departures } = stopLineQueue(heavy, capacity);
    expect(arrivals).toBeCloseTo(20, 10);
    expect(sum(departures)).toBeCloseTo(20, 10);
  });

  it('is the same whichever step the queue is started from (cyclic steady state)', () => {
    fc.assert(
      fc.property(
        profile(30),
        fc.integer({ min: 0, max: 29 }),
        fc.integer({ min: 0, max: 29 }),
        (flows, shift, from) => {
          const arrivals = Float64Array.from(flows, (flow) => flow * 0.3);
          const green = new Float64Array(30).fill(0.9, 5, 20);
          const scale = Math.min(1, sum(green) / sum(arrivals));
          const [a, b] = [new Float64Array(2), new Float64Array(2)];
          const [outA, outB] = [new Float64Array(30), new Float64Array(30)];
          queueInto(arrivals, scale, green, shift, 1, outA, a, redStart(green) + shift);
          queueInto(arrivals, scale, green, shift, 1, outB, b, from);
          expect(b[0]).toBeCloseTo(a[0]!, 9);
          expect(b[1]).toBeCloseTo(a[1]!, 9);
          outB.forEach((flow, index) => expect(flow).toBeCloseTo(outA[index]!, 9));
        },
      ),
    );
  });

  it('costs the same when arrivals and greens move together (a common offset is free)', () => {
    fc.assert(
      fc.property(profile(30), fc.integer({ min: 0, max: 29 }), (flows, shift) => {
        const arrivals = Float64Array.from(flows, (flow) => flow * 0.3);
        const green = new Float64Array(30).fill(0.9, 5, 20);
        const moved = new Float64Array(30);
        rotateInto(arrivals, shift, moved);
        const still = stopLineQueue(arrivals, green);
        const both = stopLineQueue(moved, green, { shift });
        expect(both.delay).toBeCloseTo(still.delay, 9);
        expect(both.stops).toBeCloseTo(still.stops, 9);
      }),
    );
  });

  it('throws a RangeError when the profiles differ in length', () => {
    expect(() => stopLineQueue(new Float64Array(10), new Float64Array(9))).toThrow(RangeError);
  });
});

describe('redStart', () => {
  it('finds where capacity drops to zero, or 0 when it never does', () => {
    expect(redStart(new Float64Array([0, 0.5, 0.5, 0]))).toBe(3);
    expect(redStart(new Float64Array([0.5, 0, 0, 0.5]))).toBe(1);
    expect(redStart(new Float64Array([0.5, 0.5]))).toBe(0);
  });
});
