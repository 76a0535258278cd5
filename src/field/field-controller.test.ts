// A field controller's answers: the controller-agent logic, a signal that cannot run the plan, faults.
import { beforeAll, describe, expect, it } from 'vitest';
import { isoTime } from '../controllers/actions.ts';
import { createControllerAgent } from '../controllers/controller-agent.ts';
import type { PlanCommandPayload } from '../controllers/payloads.ts';
import { planCommandPayload } from '../controllers/plan-payloads.ts';
import type { Signal } from '../network/types.ts';
import type { TimingPlan } from '../timing/types.ts';
import { loadDemoNetwork } from './field.fixture.ts';
import { answerCommand } from './field-controller.ts';

const NOW = Date.parse('2026-11-30T07:30:00.000Z');
let signal: Signal;
let command: PlanCommandPayload;
beforeAll(async () => {
  const { network } = await loadDemoNetwork();
  signal = network.getAttribute('signals')['JS-02']!;
  command = planCommandPayload(
    { ...signal.programs[0]!, id: 'am-peak' },
    { correlationId: 'engine:JS-02:v1', version: 1, expiresAt: isoTime(NOW + 60_000) },
  );
});

describe('answerCommand', () => {
  it('applies a new plan once, running it on the signal', () => {
    const ran: TimingPlan[] = [];
    const agent = createControllerAgent({ zone: 'zz', site: 'JS-02' });
    const first = answerCommand(agent, command, {
      now: NOW,
      signal,
      run: (plan) => ran.push(plan),
    })!;
    expect(first.result).toMatchObject({ status: 'applied', version: 1 });
    expect(ran.map((plan) => [plan.id, plan.signal])).toEqual([['am-peak', 'JS-02']]);
    // a redelivery is acknowledged without running the plan again
    const again = answerCommand(first.state, command, {
      now: NOW + 1,
      signal,
      run: (plan) => ran.push(plan),
    })!;
    expect(again.result.status).toBe('applied');
    expect(again.changed).toBe(false);
    expect(ran).toHaveLength(1);
  });

  it('refuses a plan the signal cannot run, and keeps its own', () => {
    const agent = createControllerAgent({ zone: 'zz', site: 'JS-02' });
    const receipt = answerCommand(agent, command, {
      now: NOW,
      signal,
      run: () => {
        throw new Error('setPlan: BAD_PLAN');
      },
    })!;
    expect(receipt.result).toMatchObject({ status: 'rejected', correlationId: 'engine:JS-02:v1' });
    expect(receipt.result.reason).toMatch(
      /^invalid-plan: the signal cannot run it: setPlan: BAD_PLAN/,
    );
    expect(receipt.state).toBe(agent);
    expect(receipt.actions.map((action) => action.topic)).toEqual([
      'tsc/zz/JS-02/result/tlc.plan.set',
    ]);
  });

  it('refuses every new plan when faulted reject, and says nothing when silent', () => {
    const agent = createControllerAgent({ zone: 'zz', site: 'JS-02' });
    const run = () => expect.unreachable('a refused plan is not run');
    const refused = answerCommand(agent, command, { now: NOW, signal, fault: 'reject', run })!;
    expect(refused.result.status).toBe('rejected');
    expect(refused.state.active).toBeUndefined();
    expect(
      answerCommand(agent, command, { now: NOW, signal, fault: 'silent', run }),
    ).toBeUndefined();
  });

  it('answers an expired command as the agent does, without running it', () => {
    const agent = createControllerAgent({ zone: 'zz', site: 'JS-02' });
    const run = () => expect.unreachable('an expired plan is not run');
    const receipt = answerCommand(agent, command, { now: NOW + 120_000, signal, run })!;
    expect(receipt.result.reason).toMatch(/^expired: /);
  });
});
