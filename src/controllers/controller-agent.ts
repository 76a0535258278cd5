// The controller's side of plan commands: apply a new version once, refuse stale, expired or invalid.
import type { Signal } from '../network/types.ts';
import type { TimingPlan } from '../timing/types.ts';
import { validatePlan, type ValidatePlanOptions } from '../timing/validate.ts';
import { isoTime, timeMs, type PublishAction } from './actions.ts';
import { checkNow, checkSite } from './deployment-state.ts';
import type {
  ActivePlanPayload,
  PlanCommandPayload,
  PlanResultPayload,
  PresencePayload,
} from './payloads.ts';
import { contentOf, planFromPayload, samePlanContent } from './plan-payloads.ts';
import { rejectionReason } from './plan-results.ts';
import { parseTopic, siteTopic } from './topics.ts';

export { rejectionCode, type RejectionCode } from './plan-results.ts';

/** What a controller remembers: where it is, and the plan it runs with its version. */
export interface ControllerAgentState {
  zone: string;
  site: string;
  active?: ActivePlanPayload;
}

export interface CommandReceipt {
  state: ControllerAgentState;
  /** The answer, for `resultTopic`. */
  result: PlanResultPayload;
  /** The command's `replyTo` when it is one of the site's own `result/{code}` topics, else `result/tlc.plan.set`. */
  resultTopic: string;
  /** The plan the controller runs after the command (the retained `status/tlc.plan`). */
  activePlan?: ActivePlanPayload;
  /** Whether the command changed the running plan (false for duplicates and refusals). */
  changed: boolean;
  /** The result, and the new retained status when the plan changed: publish them in order. */
  actions: PublishAction[];
}

export interface ReceiveCommandOptions {
  /** Milliseconds since the epoch. */
  now: number;
  /** The controller's own signal: plans are validated against it, never against the engine's. */
  signal: Signal;
  validation?: ValidatePlanOptions;
}

/**
 * A controller's state before any command.
 *
 * @example
 * createControllerAgent({ zone: 'zz', site: 'J1' }); // => { zone: 'zz', site: 'J1' }
 */
export function createControllerAgent({
  zone,
  site,
  active,
}: {
  zone: string;
  site: string;
  active?: ActivePlanPayload;
}): ControllerAgentState {
  checkSite('createControllerAgent', zone, 'zone');
  checkSite('createControllerAgent', site);
  return { zone, site, ...(active === undefined ? {} : { active }) };
}

/**
 * Handles a `command/tlc.plan.set` (already parsed against its schema). In order: a command of the
 * version the controller runs, with the same plan, is a duplicate and is acknowledged `applied`
 * again without touching the plan; any other version at or below the running one is rejected
 * `stale-version`; a command whose `expiresAt` is not after `now` is rejected `expired`; a plan
 * that fails `validatePlan` against the controller's own signal is rejected `invalid-plan` with
 * the problem codes. The controller keeps its previous plan on every refusal. Otherwise the plan
 * is applied and becomes the retained active plan.
 *
 * @example
 * const { result, changed } = receiveCommand(createControllerAgent({ zone: 'zz', site: 'J1' }), command, {
 *   now: Date.parse('2026-11-28T07:00:01Z'), signal: fourLegSignal(),
 * });
 * result; // => { correlationId: 'engine-1:J1:v1', status: 'applied', planId: 'am-peak', version: 1 }
 * changed; // => true
 */
export function receiveCommand(
  agent: ControllerAgentState,
  command: PlanCommandPayload,
  { now, signal, validation }: ReceiveCommandOptions,
): CommandReceipt {
  checkNow('receiveCommand', now);
  const running = agent.active;
  if (running !== undefined && command.version <= running.version) {
    const duplicate = command.version === running.version && samePlanContent(command, running);
    if (duplicate) return answer(agent, command, 'applied', undefined, false);
    const detail =
      command.version === running.version
        ? `runs v${running.version} with a different plan ${running.planId}`
        : `runs v${running.version}, the command is v${command.version}`;
    return answer(agent, command, 'rejected', rejectionReason('stale-version', detail), false);
  }
  if (!(timeMs(command.expiresAt) > now)) {
    const detail = `expiresAt ${command.expiresAt} is not after ${isoTime(now)}`;
    return answer(agent, command, 'rejected', rejectionReason('expired', detail), false);
  }
  const problems = validatePlan(planFromPayload(command, signal.id), signal, validation);
  if (problems.length > 0) {
    const codes = [...new Set(problems.map((problem) => problem.code))].join(', ');
    const detail = `${codes}; ${problems[0]?.message ?? ''}`;
    return answer(agent, command, 'rejected', rejectionReason('invalid-plan', detail), false);
  }
  const active: ActivePlanPayload = {
    ...contentOf(command),
    version: command.version,
    appliedAt: isoTime(now),
  };
  return answer({ ...agent, active }, command, 'applied', undefined, true);
}

