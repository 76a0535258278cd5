// The controller side: apply once, re-acknowledge duplicates, refuse stale, expired and invalid plans.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../network/types.ts';
import { fourLegSignal, leadLeftPlan } from '../timing/four-leg.fixture.ts';
import type { TimingPlan } from '../timing/types.ts';
import { isValidPlan, type ValidatePlanOptions } from '../timing/validate.ts';
import { isoTime } from './actions.ts';
import {
  activePlanMessage,
  createControllerAgent,
  presenceMessage,
  receiveCommand,
  rejectionCode,
  runningPlan,
  type ControllerAgentState,
} from './controller-agent.ts';
import { at, leadLeftWithOffset, T0 } from './controllers.fixture.ts';
import { PlanCommandPayload, payloadParser } from './payloads.ts';
import { planCommandPayload, planFromPayload } from './plan-payloads.ts';

const signal = fourLegSignal();
const fresh = () => createControllerAgent({ zone: 'zz', site: 'J1' });

function command(plan: TimingPlan, version: number, expiresInSeconds = 60): PlanCommandPayload {
  return planCommandPayload(plan, {
    correlationId: `engine-1:J1:v${version}`,
    version,
    expiresAt: isoTime(T0 + expiresInSeconds * 1000),
    replyTo: 'tsc/zz/J1/result/tlc.plan.set',
  });
}

/** An agent running `leadLeftPlan()` as v3. */
function runningV3(): ControllerAgentState {
  return receiveCommand(fresh(), command(leadLeftPlan(), 3), { now: T0, signal }).state;
}

describe('receiveCommand', () => {
  it('applies a new valid plan: result applied, retained status published', () => {
    const receipt = receiveCommand(fresh(), command(leadLeftPlan(), 1), { now: at(1), signal });
    expect(receipt.result).toEqual({
      correlationId: 'engine-1:J1:v1',
      status: 'applied',
      planId: 'am-peak',
      version: 1,
    });
    expect(receipt.changed).toBe(true);
    expect(receipt.activePlan).toMatchObject({
      version: 1,
      appliedAt: '2026-11-28T07:00:01.000Z',
      cycle: 90,
    });
    expect(receipt.actions).toMatchObject([
      { topic: 'tsc/zz/J1/result/tlc.plan.set', qos: 1, retain: false, payload: receipt.result },
      { topic: 'tsc/zz/J1/status/tlc.plan', qos: 1, retain: true, payload: receipt.activePlan },
    ]);
    const expected = leadLeftPlan();
    delete expected.origin;
    expect(runningPlan(receipt.state, 'J1')).toStrictEqual(expected);
  });

  it('re-acknowledges a duplicate of the running version without touching the plan', () => {
    const running = runningV3();
    const again = receiveCommand(running, command(leadLeftPlan(), 3), { now: at(30), signal });
    expect(again.result).toMatchObject({ correlationId: 'engine-1:J1:v3', status: 'applied' });
    expect(again.changed).toBe(false);
    expect(again.state).toStrictEqual(running);
    expect(again.actions).toHaveLength(1);
  });

  it('acknowledges a duplicate even after the command expired (the plan does run)', () => {
    const late = receiveCommand(runningV3(), command(leadLeftPlan(), 3), { now: at(3600), signal });
    expect(late.result.status).toBe('applied');
  });

  it('rejects an older version, or the same version with another plan, as stale-version', () => {
    const running = runningV3();
    for (const stale of [command(leadLeftWithOffset(40), 2), command(leadLeftWithOffset(40), 3)]) {
      const receipt = receiveCommand(running, stale, { now: at(1), signal });
      expect(receipt.result.status).toBe('rejected');
      expect(rejectionCode(receipt.result.reason)).toBe('stale-version');
      expect(receipt.state).toStrictEqual(running);
      expect(receipt.actions).toHaveLength(1);
    }
  });

  it('rejects an expired command (expiresAt ≤ now) and keeps the previous plan', () => {
    const running = runningV3();
    const expiring = command(leadLeftWithOffset(40), 4, 10);
    const atExpiry = receiveCommand(running, expiring, { now: at(10), signal });
    expect(rejectionCode(atExpiry.result.reason)).toBe('expired');
    expect(atExpiry.state).toStrictEqual(running);
    expect(receiveCommand(running, expiring, { now: at(9.999), signal }).result.status).toBe(
      'applied',
    );
  });

  it('rejects a plan that fails validation against its own signal, naming the codes', () => {
    const running = runningV3();
    const plan = leadLeftPlan();
    const short = {
      ...plan,
      stages: [{ ...plan.stages[0]!, green: 2, allRed: 9 }, ...plan.stages.slice(1)],
    };
    const receipt = receiveCommand(running, command(short, 4), { now: at(1), signal });
    expect(receipt.result.status).toBe('rejected');
    expect(rejectionCode(receipt.result.reason)).toBe('invalid-plan');
    expect(receipt.result.reason).toContain('GREEN_BELOW_MINIMUM');
    expect(receipt.state).toStrictEqual(running);
    expect(receipt.activePlan?.version).toBe(3);
  });

  it('validates against the controller’s signal, not the engine’s idea of it', () => {
    const stricter: Signal = {
      ...signal,
      signalGroups: signal.signalGroups.map((group) =>
        group.id === '4' ? { ...group, minGreen: 40 } : group,
      ),
    };
    const receipt = receiveCommand(fresh(), command(leadLeftPlan(), 1), {
      now: at(1),
      signal: stricter,
    });
    expect(receipt.result.reason).toMatch(/^invalid-plan: GREEN_BELOW_MINIMUM/);
    expect(receipt.state.active).toBeUndefined();
  });

  it('refuses every invalid plan fixture, or the fixture never passes the payload schema', () => {
    const directory = new URL('../../fixtures/plans/invalid/', import.meta.url);
    const parse = payloadParser(PlanCommandPayload);
    let refusedByAgent = 0;
    for (const name of readdirSync(directory)) {
      const fixture = JSON.parse(readFileSync(new URL(name, directory), 'utf8')) as {
        expectedCode: string;
        signal: Signal;
        plan: TimingPlan;
        options?: ValidatePlanOptions;
      };
      if (!Array.isArray(fixture.plan.stages) || fixture.plan.signal !== fixture.signal.id)
        continue;
      const parsed = parse(JSON.stringify(command(fixture.plan, 1)));
      if (!parsed.ok) continue;
      const receipt = receiveCommand(fresh(), parsed.value, {
        now: at(1),
        signal: fixture.signal,
        ...(fixture.options ? { validation: fixture.options } : {}),
      });
      expect(receipt.result.reason, name).toContain(fixture.expectedCode);
      expect(receipt.state.active).toBeUndefined();
      refusedByAgent++;
    }
    expect(refusedByAgent).toBeGreaterThan(8);
  });

  it('answers on replyTo only when it is one of the site’s own result topics', () => {
    const elsewhere = {
      ...command(leadLeftPlan(), 1),
      replyTo: 'tsc/zz/engine/result/tlc.plan.set',
    };
    expect(receiveCommand(fresh(), elsewhere, { now: at(1), signal }).resultTopic).toBe(
      'tsc/zz/J1/result/tlc.plan.set',
    );
    const own = { ...command(leadLeftPlan(), 1), replyTo: 'tsc/zz/J1/result/plan.answers' };
    expect(receiveCommand(fresh(), own, { now: at(1), signal }).resultTopic).toBe(own.replyTo);
    for (const replyTo of [
      'tsc/zz/J1/status/tlc.plan',
      'tsc/zz/J1/result/a/b',
      'tsc/zz/J1/result/#',
    ]) {
      const odd = { ...command(leadLeftPlan(), 1), replyTo };
      expect(receiveCommand(fresh(), odd, { now: at(1), signal }).resultTopic).toBe(
        'tsc/zz/J1/result/tlc.plan.set',
      );
    }
  });
});

