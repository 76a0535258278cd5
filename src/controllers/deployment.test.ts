// Engine-side deployment, one behaviour at a time: send, refuse, answer, retry, presence, restart.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../network/types.ts';
import { fourLegSignal, leadLeftPlan } from '../timing/four-leg.fixture.ts';
import type { TimingPlan } from '../timing/types.ts';
import type { ValidatePlanOptions } from '../timing/validate.ts';
import { alarms, at, leadLeftWithOffset, logs, publishes, T0 } from './controllers.fixture.ts';
import {
  createDeploymentState,
  DeploymentError,
  deployPlan,
  HISTORY_LENGTH,
  nextDeadline,
  onActivePlan,
  onPresence,
  onResult,
  retryDelaySeconds,
  DEFAULT_RETRY,
  tick,
  type DeploymentState,
  type DeployPlanOptions,
} from './deployment.ts';
import { PlanCommandPayload, payloadParser } from './payloads.ts';
import { activePlanPayload } from './plan-payloads.ts';

const options = (now: number, extra: Partial<DeployPlanOptions> = {}): DeployPlanOptions => ({
  now,
  signal: fourLegSignal(),
  zone: 'zz',
  engineId: 'engine-1',
  ...extra,
});

/** A state where J1 runs `leadLeftPlan()` as v1. */
function runningV1(): DeploymentState {
  const sent = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0));
  return onResult(sent.state, 'J1', { correlationId: 'engine-1:J1:v1', status: 'applied' }, at(1))
    .state;
}

