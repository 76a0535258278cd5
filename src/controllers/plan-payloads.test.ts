// Plan ⇄ payload conversions: lossless both ways, through JSON, for fixtures and arbitrary plans.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leadLeftPlan } from '../timing/four-leg.fixture.ts';
import type { Stage, TimingPlan } from '../timing/types.ts';
import { zhengzhouSignals } from './controllers.fixture.ts';
import { ActivePlanPayload, PlanCommandPayload, payloadParser } from './payloads.ts';
import {
  activePlanPayload,
  contentKey,
  payloadSchemaProblems,
  planCommandPayload,
  planContent,
  planFromPayload,
  samePlanContent,
} from './plan-payloads.ts';

const envelope = {
  correlationId: 'engine-1:J1:v4',
  version: 4,
  expiresAt: '2026-11-28T07:01:00.000Z',
  replyTo: 'tsc/zz/J1/result/tlc.plan.set',
};

function withoutOrigin(plan: TimingPlan): TimingPlan {
  const copy = { ...plan };
  delete copy.origin;
  return copy;
}

function validFixturePlans(): TimingPlan[] {
  const directory = new URL('../../fixtures/plans/valid/', import.meta.url);
  return readdirSync(directory).map(
    (name) =>
      (JSON.parse(readFileSync(new URL(name, directory), 'utf8')) as { plan: TimingPlan }).plan,
  );
}

/** Through JSON as on the wire, then back to a plan. */
function viaCommand(plan: TimingPlan): TimingPlan {
  const wire = JSON.parse(JSON.stringify(planCommandPayload(plan, envelope))) as PlanCommandPayload;
  return planFromPayload(wire, plan.signal);
}

describe('planCommandPayload / activePlanPayload / planFromPayload', () => {
  it('names cycleLength `cycle` and carries the envelope', () => {
    const command = planCommandPayload(leadLeftPlan(), envelope);
    expect(command).toMatchObject({ ...envelope, planId: 'am-peak', cycle: 90, offset: 12 });
    expect(command).not.toHaveProperty('cycleLength');
    expect(command).not.toHaveProperty('signal');
    expect(payloadParser(PlanCommandPayload)(JSON.stringify(command)).ok).toBe(true);
  });

  it('round-trips the four-leg plan, the valid fixtures and every Zhengzhou program', async () => {
    const zhengzhou = (await zhengzhouSignals()).flatMap((signal) => signal.programs);
    const plans = [leadLeftPlan(), ...validFixturePlans(), ...zhengzhou];
    expect(plans.length).toBeGreaterThan(10);
    expect(plans.some((plan) => plan.unsignalled !== undefined)).toBe(true);
    for (const plan of plans) {
      expect(viaCommand(plan)).toStrictEqual(withoutOrigin(plan));
      const active = activePlanPayload(plan, { version: 2, appliedAt: '2026-11-28T07:00:03.000Z' });
      expect(payloadParser(ActivePlanPayload)(JSON.stringify(active)).ok).toBe(true);
      expect(planFromPayload(active, plan.signal, { origin: plan.origin })).toStrictEqual(plan);
    }
  });

  it('keeps maxGreen and unsignalled when present and adds neither when absent', () => {
    const plan: TimingPlan = {
      ...leadLeftPlan(),
      unsignalled: ['7'],
      stages: leadLeftPlan().stages.map((stage) => ({ ...stage, maxGreen: stage.green + 10 })),
    };
    expect(viaCommand(plan)).toStrictEqual(withoutOrigin(plan));
    const bare = planCommandPayload(withoutOrigin(leadLeftPlan()), envelope);
    expect(bare).not.toHaveProperty('unsignalled');
    expect(bare.stages[0]).not.toHaveProperty('maxGreen');
  });

  it('shares no objects with the plan it came from', () => {
    const plan = leadLeftPlan();
    const command = planCommandPayload(plan, envelope);
    command.stages[0]!.greens['9'] = 'protected';
    expect(plan.stages[0]!.greens).not.toHaveProperty('9');
  });

  it('payload → plan → payload gives the payload back', () => {
    const command = planCommandPayload(leadLeftPlan(), envelope);
    const again = planCommandPayload(planFromPayload(command, 'J1'), envelope);
    expect(again).toStrictEqual(command);
  });

  it('round-trips arbitrary plan-shaped data', () => {
    const stage = fc.record(
      {
        id: fc.stringMatching(/^[A-Za-z0-9-]{1,8}$/),
        greens: fc.dictionary(
          fc.stringMatching(/^[0-9A-Z-]{1,4}$/),
          fc.constantFrom('protected' as const, 'permissive' as const),
          { noNullPrototype: true },
        ),
        green: fc.double({ min: 0, max: 200, noNaN: true }),
        yellow: fc.double({ min: 0, max: 6, noNaN: true }),
        allRed: fc.double({ min: 0, max: 6, noNaN: true }),
        minGreen: fc.double({ min: 0, max: 60, noNaN: true }),
        maxGreen: fc.double({ min: 0, max: 200, noNaN: true }),
      },
      {
        requiredKeys: ['id', 'greens', 'green', 'yellow', 'allRed', 'minGreen'],
        noNullPrototype: true,
      },
    );
    const plan = fc.record(
      {
        id: fc.stringMatching(/^[a-z0-9-]{1,16}$/),
        signal: fc.constant('S1'),
        cycleLength: fc.double({ min: 1, max: 600, noNaN: true }),
        offset: fc.double({ min: 0, max: 600, noNaN: true }),
        offsetReference: fc.constantFrom(
          'first-stage-green-start' as const,
          'first-stage-yellow-start' as const,
        ),
        stages: fc.array(stage, { minLength: 1, maxLength: 8 }),
        unsignalled: fc.array(fc.string({ minLength: 1, maxLength: 4 })),
      },
      {
        requiredKeys: ['id', 'signal', 'cycleLength', 'offset', 'offsetReference', 'stages'],
        noNullPrototype: true,
      },
    );
    fc.assert(
      fc.property(plan, (generated) => {
        const original = generated as TimingPlan;
        expect(viaCommand(original)).toStrictEqual(original);
      }),
    );
  });
});

