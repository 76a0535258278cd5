// Engine and controllers together over a lossy, duplicating channel: the protocol's invariants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../network/types.ts';
import { fourLegSignal } from '../timing/four-leg.fixture.ts';
import type { TimingPlan } from '../timing/types.ts';
import { isValidPlan } from '../timing/validate.ts';
import type { ControllerAction, PublishAction } from './actions.ts';
import {
  createControllerAgent,
  receiveCommand,
  type ControllerAgentState,
} from './controller-agent.ts';
import { at, leadLeftWithCycle } from './controllers.fixture.ts';
import {
  createDeploymentState,
  deployPlan,
  onActivePlan,
  onPresence,
  onResult,
  tick,
  type DeploymentState,
  type DeploymentStep,
} from './deployment.ts';
import type { ActivePlanPayload, PlanCommandPayload, PlanResultPayload } from './payloads.ts';
import { planFromPayload, samePlanContent } from './plan-payloads.ts';
import { parseTopic } from './topics.ts';

const SITES = ['J1', 'J2'] as const;
type Site = (typeof SITES)[number];

/** What the engine knows of a signal: the four-leg one. */
const engineSignal = (site: Site): Signal => ({ ...fourLegSignal(), id: site });

/** What the controller knows: east–west throughs need 40 s, so short cycles are refused there. */
const controllerSignal = (site: Site): Signal => {
  const signal = engineSignal(site);
  return {
    ...signal,
    signalGroups: signal.signalGroups.map((group) =>
      group.id === '4' ? { ...group, minGreen: 40 } : group,
    ),
  };
};

/**
 * Plans: cycles 90 and 96 s pass the engine's validation but not the controllers' (stage C is
 * under 40 s); 110 and 120 s pass both; an offset equal to the cycle passes neither.
 */
function planFor(site: Site, index: number): TimingPlan {
  const cycle = [90, 96, 110, 120][index % 4]!;
  const offset = [0, 12, 40, cycle][Math.floor(index / 4) % 4]!;
  return { ...leadLeftWithCycle(cycle, offset), id: `p${index}`, signal: site };
}

type Event =
  | { kind: 'deploy'; site: Site; plan: number }
  | { kind: 'advance'; seconds: number; tick: boolean }
  | { kind: 'deliver' | 'drop' | 'duplicate'; which: number }
  | { kind: 'presence'; site: Site; state: 'online' | 'offline' | 'shutdown' }
  | { kind: 'restart' };

const site = fc.constantFrom(...SITES);
const events = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('deploy' as const), site, plan: fc.nat(15) }),
    fc.record({
      kind: fc.constant('advance' as const),
      seconds: fc.integer({ min: 1, max: 30 }),
      // the engine's timer may fire late: time passes without a tick
      tick: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('deliver' as const), which: fc.nat(3) }),
    fc.record({ kind: fc.constant('deliver' as const), which: fc.nat(3) }),
    fc.record({ kind: fc.constant('drop' as const), which: fc.nat(3) }),
    fc.record({ kind: fc.constant('duplicate' as const), which: fc.nat(3) }),
    fc.record({
      kind: fc.constant('presence' as const),
      site,
      state: fc.constantFrom('online' as const, 'offline' as const, 'shutdown' as const),
    }),
    fc.record({ kind: fc.constant('restart' as const) }),
  ),
  { minLength: 5, maxLength: 80, size: 'max' },
);

/** The engine, two controllers and the messages between them, with checks on every publish. */
class Loop {
  engine: DeploymentState = createDeploymentState();
  agents: Record<Site, ControllerAgentState> = {
    J1: createControllerAgent({ zone: 'zz', site: 'J1' }),
    J2: createControllerAgent({ zone: 'zz', site: 'J2' }),
  };
  inFlight: PublishAction[] = [];
  now = at(0);
  /** Every command payload published, by correlation id. */
  commands = new Map<string, PlanCommandPayload>();
  /** Versions of new commands per site, in the order they were first published. */
  versions: Record<Site, number[]> = { J1: [], J2: [] };
  /** How often each path was taken, to show the runs cover the protocol. */
  tally = new Map<string, number>();

  count(path: string): void {
    this.tally.set(path, (this.tally.get(path) ?? 0) + 1);
  }

  run(event: Event): void {
    switch (event.kind) {
      case 'deploy': {
        const plan = planFor(event.site, event.plan);
        const step = deployPlan(this.engine, event.site, plan, {
          now: this.now,
          signal: engineSignal(event.site),
          zone: 'zz',
          engineId: 'engine-1',
        });
        this.count(step.outcome);
        this.engineStep(step);
        return;
      }
      case 'advance':
        this.now += event.seconds * 1000;
        if (event.tick) this.engineStep(tick(this.engine, this.now));
        return;
      case 'presence':
        this.engineStep(
          onPresence(
            this.engine,
            event.site,
            { state: event.state, ts: '2026-11-28T07:00:00Z' },
            this.now,
          ),
        );
        return;
      case 'restart':
        this.engine = JSON.parse(JSON.stringify(this.engine)) as DeploymentState;
        return;
      default:
        this.channel(event.kind, event.which);
    }
  }

  channel(kind: 'deliver' | 'drop' | 'duplicate', which: number): void {
    if (this.inFlight.length === 0) return;
    const index = which % this.inFlight.length;
    const message = this.inFlight[index]!;
    if (kind !== 'duplicate') this.inFlight.splice(index, 1);
    if (kind !== 'drop') this.deliver(message);
  }