describe('the agent’s other messages', () => {
  it('presence and retained status', () => {
    expect(presenceMessage(fresh(), 'online', T0)).toEqual({
      type: 'publish',
      topic: 'tsc/zz/J1/presence',
      payload: { state: 'online', ts: '2026-11-28T07:00:00.000Z' },
      qos: 1,
      retain: true,
    });
    expect(activePlanMessage(fresh())).toBeUndefined();
    expect(activePlanMessage(runningV3())).toMatchObject({
      topic: 'tsc/zz/J1/status/tlc.plan',
      retain: true,
    });
  });

  it('rejectionCode reads only its own codes', () => {
    expect(rejectionCode('expired: …')).toBe('expired');
    expect(rejectionCode('too busy')).toBeUndefined();
    expect(rejectionCode(undefined)).toBeUndefined();
  });
});

describe('receiveCommand: invariants', () => {
  /** Commands built from the valid plan with random changes, many of them breaking it. */
  const commands = fc
    .record({
      version: fc.integer({ min: 1, max: 8 }),
      offset: fc.integer({ min: -5, max: 95 }),
      greenA: fc.integer({ min: 0, max: 20 }),
      cycleDelta: fc.constantFrom(0, 0, 0, -2, 3),
      expiresIn: fc.integer({ min: -10, max: 60 }),
    })
    .map(({ version, offset, greenA, cycleDelta, expiresIn }) => {
      const plan = leadLeftPlan();
      const changed: TimingPlan = {
        ...plan,
        offset: Math.max(0, offset),
        cycleLength: plan.cycleLength - 10 + greenA + cycleDelta,
        stages: [{ ...plan.stages[0]!, green: greenA }, ...plan.stages.slice(1)],
      };
      return command(changed, version, expiresIn);
    });

  it('never runs an invalid plan, never goes back a version, and duplicates change nothing', () => {
    let applied = 0;
    fc.assert(
      fc.property(fc.array(commands, { maxLength: 30 }), fc.nat(20), (sequence, second) => {
        let agent = fresh();
        for (const payload of sequence) {
          const options = { now: at(second), signal };
          const once = receiveCommand(agent, payload, options);
          const twice = receiveCommand(once.state, payload, options);
          expect(twice.state).toStrictEqual(once.state);
          if (once.result.status === 'applied') expect(twice.result.status).toBe('applied');
          else expect(twice.result).toStrictEqual(once.result);
          const before = agent.active?.version ?? 0;
          agent = once.state;
          const after = agent.active?.version ?? 0;
          expect(after).toBeGreaterThanOrEqual(before);
          expect(once.changed).toBe(after > before);
          if (once.changed) applied++;
          if (agent.active) {
            expect(isValidPlan(planFromPayload(agent.active, 'J1'), signal)).toBe(true);
          }
        }
      }),
    );
    expect(applied).toBeGreaterThan(20);
  });
});
