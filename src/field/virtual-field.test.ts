// The virtual field on an in-memory bus: presence, det.volume and tlc.hires, plan commands answered
// and run in the simulation, injected detector and controller faults, and the engine seeing them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isoTime } from '../controllers/actions.ts';
import type {
  ActivePlanPayload,
  DetectorVolumePayload,
  HiresPayload,
  PlanCommandPayload,
  PlanResultPayload,
} from '../controllers/payloads.ts';
import { planCommandPayload } from '../controllers/plan-payloads.ts';
import { siteTopic } from '../controllers/topics.ts';
import { ManualClock } from '../engine/clock.ts';
import { Engine } from '../engine/engine.ts';
import { DETECTOR_FAULT } from '../engine/ingest-tick.ts';
import { MemoryBus } from '../engine/memory-bus.ts';
import { openEmbeddedStore } from '../store/embedded.ts';
import type { TimingPlan } from '../timing/types.ts';
import { busConnector } from './field-connection.ts';
import { loadDemoNetwork, type DemoNetwork } from './field.fixture.ts';
import {
  FieldError,
  VirtualField,
  type ControllerConnection,
  type VirtualFieldOptions,
} from './virtual-field.ts';

const ZONE = 'zz';
const T0 = Date.parse('2026-11-30T07:30:00.000Z');
let demo: DemoNetwork;
beforeAll(async () => {
  demo = await loadDemoNetwork();
});

const cleanUps: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanUp of cleanUps.splice(0).reverse()) await cleanUp();
});

interface Heard {
  topic: string;
  site: string;
  code: string;
  payload: unknown;
}

async function rig(
  options: Partial<VirtualFieldOptions> & { protocolVersion?: 4 | 5; start?: number } = {},
) {
  const { protocolVersion = 4, start = T0, ...rest } = options;
  const bus = new MemoryBus();
  const clock = new ManualClock(start);
  const heard: Heard[] = [];
  const watcher = bus.link({ name: 'watcher' });
  watcher.onMessage((topic, payload) => {
    const [, , site, kind, code] = topic.split('/');
    heard.push({
      topic,
      site: site!,
      code: kind === 'presence' ? 'presence' : `${kind}/${code}`,
      payload: JSON.parse(payload.toString()),
    });
  });
  await watcher.subscribe(`tsc/${ZONE}/#`);
  const connections: ControllerConnection[] = [];
  const field = await VirtualField.start({
    network: demo.network,
    zone: ZONE,
    accounts: demo.sites.map((site) => ({ site, username: `${ZONE}-${site}`, password: 'pw' })),
    connect: busConnector(bus, { protocolVersion, seen: connections }),
    clock,
    demand: { counts: demo.day },
    ...rest,
  });
  cleanUps.push(() => field.stop());
  const of = <T>(code: string, site?: string) =>
    heard
      .filter((entry) => entry.code === code && (site === undefined || entry.site === site))
      .map((entry) => entry.payload as T);
  return { bus, clock, field, heard, of, connections };
}

/** The site's own first program as an engine's plan command. */
function command(
  site: string,
  { version = 1, id = 'test-plan', offset = 7, expiresAt = T0 + 600_000 } = {},
): PlanCommandPayload {
  const program = demo.network.getAttribute('signals')[site]!.programs[0]!;
  const plan: TimingPlan = { ...program, id, offset: offset % program.cycleLength };
  return planCommandPayload(plan, {
    correlationId: `engine:${site}:v${version}`,
    version,
    expiresAt: isoTime(expiresAt),
    replyTo: siteTopic({ zone: ZONE, site, kind: 'result', code: 'tlc.plan.set' }),
  });
}

const commandTopic = (site: string) =>
  siteTopic({ zone: ZONE, site, kind: 'command', code: 'tlc.plan.set' });