describe('deployPlan', () => {
  it('sends a valid plan as version 1 with correlation, expiry and reply topic', () => {
    const { state, actions, outcome } = deployPlan(
      createDeploymentState(),
      'J1',
      leadLeftPlan(),
      options(T0),
    );
    expect(outcome).toBe('sent');
    const [publish, ...others] = publishes(actions);
    expect(others).toEqual([]);
    expect(publish).toMatchObject({
      topic: 'tsc/zz/J1/command/tlc.plan.set',
      qos: 1,
      retain: false,
      expirySeconds: 60,
      responseTopic: 'tsc/zz/J1/result/tlc.plan.set',
      correlationId: 'engine-1:J1:v1',
      payload: {
        correlationId: 'engine-1:J1:v1',
        planId: 'am-peak',
        version: 1,
        cycle: 90,
        offset: 12,
        expiresAt: '2026-11-28T07:01:00.000Z',
        replyTo: 'tsc/zz/J1/result/tlc.plan.set',
      },
    });
    expect(payloadParser(PlanCommandPayload)(JSON.stringify(publish!.payload)).ok).toBe(true);
    expect(state.sites.J1).toMatchObject({
      zone: 'zz',
      lastVersion: 1,
      pending: { version: 1, attempts: 1, nextAttemptAt: '2026-11-28T07:00:05.000Z' },
    });
  });

  it('repeats itself: the same calls give the same correlation ids', () => {
    const run = () => deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0));
    expect(run()).toStrictEqual(run());
  });

  it('never sends an invalid plan: each invalid fixture raises plan.invalid with its code', () => {
    const directory = new URL('../../fixtures/plans/invalid/', import.meta.url);
    const fixtures = readdirSync(directory).map(
      (name) =>
        JSON.parse(readFileSync(new URL(name, directory), 'utf8')) as {
          expectedCode: string;
          signal: Signal;
          plan: TimingPlan;
          options?: ValidatePlanOptions;
        },
    );
    expect(fixtures.length).toBeGreaterThan(10);
    for (const fixture of fixtures) {
      const step = deployPlan(createDeploymentState(), 'J1', fixture.plan, {
        ...options(T0, { signal: fixture.signal }),
        ...(fixture.options ? { validation: fixture.options } : {}),
      });
      expect(step.outcome).toBe('invalid');
      expect(publishes(step.actions)).toEqual([]);
      const [alarm] = alarms(step.actions);
      expect(alarm).toMatchObject({ code: 'plan.invalid', site: 'J1', zone: 'zz', active: true });
      expect(alarm?.values?.problems).toContain(fixture.expectedCode);
      expect(step.state.sites.J1?.lastVersion).toBe(0);
      expect(step.state.sites.J1?.pending).toBeUndefined();
    }
  });

  it('refuses a plan whose command a controller could not parse (COMMAND_SCHEMA)', () => {
    const plan = { ...leadLeftPlan(), id: 'am peak' };
    const step = deployPlan(createDeploymentState(), 'J1', plan, options(T0));
    expect(step.outcome).toBe('invalid');
    expect(alarms(step.actions)[0]?.values?.problems).toEqual(['COMMAND_SCHEMA']);
    expect(publishes(step.actions)).toEqual([]);
  });

  it('clears plan.invalid once a valid plan is deployed', () => {
    const bad = { ...leadLeftPlan(), offset: 90 };
    const refused = deployPlan(createDeploymentState(), 'J1', bad, options(T0));
    expect(refused.state.sites.J1?.alarms).toEqual(['plan.invalid']);
    const sent = deployPlan(refused.state, 'J1', leadLeftPlan(), options(at(1)));
    expect(alarms(sent.actions)).toMatchObject([{ code: 'plan.invalid', active: false }]);
    expect(sent.state.sites.J1?.alarms).toEqual([]);
    expect(sent.state.sites.J1?.pending?.version).toBe(1);
  });

  it('does not send again a plan that is pending or running, unless forced', () => {
    const first = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0));
    const again = deployPlan(first.state, 'J1', leadLeftPlan(), options(at(1)));
    expect(again.outcome).toBe('unchanged');
    expect(publishes(again.actions)).toEqual([]);
    expect(again.state).toStrictEqual(first.state);

    const running = runningV1();
    expect(deployPlan(running, 'J1', leadLeftPlan(), options(at(2))).outcome).toBe('unchanged');
    const forced = deployPlan(running, 'J1', leadLeftPlan(), options(at(2), { force: true }));
    expect(forced.outcome).toBe('sent');
    expect(publishes(forced.actions)[0]?.payload).toMatchObject({ version: 2 });
  });

  it('replaces a pending command by a newer plan with the next version', () => {
    const first = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0));
    const second = deployPlan(first.state, 'J1', leadLeftWithOffset(40), options(at(1)));
    expect(second.outcome).toBe('sent');
    expect(publishes(second.actions)[0]).toMatchObject({
      correlationId: 'engine-1:J1:v2',
      payload: { version: 2, offset: 40 },
    });
    expect(second.state.sites.J1?.history).toMatchObject([
      { version: 1, outcome: 'superseded', attempts: 1 },
    ]);
    // the late answer to v1 is not v2's answer
    const late = onResult(
      second.state,
      'J1',
      { correlationId: 'engine-1:J1:v1', status: 'applied' },
      at(2),
    );
    expect(late.state).toStrictEqual(second.state);
    expect(logs(late.actions)[0]?.message).toMatch(/superseded/);
  });

  it('gives up a pending command past its expiry, so the same plan is sent anew (timer fired late)', () => {
    const first = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0));
    const late = deployPlan(first.state, 'J1', leadLeftPlan(), options(at(61)));
    expect(late.outcome).toBe('sent');
    expect(alarms(late.actions)).toMatchObject([{ code: 'plan.no-answer', active: true }]);
    expect(publishes(late.actions)[0]?.payload).toMatchObject({ version: 2 });
    expect(late.state.sites.J1?.history).toMatchObject([{ version: 1, outcome: 'no-answer' }]);
  });

  it('throws coded errors for a bad time, site or option', () => {
    const state = createDeploymentState();
    const call =
      (extra: Partial<DeployPlanOptions>, site = 'J1') =>
      () =>
        deployPlan(state, site, leadLeftPlan(), { ...options(T0), ...extra });
    expect(call({ now: Number.NaN })).toThrow(expect.objectContaining({ code: 'INVALID_TIME' }));
    expect(call({}, 'zz/J1')).toThrow(expect.objectContaining({ code: 'INVALID_SITE' }));
    expect(call({ expirySeconds: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(call({ retry: { backoffFactor: 0.5 } })).toThrow(DeploymentError);
    expect(call({ engineId: 'engine 1' })).toThrow(/^deployPlan: engineId/);
  });
});

describe('onResult', () => {
  it('applied: the plan becomes active, the command is done, the history says so', () => {
    const state = runningV1();
    expect(state.sites.J1?.pending).toBeUndefined();
    expect(state.sites.J1?.active).toMatchObject({
      planId: 'am-peak',
      version: 1,
      appliedAt: '2026-11-28T07:00:01.000Z',
      cycle: 90,
    });
    expect(state.sites.J1?.history).toMatchObject([
      { version: 1, outcome: 'applied', attempts: 1 },
    ]);
  });

  it('rejected: alarm with the reason, the previous plan stays active, no retry, not sent again', () => {
    const sent = deployPlan(runningV1(), 'J1', leadLeftWithOffset(40), options(at(10)));
    const reason = 'invalid-plan: GREEN_BELOW_MINIMUM; …';
    const { state, actions } = onResult(
      sent.state,
      'J1',
      { correlationId: 'engine-1:J1:v2', status: 'rejected', reason },
      at(11),
    );
    expect(alarms(actions)).toMatchObject([
      { code: 'plan.rejected', site: 'J1', active: true, values: { version: 2 } },
    ]);
    expect(alarms(actions)[0]?.reason).toContain(reason);
    expect(state.sites.J1?.active?.version).toBe(1);
    expect(state.sites.J1?.active?.offset).toBe(12);
    expect(state.sites.J1?.pending).toBeUndefined();
    expect(state.sites.J1?.history.at(-1)).toMatchObject({ outcome: 'rejected', reason });
    expect(tick(state, at(200)).actions).toEqual([]);

    const again = deployPlan(state, 'J1', leadLeftWithOffset(40), options(at(12)));
    expect(again.outcome).toBe('previously-rejected');
    expect(publishes(again.actions)).toEqual([]);

    const other = deployPlan(state, 'J1', leadLeftWithOffset(41), options(at(12)));
    expect(other.outcome).toBe('sent');
    const fixed = onResult(
      other.state,
      'J1',
      { correlationId: 'engine-1:J1:v3', status: 'applied' },
      at(13),
    );
    expect(alarms(fixed.actions)).toMatchObject([{ code: 'plan.rejected', active: false }]);
    expect(fixed.state.sites.J1?.alarms).toEqual([]);
  });

  it('an expired or stale-version refusal does not stop the same plan being sent again', () => {
    for (const reason of ['expired: expiresAt … is not after …', 'stale-version: runs v9, …']) {
      const sent = deployPlan(runningV1(), 'J1', leadLeftWithOffset(40), options(at(10)));
      const refused = onResult(
        sent.state,
        'J1',
        { correlationId: 'engine-1:J1:v2', status: 'rejected', reason },
        at(11),
      );
      expect(alarms(refused.actions)).toMatchObject([{ code: 'plan.rejected' }]);
      const again = deployPlan(refused.state, 'J1', leadLeftWithOffset(40), options(at(12)));
      expect(again.outcome).toBe('sent');
      expect(publishes(again.actions)[0]?.payload).toMatchObject({ version: 3 });
    }
  });

  it('a second rejection raises the alarm again with its own reason', () => {
    let state = runningV1();
    for (const [index, offset] of [40, 41].entries()) {
      state = deployPlan(state, 'J1', leadLeftWithOffset(offset), options(at(10 + index))).state;
      const version = state.sites.J1!.pending!.version;
      const step = onResult(
        state,
        'J1',
        { correlationId: `engine-1:J1:v${version}`, status: 'rejected', reason: `no ${offset}` },
        at(10 + index),
      );
      expect(alarms(step.actions)).toMatchObject([
        { code: 'plan.rejected', reason: expect.stringContaining(`no ${offset}`) },
      ]);
      state = step.state;
    }
  });

  it('logs and ignores unknown correlation ids, unknown sites and repeated results', () => {
    const sent = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0));
    for (const [site, correlationId] of [
      ['J1', 'engine-1:J1:v9'],
      ['J1', 'engine-2:J1:v1'],
      ['J9', 'engine-1:J1:v1'],
    ] as const) {
      const step = onResult(sent.state, site, { correlationId, status: 'applied' }, at(1));
      expect(step.state).toStrictEqual(sent.state);
      expect(step.actions).toMatchObject([{ type: 'log', level: 'warn' }]);
    }
    const done = runningV1();
    const repeated = onResult(
      done,
      'J1',
      { correlationId: 'engine-1:J1:v1', status: 'applied' },
      at(3),
    );
    expect(repeated.state).toStrictEqual(done);
    expect(repeated.actions).toMatchObject([{ type: 'log', level: 'info' }]);
  });
});

