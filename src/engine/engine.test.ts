// The engine on the demo network with a fake controller per site on an in-memory bus: deployment,
// refused inputs, refused plans, silent controllers, restarts, the fallback and transitions.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { siteTopic } from '../controllers/topics.ts';
import { siteEntry } from '../ingest/site-table.ts';
import { loadDemo, feedMinutes, rig, T0, ZONE, type Rig } from './engine.fixture.ts';
import { Engine } from './engine.ts';

const MINUTE = 60_000;
let current: Rig | undefined;
afterEach(async () => {
  await current?.cleanUp();
  current = undefined;
});
beforeAll(async () => {
  await loadDemo();
});

const alarmsOf = (r: Rig, code: string) =>
  r.alarms.filter((alarm) => alarm.payload['code'] === code);

describe('Engine', () => {
  it('deploys the schedule at the first cycle and every controller applies it', async () => {
    const r = (current = await rig());
    const [decision, ...others] = r.engine.runAdaptiveCycle();
    expect(others).toHaveLength(0);
    expect(decision).toMatchObject({ mode: 'time-of-day', period: 'am-peak', trigger: 'manual' });
    expect(decision!.reason).toMatch(/coverage 0 % < 70 %/);
    for (const site of r.demo.sites) {
      expect(decision!.outcomes[site]).toBe('sent');
      expect(r.controllers[site]!.agent.active).toMatchObject({ planId: 'am-peak', version: 1 });
    }
    await r.engine.idle();
    const controllers = r.engine.views.controllers();
    expect(controllers.every((view) => view.active?.version === 1 && !view.pending)).toBe(true);
    expect(controllers.every((view) => view.presence.state === 'online')).toBe(true);
    const metrics = r.engine.views.metrics();
    expect(metrics).toContain('greenwave_plan_commands_total{outcome="applied"} 9');
    expect(metrics).toContain('greenwave_plans_deployed_total 9');
    expect(metrics).toContain('greenwave_controllers_online 9');
    expect(metrics).toContain('greenwave_adaptive_cycles_total{trigger="manual"} 1');
    // the same plan is not sent again
    expect(Object.values(r.engine.runAdaptiveCycle()[0]!.outcomes)).toEqual(
      r.demo.sites.map(() => 'no-change'),
    );
  });

  it('refuses every kind of bad input with an alarm and a reason, and keeps going', async () => {
    const r = (current = await rig());
    const volume = siteTopic({ zone: ZONE, site: 'JS-01', kind: 'status', code: 'det.volume' });
    const [own] = r.demo.map.sites['JS-01']!;
    const [foreign] = r.demo.map.sites['JS-02']!;
    const entry = (values: Record<string, { count: number; occupancy: number }>, seq: number) =>
      JSON.stringify({
        interval: 60,
        entries: [{ ts: new Date(T0).toISOString(), seq, values }],
      });
    const cases: [string, string, string][] = [
      [volume, '{"interval": 60, "entries": [', 'not-json'],
      [volume, '{"interval":"60","entries":[]}', 'schema'],
      [
        volume,
        entry({ [own!]: { count: 3, occupancy: 0.1 }, ghost: { count: 1, occupancy: 0 } }, 1),
        'unknown-detector',
      ],
      [volume, entry({ [foreign!]: { count: 3, occupancy: 0.1 } }, 2), 'wrong-site'],
      [volume, JSON.stringify({ interval: 60, pad: 'x'.repeat(300 * 1024) }), 'too-large'],
      [`tsc/${ZONE}/nowhere/status/det.volume`, entry({}, 1), 'unknown-site'],
      [`tsc/${ZONE}/JS-01/status/tlc.unknown`, '{}', 'unknown-topic'],
      [`tsc/${ZONE}/JS-01/status/det.volume/extra`, '{}', 'unknown-topic'],
      [`tsc/${ZONE}/JS-01/result/tlc.plan.set`, '{"correlationId":7,"status":"applied"}', 'schema'],
      [`tsc/${ZONE}/JS-01/presence`, '{"state":"sleeping","ts":"2026-11-30T08:00:00Z"}', 'schema'],
    ];
    const counted = { ...r.engine.counters };
    for (const [topic, payload, reasonCode] of cases) {
      const before = r.alarms.length;
      r.bus.inject(topic, payload);
      const raised = r.alarms.slice(before);
      expect(raised, `${topic}: ${reasonCode}`).toHaveLength(1);
      expect(raised[0]!.topic).toBe(`tsc/${ZONE}/engine/alarm/input.rejected`);
      expect(raised[0]!.payload).toMatchObject({
        code: 'input.rejected',
        topic,
        active: true,
        values: { reasonCode },
      });
      expect(String(raised[0]!.payload['reason']).length).toBeGreaterThan(10);
    }
    expect(r.engine.counters.received - counted.received).toBe(cases.length);
    // two det.volume messages were taken in part: the unknown and the foreign detector's values
    expect(r.engine.counters.rejected - counted.rejected).toBe(cases.length - 2);
    // the own detector's reading next to the ghost was taken
    expect(siteEntry(r.engine.state.ingest.health.sites, 'JS-01')?.detectors[own!]).toBeDefined();
    // later messages are still processed: a Last Will raises controller.offline
    r.bus.inject(`tsc/${ZONE}/JS-01/presence`, '{"state":"offline","ts":"2026-11-30T08:00:00Z"}', {
      retain: true,
    });
    expect(alarmsOf(r, 'controller.offline')).toHaveLength(1);
    expect(r.engine.views.controllers().find((view) => view.site === 'JS-01')?.presence.state).toBe(
      'offline',
    );
    await r.engine.idle();
    const metrics = r.engine.views.metrics();
    expect(metrics).toContain(
      'greenwave_inputs_rejected_total{reason="not-json",type="det.volume"} 1',
    );
    expect(metrics).toContain(
      'greenwave_inputs_rejected_total{reason="too-large",type="det.volume"} 1',
    );
    expect(metrics).toContain(
      'greenwave_inputs_rejected_total{reason="unknown-topic",type="unknown"} 2',
    );
    expect(r.engine.views.alarms(3)[0]).toMatchObject({
      code: 'controller.offline',
      site: 'JS-01',
    });
  });

  it('limits input.rejected alarms per site and counts the rest', async () => {
    const r = (current = await rig({ options: { rejectionAlarms: { limit: 3, window: 60 } } }));
    const topic = siteTopic({ zone: ZONE, site: 'JS-04', kind: 'status', code: 'det.volume' });
    for (let index = 0; index < 10; index++) r.bus.inject(topic, 'garbage');
    expect(alarmsOf(r, 'input.rejected')).toHaveLength(3);
    r.clock.advance(MINUTE);
    r.bus.inject(topic, 'garbage');
    expect(alarmsOf(r, 'input.rejected')).toHaveLength(4);
    expect(r.engine.views.metrics()).toContain(
      'greenwave_alarms_suppressed_total{code="input.rejected"} 7',
    );
  });

  it('raises plan.rejected when a controller refuses a plan, which keeps its previous one', async () => {
    const r = (current = await rig());
    r.engine.runAdaptiveCycle();
    const strict = r.controllers['JS-03']!;
    const previous = strict.agent.active!;
    // the controller's own signal wants 60 s of through green: the midday plan has less
    const signal = r.demo.signals['JS-03']!;
    r.clock.advance(2 * 3600 * 1000); // 10:00, midday
    await r.engine.idle();
    strict.signal = {
      ...signal,
      signalGroups: signal.signalGroups.map((group) => ({ ...group, minGreen: 60 })),
    };
    const [decision] = r.engine.runAdaptiveCycle();
    expect(decision!.period).toBe('midday');
    expect(decision!.outcomes['JS-03']).toBe('sent');
    const rejected = alarmsOf(r, 'plan.rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.payload).toMatchObject({ site: 'JS-03', active: true });
    expect(String(rejected[0]!.payload['reason'])).toMatch(/invalid-plan/);
    expect(strict.agent.active).toEqual(previous);
    const view = r.engine.views.controllers().find((entry) => entry.site === 'JS-03')!;
    expect(view.active?.version).toBe(previous.version);
    expect(view.pending).toBeUndefined();
    expect(view.alarms).toContain('plan.rejected');
    // the others moved on
    expect(r.controllers['JS-01']!.agent.active?.version).toBe(2);
    await r.engine.idle();
    expect(r.engine.views.metrics()).toContain(
      'greenwave_plan_commands_total{outcome="rejected"} 1',
    );
  });

  it('sends a command again with backoff while unanswered, then raises plan.no-answer', async () => {
    const r = (current = await rig());
    const silent = r.controllers['JS-05']!;
    silent.behaviour = 'silent';
    r.engine.runAdaptiveCycle();
    expect(silent.commands).toHaveLength(1);
    r.clock.advance(5_000);
    expect(silent.commands).toHaveLength(2);
    r.clock.advance(10_000);
    expect(silent.commands).toHaveLength(3);
    expect(alarmsOf(r, 'plan.no-answer')).toHaveLength(0);
    r.clock.advance(60_000);
    await r.engine.idle();
    expect(new Set(silent.commands.map((command) => command.correlationId)).size).toBe(1);
    const noAnswer = alarmsOf(r, 'plan.no-answer');
    expect(noAnswer).toHaveLength(1);
    expect(noAnswer[0]!.payload).toMatchObject({ site: 'JS-05', active: true });
    expect(silent.agent.active).toBeUndefined();
    expect(
      r.engine.views.controllers().find((view) => view.site === 'JS-05')?.pending,
    ).toBeUndefined();
    expect(r.engine.views.metrics()).toContain(
      'greenwave_plan_commands_total{outcome="no-answer"} 1',
    );
  });

  it('keeps plans, versions, pending commands and controller state across a restart', async () => {
    const r = (current = await rig());
    r.controllers['JS-05']!.behaviour = 'silent';
    r.engine.runAdaptiveCycle();
    await r.engine.idle();
    const pendingBefore = r.engine.state.deployment.sites['JS-05']!.pending!;
    const engine = await r.restart();
    expect(engine.state.deployment.sites['JS-01']).toMatchObject({
      lastVersion: 1,
      active: { planId: 'am-peak', version: 1 },
      presence: { state: 'online' },
    });
    expect(engine.state.deployment.sites['JS-05']!.pending?.correlationId).toBe(
      pendingBefore.correlationId,
    );
    expect(engine.views.plans().find((view) => view.site === 'JS-01')).toMatchObject({
      mode: 'time-of-day',
      target: { id: 'am-peak' },
    });
    expect(engine.views.decisions()).toHaveLength(1);
    // the restored pending command is retried as it was, and answered
    r.controllers['JS-05']!.behaviour = 'answer';
    r.clock.advance(5_000);
    await engine.idle();
    expect(r.controllers['JS-05']!.agent.active?.version).toBe(1);
    expect(engine.state.deployment.sites['JS-05']!.pending).toBeUndefined();
    // new commands continue the versions
    r.clock.advance(2 * 3600 * 1000);
    engine.runAdaptiveCycle();
    for (const site of r.demo.sites) expect(r.controllers[site]!.agent.active?.version).toBe(2);
  });

  it('sends coordinated-actuated plans, adaptive and fallback alike, when told the controllers actuate', async () => {
    const r = (current = await rig({ options: { actuation: { passage: 2.5 } } }));
    const [fallback] = r.engine.runAdaptiveCycle();
    expect(fallback).toMatchObject({ mode: 'time-of-day' });
    expect(r.controllers['JS-01']!.agent.active).toMatchObject({
      planId: 'am-peak',
      actuated: { passage: 2.5 },
    });
    await feedMinutes(r, 25);
    const [adaptive] = r.engine.runAdaptiveCycle();
    expect(adaptive).toMatchObject({ mode: 'adaptive' });
    await r.engine.idle();
    // Coordinated or free, as the proof found best: actuated with the passage given.
    for (const site of r.demo.sites) {
      expect(r.controllers[site]!.agent.active?.actuated).toMatchObject({ passage: 2.5 });
    }
    const view = r.engine.views.controllers().find((controller) => controller.site === 'JS-01');
    expect(view?.active?.actuated).toMatchObject({ passage: 2.5 });
  });

  it('runs the signals free at night when the proof finds free operation best', async () => {
    // 02:00 the next day: the weekday's quiet night.
    const r = (current = await rig({
      options: { actuation: { passage: 2 } },
      start: T0 + 18 * 3600 * 1000,
    }));
    await feedMinutes(r, 25);
    const [night] = r.engine.runAdaptiveCycle();
    expect(night).toMatchObject({ mode: 'adaptive' });
    expect(night!.reason).toMatch(/free \d+\.\d.* → free(, shortest)?$/);
    await r.engine.idle();
    for (const site of r.demo.sites) {
      expect(r.controllers[site]!.agent.active?.actuated).toEqual({ passage: 2, free: true });
    }
  });

  it('optimizes for measured demand, and falls back to the schedule when detectors fail', async () => {
    const r = (current = await rig());
    await feedMinutes(r, 25);
    const [adaptive] = r.engine.runAdaptiveCycle();
    expect(adaptive).toMatchObject({ mode: 'adaptive', period: 'am-peak' });
    // proven in simulation before it was sent: the optimizer's plans among the candidates scored
    expect(adaptive!.reason).toMatch(
      /; proof in simulation \(s\/veh\): (.*, )?optimizer \d+\.\d(, .*)? → \S/,
    );
    // every movement a detector can see is measured; those no detector sees (the demo has some)
    // take the prior and do not count against the coverage
    expect(adaptive!.coverage).toBe(1);
    expect(adaptive!.faultyDetectors).toEqual([]);
    expect(r.controllers['JS-01']!.agent.active?.planId).toBe('adaptive');
    const stuck = Object.fromEntries(
      [...r.demo.map.sites['JS-01']!, ...r.demo.map.sites['JS-03']!].map((id) => [
        id,
        'stuck-on' as const,
      ]),
    );
    await feedMinutes(r, 13, { faults: stuck });
    const faultAlarms = alarmsOf(r, 'detector.fault');
    expect(
      faultAlarms.map((alarm) => (alarm.payload['values'] as { fault: string }).fault),
    ).toEqual(Object.keys(stuck).map(() => 'stuck-on'));
    expect(
      faultAlarms.map((alarm) => (alarm.payload['values'] as { detector: string }).detector).sort(),
    ).toEqual(Object.keys(stuck).sort());
    expect(r.engine.views.detectors().filter((view) => view.status === 'stuck-on')).toHaveLength(
      Object.keys(stuck).length,
    );
    const [fallback] = r.engine.runAdaptiveCycle();
    expect(fallback!.mode).toBe('time-of-day');
    expect(fallback!.reason).toMatch(
      /^20 of 80 detectors faulty \(.*\) > 20 %: the time-of-day schedule$/,
    );
    expect(r.engine.views.plans().find((view) => view.site === 'JS-01')?.target?.id).toBe(
      'am-peak',
    );
    expect(r.engine.views.metrics()).toContain('greenwave_detector_faults{fault="stuck-on"} 20');
    const logged = r.logger.entries.filter((entry) => entry.message.startsWith('decision '));
    expect(logged.map((entry) => entry.fields['mode'])).toEqual(['adaptive', 'time-of-day']);
    await r.engine.idle();
    expect(
      (await r.store.detectorAggregates({ fromMs: T0, toMs: T0 + 3600_000, site: 'JS-02' })).length,
    ).toBeGreaterThan(0);
  });

  it('moves a large change in limited steps, one per transition period, until the target is reached', async () => {
    const r = (current = await rig({ start: Date.parse('2026-11-30T03:00:00Z') }));
    r.engine.runAdaptiveCycle(); // night plans
    expect(r.controllers['JS-01']!.agent.active?.cycle).toBe(73);
    r.clock.advance(5 * 3600 * 1000); // 08:00, am-peak: 93 s
    const [decision] = r.engine.runAdaptiveCycle();
    expect(decision!.limited?.['JS-01']).toContain('cycle');
    expect(r.controllers['JS-01']!.agent.active?.cycle).toBeCloseTo(73 * 1.1, 6);
    for (let step = 0; step < 12; step++) r.clock.advance(180_000);
    await r.engine.idle();
    const transitions = r.engine.views
      .decisions(100)
      .filter((entry) => entry.trigger === 'transition');
    expect(transitions.length).toBeGreaterThan(2);
    for (const site of r.demo.sites) {
      expect(r.controllers[site]!.agent.active?.cycle, site).toBe(93);
      expect(r.engine.views.plans().find((view) => view.site === site)?.reached, site).toBe(true);
    }
  });

  it('holds a site for an operator, and refuses an invalid operator plan', async () => {
    const r = (current = await rig());
    r.engine.runAdaptiveCycle();
    const plan = { ...r.demo.signals['JS-02']!.programs[0]!, id: 'operator-plan' };
    const deployed = r.engine.deployPlan('JS-02', plan, { holdSeconds: 3 * 3600 });
    expect(deployed).toMatchObject({ outcome: 'sent', version: 2 });
    expect(r.controllers['JS-02']!.agent.active?.planId).toBe('operator-plan');
    r.clock.advance(2 * 3600 * 1000);
    const [decision] = r.engine.runAdaptiveCycle();
    expect(decision!.outcomes['JS-02']).toBe('held-by-operator');
    expect(r.controllers['JS-02']!.agent.active?.planId).toBe('operator-plan');
    const invalid = r.engine.deployPlan('JS-02', { ...plan, offset: plan.cycleLength + 5 });
    expect(invalid.outcome).toBe('invalid');
    expect(alarmsOf(r, 'plan.invalid')).toHaveLength(1);
    expect(() => r.engine.deployPlan('nowhere', plan)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_SITE' }),
    );
  });

  it('runs cycles on its clock: the first after firstCycleDelay, then every period', async () => {
    const r = (current = await rig({
      options: { adaptive: true, firstCycleDelay: 10, period: 300 },
    }));
    expect(r.engine.counters.cycles).toBe(0);
    r.clock.advance(10_000);
    expect(r.engine.counters.cycles).toBe(1);
    expect(r.controllers['JS-01']!.agent.active?.planId).toBe('am-peak');
    r.clock.advance(299_000);
    expect(r.engine.counters.cycles).toBe(1);
    r.clock.advance(1_000);
    expect(r.engine.counters.cycles).toBe(2);
    r.clock.advance(3 * 300_000);
    expect(r.engine.counters.cycles).toBe(5);
    expect(r.engine.views.decisions(10).every((decision) => decision.trigger === 'period')).toBe(
      true,
    );
    await r.engine.idle();
    expect(r.engine.views.metrics()).toContain(
      'greenwave_adaptive_cycles_total{trigger="period"} 5',
    );
  });

  it('gives commands MQTT 5 expiry, response topic and correlation data when the link speaks 5', async () => {
    const r = (current = await rig({ options: {} }));
    await r.engine.stop();
    const engineLink = r.bus.link({ name: 'engine-5', protocolVersion: 5 });
    const listener = r.bus.link({ name: 'listener', protocolVersion: 5 });
    const commands: {
      topic: string;
      meta: Record<string, unknown>;
      payload: Record<string, unknown>;
    }[] = [];
    listener.onMessage((topic, payload, meta) =>
      commands.push({ topic, meta: { ...meta }, payload: JSON.parse(payload.toString()) }),
    );
    await listener.subscribe(`tsc/${ZONE}/JS-01/command/#`);
    const engine = new Engine({
      network: r.demo.network,
      link: engineLink,
      store: r.store,
      zone: ZONE,
      clock: r.clock,
      options: { prior: r.demo.prior, adaptive: false },
    });
    await engine.start();
    engine.runAdaptiveCycle();
    await engine.stop();
    expect(commands).toHaveLength(1);
    const [{ meta, payload }] = commands as [(typeof commands)[number]];
    expect(meta).toEqual({
      retained: false,
      responseTopic: `tsc/${ZONE}/JS-01/result/tlc.plan.set`,
      correlationId: payload['correlationId'],
      expirySeconds: 60,
    });
    // the payload repeats them for MQTT 3.1.1 controllers
    expect(payload).toMatchObject({
      replyTo: meta['responseTopic'],
      expiresAt: expect.any(String),
    });
  });
});