describe('VirtualField', () => {
  it('connects every controller with its own account, will and birth', async () => {
    const { bus, connections, field } = await rig();
    expect(connections.map((connection) => connection.site)).toEqual(demo.sites);
    for (const connection of connections) {
      const presence = `tsc/${ZONE}/${connection.site}/presence`;
      expect(connection).toMatchObject({
        username: `${ZONE}-${connection.site}`,
        account: { role: 'controller', zone: ZONE, site: connection.site },
        will: { topic: presence, qos: 1, retain: true },
        birth: { topic: presence },
      });
      expect(JSON.parse(connection.will.payload)).toMatchObject({ state: 'offline' });
      expect(JSON.parse(bus.retained(presence)!.toString())).toEqual({
        state: 'online',
        ts: '2026-11-30T07:30:00.000Z',
      });
    }
    expect(field.originMs).toBe(Date.parse('2026-11-30T00:00:00.000Z'));
    expect(field.simulation.time).toBe(27_000);
    await field.stop();
    for (const site of demo.sites) {
      const presence = JSON.parse(bus.retained(`tsc/${ZONE}/${site}/presence`)!.toString());
      expect(presence.state).toBe('shutdown');
    }
  });

  it('starts its simulation at the time of day in its time zone', async () => {
    // 07:30 in Zhengzhou
    const { field } = await rig({
      start: Date.parse('2026-11-29T23:30:20.000Z'),
      timeZone: 'Asia/Shanghai',
    });
    expect(field.originMs).toBe(Date.parse('2026-11-29T16:00:00.000Z'));
    expect(field.simulation.time).toBe(27_000);
  });

  it('publishes det.volume every interval per site with every detector, and hi-res events in batches', async () => {
    const { clock, field, heard, of } = await rig();
    clock.advance(180_000);
    await field.idle();
    for (const site of demo.sites) {
      const volumes = of<DetectorVolumePayload>('status/det.volume', site);
      expect(volumes.flatMap((payload) => payload.entries.map((entry) => entry.seq))).toEqual([
        1, 2, 3,
      ]);
      expect(volumes.map((payload) => payload.entries[0]!.ts)).toEqual([
        '2026-11-30T07:31:00.000Z',
        '2026-11-30T07:32:00.000Z',
        '2026-11-30T07:33:00.000Z',
      ]);
      for (const payload of volumes) {
        expect(Object.keys(payload.entries[0]!.values).sort()).toEqual(
          [...demo.map.sites[site]!].sort(),
        );
      }
      expect(field.controller(site).volumeSeq).toBe(3);
      const hires = of<HiresPayload>('status/tlc.hires', site);
      // a batch every 5 s (and one before each det.volume) when there was anything to say
      expect(hires.length).toBeGreaterThanOrEqual(3);
      for (const { entries: batch } of hires) {
        const span = Date.parse(batch.at(-1)!.ts) - Date.parse(batch[0]!.ts);
        expect(span).toBeLessThanOrEqual(5_000);
      }
      const entries = hires.flatMap((payload) => payload.entries);
      expect(entries.some((entry) => entry.code === 1)).toBe(true);
      const channels = demo.map.sites[site]!.length;
      for (const entry of entries.filter((event) => event.code >= 81)) {
        expect(entry.param).toBeGreaterThanOrEqual(1);
        expect(entry.param).toBeLessThanOrEqual(channels);
      }
      const times = entries.map((entry) => Date.parse(entry.ts));
      expect(times.every((time, index) => index === 0 || time >= times[index - 1]!)).toBe(true);
      expect(Math.max(...times)).toBeLessThanOrEqual(clock.now());
      // the events a det.volume covers went out before it
      const order = heard.filter((entry) => entry.site === site).map((entry) => entry.code);
      expect(order.indexOf('status/tlc.hires')).toBeLessThan(order.indexOf('status/det.volume'));
    }
    // stop-line counts agree with the vehicles the simulation let through (implied detectors
    // cover every lane of a site; a vehicle in the last 2 m when the count stopped is the slack)
    const result = field.result();
    for (const site of demo.sites.filter((id) =>
      demo.map.sites[id]!.every((detector) => demo.map.detectors[detector]!.implied),
    )) {
      const counted = of<DetectorVolumePayload>('status/det.volume', site)
        .flatMap((payload) => payload.entries)
        .flatMap((entry) => Object.values(entry.values))
        .reduce((sum, value) => sum + value.count, 0);
      const throughput = result.signals.find((signal) => signal.id === site)!.throughput;
      expect(counted, site).toBeGreaterThan(20);
      expect(Math.abs(counted - throughput), site).toBeLessThanOrEqual(
        demo.map.sites[site]!.length,
      );
    }
  });

  it('answers plan commands as a controller does and runs an applied plan in the simulation', async () => {
    const { bus, clock, field, of } = await rig({ protocolVersion: 5 });
    const site = 'JS-04';
    const first = command(site);
    bus.inject(commandTopic(site), JSON.stringify(first), {
      qos: 1,
      correlationId: first.correlationId,
      responseTopic: first.replyTo!,
      expirySeconds: 60,
    });
    expect(of<PlanResultPayload>('result/tlc.plan.set', site)).toEqual([
      { correlationId: first.correlationId, status: 'applied', planId: 'test-plan', version: 1 },
    ]);
    const retained = JSON.parse(
      bus.retained(siteTopic({ zone: ZONE, site, kind: 'status', code: 'tlc.plan' }))!.toString(),
    ) as ActivePlanPayload;
    expect(retained).toMatchObject({ planId: 'test-plan', version: 1, offset: 7 });
    expect(field.controller(site).active).toEqual(retained);
    expect(field.controller(site).commands[0]!.meta).toEqual({
      retained: false,
      correlationId: first.correlationId,
      responseTopic: first.replyTo,
      expirySeconds: 60,
    });
    // the plan starts at the end of the running cycle, then runs
    expect(field.simulation.planStatus(site).pending?.id).toBe('test-plan');
    clock.advance(400_000);
    expect(field.simulation.activePlan(site)).toMatchObject({ id: 'test-plan', offset: 7 });

    // a duplicate is acknowledged again, an older version and an invalid plan are refused
    bus.inject(commandTopic(site), JSON.stringify(first));
    bus.inject(
      commandTopic(site),
      JSON.stringify({
        ...command(site, { version: 2, offset: 9 }),
        stages: [{ ...first.stages[0]!, green: 0.5 }],
      }),
    );
    bus.inject(
      commandTopic(site),
      JSON.stringify(command(site, { version: 1, id: 'other', offset: 3 })),
    );
    bus.inject(commandTopic(site), '{"planId": 5}');
    const results = of<PlanResultPayload>('result/tlc.plan.set', site);
    expect(results.map((result) => result.status)).toEqual([
      'applied',
      'applied',
      'rejected',
      'rejected',
    ]);
    expect(results[2]!.reason).toMatch(/^invalid-plan: /);
    expect(results[3]!.reason).toMatch(/^stale-version: /);
    expect(field.controller(site).active?.version).toBe(1);
    expect(field.counters).toMatchObject({
      commands: 4,
      applied: 2,
      rejected: 2,
      malformedCommands: 1,
    });
    expect(field.simulation.activePlan(site).id).toBe('test-plan');
  });

  it('plays a controller that refuses every plan, and one that stops answering', async () => {
    const { bus, field, of } = await rig();
    field.setControllerFault('JS-01', 'reject');
    field.setControllerFault('JS-02', 'silent');
    for (const site of ['JS-01', 'JS-02'])
      bus.inject(commandTopic(site), JSON.stringify(command(site)));
    const [refusal] = of<PlanResultPayload>('result/tlc.plan.set', 'JS-01');
    expect(refusal).toMatchObject({ status: 'rejected', version: 1 });
    expect(refusal!.reason).toMatch(/^invalid-plan: .*fault injected/);
    expect(field.controller('JS-01').active).toBeUndefined();
    expect(field.simulation.planStatus('JS-01').pending).toBeUndefined();
    expect(of('result/tlc.plan.set', 'JS-02')).toEqual([]);
    expect(field.controller('JS-02').commands).toHaveLength(1);
    expect(field.controller('JS-02').fault).toBe('silent');
    // healed, they take the next command
    field.setControllerFault('JS-01', undefined);
    field.setControllerFault('JS-02', undefined);
    for (const site of ['JS-01', 'JS-02']) {
      bus.inject(commandTopic(site), JSON.stringify(command(site, { version: 2 })));
      expect(field.controller(site).active?.version).toBe(2);
    }
  });

  it('plays stuck-on, stuck-off and silent detectors in det.volume and hi-res events', async () => {
    const { clock, field, of } = await rig();
    const [on, off, silent] = demo.map.sites['JS-01']!;
    clock.advance(30_000);
    field.setDetectorFault(on!, 'stuck-on');
    field.setDetectorFault(off!, 'stuck-off');
    field.setDetectorFault(silent!, 'silent');
    clock.advance(90_000);
    const [, second] = of<DetectorVolumePayload>('status/det.volume', 'JS-01');
    const values = second!.entries[0]!.values;
    expect(values[on!]).toEqual({ count: 0, occupancy: 1 });
    expect(values[off!]).toEqual({ count: 0, occupancy: 0 });
    expect(values[silent!]).toBeUndefined();
    const channelOf = (id: string) => demo.map.detectors[id]!.channel;
    const events = () =>
      of<HiresPayload>('status/tlc.hires', 'JS-01').flatMap((payload) => payload.entries);
    const after = (id: string, from: number) =>
      events().filter(
        (entry) =>
          entry.param === channelOf(id) && entry.code >= 81 && Date.parse(entry.ts) >= from,
      );
    expect(after(on!, T0 + 30_000)).toEqual([
      { ts: '2026-11-30T07:30:30.000Z', code: 82, param: channelOf(on!) },
    ]);
    expect(after(off!, T0 + 30_000)).toEqual([]);
    expect(after(silent!, T0 + 30_000)).toEqual([]);
    field.setDetectorFault(on!, undefined);
    clock.advance(5_000);
    expect(after(on!, T0 + 120_000)[0]).toEqual({
      ts: '2026-11-30T07:32:00.000Z',
      code: 81,
      param: channelOf(on!),
    });
  });

  it('draws the same traffic from the same seed', async () => {
    const run = async () => {
      const { clock, of } = await rig({ seed: 11 });
      clock.advance(120_000);
      return of<DetectorVolumePayload>('status/det.volume');
    };
    const [first, second] = [await run(), await run()];
    expect(first.length).toBe(2 * demo.sites.length);
    expect(second).toEqual(first);
  });

  it('names the mistake: an unknown site, a bad option, a call out of order, an unknown detector', async () => {
    const base = {
      network: demo.network,
      zone: ZONE,
      connect: busConnector(new MemoryBus()),
      clock: new ManualClock(T0),
    };
    const account = { site: 'nowhere', username: 'zz-nowhere', password: 'pw' };
    expect(() => new VirtualField({ ...base, accounts: [account] })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_SITE' }),
    );
    expect(() => new VirtualField({ ...base, accounts: [], interval: 0 })).toThrow(
      expect.objectContaining({ code: 'BAD_OPTION' }),
    );
    expect(() => new VirtualField({ ...base, accounts: [], timeZone: 'Mars/Olympus' })).toThrow(
      expect.objectContaining({ code: 'BAD_OPTION' }),
    );
    const field = new VirtualField({ ...base, accounts: [] });
    expect(() => field.advanceTo(T0 + 1000)).toThrow(
      expect.objectContaining({ code: 'NOT_STARTED' }),
    );
    await field.start();
    cleanUps.push(() => field.stop());
    await expect(field.start()).rejects.toMatchObject({ code: 'ALREADY_STARTED' });
    expect(() => field.setDetectorFault('nowhere', 'silent')).toThrow(FieldError);
    expect(() => field.controller('JS-01')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_SITE' }),
    );
  });

  it('connects all controllers or none', async () => {
    const bus = new MemoryBus();
    const opened: string[] = [];
    const closed: string[] = [];
    const connect = busConnector(bus);
    const field = new VirtualField({
      network: demo.network,
      zone: ZONE,
      accounts: demo.sites.map((site) => ({ site, username: `${ZONE}-${site}`, password: 'pw' })),
      clock: new ManualClock(T0),
      async connect(connection) {
        if (connection.site === 'JS-05') throw new Error('connection refused: bad password');
        const link = await connect(connection);
        opened.push(connection.site);
        const close = link.close.bind(link);
        return Object.assign(link, {
          close: async () => {
            closed.push(connection.site);
            await close();
          },
        });
      },
    });
    await expect(field.start()).rejects.toThrow(/bad password/);
    expect(closed.sort()).toEqual(opened.sort());
    expect(opened).toHaveLength(demo.sites.length - 1);
  });
});

