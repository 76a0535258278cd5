// What the engine shows of itself (controllers, detectors, plans, decisions, status) as TypeBox
// schemas: they type the views and document and serialize the HTTP responses.
import { Type, type Static } from '@sinclair/typebox';
import { ActuationPayload, AlarmPayload, StagePayload } from '../controllers/payloads.ts';

const Iso = Type.String({ description: 'ISO 8601 UTC' });

/** The project's timing plan (`TimingPlan`), as the API reads and writes it. */
export const TimingPlanSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[^/+#\\s]+$' }),
    signal: Type.Optional(Type.String({ minLength: 1 })),
    cycleLength: Type.Number({ exclusiveMinimum: 0, maximum: 600, description: 's' }),
    offset: Type.Number({ minimum: 0, description: 's, in [0, cycleLength)' }),
    offsetReference: Type.Union([
      Type.Literal('first-stage-green-start'),
      Type.Literal('first-stage-yellow-start'),
    ]),
    stages: Type.Array(StagePayload, { minItems: 1, maxItems: 16 }),
    unsignalled: Type.Optional(Type.Array(Type.String())),
    origin: Type.Optional(Type.String()),
    /** Coordinated-actuated operation, or free with `free: true`; absent, fixed time. */
    actuated: Type.Optional(ActuationPayload),
  },
  { additionalProperties: false },
);

const PlanSummary = Type.Object({
  planId: Type.String(),
  version: Type.Integer(),
  cycle: Type.Number(),
  offset: Type.Number(),
  /** What the controller runs: coordinated-actuated, free (`free: true`), or (absent) fixed. */
  actuated: Type.Optional(ActuationPayload),
  appliedAt: Iso,
});

export const ControllerView = Type.Object({
  site: Type.String(),
  zone: Type.Optional(Type.String()),
  presence: Type.Object({
    state: Type.Union([
      Type.Literal('online'),
      Type.Literal('offline'),
      Type.Literal('shutdown'),
      Type.Literal('unknown'),
    ]),
    since: Iso,
  }),
  active: Type.Optional(PlanSummary),
  pending: Type.Optional(
    Type.Object({
      planId: Type.String(),
      version: Type.Integer(),
      correlationId: Type.String(),
      attempts: Type.Integer(),
      sentAt: Iso,
      nextAttemptAt: Iso,
      expiresAt: Iso,
    }),
  ),
  lastVersion: Type.Integer(),
  alarms: Type.Array(Type.String()),
  history: Type.Array(
    Type.Object({
      correlationId: Type.String(),
      planId: Type.String(),
      version: Type.Integer(),
      outcome: Type.String(),
      at: Iso,
      attempts: Type.Integer(),
      reason: Type.Optional(Type.String()),
    }),
  ),
});
export type ControllerView = Static<typeof ControllerView>;

export const DetectorView = Type.Object({
  detector: Type.String(),
  site: Type.String(),
  channel: Type.Integer(),
  lane: Type.Integer({ description: "the network's lane index, 0 = kerb lane" }),
  kind: Type.String(),
  implied: Type.Boolean(),
  status: Type.String({
    description:
      'ok, missing, stuck-on, stuck-off, chattering, gaps; unknown before the first check',
  }),
  since: Type.Optional(Iso),
  reason: Type.String(),
  faults: Type.Array(Type.String()),
});
export type DetectorView = Static<typeof DetectorView>;

export const PlanView = Type.Object({
  site: Type.String(),
  mode: Type.Optional(Type.String()),
  target: Type.Optional(TimingPlanSchema),
  step: Type.Optional(TimingPlanSchema),
  reached: Type.Optional(Type.Boolean()),
  decidedAt: Type.Optional(Iso),
  reason: Type.Optional(Type.String()),
  heldUntil: Type.Optional(Iso),
  active: Type.Optional(PlanSummary),
});
export type PlanView = Static<typeof PlanView>;

export const DecisionView = Type.Object({
  id: Type.String(),
  at: Iso,
  trigger: Type.String(),
  group: Type.String(),
  sites: Type.Array(Type.String()),
  mode: Type.String(),
  reason: Type.String(),
  coverage: Type.Optional(Type.Number()),
  faultyDetectors: Type.Optional(Type.Array(Type.String())),
  period: Type.Optional(Type.String()),
  cycleLength: Type.Optional(Type.Number()),
  outcomes: Type.Record(Type.String(), Type.String()),
  limited: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
});

export const AlarmView = AlarmPayload;

export const EngineStatusView = Type.Object({
  zone: Type.String(),
  engineId: Type.String(),
  phase: Type.String(),
  mqtt: Type.Object({ connected: Type.Boolean(), protocolVersion: Type.Integer() }),
  counters: Type.Object({
    received: Type.Integer(),
    handled: Type.Integer(),
    rejected: Type.Integer(),
    ignored: Type.Integer(),
    published: Type.Integer(),
    cycles: Type.Integer(),
  }),
  now: Iso,
});
export type EngineStatusView = Static<typeof EngineStatusView>;

export const DemandView = Type.Object({
  at: Iso,
  source: Type.Union([Type.Literal('detectors'), Type.Literal('prior'), Type.Literal('none')], {
    description:
      'detectors: at least one movement measured in the window (the prior fills the rest); prior: no detector data, the time-of-day prior alone; none: neither',
  }),
  window: Type.Number({ description: 'Seconds of recent detector data the estimate reads' }),
  period: Type.Optional(Type.String({ description: 'The time-of-day period the clock is in' })),
  coverage: Type.Object({
    measured: Type.Integer(),
    partial: Type.Integer(),
    prior: Type.Integer(),
    none: Type.Integer(),
    total: Type.Integer(),
    share: Type.Number({ description: 'Share of movements measured on at least one lane, 0..1' }),
  }),
  flows: Type.Record(Type.String(), Type.Number(), { description: 'Movement id → pcu/h' }),
});
export type DemandView = Static<typeof DemandView>;