describe('tick: retries with backoff, then gives up', () => {
  it('sends the same command at 5, 15, 35 s and gives up at its 60 s expiry', () => {
    let state = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0)).state;
    const command = state.sites.J1?.pending?.command;
    const sentAt: number[] = [];
    const alarmed: string[] = [];
    for (let second = 1; second <= 80; second++) {
      const step = tick(state, at(second));
      state = step.state;
      for (const publish of publishes(step.actions)) {
        expect(publish.payload).toStrictEqual(command);
        expect(publish.correlationId).toBe('engine-1:J1:v1');
        sentAt.push(second);
      }
      alarmed.push(...alarms(step.actions).map((alarm) => `${second}:${alarm.code}`));
    }
    expect(sentAt).toEqual([5, 15, 35]);
    expect(alarmed).toEqual(['60:plan.no-answer']);
    expect(state.sites.J1?.pending).toBeUndefined();
    expect(state.sites.J1?.history).toMatchObject([{ outcome: 'no-answer', attempts: 4 }]);
    expect(state.sites.J1?.alarms).toEqual(['plan.no-answer']);
  });

  it('gives the remaining life as the MQTT expiry of each retry', () => {
    const state = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0)).state;
    expect(publishes(tick(state, at(5)).actions)[0]?.expirySeconds).toBe(55);
  });

  it('with a long expiry, gives up after the last attempt and its wait', () => {
    const retry = { maxAttempts: 3 };
    let state = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), {
      ...options(T0),
      expirySeconds: 3600,
      retry,
    }).state;
    const events: string[] = [];
    for (let second = 1; second <= 100; second++) {
      const step = tick(state, at(second), { retry });
      state = step.state;
      events.push(...publishes(step.actions).map(() => `${second}:publish`));
      events.push(...alarms(step.actions).map((alarm) => `${second}:${alarm.code}`));
    }
    // publishes at 0, 5, 15; the third one's wait (20 s) ends at 35
    expect(events).toEqual(['5:publish', '15:publish', '35:plan.no-answer']);
  });

  it('computes the backoff 5, 10, 20, 30 s, capped', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelaySeconds(n, DEFAULT_RETRY))).toEqual([
      5, 10, 20, 30, 30, 30,
    ]);
  });

  it('nextDeadline names the next retry or expiry', () => {
    expect(nextDeadline(createDeploymentState())).toBeUndefined();
    const state = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0)).state;
    expect(nextDeadline(state)).toBe(at(5));
    const away = onPresence(state, 'J1', { state: 'offline', ts: '2026-11-28T07:00:01Z' }, at(1));
    expect(nextDeadline(away.state)).toBe(at(60));
  });

  it('a plan.no-answer clears when a later plan is applied', () => {
    let state = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0)).state;
    state = tick(state, at(61)).state;
    expect(state.sites.J1?.alarms).toEqual(['plan.no-answer']);
    state = deployPlan(state, 'J1', leadLeftPlan(), options(at(70))).state;
    const applied = onResult(
      state,
      'J1',
      { correlationId: 'engine-1:J1:v2', status: 'applied' },
      at(71),
    );
    expect(alarms(applied.actions)).toMatchObject([{ code: 'plan.no-answer', active: false }]);
  });
});

