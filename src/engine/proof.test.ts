// Tests for the proof in simulation: candidates scored on the same vehicles, a starved approach loses.
import { describe, expect, it } from 'vitest';
import { flowsAsTurning } from '../demand/turning-flows.ts';
import type { TimingPlan } from '../timing/types.ts';
import { loadDemo, T0 } from './engine.fixture.ts';
import { proveCandidates } from './proof.ts';

/** The prior's am-peak movement flows as one interval. */
async function amPeak() {
  const demo = await loadDemo();
  const flows = flowsAsTurning(demo.prior.flowsAt(T0), { begin: 0, end: 900 });
  return { ...demo, flows, plans: demo.prior.plansAt(T0).plans };
}

/** The plan with Jinshui Road's through stage cut to its minimum and the cross street's given the rest. */
function starveArterial(plan: TimingPlan): TimingPlan {
  const [first, ...rest] = plan.stages;
  const freed = first!.green - first!.minGreen;
  const last = rest.at(-1)!;
  return {
    ...plan,
    stages: [
      { ...first!, green: first!.minGreen },
      ...rest.slice(0, -1),
      { ...last, green: last.green + freed },
    ],
  };
}

describe('proveCandidates', () => {
  it('ranks a plan set that starves the arterial below the schedule’s am-peak plans', async () => {
    const { network, flows, plans } = await amPeak();
    const starved = Object.fromEntries(
      Object.entries(plans).map(([site, plan]) => [site, starveArterial(plan)]),
    );
    const scores = proveCandidates(
      network,
      flows,
      [
        { name: 'starved', plans: starved },
        { name: 'schedule', plans },
      ],
      { seed: 3, warmup: 300, horizon: 300 },
    );
    expect(scores.map((score) => score.name)).toEqual(['schedule', 'starved']);
    expect(scores[1]!.meanDelay).toBeGreaterThan(scores[0]!.meanDelay * 1.2);
  });

  it('gives the same scores for the same seed, and scores every candidate on the same vehicles', async () => {
    const { network, flows, plans } = await amPeak();
    const run = () =>
      proveCandidates(
        network,
        flows,
        [
          { name: 'a', plans },
          { name: 'b', plans },
        ],
        { seed: 5, warmup: 120, horizon: 300 },
      );
    const first = run();
    expect(first[0]!.meanDelay).toBe(first[1]!.meanDelay);
    expect(run()).toEqual(first);
    expect(first[0]!.meanDelay).toBeGreaterThan(0);
  });

  it('has nothing to score without candidates', async () => {
    const { network, flows } = await amPeak();
    expect(proveCandidates(network, flows, [], { seed: 1 })).toEqual([]);
  });
});
