// TimingPlan ⇄ the plan payloads on the wire (`command/tlc.plan.set`, `status/tlc.plan`), losslessly.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { actuationOf } from '../timing/actuation.ts';
import type { Stage, TimingPlan } from '../timing/types.ts';
import { ActivePlanPayload, PlanCommandPayload, type StagePayload } from './payloads.ts';

/** What a plan payload says about the timing itself, without version, correlation or times. */
export type PlanContent = Pick<
  PlanCommandPayload,
  'planId' | 'cycle' | 'offset' | 'offsetReference' | 'stages' | 'unsignalled' | 'actuated'
>;

/** The correlation and delivery fields of a command. */
export interface CommandEnvelope {
  correlationId: string;
  version: number;
  /** ISO 8601 UTC. */
  expiresAt: string;
  /** Where the controller answers; repeats MQTT 5's response topic for 3.1.1 brokers. */
  replyTo?: string;
}

/**
 * A timing plan as the timing fields of a payload: `cycle` is `cycleLength`, the signal is the
 * site the topic names, and `origin` stays behind (it is the engine's bookkeeping).
 *
 * @example
 * planContent(leadLeftPlan()).cycle; // => 90
 */
export function planContent(plan: TimingPlan): PlanContent {
  return {
    planId: plan.id,
    cycle: plan.cycleLength,
    offset: plan.offset,
    offsetReference: plan.offsetReference,
    stages: plan.stages.map(stagePayload),
    ...(plan.unsignalled === undefined ? {} : { unsignalled: [...plan.unsignalled] }),
    ...(plan.actuated === undefined ? {} : { actuated: actuationOf(plan.actuated) }),
  };
}

/**
 * The `command/tlc.plan.set` payload for a plan.
 *
 * @example
 * planCommandPayload(leadLeftPlan(), {
 *   correlationId: 'engine:J1:v1', version: 1, expiresAt: '2026-11-28T07:01:00.000Z',
 * });
 * // => { correlationId: 'engine:J1:v1', planId: 'am-peak', version: 1, cycle: 90, offset: 12, … }
 */
export function planCommandPayload(
  plan: TimingPlan,
  { correlationId, version, expiresAt, replyTo }: CommandEnvelope,
): PlanCommandPayload {
  return {
    correlationId,
    ...planContent(plan),
    version,
    expiresAt,
    ...(replyTo === undefined ? {} : { replyTo }),
  };
}

/**
 * The retained `status/tlc.plan` payload: the plan a controller runs, its version and since when.
 *
 * @example
 * activePlanPayload(leadLeftPlan(), { version: 3, appliedAt: '2026-11-28T07:00:02.000Z' }).version; // => 3
 */
export function activePlanPayload(
  plan: TimingPlan,
  { version, appliedAt }: { version: number; appliedAt: string },
): ActivePlanPayload {
  return { ...planContent(plan), version, appliedAt };
}

/**
 * The timing plan a payload carries, for `signal` (the site's signal id; the payload names none).
 * Extra payload fields (version, correlation, times) are dropped.
 *
 * @example
 * planFromPayload(planCommandPayload(plan, envelope), plan.signal); // deep-equal to plan without origin
 */
export function planFromPayload(
  payload: PlanContent,
  signal: string,
  { origin }: { origin?: string } = {},
): TimingPlan {
  return {
    id: payload.planId,
    signal,
    cycleLength: payload.cycle,
    offset: payload.offset,
    offsetReference: payload.offsetReference,
    stages: payload.stages.map(stageOfPayload),
    ...(payload.unsignalled === undefined ? {} : { unsignalled: [...payload.unsignalled] }),
    ...(payload.actuated === undefined ? {} : { actuated: actuationOf(payload.actuated) }),
    ...(origin === undefined ? {} : { origin }),
  };
}

/** Only the timing fields of a payload (drops version, correlation and times). */
export function contentOf(payload: PlanContent): PlanContent {
  const { planId, cycle, offset, offsetReference, stages, unsignalled, actuated } = payload;
  return {
    planId,
    cycle,
    offset,
    offsetReference,
    stages: stages.map(stagePayload),
    ...(unsignalled === undefined ? {} : { unsignalled: [...unsignalled] }),
    ...(actuated === undefined ? {} : { actuated: actuationOf(actuated) }),
  };
}

/**
 * Whether two payloads carry the same timing: plan id, cycle, offset, reference, stages and
 * actuation (a fixed-time plan differs from the same plan actuated, a coordinated one from the
 * same plan free), with the order of keys and of `unsignalled` ignored, an empty `unsignalled`
 * equal to none and `free: false` equal to no `free`.
 *
 * @example
 * samePlanContent(planContent(plan), planContent({ ...plan, offset: plan.offset + 1 })); // => false
 */
export function samePlanContent(a: PlanContent, b: PlanContent): boolean {
  return contentKey(a) === contentKey(b);
}

/** A canonical string for a plan's timing, equal exactly when `samePlanContent` says so. */
export function contentKey(content: PlanContent): string {
  const { planId, cycle, offset, offsetReference, stages, unsignalled = [], actuated } = content;
  // An absent actuation adds no key, so a fixed-time plan keeps the key it had before actuation;
  // `free` is keyed only when true, so a coordinated plan keeps the key it had before free.
  return canonicalJson({
    planId,
    cycle,
    offset,
    offsetReference,
    stages,
    unsignalled: [...unsignalled].sort(),
    ...(actuated === undefined ? {} : { actuated: actuationOf(actuated) }),
  });
}

const commandCheck = TypeCompiler.Compile(PlanCommandPayload);
const activeCheck = TypeCompiler.Compile(ActivePlanPayload);

/**
 * Where a payload breaks its schema (ids that cannot sit in a topic, a cycle over 600 s, more than
 * 16 stages, …), as `path: message` lines; empty when it fits. A command that fails here would be
 * refused by every controller's parser, so the engine never sends one.
 *
 * @example
 * payloadSchemaProblems({ ...command, planId: 'am peak' }); // => ['/planId: Expected string to match …']
 */
export function payloadSchemaProblems(payload: PlanCommandPayload | ActivePlanPayload): string[] {
  const check = 'correlationId' in payload ? commandCheck : activeCheck;
  return [...check.Errors(payload)].map((error) => `${error.path || '/'}: ${error.message}`);
}

function stagePayload(stage: Stage | StagePayload): StagePayload {
  return {
    id: stage.id,
    greens: { ...stage.greens },
    green: stage.green,
    yellow: stage.yellow,
    allRed: stage.allRed,
    minGreen: stage.minGreen,
    ...(stage.maxGreen === undefined ? {} : { maxGreen: stage.maxGreen }),
  };
}

function stageOfPayload(stage: StagePayload): Stage {
  return stagePayload(stage);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : inner,
  );
}