describe('presence', () => {
  const offline = { state: 'offline' as const, ts: '2026-11-28T06:00:00Z' };
  const online = { state: 'online' as const, ts: '2026-11-28T07:00:20Z' };

  it('offline raises controller.offline once, pauses retries; online resends at once', () => {
    let state = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0)).state;
    const down = onPresence(state, 'J1', offline, at(2), { zone: 'zz' });
    expect(alarms(down.actions)).toMatchObject([
      { code: 'controller.offline', active: true, zone: 'zz' },
    ]);
    expect(onPresence(down.state, 'J1', offline, at(3)).actions).toEqual([]);
    state = down.state;
    for (let second = 3; second <= 20; second++) {
      const step = tick(state, at(second));
      expect(step.actions).toEqual([]);
      state = step.state;
    }
    const up = onPresence(state, 'J1', online, at(20));
    expect(alarms(up.actions)).toMatchObject([{ code: 'controller.offline', active: false }]);
    expect(publishes(up.actions)).toMatchObject([
      { correlationId: 'engine-1:J1:v1', payload: { version: 1 }, expirySeconds: 40 },
    ]);
    expect(up.state.sites.J1?.pending?.attempts).toBe(2);
    expect(up.state.sites.J1?.presence).toEqual({
      state: 'online',
      since: '2026-11-28T07:00:20.000Z',
    });
  });

  it('a command deployed while the controller is away is held, then sent on return', () => {
    const away = onPresence(
      createDeploymentState(),
      'J1',
      { state: 'shutdown', ts: online.ts },
      T0,
    ).state;
    const held = deployPlan(away, 'J1', leadLeftPlan(), options(at(1)));
    expect(held.outcome).toBe('held');
    expect(publishes(held.actions)).toEqual([]);
    expect(held.state.sites.J1?.pending?.attempts).toBe(0);
    const up = onPresence(held.state, 'J1', online, at(10));
    expect(publishes(up.actions)).toMatchObject([{ payload: { version: 1 } }]);
  });

  it('a command that expires while the controller is away is given up, not sent', () => {
    const state = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0)).state;
    const down = onPresence(state, 'J1', offline, at(1)).state;
    const up = onPresence(down, 'J1', online, at(61));
    expect(publishes(up.actions)).toEqual([]);
    expect(alarms(up.actions).map((alarm) => alarm.code)).toEqual([
      'controller.offline',
      'plan.no-answer',
    ]);
    expect(up.state.sites.J1?.pending).toBeUndefined();
    // tick finds it too, while the controller is still away
    const ticked = tick(down, at(60));
    expect(alarms(ticked.actions)).toMatchObject([
      { code: 'plan.no-answer', reason: expect.stringContaining('away') },
    ]);
  });
});