  deliver(message: PublishAction): void {
    const topic = parseTopic(message.topic);
    const to = topic?.site as Site;
    if (topic?.kind === 'command') {
      const before = this.agents[to].active?.version ?? 0;
      const receipt = receiveCommand(this.agents[to], message.payload as PlanCommandPayload, {
        now: this.now,
        signal: controllerSignal(to),
      });
      this.agents[to] = receipt.state;
      const reason = receipt.result.reason?.split(':', 1)[0];
      this.count(receipt.result.status === 'applied' ? 'applied' : `rejected ${reason}`);
      const active = receipt.state.active;
      // a controller never runs an invalid plan, and never goes back a version
      if (active) expect(isValidPlan(planFromPayload(active, to), controllerSignal(to))).toBe(true);
      expect(active?.version ?? 0).toBeGreaterThanOrEqual(before);
      this.inFlight.push(...receipt.actions);
    } else if (topic?.kind === 'result') {
      this.engineStep(onResult(this.engine, to, message.payload as PlanResultPayload, this.now));
    } else if (topic?.kind === 'status') {
      this.engineStep(
        onActivePlan(this.engine, to, message.payload as ActivePlanPayload, this.now),
      );
    } else {
      throw new Error(`unexpected message on ${message.topic}`);
    }
  }

  engineStep(step: DeploymentStep): void {
    const before = Object.values(this.engine.sites).flatMap((record) => record.history.length);
    this.engine = step.state;
    for (const action of step.actions) this.check(action);
    Object.values(this.engine.sites).forEach((record, index) => {
      for (const entry of record.history.slice(before[index] ?? 0)) this.count(entry.outcome);
    });
  }

  check(action: ControllerAction): void {
    if (action.type !== 'publish') return;
    const command = action.payload as PlanCommandPayload;
    const to = parseTopic(action.topic)?.site as Site;
    // no invalid plan ever leaves the engine
    expect(isValidPlan(planFromPayload(command, to), engineSignal(to))).toBe(true);
    const earlier = this.commands.get(command.correlationId);
    if (earlier) {
      this.count('retry');
      // a retry is the very same command
      expect(command).toStrictEqual(earlier);
      expect(action.correlationId).toBe(earlier.correlationId);
    } else {
      // a new command has a version higher than every earlier one for its site
      expect(command.version).toBeGreaterThan(Math.max(0, ...this.versions[to]));
      expect(command.correlationId).toBe(`engine-1:${to}:v${command.version}`);
      this.commands.set(command.correlationId, command);
      this.count('new command');
      this.versions[to].push(command.version);
    }
    this.inFlight.push(action);
  }

  /** No more losses: everyone online, the retained statuses replayed, every message delivered. */
  heal(): void {
    for (const name of SITES) {
      this.engineStep(
        onPresence(this.engine, name, { state: 'online', ts: '2026-11-28T07:00:00Z' }, this.now),
      );
    }
    this.drain();
    for (const name of SITES) {
      const active = this.agents[name].active;
      if (active) this.engineStep(onActivePlan(this.engine, name, active, this.now));
    }
  }

  drain(): void {
    for (let guard = 0; this.inFlight.length > 0; guard++) {
      expect(guard).toBeLessThan(1000);
      this.deliver(this.inFlight.shift()!);
    }
  }
}

describe('engine ⇄ controllers over a lossy channel', () => {
  it('keeps its invariants, and once the channel heals every controller runs the target', () => {
    const tally = new Map<string, number>();
    fc.assert(
      fc.property(events, fc.constantFrom(2, 3, 6, 7, 10, 11), (sequence, targetPlan) => {
        const loop = new Loop();
        for (const event of sequence) loop.run(event);
        loop.heal();
        for (const name of SITES) {
          // the engine never issues a version at or below one a controller has run
          expect(loop.engine.sites[name]?.lastVersion ?? 0).toBeGreaterThanOrEqual(
            loop.agents[name].active?.version ?? 0,
          );
          const target = planFor(name, targetPlan); // 110 or 120 s: every controller accepts it
          loop.engineStep(
            deployPlan(loop.engine, name, target, {
              now: loop.now,
              signal: engineSignal(name),
              zone: 'zz',
              engineId: 'engine-1',
            }),
          );
        }
        for (let round = 0; round < 20; round++) {
          loop.drain();
          loop.now += 5000;
          loop.engineStep(tick(loop.engine, loop.now));
        }
        for (const name of SITES) {
          const record = loop.engine.sites[name];
          const running = loop.agents[name].active;
          expect(record?.pending).toBeUndefined();
          expect(running).toBeDefined();
          expect(samePlanContent(running!, record!.active!)).toBe(true);
          expect(record?.active?.version).toBe(running?.version);
          expect(running?.planId).toBe(`p${targetPlan}`);
        }
        for (const [key, count] of loop.tally) tally.set(key, (tally.get(key) ?? 0) + count);
      }),
      { numRuns: 300 },
    );
    // the runs went through every path of the protocol, not only the happy one
    for (const path of [
      'sent',
      'held',
      'unchanged',
      'invalid',
      'retry',
      'applied',
      'rejected invalid-plan',
      'rejected expired',
      'rejected stale-version',
      'no-answer',
      'superseded',
    ]) {
      expect(tally.get(path) ?? 0, path).toBeGreaterThan(5);
    }
  });

  it('applies a plan once however often its command arrives', () => {
    const loop = new Loop();
    loop.run({ kind: 'deploy', site: 'J1', plan: 3 });
    const command = loop.inFlight[0]!;
    for (let copy = 0; copy < 5; copy++) loop.deliver(command);
    const statuses = loop.inFlight.filter((message) => message.topic.endsWith('/status/tlc.plan'));
    const results = loop.inFlight.filter((message) =>
      message.topic.endsWith('/result/tlc.plan.set'),
    );
    expect(statuses).toHaveLength(1);
    expect(results).toHaveLength(5);
    for (const result of results)
      expect(result.payload).toMatchObject({ status: 'applied', version: 1 });
  });
});
