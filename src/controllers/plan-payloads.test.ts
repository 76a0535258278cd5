// Plan ⇄ payload conversions: lossless both ways, through JSON, for fixtures and arbitrary plans.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fourLegSignal, leadLeftPlan } from '../timing/four-leg.fixture.ts';
import type { Stage, TimingPlan } from '../timing/types.ts';
import { activePlanMessage, createControllerAgent, receiveCommand } from './controller-agent.ts';
import { at, publishes, zhengzhouSignals } from './controllers.fixture.ts';
import { createDeploymentState, deployPlan, onActivePlan } from './deployment.ts';
import { ActivePlanPayload, PlanCommandPayload, payloadParser } from './payloads.ts';
import {
  activePlanPayload,
  contentKey,
  contentOf,
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

const T_APPLIED = '2026-11-28T07:00:03.000Z';

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
    expect(plans.some((plan) => plan.actuated !== undefined)).toBe(true);
    for (const plan of plans) {
      expect(viaCommand(plan)).toStrictEqual(withoutOrigin(plan));
      const active = activePlanPayload(plan, { version: 2, appliedAt: '2026-11-28T07:00:03.000Z' });
      expect(payloadParser(ActivePlanPayload)(JSON.stringify(active)).ok).toBe(true);
      expect(planFromPayload(active, plan.signal, { origin: plan.origin })).toStrictEqual(plan);
    }
  });

  it('keeps maxGreen, unsignalled and actuated when present and adds none when absent', () => {
    const plan: TimingPlan = {
      ...leadLeftPlan(),
      unsignalled: ['7'],
      actuated: { passage: 3 },
      stages: leadLeftPlan().stages.map((stage) => ({ ...stage, maxGreen: stage.green + 10 })),
    };
    expect(viaCommand(plan)).toStrictEqual(withoutOrigin(plan));
    const bare = planCommandPayload(withoutOrigin(leadLeftPlan()), envelope);
    expect(bare).not.toHaveProperty('unsignalled');
    expect(bare).not.toHaveProperty('actuated');
    expect(bare.stages[0]).not.toHaveProperty('maxGreen');
    expect(planFromPayload(bare, 'J1')).not.toHaveProperty('actuated');
  });

  it('carries actuated through the command, the retained status and contentOf', () => {
    const plan: TimingPlan = { ...leadLeftPlan(), actuated: { passage: 2.5 } };
    const command = planCommandPayload(plan, envelope);
    expect(command.actuated).toEqual({ passage: 2.5 });
    expect(contentOf(command).actuated).toEqual({ passage: 2.5 });
    const active = activePlanPayload(plan, { version: 4, appliedAt: '2026-11-28T07:00:03.000Z' });
    const parsed = payloadParser(ActivePlanPayload)(JSON.stringify(active));
    expect(parsed).toMatchObject({ ok: true, value: { actuated: { passage: 2.5 } } });
    expect(planFromPayload(active, 'J1').actuated).toEqual({ passage: 2.5 });
  });

  it('carries free operation through the command, the retained status and contentOf', () => {
    const plan: TimingPlan = { ...leadLeftPlan(), actuated: { passage: 3, free: true } };
    expect(viaCommand(plan)).toStrictEqual(withoutOrigin(plan));
    const command = planCommandPayload(plan, envelope);
    expect(command.actuated).toEqual({ passage: 3, free: true });
    expect(contentOf(command).actuated).toEqual({ passage: 3, free: true });
    const active = activePlanPayload(plan, { version: 4, appliedAt: T_APPLIED });
    const parsed = payloadParser(ActivePlanPayload)(JSON.stringify(active));
    expect(parsed).toMatchObject({ ok: true, value: { actuated: { passage: 3, free: true } } });
    expect(planFromPayload(active, 'J1').actuated).toStrictEqual({ passage: 3, free: true });
  });

  it('writes a coordinated plan as before free existed, free: false as coordinated', () => {
    const coordinated: TimingPlan = { ...leadLeftPlan(), actuated: { passage: 3 } };
    const command = planCommandPayload(coordinated, envelope);
    expect(JSON.stringify(command)).toContain(',"actuated":{"passage":3},"version":4,');
    // The content key of this plan as it was recorded before free operation existed.
    expect(contentKey(planContent(coordinated))).toBe(
      '{"actuated":{"passage":3},"cycle":90,"offset":12,"offsetReference":"first-stage-green-start","planId":"am-peak","stages":[{"allRed":1,"green":10,"greens":{"1":"protected","3":"protected"},"id":"A","minGreen":5,"yellow":3},{"allRed":2,"green":30,"greens":{"0":"protected","1":"permissive","2":"protected","3":"permissive","6":"protected"},"id":"B","minGreen":10,"yellow":4},{"allRed":2,"green":34,"greens":{"4":"protected","5":"protected","7":"protected"},"id":"C","minGreen":10,"yellow":4}],"unsignalled":[]}',
    );
    const notFree: TimingPlan = { ...coordinated, actuated: { passage: 3, free: false } };
    expect(JSON.stringify(planCommandPayload(notFree, envelope))).toBe(JSON.stringify(command));
    expect(viaCommand(notFree).actuated).toStrictEqual({ passage: 3 });
  });

  it('shares no objects with the plan it came from', () => {
    const plan: TimingPlan = { ...leadLeftPlan(), actuated: { passage: 3 } };
    const command = planCommandPayload(plan, envelope);
    command.stages[0]!.greens['9'] = 'protected';
    command.actuated!.passage = 9;
    expect(plan.stages[0]!.greens).not.toHaveProperty('9');
    expect(plan.actuated).toEqual({ passage: 3 });
    const back = planFromPayload(command, 'J1');
    back.actuated!.passage = 1;
    expect(command.actuated).toEqual({ passage: 9 });
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
        actuated: fc.record(
          { passage: fc.double({ min: 0, max: 30, noNaN: true }), free: fc.constant(true) },
          { requiredKeys: ['passage'], noNullPrototype: true },
        ),
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

  it('tells an actuated plan from the same plan fixed, and one passage from another', () => {
    const actuated = planContent({ ...leadLeftPlan(), actuated: { passage: 3 } });
    expect(samePlanContent(content, actuated)).toBe(false);
    expect(samePlanContent(actuated, content)).toBe(false);
    expect(samePlanContent(actuated, { ...actuated, actuated: { passage: 4 } })).toBe(false);
    expect(samePlanContent(actuated, { ...actuated, actuated: { passage: 3 } })).toBe(true);
    expect(contentKey(actuated)).not.toBe(contentKey(content));
  });

  it('tells a free plan from the same plan coordinated or fixed, and free: false from neither', () => {
    const coordinated = planContent({ ...leadLeftPlan(), actuated: { passage: 3 } });
    const free = planContent({ ...leadLeftPlan(), actuated: { passage: 3, free: true } });
    expect(samePlanContent(free, coordinated)).toBe(false);
    expect(samePlanContent(coordinated, free)).toBe(false);
    expect(samePlanContent(free, content)).toBe(false);
    expect(contentKey(free)).not.toBe(contentKey(coordinated));
    expect(contentKey(free)).toContain('"free":true');
    expect(samePlanContent(free, { ...free, actuated: { passage: 3, free: true } })).toBe(true);
    const notFree = { ...coordinated, actuated: { passage: 3, free: false } };
    expect(samePlanContent(coordinated, notFree)).toBe(true);
    expect(contentKey(notFree)).toBe(contentKey(coordinated));
  });

  it('keeps the content key of a fixed-time plan as it was before actuation existed', () => {
    // Keys of fixed-time plans recorded before must still match: absent adds no key.
    expect(contentKey(content)).not.toContain('actuated');
    expect(samePlanContent(content, { ...content, actuated: undefined })).toBe(true);
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

describe('the plan payload schemas: actuated', () => {
  it('accept a passage in [0, 30] and refuse one outside, of another type, or with other fields', () => {
    const command = planCommandPayload(leadLeftPlan(), envelope);
    const parse = payloadParser(PlanCommandPayload);
    const withActuation = (actuated: unknown) => JSON.stringify({ ...command, actuated });
    for (const passage of [0, 3, 30]) expect(parse(withActuation({ passage })).ok).toBe(true);
    for (const bad of [{ passage: -1 }, { passage: 31 }, { passage: '3' }, {}, 3, null]) {
      expect(parse(withActuation(bad)).ok, JSON.stringify(bad)).toBe(false);
    }
    expect(parse(withActuation({ passage: 3, extension: 2 })).ok).toBe(false);
    const active = activePlanPayload(leadLeftPlan(), { version: 1, appliedAt: T_APPLIED });
    const parseActive = payloadParser(ActivePlanPayload);
    expect(parseActive(JSON.stringify({ ...active, actuated: { passage: 3 } })).ok).toBe(true);
    expect(parseActive(JSON.stringify({ ...active, actuated: { passage: 45 } })).ok).toBe(false);
  });

  it('accept free as true or false and refuse it of another type', () => {
    const command = planCommandPayload(leadLeftPlan(), envelope);
    const parse = payloadParser(PlanCommandPayload);
    const withFree = (free: unknown) =>
      JSON.stringify({ ...command, actuated: { passage: 3, free } });
    for (const free of [true, false]) expect(parse(withFree(free)).ok).toBe(true);
    for (const bad of ['yes', 1, null, 'true']) {
      expect(parse(withFree(bad)).ok, JSON.stringify(bad)).toBe(false);
    }
    expect(parse(JSON.stringify({ ...command, actuated: { free: true } })).ok).toBe(false);
  });
});

describe('an actuated plan, end to end', () => {
  const options = (seconds: number) => ({ now: at(seconds), signal: fourLegSignal(), zone: 'zz' });

  /** `plan` deployed, parsed as a controller parses it, applied, and its retained status seen. */
  function throughTheWire(plan: TimingPlan) {
    const sent = deployPlan(createDeploymentState(), 'J1', plan, options(0));
    expect(sent.outcome).toBe('sent');
    const command = payloadParser(PlanCommandPayload)(
      JSON.stringify(publishes(sent.actions)[0]?.payload),
    );
    if (!command.ok) throw new Error(command.reason);
    const agent = createControllerAgent({ zone: 'zz', site: 'J1' });
    const receipt = receiveCommand(agent, command.value, options(1));
    expect(receipt.result.status).toBe('applied');
    const status = payloadParser(ActivePlanPayload)(
      JSON.stringify(activePlanMessage(receipt.state)?.payload),
    );
    if (!status.ok) throw new Error(status.reason);
    expect(planFromPayload(status.value, 'J1')).toStrictEqual(withoutOrigin(plan));
    const seen = onActivePlan(sent.state, 'J1', status.value, at(2), { zone: 'zz' });
    return { command: command.value, seen: seen.state };
  }

  it('survives deploy → command → controller → retained status → the engine’s record', () => {
    const plan: TimingPlan = { ...leadLeftPlan(), actuated: { passage: 3 } };
    const { seen } = throughTheWire(plan);
    expect(seen.sites.J1?.active?.actuated).toEqual({ passage: 3 });
    // the engine sends the same plan again only when its actuation changes
    expect(deployPlan(seen, 'J1', plan, options(3)).outcome).toBe('unchanged');
    expect(deployPlan(seen, 'J1', leadLeftPlan(), options(3)).outcome).toBe('sent');
    const slower = { ...plan, actuated: { passage: 4 } };
    expect(deployPlan(seen, 'J1', slower, options(3)).outcome).toBe('sent');
    const free = { ...plan, actuated: { passage: 3, free: true } };
    expect(deployPlan(seen, 'J1', free, options(3)).outcome).toBe('sent');
  });

  it('runs free: the controller applies it and reports it free, and it is not sent again', () => {
    const plan: TimingPlan = { ...leadLeftPlan(), actuated: { passage: 3, free: true } };
    const { command, seen } = throughTheWire(plan);
    expect(command.actuated).toStrictEqual({ passage: 3, free: true });
    expect(deployPlan(seen, 'J1', plan, options(3)).outcome).toBe('unchanged');
    const coordinated = { ...plan, actuated: { passage: 3 } };
    expect(deployPlan(seen, 'J1', coordinated, options(3)).outcome).toBe('sent');
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
    const slow = planCommandPayload({ ...leadLeftPlan(), actuated: { passage: 31 } }, envelope);
    expect(payloadSchemaProblems(slow).join()).toMatch(/^\/actuated\/passage: /);
    for (const bad of [spaced, long, slow]) {
      expect(payloadParser(PlanCommandPayload)(JSON.stringify(bad)).ok).toBe(false);
    }
  });
});
