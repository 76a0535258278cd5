// Before/after measures: the HCM evaluation of each plan, and which plans count as before and after.
// Run: npx vitest run src/analysis/before-after.test.ts
import { beforeAll, describe, expect, it } from 'vitest';
import { measureTiming } from './evaluate-timing.ts';
import { timingModel } from './timing-model.ts';
import { loadDemo, T0, type Demo } from '../engine/engine.fixture.ts';
import type { TimingPlan } from '../timing/types.ts';
import { beforeAfter, planMeasures } from './before-after.ts';

describe('planMeasures and beforeAfter on the demo network', () => {
  let demo: Demo;
  let flows: Record<string, number>;
  beforeAll(async () => {
    demo = await loadDemo();
    flows = demo.prior.flowsAt(T0);
  });

  it("reports measureTiming's delay, level of service and critical v/c of the plan", () => {
    const signal = demo.signals['JS-05']!;
    const program = signal.programs[0]!;
    const measured = planMeasures(demo.network, signal, program, flows, 'network-program');
    const reference = measureTiming(
      timingModel(demo.network, signal, program, flows),
      program.stages.map((stage) => stage.green),
      program.cycleLength,
    );
    expect(measured).toEqual({
      planId: program.id,
      source: 'network-program',
      operation: 'fixed-time',
      cycle: program.cycleLength,
      delay: reference.delay,
      levelOfService: reference.levelOfService,
      criticalDegreeOfSaturation: reference.criticalDegreeOfSaturation,
      criticalFlowRatio: reference.criticalFlowRatio,
      totalDelay: reference.totalDelay,
      flow: expect.any(Number),
    });
    expect(measured.delay).toBeGreaterThan(0);
    expect(measured.flow).toBeGreaterThan(0);
  });

  it('gives less delay to a plan with more green for the same demand, none without demand', () => {
    const signal = demo.signals['JS-05']!;
    const program = signal.programs[0]!;
    // Ten seconds more for every stage but the first: the first stage's share of the cycle shrinks.
    const stages = program.stages.map((stage, index) =>
      index === 0 ? stage : { ...stage, green: stage.green + 10 },
    );
    const starved: TimingPlan = {
      ...program,
      id: 'starved',
      cycleLength: program.cycleLength + 10 * (stages.length - 1),
      stages,
    };
    const base = planMeasures(demo.network, signal, program, flows, 'network-program');
    const worse = planMeasures(demo.network, signal, starved, flows, 'engine-step');
    expect(worse.delay).toBeGreaterThan(base.delay);
    const empty = planMeasures(demo.network, signal, program, {}, 'network-program');
    expect(empty).toMatchObject({ delay: 0, levelOfService: 'A', flow: 0 });
  });

  it("takes the network's program as before, the running plan (else the engine's step) as after", () => {
    const program = demo.signals['JS-01']!.programs[0]!;
    const running = { ...program, id: 'running', offset: 10 };
    const step = {
      ...demo.signals['JS-02']!.programs[0]!,
      id: 'step',
      actuated: { passage: 2, free: true },
    };
    const sites = beforeAfter(
      demo.network,
      { running: { 'JS-01': running }, steps: { 'JS-01': step, 'JS-02': step } },
      flows,
    );
    expect(sites.map((site) => site.site)).toEqual(demo.sites);
    const first = sites[0]!;
    expect(first.before).toMatchObject({ planId: program.id, source: 'network-program' });
    expect(first.after).toMatchObject({ planId: 'running', source: 'controller' });
    expect(first.change!.delay).toBeCloseTo(first.after!.delay - first.before!.delay, 9);
    expect(sites[1]!.after).toMatchObject({
      planId: 'step',
      source: 'engine-step',
      operation: 'free',
    });
    expect(first.after!.operation).toBe('fixed-time');
    expect(sites[2]!.after).toBeUndefined();
    expect(sites[2]!.change).toBeUndefined();
  });
});