describe('samePlanContent', () => {
  const content = planContent(leadLeftPlan());

  it('ignores key order, the order of unsignalled, and an empty unsignalled', () => {
    const reordered = {
      ...content,
      stages: content.stages.map((stage) => ({
        ...stage,
        greens: Object.fromEntries(Object.entries(stage.greens).reverse()) as Stage['greens'],
      })),
    };
    expect(samePlanContent(content, reordered)).toBe(true);
    expect(samePlanContent(content, { ...content, unsignalled: [] })).toBe(true);
    expect(
      samePlanContent(
        { ...content, unsignalled: ['6', '7'] },
        { ...content, unsignalled: ['7', '6'] },
      ),
    ).toBe(true);
    expect(contentKey(content)).toBe(contentKey(reordered));
  });

  it('sees a change of offset, cycle, plan id, a green or a green kind', () => {
    const stages = content.stages;
    const changed = [
      { ...content, offset: 13 },
      { ...content, cycle: 91 },
      { ...content, planId: 'pm-peak' },
      { ...content, stages: [{ ...stages[0]!, green: 11 }, ...stages.slice(1)] },
      {
        ...content,
        stages: [
          { ...stages[0]!, greens: { '1': 'permissive' as const, '3': 'protected' as const } },
          ...stages.slice(1),
        ],
      },
    ];
    for (const other of changed) expect(samePlanContent(content, other)).toBe(false);
  });

  it('does not count version, correlation or times as content', () => {
    const a = planCommandPayload(leadLeftPlan(), envelope);
    const b = activePlanPayload(leadLeftPlan(), {
      version: 9,
      appliedAt: '2026-11-28T08:00:00.000Z',
    });
    expect(samePlanContent(a, b)).toBe(true);
  });
});

describe('payloadSchemaProblems', () => {
  it('finds nothing in a good command and names what a controller parser would refuse', () => {
    const good = planCommandPayload(leadLeftPlan(), envelope);
    expect(payloadSchemaProblems(good)).toEqual([]);
    const spaced = planCommandPayload({ ...leadLeftPlan(), id: 'am peak' }, envelope);
    expect(payloadSchemaProblems(spaced).join()).toMatch(/planId/);
    const long = planCommandPayload({ ...leadLeftPlan(), cycleLength: 700 }, envelope);
    expect(payloadSchemaProblems(long).join()).toMatch(/cycle/);
    for (const bad of [spaced, long]) {
      expect(payloadParser(PlanCommandPayload)(JSON.stringify(bad)).ok).toBe(false);
    }
  });
});
