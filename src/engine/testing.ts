// Helpers for suites that run the engine against controllers: a fake controller over any link (it
// applies, refuses or ignores plan commands with the controller-agent logic) and detector feeds.
import type { PublishAction } from '../controllers/actions.ts';
import { isoTime } from '../controllers/actions.ts';
import {
  activePlanMessage,
  createControllerAgent,
  presenceMessage,
  receiveCommand,
  type ControllerAgentState,
} from '../controllers/controller-agent.ts';
import {
  PlanCommandPayload,
  payloadParser,
  type DetectorVolumePayload,
} from '../controllers/payloads.ts';
import { siteTopic } from '../controllers/topics.ts';
import { detectorPriorFlows } from '../ingest/demand-estimate.ts';
import type { DetectorMap } from '../ingest/detector-map.ts';
import type { Link } from '../mqtt/link.ts';
import type { Signal } from '../network/types.ts';
import type { Clock } from './clock.ts';

const parseCommand = payloadParser(PlanCommandPayload);

/** How a fake controller treats commands: apply them (or refuse invalid ones), or never answer. */
export type ControllerBehaviour = 'answer' | 'silent';

export interface FakeController {
  readonly site: string;
  /** What the controller runs now. */
  readonly agent: ControllerAgentState;
  /** Commands received (duplicates included). */
  readonly commands: PlanCommandPayload[];
  behaviour: ControllerBehaviour;
  /** The signal commands are validated against (the controller's own configuration). */
  signal: Signal;
  /** Publishes retained presence `online` (and the plan it runs, if any). */
  online(): Promise<void>;
  /** Publishes a detector volume payload on its own topic. */
  publishVolume(payload: DetectorVolumePayload): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A controller played with the controller-agent logic over `link`: it subscribes to its commands,
 * validates each against its own `signal` (give a stricter one to make it refuse plans), answers on
 * the result topic and publishes the plan it runs, retained. `behaviour: 'silent'` swallows commands.
 *
 * @example
 * const controller = await fakeController(bus.link({ account }), { zone: 'zz', site: 'JS-01', signal, clock });
 * await controller.online();
 */
export async function fakeController(
  link: Link,
  {
    zone,
    site,
    signal,
    clock,
    behaviour = 'answer',
  }: { zone: string; site: string; signal: Signal; clock: Clock; behaviour?: ControllerBehaviour },
): Promise<FakeController> {
  let agent = createControllerAgent({ zone, site });
  const commands: PlanCommandPayload[] = [];
  const publish = (action: PublishAction) =>
    link.publish(action.topic, JSON.stringify(action.payload), {
      qos: action.qos,
      retain: action.retain,
      ...(action.correlationId === undefined ? {} : { correlationId: action.correlationId }),
    });
  const controller: FakeController = {
    site,
    get agent() {
      return agent;
    },
    commands,
    behaviour,
    signal,
    async online() {
      await publish(presenceMessage(agent, 'online', clock.now()));
      const running = activePlanMessage(agent);
      if (running) await publish(running);
    },
    async publishVolume(payload) {
      await link.publish(
        siteTopic({ zone, site, kind: 'status', code: 'det.volume' }),
        JSON.stringify(payload),
        { qos: 1 },
      );
    },
    async stop() {
      await link.close();
    },
  };
  link.onMessage((topic, payload) => {
    if (!topic.endsWith('/command/tlc.plan.set')) return;
    const parsed = parseCommand(payload);
    if (!parsed.ok) return;
    commands.push(parsed.value);
    if (controller.behaviour === 'silent') return;
    const receipt = receiveCommand(agent, parsed.value, {
      now: clock.now(),
      signal: controller.signal,
    });
    agent = receipt.state;
    for (const action of receipt.actions) void publish(action).catch(() => {});
  });
  await link.subscribe(siteTopic({ zone, site, kind: 'command', code: 'tlc.plan.set' }), 1);
  return controller;
}

/** Vehicles in minute `k` of a steady `perHour`, whole, adding up exactly over the minutes. */
export const countInMinute = (perHour: number, minute: number): number =>
  Math.floor((perHour * (minute + 1)) / 60) - Math.floor((perHour * minute) / 60);

/**
 * One minute of det.volume for a site: each detector counts its share of `movementFlows` (veh/h)
 * with occupancy from the count, except the detectors `faults` names: `stuck-on` reads occupancy 1
 * and no vehicles, `silent` is left out.
 *
 * @example
 * minuteOfVolume(map, 'JS-01', { minute: 3, endMs, movementFlows: prior, seq: 3 }).entries[0].values
 */
export function minuteOfVolume(
  map: DetectorMap,
  site: string,
  {
    minute,
    endMs,
    seq,
    movementFlows,
    faults = {},
  }: {
    minute: number;
    endMs: number;
    seq: number;
    movementFlows: Readonly<Record<string, number>>;
    faults?: Readonly<Record<string, 'stuck-on' | 'silent'>>;
  },
): DetectorVolumePayload {
  const laneFlows = detectorPriorFlows(map, movementFlows);
  const values: DetectorVolumePayload['entries'][number]['values'] = {};
  for (const id of map.sites[site] ?? []) {
    const fault = faults[id];
    if (fault === 'silent') continue;
    if (fault === 'stuck-on') {
      values[id] = { count: 0, occupancy: 1 };
      continue;
    }
    const count = countInMinute(laneFlows[id] ?? 0, minute);
    values[id] = { count, occupancy: Math.min(0.9, count * 0.02) };
  }
  return { interval: 60, entries: [{ ts: isoTime(endMs), seq, values }] };
}