describe('onActivePlan: what the controller runs', () => {
  const appliedAt = '2026-11-28T06:30:00.000Z';

  it('after an engine restart with no state, learns the plan and never reuses its version', () => {
    const reported = activePlanPayload(leadLeftPlan(), { version: 7, appliedAt });
    const learned = onActivePlan(createDeploymentState(), 'J1', reported, T0, { zone: 'zz' });
    expect(learned.state.sites.J1).toMatchObject({ lastVersion: 7, active: reported, zone: 'zz' });
    expect(logs(learned.actions)).toMatchObject([{ level: 'info' }]);
    expect(deployPlan(learned.state, 'J1', leadLeftPlan(), options(at(1))).outcome).toBe(
      'unchanged',
    );
    const next = deployPlan(learned.state, 'J1', leadLeftWithOffset(30), options(at(1)));
    expect(publishes(next.actions)[0]?.payload).toMatchObject({ version: 8 });
  });

  it('logs a mismatch with what the engine believed and takes the controller’s word', () => {
    const reported = activePlanPayload(leadLeftWithOffset(50, 'manual'), { version: 1, appliedAt });
    const step = onActivePlan(runningV1(), 'J1', reported, at(5));
    expect(logs(step.actions)).toMatchObject([
      { level: 'warn', fields: { believedPlanId: 'am-peak', planId: 'manual' } },
    ]);
    expect(step.state.sites.J1?.active).toStrictEqual(reported);
    const confirmed = onActivePlan(step.state, 'J1', reported, at(6));
    expect(logs(confirmed.actions)).toMatchObject([{ level: 'debug' }]);
  });

  it('counts the pending plan in the status as applied (a lost result)', () => {
    const sent = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0));
    const status = activePlanPayload(leadLeftPlan(), {
      version: 1,
      appliedAt: '2026-11-28T07:00:01.000Z',
    });
    const { state } = onActivePlan(sent.state, 'J1', status, at(2));
    expect(state.sites.J1?.pending).toBeUndefined();
    expect(state.sites.J1?.active).toStrictEqual(status);
    expect(state.sites.J1?.history).toMatchObject([{ outcome: 'applied' }]);
    expect(tick(state, at(10)).actions).toEqual([]);
  });

  it('drops a pending command the controller has overtaken with a newer version', () => {
    const sent = deployPlan(createDeploymentState(), 'J1', leadLeftPlan(), options(T0));
    const newer = activePlanPayload(leadLeftWithOffset(3, 'other'), { version: 5, appliedAt });
    const { state } = onActivePlan(sent.state, 'J1', newer, at(2));
    expect(state.sites.J1).toMatchObject({ lastVersion: 5, active: newer });
    expect(state.sites.J1?.pending).toBeUndefined();
    expect(state.sites.J1?.history).toMatchObject([{ version: 1, outcome: 'overtaken' }]);
  });

  it('keeps the pending command when the status is older', () => {
    const sent = deployPlan(runningV1(), 'J1', leadLeftWithOffset(40), options(at(5)));
    const old = activePlanPayload(leadLeftPlan(), { version: 1, appliedAt });
    const { state } = onActivePlan(sent.state, 'J1', old, at(6));
    expect(state.sites.J1?.pending?.version).toBe(2);
  });
});

describe('the state is plain JSON', () => {
  it('survives JSON and carries on identically (an engine restart)', () => {
    let state = deployPlan(runningV1(), 'J1', leadLeftWithOffset(40), options(at(10))).state;
    state = onPresence(state, 'J2', { state: 'offline', ts: '2026-11-28T07:00:00Z' }, at(11)).state;
    const restored = JSON.parse(JSON.stringify(state)) as DeploymentState;
    expect(restored).toStrictEqual(state);
    expect(tick(restored, at(15))).toStrictEqual(tick(state, at(15)));
    const next = (from: DeploymentState) =>
      deployPlan(from, 'J1', leadLeftWithOffset(41), options(at(16)));
    expect(next(restored)).toStrictEqual(next(state));
  });

  it('keeps only the last HISTORY_LENGTH finished commands', () => {
    let state = createDeploymentState();
    for (let index = 0; index < HISTORY_LENGTH + 5; index++) {
      state = deployPlan(state, 'J1', leadLeftWithOffset(index), options(at(index))).state;
    }
    const history = state.sites.J1?.history ?? [];
    expect(history).toHaveLength(HISTORY_LENGTH);
    expect(history.at(-1)?.version).toBe(HISTORY_LENGTH + 4);
  });
});