describe('VirtualField with the engine', () => {
  it('makes the engine raise alarms for stuck detectors, a refusing and a silent controller', async () => {
    const { bus, clock, field } = await rig({ hiResEvery: 0 });
    const dataDir = await mkdtemp(join(tmpdir(), 'greenwave-field-'));
    const store = await openEmbeddedStore({ dataDir, clock });
    const alarms: { code: string; site: string; values?: Record<string, unknown> }[] = [];
    const watcher = bus.link({ name: 'alarms' });
    watcher.onMessage((_topic, payload) => alarms.push(JSON.parse(payload.toString())));
    await watcher.subscribe(`tsc/${ZONE}/engine/alarm/#`);
    const engine = new Engine({
      network: demo.network,
      link: bus.link({ name: 'engine' }),
      store,
      zone: ZONE,
      clock,
      options: { prior: demo.prior, adaptive: false },
    });
    await engine.start();
    cleanUps.push(async () => {
      await engine.stop();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    const stuck = demo.map.sites['JS-07']!;
    for (const id of stuck) field.setDetectorFault(id, 'stuck-on');
    field.setControllerFault('JS-03', 'reject');
    field.setControllerFault('JS-05', 'silent');
    engine.runAdaptiveCycle();
    for (let second = 0; second < 15 * 60; second += 5) clock.advance(5_000);
    await engine.idle();
    const codes = (site: string) =>
      alarms.filter((alarm) => alarm.site === site).map((alarm) => alarm.code);
    expect(codes('JS-03')).toContain('plan.rejected');
    expect(codes('JS-05')).toContain('plan.no-answer');
    const faults = alarms.filter((alarm) => alarm.code === DETECTOR_FAULT);
    expect(faults.map((alarm) => [alarm.site, alarm.values?.['fault']])).toEqual(
      stuck.map(() => ['JS-07', 'stuck-on']),
    );
    expect(faults.map((alarm) => alarm.values?.['detector']).sort()).toEqual([...stuck].sort());
    expect(field.controller('JS-01').active?.version).toBe(1);
    expect(field.controller('JS-03').active).toBeUndefined();
    expect(
      engine.views
        .detectors()
        .filter((view) => view.status === 'stuck-on')
        .map((view) => view.detector)
        .sort(),
    ).toEqual([...stuck].sort());
  });
});