/**
 * The controller's refusal of `command` for a reason of its own (e.g. a signal that cannot run the
 * plan): the result on its result topic; it keeps what it runs.
 *
 * @example
 * rejectCommand(agent, command, rejectionReason('invalid-plan', 'the cabinet is in flash')).result.status // => 'rejected'
 */
export function rejectCommand(
  agent: ControllerAgentState,
  command: PlanCommandPayload,
  reason: string,
): CommandReceipt {
  return answer(agent, command, 'rejected', reason, false);
}

function answer(
  agent: ControllerAgentState,
  command: PlanCommandPayload,
  status: PlanResultPayload['status'],
  reason: string | undefined,
  changed: boolean,
): CommandReceipt {
  const result: PlanResultPayload = {
    correlationId: command.correlationId,
    status,
    ...(reason === undefined ? {} : { reason }),
    planId: command.planId,
    version: command.version,
  };
  const resultTopic = resultTopicFor(agent, command.replyTo);
  const publishResult: PublishAction = {
    type: 'publish',
    topic: resultTopic,
    payload: result,
    qos: 1,
    retain: false,
    correlationId: command.correlationId,
  };
  const statusMessage = changed ? activePlanMessage(agent) : undefined;
  return {
    state: agent,
    result,
    resultTopic,
    ...(agent.active === undefined ? {} : { activePlan: agent.active }),
    changed,
    actions: statusMessage === undefined ? [publishResult] : [publishResult, statusMessage],
  };
}

function resultTopicFor(agent: ControllerAgentState, replyTo: string | undefined): string {
  const { zone, site } = agent;
  // A controller may publish results only on its own `result/{code}`; elsewhere the broker would
  // refuse the publish and cut the connection, so a foreign replyTo is answered on the default.
  const asked = replyTo === undefined ? undefined : parseTopic(replyTo);
  const own = asked?.kind === 'result' && asked.zone === zone && asked.site === site;
  return own ? replyTo! : siteTopic({ zone, site, kind: 'result', code: 'tlc.plan.set' });
}

/**
 * The retained `status/tlc.plan` publish for the plan the controller runs; undefined before any.
 *
 * @example
 * activePlanMessage(agent)?.topic; // => 'tsc/zz/J1/status/tlc.plan'
 */
export function activePlanMessage(agent: ControllerAgentState): PublishAction | undefined {
  if (agent.active === undefined) return undefined;
  return {
    type: 'publish',
    topic: siteTopic({ zone: agent.zone, site: agent.site, kind: 'status', code: 'tlc.plan' }),
    payload: agent.active,
    qos: 1,
    retain: true,
  };
}

/**
 * The retained `presence` publish: `online` after connecting, `shutdown` before a planned
 * disconnect; `offline` is the Last Will the broker sends for it.
 *
 * @example
 * presenceMessage(agent, 'online', now).payload; // => { state: 'online', ts: '2026-11-28T07:00:00.000Z' }
 */
export function presenceMessage(
  agent: ControllerAgentState,
  state: PresencePayload['state'],
  now: number,
): PublishAction {
  return {
    type: 'publish',
    topic: siteTopic({ zone: agent.zone, site: agent.site, kind: 'presence', code: '' }),
    payload: { state, ts: isoTime(now) },
    qos: 1,
    retain: true,
  };
}

/**
 * The timing plan the controller runs, for a simulator or a signal head; undefined before any.
 *
 * @example
 * runningPlan(agent, 'J1')?.cycleLength; // => 90
 */
export function runningPlan(agent: ControllerAgentState, signal: string): TimingPlan | undefined {
  return agent.active === undefined ? undefined : planFromPayload(agent.active, signal);
}
